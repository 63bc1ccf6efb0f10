"""What a container's main process is, what it serves and how long it runs.

Why one place: the kubelet (does the process exit, and when?), kube-proxy's backends (what answers
on a port: net/proxy/traffic.py), the probes and `logs` must agree on one model of the process.
The knowledge is data (minikctl/data/behaviours.yaml: each image's ENTRYPOINT/CMD and what its
programs do); this package derives:

* `process(container)`: the command line that really runs (the pod's `command` replaces the
  image's ENTRYPOINT and drops its CMD, `args` replaces CMD, as in a real container), the program
  after wrappers such as docker-entrypoint.sh, and its kind: `server` (listens on ports, runs until
  killed), `forever` (pause), `shell` (a shell or an applet: runs its command and exits with it) or
  `unknown` (a program we do not model: it stays Running, and a connection says so);
* `listeners(pod)`: port -> (handler, container) for the servers in the pod;
* `lifetime(container)`: seconds until the process exits by itself, None for never.
The exit status of a shell's command is computed by running it through the image's shell
(sim/controllers/kubelet.exit_code): one mechanism for "what the process does and how it exits".
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from minikctl import lazy

images = lazy.module("minikctl.images.registry")
registry = lazy.module("minikctl.sim.registry")
yaml = lazy.module("yaml")

DATA = Path(__file__).resolve().parent.parent.parent / "data" / "behaviours.yaml"
NOT_SIMULATED = "minikctl: the behaviour of image {image} is not simulated"


@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load(DATA.read_text())


@dataclass
class Process:
    image: str
    argv: list[str]                       # the command line that runs (ENTRYPOINT+CMD after overrides)
    program: str = ""                     # the program after wrappers ('' when nothing runs)
    args: list[str] = field(default_factory=list)
    kind: str = "unknown"                 # server | forever | shell | unknown
    server: str | None = None             # handler name (http.py) or 'tcp'
    ports: dict[str, int] = field(default_factory=dict)   # role -> port ('http', 'udp', 'tcp', ...)
    script: str = ""                      # a shell's -c script

    @property
    def modelled(self) -> bool:
        return self.kind != "unknown" and self.server != "not_modelled"


def _image_entry(image: str) -> dict | None:
    try:
        return (_data().get("images") or {}).get(registry.repository(image))
    except Exception:
        return None


def effective_argv(container: dict) -> tuple[list[str], bool]:
    """(argv, known): the process's command line, and whether the image's ENTRYPOINT/CMD are known."""
    entry = _image_entry(container.get("image") or "")
    command = [str(a) for a in container.get("command") or []]
    args = [str(a) for a in container.get("args") or []]
    if command:
        return command + args, True
    if entry is None:
        return args, False
    return [str(a) for a in entry.get("entrypoint") or []] + (args or [str(a) for a in entry.get("cmd") or []]), True


def flag_value(args: list[str], name: str) -> str | None:
    """--name=v, -name=v, --name v, -name v (Go's flag and cobra/pflag both accept these)."""
    for i, a in enumerate(args):
        for p in (f"--{name}=", f"-{name}="):
            if a.startswith(p):
                return a[len(p):]
        if a in (f"--{name}", f"-{name}") and i + 1 < len(args) and not args[i + 1].startswith("-"):
            return args[i + 1]
    return None


def _port_of(value: str | None, default: int) -> int:
    if value is None:
        return default
    m = re.search(r"(?:^|:)(-?\d+)$", value)
    return int(m.group(1)) if m else default


def _server(proc: Process, spec: dict, flags: dict | None = None) -> Process:
    proc.kind = "forever" if spec.get("forever") else "server"
    proc.server = spec.get("server")
    ports = dict(spec.get("ports") or {})
    flags = dict(flags or {})
    if spec.get("flag") and ports:
        flags.setdefault(next(iter(ports)), spec["flag"])
    for role, flag in flags.items():
        if role in ports:
            ports[role] = _port_of(flag_value(proc.args, flag), ports[role])
    proc.ports = ports
    return proc


def _last_program(script: str) -> list[str] | None:
    """The command a shell script ends by running in the foreground (`... && exec nginx -g ...`)."""
    lex = shlex.shlex(script.replace("\n", ";"), posix=True, punctuation_chars=";&|")
    lex.whitespace_split = True
    try:
        tokens = list(lex)
    except ValueError:
        return None
    cmds: list[list[str]] = [[]]
    background = [False]
    for t in tokens:
        if t and set(t) <= set(";&|"):
            if t == "&":
                background[-1] = True
            cmds.append([])
            background.append(False)
        else:
            cmds[-1].append(t)
    for words, bg in reversed(list(zip(cmds, background))):
        if not words or bg:
            continue
        while words and words[0] == "exec":
            words = words[1:]
        return words or None
    return None


def process(container: dict) -> Process:
    """The container's main process (see the module docstring)."""
    data = _data()
    image = container.get("image") or ""
    argv, known = effective_argv(container)
    proc = Process(image=image, argv=argv)
    wrappers = set(data.get("wrappers") or [])
    rest = list(argv)
    while rest and rest[0] in wrappers:
        rest = rest[1:]
    if not rest:
        proc.kind = "unknown" if not known else "shell"
        return proc
    entry = _image_entry(image) or {}
    proc.program, proc.args = rest[0], rest[1:]
    base = proc.program.rsplit("/", 1)[-1]
    programs = data.get("programs") or {}
    if base == "agnhost" and proc.args:
        sub = (data.get("agnhost") or {}).get(proc.args[0])
        if sub is None:
            return proc
        proc.args = proc.args[1:]
        return _server(proc, sub, sub.get("flags"))
    spec = programs.get(proc.program) or programs.get(base)
    if spec is not None:
        _server(proc, spec)
        if entry.get("port") and "http" in proc.ports:
            proc.ports["http"] = int(entry["port"])
        return proc
    if base in (data.get("shells") or []):
        proc.kind = "shell"
        if "-c" in proc.args:
            i = proc.args.index("-c")
            proc.script = proc.args[i + 1] if i + 1 < len(proc.args) else ""
            last = _last_program(proc.script)
            if last:
                inner = process({"image": image, "command": last})
                if inner.kind in ("server", "forever"):
                    inner.argv, inner.script = argv, proc.script
                    return inner
        return proc
    if images.resolve_tool(images.toolset(image).tools, proc.program) is not None or base in ("sleep", "tail"):
        proc.kind = "shell"                  # an applet run directly: `sleep 3600`, `echo hi`
    return proc


_FOREVER = re.compile(r"while\s+(true|:)|tail\s+-f|sleep\s+inf(inity)?\b|--serve|httpd|nc\s+-l|until\s+false")
_SLEEP = re.compile(r"sleep\s+(\d+(?:\.\d+)?)([smhd]?)")


def lifetime(container: dict) -> float | None:
    """Seconds until the main process exits by itself; None if it runs until killed."""
    proc = process(container)
    if proc.kind != "shell":
        return None
    text = " ".join(proc.argv)
    if not proc.args and not proc.script and proc.program.rsplit("/", 1)[-1] in (_data().get("shells") or []):
        # a shell with no script reads its stdin: open (stdin: true, `run -it`) it waits, else EOF
        return None if container.get("stdin") else 0.0
    if _FOREVER.search(text):
        return None
    m = _SLEEP.findall(text)
    if m:
        mult = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
        return sum(float(n) * mult[u] for n, u in m)
    return 0.0


def listeners(pod: dict) -> dict[int, tuple[str, dict, Process]]:
    """TCP port -> (handler, container, process) for every server in the pod."""
    out: dict[int, tuple[str, dict, Process]] = {}
    for c in (pod.get("spec") or {}).get("containers") or []:
        proc = process(c)
        if proc.kind != "server":
            continue
        for role, port in proc.ports.items():
            if role != "udp":
                out[int(port)] = (proc.server or "tcp", c, proc)
    return out


def declared_unmodelled(pod: dict, port: int) -> dict | None:
    """The container whose process we do not model, when the port could be its (declared on it, or
    it declares none): a connection there must say plainly that it is not simulated."""
    for c in (pod.get("spec") or {}).get("containers") or []:
        proc = process(c)
        if proc.modelled:
            continue
        declared = {p.get("containerPort") for p in c.get("ports") or []}
        if not declared or port in declared:
            return c
    return None
