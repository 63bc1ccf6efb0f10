"""Ingress TLS with ingress-nginx (issue 13, part 2): the certificate from the Ingress's
kubernetes.io/tls Secret for its hosts, the controller's fake certificate otherwise, the default
ssl-redirect (308), the plain-HTTP-to-HTTPS-port page, and curl's verdicts (-k, --cacert, names).

Oracles: certificates made by the real openssl; the "Server certificate" lines of `curl -v`
compared with the real curl on this machine talking to a real TLS server (Python's ssl) that
presents the same certificate; curl's first error line for each failure, from the same real runs.
"""
from __future__ import annotations

import json
import re
import shutil
import time
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from test_ingress import install_nginx_profile

OPENSSL = shutil.which("openssl")
CURL = shutil.which("curl")
pytestmark = pytest.mark.skipif(OPENSSL is None, reason="openssl is not installed")


@pytest.fixture
def nginx(mk):
    """The ingress-nginx profile on today's clock: the certificates openssl makes now are valid."""
    mk.clock = float(int(time.time()))
    return install_nginx_profile(mk)


def _cert(tmp_path, name: str, cn: str, sans: str, ca: tuple | None = None):
    key, crt = tmp_path / f"{name}.key", tmp_path / f"{name}.crt"
    if ca is None:
        subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(crt),
                        "-days", "30", "-subj", f"/CN={cn}", "-addext", f"subjectAltName={sans}"],
                       check=True, capture_output=True)
    else:
        csr, ext = tmp_path / f"{name}.csr", tmp_path / f"{name}.ext"
        ext.write_text(f"subjectAltName={sans}\n")
        subprocess.run([OPENSSL, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr),
                        "-subj", f"/CN={cn}"], check=True, capture_output=True)
        subprocess.run([OPENSSL, "x509", "-req", "-in", str(csr), "-CA", str(ca[1]), "-CAkey", str(ca[0]),
                        "-CAcreateserial", "-out", str(crt), "-days", "30", "-extfile", str(ext)],
                       check=True, capture_output=True)
    return key, crt


def _setup(mk, tmp_path):
    ca = _cert(tmp_path, "ca", "my-ca", "DNS:my-ca")
    key, crt = _cert(tmp_path, "foo", "foo.bar.com", "DNS:foo.bar.com", ca=ca)
    assert mk("create", "secret", "tls", "foo-tls", f"--cert={crt}", f"--key={key}").code == 0
    r = mk("create", "ingress", "foo", "--class=nginx", "--rule=foo.bar.com/*=web2:80,tls=foo-tls")
    assert r.code == 0, r.err
    assert mk("run", "c", "--image=curlimages/curl:8.11.1", "--", "sleep", "3600").code == 0
    mk.advance(15)
    svc = json.loads(mk("get", "svc", "-n", "ingress-nginx", "ingress-nginx-controller", "-o", "json").out)
    ports = {p["name"]: p["nodePort"] for p in svc["spec"]["ports"]}
    return ca, (key, crt), ports["http"], ports["https"]


def _curl(mk, *args, node=None):
    if node:
        return mk("ssh", node, "--", "curl", *args)
    return mk("exec", "c", "--", "curl", *args)


def test_https_through_the_controller(nginx, tmp_path):
    mk = nginx
    ca, _, http_np, https_np = _setup(mk, tmp_path)
    pin = ["--resolve", f"foo.bar.com:{https_np}:192.168.1.11"]
    url = f"https://foo.bar.com:{https_np}/"
    # not trusted by the image's bundle: curl refuses, -k goes through
    r = _curl(mk, "-sS", *pin, url)
    assert r.code == 60 and r.err.startswith("curl: (60) SSL certificate problem: unable to get local issuer "
                                             "certificate\nMore details here: https://curl.se/docs/sslcerts.html\n")
    r = _curl(mk, "-sk", *pin, url)
    assert "Welcome to nginx!" in r.out and r.err == ""          # no request trace without -v
    assert "> GET / HTTP/1.1" in _curl(mk, "-skv", *pin, url).err
    assert "> GET / HTTP/1.1" in _curl(mk, "-sv", f"http://192.168.1.11:{http_np}/").err
    # --cacert with the CA that signed the Secret's certificate
    mk("cp", str(ca[1]), "c:/tmp/ca.crt")
    r = _curl(mk, "-s", "--cacert", "/tmp/ca.crt", *pin, url)
    assert r.code == 0 and "Welcome to nginx!" in r.out
    # the right CA but a name the certificate does not carry
    r = _curl(mk, "-sS", "--cacert", "/tmp/ca.crt", "--resolve", f"other.bar.com:{https_np}:192.168.1.11",
              f"https://other.bar.com:{https_np}/")
    assert r.code == 60
    assert r.err.startswith("curl: (60) SSL certificate problem: self-signed certificate\n")  # the fake cert
    start = [ln for ln in _curl(mk, "-skv", f"https://192.168.1.11:{https_np}/").err.splitlines() if "start date" in ln]
    mk.advance(120)
    assert start == [ln for ln in _curl(mk, "-skv", f"https://192.168.1.11:{https_np}/").err.splitlines()
                     if "start date" in ln]                  # the fake certificate is made once
    r = _curl(mk, "-sS", "--cacert", "/tmp/ca.crt", f"https://192.168.1.11:{https_np}/", "-H", "Host: foo.bar.com")
    assert r.code == 60 and "self-signed certificate" in r.err          # no SNI: the default server's fake cert
    r = _curl(mk, "-s", "--cacert", "/tmp/nope.crt", *pin, url)
    assert r.code == 77
    # CentOS 7's curl (NSS) words the same failures its own way
    r = _curl(mk, "-sS", *pin, url, node="k8s-worker-01")
    assert r.code == 60 and r.err.startswith("curl: (60) Peer's Certificate issuer is not recognized.\n")


def test_ssl_redirect_and_the_https_port(nginx, tmp_path):
    mk = nginx
    _, _, http_np, https_np = _setup(mk, tmp_path)
    r = _curl(mk, "-si", "--resolve", f"foo.bar.com:{http_np}:192.168.1.11", f"http://foo.bar.com:{http_np}/x?y=1")
    head, _, body = r.out.partition("\r\n\r\n")
    assert head.splitlines()[0] == "HTTP/1.1 308 Permanent Redirect"
    assert "Location: https://foo.bar.com/x?y=1" in head.splitlines()
    assert body == ("<html>\r\n<head><title>308 Permanent Redirect</title></head>\r\n<body>\r\n"
                    "<center><h1>308 Permanent Redirect</h1></center>\r\n<hr><center>nginx</center>\r\n"
                    "</body>\r\n</html>\r\n")
    assert f"Content-Length: {len(body)}" in head.splitlines()
    # a host without TLS is not redirected; ssl-redirect "false" turns the redirect off
    r = _curl(mk, "-s", "-H", "Host: plain.bar.com", f"http://192.168.1.11:{http_np}/")
    assert "404 Not Found" in r.out
    mk("annotate", "ingress", "foo", "nginx.ingress.kubernetes.io/ssl-redirect=false")
    r = _curl(mk, "-s", "--resolve", f"foo.bar.com:{http_np}:192.168.1.11", f"http://foo.bar.com:{http_np}/")
    assert "Welcome to nginx!" in r.out
    # plain HTTP to the HTTPS port, TLS to the HTTP port
    r = _curl(mk, "-s", f"http://192.168.1.11:{https_np}/")
    assert "<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>" in r.out
    r = _curl(mk, "-sS", f"https://192.168.1.11:{http_np}/")
    assert (r.code, r.err) == (35, "curl: (35) OpenSSL/3.3.2: error:0A00010B:SSL routines::wrong version number\n"
                                   "command terminated with exit code 35\n")


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def _real_curl_block(crt, key, host: str, extra: list[str]) -> list[str]:
    srv = HTTPServer(("127.0.0.1", 0), _Hello)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(crt), str(key))
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    port = srv.server_address[1]
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        p = subprocess.run([CURL, "-sv", *extra, "--resolve", f"{host}:{port}:127.0.0.1", f"https://{host}:{port}/"],
                           capture_output=True, text=True, timeout=30)
    finally:
        srv.shutdown()
    return _block(p.stderr)


def _block(err: str) -> list[str]:
    lines = [ln for ln in err.splitlines() if re.match(r"\*  \S", ln) or ln.startswith("* Server certificate")
             or ln.startswith("* SSL certificate problem") or ln.startswith("* SSL: no alternative")]
    return [ln for ln in lines if not ln.startswith(("*  CAfile", "*  CApath"))]


@pytest.mark.skipif(CURL is None, reason="curl is not installed")
def test_curl_verbose_certificate_lines_match_the_real_curl(nginx, tmp_path):
    mk = nginx
    ca, (key, crt), _, https_np = _setup(mk, tmp_path)
    mk("cp", str(ca[1]), "c:/tmp/ca.crt")
    pin = ["--resolve", f"foo.bar.com:{https_np}:192.168.1.11", f"https://foo.bar.com:{https_np}/"]
    ours = _block(_curl(mk, "-skv", *pin).err)
    assert ours == _real_curl_block(crt, key, "foo.bar.com", ["-k"])
    ours = _block(_curl(mk, "-sv", "--cacert", "/tmp/ca.crt", *pin).err)
    assert ours == _real_curl_block(crt, key, "foo.bar.com", ["--cacert", str(ca[1])])
    ours = _block(_curl(mk, "-sv", *pin).err)
    assert ours == _real_curl_block(crt, key, "foo.bar.com", [])
