"""`kubectl exec` over WebSocket (`v5.channel.k8s.io`, kubectl >= 1.30's first choice).

Channels: 0 stdin, 1 stdout, 2 stderr, 3 error (a metav1.Status), 4 resize, 255 close (v5:
the client's stdin EOF). The command runs in the simulated image (minikctl/images/registry.run)
inside one cluster transaction, after stdin (if any) has been read. An exit code other than 0 is
the NonZeroExitCode Status kubectl turns into `command terminated with exit code N`.
SPDY (older kubectl, or KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false) is refused with a Status that
says so.
"""
from __future__ import annotations

import json

from minikctl.apiserver import websocket as ws
from minikctl.apiserver.request import Request, Response
from minikctl.apiserver.status import fail

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255


def _status(out_code: int, message: str = "") -> dict:
    if out_code == 0 and not message:
        return {"metadata": {}, "status": "Success"}
    if message:
        return {"metadata": {}, "status": "Failure", "message": message, "reason": "InternalError",
                "details": {"causes": [{"message": message}]}, "code": 500}
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing command, exit code {out_code}",
            "reason": "NonZeroExitCode", "details": {"causes": [{"reason": "ExitCode", "message": str(out_code)}]}}


def _check(req: Request, t, env) -> tuple[list[str], str]:
    """Validate before upgrading, so errors are plain Status responses."""
    from minikctl.api.errors import ApiError
    from minikctl.apiserver.resources import api_error
    from minikctl.sim.cluster import open_cluster
    argv = req.query.get("command") or []
    if not argv:
        raise fail("BadRequest", "you must specify at least 1 command", 400)
    with open_cluster(env) as cluster:
        try:
            from minikctl.api import server
            pod = server.get(cluster, "Pod", t.namespace, t.name)
        except ApiError as e:
            raise api_error(t.kind, e)
        names = [c["name"] for c in pod["spec"].get("containers") or []]
        c = req.q("container") or (names[0] if len(names) == 1 else "")
        if not c:
            raise fail("BadRequest", f"a container name must be specified for pod {t.name}, choose one of: "
                       f"[{' '.join(names)}]", 400)
        if c not in names:
            raise fail("BadRequest", f"container {c} is not valid for pod {t.name}", 400)
        phase = (pod.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed"):
            raise fail("BadRequest", f"cannot exec into a container in a completed pod; current phase is {phase}", 400)
    return argv, c


def _run(env, t, container: str, argv: list[str], stdin: str) -> tuple[str, str, int, str]:
    """(stdout, stderr, exit code, failure message) of argv in the pod's container."""
    from minikctl.api.errors import CliError
    from minikctl.images.pod_exec import check_runnable, run_in_pod
    from minikctl.sim.cluster import open_cluster
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


def respond(req: Request, t, env) -> Response:
    if req.method not in ("GET", "POST"):
        raise fail("MethodNotAllowed", "the server does not allow this method on the requested resource", 405)
    argv, container = _check(req, t, env)
    if not ws.is_upgrade(req.headers):
        raise fail("BadRequest", "Upgrade request required: minikctl serve speaks exec over WebSocket "
                   "(v5.channel.k8s.io) only; SPDY is not offered", 400)
    proto = ws.choose_protocol(req.headers, PROTOCOLS)
    if proto is None:
        raise fail("BadRequest", "unable to upgrade connection: none of the offered subprotocols "
                   f"is supported (want one of {', '.join(PROTOCOLS)})", 400)

    def upgrade(handler) -> None:
        handler.send_response(101, "Switching Protocols")
        handler.send_header("Upgrade", "websocket")
        handler.send_header("Connection", "Upgrade")
        handler.send_header("Sec-WebSocket-Accept", ws.accept_key(req.headers["sec-websocket-key"]))
        handler.send_header("Sec-WebSocket-Protocol", proto)
        handler.end_headers()
        handler.wfile.flush()
        session(handler, env, t, container, argv, proto, req.q("stdin") in ("true", "1"),
                req.q("stderr", "true") in ("true", "1"))

    return Response(101, upgrade=upgrade)


def _send(handler, channel: int, data: bytes) -> None:
    handler.wfile.write(ws.frame(ws.BINARY, bytes([channel]) + data))
    handler.wfile.flush()


def _read_stdin(handler) -> str:
    """Client frames until stdin closes (v5 close signal) or the socket does."""
    buf = []
    while True:
        try:
            op, data = ws.read_frame(handler.rfile)
        except (EOFError, OSError):
            break
        if op == ws.CLOSE:
            break
        if op == ws.PING:
            handler.wfile.write(ws.frame(ws.PONG, data))
            continue
        if op in (ws.BINARY, ws.TEXT) and data:
            if data[0] == STDIN:
                buf.append(data[1:])
            elif data[0] == CLOSE and data[1:2] == bytes([STDIN]):
                break
    return b"".join(buf).decode("utf-8", errors="replace")


def session(handler, env, t, container, argv, proto, want_stdin: bool, want_stderr: bool) -> None:
    try:
        stdin = _read_stdin(handler) if want_stdin else ""
        out, err, code, failure = _run(env, t, container, argv, stdin)
        if out:
            _send(handler, STDOUT, out.encode())
        if err:
            _send(handler, STDERR if want_stderr else STDOUT, err.encode())
        _send(handler, ERROR, json.dumps(_status(code, failure)).encode())
        handler.wfile.write(ws.frame(ws.CLOSE, b"\x03\xe8"))
        handler.wfile.flush()
    except (BrokenPipeError, ConnectionResetError, OSError):
        pass
