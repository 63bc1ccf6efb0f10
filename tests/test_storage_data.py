"""Where a pod volume's data lives (images/volume_data.py): keyed by the bound volume, so data
written through a claim outlives the pod and follows the claim, never the pod's name or uid."""
from __future__ import annotations

import json

from minikctl.images.volume_data import volume_location
from minikctl.sim.view import StaticView
from tests.test_storage import STS, apply, claim, j, pod, volume


def _view(mk):
    objs = []
    for kind in ("pod", "pvc", "pv"):
        objs += json.loads(mk("get", kind, "-A", "-o", "json").out)["items"]
    return StaticView(objs, now=mk.clock)


def _loc(mk, pod_name, vol="data"):
    view = _view(mk)
    p = view.get("Pod", "default", pod_name)
    v = next(v for v in p["spec"]["volumes"] if v["name"] == vol)
    return volume_location(view, p, v)


def test_hostpath_volume_is_the_nodes_directory(mk):
    apply(mk, volume("v", path="/mnt/data"))
    apply(mk, claim("c", cls="manual"))
    apply(mk, pod("p", "c"))
    mk.advance(10)
    node = j(mk, "get", "pod", "p")["spec"]["nodeName"]
    assert _loc(mk, "p") == (f"node/{node}", "/mnt/data")


def test_data_key_survives_the_pod(mk):
    apply(mk, claim("c", cls="standard"))
    apply(mk, pod("p", "c"))
    mk.advance(10)
    first = _loc(mk, "p")
    pv = j(mk, "get", "pvc", "c")["spec"]["volumeName"]
    assert first[1] == f"/opt/local-path-provisioner/{pv}_default_c"
    mk("delete", "pod", "p")
    apply(mk, pod("p", "c"))
    mk.advance(10)
    again = _loc(mk, "p")
    assert again[1] == first[1]


def test_unbound_claim_has_no_data_yet(mk):
    apply(mk, claim("c", cls="manual"))
    apply(mk, pod("p", "c"))
    assert _loc(mk, "p") is None


def test_statefulset_pod_gets_its_own_volume_back(mk):
    apply(mk, STS)
    mk.advance(60)
    before = _loc(mk, "web-1", "www")
    mk("scale", "sts", "web", "--replicas=1")
    mk.advance(60)
    mk("scale", "sts", "web", "--replicas=2")
    mk.advance(60)
    assert _loc(mk, "web-1", "www") == before != _loc(mk, "web-0", "www")
