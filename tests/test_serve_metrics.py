"""The Metrics API (metrics.k8s.io/v1beta1) through serve: absent until the metrics-server addon
is available, then the real `kubectl top` prints what `minikctl top` prints for the same cluster."""
from __future__ import annotations

import pytest

from tests.test_serve_kubectl import Served


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("metrics"))
    yield s
    s.close()


def test_kubectl_top_through_serve(served):
    r = served.kubectl("top", "node")
    assert r.returncode == 1 and r.stderr == "error: Metrics API not available\n", r.stderr
    code, _ = served.http("GET", "/apis/metrics.k8s.io/v1beta1/nodes")
    assert code == 404
    assert served.mk("addons", "enable", "metrics-server").code == 0
    served.mk("create", "deployment", "web", "--image=nginx", "--replicas=2")
    served.mk.advance(90)
    code, groups = served.http("GET", "/apis")
    assert "metrics.k8s.io" in [g["name"] for g in groups["groups"]]
    for args in (("top", "node"), ("top", "pod", "-A"), ("top", "pod", "-l", "app=web", "--containers"),
                 ("top", "node", "--sort-by=memory")):
        k, m = served.kubectl(*args), served.mk(*args)
        assert (k.returncode, k.stdout) == (m.code, m.out), k.stderr
    code, pm = served.http("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods")
    assert code == 200 and pm["kind"] == "PodMetricsList" and len(pm["items"]) == 2
    assert pm["items"][0]["containers"][0]["usage"]["cpu"].endswith("n")
    code, st = served.http("GET", "/apis/metrics.k8s.io/v1beta1/nodes/nope")
    assert code == 404 and st["reason"] == "NotFound"
