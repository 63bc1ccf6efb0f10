"""Storage through `minikctl serve`, with the real kubectl as the oracle: discovery of the new
kinds, `get pv,pvc,sc` tables byte for byte (server-side columns), and kubectl's own describers
for PersistentVolume, PersistentVolumeClaim and StorageClass over our objects."""
from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

import tests.conftest as conftest
from tests.test_serve_kubectl import Served, pytestmark, real_second  # noqa: F401  (same skips)

DATA = Path(__file__).parent / "data" / "storage"

EXTRA = """\
apiVersion: v1
kind: PersistentVolume
metadata:
  name: nfs-pv
  labels:
    tier: shared
spec:
  capacity:
    storage: 5Gi
  accessModes: [ReadWriteMany, ReadOnlyMany]
  persistentVolumeReclaimPolicy: Recycle
  storageClassName: nfs
  nfs:
    server: 10.0.0.5
    path: /exports/data
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: local-pv
spec:
  capacity:
    storage: 2Gi
  accessModes: [ReadWriteOnce]
  storageClassName: local-storage
  volumeMode: Filesystem
  local:
    path: /mnt/disks/ssd1
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - key: kubernetes.io/hostname
          operator: In
          values: [k8s-worker-01, k8s-worker-02]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: waiting
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: fast
  labels:
    app: db
spec:
  storageClassName: standard
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 2Gi
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: lost-class
spec:
  storageClassName: gold
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: nfs
provisioner: example.com/nfs
parameters:
  server: 10.0.0.5
  share: /exports
mountOptions: [hard, nfsvers=4.1]
reclaimPolicy: Retain
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("storage-serve")
    start = math.floor(time.time()) - 900
    mp = pytest.MonkeyPatch()
    mp.setattr(conftest, "T0", float(start))
    try:
        s = Served(root)
    finally:
        mp.undo()
    for name in ("pv-volume", "pv-claim", "pv-pod", "web"):
        r = s.kubectl("apply", "-f", str(DATA / f"{name}.yaml"))
        assert r.returncode == 0, r.stderr
    extra = root / "extra.yaml"
    extra.write_text(EXTRA)
    r = s.kubectl("apply", "-f", str(extra))
    assert r.returncode == 0, r.stderr
    s.mk.advance(5)
    r = s.kubectl("patch", "pvc", "fast", "-p", '{"spec":{"resources":{"requests":{"storage":"3Gi"}}}}')
    assert r.returncode == 0, r.stderr                  # grows; no pod mounts it: FileSystemResizePending
    for _ in range(6):
        s.mk.advance(10)
        s.mk("get", "ns")
    yield s
    s.close()


def test_discovery_knows_the_storage_kinds(served):
    r = served.kubectl("api-resources", "--no-headers")
    rows = {l.split()[0]: l.split() for l in r.stdout.splitlines()}
    assert rows["persistentvolumes"][1:] == ["pv", "v1", "false", "PersistentVolume"]
    assert rows["persistentvolumeclaims"][1:] == ["pvc", "v1", "true", "PersistentVolumeClaim"]
    assert rows["storageclasses"][1:] == ["sc", "storage.k8s.io/v1", "false", "StorageClass"]


@pytest.mark.parametrize("args", [("get", "pv,pvc,sc"), ("get", "pv", "-o", "wide"), ("get", "pvc", "-o", "wide"),
                                  ("get", "sc"), ("get", "pvc", "-A"), ("get", "pvc", "--show-labels"),
                                  ("get", "pv", "task-pv-volume"), ("get", "pvc", "-l", "app=db")])
def test_tables_identical(served, args):
    k = served.kubectl(*args)
    m = served.mk(*args)
    assert k.returncode == 0, k.stderr
    assert (m.code, m.out) == (0, k.stdout)


def _compare(served, *args):
    for _ in range(3):
        pinned = served.mk.clock = max(served.mk.clock, real_second())
        k = served.kubectl("describe", *args)
        late = time.time() - pinned >= 1.0
        m = served.mk("describe", *args)
        if m.out == k.stdout or not late:
            break
    assert k.returncode == 0, k.stderr
    if m.out != k.stdout:
        import difflib
        diff = "".join(difflib.unified_diff(k.stdout.splitlines(True), m.out.splitlines(True), "kubectl", "minikctl"))
        pytest.fail("describe " + " ".join(args) + " differs:\n" + diff)


NAMED = [("pv", "task-pv-volume"), ("pv", "nfs-pv"), ("pv", "local-pv"), ("pvc", "task-pv-claim"),
         ("pvc", "waiting"), ("pvc", "fast"), ("pvc", "lost-class"), ("sc", "local-path"), ("sc", "standard"),
         ("sc", "nfs")]


@pytest.mark.parametrize("kind,name", NAMED, ids=[f"{k}/{n}" for k, n in NAMED])
def test_describe_matches_kubectl(served, kind, name):
    _compare(served, kind, name)


@pytest.mark.parametrize("kind,name", [("statefulset", "web"), ("pod", "web-0"), ("pod", "task-pv-pod"),
                                       ("pvc", "www-web-1")])
def test_describe_statefulset_storage_matches_kubectl(served, kind, name):
    _compare(served, kind, name)


def test_describe_dynamic_volume_matches_kubectl(served):
    name = served.mk("get", "pvc", "fast", "-o", "jsonpath={.spec.volumeName}").out
    assert name.startswith("pvc-")
    _compare(served, "pv", name)
