"""The real curl against the simulated servers' own answers: a loopback server replays, byte for
byte, the HTTP response a simulated pod gives for a path (status line, headers, body), so the
real curl and minikctl's curl read the same bytes and their outputs can be compared.

Used by tests/test_curl_parity.py (live, when curl is installed) and by
`python tests/curl_replay.py` which records the real outputs into tests/data/curl/recorded.json
(so the comparison runs on machines without curl too).
"""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_proxy_fixtures import busybox, spec_view  # noqa: E402

RECORDED = Path(__file__).parent / "data" / "curl" / "recorded.json"
URL_HOST = "web-server-svc"          # what the pod's curl names
PATHS = ["/", "/nope"]

# curl's command lines (the URL's path is the last word when it starts with '/', else '/')
CASES = [
    ["-s", "-o", "/dev/null", "-w", "%{http_code}\\n"],
    ["-so", "/dev/null", "-w", "%{http_code} %{size_download} %{size_header} %{content_type} %{num_redirects} "
     "%{method} %{http_version} %{exitcode} %{response_code} %{num_connects} [%{redirect_url}] [%{errormsg}]\\n"],
    ["-sSL", "-w", "\\n%{url_effective}|%{url}\\n"],
    ["-sI"],
    ["-si"],
    ["-s", "-w", "%{http_code}", "/nope"],
    ["-fsS", "-o", "/dev/null", "-w", "%{http_code}", "/nope"],
    ["-fs", "/nope"],
    ["-s", "-o", "/dev/null", "-w", "%{http_code}|%{foo}|%%|%x|\\t|\\\\|%{http_code\\n"],
    ["-s", "-D", "-", "-o", "/dev/null"],
    ["-sIw", "%{size_download} %{size_header}\\n", "-o", "/dev/null"],
    ["-s", "-w", "%header{content-type}|%header{nope}|%header{Content-Length}\\n", "-o", "/dev/null"],
    ["-w", "%{stderr}E\\n", "-so", "/dev/null"],
    ["-s", "-o", "/dev/null", "-w", "%{filename_effective}\\n"],
    ["-s", "-o", "/nonexistent-dir/x"],
    ["-sS", "-o", "/nonexistent-dir/x"],
    ["-so"],
    ["--foo"],
    ["-sW"],
    ["--output=x"],
    ["-s", "-m", "abc"],
    ["-s", "-o", "/dev/null", "-w", "%{http_code}\\n", "--next-url-is-second", "/nope"],
    ["-f", "/nope"],
    ["-s", "-o", "/dev/null", "-G", "--data-urlencode", "msg=hello world&x~y*z", "-d", "a=b", "-w",
     "%{url_effective} %{method}\\n"],
    ["-s", "-o", "/dev/null", "-w", "%{size_upload} %{method} %{http_code}\\n", "--data-urlencode", "=a b/c",
     "-d", "k=v"],
]
NO_URL = {("-so",), ("--foo",), ("-sW",), ("--output=x",)}

# busybox wget's command lines (the same path rule); its files go to the current directory
WGET_CASES = [["-qO-"], ["-O-"], ["-q", "-O-", "/nope"], ["-O-", "/nope"], ["--spider"], ["-s"], ["-S", "-O-"],
              ["-S", "-q", "-O-", "/nope"], ["-O", "out.html"], []]


def pod_context():
    from minikctl.images.context import ExecContext
    p = busybox(image="curlimages/curl:8.11.1")
    p["metadata"]["name"] = "curl"
    p["status"]["podIP"] = "10.100.36.231"
    v = spec_view(p)
    return ExecContext(view=v, pod=v.get("Pod", "default", "curl"), container="c")


def argv_for(case: list[str], base: str, prog: str = "curl") -> list[str]:
    """The case's words with its URL(s): a trailing /path becomes base+path, '--next-url-is-second'
    makes two URLs (base/ then the path)."""
    words = list(case)
    if prog == "curl" and tuple(words) in NO_URL:
        return [prog, *words]
    if "--next-url-is-second" in words:
        words.remove("--next-url-is-second")
        path = words.pop()
        return [prog, *words, base + "/", base + path]
    path = words.pop() if words and words[-1] in PATHS else "/"
    return [prog, *words, base + path]


def responses() -> dict[str, bytes]:
    """The simulated nginx's raw answers per path."""
    from minikctl.net.proxy import traffic
    ctx = pod_context()
    got = {}
    for path in PATHS:
        o = traffic.connect(ctx.view, ctx.pod, URL_HOST, 80, path, agent="curl/8.11.1")
        r = o.response
        head = r.status_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in r.headers) + "\r\n"
        got[path] = (head + r.body).encode()
    return got


class Replay:
    """A loopback HTTP/1.1 server that answers each request with the recorded bytes of its path."""

    def __init__(self, answers: dict[str, bytes]):
        self.answers = answers
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                line = data.split(b"\r\n", 1)[0].decode("latin-1")   # not HTTP: answered as /nope
                method, path = (line.split(" ") + ["", ""])[:2]
                raw = self.answers.get(path, self.answers["/nope"])
                if method == "HEAD":
                    raw = raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
                conn.sendall(raw)

    def close(self):
        try:                      # wakes the accept() blocked in _serve, which then returns
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def run_real(curl: str, cases=CASES) -> list[dict]:
    replay = Replay(responses())
    base = f"http://127.0.0.1:{replay.port}"
    out = []
    try:
        for case in cases:
            p = subprocess.run([curl, *argv_for(case, base)[1:]], capture_output=True, timeout=20,
                               env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})
            out.append({"case": case, "stdout": p.stdout.decode().replace(base, "http://" + URL_HOST),
                        "stderr": p.stderr.decode().replace(base, "http://" + URL_HOST), "code": p.returncode})
    finally:
        replay.close()
    return out


def run_real_wget(busybox: str, tmp: str, cases=WGET_CASES) -> list[dict]:
    replay = Replay(responses())
    base = f"http://127.0.0.1:{replay.port}"
    out = []
    try:
        for case in cases:
            p = subprocess.run([busybox, *argv_for(case, base, "wget")], capture_output=True, timeout=20,
                               cwd=tmp, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})
            text = [x.decode().replace(f"127.0.0.1:{replay.port} (127.0.0.1:{replay.port})",
                                       f"{URL_HOST} (10.96.254.166:80)").replace(base, "http://" + URL_HOST)
                    for x in (p.stdout, p.stderr)]
            text[1] = text[1].replace("Debian 1:1.35.0-4+deb12u1+b1", "2023-05-18 22:34:17 UTC").replace(
                "v1.35.0", "v1.36.1")
            out.append({"case": case, "stdout": text[0], "stderr": text[1], "code": p.returncode})
    finally:
        replay.close()
    return out


def run_ours_wget(case: list[str]) -> dict:
    from minikctl.images.nettools import wget
    o, e, c = wget(pod_context(), argv_for(case, "http://" + URL_HOST, "wget"))
    return {"case": case, "stdout": o, "stderr": e, "code": c}


def run_ours(case: list[str]) -> dict:
    from minikctl.images.curl import curl
    ctx = pod_context()
    o, e, c = curl(ctx, argv_for(case, "http://" + URL_HOST))
    return {"case": case, "stdout": o, "stderr": e, "code": c}


RECORDED_WGET = Path(__file__).parent / "data" / "curl" / "recorded_busybox_wget.json"

if __name__ == "__main__":
    import shutil
    import tempfile
    real = shutil.which("curl")
    version = subprocess.run([real, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    RECORDED.write_text(json.dumps({"curl": version, "results": run_real(real)}, indent=1) + "\n")
    print(f"recorded {len(CASES)} cases with {version}")
    bb = shutil.which("busybox")
    bb_version = subprocess.run([bb], capture_output=True, text=True).stdout.split("\n")[0]
    with tempfile.TemporaryDirectory() as tmp:
        RECORDED_WGET.write_text(json.dumps({"busybox": bb_version, "results": run_real_wget(bb, tmp)},
                                            indent=1) + "\n")
    print(f"recorded {len(WGET_CASES)} wget cases with {bb_version}")
