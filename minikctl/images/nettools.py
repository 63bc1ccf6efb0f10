"""Network clients inside a simulated container: busybox wget / ping / nc, and curl.

Each tool is `tool(ctx, argv) -> (stdout, stderr, code)`; the connection itself is
`minikctl.net.proxy.traffic.connect`, so what the tool prints is what kube-proxy and the backend
image decided. Texts follow busybox (networking/wget.c, ping.c, nc.c, libbb/progress.c) and curl.

Simplifications, stated: time does not pass (a timeout is reported at once, with the duration the
real tool would have waited); busybox ping without `-c` stops after 4 packets (the real one runs
until interrupted); the progress bar is drawn for an 80-column stderr.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from minikctl.api import imageref
from minikctl.net.proxy import traffic
from minikctl import lazy

balancer = lazy.module("minikctl.net.proxy.balancer")
fs_of = lazy.function("minikctl.images.fs", "fs_of")
internet = lazy.module("minikctl.net.internet")
policy = lazy.module("minikctl.net.policy")
tls = lazy.module("minikctl.net.tls")
datagram = lazy.function("minikctl.images.behaviours.netexec", "datagram")
run_curl = lazy.function("minikctl.images.curl", "curl")

SYN_TIMEOUT_MS = 130_000   # Linux connect() gives up after ~127 s (6 SYN retries)


def _src(ctx):
    return ctx.pod if ctx.pod is not None else ctx.node


def _busybox_version(ctx) -> tuple[int, int]:
    image = ""
    if ctx.pod is not None:
        for c in (ctx.pod.get("spec") or {}).get("containers") or []:
            if ctx.container in (None, c.get("name")):
                image = c.get("image") or ""
                break
    v = imageref.version(imageref.tag(image))
    return v[:2] if len(v) >= 2 else (1, 36)


def _split_url(url: str) -> tuple[str, int, str, str]:
    """(host, port, path, host header) of http://host[:port]/path (scheme optional)."""
    if "://" not in url:
        url = "http://" + url
    u = urlsplit(url)
    port = u.port or (443 if u.scheme == "https" else 80)
    path = u.path or "/"
    if u.query:
        path += "?" + u.query
    return u.hostname or "", port, path, u.netloc


# --- busybox wget -------------------------------------------------------------------------

def _progress(name: str, size: int) -> str:
    """libbb/progress.c's last line when stderr is not a terminal (kubectl exec without -t): the
    20-column name, the ratio, the bar filling the 80-column line, the size, and the elapsed time
    (no time passes here) where the ETA stands."""
    unit, n = 0, size
    while n >= 100000:
        unit, n = unit + 1, n >> 10
    tail = f"{n:6d}{' kMGTPEZY'[unit]} 0:00:00 ETA"
    stars = 79 - 27 - 1 - len(tail)
    return f"{name[:20]:<20}{100:4d}% |{'*' * stars}|{tail}\n"


WGET_USAGE = ("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] "
              "[-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n"
              "\t[-P DIR] [-U AGENT] [-T SEC] URL...\n")


def wget(ctx, argv):
    """busybox wget [-q] [-O FILE] [-T SEC] [-S] [--spider] URL."""
    quiet, out_name, timeout, spider, url = False, None, None, False, None
    show_headers = False
    header_host = None
    args = list(argv[1:])
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--timeout" or a.startswith("--timeout="):    # busybox's long form of -T
            timeout = a.split("=", 1)[1] if "=" in a else (args[i + 1] if i + 1 < len(args) else "")
            i += 1 if "=" in a else 2
            continue
        if a == "--header" or a.startswith("--header="):
            value = a.split("=", 1)[1] if "=" in a else (args[i + 1] if i + 1 < len(args) else "")
            if value.lower().startswith("host:"):
                header_host = value.split(":", 1)[1].strip()
            i += 1 if "=" in a else 2
            continue
        if a in ("-q", "--quiet"):
            quiet = True
        elif a == "--spider":
            spider = True
        elif a.startswith("-O"):
            out_name = a[2:] if len(a) > 2 else (args[i + 1] if i + 1 < len(args) else "")
            i += 0 if len(a) > 2 else 1
        elif a.startswith("-T"):
            timeout = a[2:] if len(a) > 2 else (args[i + 1] if i + 1 < len(args) else "")
            i += 0 if len(a) > 2 else 1
        elif a.startswith("-qO"):
            quiet, out_name = True, a[3:] or (args[i + 1] if i + 1 < len(args) else "")
            i += 0 if a[3:] else 1
        elif a.startswith("-") and a != "-":
            bad = next((ch for ch in a[1:] if ch not in "qcS"), None) if not a.startswith("--") else None
            if bad is not None:
                return "", f"wget: invalid option -- '{bad}'\n" + WGET_USAGE, 1
            quiet |= "q" in a[1:]
            show_headers |= "S" in a[1:]
        else:
            url = a
        i += 1
    if not url:
        return "", WGET_USAGE, 1
    host, port, path, host_hdr = _split_url(url)
    o = traffic.connect(ctx.view, _src(ctx), host, port, path, agent="Wget", header_host=header_host)
    err = ""
    if o.status == "bad address":
        return "", f"wget: bad address '{host}'\n", 1
    if not quiet:
        shown = host if port == 80 else f"{host}:{port}"    # the URL's host part, as typed
        err += f"Connecting to {shown} ({o.ip}:{port})\n"
    if o.status == "refused":
        return "", err + f"wget: can't connect to remote host ({o.ip}): Connection refused\n", 1
    if o.status == "not simulated":
        return "", err + o.note + "\n", 1
    if o.status == "not http":       # a TCP server (redis, postgres...) closes on an HTTP request
        return "", err + "wget: error getting response: Connection reset by peer\n", 1
    if o.status == "timeout":
        if timeout:
            return "", err + "wget: download timed out\n", 1
        return "", err + f"wget: can't connect to remote host ({o.ip}): Connection timed out\n", 1
    resp = o.response
    if show_headers:                     # -S: the server's answer, each line indented by two spaces
        err += f"  {resp.status_line}\n"
        if 200 <= resp.code < 400:        # an error status stops it before the header lines
            err += "".join(f"  {k}: {v}\n" for k, v in resp.headers) + "  \n"
    if resp.code >= 400 or resp.code < 200:
        return "", err + f"wget: server returned error: {resp.status_line}\n", 1
    if spider:
        return "", err + ("remote file exists\n" if not quiet else ""), 0
    new = _busybox_version(ctx) >= (1, 29)
    to_stdout = out_name == "-"
    fname = out_name or (path.split("?")[0].rstrip("/").rsplit("/", 1)[-1] if path.strip("/") else "") \
        or "index.html"
    body = resp.body
    if not quiet:
        if new:
            err += "writing to stdout\n" if to_stdout else f"saving to '{fname}'\n"
        err += _progress("-" if to_stdout else fname.rsplit("/", 1)[-1], len(body.encode()))
        if new:
            err += "written to stdout\n" if to_stdout else f"'{fname}' saved\n"
    return (body if to_stdout else ""), err, 0


# --- curl ----------------------------------------------------------------------------------

def _curl_flavour(ctx) -> str:
    """'el7' for a CentOS 7 node's curl 7.29, 'modern' (8.x) inside containers."""
    if ctx.pod is None and "CentOS Linux 7" in ((ctx.view.profile.get("nodeInfo") or {}).get("osImage") or ""):
        return "el7"
    return "modern"


CURL_UA = {"el7": "curl/7.29.0", "modern": "curl/8.11.1"}

_CURL_60_TAIL = {
    "modern": ("More details here: https://curl.se/docs/sslcerts.html\n\n"
               "curl failed to verify the legitimacy of the server and therefore could not\n"
               "establish a secure connection to it. To learn more about this situation and\n"
               "how to fix it, please visit the webpage mentioned above.\n"),
    "el7": ("More details here: http://curl.haxx.se/docs/sslcerts.html\n\n"
            "curl performs SSL certificate verification by default, using a \"bundle\"\n"
            " of Certificate Authority (CA) public keys (CA certs). If the default\n"
            " bundle file isn't adequate, you can specify an alternate file\n"
            " using the --cacert option.\n"
            "If this HTTPS server uses a certificate signed by a CA represented in\n"
            " the bundle, the certificate verification probably failed due to a\n"
            " problem with the certificate (it might be expired, or the name might\n"
            " not match the domain name in the URL).\n"
            "If you'd like to turn off curl's verification of the certificate, use\n"
            " the -k (or --insecure) option.\n"),
}
# NSS (curl 7.29 on CentOS 7) words OpenSSL's verify failures its own way
_NSS_REASON = {"self-signed certificate": "Peer's certificate issuer has been marked as not trusted by the user.",
               "unable to get local issuer certificate": "Peer's Certificate issuer is not recognized.",
               "certificate has expired": "Peer's Certificate has expired.",
               "certificate is not yet valid": "Peer's Certificate has expired."}


def _curl_tls_error(flav: str, verdict, host: str) -> str:
    """curl's message for a certificate it refuses (OpenSSL 3 in images, NSS on a CentOS 7 node)."""
    if flav == "el7":
        if verdict.reason == "name":
            return ("curl: (51) Unable to communicate securely with peer: requested domain name does not match "
                    "the server's certificate.\n")
        return f"curl: (60) {_NSS_REASON.get(verdict.reason, verdict.reason)}\n" + _CURL_60_TAIL["el7"]
    if verdict.reason == "name":
        return (f"curl: (60) SSL: no alternative certificate subject name matches target host name '{host}'\n"
                + _CURL_60_TAIL["modern"])
    return f"curl: (60) SSL certificate problem: {verdict.reason}\n" + _CURL_60_TAIL["modern"]


def _curl_cafile_error(flav: str, path: str, quiet: bool) -> str:
    if quiet:
        return ""
    if flav == "el7":
        return "curl: (77) Problem with the SSL CA cert (path? access rights?)\n"
    return f"curl: (77) error setting certificate file: {path}\n"


def _curl_cert_block(cert, host: str, verdict, insecure: bool, flav: str) -> str:
    """-v's lines about the server certificate (OpenSSL backend, as curl 7.88 prints them); the
    TLS record lines (ALPN, handshake messages) are not printed."""
    if cert.publicly_trusted:
        return "* Server certificate:\n*  subject: CN=" + cert.public_name + "\n*  SSL certificate verify ok.\n"
    chain_ok = verdict.ok or verdict.reason == "name"
    if not chain_ok and not insecure:
        return f"* SSL certificate problem: {verdict.reason}\n"
    leaf = cert.leaf()
    lines = ["* Server certificate:", f"*  subject: {tls.curl_name(leaf.subject)}",
             f"*  start date: {tls.curl_date(leaf.not_valid_before_utc)}",
             f"*  expire date: {tls.curl_date(leaf.not_valid_after_utc)}"]
    if not insecure:
        if verdict.reason == "name":
            return "\n".join(lines + [f"*  subjectAltName does not match {host}",
                                      f"* SSL: no alternative certificate subject name matches target host name "
                                      f"'{host}'"]) + "\n"
        dns, ips = tls._names(leaf)
        matched = next((n for n in dns + ips if tls.name_matches_one(n, host)), host)
        lines.append(f'*  subjectAltName: host "{host}" matched cert\'s "{matched}"')
    lines.append(f"*  issuer: {tls.curl_name(leaf.issuer)}")
    lines.append("*  SSL certificate verify ok." if chain_ok else
                 f"*  SSL certificate verify result: {verdict.reason} ({verdict.verify_code}), continuing anyway.")
    return "\n".join(lines) + "\n"


def curl(ctx, argv):
    return run_curl(ctx, argv)


# --- ping ----------------------------------------------------------------------------------

def _count(args, default=4) -> int:
    for i, a in enumerate(args):
        if a == "-c" and i + 1 < len(args):
            return max(1, int(args[i + 1]))
        if a.startswith("-c") and a[2:].isdigit():
            return max(1, int(a[2:]))
    return default


def _icmp_dropped(ctx, ip: str, pod: dict | None) -> bool:
    """NetworkPolicy on ICMP: only rules without ports match it, so an isolated pod's echo
    requests (or replies) are dropped: silence, 100% packet loss."""
    if not policy.any_policies(ctx.view):
        return False
    return not policy.check(ctx.view, _src(ctx), ip, None, "ICMP", dst_pod=pod).allowed


def _ping_target(ctx, host):
    """(ip, replying pod or node, ttl) — ClusterIPs never answer ICMP (only TCP/UDP/SCTP are DNATed)."""
    got = traffic.resolve(ctx.view, _src(ctx), host)
    if not got:
        return None
    ip = got[0][0]
    _, my_node, _, _ = traffic.client_of(ctx.view, _src(ctx))
    pod = balancer._pod_by_ip(ctx.view, ip)
    if _icmp_dropped(ctx, ip, pod):
        return ip, False, 0
    if pod is not None:
        same = (pod.get("spec") or {}).get("nodeName") == my_node
        return ip, True, 64 if same else 63
    if balancer._node_owning(ctx.view, ip):
        return ip, True, 64
    recs = ((ctx.view.profile.get("upstream") or {}).get("records") or {})
    if any(ip in ((r or {}).get("A") or []) for r in recs.values()) or internet.names_at(ip):
        return ip, True, 52
    return ip, False, 0


def ping(ctx, argv):
    """busybox ping in containers; iputils ping (CentOS 7) on nodes."""
    args = list(argv[1:])
    host = next((a for j, a in enumerate(args) if not a.startswith("-")
                 and not (j > 0 and args[j - 1] in ("-c", "-W", "-w", "-s", "-i"))), None)
    if host is None:
        return "", "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n", 1
    n = _count(args)
    t = _ping_target(ctx, host)
    rng = ctx.view.rng
    iputils = ctx.pod is None
    if t is None:
        if iputils:
            return "", f"ping: {host}: Name or service not known\n", 2
        return "", f"ping: bad address '{host}'\n", 1
    ip, replies, ttl = t
    times = [round(rng.uniform(0.05, 0.9), 3) for _ in range(n)] if replies else []
    if iputils:
        out = [f"PING {host} ({ip}) 56(84) bytes of data."]
        out += [f"64 bytes from {ip}: icmp_seq={k + 1} ttl={ttl} time={t_:.3f} ms" if t_ < 1 else
                f"64 bytes from {ip}: icmp_seq={k + 1} ttl={ttl} time={t_:.2f} ms" for k, t_ in enumerate(times)]
        out += ["", f"--- {host} ping statistics ---"]
        got = len(times)
        loss = 100 * (n - got) // n
        out.append(f"{n} packets transmitted, {got} received, {loss}% packet loss, time {(n - 1) * 1000 + (n - 1)}ms")
        if times:
            avg = sum(times) / got
            mdev = (sum((x - avg) ** 2 for x in times) / got) ** 0.5
            out.append(f"rtt min/avg/max/mdev = {min(times):.3f}/{avg:.3f}/{max(times):.3f}/{mdev:.3f} ms")
        return "\n".join(out) + "\n", "", 0 if got else 1
    out = [f"PING {host} ({ip}): 56 data bytes"]
    out += [f"64 bytes from {ip}: seq={k} ttl={ttl} time={t_:.3f} ms" for k, t_ in enumerate(times)]
    out += ["", f"--- {host} ping statistics ---"]
    got = len(times)
    out.append(f"{n} packets transmitted, {got} packets received, {100 * (n - got) // n}% packet loss")
    if times:
        out.append(f"round-trip min/avg/max = {min(times):.3f}/{sum(times) / got:.3f}/{max(times):.3f} ms")
    return "\n".join(out) + "\n", "", 0 if got else 1


# --- busybox nc ----------------------------------------------------------------------------

def nc(ctx, argv):
    """busybox nc [-z] [-v] [-u] [-w SEC] HOST PORT: a TCP connect test (-z), an HTTP request
    read from stdin and the server's raw answer, or a datagram (-u)."""
    args = list(argv[1:])
    verbose = any(a.startswith("-") and "v" in a for a in args)
    wait = None
    pos = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-w" and i + 1 < len(args):
            wait, i = args[i + 1], i + 1
        elif not a.startswith("-"):
            pos.append(a)
        i += 1
    if any(a.startswith("-") and not a.startswith("--") and ("l" in a or "e" in a) for a in args):
        return "", "minikctl: nc listening (-l) or running a program (-e) is not simulated\n", 1
    if len(pos) < 2 or not pos[1].isdigit():
        return "", "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT  - connect\n", 1
    host, port = pos[0], int(pos[1])
    if any(a.startswith("-") and not a.startswith("--") and "u" in a for a in args):
        return _nc_udp(ctx, host, port)
    zero = any(a.startswith("-") and not a.startswith("--") and "z" in a for a in args)
    request = None if zero else _http_request(ctx.stdin or "")
    o = traffic.connect(ctx.view, _src(ctx), host, port, request[1] if request else "/",
                        method=request[0] if request else "GET",
                        header_host=request[2] if request and request[2] else None)
    if o.status == "bad address":
        return "", f"nc: bad address '{host}'\n", 1
    if o.status == "refused":
        return "", f"nc: can't connect to remote host ({o.ip}): Connection refused\n", 1
    if o.status == "not simulated":
        return "", o.note + "\n", 1
    if o.status == "timeout":
        why = "timed out" if wait else "Connection timed out"
        return "", (f"nc: timeout\n" if wait else f"nc: can't connect to remote host ({o.ip}): {why}\n"), 1
    opened = f"{host} ({o.ip}:{port}) open\n" if verbose else ""
    if zero or not (ctx.stdin or ""):
        return "", opened, 0
    if request is None or o.response is None:
        return "", opened + "minikctl: nc sending data other than an HTTP request is not simulated\n", 1
    r = o.response
    raw = r.status_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in r.headers) + "\r\n"
    return raw + ("" if request[0] == "HEAD" else r.body), opened, 0


def _http_request(data: str):
    """(method, path, Host header) when what nc sends is an HTTP request, else None."""
    m = re.match(r"(GET|HEAD|POST|PUT|DELETE|OPTIONS) (\S+) HTTP/1\.[01]\r?\n", data)
    if not m:
        return None
    host = re.search(r"^Host:\s*(\S+)", data, flags=re.M | re.I)
    return m.group(1), m.group(2), host.group(1) if host else None


def _nc_udp(ctx, host: str, port: int):
    """nc -u: stdin goes out as one datagram; the reply (if any) is printed as received. UDP has
    no connection: silence and an ICMP refusal both end in nothing printed once -w passes."""
    status, reply = datagram(ctx.view, _src(ctx), host, port, ctx.stdin or "")
    if status == "bad address":
        return "", f"nc: bad address '{host}'\n", 1
    if status == "not simulated":
        return "", reply + "\n", 1
    return (reply if status == "ok" else ""), "", 0


TOOLS = {"wget": wget, "curl": curl, "ping": ping, "nc": nc}
