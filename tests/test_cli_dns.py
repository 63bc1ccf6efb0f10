"""`minikctl dns serve` as a learner runs it: a real server on loopback, queried with dig."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest

from conftest import ROOT, SPEC, cli

pytestmark = pytest.mark.skipif(shutil.which("dig") is None, reason="dig (Debian bind9-dnsutils) is not installed")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dig(port: int, *args: str) -> str:
    return subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+time=2", "+tries=1", *args],
                          capture_output=True, text=True, timeout=20).stdout


def test_dns_serve_answers_from_the_live_state(tmp_path):
    home = tmp_path / "state"
    for f in ("test-headless-server", "web-server"):
        assert cli("apply", "-f", str(SPEC / f"{f}.yaml"), home=home).code == 0
    time.sleep(2)
    port = free_port()
    env = dict(os.environ, MINIKCTL_HOME=str(home), NO_COLOR="1")
    server = subprocess.Popen([sys.executable, "-m", "minikctl", "dns", "serve", "--port", str(port)], env=env,
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 15
        out = ""
        while time.time() < deadline and "ANSWER SECTION" not in out:
            time.sleep(0.3)
            out = dig(port, "web-server-svc.default.svc.cluster.local")
        svc_ip = cli("get", "svc", "web-server-svc", "-o", "jsonpath={.spec.clusterIP}", home=home).out
        assert re.search(rf"^web-server-svc\.default\.svc\.cluster\.local\.\s+30\s+IN\s+A\s+{re.escape(svc_ip)}$", out, re.M), out
        assert "flags: qr aa rd;" in out
        pod_ips = set(cli("get", "po", "-l", "app=headless-server", "-o",
                          "jsonpath={.items[*].status.podIP}", home=home).out.split())
        ans = dig(port, "+short", "headless-svc.default.svc.cluster.local")
        assert set(ans.split()) == pod_ips
        assert "status: NXDOMAIN" in dig(port, "nope.default.svc.cluster.local")
        # the server follows the store: a new Service appears without a restart
        assert cli("create", "service", "clusterip", "late", "--tcp=80:80", home=home).code == 0
        late_ip = cli("get", "svc", "late", "-o", "jsonpath={.spec.clusterIP}", home=home).out
        deadline = time.time() + 10
        while time.time() < deadline and dig(port, "+short", "late.default.svc.cluster.local").strip() != late_ip:
            time.sleep(0.3)
        assert dig(port, "+short", "late.default.svc.cluster.local").strip() == late_ip
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "serving cluster DNS on 127.0.0.1" in server.stderr.read()
