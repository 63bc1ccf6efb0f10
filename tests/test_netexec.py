"""agnhost netexec's /dial, /redirect, /exit, /upload and its UDP server, as netexec.go answers
them (the JSON of /dial, Go's http.Error texts, the exit through the kubelet)."""
from __future__ import annotations

import json


def _setup(mk):
    mk("create", "deployment", "hostnames", "--image=registry.k8s.io/serve_hostname", "--replicas=2")
    mk("expose", "deployment", "hostnames", "--port=80", "--target-port=9376")
    mk("run", "net", "--image=registry.k8s.io/e2e-test-images/agnhost:2.39", "--", "netexec",
       "--http-port=8080", "--udp-port=8081")
    mk("run", "udp", "--image=registry.k8s.io/e2e-test-images/agnhost:2.39", "--", "netexec")
    mk("expose", "pod", "udp", "--port=90", "--target-port=8081", "--protocol=UDP", "--name=udp-svc")
    mk("run", "c", "--image=curlimages/curl:8.11.1", "--", "sleep", "3600")
    mk("run", "bb", "--image=busybox:1.36", "--", "sleep", "3600")
    mk.advance(40)
    return mk("get", "pod", "net", "-o", "jsonpath={.status.podIP}").out


def _pods(mk, selector):
    return set(mk("get", "pods", "-l", selector, "-o", "jsonpath={.items[*].metadata.name}").out.split())


def test_dial_http_collects_the_backends_answers(mk):
    ip = _setup(mk)
    r = mk("exec", "c", "--", "curl", "-s",
           f"http://{ip}:8080/dial?request=hostname&protocol=http&host=hostnames&port=80&tries=6")
    got = json.loads(r.out)
    assert list(got) == ["responses"] and len(got["responses"]) == 6, r
    assert set(got["responses"]) <= _pods(mk, "app=hostnames")
    assert r.out.startswith('{"responses":["')          # Go's json.Marshal: compact
    logs = mk("logs", "net").out
    assert "GET /dial?host=hostnames&protocol=http&port=80&request=hostname&tries=6\n" in logs, logs
    # nothing listening on the port: Go's dial error, once per try
    svc_ip = mk("get", "svc", "hostnames", "-o", "jsonpath={.spec.clusterIP}").out
    r = mk("exec", "c", "--", "curl", "-s", f"http://{ip}:8080/dial?request=hostname&host={ip}&port=9999&tries=2")
    url = f"http://{ip}:9999/hostname"
    assert json.loads(r.out) == {"errors": [f'Get "{url}": dial tcp {ip}:9999: connect: connection refused'] * 2}
    r = mk("exec", "c", "--", "curl", "-s", "-w", "%{http_code}",
           f"http://{ip}:8080/dial?request=hostname&host=nosuch&port=80")
    assert r.out.startswith("host and/or port param are invalid. lookup nosuch on 10.96.0.10:53: no such host\n")
    assert r.out.endswith("400")
    r = mk("exec", "c", "--", "curl", "-s", "-w", "%{http_code}", f"http://{ip}:8080/dial?host=hostnames&port=80")
    assert r.out == "request parameter not specified. <nil>\n400"
    assert svc_ip


def test_udp_server_through_dial_and_nc(mk):
    ip = _setup(mk)
    r = mk("exec", "c", "--", "curl", "-s",
           f"http://{ip}:8080/dial?request=hostname&protocol=udp&host=udp-svc&port=90")
    assert r.out == '{"responses":["udp"]}', r
    r = mk("exec", "c", "--", "curl", "-s", f"http://{ip}:8080/dial?request=echo%20Hi&protocol=udp&host=udp-svc&port=90")
    assert r.out == '{"responses":["hi"]}', r                    # netexec lower-cases what it reads
    # a UDP port nothing reads: ICMP port unreachable
    r = mk("exec", "c", "--", "curl", "-s", f"http://{ip}:8080/dial?request=hostname&protocol=udp&host={ip}&port=9")
    err = json.loads(r.out)["errors"][0]
    assert err.startswith(f"reading from udp connection failed. err:'read udp {ip}:") and \
        err.endswith(f"->{ip}:9: read: connection refused'"), err
    r = mk("exec", "bb", "--", "sh", "-c", f"echo hostname | nc -u -w1 {ip} 8081")
    assert r.out == "net", r
    bb_ip = mk("get", "pod", "bb", "-o", "jsonpath={.status.podIP}").out
    r = mk("exec", "bb", "--", "sh", "-c", "echo clientip | nc -u -w1 udp-svc 90")
    assert r.out.startswith(bb_ip + ":"), r


def test_redirect_exit_and_upload(mk):
    ip = _setup(mk)
    r = mk("exec", "c", "--", "curl", "-si", f"http://{ip}:8080/redirect?location=/hostname&code=307")
    head, body = r.out.split("\r\n\r\n", 1)
    assert head.split("\r\n")[:3] == ["HTTP/1.1 307 Temporary Redirect", "Content-Type: text/html; charset=utf-8",
                                      "Location: /hostname"]
    assert body == '<a href="/hostname">Temporary Redirect</a>.\n\n'
    mk("exec", "c", "--", "sh", "-c", "echo payload > /tmp/f.txt")
    r = mk("exec", "c", "--", "curl", "-s", "-w", " %{http_code}", "-F", "file=@/tmp/f.txt", f"http://{ip}:8080/upload")
    out, code = r.out.rsplit(" ", 1)
    name = json.loads(out)["output"]
    assert code == "201" and name.startswith("/uploads/upload"), r
    assert mk("exec", "net", "--", "cat", name).out == "payload\n"
    r = mk("exec", "c", "--", "curl", "-s", f"http://{ip}:8080/upload")
    assert r.out == '{"error":"Unable to upload file."}'
    r = mk("exec", "c", "--", "curl", "-s", f"http://{ip}:8080/exit?code=abc")
    assert r.out == 'argument \'code\' must be an integer [0-127] or empty, got "abc"\n'
    r = mk("exec", "c", "--", "curl", "-sS", f"http://{ip}:8080/exit?code=3")
    assert r.err.splitlines()[0] == "curl: (52) Empty reply from server", r
    mk.advance(2)
    st = json.loads(mk("get", "pod", "net", "-o", "json").out)["status"]["containerStatuses"][0]
    assert st["restartCount"] == 1 and st["lastState"]["terminated"]["exitCode"] == 3
    assert st["lastState"]["terminated"]["reason"] == "Error"


def test_nc_sends_an_http_request_and_prints_the_raw_answer(mk):
    _setup(mk)
    ip = mk("get", "pod", "net", "-o", "jsonpath={.status.podIP}").out
    r = mk("exec", "bb", "--", "sh", "-c", f"printf 'GET /hostname HTTP/1.0\\r\\n\\r\\n' | nc {ip} 8080")
    assert r.out.startswith("HTTP/1.1 200 OK\r\nDate: ") and r.out.endswith("\r\n\r\nnet"), r
    r = mk("exec", "bb", "--", "nc", "-lk", "-p", "8080")
    assert r.err.splitlines()[0] == "minikctl: nc listening (-l) or running a program (-e) is not simulated"
    r = mk("exec", "bb", "--", "sh", "-c", f"echo PING | nc {ip} 8080")
    assert r.err.splitlines()[0] == "minikctl: nc sending data other than an HTTP request is not simulated"


def test_healthz_needs_the_udp_server(mk):
    mk("run", "noudp", "--image=registry.k8s.io/e2e-test-images/agnhost:2.39", "--", "netexec", "--udp-port=-1")
    mk("run", "c", "--image=curlimages/curl:8.11.1", "--", "sleep", "3600")
    mk.advance(30)
    ip = mk("get", "pod", "noudp", "-o", "jsonpath={.status.podIP}").out
    r = mk("exec", "c", "--", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", f"http://{ip}:8080/healthz")
    assert r.out == "412", r


def test_exit_is_in_the_previous_containers_log(mk):
    ip = _setup(mk)
    mk("exec", "c", "--", "curl", "-s", f"http://{ip}:8080/exit?code=4&wait=1s")
    mk.advance(3)
    prev = mk("logs", "net", "-p").out
    assert "GET /exit?code=4&timeout=&wait=1s\n" in prev, prev
    assert prev.rstrip("\n").endswith("Will begin shutdown in 1s, allowing 0s for connections to close, "
                                      "then will exit with 4")


def test_https_netexec_says_it_is_not_simulated(mk):
    """--tls-cert-file makes netexec serve HTTPS (ListenAndServeTLS) with the container's files:
    not modelled, so neither a plain nor a TLS request may get an answer as if it were HTTP."""
    mk("run", "tls", "--image=registry.k8s.io/e2e-test-images/agnhost:2.39", "--", "netexec",
       "--http-port=8443", "--tls-cert-file=/localhost.crt", "--tls-private-key-file=/localhost.key")
    mk("run", "c", "--image=curlimages/curl:8.11.1", "--", "sleep", "3600")
    mk.advance(40)
    ip = mk("get", "pod", "tls", "-o", "jsonpath={.status.podIP}").out
    for url in (f"http://{ip}:8443/hostname", f"https://{ip}:8443/hostname"):
        r = mk("exec", "c", "--", "curl", "-sk", url)
        assert "tls" not in r.out, (url, r.out)
        assert "minikctl: agnhost netexec over HTTPS (--tls-cert-file) is not simulated" in r.out + r.err, (url, r)
        assert r.code != 0 and r.out == "", (url, r)
