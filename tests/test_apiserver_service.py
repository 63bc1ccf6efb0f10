"""The `kubernetes` Service heals itself: the apiserver's reconciler (every 10 s) recreates
default/kubernetes (ClusterIP = first address of the service CIDR, https 443 -> 6443) and its
Endpoints when they are deleted; not at once, at its next tick."""
from __future__ import annotations

import json


def _svc(mk):
    r = mk("get", "svc", "kubernetes", "-o", "json")
    return json.loads(r.out) if r.code == 0 else None


def test_deleted_kubernetes_service_comes_back_within_ten_seconds(mk):
    before = _svc(mk)
    assert mk("delete", "svc", "kubernetes").out == 'service "kubernetes" deleted\n'
    r = mk("get", "svc", "kubernetes")
    assert r.code == 1 and r.err.strip() == 'Error from server (NotFound): services "kubernetes" not found'
    mk.advance(10.5)
    after = _svc(mk)
    assert after is not None
    assert after["metadata"]["uid"] != before["metadata"]["uid"]
    assert after["spec"]["clusterIP"] == "10.96.0.1" == before["spec"]["clusterIP"]
    assert after["spec"]["ports"] == [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]
    assert after["metadata"]["labels"] == {"component": "apiserver", "provider": "kubernetes"}
    ep = json.loads(mk("get", "ep", "kubernetes", "-o", "json").out)
    assert ep["subsets"][0]["ports"] == [{"name": "https", "port": 6443, "protocol": "TCP"}]
    node_ip = json.loads(mk("get", "node", "k8s-master", "-o", "json").out)["status"]["addresses"][0]["address"]
    assert ep["subsets"][0]["addresses"][0]["ip"] == node_ip


def test_deleted_endpoints_and_slice_come_back(mk):
    mk("delete", "ep", "kubernetes")
    mk("delete", "endpointslice", "kubernetes")
    mk.advance(10.5)
    assert mk("get", "ep", "kubernetes").code == 0
    assert mk("get", "endpointslice", "kubernetes").code == 0
    assert mk("get", "svc", "kubernetes").code == 0


def test_other_services_stay_deleted(mk):
    mk("create", "svc", "clusterip", "mine", "--tcp=80:80")
    mk("delete", "svc", "mine")
    mk.advance(30)
    assert mk("get", "svc", "mine").code == 1
