"""curl inside containers (8.x) and on CentOS 7 nodes (7.29), over the simulated network.

Options are read as curl's tool_getparam reads them: short flags group (`-sSL`, `-fsS`), the
last letter of a group may take the group's rest or the next word as its parameter (`-so
/dev/null`, `-o/dev/null`, `-w%{http_code}`), long options never take `=value`. A transfer goes
through `minikctl.net.proxy.traffic.connect`, so what curl prints is what kube-proxy and the
backend image decided. What it writes: the body to stdout or to the container's file named by
`-o` / `-O` (`/dev/null` discards it), headers with `-i` / `-I` / `-D`, then `-w`'s format with
curl's variables (tool_writeout.c). Texts were checked against the real curl (7.88 on Debian
12; the recordings are tests/data/curl) where the network does not shape the output.

Simplifications, stated: time does not pass (a timeout is reported at once; the time_* variables
are small, stable figures derived from the request, not measurements); one connection per
transfer (num_connects 1); the TLS record lines of -v are not printed.
"""
from __future__ import annotations

import base64
import hashlib
import ipaddress
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

from minikctl.net.proxy import traffic
from minikctl import lazy

common = lazy.module("minikctl.images.applets.common")
fs_of = lazy.function("minikctl.images.fs", "fs_of")
nt = lazy.module("minikctl.images.nettools")
tls = lazy.module("minikctl.net.tls")

SYN_TIMEOUT_MS = 130_000   # Linux connect() gives up after ~127 s (6 SYN retries)
TRY = "curl: try 'curl --help' or 'curl --manual' for more information\n"

# options that take a parameter (short letter -> long name) and those that do not
SHORT_ARG = {"o": "output", "w": "write-out", "H": "header", "X": "request", "d": "data", "m": "max-time",
             "A": "user-agent", "u": "user", "F": "form", "e": "referer", "x": "proxy", "b": "cookie",
             "c": "cookie-jar", "r": "range", "T": "upload-file", "C": "continue-at", "E": "cert",
             "K": "config", "D": "dump-header", "U": "proxy-user", "Q": "quote", "t": "telnet-option",
             "y": "speed-time", "Y": "speed-limit", "z": "time-cond", "P": "ftp-port"}
SHORT_BOOL = {"s": "silent", "S": "show-error", "I": "head", "i": "include", "f": "fail", "k": "insecure",
              "v": "verbose", "L": "location", "O": "remote-name", "4": "ipv4", "6": "ipv6", "N": "no-buffer",
              "G": "get", "g": "globoff", "#": "progress-bar", "0": "http1.0", "n": "netrc", "q": "disable",
              "j": "junk-session-cookies", "J": "remote-header-name", "l": "list-only", "Z": "parallel",
              "R": "remote-time", "p": "proxytunnel", "a": "append", "B": "use-ascii", "M": "manual",
              "h": "help", "V": "version"}
LONG_ARG = set(SHORT_ARG.values()) | {
    "connect-timeout", "resolve", "cacert", "capath", "data-raw", "data-binary", "data-urlencode", "url",
    "retry", "retry-delay", "retry-max-time", "noproxy", "interface", "unix-socket", "output-dir",
    "limit-rate", "max-redirs", "keepalive-time", "expect100-timeout", "dns-servers", "local-port", "json",
    "oauth2-bearer", "key", "cert-type", "key-type", "connect-to", "form-string", "ciphers", "proxy-header",
    "max-filesize", "write-out", "trace", "trace-ascii", "stderr", "abstract-unix-socket"}
LONG_BOOL = set(SHORT_BOOL.values()) | {
    "compressed", "http1.1", "http2", "http2-prior-knowledge", "no-progress-meter", "fail-with-body",
    "fail-early", "no-keepalive", "tcp-nodelay", "raw", "no-sessionid", "path-as-is", "location-trusted",
    "tlsv1.2", "tlsv1.3", "tlsv1", "ssl-reqd", "create-dirs", "styled-output", "no-styled-output",
    "trace-time", "no-buffer", "retry-all-errors", "retry-connrefused", "ignore-content-length", "digest",
    "basic", "anyauth", "ntlm", "no-alpn", "no-npn", "show-headers"}
# understood but not modelled: say so instead of pretending
NOT_MODELLED = {"proxy", "upload-file", "unix-socket", "abstract-unix-socket", "config", "continue-at",
                "range", "cert", "key", "connect-to", "trace", "trace-ascii", "parallel", "quote",
                "telnet-option", "ftp-port", "proxy-user", "cookie-jar", "time-cond", "netrc", "list-only",
                "manual", "help", "version", "remote-header-name"}
NUMERIC = {"max-time", "connect-timeout", "retry", "retry-delay", "retry-max-time", "max-redirs"}
MIME = {"html": "text/html", "htm": "text/html", "txt": "text/plain", "json": "application/json",
        "xml": "application/xml", "css": "text/css", "js": "application/javascript", "png": "image/png",
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "pdf": "application/pdf",
        "svg": "image/svg+xml"}


@dataclass
class Options:
    flags: set = field(default_factory=set)
    values: dict = field(default_factory=dict)        # long name -> last value
    lists: dict = field(default_factory=dict)         # long name -> every value, in order
    urls: list = field(default_factory=list)
    outputs: list = field(default_factory=list)       # -o / -O in order, matched to the URLs
    data: list = field(default_factory=list)          # (-d kind, value) in command-line order

    def has(self, name: str) -> bool:
        return name in self.flags

    def get(self, name: str):
        return self.values.get(name)


def parse(argv: list[str]) -> tuple[Options | None, str]:
    """curl's command line -> Options, or (None, the error text)."""
    o = Options()

    def take(name: str, value: str, shown: str) -> str | None:
        if name in NUMERIC:
            try:
                float(value)
            except ValueError:
                return f"curl: option {shown}: expected a proper numerical parameter\n"
        o.values[name] = value
        o.lists.setdefault(name, []).append(value)
        if name == "output":
            o.outputs.append(("o", value))
        if name == "url":
            o.urls.append(value)
        if name in ("data", "data-raw", "data-binary", "data-urlencode"):
            o.data.append((name, value))
        return None

    args = list(argv[1:])
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--") and len(a) > 2:
            name = a[2:]
            neg = name.startswith("no-") and name[3:] in LONG_BOOL
            if name in LONG_ARG:
                if i + 1 >= len(args):
                    return None, f"curl: option {a}: requires parameter\n" + TRY
                why = take(name, args[i + 1], a)
                if why:
                    return None, why + TRY
                i += 2
                continue
            if name in LONG_BOOL or neg:
                if neg:
                    o.flags.discard(name[3:])
                else:
                    o.flags.add(name)
                    if name == "remote-name":
                        o.outputs.append(("O", ""))
                i += 1
                continue
            return None, f"curl: option {a}: is unknown\n" + TRY
        if a.startswith("-") and len(a) > 1:
            j = 1
            while j < len(a):
                ch = a[j]
                if ch in SHORT_ARG:
                    rest = a[j + 1:]
                    if not rest:
                        if i + 1 >= len(args):
                            return None, f"curl: option {a}: requires parameter\n" + TRY
                        i += 1
                        rest = args[i]
                    why = take(SHORT_ARG[ch], rest, a)
                    if why:
                        return None, why + TRY
                    break
                if ch in SHORT_BOOL:
                    o.flags.add(SHORT_BOOL[ch])
                    if ch == "O":
                        o.outputs.append(("O", ""))
                    j += 1
                    continue
                return None, f"curl: option {a}: is unknown\n" + TRY
            i += 1
            continue
        o.urls.append(a)
        i += 1
    return o, ""


# --- what one transfer saw ---------------------------------------------------------------------

@dataclass
class Transfer:
    url: str
    method: str = "GET"
    code: int = 0                  # curl's exit code
    error: str = ""                # the message after "curl: (N) "
    outcome: object = None         # the last traffic.Outcome
    responses: list = field(default_factory=list)   # every Response (redirects first)
    urls: list = field(default_factory=list)
    header_bytes: int = 0
    request_bytes: int = 0
    upload_bytes: int = 0
    redirect_url: str = ""
    filename: str = ""
    err_prefix: str = ""           # -v lines and notes printed before the outcome
    tls_error: str = ""            # the whole TLS failure text (several lines)

    @property
    def response(self):
        return self.responses[-1] if self.responses else None


def _flavour(ctx) -> str:
    """'el7' for a CentOS 7 node's curl 7.29, 'modern' (8.x) inside containers."""
    if ctx.pod is None and "CentOS Linux 7" in ((ctx.view.profile.get("nodeInfo") or {}).get("osImage") or ""):
        return "el7"
    return "modern"


CURL_UA = {"el7": "curl/7.29.0", "modern": "curl/8.11.1"}


def _split(url: str) -> tuple[str, str, int, str, str]:
    """(scheme, host, port, path, netloc) of an URL as curl reads it (no scheme: http)."""
    if "://" not in url:
        url = "http://" + url
    u = urlsplit(url)
    port = u.port or (443 if u.scheme == "https" else 80)
    path = u.path or "/"
    if u.query:
        path += "?" + u.query
    return u.scheme.lower(), u.hostname or "", port, path, u.netloc


def effective(url: str) -> str:
    """curl's url_effective: the scheme added, an empty path as '/'."""
    if "://" not in url:
        url = "http://" + url
    u = urlsplit(url)
    return f"{u.scheme}://{u.netloc}{u.path or '/'}" + (f"?{u.query}" if u.query else "")


def _headers_text(resp) -> str:
    return resp.status_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in resp.headers) + "\r\n"


def _request_headers(o: Options, ua: str, host_hdr: str) -> tuple[dict, str | None]:
    """The -H headers (lower-case name -> value) and the Host override."""
    hdrs, host = {}, None
    for h in o.lists.get("header") or []:
        name, _, value = h.partition(":")
        if name.strip().lower() == "host":
            host = value.strip()
        elif value.strip():
            hdrs[name.strip().lower()] = value.strip()
    if o.get("user-agent") is not None:
        hdrs["user-agent"] = o.get("user-agent")
    if o.get("referer") is not None:
        hdrs["referer"] = o.get("referer")
    if o.get("user"):
        hdrs["authorization"] = "Basic " + base64.b64encode(o.get("user").encode()).decode()
    return hdrs, host


def _form(ctx, o: Options) -> tuple[str, dict, str] | None:
    """-F fields -> (multipart body, {name: (filename, content)}, content type); None: a file
    named with @ cannot be read (curl's error 26)."""
    parts, files = [], {}
    seed = hashlib.sha256(repr(o.lists.get("form")).encode()).hexdigest()[:16]
    boundary = "-" * 24 + seed
    fs = None
    for spec in o.lists.get("form") or []:
        name, _, value = spec.partition("=")
        if value.startswith("@") or value.startswith("<"):
            fs = fs or common.fs(ctx)
            fname = value[1:].split(";")[0]
            text = fs.read(common.path(ctx, fname)) if fs is not None else None
            if text is None or fs.kind(common.path(ctx, fname)) != "file":
                return None
            if value.startswith("<"):
                parts.append(f'Content-Disposition: form-data; name="{name}"\r\n\r\n{text}')
                continue
            base = fname.rsplit("/", 1)[-1]
            ctype = MIME.get(base.rsplit(".", 1)[-1].lower(), "application/octet-stream") if "." in base \
                else "application/octet-stream"
            parts.append(f'Content-Disposition: form-data; name="{name}"; filename="{base}"\r\n'
                         f"Content-Type: {ctype}\r\n\r\n{text}")
            files[name] = (base, text)
        else:
            parts.append(f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}')
            files.setdefault(name, (None, value))
    body = "".join(f"--{boundary}\r\n{p}\r\n" for p in parts) + f"--{boundary}--\r\n"
    return body, files, f"multipart/form-data; boundary={boundary}"


def _urlencode(ctx, spec: str) -> str | None:
    """--data-urlencode: 'content', '=content', 'name=content', '@file', 'name@file'."""
    name, content = "", spec
    if "=" in spec and ("@" not in spec or spec.index("=") < spec.index("@")):
        name, content = spec.split("=", 1)
    elif "@" in spec:
        name, fname = spec.split("@", 1)
        f = common.fs(ctx)
        content = ctx.stdin if fname == "-" else (f.read(common.path(ctx, fname)) if f is not None else None)
        if content is None:
            return None
    # curl 7.88's encoder: the unreserved characters kept, a space as '+', lower-case hex
    enc = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(content, safe="-._~ ")).replace(" ", "+")
    return f"{name}={enc}" if name else enc


def _data(ctx, o: Options) -> str | None:
    """-d / --data-raw / --data-binary / --data-urlencode joined with '&' as curl joins them
    (@file read, newlines stripped for -d); None when an @file cannot be read."""
    got = []
    for name, v in o.data:
        if name == "data-urlencode":
            v = _urlencode(ctx, v)
            if v is None:
                return None
        elif v.startswith("@") and name != "data-raw":
            f = common.fs(ctx)
            text = ctx.stdin if v == "@-" else (f.read(common.path(ctx, v[1:])) if f is not None else None)
            if text is None:
                return None
            v = text if name == "data-binary" else text.replace("\r", "").replace("\n", "")
        got.append(v)
    return "&".join(got) if got else None


def run_transfer(ctx, o: Options, url: str, flav: str) -> Transfer:
    """One URL, following redirects with -L: every response and the outcome, or the error."""
    head = o.has("head")
    data = _data(ctx, o)
    data_failed = data is None and bool(o.data)
    form = _form(ctx, o) if o.lists.get("form") else None
    method = o.get("request") or ("HEAD" if head else "POST" if (data is not None or form) and not o.has("get")
                                  else "GET")
    if o.has("get") and data is not None:
        url += ("&" if "?" in url else "?") + data
        data = None
    t = Transfer(url=effective(url), method=method)
    if o.lists.get("form") and form is None:
        t.code, t.error = 26, "Failed to open/read local data from file/application"
        return t
    if data_failed:
        t.code, t.error = 26, "Failed to open/read local data from file/application"
        return t
    body, files, ctype = "", {}, None
    if form:
        body, files, ctype = form
    elif data is not None:
        body, ctype = data, "application/x-www-form-urlencoded"
    ua = CURL_UA[flav]
    extra, host_override = _request_headers(o, ua, "")
    if ctype and "content-type" not in extra:
        extra["content-type"] = ctype
    resolve: dict[tuple[str, int], str] = {}
    for r in o.lists.get("resolve") or []:
        parts = r.split(":", 2)
        if len(parts) == 3 and parts[1].isdigit():
            resolve[(parts[0].lower(), int(parts[1]))] = parts[2]
    ca_bytes = None
    max_redirs = int(float(o.get("max-redirs") or 50))
    current = url
    hops = 0
    while True:
        scheme, host, port, path, netloc = _split(current)
        if scheme not in ("http", "https"):
            t.code, t.error = 1, f'Protocol "{scheme}" not supported or disabled in libcurl' if flav == "modern" \
                else f"Protocol {scheme} not supported or disabled in libcurl"
            return t
        https = scheme == "https"
        if https and o.get("cacert") is not None and ca_bytes is None:
            fs = fs_of(ctx)
            text = fs.read(o.get("cacert")) if fs is not None else None
            if text is None:
                t.code = 77
                t.error = ("Problem with the SSL CA cert (path? access rights?)" if flav == "el7"
                           else f"error setting certificate file: {o.get('cacert')}")
                return t
            ca_bytes = text.encode()
        target = resolve.get((host.lower(), port), host)
        host_hdr = host_override or netloc
        hdrs = {"host": host_hdr, "user-agent": extra.get("user-agent", ua), "accept": "*/*"}
        hdrs.update(extra)
        if body:
            hdrs["content-length"] = str(len(body.encode()))
        req_lines = [f"{method} {path} HTTP/1.1", f"Host: {host_hdr}", f"User-Agent: {hdrs['user-agent']}",
                     "Accept: */*"] + [f"{'-'.join(w.capitalize() for w in k.split('-'))}: {v}"
                                       for k, v in extra.items() if k != "user-agent"]
        if body:
            req_lines.insert(4, f"Content-Length: {len(body.encode())}")
        t.request_bytes += len("\r\n".join(req_lines).encode()) + 4 + len(body.encode())
        t.upload_bytes += len(body.encode())
        out = traffic.connect(ctx.view, nt._src(ctx), target, port, path, agent=hdrs["user-agent"],
                              method=method, header_host=host_hdr, tls=https, sni=host,
                              body=body, files=files, extra_headers=extra)
        t.outcome = out
        t.urls.append(effective(current))
        if o.has("verbose") and out.status != "bad address":
            t.err_prefix += (f"* About to connect() to {host} port {port} (#0)\n*   Trying {out.ip}...\n"
                             if flav == "el7" else
                             f"* Host {host}:{port} was resolved.\n* IPv6: (none)\n* IPv4: {out.ip}\n"
                             f"*   Trying {out.ip}:{port}...\n")
        err = _connect_error(o, out, host, port, flav)
        if err:
            t.code, t.error = err
            return t
        resp = out.response
        if o.has("verbose"):
            t.err_prefix += f"* Connected to {host} ({out.ip}) port {port}" + (" (#0)\n" if flav == "el7" else "\n")
        if https and out.cert is not None:
            verdict = tls.verify(out.cert, host, ca_bytes, ctx.view.now)
            if o.has("verbose"):
                t.err_prefix += nt._curl_cert_block(out.cert, host, verdict, o.has("insecure"), flav)
            if not verdict.ok and not o.has("insecure"):
                t.tls_error = nt._curl_tls_error(flav, verdict, host)
                t.code = 51 if flav == "el7" and verdict.reason == "name" else verdict.code
                t.error = t.tls_error.split("\n", 1)[0].split(") ", 1)[-1]
                return t
        if o.has("verbose"):
            t.err_prefix += "".join(f"> {line}\r\n" for line in req_lines) + ">\r\n"
            t.err_prefix += "* Request completely sent off\n" if flav == "modern" else ""
            t.err_prefix += "".join("< " + line + "\n" for line in _headers_text(resp).split("\n") if line)
        t.responses.append(resp)
        t.header_bytes += len(_headers_text(resp).encode())
        location = dict((k.lower(), v) for k, v in resp.headers).get("location")
        if resp.code in (301, 302, 303, 307, 308) and location:
            nxt = urljoin(effective(current), location)
            if not o.has("location"):
                t.redirect_url = nxt
                return t
            if hops >= max_redirs:
                t.code, t.error = 47, f"Maximum ({max_redirs}) redirects followed"
                return t
            hops += 1
            if resp.code in (301, 302, 303) and method == "POST" and not o.get("request"):
                method, body = "GET", ""
            current = nxt
            continue
        return t


def _connect_error(o: Options, out, host: str, port: int, flav: str) -> tuple[int, str] | None:
    if out.status == "ok":
        return None
    if out.status == "bad address":
        return 6, (f"Could not resolve host: {host}; Unknown error" if flav == "el7"
                   else f"Could not resolve host: {host}")
    if out.status == "not simulated":
        return -1, out.note
    if out.status == "not http":
        return 52, "Empty reply from server"
    if out.status == "not tls":
        return 35, ("SSL received a record that exceeded the maximum permissible length." if flav == "el7"
                    else "OpenSSL/3.3.2: error:0A00010B:SSL routines::wrong version number")
    ctimeout, mtimeout = (float(o.get(n)) if o.get(n) else None for n in ("connect-timeout", "max-time"))
    if out.status == "timeout" and (ctimeout or mtimeout):
        limit = min(x for x in (ctimeout, mtimeout) if x)
        ms = int(limit * 1000) + (1 if ctimeout and limit == ctimeout else 5)
        return 28, f"Connection timed out after {ms} milliseconds"
    if flav == "el7":
        why = "Connection refused" if out.status == "refused" else "Connection timed out"
        return 7, f"Failed connect to {host}:{port}; {why}"
    if out.status == "refused":
        return 7, f"Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server"
    return 28, f"Failed to connect to {host} port {port} after {SYN_TIMEOUT_MS} ms: Couldn't connect to server"


# --- -w --------------------------------------------------------------------------------------------

def _times(t: Transfer, ctx) -> dict[str, float]:
    """Stable, plausible figures (seconds) for one transfer: a few hundred microseconds inside
    the cluster, tens of milliseconds to the simulated Internet."""
    h = hashlib.sha256(f"{t.url}|{ctx.view.now}|{t.method}".encode()).digest()
    far = t.outcome is not None and t.outcome.pod is None and t.outcome.status == "ok"
    scale = 40.0 if far else 1.0
    if t.outcome is None or t.outcome.status == "bad address":
        return dict.fromkeys(("namelookup", "connect", "appconnect", "pretransfer", "starttransfer",
                              "redirect"), 0.0) | {"total": 0.000100 + h[0] / 1e6}
    dns = 0.000015 + h[0] / 1e6 if _is_ip(t.outcome.host) else 0.0008 + h[1] / 1e5
    conn = dns + (0.00009 + h[2] / 2e6) * scale
    tls = conn + (0.002 + h[3] / 1e5) * scale if t.url.startswith("https") and t.responses else 0.0
    pre = max(conn, tls) + 0.000030
    start = pre + (0.0004 + h[4] / 1e6) * scale if t.responses else 0.0
    total = max(start, pre) + 0.000050 + h[5] / 1e7
    redirect = (total * (len(t.responses) - 1) / len(t.responses)) if len(t.responses) > 1 else 0.0
    if t.code:
        conn = pre = 0.0
    return {"namelookup": dns, "connect": conn, "appconnect": tls, "pretransfer": pre,
            "starttransfer": start, "total": total + redirect, "redirect": redirect}


def _is_ip(s: str) -> bool:
    try:
        ipaddress.ip_address(s.strip("[]"))
        return True
    except ValueError:
        return False


def variables(ctx, t: Transfer, size_download: int) -> dict[str, str]:
    resp = t.response
    ok = resp is not None
    tm = _times(t, ctx)
    scheme, host, port, _, _ = _split(t.urls[-1] if t.urls else t.url)
    hdr = {k.lower(): v for k, v in (resp.headers if ok else [])}
    local_ip = traffic.client_of(ctx.view, nt._src(ctx))[0] if ok else ""
    if ok and t.outcome is not None and t.outcome.ip in ("127.0.0.1", "::1"):
        local_ip = t.outcome.ip
    lport = 32768 + int.from_bytes(hashlib.sha256(t.url.encode()).digest()[:2], "big") % 28000
    v = {
        "http_code": f"{resp.code:03d}" if ok else "000",
        "response_code": f"{resp.code:03d}" if ok else "000",
        "http_connect": "000",
        "size_download": str(size_download),
        "size_header": str(t.header_bytes),
        "size_request": str(t.request_bytes if ok else 0),
        "size_upload": str(t.upload_bytes if ok else 0),
        "content_type": hdr.get("content-type", ""),
        "remote_ip": (t.outcome.ip or "") if ok else "",
        "remote_port": str(port) if ok else "0",
        "local_ip": local_ip or "",
        "local_port": str(lport) if ok else "0",
        "url_effective": t.urls[-1] if t.urls else t.url,
        "url": t.url,
        "num_connects": "1" if ok else "0",
        "num_redirects": str(max(0, len(t.responses) - 1)),
        "redirect_url": t.redirect_url,
        "scheme": scheme.upper() if ok else "",
        "http_version": "1.1" if ok else "0",
        "exitcode": str(t.code if t.code > 0 else 0),
        "errormsg": t.error if t.code > 0 else "",
        "method": t.method,
        "filename_effective": t.filename,
        "ssl_verify_result": "0",
        "num_headers": str(len(resp.headers)) if ok else "0",
    }
    for k in ("namelookup", "connect", "appconnect", "pretransfer", "starttransfer", "total", "redirect"):
        v[f"time_{k}"] = f"{tm[k]:.6f}"
    total = round(tm["total"], 6) or 1
    v["speed_download"] = str(int(size_download / total)) if ok else "0"
    v["speed_upload"] = str(int(t.upload_bytes / total)) if ok and t.upload_bytes else "0"
    v["_headers"] = hdr
    return v


NOT_WRITTEN = {"json", "header_json", "certs", "num_certs", "onerror", "urlnum", "conn_id", "easy_id",
               "proxy_ssl_verify_result", "ftp_entry_path", "url.scheme", "url.host"}


def write_out(fmt: str, v: dict[str, str]) -> tuple[str, str]:
    """tool_writeout.c's loop: %{var}, %header{name}, %%, \\n \\r \\t; %{stderr} / %{stdout}
    switch the stream; an unknown variable is reported and skipped."""
    out, err = [], []
    stream = out
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "%" and fmt.startswith("%%", i):
            stream.append("%")
            i += 2
            continue
        if ch == "%" and fmt.startswith("%{", i):
            end = fmt.find("}", i + 2)
            if end < 0:                        # not a variable: the text as it is
                stream.append("%")
                i += 1
                continue
            name = fmt[i + 2:end]
            i = end + 1
            if name == "stderr":
                stream = err
            elif name == "stdout":
                stream = out
            elif name in v and not name.startswith("_"):
                stream.append(v[name])
            elif name in NOT_WRITTEN:
                err.append(f"minikctl: curl's -w variable %{{{name}}} is not simulated\n")
            else:
                err.append(f"curl: unknown --write-out variable: '{name}'\n")
            continue
        if ch == "%" and fmt.startswith("%header{", i):
            end = fmt.find("}", i + 8)
            if end < 0:
                stream.append("%")
                i += 1
                continue
            stream.append(v["_headers"].get(fmt[i + 8:end].lower(), ""))
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(fmt) and fmt[i + 1] in "rnt":
            stream.append({"r": "\r", "n": "\n", "t": "\t"}[fmt[i + 1]])
            i += 2
            continue
        stream.append(ch)
        i += 1
    return "".join(out), "".join(err)


# --- the command -----------------------------------------------------------------------------------

def meter(size: int) -> str:
    """curl's progress meter when stdout is not a terminal (as under kubectl exec)."""
    head, zero = METER_HEAD, METER_ZERO
    speed = f"{size * 1000 // 1024}k" if size * 1000 >= 100000 else str(size * 1000)
    done = (f"\r100 {size:5d}  100 {size:5d}    0     0 {speed:>6}      0 --:--:-- --:--:-- --:--:-- {speed:>6}\n")
    return head + zero + done


METER_HEAD = ("  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
              "                                 Dload  Upload   Total   Spent    Left  Speed\n")
METER_ZERO = "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0"


def _meter_for(t: Transfer, body_text: str | None, warn: str, o: Options) -> str:
    """The meter as curl 7.88 leaves it on a non-terminal stderr: a name that does not resolve
    stops after the first line; a failed connection or a refused reply draws it twice, then a
    newline; -f's error shows the announced size unreceived; a finished transfer its totals (a
    file that cannot be written puts its warning before the last line). A timeout, which would
    redraw it every second, is not drawn."""
    resp = t.response
    if t.code == 6:
        return METER_HEAD + METER_ZERO
    if t.code in (28, -1) or (t.outcome is not None and t.outcome.status == "timeout"):
        return ""
    if t.code == 22 and not o.has("fail-with-body") and resp is not None:
        size = int(dict((k.lower(), v) for k, v in resp.headers).get("content-length", "0") or 0)
        return (METER_HEAD + METER_ZERO +
                f"\r  0 {size:5d}    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0\n")
    if resp is None or t.tls_error or t.code not in (0, 22, 23):
        return METER_HEAD + METER_ZERO + METER_ZERO + "\n"
    m = meter(len(body_text.encode()) if body_text else 0)
    cut = m.rindex("\r")
    return m[:cut] + warn + m[cut:]


def _write_file(ctx, name: str, text: str, append: bool = False) -> str | None:
    """Write to the container's file; the errno name when it cannot be."""
    fs = common.fs(ctx)
    if fs is None:
        return "ENOENT"
    why = fs.write(common.path(ctx, name), text, append=append)
    return common.ERRNO.get(why, why) if why else None


def curl(ctx, argv):
    """curl [options] URL...: see the module's docstring."""
    o, why = parse(argv)
    if o is None:
        return "", why, 2
    flav = _flavour(ctx)
    silent = o.has("silent")
    quiet_err = silent and not o.has("show-error")
    for name in sorted(set(o.values) | o.flags):
        if name in NOT_MODELLED:
            return "", f"minikctl: curl --{name} is not simulated\n", 1
    if not o.urls:
        return "", ("" if silent else "curl: no URL specified!\n") + TRY, 2
    if o.has("head") and (o.lists.get("data") or o.lists.get("form") or o.lists.get("data-raw")):
        return "", ("" if silent else "Warning: You can only select one HTTP request method! You asked for "
                    "both POST \nWarning: (-d, --data) and HEAD (-I, --head).\n"), 2
    fmt = o.get("write-out")
    if fmt is not None and fmt.startswith("@"):
        if fmt == "@-":
            fmt = ctx.stdin or ""
        else:
            f = common.fs(ctx)
            fmt = (f.read(common.path(ctx, fmt[1:])) if f is not None else None) or ""
    out_parts, err_parts = [], []
    code = 0
    outputs = list(o.outputs)
    for url in o.urls:
        dest = outputs.pop(0) if outputs else None
        t = run_transfer(ctx, o, url, flav)
        err_parts.append(t.err_prefix)
        if t.code == -1:                                # a backend minikctl does not model
            err_parts.append((t.error or "") + "\n")
            code = 1
            continue
        resp = t.response
        body_text, size = "", 0
        if t.code == 0 and resp is not None:
            if o.has("fail") and resp.code >= 400 and not o.has("fail-with-body"):
                t.code = 22
                t.error = (f"The requested URL returned error: {resp.code} {resp.reason}" if flav == "el7"
                           else f"The requested URL returned error: {resp.code}")
            else:
                shown = t.responses if o.has("location") else [resp]
                heads = "".join(_headers_text(r) for r in shown)
                if o.has("head"):
                    body_text = heads
                else:
                    body_text = (heads if o.has("include") else "") + resp.body
                    size = len(resp.body.encode())
                if o.has("fail-with-body") and resp.code >= 400:
                    t.code, t.error = 22, f"The requested URL returned error: {resp.code}"
                dump = o.get("dump-header")
                if dump == "-":
                    out_parts.append(heads)
                elif dump:
                    _write_file(ctx, dump, heads)
        warn = ""
        if resp is not None and (t.code == 0 or (t.code == 22 and o.has("fail-with-body"))):
            res = _deliver(ctx, o, dest, t, body_text or "", url)
            if res == "stdout":
                out_parts.append(body_text)
            elif res == "stderr":
                err_parts.append(body_text)
            elif res is not None:
                warn, t.code, t.error = res
        if not silent and not o.has("verbose") and not o.has("no-progress-meter"):
            err_parts.append(_meter_for(t, body_text, warn, o))
        if t.code:
            code = t.code
            if not quiet_err:
                err_parts.append(t.tls_error or f"curl: ({t.code}) {t.error}\n")
        elif o.has("verbose") and resp is not None:
            err_parts.append(f"* Connection #0 to host {_split(url)[1]} left intact\n")
        if fmt is not None:
            w_out, w_err = write_out(fmt, variables(ctx, t, size if t.code == 0 else 0))
            out_parts.append(w_out)
            err_parts.append(w_err)
    return "".join(out_parts), "".join(err_parts), code


def _deliver(ctx, o: Options, dest, t: Transfer, text: str, url: str):
    """Send the output where -o / -O say: 'stdout' / 'stderr', None once written to a file (or
    /dev/null), else (warning, 23, message) when the file cannot be written."""
    if dest is None:
        return "stdout"
    kind, name = dest
    if kind == "O":
        name = posixpath.basename(_split(url)[3].split("?")[0])
        if not name:
            return "", 23, "Failed writing received data to disk/application"
    if o.get("output-dir") and not name.startswith("/"):
        name = o.get("output-dir").rstrip("/") + "/" + name
    t.filename = name
    if name in ("-", "/dev/stdout"):
        return "stdout"
    if name == "/dev/stderr":
        return "stderr"
    if name == "/dev/null":
        return None
    why = _write_file(ctx, name, text)
    if why:
        return f"Warning: Failed to open the file {name}: {why}\n", 23, "Failure writing output to destination"
    return None
