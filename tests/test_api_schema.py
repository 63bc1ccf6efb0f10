"""Strict decoding and explain: the known fields of each kind, and the apiserver's texts for misses."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from minikctl.api import schema
from minikctl.api.validation import (decoding_message, render_strict_error, strict_decoding_error,
                                     strict_patch_message, strict_unknown_fields)
from conftest import SPEC

SPEC_DIR = SPEC


def deployment(container: dict) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container]}}}}


@pytest.mark.parametrize("path", sorted(SPEC_DIR.glob("*.yaml")))
def test_three_services_manifests_have_no_unknown_fields(path):
    for doc in yaml.safe_load_all(path.read_text()):
        assert schema.unknown_fields(doc) == []
        assert decoding_message(doc) is None


def test_misspelt_field_path_and_message():
    d = deployment({"name": "web", "imagee": "nginx"})
    assert strict_unknown_fields(d) == ["spec.template.spec.containers[0].imagee"]
    assert render_strict_error(d, "x.yaml") == (
        'Error from server (BadRequest): error when creating "x.yaml": Deployment in version "v1" cannot be '
        'handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagee"')
    err = strict_decoding_error(d)
    assert (err.reason, err.code) == ("BadRequest", 400)


def test_misindented_spec_under_metadata():
    # kubernetes/community#7376: spec indented under metadata; its string replicas and port are
    # never looked at because the whole subtree is unknown.
    doc = yaml.safe_load("""
apiVersion: apps/v1
kind: Deployment
metadata:
        name: mongodb-deployment
        labels:
          app: mongodb
        spec:
          replicas: "1"
          template:
            spec:
              containers:
              - name: mongodb
                image: mongo
                ports:
                - containerPort: "27107"
""")
    assert decoding_message(doc) == ('Deployment in version "v1" cannot be handled as a Deployment: '
                                     'strict decoding error: unknown field "metadata.spec"')


def test_misindented_requests_and_several_unknown_fields():
    # kubernetes-validate#31: `requests` at container level.
    c = {"name": "redis", "image": "redis", "resources": None, "requests": {"cpu": "50m"}, "zz": 1}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labelz": {}},
           "spec": {"containers": [c]}}
    assert decoding_message(pod) == (
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "metadata.labelz", '
        'unknown field "spec.containers[0].requests", unknown field "spec.containers[0].zz"')


def test_create_wording_for_other_sources():
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"port": 80}}
    assert render_strict_error(svc, "STDIN") == (
        'Error from server (BadRequest): error when creating "STDIN": Service in version "v1" cannot be handled '
        'as a Service: strict decoding error: unknown field "spec.port"')


def test_type_errors_in_encoding_json_words():
    # Real captures (ingress-nginx troubleshooting notes).
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": "80"}]}}
    assert decoding_message(svc) == ('Service in version "v1" cannot be handled as a Service: json: cannot '
                                     'unmarshal string into Go struct field ServicePort.spec.ports.port of type int32')
    d = deployment({"name": "web", "image": "nginx", "ports": [{"containerPort": "80"}]})
    assert decoding_message(d) == (
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go '
        'struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32')
    d = deployment({"name": "web", "image": "nginx"})
    d["spec"]["replicas"] = "3"
    assert decoding_message(d).endswith(
        "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32")
    d["spec"]["replicas"] = 3
    d["metadata"]["labels"] = {"version": 1.0}
    assert decoding_message(d).endswith(
        "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string")
    # Quantities and int-or-strings take both shapes.
    ok = deployment({"name": "web", "image": "nginx", "resources": {"limits": {"cpu": 1, "memory": "1Gi"}},
                     "livenessProbe": {"httpGet": {"port": "http"}}})
    assert decoding_message(ok) is None


def test_patch_wording():
    # Winson-030/dify-kubernetes#1: volumes one level too high in an applied Deployment.
    patch = {"spec": {"template": {"spec": {}}, "volumes": [
        {"hostPath": {"path": "/root/dify/app/api/storage", "type": "DirectoryOrCreate"},
         "name": "dify-api-storage"}]}}
    patched = deployment({"name": "web", "image": "nginx"})
    patched["spec"]["volumes"] = patch["spec"]["volumes"]
    assert strict_patch_message(patch, patched) == (
        'The request is invalid: patch: Invalid value: "map[spec:map[template:map[spec:map[]] volumes:[map['
        'hostPath:map[path:/root/dify/app/api/storage type:DirectoryOrCreate] name:dify-api-storage]]]]": '
        'strict decoding error: unknown field "spec.volumes"')


def test_every_subtree_is_decoded_from_kubernetes_definitions():
    """The decoder reads Kubernetes' own definitions (api/openapi/decoding.py): affinity,
    securityContext and status are known to the last field, as the apiserver's strict decoder
    knows them; maps of quantities and annotations take any key."""
    c = {"name": "web", "image": "nginx", "securityContext": {"whatever": {"x": 1}, "runAsUser": 1000},
         "resources": {"limits": {"nvidia.com/gpu": 1}}}
    d = deployment(c)
    d["spec"]["template"]["spec"]["affinity"] = {"nodeAffinity": {"anything": [1, 2]}}
    d["metadata"]["annotations"] = {"a/b": "c"}
    d["status"] = {"replicas": 3, "made": "up"}
    assert schema.unknown_fields(d) == ["spec.template.spec.affinity.nodeAffinity.anything",
                                        "spec.template.spec.containers[0].securityContext.whatever",
                                        "status.made"]
    assert schema.type_error(dict(d, status={"replicas": "3"})) == (
        "json: cannot unmarshal string into Go struct field DeploymentStatus.status.replicas of type int32")


def test_cka_pod_features_are_known():
    pod = yaml.safe_load("""
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: dev}
spec:
  hostname: web-0
  subdomain: headless
  dnsPolicy: None
  dnsConfig: {nameservers: [1.1.1.1], searches: [a.b], options: [{name: ndots, value: "2"}]}
  hostAliases: [{ip: 10.0.0.1, hostnames: [foo.local]}]
  hostNetwork: false
  nodeSelector: {disk: ssd}
  tolerations: [{key: k, operator: Equal, value: v, effect: NoSchedule}]
  initContainers: [{name: init, image: busybox, command: [sh, -c, "true"]}]
  containers:
  - name: app
    image: nginx
    envFrom: [{configMapRef: {name: cfg}}, {secretRef: {name: s}, prefix: S_}]
    env:
    - {name: A, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: B, valueFrom: {configMapKeyRef: {name: cfg, key: b}}}
    readinessProbe: {httpGet: {path: /, port: 80}, initialDelaySeconds: 3}
    livenessProbe: {exec: {command: [cat, /tmp/x]}}
    startupProbe: {tcpSocket: {port: 80}}
    volumeMounts: [{name: data, mountPath: /data}, {name: cfg, mountPath: /etc/cfg, readOnly: true}]
  volumes:
  - {name: data, persistentVolumeClaim: {claimName: pvc}}
  - {name: cfg, configMap: {name: cfg, items: [{key: a, path: a.txt}]}}
  - {name: sec, secret: {secretName: s}}
  - {name: hp, hostPath: {path: /var/log, type: Directory}}
  - {name: tmp, emptyDir: {medium: Memory}}
  - name: proj
    projected: {sources: [{serviceAccountToken: {path: token}}, {downwardAPI: {items: [{path: ns, fieldRef: {fieldPath: metadata.namespace}}]}}]}
""")
    assert schema.unknown_fields(pod) == []
    pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claim"] = "x"
    assert schema.unknown_fields(pod) == ["spec.volumes[0].persistentVolumeClaim.claim"]


def test_other_kinds_known_fields():
    objs = [
        {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "e"},
         "subsets": [{"addresses": [{"ip": "10.0.0.1", "nodeName": "n", "targetRef": {"kind": "Pod", "name": "p"}}],
                      "ports": [{"port": 80, "protocol": "TCP"}]}]},
        {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "e-abc"},
         "addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.1"], "conditions": {"ready": True}}],
         "ports": [{"name": "", "port": 80, "protocol": "TCP"}]},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"},
         "binaryData": {"x": "AA=="}, "immutable": True},
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"},
         "spec": {"podCIDR": "10.100.0.0/26", "taints": [{"key": "k", "effect": "NoSchedule"}]}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}, "spec": {"finalizers": ["kubernetes"]}},
    ]
    for o in objs:
        assert schema.unknown_fields(o) == [], o["kind"]
    objs[0]["subsets"][0]["address"] = []
    assert schema.unknown_fields(objs[0]) == ["subsets[0].address"]


def test_kubectl_generated_manifests_are_known():
    cmds = [
        ["create", "deployment", "web", "--image=nginx", "--port=80", "--replicas=2"],
        ["create", "service", "nodeport", "web", "--tcp=80:8080"],
        ["create", "service", "externalname", "db", "--external-name=my.database.example.com"],
        ["create", "configmap", "cfg", "--from-literal=a=b"],
        ["create", "namespace", "dev"],
    ]
    for args in cmds:
        try:
            out = subprocess.run(["kubectl", *args, "--dry-run=client", "-o", "yaml"], capture_output=True,
                                 text=True, timeout=30).stdout
        except (OSError, subprocess.TimeoutExpired):
            pytest.skip("kubectl not available")
        obj = yaml.safe_load(out)
        assert isinstance(obj, dict), args  # these generators work offline
        assert schema.unknown_fields(obj) == [], args
        assert decoding_message(obj) is None, args


def test_explain():
    e = schema.explain("Pod", "spec.containers")
    assert e["type"] == "[]Container" and e["required"] is True
    names = [f["name"] for f in e["fields"]]
    assert names == sorted(names) and "image" in names and "imagee" not in names
    ports = schema.explain("Service", "spec.ports.targetPort")
    assert ports["type"] == "IntOrString" and "port" in ports["description"]
    top = schema.explain("Deployment")
    assert [f["name"] for f in top["fields"]] == ["apiVersion", "kind", "metadata", "spec", "status"]
    assert schema.explain("Pod", "metadata.labels")["type"] == "map[string]string"
    with pytest.raises(KeyError):
        schema.explain("Pod", "spec.containerz")
    with pytest.raises(KeyError):
        schema.explain("Widget")
