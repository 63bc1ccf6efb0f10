"""Command lines of `python -m minikctl` as processes of their own, without Python's start-up each.

The durability tests run over a hundred command lines to kill them at chosen points. Each must be
a real process (its own SQLite connection, an exit status, SIGKILL that ends it half way), but
the interpreter's start and minikctl's imports (~75 ms) are the same every time. So a server
process imports minikctl once and forks one child per command line; the child takes the
environment, working directory and standard files it is given and runs the console script's
`main`, as `python -m minikctl` would. The server is single-threaded and never opens a state
file, so no fork carries a held lock or an open SQLite connection. One command line at a time.
"""
from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What apply, delete, scale and get load, imported before the first fork (lazily loaded modules
# would otherwise be imported again in every child).
WARM = ["yaml", "minikctl.cli.main", "minikctl.cli.apply_cmd", "minikctl.cli.delete_cmd", "minikctl.cli.scale_cmd",
        "minikctl.cli.get_cmd", "minikctl.sim.cluster", "minikctl.sim.controllers", "minikctl.api.server",
        "minikctl.api.manifests", "minikctl.store.db", "minikctl.printers"]

SERVER = r"""
import importlib, json, os, pkgutil, sys
requests, replies = os.fdopen(int(sys.argv[1]), "r"), os.fdopen(int(sys.argv[2]), "w")
for name in json.loads(sys.argv[3]):
    mod = importlib.import_module(name)
    if name == "minikctl.sim.controllers":
        for info in pkgutil.iter_modules(mod.__path__):
            importlib.import_module(name + "." + info.name)
from minikctl.cli import main
for line in requests:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            requests.close(); replies.close()
            os.chdir(req["cwd"])
            os.environ.clear()
            os.environ.update(req["env"])
            for fd, path, flags in ((0, req["stdin"], os.O_RDONLY),
                                    (1, req["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                    (2, req["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
                f = os.open(path, flags, 0o600)
                os.dup2(f, fd)
                os.close(f)
            sys.argv = ["minikctl", *req["argv"]]
            main.main()
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    replies.write(json.dumps({"pid": pid}) + "\n")
    replies.flush()
    _, status = os.waitpid(pid, 0)
    replies.write(json.dumps({"code": os.waitstatus_to_exitcode(status)}) + "\n")
    replies.flush()
"""


@dataclass
class Started:
    pid: int
    argv: list
    out: Path
    err: Path


class ForkServer:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="forkcli-"))
        req_r, self._req_w = os.pipe()
        self._rep_r, rep_w = os.pipe()
        env = {k: v for k, v in os.environ.items() if not k.startswith("MINIKCTL_")}
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER, str(req_r), str(rep_w), json.dumps(WARM)],
                                     pass_fds=(req_r, rep_w), cwd=str(ROOT), env=env, stdin=subprocess.DEVNULL)
        os.close(req_r)
        os.close(rep_w)
        self._buf = b""
        self._n = 0

    def _reply(self, timeout: float | None) -> dict | None:
        while b"\n" not in self._buf:
            ready, _, _ = select.select([self._rep_r], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(self._rep_r, 4096)
            if not chunk:
                raise RuntimeError("the fork server ended")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def start(self, argv: list[str], env: dict, cwd: Path | str = ROOT, stdin: bytes = b"") -> Started:
        self._n += 1
        base = self.dir / str(self._n)
        (inp := base.with_suffix(".in")).write_bytes(stdin)
        out, err = base.with_suffix(".out"), base.with_suffix(".err")
        req = {"argv": list(argv), "env": dict(env), "cwd": str(cwd), "stdin": str(inp), "stdout": str(out),
               "stderr": str(err)}
        os.write(self._req_w, (json.dumps(req) + "\n").encode())
        return Started(self._reply(60)["pid"], list(argv), out, err)

    def wait(self, s: Started, timeout: float = 60) -> subprocess.CompletedProcess:
        got = self._reply(timeout)
        if got is None:                     # hung: killed, as subprocess.run's timeout would
            os.kill(s.pid, signal.SIGKILL)
            self._reply(None)
            raise subprocess.TimeoutExpired(s.argv, timeout)
        return subprocess.CompletedProcess(s.argv, got["code"], s.out.read_bytes(), s.err.read_bytes())

    def run(self, argv: list[str], env: dict, cwd: Path | str = ROOT, timeout: float = 60) -> subprocess.CompletedProcess:
        return self.wait(self.start(argv, env, cwd), timeout)

    def close(self) -> None:
        os.close(self._req_w)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._rep_r)


_SERVER: list = []


def server() -> ForkServer:
    """This test process's fork server, started on first use."""
    if not _SERVER:
        _SERVER.append(ForkServer())
        atexit.register(_SERVER[0].close)
    return _SERVER[0]
