"""`port-forward`: a real TCP listener on loopback whose connections reach a simulated pod.

Why: learners check a pod with `kubectl port-forward pod/web 8080:80` and `curl localhost:8080`
on their own machine. Here the listener is real (127.0.0.1 and ::1, like kubectl's default
--address localhost), each accepted connection is answered with the pod's simulated HTTP
behaviour (`traffic.serve`, the same code wget and curl inside the cluster reach), read from the
cluster state at that moment.

Target resolution follows kubectl: pod/NAME or NAME, svc/NAME (a pod its selector picks; the
service port is translated to the container port, by number or by name), deploy/rs/sts/NAME
(a pod of the selector). Only HTTP/1.x requests are understood: the simulated pods speak HTTP.
"""
from __future__ import annotations

import socket
import socketserver
import threading
from dataclasses import dataclass

from minikctl.api.errors import ApiError, CliError, not_found
import errno
import hashlib
from datetime import datetime, timezone
from minikctl import lazy

label_selector_matches = lazy.function("minikctl.api.selectors", "label_selector_matches")

_KINDS = {"pod": "Pod", "pods": "Pod", "po": "Pod", "svc": "Service", "service": "Service", "services": "Service",
          "deploy": "Deployment", "deployment": "Deployment", "deployments": "Deployment",
          "rs": "ReplicaSet", "replicaset": "ReplicaSet", "replicasets": "ReplicaSet",
          "sts": "StatefulSet", "statefulset": "StatefulSet", "statefulsets": "StatefulSet"}
_RESOURCE = {"Pod": "pods", "Service": "services", "Deployment": "deployments.apps",
             "ReplicaSet": "replicasets.apps", "StatefulSet": "statefulsets.apps"}


@dataclass
class PortPair:
    local: int          # 0: let the kernel pick
    remote: int         # as given (a service port for svc/ targets)
    container: int = 0  # after translation to the pod


def parse_ports(specs: list[str]) -> list[PortPair]:
    """'8080:80', '80' (same local port), ':80' (a random local port)."""
    if not specs:
        raise CliError("TYPE/NAME and list of ports are required for port-forward\n"
                       "See 'kubectl port-forward -h' for help and examples")
    out = []
    for s in specs:
        local, sep, remote = s.partition(":")
        if not sep:
            local, remote = s, s
        if local and not local.isdigit():
            raise CliError(f"Error parsing local port '{local}': strconv.ParseUint: parsing \"{local}\": invalid syntax")
        if not remote.isdigit():
            raise CliError(f"Error parsing remote port '{remote}': strconv.ParseUint: parsing \"{remote}\": invalid syntax")
        out.append(PortPair(int(local) if local else 0, int(remote)))
    return out


def _running(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") == "Running" and not pod["metadata"].get("deletionTimestamp")


def _pod_for_selector(view, ns: str, selector: dict, what: str) -> dict:
    pods = [p for p in view.list("Pod", ns) if label_selector_matches(selector, p["metadata"].get("labels"))]
    if not pods:
        raise CliError(f"timed out waiting for the condition" if what != "svc" else "timed out waiting for the condition")
    pods.sort(key=lambda p: (not _running(p), p["metadata"].get("creationTimestamp") or "", p["metadata"]["name"]))
    return pods[0]


def resolve(view, ns: str, target: str, ports: list[PortPair]) -> dict:
    """The pod a port-forward of `target` reaches; fills in each PortPair.container."""
    kind, name = "Pod", target
    if "/" in target:
        k, name = target.split("/", 1)
        kind = _KINDS.get(k.lower())
        if kind is None:
            raise CliError(f'the server doesn\'t have a resource type "{k}"')
    obj = view.get(kind, ns, name)
    if obj is None:
        raise not_found(_RESOURCE[kind], name)
    if kind == "Pod":
        pod = obj
    elif kind == "Service":
        sel = (obj.get("spec") or {}).get("selector")
        if not sel:
            raise CliError(f"cannot attach to *v1.Service: invalid service '{name}': Service is defined without a selector")
        pod = _pod_for_selector(view, ns, {"matchLabels": sel}, "svc")
    else:
        pod = _pod_for_selector(view, ns, (obj.get("spec") or {}).get("selector") or {}, kind)
    for pp in ports:
        pp.container = pp.remote
        if kind == "Service":
            pp.container = _service_to_container(obj, pod, pp.remote)
    phase = (pod.get("status") or {}).get("phase")
    if phase != "Running":
        raise CliError(f"unable to forward port because pod is not running. Current status={phase}")
    return pod


def _service_to_container(svc: dict, pod: dict, port: int) -> int:
    """translateServicePortToTargetPort."""
    for sp in (svc.get("spec") or {}).get("ports") or []:
        if sp.get("port") != port:
            continue
        tp = sp.get("targetPort", port)
        if isinstance(tp, int):
            return tp
        for c in (pod.get("spec") or {}).get("containers") or []:
            for cp in c.get("ports") or []:
                if cp.get("name") == tp:
                    return int(cp["containerPort"])
        raise CliError(f"Pod '{pod['metadata']['name']}' does not have a named port '{tp}'")
    raise CliError(f"Service {svc['metadata']['name']} does not have a service port {port}")


# ---------------------------------------------------------------------------------------------
# The listener


def _read_request(sock) -> tuple[str, str, dict] | None:
    data = b""
    sock.settimeout(10)
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    if not data:
        return None
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    parts = lines[0].split()
    if len(parts) < 2:
        return None
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return parts[0], parts[1], headers


def response_bytes(resp, method: str) -> bytes:
    body = resp.body.encode()
    headers = [(k, v) for k, v in resp.headers if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(body))))
    text = resp.status_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return text.encode() + (b"" if method == "HEAD" else body)


class Forwarder:
    """The listeners of one port-forward; `answer(port_pair, method, path, host)` is called per
    request and returns a traffic.Response or None (nothing listens in the pod)."""

    def __init__(self, address: str, pairs: list[PortPair], answer, out, err, on_lost):
        self.address, self.pairs, self.answer = address, pairs, answer
        self.out, self.err, self.on_lost = out, err, on_lost
        self.servers: list[socketserver.TCPServer] = []
        self.lock = threading.Lock()

    def _hosts(self) -> list[tuple[int, str]]:
        if self.address in ("localhost", ""):
            return [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")]
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, a) for a in self.address.split(",")]

    def start(self) -> None:
        for pp in self.pairs:
            made, errors = [], []
            for fam, host in self._hosts():
                try:
                    srv = self._server(fam, host, pp)
                except OSError as e:
                    errors.append(f"unable to create listener: Error listen tcp{'6' if fam == socket.AF_INET6 else '4'} "
                                  f"{'[' + host + ']' if fam == socket.AF_INET6 else host}:{pp.local}: "
                                  f"bind: {_errno_text(e)}")
                    continue
                if pp.local == 0:
                    pp.local = srv.server_address[1]
                made.append((fam, host, srv))
            if not made:
                for s in self.servers:
                    s.server_close()
                self.err(f"Unable to listen on port {pp.local}: Listeners failed to create with the following errors: "
                         f"[{' '.join(errors)}]\n")
                raise CliError(f"unable to listen on any of the requested ports: [{{{pp.local} {pp.container}}}]")
            for fam, host, srv in made:
                shown = f"[{host}]" if fam == socket.AF_INET6 else host
                self.out(f"Forwarding from {shown}:{pp.local} -> {pp.container}\n")
                self.servers.append(srv)
                threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def _server(self, fam, host, pp: PortPair):
        fwd = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                fwd.out(f"Handling connection for {pp.local}\n")
                try:
                    req = _read_request(self.request)
                except OSError:
                    return
                if req is None:
                    return
                method, path, headers = req
                resp = fwd.answer(pp, method, path, headers.get("host", ""))
                if resp is None:
                    fwd.on_lost(pp)
                    return
                if resp is False:          # answered, but not with HTTP we can give back
                    return
                try:
                    self.request.sendall(response_bytes(resp, method))
                except OSError:
                    pass

        class Server(socketserver.ThreadingTCPServer):
            address_family = fam
            allow_reuse_address = False
            daemon_threads = True

        if pp.local == 0 and self.servers and fam == socket.AF_INET6:
            pass
        return Server((host, pp.local), Handler)

    def stop(self) -> None:
        for s in self.servers:
            s.shutdown()
            s.server_close()


def _errno_text(e: OSError) -> str:
    if e.errno == errno.EADDRINUSE:
        return "address already in use"
    if e.errno == errno.EADDRNOTAVAIL:
        return "cannot assign requested address"
    if e.errno == errno.EACCES:
        return "permission denied"
    return e.strerror or str(e)


def refused_message(pod: dict, port: int) -> str:
    """What the kubelet (containerd's CRI port-forward) writes on the error stream when nothing in
    the pod listens on `port`; kubectl prints it after "an error occurred forwarding L -> P: "."""
    uid = pod["metadata"].get("uid", "")
    sandbox = hashlib.sha256(uid.encode()).hexdigest()
    netns = "cni-" + "-".join(hashlib.md5(uid.encode()).hexdigest()[i:j] for i, j in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32)))
    p = port
    return (f"error forwarding port {p} to pod {sandbox}, uid : failed to execute portforward in "
            f'network namespace "/var/run/netns/{netns}": failed to connect to localhost:{p} inside namespace '
            f'"{sandbox}", IPv4: dial tcp4 127.0.0.1:{p}: connect: connection refused IPv6 dial tcp6 [::1]:{p}: '
            f"connect: connection refused ")


def lost_message(pod: dict, pp: PortPair, now: float, pid: int) -> str:
    """What kubectl's portforward.go logs when the pod refuses the forwarded connection."""
    t = datetime.fromtimestamp(now, timezone.utc)
    stamp = f"E{t.strftime('%m%d %H:%M:%S')}.{t.microsecond:06d}"
    err = refused_message(pod, pp.container).replace('"', '\\"')
    return (f'{stamp} {pid:7d} portforward.go:424] "Unhandled Error" err="an error occurred forwarding '
            f'{pp.local} -> {pp.container}: {err}"\n')


__all__ = ["parse_ports", "resolve", "Forwarder", "PortPair", "lost_message", "refused_message", "response_bytes",
           "ApiError"]
