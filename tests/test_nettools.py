"""busybox wget versions, curl flavours (container 8.x vs CentOS 7's 7.29), -I, nc."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_proxy_fixtures import busybox, spec_view  # noqa: E402

from minikctl.images.context import ExecContext  # noqa: E402
from minikctl.images.nettools import TOOLS  # noqa: E402


def ctx_for(image):
    p = busybox(image=image)
    p["metadata"]["name"] = "bb2"
    p["status"]["podIP"] = "10.100.36.231"
    v = spec_view(p)
    return ExecContext(view=v, pod=v.get("Pod", "default", "bb2"), container="c")


def test_wget_saving_lines_depend_on_busybox_version():
    new = TOOLS["wget"](ctx_for("busybox:1.36"), ["wget", "web-server-svc"])[1].rstrip("\n").split("\n")
    assert new[0] == "Connecting to web-server-svc (10.96.254.166:80)"
    assert new[1] == "saving to 'index.html'" and new[-1] == "'index.html' saved"
    # libbb/progress.c when stderr is not a terminal (tests/test_curl_parity.py: the real one)
    assert new[2] == "index.html           100% |" + "*" * 32 + "|   615  0:00:00 ETA"
    old = TOOLS["wget"](ctx_for("busybox:1.28"), ["wget", "web-server-svc"])[1].rstrip("\n").split("\n")
    assert len(old) == 2 and "saving to" not in "".join(old)


def test_curl_head_and_node_flavour():
    c = ctx_for("curlimages/curl:8.11.1")
    out, err, rc = TOOLS["curl"](c, ["curl", "-sI", "web-server-svc"])
    assert rc == 0 and out.startswith("HTTP/1.1 200 OK\r\nServer: nginx/") and "Content-Length: 615\r\n" in out
    node = ExecContext(view=c.view, pod=None, container=None, node="k8s-worker-01")
    assert TOOLS["curl"](node, ["curl", "10.96.254.166:81"])[1:] == (
        "curl: (7) Failed connect to 10.96.254.166:81; Connection timed out\n", 7)
    out, err, rc = TOOLS["curl"](c, ["curl", "--connect-timeout", "3", "web-server-svc:8080"])
    assert (err, rc) == ("curl: (28) Connection timed out after 3001 milliseconds\n", 28)


def test_nc_open_and_refused():
    c = ctx_for("busybox:1.36")
    assert TOOLS["nc"](c, ["nc", "-zv", "web-server-svc", "80"]) == (
        "", "web-server-svc (10.96.254.166:80) open\n", 0)
    assert TOOLS["nc"](c, ["nc", "-z", "10.100.7.163", "81"])[2] == 1


def test_curl_output_file_and_write_out():
    """-o FILE / -o /dev/null and -w FORMAT: the body goes to the file (or nowhere), the
    --write-out variables follow on stdout; a connection that fails prints http_code 000."""
    c = ctx_for("curlimages/curl:8.11.1")
    assert TOOLS["curl"](c, ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}\\n", "web-server-svc"]) == \
        ("200\n", "", 0)
    out, err, rc = TOOLS["curl"](c, ["curl", "-sSo", "/dev/null", "-w",
                                     "%{response_code} %{size_download} %{remote_port} %{content_type} %% %{nope}",
                                     "web-server-svc/missing"])
    assert (out, rc) == ("404 153 80 text/html % ", 0)
    assert err == "curl: unknown --write-out variable: 'nope'\n"
    out, err, rc = TOOLS["curl"](c, ["curl", "-s", "-w%{http_code}", "--connect-timeout", "1", "web-server-svc:8080"])
    assert (out, rc) == ("000", 28)
    # -s silences both the warning and the error, -sS shows the error alone (the real curl 7.88,
    # recorded in tests/data/curl/recorded.json)
    out, err, rc = TOOLS["curl"](c, ["curl", "-s", "-o", "/nope/page.html", "web-server-svc"])
    assert (out, err, rc) == ("", "", 23)
    out, err, rc = TOOLS["curl"](c, ["curl", "-sS", "-o", "/nope/page.html", "web-server-svc"])
    assert (out, rc) == ("", 23)
    assert err == "curl: (23) Failure writing output to destination\n"
