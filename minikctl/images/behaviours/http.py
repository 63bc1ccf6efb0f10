"""What each modelled server answers to one HTTP request: the real programs' outputs.

Sources: agnhost netexec.go / serve_hostname.go (kubernetes test/images), the echoserver's
nginx+lua template (1.4-1.8: CLIENT VALUES; 1.9+: Hostname/Pod Information), hashicorp/http-echo
(`-text` plus a newline), traefik/whoami (Hostname, IP, RemoteAddr, then the request), the
liveness test image (/healthz 200 "ok" for 10 s, then 500 "error: <seconds>"), Apache httpd's
default page, Go's net/http defaults (Date, Content-Length, sniffed Content-Type).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit
from minikctl import lazy

ExecContext = lazy.function("minikctl.images.context", "ExecContext")
HTTPStatus = lazy.function("http", "HTTPStatus")
Response = lazy.function("minikctl.net.proxy.traffic", "Response")
flag_value = lazy.function("minikctl.images.behaviours", "flag_value")
files = lazy.module("minikctl.images.fs")
imageref = lazy.module("minikctl.api.imageref")
image_registry = lazy.module("minikctl.images.registry")
nx = lazy.module("minikctl.images.behaviours.netexec")
sim_registry = lazy.module("minikctl.sim.registry")
timeutil = lazy.module("minikctl.timeutil")
traffic = lazy.module("minikctl.net.proxy.traffic")


@dataclass
class Request:
    view: object
    pod: dict
    container: dict
    proc: object                      # behaviours.Process
    port: int
    path: str                         # with the query string
    method: str = "GET"
    client_ip: str = "-"
    client_port: int = 0
    headers: dict = field(default_factory=dict)   # lower-case name -> value, as the client sent them
    body: str = ""                                # the request body (curl -d / -F)
    files: dict = field(default_factory=dict)     # multipart form fields: name -> (filename, content)

    @property
    def url_path(self) -> str:
        return urlsplit(self.path).path or "/"

    def query(self, name: str) -> str:
        return (parse_qs(urlsplit(self.path).query, keep_blank_values=True).get(name) or [""])[0]


def _resp(code, reason, body, headers):
    return Response(code, reason, body, headers)


def _date(view) -> str:
    return datetime.fromtimestamp(int(view.now), timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")


def go_text(req: Request, body: str, code: int = 200, reason: str = "OK") -> object:
    """A Go net/http reply: Date, Content-Length, and the sniffed Content-Type when there is a body."""
    headers = [("Date", _date(req.view)), ("Content-Length", str(len(body.encode())))]
    if body:
        sniff = "text/html; charset=utf-8" if body.lstrip().lower().startswith(("<!doctype html", "<html")) \
            else "text/plain; charset=utf-8"
        headers.append(("Content-Type", sniff))
    return _resp(code, reason, body, headers)


def hostname(pod: dict) -> str:
    return ((pod.get("spec") or {}).get("hostname") or pod["metadata"]["name"])[:63]


def _started(req: Request) -> float:
    for cs in (req.pod.get("status") or {}).get("containerStatuses") or []:
        if cs.get("name") == req.container.get("name"):
            t = timeutil.parse(((cs.get("state") or {}).get("running") or {}).get("startedAt"))
            if t is not None:
                return t
    return req.view.now


def _go_now(req: Request) -> str:
    """time.Now()'s %v: wall clock in UTC with nanoseconds, then the monotonic reading m=+secs."""
    now = req.view.now
    wall = datetime.fromtimestamp(now, timezone.utc)
    nanos = int(round((now - int(now)) * 1e9))
    mono = max(0.0, now - _started(req))
    return f"{wall.strftime('%Y-%m-%d %H:%M:%S')}.{nanos:09d} +0000 UTC m=+{mono:.9f}"


# --- the servers ---------------------------------------------------------------------------------

def httpd(req: Request):
    if req.url_path in ("/", "/index.html"):
        body = "<html><body><h1>It works!</h1></body></html>\n"
        return _resp(200, "OK", body, [("Date", _date(req.view)), ("Server", "Apache/2.4.62 (Unix)"),
                                       ("Last-Modified", "Mon, 11 Jun 2007 18:53:14 GMT"),
                                       ("ETag", '"2d-432a5e4a73a80"'), ("Accept-Ranges", "bytes"),
                                       ("Content-Length", str(len(body))), ("Content-Type", "text/html")])
    body = ('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>404 Not Found</title>\n'
            "</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n"
            "</body></html>\n")
    return _resp(404, "Not Found", body, [("Date", _date(req.view)), ("Server", "Apache/2.4.62 (Unix)"),
                                          ("Content-Length", str(len(body))),
                                          ("Content-Type", "text/html; charset=iso-8859-1")])


def serve_hostname(req: Request):
    return go_text(req, hostname(req.pod))


def netexec(req: Request):
    p = req.url_path
    if p in ("/hostname", "/hostName"):
        return go_text(req, hostname(req.pod))
    if p == "/clientip":
        return go_text(req, f"{req.client_ip}:{req.client_port}")
    if p == "/healthz":               # ready once the UDP server started: never with --udp-port=-1
        if int((req.proc.ports or {}).get("udp", 8081)) == -1:
            return go_text(req, "", 412, "Precondition Failed")
        return go_text(req, "")
    if p == "/echo":
        code = req.query("code")
        if code:
            if not code.lstrip("-").isdigit():
                return go_text(req, f"argument 'code' must be an integer or empty, got \"{code}\"\n")
            try:
                reason = HTTPStatus(int(code)).phrase
            except ValueError:
                reason = ""
            return go_text(req, req.query("msg"), int(code), reason)
        return go_text(req, req.query("msg"))
    if p == "/shell":
        cmd = req.query("shellCommand") or req.query("cmd")
        return go_text(req, _go_json(_shell(req, cmd)))
    if p in ("/dial", "/redirect", "/exit", "/upload"):
        return {"/dial": nx.dial, "/redirect": nx.redirect, "/exit": nx.exit_, "/upload": nx.upload}[p](req)
    if p == "/shutdown":
        req.path = "/exit?code=0"
        return nx.exit_(req)
    return go_text(req, f"NOW: {_go_now(req)}")


def _shell(req: Request, cmd: str) -> dict:
    """/shell runs `sh -c cmd` in the container and returns its combined output (and error)."""
    ctx = ExecContext(view=req.view, pod=req.pod, container=req.container.get("name"),
                      node=(req.pod.get("spec") or {}).get("nodeName"))
    try:
        out, err, code = image_registry.run(ctx, ["/bin/sh", "-c", cmd])
    except Exception:
        return {"error": 'exec: "/bin/sh": executable file not found in $PATH'}
    res = {}
    if out + err:
        res["output"] = out + err
    if code:
        res["error"] = f"exit status {code}"
    return res


def _go_json(obj) -> str:
    """encoding/json: keys sorted, no spaces, <>& escaped as \\u003c \\u003e \\u0026."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def http_echo(req: Request):
    text = flag_value(req.proc.args, "text") or ""
    body = text + "\n"
    return _resp(200, "OK", body, [("X-App-Name", "http-echo"), ("X-App-Version", "1.0.0"),
                                   ("Date", _date(req.view)), ("Content-Length", str(len(body.encode()))),
                                   ("Content-Type", "text/plain; charset=utf-8")])


def _request_lines(req: Request, sep: str, fmt) -> list[str]:
    return [fmt(k, v) for k, v in sorted(req.headers.items())]


def whoami(req: Request):
    ip = (req.pod.get("status") or {}).get("podIP") or ""
    lines = [f"Hostname: {hostname(req.pod)}", "IP: 127.0.0.1", "IP: ::1", f"IP: {ip}",
             f"RemoteAddr: {req.client_ip}:{req.client_port}", f"{req.method} {req.path} HTTP/1.1"]
    lines += [f"{'-'.join(w.capitalize() for w in k.split('-'))}: {v}" for k, v in sorted(req.headers.items())]
    body = "\r\n".join(lines[5:]) + "\r\n\r\n"
    body = "\n".join(lines[:5]) + "\n" + body
    return go_text(req, body)


def echoserver(req: Request):
    _, _, tag, _ = sim_registry.parse(req.container.get("image") or "")
    version = imageref.version(tag)
    host = req.headers.get("host", "").rsplit(":", 1)[0] if not req.headers.get("host", "").endswith("]") \
        else req.headers.get("host", "")           # nginx's $host: the Host header without its port
    query = urlsplit(req.path).query
    if version and version < (1, 9):
        lines = ["CLIENT VALUES:", f"client_address={req.client_ip}", f"command={req.method}",
                 f"real path={req.url_path}", f"query={query or 'nil'}", "request_version=1.1",
                 f"request_uri=http://{host}:{req.port}{req.path}", "", "SERVER VALUES:",
                 "server_version=nginx: 1.10.0 - lua: 10001", "", "HEADERS RECEIVED:"]
        lines += [f"{k}={v}" for k, v in sorted(req.headers.items())]
        lines += ["BODY:", "-no body in request-"]
        body = "\n".join(lines)
    else:
        lines = ["", "", f"Hostname: {hostname(req.pod)}", "", "Pod Information:",
                 "\t-no pod information available-", "", "Server values:",
                 "\tserver_version=nginx: 1.13.3 - lua: 10008", "", "Request Information:",
                 f"\tclient_address={req.client_ip}", f"\tmethod={req.method}", f"\treal path={req.url_path}",
                 f"\tquery={query}", "\trequest_version=1.1", "\trequest_scheme=http",
                 f"\trequest_uri=http://{host}:{req.port}{req.path}", "", "Request Headers:"]
        lines += [f"\t{k}={v}" for k, v in sorted(req.headers.items())]
        lines += ["", "Request Body:", "\t-no body in request-", "", ""]
        body = "\n".join(lines)
    return _resp(200, "OK", body, [("Server", "nginx/1.10.0" if version and version < (1, 9) else "echoserver"),
                                   ("Date", _date(req.view)), ("Content-Type", "text/plain"),
                                   ("Transfer-Encoding", "chunked"), ("Connection", "keep-alive")])


def liveness(req: Request):
    if req.url_path != "/healthz":
        return go_text(req, "404 page not found\n", 404, "Not Found")
    up = req.view.now - _started(req)
    if up > 10:
        return go_text(req, f"error: {up:g}", 500, "Internal Server Error")
    return go_text(req, "ok")


def metrics_server(req: Request):
    """metrics-server's secure port: its health checks answer `ok` to anyone (the probes); the
    API paths need an authenticated caller, as on any aggregated API server."""
    if req.url_path in ("/livez", "/readyz", "/healthz"):
        return go_text(req, "ok")
    body = _go_json({"apiVersion": "v1", "code": 403, "details": {}, "kind": "Status", "metadata": {},
                     "message": f'forbidden: User "system:anonymous" cannot get path "{req.url_path}"',
                     "reason": "Forbidden", "status": "Failure"})
    return go_text(req, body + "\n", 403, "Forbidden")


NGINX_ROOT = "/usr/share/nginx/html"
NGINX_403 = ("<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n"
             "<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx/{v}</center>\r\n</body>\r\n</html>\r\n")
NGINX_TYPES = {"html": "text/html", "htm": "text/html", "txt": "text/plain", "css": "text/css",
               "js": "application/javascript", "json": "application/json", "xml": "text/xml"}


def nginx(req: Request):
    """nginx's default server: files under /usr/share/nginx/html as the container sees them (the
    image's welcome page, a ConfigMap or volume mounted there, what `exec` wrote), index.html for
    a directory, 403 for a directory without one, 404 for the rest."""
    image = req.container.get("image") or ""
    try:
        fs = files.container_fs(req.view, req.pod, req.container.get("name"))
    except Exception:
        fs = None
    if fs is None or fs.kind(NGINX_ROOT) is None:
        return traffic._nginx(req.view, image, req.url_path)      # an image whose files are not modelled
    path = files._norm(NGINX_ROOT + "/" + req.url_path.lstrip("/"))
    if fs.kind(path) == "dir":
        path = path.rstrip("/") + "/index.html"
        if fs.kind(path) is None:
            resp = traffic._nginx(req.view, image, "/-")
            version = dict(resp.headers).get("Server", "nginx/").split("/", 1)[1]
            body = NGINX_403.format(v=version)
            return _resp(403, "Forbidden", body, [("Server", f"nginx/{version}"), ("Date", _date(req.view)),
                                                  ("Content-Type", "text/html"), ("Content-Length", str(len(body))),
                                                  ("Connection", "keep-alive")])
    text = fs.read(path) if path.startswith(NGINX_ROOT) else None
    if text is None:
        return traffic._nginx(req.view, image, "/-")              # nginx's 404 page
    resp = traffic._nginx(req.view, image, "/")
    size = len(text.encode())
    ctype = NGINX_TYPES.get(path.rsplit(".", 1)[-1], "application/octet-stream")
    headers = [(k, v) for k, v in resp.headers if k not in ("Content-Length", "ETag", "Content-Type")]
    headers.insert(2, ("Content-Type", ctype))
    headers.insert(3, ("Content-Length", str(size)))
    headers.append(("ETag", f'"6745ef54-{size:x}"'))
    resp.body, resp.headers = text, headers
    return resp


HANDLERS = {"nginx": nginx, "httpd": httpd, "serve_hostname": serve_hostname, "netexec": netexec,
            "http_echo": http_echo, "whoami": whoami, "echoserver": echoserver, "liveness": liveness,
            "metrics_server": metrics_server}
