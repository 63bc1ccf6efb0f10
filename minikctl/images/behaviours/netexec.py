"""agnhost netexec's endpoints beyond the simple ones (test/images/agnhost/netexec/netexec.go):
/dial (connections made from the netexec pod, answered as JSON {"errors": [...], "responses":
[...]}), /redirect, /exit (the container's process exits with the code asked, through the
kubelet's exit timer), /upload (a multipart `file` written under /uploads), and the UDP server
(`hostname`, `echo <msg>`, `clientip`) that `/dial?protocol=udp` and `nc -u` talk to.

Simplification, stated: time does not pass while a request is served (a dial that would wait
for its 5 s timeout answers at once with the timeout's error; /exit's `wait` delays the exit in
simulated time, not the reply).
"""
from __future__ import annotations

import hashlib
import html
import re
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from minikctl import lazy

_date = lazy.function("minikctl.images.behaviours.http", "_date")
_go_json = lazy.function("minikctl.images.behaviours.http", "_go_json")
_resp = lazy.function("minikctl.images.behaviours.http", "_resp")
balancer = lazy.module("minikctl.net.proxy.balancer")
behaviours = lazy.module("minikctl.images.behaviours")
files = lazy.module("minikctl.images.fs")
go_text = lazy.function("minikctl.images.behaviours.http", "go_text")
hostname = lazy.function("minikctl.images.behaviours.http", "hostname")
pod_resolv_conf = lazy.function("minikctl.net.dns.resolver", "pod_resolv_conf")
policy = lazy.module("minikctl.net.policy")
record_access = lazy.function("minikctl.images.logs", "record_access")
traffic = lazy.module("minikctl.net.proxy.traffic")

DIAL_TIMEOUT = "(Client.Timeout exceeded while awaiting headers)"


def _q(req, name: str) -> str:
    return (parse_qs(urlsplit(req.path).query, keep_blank_values=True).get(name) or [""])[0]


def _http_error(req, text: str, code: int, reason: str):
    """Go's http.Error: the text and a newline, nosniff, text/plain."""
    body = text + "\n"
    return _resp(code, reason, body, [("Content-Type", "text/plain; charset=utf-8"),
                                      ("X-Content-Type-Options", "nosniff"), ("Date", _date(req.view)),
                                      ("Content-Length", str(len(body.encode())))])


def _lport(*parts) -> int:
    return 32768 + int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:2], "big") % 28000


def dial(req):
    host, port, request = _q(req, "host"), _q(req, "port"), _q(req, "request")
    protocol, tries_s = _q(req, "protocol"), _q(req, "tries")
    tries = 1
    if tries_s:
        if not re.fullmatch(r"[+-]?\d+", tries_s):
            return _http_error(req, f'tries parameter is invalid. strconv.Atoi: parsing "{tries_s}": invalid syntax',
                               400, "Bad Request")
        tries = int(tries_s)
    if not request:
        return _http_error(req, "request parameter not specified. <nil>", 400, "Bad Request")
    proto = protocol.lower()
    if proto not in ("", "http", "udp", "sctp"):
        return _http_error(req, f"unsupported protocol. {protocol}", 400, "Bad Request")
    if proto == "sctp":
        return traffic.NotSimulated("minikctl: agnhost netexec's /dial over SCTP is not simulated")
    if port and not port.isdigit():
        net = "udp" if proto == "udp" else "tcp"
        return _http_error(req, f"host and/or port param are invalid. lookup {net}/{port}: unknown port",
                           400, "Bad Request")
    got = traffic.resolve(req.view, req.pod, host) if host else (["0.0.0.0"], None)
    if not got or not got[0]:
        servers = pod_resolv_conf(req.view, req.pod).nameservers
        where = f" on {servers[0]}:53" if servers else ""
        return _http_error(req, f"host and/or port param are invalid. lookup {host}{where}: no such host",
                           400, "Bad Request")
    ip, p = got[0][0], int(port or 0)
    addr = f"[{ip}]:{p}" if ":" in ip else f"{ip}:{p}"
    responses, errors, last = [], [], ""
    for i in range(max(tries, 0)):
        if proto == "udp":
            status, text = datagram(req.view, req.pod, ip, p, request)
            src = f"{(req.pod.get('status') or {}).get('podIP')}:{_lport(addr, request, i)}"
            if status == "ok":
                resp, err = text, None
            elif status == "not simulated":
                return traffic.NotSimulated(text)
            else:
                why = "read: connection refused" if status == "refused" else "i/o timeout"
                resp, err = "", f"reading from udp connection failed. err:'read udp {src}->{addr}: {why}'"
        else:
            url = f"http://{addr}/{request}"
            o = traffic.connect(req.view, req.pod, ip, p, "/" + request, agent="Go-http-client/1.1")
            if o.status == "not simulated":
                return traffic.NotSimulated(o.note or "minikctl: this connection is not simulated")
            if o.status == "ok":
                resp, err = o.response.body, None
            elif o.status == "refused":
                resp, err = "", f'Get "{url}": dial tcp {addr}: connect: connection refused'
            elif o.status == "not http":
                resp, err = "", f'Get "{url}": EOF'
            else:
                resp, err = "", f'Get "{url}": dial tcp {addr}: i/o timeout {DIAL_TIMEOUT}'
        last = resp
        if err is None:
            responses.append(resp)
        else:
            errors.append(err)
    out = {}
    if last:
        out["responses"] = responses
    if errors:
        out["errors"] = errors
    return go_text(req, _go_json(out))


def redirect(req):
    """http.Redirect: Location, and for GET/HEAD a short HTML body naming the target."""
    location, code_s = _q(req, "location"), _q(req, "code")
    code = 302
    if code_s:
        if not re.fullmatch(r"[+-]?\d+", code_s):
            return go_text(req, f'argument \'code\' must be an integer or empty, got "{code_s}"\n')
        code = int(code_s)
    try:
        reason = HTTPStatus(code).phrase
    except ValueError:
        reason = ""
    if not urlsplit(location).scheme and not location.startswith("/"):
        base = req.url_path.rsplit("/", 1)[0]
        location = base + "/" + location
    headers = [("Location", location)]
    body = ""
    if req.method in ("GET", "HEAD"):
        body = f'<a href="{html.escape(location)}">{reason}</a>.\n\n'
        headers.insert(0, ("Content-Type", "text/html; charset=utf-8"))
    headers += [("Date", _date(req.view)), ("Content-Length", str(len(body.encode())))]
    return _resp(code, reason, body, headers)


_DUR = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def go_duration(text: str) -> float | None:
    """time.ParseDuration in seconds; None when Go would refuse it."""
    s = text
    sign = -1 if s.startswith("-") else 1
    s = s.lstrip("+-")
    if s == "0":
        return 0.0
    if not s:
        return None
    pos, total = 0, 0.0
    for m in _DUR.finditer(s):
        if m.start() != pos:
            return None
        total += float(m.group(1)) * _UNIT[m.group(2)]
        pos = m.end()
    return sign * total if pos == len(s) else None


def go_duration_text(secs: float) -> str:
    """time.Duration's String for the durations /exit takes: 0s, 1.5s, 2m0s, 1h0m0s, 500ms."""
    if secs == 0:
        return "0s"
    if abs(secs) < 1:
        ms = secs * 1000
        return f"{ms:g}ms" if ms >= 1 else f"{secs * 1e6:g}µs"
    h, rest = divmod(secs, 3600)
    m, sec = divmod(rest, 60)
    text = f"{sec:.9f}".rstrip("0").rstrip(".") + "s"
    if h:
        return f"{int(h)}h{int(m)}m{text}"
    if m:
        return f"{int(m)}m{text}"
    return text


def exit_(req):
    """/exit?code=N&timeout=D&wait=D: the process ends with N. With no timeout it exits at once
    (the client's connection closes unanswered); with one it shuts down gracefully after
    answering 200."""
    wait_s, timeout_s, code_s = _q(req, "wait"), _q(req, "timeout"), _q(req, "code")
    timeout = go_duration(timeout_s) if timeout_s else 0.0
    if timeout is None:
        return go_text(req, f"argument 'timeout' must be a valid golang duration or empty, got \"{timeout_s}\"\n")
    wait = go_duration(wait_s) if wait_s else 0.0
    if wait is None:
        return go_text(req, f"argument 'wait' must be a valid golang duration or empty, got \"{wait_s}\"\n")
    if code_s and not re.fullmatch(r"[+-]?\d+", code_s):
        return go_text(req, f"argument 'code' must be an integer [0-127] or empty, got \"{code_s}\"\n")
    code = int(code_s or 0) & 0xFF
    view = req.view
    if not hasattr(view, "schedule"):
        return traffic.NotSimulated("minikctl: agnhost netexec's /exit from a read-only view is not simulated")
    cs = next((s for s in (req.pod.get("status") or {}).get("containerStatuses") or []
               if s.get("name") == req.container.get("name")), {})
    view.schedule(view.now + max(wait, 0.0) + 0.01, "container-exit",
                  {"namespace": req.pod["metadata"]["namespace"], "name": req.pod["metadata"]["name"],
                   "uid": req.pod["metadata"].get("uid"), "container": req.container.get("name"),
                   "cid": cs.get("containerID"), "exitCode": code})
    if timeout and timeout > 0:
        return go_text(req, "")
    # its log lines, though no reply goes out
    record_access(view, req.pod, req.client_ip, method=req.method, path=req.path, status=0, size=0,
                  agent=req.headers.get("user-agent", "-"), port=req.port, client_port=req.client_port)
    return traffic.NOT_HTTP                 # os.Exit: the connection closes with no reply


def upload(req):
    """A multipart field `file` written to /uploads/upload<digits> (0700); its name as output."""
    got = (req.files or {}).get("file")
    if not got or got[0] is None:
        return go_text(req, _go_json({"error": "Unable to upload file."}))
    try:
        fs = files.container_fs(req.view, req.pod, req.container.get("name"))
    except Exception:
        fs = None
    name = f"/uploads/upload{_lport(req.view.now, got[0], len(got[1])) * 30011 % 10**10:010d}"
    if fs is None or fs.kind("/uploads") != "dir" or fs.write(name, got[1]):
        return go_text(req, _go_json({"error": "Unable to open file for write"}))
    fs.chmod_exec(name)
    resp = go_text(req, _go_json({"output": name}))
    resp.code, resp.reason = 201, "Created"
    return resp


# --- UDP -----------------------------------------------------------------------------------------

def udp_listeners(pod: dict) -> dict[int, tuple[str, dict]]:
    """UDP port -> (server kind, container) for the pod's processes that read datagrams."""
    out = {}
    for c in (pod.get("spec") or {}).get("containers") or []:
        proc = behaviours.process(c)
        if proc.kind != "server":
            continue
        if proc.server == "netexec":
            port = int(proc.ports.get("udp", 8081))
            if port != -1:
                out[port] = ("netexec", c)
        elif proc.server == "serve_hostname" and "--udp" in proc.args:
            out[int(proc.ports.get("http", 9376))] = ("serve_hostname", c)
    return out


def answer_datagram(pod: dict, kind: str, text: str, client: str) -> str | None:
    """What the server sends back for one datagram (None: no reply)."""
    if kind == "serve_hostname":
        return hostname(pod)
    t = text.strip().lower()
    if t == "hostname":
        return hostname(pod)
    if t.startswith("echo "):
        return t.split(" ", 1)[1]
    if t == "clientip":
        return client
    return None


def datagram(view, src, host: str, port: int, text: str) -> tuple[str, str]:
    """One datagram from `src` (a pod or a node) to host:port and the reply: ('ok', reply),
    ('timeout', '') for silence (nothing answers, dropped, or the server ignores it), ('refused', '')
    for an ICMP port unreachable, ('bad address', ''), ('not simulated', why)."""
    got = traffic.resolve(view, src, host)
    if not got or not got[0]:
        return "bad address", ""
    ip = got[0][0]
    client_ip, client_node, is_pod, _ = traffic.client_of(view, src)
    pk = balancer.pick(view, ip, port, "UDP", client_ip=client_ip, client_node=client_node,
                       client_is_pod=is_pod)
    if pk.result in ("refused", "timeout"):
        return pk.result, ""
    backend = pk.pod
    if backend is None:
        return "timeout", ""
    target = pk.endpoint.port if pk.endpoint else port
    if policy.any_policies(view) and not policy.check(view, src, pk.endpoint.ip if pk.endpoint else ip, target,
                                                      "UDP", dst_pod=backend).allowed:
        return "timeout", ""
    if (backend.get("status") or {}).get("phase") != "Running":
        return "timeout", ""
    listener = udp_listeners(backend).get(target)
    if listener is None:
        c = behaviours.declared_unmodelled(backend, target)
        if c is not None:
            return "not simulated", behaviours.NOT_SIMULATED.format(image=c.get("image"))
        if target == 53 and any("coredns" in (k.get("image") or "") for k in backend["spec"].get("containers") or []):
            return "not simulated", "minikctl: a text datagram to CoreDNS is not simulated"
        return "refused", ""
    kind, _ = listener
    reply = answer_datagram(backend, kind, text, f"{client_ip}:{_lport(client_ip, ip, port, text)}")
    return ("ok", reply) if reply is not None else ("timeout", "")
