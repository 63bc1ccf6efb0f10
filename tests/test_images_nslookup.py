"""In-pod tools against the spec's four busybox 1.28 outputs and the reference formats."""
import re
import sys

import pytest

from test_dns_state import lab_objects, lab_view
from minikctl.images import registry
from minikctl.images.context import ExecContext
from minikctl.images.shell import ShellSession
from minikctl.sim.view import StaticView

DNSUTILS = "registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3"
HEAD = "Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\n"


def run(argv, image=None, view=None):
    v = view or lab_view()
    p = v.get("Pod", "default", "busybox")
    if image:
        p = {**p, "spec": {**p["spec"], "containers": [{"name": "busybox", "image": image}]}}
    return registry.run(ExecContext(view=v, pod=p, container="busybox"), argv)


def _addr_lines(out):
    head, _, rest = out.partition("\n\n")
    return head + "\n\n", rest.splitlines()


@pytest.mark.parametrize("name,expected", [
    ("headless-svc", ["Name:      headless-svc",
                      "10.100.7.159 10-100-7-159.headless-svc.default.svc.cluster.local",
                      "10.100.7.158 10-100-7-158.headless-svc.default.svc.cluster.local",
                      "10.100.7.160 10-100-7-160.headless-svc.default.svc.cluster.local"]),
    ("web-server-svc", ["Name:      web-server-svc", "10.96.254.166 web-server-svc.default.svc.cluster.local"]),
    ("headless-web-server-svc", ["Name:      headless-web-server-svc",
                                 "10.100.36.233 web-server-0.headless-web-server-svc.default.svc.cluster.local",
                                 "10.100.118.97 web-server-2.headless-web-server-svc.default.svc.cluster.local",
                                 "10.100.7.170 web-server-1.headless-web-server-svc.default.svc.cluster.local"]),
    ("web-server-0.headless-web-server-svc",
     ["Name:      web-server-0.headless-web-server-svc",
      "10.100.36.233 web-server-0.headless-web-server-svc.default.svc.cluster.local"]),
])
def test_busybox_128_spec_outputs(name, expected):
    out, err, code = run(["nslookup", name])
    head, lines = _addr_lines(out)
    assert head == HEAD and code == 0 and err == ""
    assert lines[0] == expected[0]
    # addresses numbered 1..n in answer order (loadbalance shuffles the order, not the set)
    got = []
    for n, line in enumerate(lines[1:], 1):
        m = re.fullmatch(rf"Address {n}: (.+)", line)
        assert m, line
        got.append(m.group(1))
    assert sorted(got) == sorted(expected[1:])


def test_busybox_128_failures_and_timeout():
    out, err, code = run(["nslookup", "empty-headless"])
    assert (out, err, code) == (HEAD, "nslookup: can't resolve 'empty-headless'\n", 1)
    down = StaticView(lab_objects(coredns_ready=False))
    out, err, code = run(["nslookup", "web-server-svc"], view=down)
    assert out == "Server:    10.96.0.10\nAddress 1: 10.96.0.10\n\n" and code == 1
    assert err == "nslookup: can't resolve 'web-server-svc'\n"


def test_busybox_136_format_and_exit_status():
    out, err, code = run(["nslookup", "kubernetes"], image="busybox:1.36")
    assert code == 1
    assert out == ("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
                   "Name:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n\n"
                   "** server can't find kubernetes.svc.cluster.local: NXDOMAIN\n\n"
                   "** server can't find kubernetes.cluster.local: NXDOMAIN\n\n"
                   "\n"
                   "** server can't find kubernetes.svc.cluster.local: NXDOMAIN\n\n"
                   "** server can't find kubernetes.cluster.local: NXDOMAIN\n\n")
    out, _, code = run(["nslookup", "kubernetes.default"], image="busybox")
    assert out.count("** server can't find kubernetes.default: NXDOMAIN") == 2 and code == 1
    out, _, _ = run(["nslookup", "-type=srv", "_web._tcp.headless-web-server-svc.default.svc.cluster.local"],
                    image="busybox:1.36")
    assert "\tservice = 0 33 80 web-server-0.headless-web-server-svc.default.svc.cluster.local\n" in out


def test_bind_nslookup_dig_host():
    out, _, code = run(["nslookup", "web-server-svc"], image=DNSUTILS)
    assert out == ("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n"
                   "Name:\tweb-server-svc.default.svc.cluster.local\nAddress: 10.96.254.166\n\n") and code == 0
    out, _, code = run(["nslookup", "nosuch"], image=DNSUTILS)
    assert "** server can't find nosuch: NXDOMAIN\n" in out and code == 1
    out, _, _ = run(["nslookup", "10.96.0.10"], image=DNSUTILS)
    assert "10.0.96.10.in-addr.arpa\tname = kube-dns.kube-system.svc.cluster.local.\n" in out
    out, _, _ = run(["dig", "nosuch.default.svc.cluster.local"], image=DNSUTILS)
    assert "status: NXDOMAIN" in out and ";; flags: qr aa rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1" in out
    assert ";; WARNING: recursion requested but not available" in out
    assert "cluster.local.\t\t30\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local." in out
    out, _, _ = run(["host", "my-service.prod"], image=DNSUTILS)
    assert out == ("my-service.prod.svc.cluster.local is an alias for my.database.example.com.\n"
                   "my.database.example.com has address 203.0.113.10\n")


def test_nginx_has_no_nslookup_and_sh_not_found():
    with pytest.raises(registry.ExecutableNotFound) as ei:
        run(["nslookup", "x"], image="nginx")
    assert ei.value.name == "nslookup"
    out, err, code = run(["sh", "-c", "foo; echo $?"])
    assert (out, err, code) == ("127\n", "sh: foo: not found\n", 0)
    out, err, code = run(["sh", "-c", "foo"], image="nginx")
    assert (err, code) == ("sh: 1: foo: not found\n", 127)
    out, _, _ = run(["sh", "-c", "A='x y'; echo \"$A\" && false || echo no"])
    assert out == "x y\nno\n"


def test_sh_expansions_and_redirections_follow_posix_sh():
    """Command substitution, field splitting and redirections, as any POSIX sh does them."""
    out, err, code = run(["sh", "-c", "echo $(hostname); X='a  b'; echo [$X] \"[$X]\""])
    assert (out, err, code) == ("busybox\n[a b] [a  b]\n", "", 0)
    out, err, _ = run(["sh", "-c", "foo 2>/dev/null; echo $?; foo 2>&1 | cat; echo up >&2"])
    assert (out, err) == ("127\nsh: foo: not found\n", "up\n")
    out, _, _ = run(["sh", "-c", "cat < /etc/hostname; echo kept > /tmp/x"])
    assert out == "busybox\n"                   # the redirection is not an argument of echo
    out, err, code = run(["sh", "-c", "echo a; echo b |"])
    assert (out, err, code) == ("", "sh: syntax error: unexpected end of file\n", 2)
    _, err, code = run(["sh", "-c", "cat < /nope"])
    assert (err, code) == ("sh: can't open '/nope': No such file or directory\n", 1)


def test_base_files_and_env():
    out, _, _ = run(["cat", "/etc/resolv.conf"])
    assert out == "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    v = lab_view()
    p = v.get("Pod", "default", "web-server-0")
    out, _, _ = registry.run(ExecContext(view=v, pod=p, container="web"), ["cat", "/etc/hosts"])
    assert out.endswith("10.100.36.233\tweb-server-0.headless-web-server-svc.default.svc.cluster.local\tweb-server-0\n")
    out, _, _ = run(["env"])
    assert "KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443\n" in out and "WEB_SERVER_SVC_SERVICE_HOST=10.96.254.166\n" in out
    assert "HEADLESS_SVC" not in out and out.startswith("PATH=") and out.endswith("HOME=/root\n")


def test_interactive_session():
    v = lab_view()
    s = ShellSession(ExecContext(view=v, pod=v.get("Pod", "default", "busybox"), container="busybox"))
    assert s.prompt == "/ # "
    o, e, done = s.feed("hostname")
    assert o == "busybox\n" and not done
    assert s.feed("exit 3")[2] and s.exit_code == 3


def test_no_host_process_or_file_during_exec():
    """Audit hook: any process creation or opening a host file during tool runs fails the test."""
    v = lab_view()
    p = v.get("Pod", "default", "busybox")
    import dnslib  # noqa: F401  (warm imports before arming the hook)
    from minikctl.images import busybox_128, busybox_new, dnsutils, nginx  # noqa: F401
    bad = []
    armed = [True]

    def hook(event, args):
        if not armed[0]:
            return
        if event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork"):
            bad.append(event)
        if event == "open" and isinstance(args[0], (str, bytes)) and not str(args[0]).endswith((".py", ".pyc")):
            bad.append(f"open {args[0]}")
    sys.addaudithook(hook)
    try:
        ctx = ExecContext(view=v, pod=p, container="busybox")
        for argv in (["cat", "/etc/passwd"], ["cat", "/etc/hosts"], ["sh", "-c", "cat /etc/shadow; ls /; env"],
                     ["nslookup", "headless-svc"], ["sh", "-c", "rm -rf /; /bin/sh -c 'exec python'"]):
            registry.run(ctx, argv)
        for img in ("busybox:1.36", DNSUTILS):
            run(["nslookup", "kubernetes"], image=img, view=v)
        run(["dig", "kubernetes.default.svc.cluster.local"], image=DNSUTILS, view=v)
    finally:
        armed[0] = False
    assert bad == []
