"""Where kustomize's builtin transformers write: field specs (a kind filter and a slash path)
as kustomize's builtin configuration names them, and the walk that visits or creates the fields.

A path walks maps by key; a list met on the way is entered element by element (a `[]` suffix only
says so explicitly); `\\/` is a slash inside a key (annotation names)."""
from __future__ import annotations

import re
from dataclasses import dataclass

_POD_HOLDERS = (("Deployment", "spec/template/spec"), ("ReplicaSet", "spec/template/spec"),
                ("DaemonSet", "spec/template/spec"), ("StatefulSet", "spec/template/spec"),
                ("Job", "spec/template/spec"), ("CronJob", "spec/jobTemplate/spec/template/spec"))


@dataclass(frozen=True)
class FieldSpec:
    path: str
    kind: str = ""
    group: str | None = None
    version: str | None = None
    create: bool = False

    def applies(self, obj: dict) -> bool:
        if self.kind and obj.get("kind") != self.kind:
            return False
        group, version = split_api_version(obj.get("apiVersion", ""))
        if self.group is not None and group != self.group:
            return False
        if self.version is not None and version != self.version:
            return False
        return True


def split_api_version(av: str) -> tuple[str, str]:
    if not isinstance(av, str):
        return "", ""
    if "/" in av:
        g, v = av.split("/", 1)
        return g, v
    return "", av


def split_path(path: str) -> list[str]:
    parts = re.split(r"(?<!\\)/", path)
    return [p.replace("\\/", "/") for p in parts]


def visit(obj, path: str, fn, create: bool = False, create_value=None) -> None:
    """Call fn(parent, key) for every field the path reaches; with create, missing maps on the
    way and the last field (set to create_value()) are made."""
    _walk(obj, split_path(path), fn, create, create_value)


def _walk(node, parts: list[str], fn, create: bool, create_value) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, parts, fn, create, create_value)
        return
    if not isinstance(node, dict):
        return
    key = parts[0]
    seq = key.endswith("[]")
    if seq:
        key = key[:-2]
    if len(parts) == 1:
        if key not in node or node[key] is None:
            if not create:
                return
            node[key] = create_value() if create_value else None
        fn(node, key)
        return
    nxt = node.get(key)
    if nxt is None:
        if not create or seq:
            return
        nxt = node[key] = [] if seq else {}
    _walk(nxt, parts[1:], fn, create, create_value)


def _specs(text: str) -> list[FieldSpec]:
    """'path kind group version create' lines: '-' for any, 'c' creates."""
    out = []
    for line in text.strip().splitlines():
        path, kind, group, version, create = line.split()
        out.append(FieldSpec(path, "" if kind == "-" else kind, None if group == "-" else group.replace("core", ""),
                             None if version == "-" else version, create == "c"))
    return out


# Labels on objects and on the pod templates workloads stamp out (kustomize's metadataLabels).
METADATA_LABELS = _specs("""
metadata/labels - - - c
spec/template/metadata/labels ReplicationController - v1 c
spec/template/metadata/labels Deployment - - c
spec/template/metadata/labels ReplicaSet - - c
spec/template/metadata/labels DaemonSet - - c
spec/template/metadata/labels StatefulSet apps - c
spec/volumeClaimTemplates[]/metadata/labels StatefulSet apps - c
spec/template/metadata/labels Job batch - c
spec/jobTemplate/metadata/labels CronJob batch - c
spec/jobTemplate/spec/template/metadata/labels CronJob batch - c
""")

_AFFINITY = [f"spec/template/spec/affinity/{a}/{w}" for a in ("podAffinity", "podAntiAffinity") for w in (
    "preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels")] + [
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels"]

# The selectors commonLabels (and labels with includeSelectors) also write.
SELECTOR_LABELS = _specs("""
spec/selector Service - v1 c
spec/selector ReplicationController - v1 c
spec/selector/matchLabels Deployment - - c
""") + [FieldSpec(p, "Deployment", "apps") for p in _AFFINITY] + _specs("""
spec/selector/matchLabels ReplicaSet - - c
spec/selector/matchLabels DaemonSet - - c
spec/selector/matchLabels StatefulSet apps - c
""") + [FieldSpec(p, "StatefulSet", "apps") for p in _AFFINITY] + _specs("""
spec/selector/matchLabels Job batch - -
spec/jobTemplate/spec/selector/matchLabels CronJob batch - -
spec/selector/matchLabels PodDisruptionBudget policy - -
spec/podSelector/matchLabels NetworkPolicy networking.k8s.io - -
spec/ingress/from/podSelector/matchLabels NetworkPolicy networking.k8s.io - -
spec/egress/to/podSelector/matchLabels NetworkPolicy networking.k8s.io - -
""")

COMMON_LABELS = SELECTOR_LABELS + METADATA_LABELS

COMMON_ANNOTATIONS = _specs("""
metadata/annotations - - - c
spec/template/metadata/annotations ReplicationController - v1 c
spec/template/metadata/annotations Deployment - - c
spec/template/metadata/annotations ReplicaSet - - c
spec/template/metadata/annotations DaemonSet - - c
spec/template/metadata/annotations StatefulSet - - c
spec/template/metadata/annotations Job batch - c
spec/jobTemplate/metadata/annotations CronJob batch - c
spec/jobTemplate/spec/template/metadata/annotations CronJob batch - c
""")

REPLICAS = _specs("""
spec/replicas Deployment - - c
spec/replicas ReplicationController - - c
spec/replicas ReplicaSet - - c
spec/replicas StatefulSet - - c
""")

NAMESPACE_EXTRA = _specs("""
metadata/name Namespace - - c
spec/service/namespace APIService apiregistration.k8s.io - c
spec/conversion/webhook/clientConfig/service/namespace CustomResourceDefinition apiextensions.k8s.io - -
""")


def _pod_refs(kind_paths, leaf_paths: list[str], version_for_pod: bool = True) -> list[FieldSpec]:
    out = []
    for kind, base in kind_paths:
        for leaf in leaf_paths:
            out.append(FieldSpec(f"{base}/{leaf}" if base else leaf, kind,
                                 version="v1" if (kind == "Pod" and version_for_pod) else None))
    return out


_POD_KINDS = (("Pod", "spec"), ("PodTemplate", "template/spec")) + _POD_HOLDERS

_CM_LEAVES = ["volumes/configMap/name", "containers/env/valueFrom/configMapKeyRef/name",
              "initContainers/env/valueFrom/configMapKeyRef/name", "containers/envFrom/configMapRef/name",
              "initContainers/envFrom/configMapRef/name", "volumes/projected/sources/configMap/name"]
_SECRET_LEAVES = ["volumes/secret/secretName", "containers/env/valueFrom/secretKeyRef/name",
                  "initContainers/env/valueFrom/secretKeyRef/name", "containers/envFrom/secretRef/name",
                  "initContainers/envFrom/secretRef/name", "imagePullSecrets/name",
                  "volumes/projected/sources/secret/name"]
_WORKLOADS_RC = (("StatefulSet", "spec/template/spec"), ("Deployment", "spec/template/spec"),
                 ("ReplicationController", "spec/template/spec"),
                 ("CronJob", "spec/jobTemplate/spec/template/spec"), ("Job", "spec/template/spec"),
                 ("DaemonSet", "spec/template/spec"))

# (referred kind, its group or None) -> the fields that hold its name (kustomize's nameReference).
NAME_REFERENCES: list[tuple[str, str | None, list[FieldSpec]]] = [
    (k, None, [FieldSpec("spec/scaleTargetRef/name", "HorizontalPodAutoscaler")])
    for k in ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")
] + [
    ("ConfigMap", "", _pod_refs(_POD_KINDS, _CM_LEAVES) + _specs(r"""
spec/configSource/configMap Node - - -
rules/resourceNames Role - - -
rules/resourceNames ClusterRole - - -
metadata/annotations/nginx.ingress.kubernetes.io\/fastcgi-params-configmap Ingress - - -
""")),
    ("Secret", "", _pod_refs(_POD_KINDS, _SECRET_LEAVES) + _specs(r"""
spec/tls/secretName Ingress - - -
metadata/annotations/ingress.kubernetes.io\/auth-secret Ingress - - -
metadata/annotations/nginx.ingress.kubernetes.io\/auth-secret Ingress - - -
metadata/annotations/nginx.ingress.kubernetes.io\/auth-tls-secret Ingress - - -
imagePullSecrets/name ServiceAccount - - -
parameters/secretName StorageClass - - -
parameters/adminSecretName StorageClass - - -
parameters/userSecretName StorageClass - - -
parameters/secretRef StorageClass - - -
rules/resourceNames Role - - -
rules/resourceNames ClusterRole - - -
spec/template/spec/containers/env/valueFrom/secretKeyRef/name Service serving.knative.dev v1 -
spec/azureFile/secretName PersistentVolume - - -
""")),
    ("Service", "", _specs("""
spec/serviceName StatefulSet apps - -
spec/rules/http/paths/backend/serviceName Ingress - - -
spec/backend/serviceName Ingress - - -
spec/rules/http/paths/backend/service/name Ingress - - -
spec/defaultBackend/service/name Ingress - - -
spec/service/name APIService apiregistration.k8s.io - -
webhooks/clientConfig/service ValidatingWebhookConfiguration admissionregistration.k8s.io - -
webhooks/clientConfig/service MutatingWebhookConfiguration admissionregistration.k8s.io - -
""")),
    ("Role", "rbac.authorization.k8s.io", _specs("roleRef/name RoleBinding rbac.authorization.k8s.io - -")),
    ("ClusterRole", "rbac.authorization.k8s.io", _specs("""
roleRef/name RoleBinding rbac.authorization.k8s.io - -
roleRef/name ClusterRoleBinding rbac.authorization.k8s.io - -
""")),
    ("ServiceAccount", "", _specs("""
subjects RoleBinding rbac.authorization.k8s.io - -
subjects ClusterRoleBinding rbac.authorization.k8s.io - -
spec/serviceAccountName Pod - - -
""") + _pod_refs(_WORKLOADS_RC, ["serviceAccountName"])),
    ("PersistentVolumeClaim", "", _pod_refs((("Pod", "spec"),) + _WORKLOADS_RC,
                                            ["volumes/persistentVolumeClaim/claimName"], False)),
    ("PersistentVolume", "", _specs("""
spec/volumeName PersistentVolumeClaim - - -
rules/resourceNames ClusterRole - - -
""")),
    ("StorageClass", "storage.k8s.io", _specs("""
spec/storageClassName PersistentVolume - - -
spec/storageClassName PersistentVolumeClaim - - -
spec/volumeClaimTemplates/spec/storageClassName StatefulSet - - -
""")),
    ("PriorityClass", "scheduling.k8s.io", _pod_refs((("Pod", "spec"),) + _WORKLOADS_RC, ["priorityClassName"], False)),
    ("IngressClass", "networking.k8s.io", _specs("spec/ingressClassName Ingress - - -")),
    ("ValidatingAdmissionPolicy", "admissionregistration.k8s.io",
     _specs("spec/policyName ValidatingAdmissionPolicyBinding admissionregistration.k8s.io - -")),
]
