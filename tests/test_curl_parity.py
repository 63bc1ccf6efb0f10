"""curl and busybox wget in pods against the real ones: the same bytes on the wire (tests/curl_replay.py replays
the simulated nginx's answer on loopback), the same command lines, the same stdout, stderr and
exit status. The real outputs are recorded in tests/data/curl/recorded.json (curl 7.88.1); when
curl is installed the comparison also runs live. Then what the real curl cannot be asked here:
-o into the container's files, grouped flags, -w's time variables' shape, -L, -F and -d."""
from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import curl_replay as R  # noqa: E402

RECORDED = json.loads(R.RECORDED.read_text())["results"]
RECORDED_WGET = json.loads(R.RECORDED_WGET.read_text())["results"]


@pytest.mark.parametrize("rec", RECORDED, ids=[" ".join(r["case"]) for r in RECORDED])
def test_curl_matches_the_recorded_real_curl(rec):
    assert R.run_ours(rec["case"]) == rec


def _usage_cut(rec: dict) -> dict:
    """A bad option: the error line and the status (the usage text after it is the build's)."""
    if rec["stderr"].startswith("wget: invalid option"):
        return {**rec, "stderr": rec["stderr"].split("\n", 1)[0]}
    return rec


@pytest.mark.parametrize("rec", RECORDED_WGET, ids=[" ".join(r["case"]) or "(url)" for r in RECORDED_WGET])
def test_busybox_wget_matches_the_recorded_real_wget(rec):
    assert _usage_cut(R.run_ours_wget(rec["case"])) == _usage_cut(rec)


@pytest.mark.skipif(shutil.which("busybox") is None, reason="busybox is not installed")
def test_busybox_wget_matches_the_live_real_wget(tmp_path):
    for real in R.run_real_wget(shutil.which("busybox"), str(tmp_path)):
        assert _usage_cut(R.run_ours_wget(real["case"])) == _usage_cut(real)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_matches_the_live_real_curl():
    for real in R.run_real(shutil.which("curl")):
        assert R.run_ours(real["case"]) == real


def test_write_out_times_and_addresses_have_curls_shape():
    ctx = R.pod_context()
    from minikctl.images.curl import curl
    fmt = ("%{time_namelookup} %{time_connect} %{time_appconnect} %{time_pretransfer} %{time_starttransfer} "
           "%{time_total}|%{speed_download}|%{remote_ip}:%{remote_port}|%{local_ip}|%{scheme}")
    out, err, code = curl(ctx, ["curl", "-so", "/dev/null", "-w", fmt, "web-server-svc"])
    assert (err, code) == ("", 0)
    times, speed, remote, local, scheme = out.split("|")
    vals = times.split()
    assert all(re.fullmatch(r"\d+\.\d{6}", t) for t in vals), out
    n, c, a, p, s, t = map(float, vals)
    assert a == 0 and n <= c <= p <= s <= t          # no TLS; the phases in curl's order
    assert int(speed) == int(615 / t)
    assert remote == "10.96.254.166:80" and local == "10.100.36.231" and scheme == "HTTP"
    # a failed transfer: 000, no addresses, the error in errormsg / exitcode
    out, err, code = curl(ctx, ["curl", "-s", "-w", "%{http_code}|%{remote_ip}|%{exitcode}|%{errormsg}",
                                "http://nosuchname"])
    assert (out, err, code) == ("000||6|Could not resolve host: nosuchname", "", 6)


def test_o_writes_the_body_into_the_containers_files(mk):
    mk("create", "deployment", "web", "--image=nginx")
    mk("expose", "deployment", "web", "--port=80")
    mk("run", "c", "--image=curlimages/curl:8.11.1", "--", "sleep", "3600")
    mk.advance(30)
    r = mk("exec", "c", "--", "sh", "-c",
           "curl -so /tmp/page.html -w '%{http_code} %{size_download} %{filename_effective}\\n' http://web; "
           "wc -c /tmp/page.html; grep -c nginx /tmp/page.html")
    assert r.out == "200 615 /tmp/page.html\n615 /tmp/page.html\n6\n", r
    r = mk("exec", "c", "--", "sh", "-c", "cd /tmp && curl -sO http://web/index.html && ls index.html")
    assert r.out == "index.html\n", r
    # the writable layer outlives the exec
    assert mk("exec", "c", "--", "wc", "-c", "/tmp/page.html").out == "615 /tmp/page.html\n"
    r = mk("exec", "c", "--", "curl", "-sS", "-o", "/nonexistent-dir/x", "http://web")
    assert r.err.splitlines()[0] == "curl: (23) Failure writing output to destination" and r.code == 23
    r = mk("exec", "c", "--", "curl", "-o", "/nonexistent-dir/x", "http://web")
    assert "Warning: Failed to open the file /nonexistent-dir/x: No such file or directory\n" in r.err
    assert r.err.startswith("  % Total") and r.code == 23


def test_grouped_flags_and_redirects_and_post(mk):
    mk("run", "net", "--image=registry.k8s.io/e2e-test-images/agnhost:2.39", "--", "netexec")
    mk("run", "c", "--image=curlimages/curl:8.11.1", "--", "sleep", "3600")
    mk.advance(30)
    ip = mk("get", "pod", "net", "-o", "jsonpath={.status.podIP}").out
    r = mk("exec", "c", "--", "curl", "-sSL", "-w", " %{num_redirects} %{url_effective}",
           f"http://{ip}:8080/redirect?location=/echo%3Fmsg%3Dmoved")
    assert r.out == f"moved 1 http://{ip}:8080/echo?msg=moved", r
    r = mk("exec", "c", "--", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
           f"http://{ip}:8080/redirect?location=/hostname")
    assert r.out == f"302 http://{ip}:8080/hostname", r
    r = mk("exec", "c", "--", "curl", "-fsS", f"http://{ip}:8080/echo?code=503")
    assert r.err.splitlines()[0] == "curl: (22) The requested URL returned error: 503" and r.code == 22
    r = mk("exec", "c", "--", "curl", "-s", "-o", "/dev/null", "-w", "%{size_upload} %{method}", "-d", "a=b&c=d",
           f"http://{ip}:8080/echo")
    assert r.out == "7 POST", r
    r = mk("exec", "c", "--", "curl", "--proxy", "http://p:3128", f"http://{ip}:8080/")
    assert r.err.splitlines()[0] == "minikctl: curl --proxy is not simulated" and r.code == 1


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_error_meters_are_drawn_as_the_real_curl_draws_them():
    """Without -s, a failed transfer still draws the meter: a refused connection twice then a
    newline, a name that does not resolve once without one (the real curl on loopback's port 1
    and on a .invalid name; the host:port in the message put in our place)."""
    import subprocess
    from minikctl.images.curl import curl
    ctx = R.pod_context()
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C"}
    zero = "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0"

    def once(text: str) -> str:          # a slow machine redraws the meter each second: one draw
        return re.sub(f"({re.escape(zero)})+", zero, text)
    real = subprocess.run(["curl", "http://127.0.0.1:1/"], capture_output=True, env=env)
    ours = curl(ctx, ["curl", "http://10.100.36.231:1/"])         # the pod itself: nothing on port 1
    assert ours[2] == real.returncode == 7
    assert ours[1].count(zero) == 2
    assert once(ours[1].replace("10.100.36.231", "127.0.0.1")) == once(re.sub(r"after \d+ ms", "after 0 ms",
                                                                              real.stderr.decode()))
    real = subprocess.run(["curl", "http://nosuch.invalid/"], capture_output=True, env=env)
    ours = curl(ctx, ["curl", "http://nosuch.invalid/"])
    assert ours[1].count(zero) == 1
    assert (once(ours[1]), ours[2]) == (once(real.stderr.decode()), real.returncode)
