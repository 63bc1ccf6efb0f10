"""apply_defaults(): what `get -o yaml` / describe of a created object show on a real 1.32 cluster.

Expected values are read from the reference's describe samples where it has them (section 4),
otherwise they are the SetDefaults_* values.
"""
from __future__ import annotations

import copy
import random
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from minikctl.api.defaults import apply_defaults, image_pull_policy, qos_class
from minikctl.api.schema import unknown_fields
from minikctl.api.validation import validate
from conftest import REFERENCE, SPEC

REF = (REFERENCE / "kubectl-describe.md").read_text()
SPEC_DIR = SPEC


def load(name: str, kind: str) -> dict:
    return [d for d in yaml.safe_load_all((SPEC_DIR / name).read_text()) if d["kind"] == kind][0]


def describe_value(block_title: str, key: str) -> list[str]:
    """Values of `key:` in the reference's rendered describe block after `block_title`."""
    block = REF.split(block_title, 1)[1].split("```", 2)[1]
    out = []
    grab = False
    for line in block.splitlines():
        if line.startswith(f"{key}:"):
            out.append(line.split(":", 1)[1].strip())
            grab = True
        elif grab and line.startswith(" " * 10) and ":" in line:
            out.append(line.strip())
        else:
            grab = False
    return out


def test_pod_admission_defaults_match_the_describe_sample():
    pod = load("busybox.yaml", "Pod")
    apply_defaults(pod, rng=random.Random(7))
    spec = pod["spec"]
    sample = "Rendered (1.29+ kubelet adds"
    assert str(spec["priority"]) == describe_value(sample, "Priority")[0]
    assert spec["serviceAccountName"] == describe_value(sample, "Service Account")[0]
    assert pod["status"]["qosClass"] == describe_value(sample, "QoS Class")[0]
    # `Tolerations:` lines are `key:Effect op=Exists for Ns`.
    rendered = [f"{t['key']}:{t['effect']} op={t['operator']} for {t['tolerationSeconds']}s"
                for t in spec["tolerations"]]
    assert rendered == describe_value(sample, "Tolerations")
    # The projected token volume of the sample.
    vol = spec["volumes"][0]
    assert re.fullmatch(r"kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}", vol["name"])
    sources = vol["projected"]["sources"]
    assert f"TokenExpirationSeconds:  {sources[0]['serviceAccountToken']['expirationSeconds']}" in REF
    assert f"ConfigMapName:           {sources[1]['configMap']['name']}" in REF
    mount = spec["containers"][0]["volumeMounts"][0]
    assert f"{mount['mountPath']} from kube-api-access-5x2kq (ro)" in REF and mount["readOnly"] is True


def test_pod_spec_defaults():
    pod = load("busybox.yaml", "Pod")
    apply_defaults(pod)
    spec, c = pod["spec"], pod["spec"]["containers"][0]
    assert (spec["dnsPolicy"], spec["restartPolicy"], spec["schedulerName"]) == \
        ("ClusterFirst", "Never", "default-scheduler")  # restartPolicy Never is kept
    assert spec["terminationGracePeriodSeconds"] == 30 and spec["securityContext"] == {}
    assert spec["enableServiceLinks"] is True and spec["preemptionPolicy"] == "PreemptLowerPriority"
    assert spec["serviceAccount"] == "default"
    assert c["imagePullPolicy"] == "IfNotPresent"
    assert (c["terminationMessagePath"], c["terminationMessagePolicy"], c["resources"]) == \
        ("/dev/termination-log", "File", {})
    assert pod["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    assert "volumes" not in spec  # no rng: no token volume


@pytest.mark.parametrize("image,policy", [
    ("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.25", "IfNotPresent"),
    ("localhost:5000/nginx", "Always"), ("localhost:5000/nginx:1.2", "IfNotPresent"),
    ("nginx@sha256:abcd", "IfNotPresent"), ("", "IfNotPresent"),
])
def test_image_pull_policy(image, policy):
    assert image_pull_policy(image) == policy


def test_qos_classes():
    def spec(*res):
        return {"containers": [{"name": f"c{i}", "resources": r} for i, r in enumerate(res)]}
    assert qos_class(spec({})) == "BestEffort"
    assert qos_class(spec({"requests": {"cpu": "100m"}})) == "Burstable"
    g = {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "0.5", "memory": "128Mi"}}
    assert qos_class(spec(g)) == "Guaranteed"
    assert qos_class(spec(g, {})) == "Burstable"
    # Requests default to limits, so limits alone make a pod Guaranteed.
    pod = {"kind": "Pod", "spec": spec({"limits": {"cpu": "1", "memory": "1Gi"}})}
    apply_defaults(pod)
    assert pod["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "1", "memory": "1Gi"}
    assert pod["status"]["qosClass"] == "Guaranteed"


def test_existing_tolerations_are_not_duplicated():
    pod = {"kind": "Pod", "spec": {"containers": [{"name": "c", "image": "a"}], "tolerations": [
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5}]}}
    apply_defaults(pod)
    assert [(t["key"], t["tolerationSeconds"]) for t in pod["spec"]["tolerations"]] == [
        ("node.kubernetes.io/not-ready", 5), ("node.kubernetes.io/unreachable", 300)]


def test_service_defaults_match_describe_and_kubectl():
    s = load("web-server.yaml", "Service")
    apply_defaults(s)
    spec = s["spec"]
    sample = 'A plain service adds `IP Family Policy:\\tSingleStack`'
    assert sample.replace("\\t", "\t").split("`")[1].split("\t")[1] == spec["ipFamilyPolicy"]
    assert spec["ipFamilies"] == ["IPv4"] and spec["sessionAffinity"] == "None"
    assert spec["type"] == "ClusterIP" and spec["internalTrafficPolicy"] == "Cluster"
    assert "externalTrafficPolicy" not in spec and "allocateLoadBalancerNodePorts" not in spec
    assert spec["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    assert s["status"] == {"loadBalancer": {}}


def test_headless_and_typed_services():
    s = load("test-headless-server.yaml", "Service")
    apply_defaults(s)
    assert s["spec"]["clusterIPs"] == ["None"] and s["spec"]["ipFamilyPolicy"] == "SingleStack"
    lb = {"kind": "Service", "spec": {"type": "LoadBalancer", "ports": [{"port": 80, "targetPort": 8080}]}}
    apply_defaults(lb)
    assert lb["spec"]["externalTrafficPolicy"] == "Cluster"
    assert lb["spec"]["allocateLoadBalancerNodePorts"] is True
    assert lb["spec"]["ports"][0]["targetPort"] == 8080
    ext = {"kind": "Service", "spec": {"type": "ExternalName", "externalName": "my.database.example.com"}}
    apply_defaults(ext)
    assert ext["spec"] == {"type": "ExternalName", "externalName": "my.database.example.com",
                           "sessionAffinity": "None"}


def test_deployment_defaults_match_describe():
    d = load("web-server.yaml", "Deployment")
    apply_defaults(d)
    spec = d["spec"]
    ru = spec["strategy"]["rollingUpdate"]
    line = f"RollingUpdateStrategy:\\t{ru['maxUnavailable']} max unavailable, {ru['maxSurge']} max surge"
    assert line in REF
    assert spec["strategy"]["type"] == "RollingUpdate"
    assert (spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"], spec["replicas"]) == (10, 600, 3)
    tmpl = spec["template"]
    assert tmpl["metadata"]["creationTimestamp"] is None
    # Pod templates get PodSpec defaults but not the Pod-only admission fields.
    assert tmpl["spec"]["dnsPolicy"] == "ClusterFirst"
    assert "serviceAccountName" not in tmpl["spec"] and "tolerations" not in tmpl["spec"]
    assert d["status"] == {}


def test_recreate_strategy_gets_no_rolling_update():
    d = {"kind": "Deployment", "spec": {"strategy": {"type": "Recreate"}, "template": {"spec": {}}}}
    apply_defaults(d)
    assert d["spec"]["strategy"] == {"type": "Recreate"} and d["spec"]["replicas"] == 1


def test_statefulset_and_replicaset_defaults():
    s = load("headless-web-server.yaml", "StatefulSet")
    apply_defaults(s)
    spec = s["spec"]
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    assert spec["revisionHistoryLimit"] == 10 and "minReadySeconds" not in spec
    assert spec["template"]["spec"]["containers"][0]["ports"][0]["protocol"] == "TCP"
    rs = {"kind": "ReplicaSet", "spec": {"template": {"spec": {}}}}
    apply_defaults(rs)
    assert rs["spec"]["replicas"] == 1 and rs["status"] == {"replicas": 0}


def test_namespace_defaults():
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}}
    apply_defaults(ns)
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "dev"}
    assert ns["spec"] == {"finalizers": ["kubernetes"]} and ns["status"] == {"phase": "Active"}


def test_defaults_are_idempotent_and_stay_valid_and_known():
    for name in ("busybox.yaml", "web-server.yaml", "test-headless-server.yaml", "headless-web-server.yaml"):
        for doc in yaml.safe_load_all((SPEC_DIR / name).read_text()):
            once = copy.deepcopy(doc)
            apply_defaults(once, rng=random.Random(1))
            twice = copy.deepcopy(once)
            apply_defaults(twice)
            assert twice == once
            assert validate(once) == [] and unknown_fields(once) == []


def test_template_creation_timestamp_null_as_kubectl_prints_it():
    try:
        out = subprocess.run(["kubectl", "create", "deployment", "web", "--image=nginx", "--dry-run=client",
                              "-o", "yaml"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        pytest.skip("kubectl not available")
    d = yaml.safe_load(out)
    assert d["spec"]["template"]["metadata"]["creationTimestamp"] is None
    apply_defaults(d)
    assert d["spec"]["template"]["metadata"]["creationTimestamp"] is None
    assert d["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": "25%", "maxUnavailable": "25%"}
    assert validate(d) == []


def test_generation_counts_spec_changes_only(mk):
    """metadata.generation: 1 at create, +1 per spec change, unchanged by metadata or status."""
    def gen():
        return mk("get", "deploy", "web", "-o", "jsonpath={.metadata.generation}").out

    mk("create", "deployment", "web", "--image=nginx")
    mk.advance(30)                       # the controllers have written status by now
    assert gen() == "1"
    mk("label", "deploy", "web", "tier=fe")
    assert gen() == "1"
    mk("scale", "deploy", "web", "--replicas=3")
    assert gen() == "2"


def test_service_replace_keeps_allocated_values(mk, tmp_path):
    """`kubectl replace` of a manifest without clusterIP / nodePort keeps the allocated ones."""
    f = tmp_path / "svc.yaml"
    f.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
                 "spec: {type: NodePort, selector: {app: web}, ports: [{name: http, port: 80}]}\n")
    assert mk("create", "-f", str(f)).code == 0
    path = "jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}"
    before = mk("get", "svc", "web", "-o", path).out
    r = mk("replace", "-f", str(f))
    assert (r.code, r.out) == (0, "service/web replaced\n"), r.err
    assert mk("get", "svc", "web", "-o", path).out == before
