"""Storage end to end: StorageClasses, PersistentVolumes, claims, the PV controller, the
scheduler's VolumeBinding plugin, protection finalizers, reclaim, resize, StatefulSet claims.

Texts are the apiserver's and the controllers' own (pkg/apis/core/validation,
pkg/controller/volume/persistentvolume, the scheduler's VolumeBinding plugin, the admission
plugins); the test manifests are data under tests/data/storage/.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from minikctl.api import quantity

DATA = Path(__file__).parent / "data" / "storage"


def j(mk, *args):
    r = mk(*args, "-o", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def apply(mk, text: str):
    r = mk("apply", "-f", "-", stdin=text)
    assert r.code == 0, r.err
    return r


def claim(name, size="1Gi", cls=None, modes=("ReadWriteOnce",), extra=""):
    c = f"  storageClassName: \"{cls}\"\n" if cls is not None else ""
    m = "".join(f"  - {x}\n" for x in modes)
    return (f"apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {name}\nspec:\n{c}  accessModes:\n{m}"
            f"  resources:\n    requests:\n      storage: {size}\n{extra}")


def volume(name, size="10Gi", cls="manual", path="/mnt/data", policy=None, modes=("ReadWriteOnce",), extra=""):
    p = f"  persistentVolumeReclaimPolicy: {policy}\n" if policy else ""
    m = "".join(f"  - {x}\n" for x in modes)
    return (f"apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: {name}\nspec:\n  storageClassName: {cls}\n"
            f"  capacity:\n    storage: {size}\n  accessModes:\n{m}{p}  hostPath:\n    path: {path}\n{extra}")


def pod(name, claim_name, image="nginx"):
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  volumes:\n  - name: data\n"
            f"    persistentVolumeClaim:\n      claimName: {claim_name}\n  containers:\n  - name: c\n    image: {image}\n"
            f"    volumeMounts:\n    - mountPath: /data\n      name: data\n")


def events(mk, name):
    r = mk("get", "events", "--field-selector", f"involvedObject.name={name}", "-o", "json")
    return [(e["type"], e["reason"], e["message"]) for e in json.loads(r.out)["items"]]


# ---------------------------------------------------------------------------------------------
# quantities: Quantity.String() of what was parsed


@pytest.mark.parametrize("text,canon", [
    ("1Gi", "1Gi"), ("1024Mi", "1Gi"), ("1536Mi", "1536Mi"), ("1.5Gi", "1536Mi"), ("0.5Gi", "512Mi"),
    ("1000M", "1G"), ("1500M", "1500M"), ("1.5G", "1500M"), ("5000", "5k"), ("100", "100"), ("512", "512"),
    ("2048Ki", "2Mi"), ("1e3", "1e3"), ("10Gi", "10Gi"), ("0.5", "500m"), ("1k", "1k"),
])
def test_quantity_canonical_form(text, canon):
    assert quantity.canonical(text) == canon


@pytest.mark.parametrize("text", ["1Gx", "1GB", "abc", "", "1..2Gi", "Gi"])
def test_quantity_refused(text):
    assert not quantity.valid(text)


# ---------------------------------------------------------------------------------------------
# kinds, tables, defaults


def test_storage_classes_of_a_new_cluster(mk):
    r = mk("get", "sc")
    assert r.out.splitlines()[0].split() == ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE",
                                             "ALLOWVOLUMEEXPANSION", "AGE"]
    rows = [l.split() for l in r.out.splitlines()[1:]]
    assert rows[0][:6] == ["local-path", "(default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer", "false"]
    assert rows[1][:5] == ["standard", "rancher.io/local-path", "Delete", "Immediate", "true"]
    assert mk("get", "storageclass.storage.k8s.io", "-o", "name").out.split() == [
        "storageclass.storage.k8s.io/local-path", "storageclass.storage.k8s.io/standard"]


def test_pv_and_pvc_defaults_and_columns(mk):
    apply(mk, volume("pv1"))
    apply(mk, claim("c1", "3Gi", cls="manual"))
    pv = j(mk, "get", "pv", "pv1")
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert pv["spec"]["volumeMode"] == "Filesystem"
    assert pv["spec"]["hostPath"]["type"] == ""
    assert pv["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"]
    c = j(mk, "get", "pvc", "c1")
    assert c["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    assert c["spec"]["volumeMode"] == "Filesystem"
    head = mk("get", "pv").out.splitlines()[0].split()
    assert head == ["NAME", "CAPACITY", "ACCESS", "MODES", "RECLAIM", "POLICY", "STATUS", "CLAIM", "STORAGECLASS",
                    "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"]
    assert mk("get", "pvc", "-o", "wide").out.splitlines()[0].split() == [
        "NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS", "MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE",
        "VOLUMEMODE"]
    row = mk("get", "pvc", "c1", "--no-headers", "-o", "wide").out.split()
    assert row[:7] == ["c1", "Bound", "pv1", "10Gi", "RWO", "manual", "<unset>"] and row[-1] == "Filesystem"


def test_default_class_is_filled_in_and_empty_class_is_kept(mk):
    apply(mk, claim("dflt"))
    apply(mk, claim("none", cls=""))
    assert j(mk, "get", "pvc", "dflt")["spec"]["storageClassName"] == "local-path"
    assert j(mk, "get", "pvc", "none")["spec"]["storageClassName"] == ""


# ---------------------------------------------------------------------------------------------
# bad input: the apiserver's texts, exit 1, nothing stored


def test_claim_validation_texts(mk):
    r = mk("apply", "-f", "-", stdin="apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: bad\nspec:\n"
                                      "  resources: {}\n")
    assert r.code == 1
    assert r.err == ('The PersistentVolumeClaim "bad" is invalid: \n'
                     "* spec.accessModes: Required value: at least 1 access mode is required\n"
                     "* spec.resources[storage]: Required value\n")
    r = mk("apply", "-f", "-", stdin=claim("bad", modes=["ReadWriteSome"]))
    assert r.err.strip() == ('The PersistentVolumeClaim "bad" is invalid: spec.accessModes: Unsupported value: '
                             '"ReadWriteSome": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", '
                             '"ReadWriteOncePod"')
    r = mk("apply", "-f", "-", stdin=claim("bad", size="0"))
    assert r.err.strip() == ('The PersistentVolumeClaim "bad" is invalid: spec.resources[storage]: Invalid value: '
                             '"0": must be greater than zero')
    assert "Traceback" not in r.err
    assert mk("get", "pvc").out == ""


def test_invalid_quantity_is_a_decoding_error(mk):
    r = mk("apply", "-f", "-", stdin=claim("bad", size="1GB"))
    assert r.code == 1
    assert r.err.strip() == ('Error from server (BadRequest): error when creating "STDIN": PersistentVolumeClaim in '
                             'version "v1" cannot be handled as a PersistentVolumeClaim: quantities must match the '
                             "regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")


def test_volume_validation_texts(mk):
    r = mk("apply", "-f", "-", stdin="apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: badpv\nspec:\n"
                                      "  local:\n    path: /mnt/x\n")
    assert r.code == 1
    assert r.err == ('The PersistentVolume "badpv" is invalid: \n'
                     "* spec.accessModes: Required value\n"
                     "* spec.capacity: Required value\n"
                     '* spec.capacity: Unsupported value: core.ResourceList(nil): supported values: "storage"\n'
                     "* spec.nodeAffinity: Required value: Local volume requires node affinity\n")
    r = mk("apply", "-f", "-", stdin="apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: nosrc\nspec:\n"
                                      "  capacity:\n    storage: 1Gi\n  accessModes: [ReadWriteOnce]\n")
    assert r.err.strip() == 'The PersistentVolume "nosrc" is invalid: spec: Required value: must specify a volume type'


def test_storage_class_validation_and_immutability(mk):
    r = mk("apply", "-f", "-", stdin="apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: x\n"
                                      "volumeBindingMode: Sometimes\n")
    assert r.err == ('The StorageClass "x" is invalid: \n* provisioner: Required value\n'
                     '* volumeBindingMode: Unsupported value: "Sometimes": supported values: "Immediate", '
                     '"WaitForFirstConsumer"\n')
    r = mk("patch", "sc", "standard", "-p", '{"reclaimPolicy":"Retain"}')
    assert r.err.strip() == 'The StorageClass "standard" is invalid: reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.'


def test_shrink_and_immutable_claim(mk):
    apply(mk, volume("pv1"))
    apply(mk, claim("c1", "3Gi", cls="manual"))
    r = mk("patch", "pvc", "c1", "-p", '{"spec":{"resources":{"requests":{"storage":"1Gi"}}}}')
    assert r.code == 1
    # 1.32 (RecoverVolumeExpansionFailure on by default): a shrink to or below status.capacity
    assert r.err.strip() == ('The PersistentVolumeClaim "c1" is invalid: spec.resources.requests.storage: Forbidden: '
                             'field can not be less than status.capacity')
    r = mk("patch", "pvc", "c1", "-p", '{"spec":{"accessModes":["ReadWriteMany"]}}')
    assert r.err.startswith('The PersistentVolumeClaim "c1" is invalid: spec: Forbidden: spec is immutable after '
                            "creation except resources.requests and volumeAttributesClassName for bound claims\n")
    r = mk("patch", "pvc", "c1", "-p", '{"spec":{"resources":{"requests":{"storage":"20Gi"}}}}')
    assert r.err.strip() == ('Error from server (Forbidden): persistentvolumeclaims "c1" is forbidden: only dynamically '
                             "provisioned pvc can be resized and the storageclass that provisions the pvc must support resize")
    assert j(mk, "get", "pvc", "c1")["spec"]["resources"]["requests"]["storage"] == "3Gi"


def test_shrink_before_132_is_less_than_previous_value():
    from minikctl.api.validation import validate
    old = {"kind": "PersistentVolumeClaim", "metadata": {"name": "c", "namespace": "default"},
           "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "3Gi"}}, "volumeName": "v"},
           "status": {"phase": "Bound", "capacity": {"storage": "3Gi"}}}
    new = json.loads(json.dumps(old))
    new["spec"]["resources"]["requests"]["storage"] = "2Gi"
    assert validate(new, old, (1, 31)) == [("spec.resources.requests.storage", "Forbidden: field can not be less than previous value")]


# ---------------------------------------------------------------------------------------------
# the controller


def test_claim_larger_than_any_volume_stays_pending(mk):
    apply(mk, volume("small", "5Gi"))
    apply(mk, claim("huge", "100Gi", cls="manual"))
    assert mk("get", "pvc", "huge", "--no-headers").out.split()[1] == "Pending"
    assert mk("get", "pv", "small", "--no-headers").out.split()[4] == "Available"
    assert ("Warning", "ProvisioningFailed", 'storageclass.storage.k8s.io "manual" not found') in events(mk, "huge")


def test_unknown_class_and_no_class(mk):
    apply(mk, claim("fast", cls="fast"))
    apply(mk, claim("none", cls=""))
    assert events(mk, "fast") == [("Warning", "ProvisioningFailed", 'storageclass.storage.k8s.io "fast" not found')]
    assert events(mk, "none") == [("Normal", "FailedBinding",
                                   "no persistent volumes available for this claim and no storage class is set")]


def test_volume_name_prebinding_and_mismatch(mk):
    apply(mk, volume("big", "50Gi"))
    apply(mk, volume("tiny", "1Gi"))
    apply(mk, claim("wants-big", "1Gi", cls="manual", extra="  volumeName: big\n"))
    assert j(mk, "get", "pvc", "wants-big")["spec"]["volumeName"] == "big"
    apply(mk, claim("wants-tiny", "5Gi", cls="manual", extra="  volumeName: tiny\n"))
    assert ("Warning", "VolumeMismatch", 'Cannot bind to requested volume "tiny": requested PV is too small') \
        in events(mk, "wants-tiny")
    assert mk("get", "pvc", "wants-tiny", "--no-headers").out.split()[1] == "Pending"


def test_immediate_class_provisions_at_once(mk):
    apply(mk, claim("now", "2Gi", cls="standard"))
    c = j(mk, "get", "pvc", "now")
    assert c["status"]["phase"] == "Bound" and c["spec"]["volumeName"] == f"pvc-{c['metadata']['uid']}"
    pv = j(mk, "get", "pv", c["spec"]["volumeName"])
    assert pv["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == "rancher.io/local-path"
    assert pv["spec"]["hostPath"]["path"] == f"/opt/local-path-provisioner/{pv['metadata']['name']}_default_now"
    reasons = [e[1] for e in events(mk, "now")]
    assert reasons == ["ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"]


def test_wait_for_first_consumer_then_provision_on_the_pods_node(mk):
    apply(mk, claim("later"))
    assert events(mk, "later") == [("Normal", "WaitForFirstConsumer",
                                    "waiting for first consumer to be created before binding")]
    mk.advance(5)
    assert mk("get", "pvc", "later", "--no-headers").out.split()[1] == "Pending"
    apply(mk, pod("user", "later"))
    mk.advance(5)
    p = j(mk, "get", "pod", "user")
    c = j(mk, "get", "pvc", "later")
    assert p["status"]["phase"] == "Running"
    assert c["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == p["spec"]["nodeName"]
    pv = j(mk, "get", "pv", c["spec"]["volumeName"])
    assert pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]["values"] == \
        [p["spec"]["nodeName"]]


def test_scheduler_texts_for_missing_and_unbound_claims(mk):
    apply(mk, pod("p", "nothere"))
    cond = j(mk, "get", "pod", "p")["status"]["conditions"][0]
    assert cond["message"] == ('0/4 nodes are available: persistentvolumeclaim "nothere" not found. preemption: 0/4 '
                               "nodes are available: 4 Preemption is not helpful for scheduling.")
    apply(mk, claim("nothere", cls="manual"))
    cond = j(mk, "get", "pod", "p")["status"]["conditions"][0]
    assert cond["message"] == ("0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: "
                               "0/4 nodes are available: 4 Preemption is not helpful for scheduling.")
    apply(mk, volume("v", "1Gi"))
    mk.advance(5)
    assert j(mk, "get", "pod", "p")["status"]["phase"] == "Running"


def test_volume_node_affinity_conflict(mk):
    apply(mk, volume("local1", "1Gi", extra="  nodeAffinity:\n    required:\n      nodeSelectorTerms:\n"
                                            "      - matchExpressions:\n        - key: kubernetes.io/hostname\n"
                                            "          operator: In\n          values: [k8s-worker-01]\n"))
    apply(mk, claim("c", cls="manual"))
    apply(mk, pod("p", "c").replace("spec:\n  volumes", "spec:\n  nodeSelector:\n    kubernetes.io/hostname: k8s-worker-02\n  volumes"))
    msg = j(mk, "get", "pod", "p")["status"]["conditions"][0]["message"]
    assert msg.startswith("0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, ")
    assert "1 node(s) had volume node affinity conflict" in msg and "2 node(s) didn't match Pod's node affinity/selector" in msg


def test_pvc_protection_keeps_a_claim_in_use(mk):
    apply(mk, volume("v"))
    apply(mk, claim("c", cls="manual"))
    apply(mk, pod("p", "c"))
    mk.advance(5)
    r = mk("delete", "pvc", "c", "--wait=false")
    assert r.out == 'persistentvolumeclaim "c" deleted\n'
    assert mk("get", "pvc", "c", "--no-headers").out.split()[1] == "Terminating"
    assert "Status:        Terminating (lasts" in mk("describe", "pvc", "c").out
    mk("delete", "pod", "p")
    mk.advance(40)
    assert mk("get", "pvc", "c").code == 1
    assert mk("get", "pv", "v", "--no-headers").out.split()[4] == "Released"


def test_retain_released_then_claim_ref_cleared_by_hand(mk):
    apply(mk, volume("v"))
    apply(mk, claim("c", cls="manual"))
    mk("delete", "pvc", "c")
    assert mk("get", "pv", "v", "--no-headers").out.split()[4:6] == ["Released", "default/c"]
    apply(mk, claim("c", cls="manual"))  # a new claim of the same name does not get the old volume
    assert mk("get", "pvc", "c", "--no-headers").out.split()[1] == "Pending"
    r = mk("patch", "pv", "v", "--type", "json", "-p", '[{"op":"remove","path":"/spec/claimRef"}]')
    assert r.code == 0, r.err
    assert mk("get", "pvc", "c", "--no-headers").out.split()[1:3] == ["Bound", "v"]


def test_delete_policy_on_dynamic_and_static_volumes(mk):
    apply(mk, claim("dyn", cls="standard"))
    name = j(mk, "get", "pvc", "dyn")["spec"]["volumeName"]
    mk("delete", "pvc", "dyn")
    assert mk("get", "pv", name).code == 1
    apply(mk, volume("static", policy="Delete"))
    apply(mk, claim("c", cls="manual"))
    mk("delete", "pvc", "c")
    row = mk("get", "pv", "static", "--no-headers").out.split()
    assert row[4] == "Failed"
    assert ("Warning", "VolumeFailedDelete", "host_path deleter only supports /tmp/.+ but received provided /mnt/data") \
        in events(mk, "static")


def test_pv_protection_and_finalizer_removed_by_hand(mk):
    apply(mk, volume("v"))
    apply(mk, claim("c", cls="manual"))
    mk("delete", "pv", "v", "--wait=false")
    assert mk("get", "pv", "v", "--no-headers").out.split()[4] == "Terminating"
    mk("patch", "pv", "v", "-p", '{"metadata":{"finalizers":null}}')
    assert mk("get", "pv", "v").code == 1


def test_expansion_on_an_expandable_class(mk):
    apply(mk, claim("grow", "1Gi", cls="standard"))
    mk.advance(1)
    r = mk("patch", "pvc", "grow", "-p", '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}')
    assert (r.code, r.out) == (0, "persistentvolumeclaim/grow patched\n"), r.err
    c = j(mk, "get", "pvc", "grow")
    # the volume grew; the file system waits for a pod to mount it
    assert j(mk, "get", "pv", c["spec"]["volumeName"])["spec"]["capacity"]["storage"] == "2Gi"
    assert c["status"]["capacity"]["storage"] == "1Gi"
    assert [x["type"] for x in c["status"]["conditions"]] == ["FileSystemResizePending"]
    assert "FileSystemResizePending" in mk("describe", "pvc", "grow").out
    mk.advance(1)
    apply(mk, pod("user", "grow"))
    mk.advance(10)
    c = j(mk, "get", "pvc", "grow")
    assert c["status"]["capacity"]["storage"] == "2Gi" and "conditions" not in c["status"]
    assert [e[1] for e in events(mk, "grow")][-4:] == ["ExternalExpanding", "Resizing", "FileSystemResizeRequired",
                                                       "FileSystemResizeSuccessful"]
    assert mk("get", "pvc", "grow", "--no-headers").out.split()[3] == "2Gi"


def test_describe_pv_and_pvc(mk):
    apply(mk, volume("v", extra="  mountOptions: []\n"))
    apply(mk, claim("c", "3Gi", cls="manual"))
    out = mk("describe", "pv", "v").out
    for line in ("Name:            v", "Finalizers:      [kubernetes.io/pv-protection]", "StorageClass:    manual",
                 "Status:          Bound", "Claim:           default/c", "Reclaim Policy:  Retain",
                 "Access Modes:    RWO", "VolumeMode:      Filesystem", "Capacity:        10Gi",
                 "Node Affinity:   <none>", "Source:"):
        assert line in out.splitlines(), (line, out)
    assert "HostPath (bare host directory volume)" in out and "/mnt/data" in out
    out = mk("describe", "pvc", "c").out
    for line in ("Name:          c", "Namespace:     default", "Status:        Bound", "Volume:        v",
                 "Capacity:      10Gi", "Access Modes:  RWO", "Used By:       <none>", "Events:        <none>"):
        assert line in out.splitlines(), (line, out)


# ---------------------------------------------------------------------------------------------
# StatefulSet claims


STS = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: nginx
  replicas: 2
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.27
        volumeMounts:
        - name: www
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: www
    spec:
      accessModes: [ "ReadWriteOnce" ]
      resources:
        requests:
          storage: 1Gi
"""


def test_statefulset_claims_kept_and_rebound(mk):
    apply(mk, STS)
    mk.advance(30)
    pvcs = j(mk, "get", "pvc")["items"]
    assert [c["metadata"]["name"] for c in pvcs] == ["www-web-0", "www-web-1"]
    assert all(c["status"]["phase"] == "Bound" and c["metadata"]["labels"] == {"app": "nginx"} for c in pvcs)
    vols = {c["metadata"]["name"]: c["spec"]["volumeName"] for c in pvcs}
    p0 = j(mk, "get", "pod", "web-0")
    assert {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}} in p0["spec"]["volumes"]
    mk("scale", "sts", "web", "--replicas=1")
    mk.advance(60)
    assert [c["metadata"]["name"] for c in j(mk, "get", "pvc")["items"]] == ["www-web-0", "www-web-1"]
    mk("scale", "sts", "web", "--replicas=2")
    mk.advance(60)
    assert j(mk, "get", "pvc", "www-web-1")["spec"]["volumeName"] == vols["www-web-1"]
    assert len(j(mk, "get", "pv")["items"]) == 2
    mk("delete", "sts", "web")
    mk.advance(60)
    assert mk("get", "pod").out == ""
    assert [c["metadata"]["name"] for c in j(mk, "get", "pvc")["items"]] == ["www-web-0", "www-web-1"]
    reasons = [e[2] for e in events(mk, "web")]
    assert "create Claim www-web-0 Pod web-0 in StatefulSet web success" in reasons


def test_delete_of_a_claim_in_use_says_kubectl_would_wait(mk):
    apply(mk, volume("v"))
    apply(mk, claim("c", cls="manual"))
    apply(mk, pod("p", "c"))
    mk.advance(5)
    r = mk("delete", "pvc", "c")
    assert (r.code, r.out) == (0, 'persistentvolumeclaim "c" deleted\n')
    assert r.err == ('minikctl: kubectl would keep waiting here (until Ctrl-C): persistentvolumeclaim "c" stays '
                     "Terminating while its finalizers [kubernetes.io/pvc-protection] remain\n")
    r = mk("delete", "pvc", "c", "--wait=false")   # already being deleted: nothing more to say
    assert r.err == ""
    apply(mk, claim("free", cls="manual"))
    r = mk("delete", "pvc", "free")
    assert (r.out, r.err) == ('persistentvolumeclaim "free" deleted\n', "")
    assert mk("get", "pvc", "free").code == 1


NO_PROVISIONER = """\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local-storage
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
"""


def test_local_volume_with_no_provisioner_class_follows_the_pod(mk):
    apply(mk, NO_PROVISIONER)
    apply(mk, volume("local-pv", "5Gi", cls="local-storage", extra="  nodeAffinity:\n    required:\n"
                     "      nodeSelectorTerms:\n      - matchExpressions:\n        - key: kubernetes.io/hostname\n"
                     "          operator: In\n          values: [k8s-worker-02]\n").replace("hostPath", "local"))
    apply(mk, claim("c", "1Gi", cls="local-storage"))
    assert mk("get", "pvc", "c", "--no-headers").out.split()[1] == "Pending"
    assert mk("get", "pv", "local-pv", "--no-headers").out.split()[4] == "Available"
    apply(mk, pod("p", "c"))
    mk.advance(10)
    p = j(mk, "get", "pod", "p")
    assert (p["spec"]["nodeName"], p["status"]["phase"]) == ("k8s-worker-02", "Running")
    assert mk("get", "pvc", "c", "--no-headers").out.split()[1:3] == ["Bound", "local-pv"]
    # a second claim of the class finds no volume on any node: the scheduler says so per node
    apply(mk, claim("c2", "1Gi", cls="local-storage"))
    apply(mk, pod("p2", "c2"))
    msg = j(mk, "get", "pod", "p2")["status"]["conditions"][0]["message"]
    assert msg == ("0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
                   "3 node(s) didn't find available persistent volumes to bind. preemption: 0/4 nodes are available: "
                   "4 Preemption is not helpful for scheduling.")


def test_reapply_is_unchanged_and_keeps_the_binders_annotations(mk):
    for verdict in ("created", "unchanged"):
        r = mk("apply", "-f", str(DATA / "pv-volume.yaml"), "-f", str(DATA / "pv-claim.yaml"))
        assert r.out == f"persistentvolume/task-pv-volume {verdict}\npersistentvolumeclaim/task-pv-claim {verdict}\n"
    ann = j(mk, "get", "pvc", "task-pv-claim")["metadata"]["annotations"]
    assert ann["pv.kubernetes.io/bind-completed"] == "yes" and ann["pv.kubernetes.io/bound-by-controller"] == "yes"
