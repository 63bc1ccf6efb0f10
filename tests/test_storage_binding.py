"""The PV controller's matching rules as a table (pkg/controller/volume/persistentvolume
index.go findByClaim, FindMatchingVolume, checkVolumeSatisfyClaim), each row one case.

A row: the claim's spec bits, the volumes on offer, and which volume the binder must choose
(None: none). The rules themselves are the ones in index_test.go's cases: the request is a
minimum, the access modes a subset (the smallest mode set first), the class equal, the selector
matching, pre-bound volumes winning, the smallest fit otherwise. A few rows check the scheduler
path (a node) and checkVolumeSatisfyClaim's texts for a claim that names its volume.
"""
from __future__ import annotations

import pytest

from minikctl.sim.controllers import volume_match as vm

NODE1 = {"metadata": {"name": "node1", "labels": {"kubernetes.io/hostname": "node1", "disk": "ssd"}}}
NODE2 = {"metadata": {"name": "node2", "labels": {"kubernetes.io/hostname": "node2"}}}


def pv(name, size="10Gi", modes=("ReadWriteOnce",), cls="", phase="Available", labels=None, mode=None,
       claim=None, deleting=False, node=None, beta_class=None):
    o = {"kind": "PersistentVolume", "metadata": {"name": name, "labels": labels or {}},
         "spec": {"capacity": {"storage": size}, "accessModes": list(modes), "storageClassName": cls,
                  "hostPath": {"path": "/x"}},
         "status": {"phase": phase}}
    if mode:
        o["spec"]["volumeMode"] = mode
    if claim:
        o["spec"]["claimRef"] = dict(zip(("namespace", "name", "uid"), claim))
    if deleting:
        o["metadata"]["deletionTimestamp"] = "2025-01-01T00:00:00Z"
    if node:
        o["spec"]["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}}
    if beta_class is not None:
        o["metadata"]["annotations"] = {"volume.beta.kubernetes.io/storage-class": beta_class}
    return o


def pvc(size="1Gi", modes=("ReadWriteOnce",), cls="", selector=None, mode=None, name="claim", uid="uid-1"):
    o = {"kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": "default", "uid": uid},
         "spec": {"accessModes": list(modes), "resources": {"requests": {"storage": size}},
                  "storageClassName": cls}}
    if selector is not None:
        o["spec"]["selector"] = selector
    if mode:
        o["spec"]["volumeMode"] = mode
    return o


RWO, ROX, RWX, RWOP = "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"

CASES = [
    # id, claim, volumes, expected volume name, node, delay binding
    ("exact size", pvc("10Gi"), [pv("a", "10Gi")], "a", None, False),
    ("bigger volume fits", pvc("1Gi"), [pv("a", "10Gi")], "a", None, False),
    ("too small", pvc("20Gi"), [pv("a", "10Gi")], None, None, False),
    ("smallest fit wins", pvc("1Gi"), [pv("a", "5Gi"), pv("b", "10Gi"), pv("c", "2Gi")], "c", None, False),
    ("claim larger than every volume", pvc("100Gi"), [pv("a", "5Gi"), pv("b", "50Gi")], None, None, False),
    ("1Gi == 1024Mi", pvc("1Gi"), [pv("a", "1024Mi")], "a", None, False),
    ("1G claim fits a 1Gi volume", pvc("1G"), [pv("a", "1Gi")], "a", None, False),
    ("1Gi claim does not fit a 1G volume", pvc("1Gi"), [pv("a", "1G")], None, None, False),
    ("RWO claim, RWO volume", pvc(modes=[RWO]), [pv("a", modes=[RWO])], "a", None, False),
    ("RWX claim, RWO volume", pvc(modes=[RWX]), [pv("a", modes=[RWO])], None, None, False),
    ("fewest modes first, even if larger", pvc(modes=[RWO]),
     [pv("a", "1Gi", modes=[RWO, RWX]), pv("b", "5Gi", modes=[RWO])], "b", None, False),
    ("several modes, superset volume", pvc(modes=[RWO, ROX]), [pv("a", modes=[RWO, ROX, RWX])], "a", None, False),
    ("ROX claim, RWO volume", pvc(modes=[ROX]), [pv("a", modes=[RWO])], None, None, False),
    ("RWOP claim, RWOP volume", pvc(modes=[RWOP]), [pv("a", modes=[RWOP])], "a", None, False),
    ("RWX claim picks the RWX volume", pvc(modes=[RWX]), [pv("a", "1Gi", modes=[RWO]), pv("b", "9Gi", modes=[RWX])],
     "b", None, False),
    ("same class", pvc(cls="manual"), [pv("a", cls="manual")], "a", None, False),
    ("claim class, classless volume", pvc(cls="manual"), [pv("a", cls="")], None, None, False),
    ("classless claim, classless volume", pvc(cls=""), [pv("a", cls="")], "a", None, False),
    ("classless claim, volume with a class", pvc(cls=""), [pv("a", cls="manual")], None, None, False),
    ("class picks among sizes", pvc(cls="fast"), [pv("a", "2Gi", cls="slow"), pv("b", "8Gi", cls="fast")], "b", None, False),
    ("beta annotation class wins", pvc(cls="gold"), [pv("a", cls="", beta_class="gold")], "a", None, False),
    ("Block claim, Filesystem volume", pvc(mode="Block"), [pv("a")], None, None, False),
    ("Block claim, Block volume", pvc(mode="Block"), [pv("a", mode="Block")], "a", None, False),
    ("Filesystem claim, Block volume", pvc(), [pv("a", mode="Block")], None, None, False),
    ("selector matchLabels", pvc(selector={"matchLabels": {"type": "local"}}),
     [pv("a", "1Gi", labels={"type": "nfs"}), pv("b", "5Gi", labels={"type": "local"})], "b", None, False),
    ("selector matches nothing", pvc(selector={"matchLabels": {"type": "ssd"}}), [pv("a", labels={"type": "hdd"})],
     None, None, False),
    ("selector In", pvc(selector={"matchExpressions": [{"key": "env", "operator": "In", "values": ["dev", "qa"]}]}),
     [pv("a", labels={"env": "prod"}), pv("b", labels={"env": "qa"})], "b", None, False),
    ("selector NotIn", pvc(selector={"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]}),
     [pv("a", "1Gi", labels={"env": "prod"}), pv("b", "5Gi", labels={"env": "dev"})], "b", None, False),
    ("selector Exists", pvc(selector={"matchExpressions": [{"key": "fast", "operator": "Exists"}]}),
     [pv("a", "1Gi"), pv("b", "5Gi", labels={"fast": ""})], "b", None, False),
    ("empty selector selects all", pvc(selector={}), [pv("a", labels={"x": "y"})], "a", None, False),
    ("Released volume skipped", pvc(), [pv("a", phase="Released", claim=("default", "old", "u0"))], None, None, False),
    ("volume claimed by another", pvc(), [pv("a", claim=("default", "other", "u9")), pv("b", "50Gi")], "b", None, False),
    ("pre-bound by name wins over smaller", pvc(), [pv("a", "1Gi"), pv("b", "50Gi", claim=("default", "claim", ""))],
     "b", None, False),
    ("pre-bound with this uid", pvc(), [pv("a", "1Gi"), pv("b", "50Gi", claim=("default", "claim", "uid-1"))], "b", None, False),
    ("pre-bound to an older claim of the same name", pvc(),
     [pv("a", "5Gi"), pv("b", "1Gi", claim=("default", "claim", "uid-old"))], "a", None, False),
    ("pre-bound but too small", pvc("10Gi"), [pv("a", "1Gi", claim=("default", "claim", ""))], None, None, False),
    ("pre-bound in another namespace", pvc(), [pv("a", claim=("team-a", "claim", ""))], None, None, False),
    ("volume being deleted", pvc(), [pv("a", deleting=True)], None, None, False),
    ("volume not yet Available", pvc(), [pv("a", phase="Pending")], None, None, False),
    ("ties: first by name", pvc(), [pv("b", "5Gi"), pv("a", "5Gi")], "a", None, False),
    ("WaitForFirstConsumer: the controller waits", pvc(), [pv("a")], None, None, True),
    ("WaitForFirstConsumer: pre-bound still binds", pvc(), [pv("a", claim=("default", "claim", ""))], "a", None, True),
    ("scheduler: node affinity admits", pvc(), [pv("a", node="node1")], "a", NODE1, True),
    ("scheduler: node affinity excludes", pvc(), [pv("a", node="node1")], None, NODE2, True),
    ("scheduler: the volume on this node", pvc(), [pv("a", "1Gi", node="node1"), pv("b", "5Gi", node="node2")],
     "b", NODE2, True),
    ("scheduler: pre-bound on another node", pvc(),
     [pv("a", node="node1", claim=("default", "claim", "")), pv("b", "5Gi", node="node2")], None, NODE2, True),
    ("scheduler: access modes checked", pvc(modes=[RWX]), [pv("a", modes=[RWO])], None, NODE1, True),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_binding_table(case):
    _, claim, volumes, expected, node, delayed = case
    found = vm.find_match(claim, volumes, node=node, delay_binding=delayed)
    assert (found["metadata"]["name"] if found else None) == expected


def test_table_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize("claim,volume,why", [
    (pvc("20Gi"), pv("a", "10Gi"), "requested PV is too small"),
    (pvc(cls="gold"), pv("a", cls="silver"), "storageClassName does not match"),
    (pvc(mode="Block"), pv("a"), "incompatible volumeMode"),
    (pvc(modes=[RWX]), pv("a", modes=[RWO]), "incompatible accessMode"),
    (pvc(), pv("a", deleting=True), 'the volume is marked for deletion "a"'),
    (pvc(), pv("a"), None),
])
def test_claim_naming_its_volume(claim, volume, why):
    """checkVolumeSatisfyClaim: what a claim with spec.volumeName is told (VolumeMismatch)."""
    assert vm.why_not(volume, claim) == why
