"""The real server, queried with Debian's dig (skipped when dig is missing)."""
import re
import shutil
import socket
import subprocess
import threading

import pytest

from test_dns_state import lab_objects, lab_view
from minikctl.net.dns.server import DnsServer, serve
from minikctl.sim.view import StaticView

pytestmark = pytest.mark.skipif(shutil.which("dig") is None, reason="dig not installed")


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


@pytest.fixture
def server():
    state = {"view": lab_view(), "rev": 1}
    port = _free_port()
    ready, stop = threading.Event(), threading.Event()
    t = threading.Thread(target=serve, args=(lambda: state["view"], lambda: state["rev"]),
                         kwargs={"port": port, "ready": ready, "stop": stop}, daemon=True)
    t.start()
    assert ready.wait(5)
    yield port, state
    stop.set()
    t.join(3)


def dig(port, *args):
    return subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+time=2", "+tries=1", *args],
                          capture_output=True, text=True, timeout=10).stdout


def test_dig_headless_and_flags(server):
    port, _ = server
    out = dig(port, "headless-svc.default.svc.cluster.local")
    assert ";; flags: qr aa rd;" in out and "status: NOERROR" in out
    assert sorted(dig(port, "+short", "headless-svc.default.svc.cluster.local").split()) == \
        ["10.100.7.158", "10.100.7.159", "10.100.7.160"]


def test_dig_nxdomain_srv_ptr_cname_tcp(server):
    port, _ = server
    out = dig(port, "empty-headless.default.svc.cluster.local")
    assert "status: NXDOMAIN" in out and "ns.dns.cluster.local. hostmaster.cluster.local." in out
    srv = dig(port, "+tcp", "+short", "_web._tcp.headless-web-server-svc.default.svc.cluster.local", "SRV")
    assert "0 33 80 web-server-0.headless-web-server-svc.default.svc.cluster.local." in srv
    assert dig(port, "+short", "-x", "10.96.0.10").strip() == "kube-dns.kube-system.svc.cluster.local."
    assert dig(port, "+short", "my-service.prod.svc.cluster.local").split() == ["my.database.example.com.", "203.0.113.10"]


def test_simulated_dig_record_lines_match_real_dig(server):
    """Our dnsutils dig renders records with BIND's column rule: compare with the real dig."""
    from minikctl.images import dnsutils
    from minikctl.net.dns import records
    port, _ = server
    for name, t in (("headless-web-server-svc.default.svc.cluster.local", "SRV"),
                    ("nosuch.default.svc.cluster.local", "A"), ("web-server-svc.default.svc.cluster.local", "A")):
        real = dig(port, "+noall", "+answer", "+authority", "+additional", name, t).splitlines()
        a = records.answer(StaticView(lab_objects()), name, t, shuffle=False)
        ours = [dnsutils.rr_line(rr) for rr in a.answer + a.authority + a.additional]
        assert sorted(real) == sorted(ours)


def test_reload_on_revision_and_bad_packets(server):
    port, state = server
    state["view"] = StaticView(lab_objects(corefile=".:53 {\n kubernetes cluster.local {\n  ttl 7\n }\n}\n"))
    state["rev"] = 2
    import time
    time.sleep(1.2)
    dig(port, "kubernetes.default.svc.cluster.local")  # trigger a poll
    time.sleep(0.6)
    out = dig(port, "+noall", "+answer", "kubernetes.default.svc.cluster.local")
    assert out.split()[1] == "7" and out.split()[-1] == "10.96.0.1"
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for junk in (b"", b"\x00", b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x3fabc", b"\xff" * 40):
        s.sendto(junk, ("127.0.0.1", port))
    s.close()
    assert "status: NOERROR" in dig(port, "web-server-svc.default.svc.cluster.local")


def test_handle_formerr_and_never_raises():
    srv = DnsServer(lambda: lab_view(), lambda: 1)
    bad = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x3fabc"
    r = srv.handle(bad)
    assert r[:2] == b"\x12\x34" and r[3] & 0x0F == 1
    assert srv.handle(b"\x00") is None


def test_simulated_host_matches_real_host(server):
    """dnsutils' host (and host -v) against the real host asking the same records: the real one
    names its server; ours asks the pod's (10.96.0.10), so that line is put in its place."""
    from minikctl.images import dnsutils
    from minikctl.images.context import ExecContext
    port, _ = server
    view = StaticView(lab_objects())
    pod = next(p for p in view.list("Pod") if (p.get("status") or {}).get("podIP"))
    ctx = ExecContext(view=view, pod=pod, container=pod["spec"]["containers"][0]["name"])
    using = f"Using domain server:\nName: 127.0.0.1\nAddress: 127.0.0.1#{port}\nAliases: \n\n"
    for args in (["web-server-svc.default.svc.cluster.local."], ["-t", "SRV",
                 "_web._tcp.headless-web-server-svc.default.svc.cluster.local."],
                 ["my-service.prod.svc.cluster.local."], ["10.96.0.10"],
                 ["-v", "web-server-svc.default.svc.cluster.local."],
                 ["-v", "-t", "SRV", "_web._tcp.headless-web-server-svc.default.svc.cluster.local."]):
        real = subprocess.run(["host", "-p", str(port), *args, "127.0.0.1"], capture_output=True, text=True,
                              timeout=10)
        text = real.stdout.replace(using, "").replace(f"127.0.0.1#{port}", "10.96.0.10#53")
        text = re.sub(r" in \d+ ms$", " in 0 ms", text, flags=re.M)         # the real round trip's time
        text = "\n".join(ln for ln in text.split("\n") if not ln.startswith(";; ->>HEADER<<-"))
        out, _, code = dnsutils.host(ctx, ["host", *args])
        out = "\n".join(ln for ln in out.split("\n") if not ln.startswith(";; ->>HEADER<<-"))
        if "SRV" in args:                                   # the server shuffles the additional records
            out, text = sorted(out.split("\n")), sorted(text.split("\n"))
        assert (out, code) == (text, real.returncode), args
