"""Issue 10 part 2: each container runs what its image really runs (ENTRYPOINT/CMD as data,
`command`/`args` overriding), and what answers on its ports is what the real program prints.

Sources for the outputs: kubernetes test/images/agnhost (netexec.go: `NOW: %v` of time.Now(),
/hostname, /clientip = RemoteAddr, /echo?msg=, /shell JSON; serve_hostname.go: the hostname with
no newline, port 9376), the echoserver 1.4 page as the source-IP tutorial prints it, http-echo's
`-text` plus newline, Apache's "It works!".
"""
from __future__ import annotations

import json
import re

import pytest

from minikctl.images import behaviours


def _c(image, command=None, args=None, **kw):
    c = {"name": "c", "image": image, **kw}
    if command:
        c["command"] = command
    if args:
        c["args"] = args
    return c


@pytest.mark.parametrize("container,kind,ports", [
    (_c("nginx"), "server", {"http": 80}),
    (_c("nginx:1.27", ["sh", "-c", "echo hi > /usr/share/nginx/html/index.html && exec nginx -g 'daemon off;'"]),
     "server", {"http": 80}),
    (_c("registry.k8s.io/nginx-slim:0.24"), "server", {"http": 80}),
    (_c("httpd:2.4"), "server", {"http": 80}),
    (_c("registry.k8s.io/e2e-test-images/agnhost:2.39", args=["netexec", "--http-port=8081"]), "server",
     {"http": 8081, "udp": 8081}),
    (_c("registry.k8s.io/e2e-test-images/agnhost:2.39", args=["serve-hostname"]), "server", {"http": 9376}),
    (_c("registry.k8s.io/e2e-test-images/agnhost:2.39", args=["pause"]), "forever", {}),
    (_c("registry.k8s.io/serve_hostname"), "server", {"http": 9376}),
    (_c("k8s.gcr.io/echoserver:1.4"), "server", {"http": 8080}),
    (_c("hashicorp/http-echo", args=["-text=hi", "-listen=:8080"]), "server", {"http": 8080}),
    (_c("traefik/whoami"), "server", {"http": 80}),
    (_c("redis"), "server", {"tcp": 6379}),
    (_c("postgres:16"), "server", {"tcp": 5432}),
    (_c("mysql:8.0"), "server", {"tcp": 3306}),
    (_c("registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10",
        ["sh", "-c", "start-zookeeper --servers=3 --data_dir=/var/lib/zookeeper/data --client_port=2181"]),
     "server", {"tcp": 2181, "server": 2888, "election": 3888}),
    (_c("registry.k8s.io/pause:3.10"), "forever", {}),
])
def test_the_process_each_image_runs(container, kind, ports):
    proc = behaviours.process(container)
    assert (proc.kind, proc.ports) == (kind, ports)
    assert behaviours.lifetime(container) is None


@pytest.mark.parametrize("container,life", [
    (_c("busybox"), 0.0), (_c("alpine:3.20"), 0.0), (_c("ubuntu:22.04"), 0.0), (_c("debian:bookworm"), 0.0),
    (_c("busybox", stdin=True, tty=True), None),
    (_c("busybox:1.28", ["sleep", "3600"]), 3600.0), (_c("busybox", ["sh", "-c", "echo hi; sleep 5"]), 5.0),
    (_c("busybox", ["sh", "-c", "while true; do sleep 1; done"]), None),
    (_c("nginx", ["sh", "-c", "echo done"]), 0.0),
    (_c("myuser/myapp:1"), None), (_c("myuser/myapp:1", ["/app/server", "--port=8000"]), None),
    (_c("myuser/myapp:1", ["sh", "-c", "echo hi"]), 0.0),
])
def test_how_long_the_process_runs(container, life):
    assert behaviours.lifetime(container) == life


def test_unmodelled_images_are_said_so():
    assert not behaviours.process(_c("myuser/myapp:1")).modelled
    assert not behaviours.process(_c("myuser/myapp:1", ["/app/server"])).modelled
    assert behaviours.process(_c("nginx")).modelled


# -- through the cluster ----------------------------------------------------------------------------

def _ip(mk, pod):
    return mk("get", "po", pod, "-o", "jsonpath={.status.podIP}").out


@pytest.fixture
def lab(mk):
    assert mk("run", "bb", "--image=busybox:1.36", "--", "sleep", "3600").code == 0
    return mk


def _wget(mk, url):
    return mk("exec", "bb", "--", "wget", "-qO-", url)


def test_debug_services_hostnames_answer_their_names(lab):
    mk = lab
    mk("create", "deployment", "hostnames", "--image=registry.k8s.io/serve_hostname")
    mk("scale", "deployment", "hostnames", "--replicas=3")
    mk("expose", "deployment", "hostnames", "--port=80", "--target-port=9376")
    mk.advance(20)
    names = {p["metadata"]["name"] for p in json.loads(mk("get", "po", "-l", "app=hostnames", "-o", "json").out)["items"]}
    seen = set()
    for _ in range(30):
        r = _wget(mk, "hostnames")
        assert r.code == 0, r.err
        seen.add(r.out)                       # the hostname, no newline (fmt.Fprintf "%s")
    assert seen <= names and len(seen) >= 2


def test_agnhost_netexec_endpoints(lab):
    mk = lab
    mk("run", "nx", "--image=registry.k8s.io/e2e-test-images/agnhost:2.39", "--", "netexec", "--http-port=8080")
    mk.advance(10)
    ip, me = _ip(mk, "nx"), _ip(mk, "bb")
    assert _wget(mk, f"http://{ip}:8080/hostname").out == "nx"
    assert re.fullmatch(rf"{re.escape(me)}:\d+", _wget(mk, f"http://{ip}:8080/clientip").out)
    assert _wget(mk, f"http://{ip}:8080/echo?msg=hello").out == "hello"
    assert re.fullmatch(r"NOW: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} \+0000 UTC m=\+\d+\.\d{9}",
                        _wget(mk, f"http://{ip}:8080/").out)
    assert _wget(mk, f"http://{ip}:8080/shell?cmd=hostname").out == '{"output":"nx\\n"}'
    assert _wget(mk, f"http://{ip}:8081/").code == 1            # UDP only there: TCP refused


def test_echoserver_client_values_page(lab):
    mk = lab
    mk("run", "echo", "--image=registry.k8s.io/echoserver:1.4", "--port=8080")
    mk.advance(10)
    ip, me = _ip(mk, "echo"), _ip(mk, "bb")
    out = _wget(mk, f"http://{ip}:8080/").out
    assert out.startswith("CLIENT VALUES:\n" f"client_address={me}\ncommand=GET\nreal path=/\nquery=nil\n")
    assert "SERVER VALUES:\nserver_version=nginx: 1.10.0 - lua: 10001\n" in out
    assert f"host={ip}:8080\n" in out and out.endswith("BODY:\n-no body in request-")


def test_source_ip_through_a_nodeport_is_the_node(lab):
    mk = lab
    mk("create", "deployment", "source-ip-app", "--image=registry.k8s.io/echoserver:1.4")
    mk("expose", "deployment", "source-ip-app", "--name=nodeport", "--port=80", "--target-port=8080",
       "--type=NodePort")
    mk.advance(10)
    svc = json.loads(mk("get", "svc", "nodeport", "-o", "json").out)
    node_port = svc["spec"]["ports"][0]["nodePort"]
    out = _wget(mk, f"http://192.168.1.11:{node_port}/").out
    m = re.search(r"client_address=(\S+)", out)
    assert m and m.group(1).startswith("192.168.1.")           # SNAT to a node, not the pod's IP


def test_http_echo_whoami_httpd(lab):
    mk = lab
    mk("run", "he", "--image=hashicorp/http-echo", "--", "-text=hello world")
    mk("run", "who", "--image=traefik/whoami")
    mk("run", "web", "--image=httpd:2.4")
    mk.advance(10)
    assert _wget(mk, f"http://{_ip(mk, 'he')}:5678/").out == "hello world\n"
    who = _wget(mk, f"http://{_ip(mk, 'who')}/").out
    assert who.startswith(f"Hostname: who\nIP: 127.0.0.1\nIP: ::1\nIP: {_ip(mk, 'who')}\nRemoteAddr: ")
    assert "GET / HTTP/1.1\r\n" in who
    assert _wget(mk, f"http://{_ip(mk, 'web')}/").out == "<html><body><h1>It works!</h1></body></html>\n"


def test_unmodelled_image_stays_running_and_says_so(lab):
    mk = lab
    mk("run", "app", "--image=myuser/myapp:1", "--port=8000")
    mk.advance(30)
    assert re.search(r"^app\s+1/1\s+Running\s+0", mk("get", "po").out, re.M)
    r = _wget(mk, f"http://{_ip(mk, 'app')}:8000/")
    assert r.code == 1 and "minikctl: the behaviour of image myuser/myapp:1 is not simulated" in r.err


def test_tcp_servers_are_not_http(lab):
    mk = lab
    mk("run", "rd", "--image=redis:7.2")
    mk.advance(10)
    r = _wget(mk, f"http://{_ip(mk, 'rd')}:6379/")
    assert r.code == 1 and "Connection refused" not in r.err


def test_busybox_deployment_without_a_command_crash_loops(mk):
    mk("create", "deployment", "bb", "--image=busybox:1.36")
    mk.advance(60)
    pod = json.loads(mk("get", "po", "-l", "app=bb", "-o", "json").out)["items"][0]
    cs = pod["status"]["containerStatuses"][0]
    assert cs["restartCount"] >= 2
    assert cs["lastState"]["terminated"]["reason"] == "Completed"
    assert re.search(r"CrashLoopBackOff|Completed", mk("get", "po").out)


def test_busybox_pod_without_a_command_completes_with_restart_never(mk):
    mk("run", "once", "--image=busybox:1.36", "--restart=Never")
    mk.advance(10)
    assert re.search(r"^once\s+0/1\s+Completed\s+0", mk("get", "po").out, re.M)


def test_database_clients_talk_to_the_simulated_servers(mk):
    for name, image in (("rd", "redis:7.2"), ("pg", "postgres:16"), ("my", "mysql:8.0")):
        assert mk("run", name, f"--image={image}").code == 0
    mk("expose", "po", "rd", "--port=6379")
    mk.advance(10)
    assert mk("exec", "rd", "--", "redis-cli", "PING").out == "PONG\n"
    assert mk("exec", "pg", "--", "pg_isready").out == "/var/run/postgresql:5432 - accepting connections\n"
    assert mk("exec", "my", "--", "mysqladmin", "ping").out == "mysqld is alive\n"
    r = mk("exec", "pg", "--", "pg_isready", "-h", "rd", "-p", "5433")
    assert (r.code, r.out) == (2, "rd:5433 - no response\n")
    assert mk("exec", "rd", "--", "redis-cli", "-h", "rd", "ping").out == "PONG\n"      # through the Service
    r = mk("exec", "rd", "--", "redis-cli", "SET", "a", "b")
    assert r.code == 1 and r.err.startswith("minikctl: redis-cli SET is not simulated")


def test_logs_of_agnhost_and_serve_hostname_are_what_they_print(lab):
    mk = lab
    mk("run", "nx", "--image=registry.k8s.io/e2e-test-images/agnhost:2.39", "--", "netexec", "--http-port=8080")
    mk("run", "sh1", "--image=registry.k8s.io/serve_hostname")
    mk("run", "slim", "--image=registry.k8s.io/nginx-slim:0.24")
    mk.advance(10)
    _wget(mk, f"http://{_ip(mk, 'nx')}:8080/hostname")
    _wget(mk, f"http://{_ip(mk, 'sh1')}:9376/")
    stamp = r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d "
    lines = mk("logs", "nx").out.splitlines()
    assert [re.sub(stamp, "", x) for x in lines] == ["Started HTTP server on port 8080",
                                                     "Started UDP server on port  8081", "GET /hostname"]
    assert all(re.match(stamp, x) for x in lines)
    lines = mk("logs", "sh1").out.splitlines()
    assert lines[0].endswith(" Serving on port 9376.")
    assert re.fullmatch(stamp + rf"HTTP request from {re.escape(_ip(mk, 'bb'))}:\d+", lines[1])
    assert mk("logs", "slim").out == ""        # nginx-slim has no docker-entrypoint.sh chatter


def test_agnhost_dns_subcommands_read_the_containers_files(mk):
    mk("run", "ag", "--image=registry.k8s.io/e2e-test-images/agnhost:2.39")     # CMD pause: stays up
    mk.advance(10)
    assert re.search(r"^ag\s+1/1\s+Running\s+0", mk("get", "po").out, re.M)
    resolv = mk("exec", "ag", "--", "cat", "/etc/resolv.conf").out
    search = re.search(r"^search (.*)$", resolv, re.M).group(1)
    assert mk("exec", "ag", "--", "/agnhost", "dns-suffix").out == search.replace(" ", ",") + "\n"
    assert mk("exec", "ag", "--", "/agnhost", "dns-server-list").out == "10.96.0.10\n"
    hosts = mk("exec", "ag", "--", "cat", "/etc/hosts").out
    assert mk("exec", "ag", "--", "/agnhost", "etc-hosts").out == hosts + "\n"    # fmt.Println of the file
