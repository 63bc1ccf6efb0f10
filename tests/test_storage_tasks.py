"""Two kubernetes.io pages replayed: "Configure a Pod to Use a PersistentVolume for Storage" and
the storage steps of the StatefulSet basics tutorial. Their manifests are data
(tests/data/storage/), their printed outputs too (kubernetes-io-outputs.yaml); each `get` is
compared with the page column by column: the page's older headers (ACCESSMODES, RECLAIMPOLICY)
name the same columns, the columns a newer kubectl added (VOLUMEATTRIBUTESCLASS,
STORAGECLASS where the page had none) are left out, AGE is not compared, and a dynamically
provisioned VOLUME is compared by form (pvc-<uuid>), since the page shows its cluster's uids.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data" / "storage"
PAGES = yaml.safe_load((DATA / "kubernetes-io-outputs.yaml").read_text())
UUID_PV = re.compile(r"^pvc-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _columns(text: str) -> list[dict[str, str]]:
    """A kubectl table as rows of {HEADER: cell}, cells cut at the header's column starts."""
    lines = text.rstrip("\n").splitlines()
    head = lines[0]
    # headers are separated by 2+ spaces; a single space joins words of one header (ACCESS MODES)
    starts = [m.start() for m in re.finditer(r"(?:^|(?<=\s\s))\S+(?: \S+)*", head)]
    names = [head[s:e].strip() for s, e in zip(starts, starts[1:] + [None])]
    rows = []
    for line in lines[1:]:
        cells = [line[s:e].strip() if s < len(line) else "" for s, e in zip(starts, starts[1:] + [None])]
        rows.append(dict(zip(names, cells)))
    return rows


def _key(name: str) -> str:
    return name.replace(" ", "").upper()


def same_as_page(ours: str, page: str, fuzzy_volume: bool = False) -> None:
    mine, theirs = _columns(ours), _columns(page)
    assert len(mine) == len(theirs), (ours, page)
    for m, t in zip(mine, theirs):
        mk = {_key(k): v for k, v in m.items()}
        for k, v in t.items():
            k = _key(k)
            if k == "AGE":
                continue
            assert k in mk, (k, ours)
            if fuzzy_volume and k == "VOLUME":
                assert UUID_PV.match(mk[k]) and UUID_PV.match(v), (mk[k], v)
            else:
                assert mk[k] == v, (k, mk[k], v, ours)


def test_configure_pod_to_use_a_persistent_volume(mk):
    page = PAGES["configure-persistent-volume-storage"]
    r = mk("apply", "-f", str(DATA / "pv-volume.yaml"))
    assert r.out == "persistentvolume/task-pv-volume created\n"
    mk.advance(4)
    same_as_page(mk("get", "pv", "task-pv-volume").out, page["get-pv-available"])
    r = mk("apply", "-f", str(DATA / "pv-claim.yaml"))
    assert r.out == "persistentvolumeclaim/task-pv-claim created\n"
    mk.advance(30)
    same_as_page(mk("get", "pv", "task-pv-volume").out, page["get-pv-bound"])
    same_as_page(mk("get", "pvc", "task-pv-claim").out, page["get-pvc-bound"])
    r = mk("apply", "-f", str(DATA / "pv-pod.yaml"))
    assert r.out == "pod/task-pv-pod created\n"
    mk.advance(10)
    row = mk("get", "pod", "task-pv-pod", "--no-headers").out.split()
    assert row[1:3] == ["1/1", "Running"]
    # the page's first step, on the node the pod runs on (the page assumes a one-node cluster;
    # the node's shell here has no sudo: root already)
    node = mk("get", "pod", "task-pv-pod", "-o", "jsonpath={.spec.nodeName}").out
    assert mk("ssh", node, "--", "mkdir /mnt/data").code == 0
    assert mk("ssh", node, "--", "echo 'Hello from Kubernetes storage' > /mnt/data/index.html").code == 0
    assert mk("ssh", node, "--", "cat /mnt/data/index.html").out == "Hello from Kubernetes storage\n"
    # nginx serves the hostPath volume's index.html
    r = mk("exec", "task-pv-pod", "--", "curl", "http://localhost/")
    assert (r.code, r.out) == (0, "Hello from Kubernetes storage\n"), r.err
    # clean up, in the page's order
    assert mk("delete", "pod", "task-pv-pod").out == 'pod "task-pv-pod" deleted\n'
    assert mk("delete", "pvc", "task-pv-claim").out == 'persistentvolumeclaim "task-pv-claim" deleted\n'
    assert mk("delete", "pv", "task-pv-volume").out == 'persistentvolume "task-pv-volume" deleted\n'
    assert mk("get", "pv,pvc").out == ""


def test_statefulset_tutorial_storage_steps(mk):
    page = PAGES["basic-stateful-set"]
    r = mk("apply", "-f", str(DATA / "web.yaml"))
    assert r.out == "service/nginx created\nstatefulset.apps/web created\n"
    mk.advance(60)
    assert [l.split()[:3] for l in mk("get", "pods", "-l", "app=nginx").out.splitlines()[1:]] == [
        ["web-0", "1/1", "Running"], ["web-1", "1/1", "Running"]]
    same_as_page(mk("get", "pvc", "-l", "app=nginx").out, page["get-pvc"], fuzzy_volume=True)
    before = mk("get", "pvc", "-l", "app=nginx", "-o", "custom-columns=V:.spec.volumeName", "--no-headers").out
    # the pods go, the claims stay; the new pods mount the same volumes
    mk("delete", "pod", "-l", "app=nginx")
    mk.advance(60)
    assert [l.split()[:3] for l in mk("get", "pods", "-l", "app=nginx").out.splitlines()[1:]] == [
        ["web-0", "1/1", "Running"], ["web-1", "1/1", "Running"]]
    assert mk("get", "pvc", "-l", "app=nginx", "-o", "custom-columns=V:.spec.volumeName", "--no-headers").out == before
    # Scaling Up to 5, then Scaling Down to 3: five claims, all Bound
    assert mk("scale", "sts", "web", "--replicas=5").out == "statefulset.apps/web scaled\n"
    mk.advance(120)
    assert mk("scale", "sts", "web", "--replicas=3").out == "statefulset.apps/web scaled\n"
    mk.advance(120)
    assert len(mk("get", "pods", "-l", "app=nginx", "--no-headers").out.splitlines()) == 3
    same_as_page(mk("get", "pvc", "-l", "app=nginx").out, page["get-pvc-after-scale-down"], fuzzy_volume=True)
    # cleaning up: the set and its service go, the claims (and their volumes) stay until deleted
    mk("delete", "sts", "web")
    mk("delete", "svc", "nginx")
    mk.advance(60)
    assert mk("get", "pods", "-l", "app=nginx").out == ""
    assert len(mk("get", "pvc", "--no-headers").out.splitlines()) == 5
    assert len(mk("get", "pv", "--no-headers").out.splitlines()) == 5
    r = mk("delete", "pvc", "www-web-0", "www-web-1", "www-web-2", "www-web-3", "www-web-4")
    assert r.out.splitlines()[0] == 'persistentvolumeclaim "www-web-0" deleted'
    assert mk("get", "pv").out == ""            # local-path's reclaim policy is Delete
