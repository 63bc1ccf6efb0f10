"""etcd's keyspace and snapshots (minikctl/sim/etcd): the keys the apiserver stores objects
under, a snapshot's status computed from its bytes as etcdutl computes it, and a restore that
brings the snapshot's objects back."""
from __future__ import annotations

import io

import pytest

from minikctl.env import Env
from minikctl.sim.cluster import open_cluster
from minikctl.sim.etcd import keys, members, snapshot


def _env(mk):
    return Env(stdout=io.StringIO(), stderr=io.StringIO(), home=mk.home, clock=lambda: mk.clock, seed=mk.seed)


def test_registry_keys_as_the_apiserver_stores_them():
    assert keys.key_of({"kind": "Service", "metadata": {"name": "kubernetes", "namespace": "default"}}) == \
        "/registry/services/specs/default/kubernetes"
    assert keys.key_of({"kind": "Endpoints", "metadata": {"name": "x", "namespace": "ns"}}) == \
        "/registry/services/endpoints/ns/x"
    assert keys.key_of({"kind": "Node", "metadata": {"name": "k8s-master"}}) == "/registry/minions/k8s-master"
    assert keys.key_of({"kind": "Deployment", "metadata": {"name": "web", "namespace": "default"}}) == \
        "/registry/deployments/default/web"
    assert keys.key_of({"kind": "ClusterRole", "metadata": {"name": "admin"}}) == "/registry/clusterroles/admin"
    assert keys.key_of({"kind": "Ingress", "metadata": {"name": "i", "namespace": "d"}}) == "/registry/ingress/d/i"
    # CRD-served kinds carry their group
    assert keys.key_of({"kind": "HTTPRoute", "metadata": {"name": "r", "namespace": "d"}}) == \
        "/registry/gateway.networking.k8s.io/httproutes/d/r"


def test_member_ids_are_etcds():
    # etcd's well-known IDs of a default single member (http://localhost:2380, token etcd-cluster)
    mid = members.member_id(["http://localhost:2380"])
    assert f"{mid:x}" == "8e9e05c52164694d"
    assert f"{members.cluster_id([mid]):x}" == "cdf818194e3a8c32"


def test_crc32c_and_humanize():
    assert snapshot.crc32c(b"123456789") == 0xE3069283   # the CRC-32C check value
    assert snapshot.humanize_bytes(2_100_000) == "2.1 MB"
    assert snapshot.humanize_bytes(213_456) == "214 kB"
    assert snapshot.humanize_bytes(9) == "9 B"


def test_snapshot_status_is_computed_from_its_bytes(mk):
    assert mk("create", "deployment", "web", "--image=nginx").code == 0
    with open_cluster(_env(mk)) as c:
        text = snapshot.with_checksum(snapshot.payload(c))
        revision = c.revision
        n_objects = len(snapshot.all_objects(c))
    s = snapshot.Snapshot(text)
    h, rev, total, size = s.status()
    assert rev == revision
    assert total == n_objects + 4          # + cluster, members, meta (2) entries
    assert size % 4096 == 0 and size >= len(text) - 80
    assert s.checksum_error() is None
    # one byte changed: the hash differs, and restore's SHA-256 check says so as etcd does
    tampered = snapshot.Snapshot(text.replace('"web"', '"wex"', 1))
    assert tampered.status()[0] != h
    assert tampered.checksum_error().startswith("expected sha256 [")
    with pytest.raises(snapshot.SnapshotError, match="invalid database"):
        snapshot.Snapshot("not a database\n")


def test_restore_brings_the_snapshots_objects_back(mk):
    assert mk("create", "deployment", "web", "--image=nginx", "--replicas=2").code == 0
    mk.advance(30)
    with open_cluster(_env(mk)) as c:
        snap = snapshot.Snapshot(snapshot.with_checksum(snapshot.payload(c)))
    assert mk("delete", "deployment", "web").code == 0
    assert mk("create", "configmap", "after").code == 0
    mk.advance(30)
    assert mk("get", "deploy", "web").code == 1
    with open_cluster(_env(mk)) as c:
        c.replace_objects(snap.objects(), snap.revision)
    r = mk("get", "deploy", "web", "-o", "jsonpath={.status.readyReplicas}")
    assert r.code == 0 and r.out == "2"
    assert mk("get", "configmap", "after").code == 1
    assert len(mk("get", "po", "-l", "app=web", "-o", "name").out.split()) == 2
