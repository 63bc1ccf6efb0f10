"""A connection from a pod (or a node) to host:port, end to end, and what answers it.

1. Resolve the name the way the client would, with the stub resolver nslookup uses
   (`minikctl.net.dns.resolver`): a pod walks its resolv.conf search list against cluster DNS,
   a node only asks its upstream resolver (the profile's `upstream`), so `curl web-server-svc`
   from a node fails as it really does, and so does every name once CoreDNS is scaled to zero.
   The first address DNS gave is used (for a headless name that is one pod, in CoreDNS's
   shuffled order).
2. Route: a VIP or NodePort goes through `balancer.pick` (kube-proxy's choice); a pod IP goes
   straight to the pod, on the port as typed (no targetPort translation without kube-proxy).
3. Serve: what the backend's image listens on (`serve`). Nothing listening => refused.

ExternalName: DNS hands back the CNAME target's addresses, the client connects there and sends
`Host: <the name it typed>`, which the upstream does not know: it answers 404 for that Host,
and `Outcome.note` carries the Kubernetes docs' warning for the CLI to show.
"""
from __future__ import annotations

import ipaddress
import re
from collections import Counter
from dataclasses import dataclass, field

from minikctl.api import imageref
from minikctl.net.proxy import balancer
from minikctl.net.proxy import rules as R
from datetime import datetime, timezone
from minikctl import lazy

Dns = lazy.function("minikctl.net.dns.resolver", "Dns")
ServerCert = lazy.function("minikctl.net.tls", "ServerCert")
behaviours = lazy.module("minikctl.images.behaviours")
gateway = lazy.module("minikctl.net.gateway")
healthcheck = lazy.module("minikctl.net.proxy.healthcheck")
http = lazy.module("minikctl.images.behaviours.http")
ingress_nginx = lazy.module("minikctl.net.ingress_nginx")
internet = lazy.module("minikctl.net.internet")
listener_cert = lazy.function("minikctl.net.tls", "listener_cert")
node_mode = lazy.function("minikctl.net.proxy.mode", "node_mode")
pod_resolv_conf = lazy.function("minikctl.net.dns.resolver", "pod_resolv_conf")
policy = lazy.module("minikctl.net.policy")
record_access = lazy.function("minikctl.images.logs", "record_access")
records = lazy.module("minikctl.net.dns.records")
search_walk = lazy.function("minikctl.net.dns.resolver", "search_walk")

EXTERNALNAME_WARNING = (
    "You may have trouble using ExternalName for some common protocols, including HTTP and "
    "HTTPS. If you use ExternalName then the hostname used by clients inside your cluster is "
    "different from the name that the ExternalName references. For protocols that use "
    "hostnames this difference may lead to errors or unexpected responses. HTTP requests will "
    "have a Host: header that the origin server does not recognize; TLS servers will not be "
    "able to provide a certificate matching the hostname that the client connected to.")

NGINX_INDEX = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""
NGINX_DEFAULT_VERSION = "1.27.3"


@dataclass
class Response:
    code: int
    reason: str
    body: str
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def status_line(self) -> str:
        return f"HTTP/1.1 {self.code} {self.reason}"


@dataclass
class Outcome:
    status: str                    # 'ok' | 'refused' | 'timeout' | 'bad address'
    host: str                      # as typed
    port: int
    ip: str | None = None          # the address connected to
    pod: dict | None = None        # the pod that answered
    via: str = ""
    response: Response | None = None
    note: str | None = None
    cname: str | None = None
    backend: str | None = None     # the endpoint "ip:port" kube-proxy DNATed to, if any
    cert: object | None = None     # the certificate a TLS listener presented (net/tls.ServerCert)
    policy: object | None = None   # the NetworkPolicy verdict (net/policy.Verdict) when policies exist

    @property
    def pod_name(self) -> str | None:
        return self.pod["metadata"]["name"] if self.pod else None

    @property
    def label(self) -> str:
        """What answered, as the traffic chart counts it: the pod (with an HTTP error code), the
        outside address, or the failure in parentheses."""
        if self.status != "ok":
            return f"({self.status})"
        name = self.pod_name or (self.backend.rsplit(":", 1)[0] if self.backend else self.ip)
        if self.response is not None and self.response.code >= 400:
            return f"{name} (HTTP {self.response.code})"
        return name


# --- who is the client ---------------------------------------------------------------------

def client_of(view, src) -> tuple[str | None, str | None, bool, dict | None]:
    """(client IP, client node, is a pod, pod) for a pod dict or a node name."""
    if isinstance(src, dict):
        st, spec = src.get("status") or {}, src.get("spec") or {}
        host_net = bool(spec.get("hostNetwork"))
        node = spec.get("nodeName")
        ip = R.node_ip(view, node) if host_net and node else st.get("podIP")
        return ip, node, not host_net, src
    return R.node_ip(view, src), src, False, None


# --- name resolution (the one place that talks to the DNS model) ---------------------------

def _is_ip(s: str) -> bool:
    try:
        ipaddress.ip_address(s)
        return True
    except ValueError:
        return False


def resolve(view, src, name: str) -> tuple[list[str], str | None] | None:
    """Addresses for `name` as the client's stub resolver finds them, plus the CNAME followed.

    The same resolv.conf, search walk and servers as nslookup in a pod (net/dns/resolver.py): a
    pod with dnsPolicy ClusterFirst asks CoreDNS (so scaling it to zero breaks names here too), a
    node or a Default-policy pod asks the profile's upstream resolver.
    """
    if _is_ip(name):
        return [name], None
    pod = src if isinstance(src, dict) else None
    lookup = search_walk(Dns(view, pod), pod_resolv_conf(view, pod), name)
    if not lookup.ok:
        return None
    ans = lookup.final.answer
    cnames = ans.records(records.T_CNAME)
    return [str(rr.rdata) for rr in ans.records(records.T_A)], (str(cnames[0].rdata).rstrip(".") if cnames else None)


# --- what a backend serves -------------------------------------------------------------------

def _flag(args: list[str], name: str, default: str) -> str:
    for i, a in enumerate(args):
        if a.startswith(f"--{name}=") or a.startswith(f"-{name}="):
            return a.split("=", 1)[1]
        if a in (f"--{name}", f"-{name}") and i + 1 < len(args):
            return args[i + 1]
    return default


def _hostname(pod: dict) -> str:
    return (pod.get("spec") or {}).get("hostname") or pod["metadata"]["name"][:63]


def _http_date(now: float) -> str:
    return datetime.fromtimestamp(int(now), timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")


def _nginx(view, image: str, path: str) -> Response:
    tag = imageref.tag(image)
    version = tag.split("-")[0] if re.fullmatch(r"\d+\.\d+\.\d+(-.*)?", tag) else NGINX_DEFAULT_VERSION
    headers = [("Server", f"nginx/{version}"), ("Date", _http_date(view.now))]
    if path in ("/", "/index.html"):
        body = NGINX_INDEX
        return Response(200, "OK", body, headers + [
            ("Content-Type", "text/html"), ("Content-Length", str(len(body.encode()))),
            ("Last-Modified", "Tue, 26 Nov 2024 15:55:00 GMT"), ("Connection", "keep-alive"),
            ("ETag", f'"6745ef54-{len(body.encode()):x}"'), ("Accept-Ranges", "bytes")])
    body = ("<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
            "<center><h1>404 Not Found</h1></center>\r\n"
            f"<hr><center>nginx/{version}</center>\r\n</body>\r\n</html>\r\n")
    return Response(404, "Not Found", body, headers + [
        ("Content-Type", "text/html"), ("Content-Length", str(len(body))), ("Connection", "keep-alive")])


def _text(view, body: str, ctype: str = "text/plain; charset=utf-8") -> Response:
    return Response(200, "OK", body, [("Date", _http_date(view.now)), ("Content-Length", str(len(body))),
                                      ("Content-Type", ctype)])


class NotSimulated(str):
    """serve()'s answer when the process behind the port is one minikctl does not model."""


NOT_HTTP = "not http"      # serve()'s answer for a plain TCP server (redis, postgres...) asked HTTP


def _controller_http(view, pod: dict, c: dict, kind: str, port: int, path: str, host: str, method: str,
                     https: bool = False):
    """The HTTP servers that are cluster components rather than workloads: the ingress-nginx
    controller, NGINX Gateway Fabric's nginx (routing to other pods) and hello-app."""
    image = c.get("image") or ""
    if kind == "ingress_nginx":
        return ingress_nginx.serve(view, pod, host, path, https=https, tls_port=port == 443)
    if kind == "nginx" and "nginx-gateway-fabric/nginx" in image:
        return gateway.serve(view, pod, port, host, path, method)
    if kind == "nginx" and re.search(r"(^|/)nginxdemos/(nginx-)?hello(:|@|$)", image):
        return _nginx_hello(view, pod, image, port, path)
    if kind == "hello_app":
        v = imageref.version(imageref.tag(image)) or (1, 0)
        version = ".".join(str(x) for x in (list(v) + [0, 0, 0])[:3])
        return _text(view, f"Hello, world!\nVersion: {version}\nHostname: {_hostname(pod)}\n")
    return None


def _nginx_hello(view, pod: dict, image: str, port: int, uri: str):
    """nginxdemos/nginx-hello (8080) and nginxdemos/hello (80), tag plain-text: hello-plain-text.conf's
    `return 200 'Server address: $server_addr:$server_port\nServer name: $hostname\nDate:
    $time_local\nURI: $request_uri\nRequest ID: $request_id\n'` (expires -1). Their HTML page
    (the other tags) is not simulated."""
    if not imageref.tag(image).startswith("plain-text"):
        return NotSimulated(f"minikctl: the HTML page of {image} is not simulated (its plain-text tag is)")
    when = datetime.fromtimestamp(int(view.now), timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000")
    request_id = f"{view.rng.getrandbits(128):032x}"
    body = (f"Server address: {(pod.get('status') or {}).get('podIP', '')}:{port}\nServer name: {_hostname(pod)}\n"
            f"Date: {when}\nURI: {uri or '/'}\nRequest ID: {request_id}\n")
    return Response(200, "OK", body, [
        ("Server", f"nginx/{NGINX_DEFAULT_VERSION}"), ("Date", _http_date(view.now)), ("Content-Type", "text/plain"),
        ("Content-Length", str(len(body.encode()))), ("Connection", "keep-alive"),
        ("Expires", "Thu, 01 Jan 1970 00:00:01 GMT"), ("Cache-Control", "no-cache")])


NETEXEC_TLS = "minikctl: agnhost netexec over HTTPS (--tls-cert-file) is not simulated"


def serve(view, pod: dict, port: int, path: str = "/", host: str = "", *, client_ip: str = "-",
          client_port: int = 0, headers: dict | None = None, method: str = "GET", https: bool = False,
          body: str = "", files: dict | None = None):
    """The HTTP answer of `pod` on `port` (a Response); None when nothing listens there (refused);
    NOT_HTTP for a TCP server that is not HTTP; a NotSimulated message when the process there is
    not modelled (images/behaviours: the image's ENTRYPOINT/CMD and programs, as data)."""
    if (pod.get("status") or {}).get("phase") != "Running":
        return None
    got = behaviours.listeners(pod).get(port)
    if not got:
        c = behaviours.declared_unmodelled(pod, port)
        if c is not None:
            return NotSimulated(behaviours.NOT_SIMULATED.format(image=c.get("image")))
        return None
    kind, c, proc = got
    if kind == "tcp":
        return NOT_HTTP
    if kind == "netexec" and behaviours.flag_value(proc.args, "tls-cert-file"):
        # netexec then serves HTTPS with the container's certificate files (ListenAndServeTLS):
        # not modelled, and a plain-HTTP answer there would be a wrong one
        return NotSimulated(NETEXEC_TLS)
    routed = _controller_http(view, pod, c, kind, port, path, host, method, https)
    if routed is not None:
        return routed
    handler = http.HANDLERS.get(kind)
    if handler is None:
        return NotSimulated(behaviours.NOT_SIMULATED.format(image=c.get("image")))
    hdrs = dict(headers or {})
    hdrs.setdefault("host", host or "")
    req = http.Request(view=view, pod=pod, container=c, proc=proc, port=port, path=path or "/", method=method,
                       client_ip=client_ip, client_port=client_port, headers=hdrs, body=body,
                       files=dict(files or {}))
    resp = handler(req)
    if isinstance(resp, NotSimulated) or resp == NOT_HTTP:
        return resp
    if resp is None:
        return NotSimulated(f"minikctl: {path.split('?')[0]} of {c.get('image')} is not simulated")
    return resp


def _external(view, ip: str, port: int, host: str, path: str = "/") -> Response | None:
    """An Internet web server (net/internet.py, or a name the profile pins): it knows only its own
    names, so a request whose Host is another name (an ExternalName Service's) gets its 404."""
    recs = ((view.profile.get("upstream") or {}).get("records") or {})
    names = [n for n in recs if ip in ((recs[n] or {}).get("A") or [])] + internet.names_at(ip)
    if not names or port not in (80, 443):
        return None
    known = set(names) | {n for n in recs if (recs[n] or {}).get("CNAME") in names}
    hostname = host.split(":")[0].lower().rstrip(".")
    if hostname in known or host == ip:
        body = internet.page(hostname if hostname in known else names[0], path)
        r = _text(view, body, "text/html; charset=UTF-8")
        r.headers.insert(0, ("Server", "minikctl-simulated-internet"))
        return r
    body = "<!doctype html>\n<html><head><title>404 Not Found</title></head>" \
           "<body><h1>Not Found</h1></body></html>\n"
    r = _text(view, body, "text/html; charset=UTF-8")
    r.code, r.reason = 404, "Not Found"
    return r


# --- the connection ------------------------------------------------------------------------

def _dropped(view, src, out: Outcome, dst_ip: str, port: int, dst_pod: dict | None, explain: bool = False) -> bool:
    """NetworkPolicy, checked after DNAT on the backend's address and port. A dropped SYN is
    never answered: the client sees a timeout, never a refusal."""
    if not policy.any_policies(view):
        return False
    verdict = policy.check(view, src, dst_ip, port, "TCP", dst_pod=dst_pod, explain=explain)
    out.policy = verdict
    if verdict.allowed:
        return False
    out.status = "timeout"
    return True


def connect(view, src, host: str, port: int, path: str = "/", state: dict | None = None, *,
            agent: str | None = None, method: str = "GET", explain: bool = False,
            header_host: str | None = None, tls: bool = False, sni: str | None = None, body: str = "",
            files: dict | None = None, extra_headers: dict | None = None) -> Outcome:
    """Resolve, route and serve one new connection from `src` (a pod dict or a node name).

    With `agent` (the client's User-Agent) and a writable cluster as the view, the request lands
    in the serving pod's access log, so `kubectl logs` of an nginx pod shows who reached it."""
    if isinstance(src, dict) and not (src.get("spec") or {}).get("hostNetwork") and \
            (host in ("localhost", "127.0.0.1", "::1") or host == _hostname(src)):
        return _loopback(view, src, host, port, path, agent, method, body=body, files=files,
                         extra_headers=extra_headers)
    _, src_node, src_is_pod, _ = client_of(view, src)
    if not src_is_pod and src_node and host in ("localhost", "127.0.0.1"):
        return _node_loopback(view, src, src_node, host, port, path, state, agent=agent, method=method,
                              explain=explain, header_host=header_host)
    got = resolve(view, src, host)
    if not got:
        return Outcome("bad address", host, port)
    addrs, cname = got
    ip = addrs[0]
    node_answer = _node_server(view, src, host, ip, port, path, explain)
    if node_answer is not None:
        return node_answer
    note = None
    if cname and isinstance(src, dict):
        zone = view.profile.get("clusterDomain") or "cluster.local"
        if not cname.endswith(zone):
            note = EXTERNALNAME_WARNING
    client_ip, client_node, is_pod, _ = client_of(view, src)
    pk = balancer.pick(view, ip, port, "TCP", client_ip=client_ip, client_node=client_node,
                       client_is_pod=is_pod, state=state)
    out = Outcome("ok", host, port, ip=ip, via=pk.via, note=note, cname=cname)
    out.backend = pk.endpoint.addr if pk.endpoint else None
    if pk.result in ("refused", "timeout"):
        out.status = pk.result
        return out
    if pk.result == "unknown":
        if _dropped(view, src, out, ip, port, None, explain):
            return out
        resp = _external(view, ip, port, host, path)
        if resp is not None:
            if tls:
                out.cert = ServerCert(publicly_trusted=True, public_name=host)
            out.response = resp
            return out
        owner = balancer._node_owning(view, ip)
        out.status = "refused" if owner else "timeout"
        return out
    backend = pk.pod
    target_port = pk.endpoint.port if pk.endpoint else port
    if _dropped(view, src, out, pk.endpoint.ip if pk.endpoint else ip, target_port, backend, explain):
        return out
    if backend is None:
        if pk.endpoint and pk.endpoint.port == 6443:
            out.response = Response(400, "Bad Request", "Client sent an HTTP request to an HTTPS server.\n",
                                    [("Content-Type", "text/plain; charset=utf-8")])
            return out
        # a hand-written Endpoints address outside the pod network: DNAT goes there as is
        resp = _external(view, pk.endpoint.ip, pk.endpoint.port, host) if pk.endpoint else None
        if resp is not None:
            out.response = resp
            return out
        out.status = "refused"
        return out
    out.pod = backend
    seen_ip = client_ip or "-"
    if pk.via in ("node port", "loadbalancer IP", "external IP") and pk.node and \
            getattr(pk.service, "external_policy", "Cluster") != "Local":
        seen_ip = R.node_ip(view, pk.node) or seen_ip     # kube-proxy masquerades: SNAT to the node
    hdrs = {"host": header_host or (host if port == 80 else f"{host}:{port}"), "user-agent": agent or "Wget"}
    if (agent or "").startswith("curl"):
        hdrs["accept"] = "*/*"
    else:
        hdrs["connection"] = "close"
    hdrs.update(extra_headers or {})
    cport = 32768 + int.from_bytes(f"{seen_ip}{view.now}{path}".encode()[-8:], "big") % 28000
    if tls and (backend.get("status") or {}).get("phase") == "Running":
        out.cert = listener_cert(view, backend, target_port, sni or host)
        plain = serve(view, backend, target_port, path, host) if out.cert is None else None
        if isinstance(plain, NotSimulated):
            out.status, out.note = "not simulated", str(plain)
            return out
        if plain is not None:
            out.status = "not tls"          # a plain listener answers the ClientHello with garbage
            return out
    resp = serve(view, backend, target_port, path, header_host or host, client_ip=seen_ip, client_port=cport, headers=hdrs,
                 method=method, https=tls, body=body, files=files)
    if resp is None:
        out.status = "refused"
        return out
    if isinstance(resp, NotSimulated):
        out.status = "not simulated"
        out.note = str(resp)
        return out
    if resp == NOT_HTTP:
        out.status = "not http"
        return out
    out.response = resp
    if agent is not None and hasattr(view, "put"):
        record_access(view, backend, seen_ip, method=method, path=path, status=resp.code,
                      size=len(resp.body.encode()), agent=agent, port=target_port, client_port=cport)
    return out


def _node_server(view, src, host: str, ip: str, port: int, path: str, explain: bool) -> Outcome | None:
    """A connection to a node's own address that kube-proxy's health servers answer (they
    listen on every node address); None when the port is not one of theirs."""
    node = balancer._node_owning(view, ip)
    if node is None:
        return None
    resp = healthcheck.answer(view, node, port, path, loopback=False)
    if resp is None:
        return None
    out = Outcome("ok", host, port, ip=ip, via="node address")
    if _dropped(view, src, out, ip, port, None, explain):
        return out
    out.response = resp
    return out


def _node_loopback(view, src, node: str, host: str, port: int, path: str, state, **kw) -> Outcome:
    """localhost on a node: kube-proxy's servers, and (iptables mode, route_localnet=1) the
    node ports; ipvs mode does not accept node ports on loopback."""
    resp = healthcheck.answer(view, node, port, path, loopback=True)
    if isinstance(resp, NotSimulated):
        return Outcome("not simulated", host, port, ip="127.0.0.1", note=str(resp))
    if resp is not None:
        return Outcome("ok", host, port, ip="127.0.0.1", via="node address", response=resp)
    node_ip = R.node_ip(view, node)
    if node_mode(view, node) == "iptables" and node_ip and \
            any(sp.node_port == port for sp in R.all_service_ports(view)):
        out = connect(view, src, node_ip, port, path, state, **kw)
        out.host, out.ip = host, "127.0.0.1"
        return out
    return Outcome("refused", host, port, ip="127.0.0.1")


def _loopback(view, pod, host, port, path, agent, method, body: str = "", files: dict | None = None,
              extra_headers: dict | None = None) -> Outcome:
    """A pod talking to itself (localhost, or its own hostname from /etc/hosts): no DNS, no
    kube-proxy, straight to its own containers' ports (they share the network namespace)."""
    ip = "127.0.0.1" if host in ("localhost", "127.0.0.1") else (
        "::1" if host == "::1" else (pod.get("status") or {}).get("podIP"))
    out = Outcome("ok", host, port, ip=ip, via="pod IP", pod=pod)
    hdrs = {"host": host if port == 80 else f"{host}:{port}", "user-agent": agent or "Wget"}
    if (agent or "").startswith("curl"):
        hdrs["accept"] = "*/*"
    else:
        hdrs["connection"] = "close"
    hdrs.update(extra_headers or {})
    resp = serve(view, pod, port, path, host, client_ip=ip, client_port=41234, headers=hdrs, method=method,
                 body=body, files=files)
    if resp is None:
        out.status = "refused"
    elif isinstance(resp, NotSimulated):
        out.status, out.note = "not simulated", str(resp)
    elif resp == NOT_HTTP:
        out.status = "not http"
    else:
        out.response = resp
    return out


def _default_port(view, src, target: str) -> int:
    ns = src["metadata"].get("namespace") if isinstance(src, dict) else "default"
    svc = view.get("Service", ns or "default", target.split(".")[0])
    ports = ((svc or {}).get("spec") or {}).get("ports") or []
    return int(ports[0]["port"]) if ports else 80


def send_many(view, src, target: str, n: int, port: int | None = None, path: str = "/",
              state: dict | None = None) -> Counter:
    """n new connections to `target` ('name' or 'name:port'); how often each `Outcome.label`
    answered (the counts `minikctl traffic` charts)."""
    if ":" in target and not target.startswith("http"):
        target, p = target.rsplit(":", 1)
        port = int(p)
    port = port or _default_port(view, src, target)
    state = {} if state is None else state
    return Counter(connect(view, src, target, port, path, state=state).label for _ in range(n))
