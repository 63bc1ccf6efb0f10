"""Requests that reach an nginx pod show up in its `kubectl logs`, with the client's address."""
from __future__ import annotations

import re


def test_wget_curl_and_traffic_land_in_the_serving_pods_logs(mk):
    mk.apply_spec("web-server", "busybox")
    busybox_ip = mk("get", "po", "busybox", "-o", "jsonpath={.status.podIP}").out
    pods = mk("get", "po", "-l", "app=web-server", "-o", "name").out.split()

    def access_lines():
        return [l for p in pods for l in mk("logs", p).out.splitlines() if '"GET / HTTP/1.1"' in l]

    assert access_lines() == []
    assert mk("exec", "busybox", "--", "wget", "-qO-", "web-server-svc").code == 0
    lines = access_lines()
    assert len(lines) == 1
    assert re.fullmatch(rf'{re.escape(busybox_ip)} - - \[\d\d/\w\w\w/\d{{4}}:\d\d:\d\d:\d\d \+0000\] '
                        r'"GET / HTTP/1.1" 200 615 "-" "Wget" "-"', lines[0]), lines[0]
    assert mk("traffic", "web-server-svc", "-n", "9").code == 0
    assert len(access_lines()) == 10
    # a ClusterIP that no pod serves on that port leaves no trace
    mk("exec", "busybox", "--", "wget", "-qO-", "-T", "1", "web-server-svc:8080")
    assert len(access_lines()) == 10
