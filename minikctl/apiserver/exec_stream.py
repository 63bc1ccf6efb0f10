"""`kubectl exec` and `kubectl attach` through serve: pods/{name}/exec and pods/{name}/attach.

Transports (apiserver/remote.py): WebSocket `v5.channel.k8s.io` / `v4.channel.k8s.io` (kubectl
>= 1.30) and SPDY/3.1 with `v4`/`v5` (kubectl 1.27-1.29, and later ones falling back). What runs
is the simulated container (minikctl/images): nothing reaches the host.

* An interactive shell (`sh`, `bash`, `ash` with stdin) is driven line by line as the learner
  types: with a TTY through the pty's line discipline (apiserver/terminal.py) with the shell's
  prompt, echo and CRLF output; without one, each line runs as it arrives, no prompt. `exit N`
  ends the session with the NonZeroExitCode Status kubectl turns into exit code N.
* Any other command with stdin and no TTY (`kubectl cp`'s `tar xmf -`, `... -i -- cat`) reads
  stdin to its end, then runs; with a TTY or without stdin it runs at once.

Each line runs in its own cluster transaction: the shell's variables and working directory live
in the session, the cluster (DNS, files, other pods) is read fresh, and the store is never held
while the learner thinks. Bytes travel as UTF-8 with surrogate escapes, so a tar stream passes
through unchanged.
"""
from __future__ import annotations

import json

from minikctl.apiserver import remote as rc, websocket as ws
from minikctl.apiserver.request import Request, Response
from minikctl.apiserver.status import fail
import threading
from minikctl.api.errors import ApiError, CliError
from minikctl import lazy

LineDiscipline = lazy.function("minikctl.apiserver.terminal", "LineDiscipline")
ShellSession = lazy.function("minikctl.images.shell", "ShellSession")
api_error = lazy.function("minikctl.apiserver.resources", "api_error")
check_runnable = lazy.function("minikctl.images.pod_exec", "check_runnable")
exec_context = lazy.function("minikctl.images.pod_exec", "exec_context")
fs_of = lazy.function("minikctl.images.fs", "fs_of")
kubelet = lazy.module("minikctl.sim.controllers.kubelet")
onlcr = lazy.function("minikctl.apiserver.terminal", "onlcr")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
process = lazy.function("minikctl.images.behaviours", "process")
run_in_pod = lazy.function("minikctl.images.pod_exec", "run_in_pod")
spdy = lazy.module("minikctl.apiserver.spdy")
server = lazy.module("minikctl.api.server")

WS_PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
SPDY_PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")


def enc(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogateescape")


def dec(data: bytes) -> str:
    return data.decode("utf-8", errors="surrogateescape")


def _status(out_code: int, message: str = "") -> dict:
    if out_code == 0 and not message:
        return {"metadata": {}, "status": "Success"}
    if message:
        return {"metadata": {}, "status": "Failure", "message": message, "reason": "InternalError",
                "details": {"causes": [{"message": message}]}, "code": 500}
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing command, exit code {out_code}",
            "reason": "NonZeroExitCode", "details": {"causes": [{"reason": "ExitCode", "message": str(out_code)}]}}


def _truthy(v: str) -> bool:
    return v in ("true", "1", "True")


def _check(req: Request, t, env, attach: bool) -> tuple[list[str], str, dict]:
    """Validate before upgrading, so errors are plain Status responses."""
    argv = req.query.get("command") or []
    if not argv and not attach:
        raise fail("BadRequest", "you must specify at least 1 command", 400)
    with open_cluster(env) as cluster:
        try:
            pod = server.get(cluster, "Pod", t.namespace, t.name)
        except ApiError as e:
            raise api_error(t.kind, e)
        containers = pod["spec"].get("containers") or []
        names = [c["name"] for c in containers]
        c = req.q("container") or (names[0] if len(names) == 1 else "")
        if not c:
            raise fail("BadRequest", f"a container name must be specified for pod {t.name}, choose one of: "
                       f"[{' '.join(names)}]", 400)
        if c not in names:
            raise fail("BadRequest", f"container {c} is not valid for pod {t.name}", 400)
        phase = (pod.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed"):
            verb = "attach to" if attach else "exec into"
            raise fail("BadRequest", f"cannot {verb} a container in a completed pod; current phase is {phase}", 400)
        spec = next(x for x in containers if x["name"] == c)
        cs = next((x for x in (pod.get("status") or {}).get("containerStatuses") or [] if x.get("name") == c), {})
        if phase != "Running" or "running" not in (cs.get("state") or {}):
            # the kubelet refuses the upgrade in plain text (not a Status), which kubectl prints
            # as "unable to upgrade connection: container not found ("c")"
            raise _KubeletRefusal(f'container not found ("{c}")')
    return list(argv), c, spec


class _KubeletRefusal(Exception):
    """The kubelet's own answer to an exec/attach it cannot start: a plain-text 500."""


def respond(req: Request, t, env, attach: bool = False) -> Response:
    if req.method not in ("GET", "POST"):
        raise fail("MethodNotAllowed", "the server does not allow this method on the requested resource", 405)
    try:
        argv, container, spec = _check(req, t, env, attach)
    except _KubeletRefusal as e:
        return Response(500, (str(e) + "\n").encode(), "text/plain; charset=utf-8")
    opts = {"stdin": _truthy(req.q("stdin")), "stdout": _truthy(req.q("stdout", "true")),
            "stderr": _truthy(req.q("stderr", "true")), "tty": _truthy(req.q("tty"))}
    if attach:
        argv = process(spec).argv
        opts["tty"] = opts["tty"] and bool(spec.get("tty"))
        opts["stdin"] = opts["stdin"] and bool(spec.get("stdin"))
    if opts["tty"]:
        opts["stderr"] = False

    def run(remote) -> None:
        Process(env, t, container, argv, opts, attach).serve(remote)

    return upgrade(req, run, opts)


def upgrade(req: Request, run, opts: dict, ws_protocols=WS_PROTOCOLS, spdy_protocols=SPDY_PROTOCOLS,
            spdy_streams=None) -> Response:
    """The 101 answer for a WebSocket or SPDY/3.1 upgrade, then `run(remote)` on the socket."""
    h = req.headers
    if ws.is_upgrade(h):
        proto = ws.choose_protocol(h, ws_protocols)
        if proto is None:
            raise fail("BadRequest", "unable to upgrade connection: none of the offered subprotocols "
                       f"is supported (want one of {', '.join(ws_protocols)})", 400)

        def ws_upgrade(handler) -> None:
            handler.send_response(101, "Switching Protocols")
            handler.send_header("Upgrade", "websocket")
            handler.send_header("Connection", "Upgrade")
            handler.send_header("Sec-WebSocket-Accept", ws.accept_key(h["sec-websocket-key"]))
            handler.send_header("Sec-WebSocket-Protocol", proto)
            handler.end_headers()
            handler.wfile.flush()
            _guard(lambda: run(("ws", proto, handler)))

        return Response(101, upgrade=ws_upgrade)
    if "spdy/3.1" in (h.get("upgrade") or "").lower():
        offered = [p.strip() for p in (h.get("x-stream-protocol-version") or "").split(",") if p.strip()]
        proto = next((p for p in spdy_protocols if p in offered), None)
        if proto is None:
            raise fail("Forbidden", f"unable to upgrade: unable to negotiate protocol: client supports {offered}, "
                       f"server supports {list(spdy_protocols)}", 403)

        def spdy_upgrade(handler) -> None:
            handler.send_response(101, "Switching Protocols")
            handler.send_header("Connection", "Upgrade")
            handler.send_header("Upgrade", "SPDY/3.1")
            handler.send_header("X-Stream-Protocol-Version", proto)
            handler.end_headers()
            handler.wfile.flush()

            def read_exact(n: int) -> bytes:
                data = handler.rfile.read(n)
                if data is None or len(data) < n:
                    raise EOFError("spdy closed")
                return data

            def write(raw: bytes) -> None:
                handler.wfile.write(raw)
                handler.wfile.flush()

            session = spdy.Session(read_exact, write)
            session.handler = handler
            _guard(lambda: run(("spdy", proto, session)))

        return Response(101, upgrade=spdy_upgrade)
    raise fail("BadRequest", "Upgrade request required", 400)


def _guard(fn) -> None:
    try:
        fn()
    except (rc.Closed, BrokenPipeError, ConnectionResetError, OSError):
        pass


def make_remote(transport, opts: dict):
    """A remote.WebSocketRemote / SpdyRemote for the channels `opts` asks for; None if the
    client left before opening them."""
    kind, proto, conn = transport
    if kind == "ws":
        return rc.WebSocketRemote(conn, proto)
    expected = {"error"} | {k for k in ("stdin", "stdout", "stderr") if opts.get(k)}
    if opts.get("tty"):
        expected.add("resize")
        expected.discard("stderr")
    r = rc.SpdyRemote(conn, expected)
    return r if r.accept_streams() else None


# ---------------------------------------------------------------------------------------------
# What runs in the container

class PodShell:
    """An interactive shell in a pod's container whose every line runs in a fresh transaction."""

    def __init__(self, env, ns: str, name: str, container: str, argv0: str, prompt: bool):
        self.env, self.ns, self.name, self.container = env, ns, name, container
        with open_cluster(env) as cluster:
            pod = cluster.get("Pod", ns, name)
            check_runnable(pod)
            self.session = ShellSession(exec_context(cluster, pod, container), argv0=argv0)
        self.session.interactive = prompt
        self.show_prompt = prompt
        self.lock = threading.Lock()      # two clients attached to one container share its shell

    @property
    def prompt(self) -> str:
        return self.session.prompt if self.show_prompt else ""

    def feed(self, line: str) -> tuple[str, str, bool]:
        with self.lock:
            return self._feed(line)

    def _feed(self, line: str) -> tuple[str, str, bool]:
        with open_cluster(self.env) as cluster:
            pod = cluster.get("Pod", self.ns, self.name)
            if pod is None or (pod.get("status") or {}).get("phase") != "Running":
                self.session.done, self.session.exit_code = True, 137
                return "", "", True
            sh = self.session.shell
            ctx = sh.ctx
            ctx.view, ctx.pod, ctx.fs = cluster, pod, None
            sh.fs = fs_of(ctx)
            sh._rng = None
            try:
                return self.session.feed(line)
            except RecursionError:
                return "", "sh: recursion too deep\n", False

    def interrupt(self) -> None:
        self.session.pending = ""
        self.session.shell.status = 130

    @property
    def exit_code(self) -> int:
        return self.session.exit_code if self.session.done else self.session.shell.status


from minikctl.images.shell import is_interactive_shell  # noqa: E402 - one definition, below both front ends


class Process:
    def __init__(self, env, t, container: str, argv: list[str], opts: dict, attach: bool = False):
        self.env, self.t, self.container, self.argv, self.opts = env, t, container, argv, opts
        self.attach = attach

    def serve(self, transport) -> None:
        r = make_remote(transport, self.opts)
        if r is None:
            return
        try:
            if self.attach:
                result = self._attach(r)
            elif self.opts["stdin"] and is_interactive_shell(self.argv):
                result = self._shell(r)
            else:
                result = self._command(r)
            if result is not None:          # None: the client went away, nobody to tell
                r.send("error", json.dumps(_status(*result)).encode())
        finally:
            r.close()

    def _out(self, r, out: str, err: str) -> None:
        if self.opts["tty"]:
            r.send("stdout", enc(onlcr(out + err)))
            return
        if out and self.opts["stdout"]:
            r.send("stdout", enc(out))
        if err:
            r.send("stderr" if self.opts["stderr"] else "stdout", enc(err))

    def _command(self, r) -> tuple[int, str] | None:
        stdin = b""
        if self.opts["stdin"] and not self.opts["tty"]:
            buf = []
            for ev, data in r.events():
                if ev == "stdin":
                    buf.append(data)
                elif ev in ("stdin-eof", "end"):
                    if ev == "end":
                        return None       # the client went away: nothing to answer
                    break
            stdin = b"".join(buf)
        out, err, code, failure = run_once(self.env, self.t, self.container, self.argv, dec(stdin))
        self._out(r, out, err)
        return code, failure

    def _attach(self, r) -> tuple[int, str] | None:
        """The container's main process: its shell if it is one reading an open stdin (`run -it`,
        a pod with stdin: true), kept between attaches; when that shell exits, so does the
        container (the kubelet's restart policy decides what follows). Any other process prints
        nothing new here and the stream stays open until the client detaches."""
        if self.opts["stdin"] and is_interactive_shell(self.argv):
            try:
                sh = attached_shell(self.env, self.t, self.container, self.argv[0], self.opts["tty"])
            except CliError as e:
                return 1, e.message
            result = self._shell(r, sh)
            if sh.session.done:
                container_exited(self.env, self.t, self.container, sh.exit_code)
            return None if result is None else (0, "")
        ld = LineDiscipline() if self.opts["tty"] else None
        for ev, data in r.events():
            if ev == "end":
                return None
            if ev == "stdin" and ld is not None:      # the pty echoes; nothing in the container reads
                echo, _ = ld.feed(data)
                if echo:
                    r.send("stdout", enc(echo))
        return None

    def _shell(self, r, sh=None) -> tuple[int, str] | None:
        tty = self.opts["tty"]
        if sh is None:
            try:
                sh = PodShell(self.env, self.t.namespace, self.t.name, self.container, self.argv[0], prompt=tty)
            except CliError as e:
                return 1, e.message
        if tty:
            r.send("stdout", enc(sh.prompt))
        ld = LineDiscipline() if tty else None
        pending = b""
        for ev, data in r.events():
            if ev == "end":
                return None
            if ev == "resize":
                continue
            if ev == "stdin-eof":
                if not tty and pending:
                    out, err, done = sh.feed(dec(pending))
                    self._out(r, out, err)
                if tty:
                    r.send("stdout", enc(onlcr(sh.session.farewell or "\n")))
                return sh.exit_code, ""
            if not tty:
                pending += data
                while b"\n" in pending:
                    line, _, pending = pending.partition(b"\n")
                    out, err, done = sh.feed(dec(line))
                    self._out(r, out, err)
                    if done:
                        return sh.exit_code, ""
                continue
            echo, events = ld.feed(data)
            if echo:
                r.send("stdout", enc(echo))
            for kind, line in events:
                if kind == "line":
                    out, err, done = sh.feed(line)
                    self._out(r, out, err)
                    if done:
                        return sh.exit_code, ""
                elif kind == "intr":
                    sh.interrupt()
                elif kind == "eof":
                    r.send("stdout", enc(onlcr(sh.session.farewell or "\n")))
                    return sh.exit_code, ""
                r.send("stdout", enc(sh.prompt))
        return sh.exit_code, ""


def run_once(env, t, container: str, argv: list[str], stdin: str) -> tuple[str, str, int, str]:
    """(stdout, stderr, exit code, failure message) of argv in the pod's container."""
    with open_cluster(env) as cluster:
        pod = cluster.get("Pod", t.namespace, t.name)
        if pod is None:
            return "", "", 1, f'pods "{t.name}" not found'
        try:
            check_runnable(pod)
            out, err, code = run_in_pod(cluster, pod, container, argv, stdin)
        except CliError as e:
            return "", "", 1, e.message
    return out, err, code, ""


# ---------------------------------------------------------------------------------------------
# attach: the container's main process outlives any one client

_ATTACHED: dict[tuple, PodShell] = {}


def attached_shell(env, t, container: str, argv0: str, tty: bool) -> PodShell:
    """The shell running as `container`'s main process (one per container instance)."""
    with open_cluster(env, write=False) as cluster:
        pod = cluster.get("Pod", t.namespace, t.name)
        cs = next((c for c in ((pod or {}).get("status") or {}).get("containerStatuses") or []
                   if c.get("name") == container), {})
        key = ((pod or {}).get("metadata", {}).get("uid"), container, cs.get("containerID"))
    sh = _ATTACHED.get(key)
    if sh is None or sh.session.done:
        for k in [k for k in _ATTACHED if k[:2] == key[:2]]:
            del _ATTACHED[k]
        sh = PodShell(env, t.namespace, t.name, container, argv0, prompt=tty)
        _ATTACHED[key] = sh
    sh.show_prompt = sh.session.interactive = tty
    return sh


def container_exited(env, t, container: str, code: int) -> None:
    """The attached main process ended with `code`: the kubelet sees its container exit."""
    with open_cluster(env) as cluster:
        pod = cluster.get("Pod", t.namespace, t.name)
        if pod is None:
            return
        kubelet.on_exit(cluster, {"namespace": t.namespace, "name": t.name, "uid": pod["metadata"]["uid"],
                                  "container": container}, code=code)
