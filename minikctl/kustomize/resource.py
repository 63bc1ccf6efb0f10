"""One resource in a kustomize build: the object plus what kustomize remembers about it (the
names it had, the prefixes and suffixes added, whether a generator asked for a hash suffix)."""
from __future__ import annotations

from dataclasses import dataclass, field

from minikctl.kustomize.fieldspecs import split_api_version


@dataclass
class Res:
    obj: dict
    prev: list = field(default_factory=list)   # [(name, namespace)] it had before renames
    prefixes: list = field(default_factory=list)
    suffixes: list = field(default_factory=list)
    needs_hash: bool = False
    behavior: str = ""
    generated: bool = False

    @property
    def kind(self) -> str:
        return self.obj.get("kind") or ""

    @property
    def group(self) -> str:
        return split_api_version(self.obj.get("apiVersion", ""))[0]

    @property
    def version(self) -> str:
        return split_api_version(self.obj.get("apiVersion", ""))[1]

    @property
    def meta(self) -> dict:
        m = self.obj.get("metadata")
        if not isinstance(m, dict):
            m = self.obj["metadata"] = {}
        return m

    @property
    def name(self) -> str:
        return self.meta.get("name") or ""

    @property
    def namespace(self) -> str:
        return self.meta.get("namespace") or ""

    def org_name(self) -> str:
        return self.prev[0][0] if self.prev else self.name

    def org_namespace(self) -> str:
        return self.prev[0][1] if self.prev else self.namespace

    def store_previous(self) -> None:
        self.prev.append((self.name, self.namespace))

    def previous_names(self) -> list[str]:
        return [n for n, _ in self.prev] + [self.name]

    def gvk_string(self) -> str:
        return f"{self.kind or '[noKind]'}.{self.version or '[noVer]'}.{self.group or '[noGrp]'}"

    def cur_id(self) -> str:
        return f"{self.gvk_string()}/{self.name}.{self.namespace or '[noNs]'}"

    def same_id(self, other: "Res") -> bool:
        def ns(r: Res) -> str:
            return "" if r.namespace == "default" else r.namespace
        return (self.kind, self.group, self.version, self.name, ns(self)) == \
            (other.kind, other.group, other.version, other.name, ns(other))

    def cluster_scoped(self) -> bool:
        """kyaml's answer, from the built-in Kubernetes schema: custom kinds count as namespaced."""
        return (self.group, self.kind) in CLUSTER_SCOPED


# (group, kind) of the cluster-scoped kinds in the Kubernetes schema kustomize embeds
CLUSTER_SCOPED = {
    ("", "Namespace"), ("", "Node"), ("", "PersistentVolume"), ("", "ComponentStatus"),
    ("apiregistration.k8s.io", "APIService"), ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("certificates.k8s.io", "CertificateSigningRequest"), ("certificates.k8s.io", "ClusterTrustBundle"),
    ("rbac.authorization.k8s.io", "ClusterRole"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("storage.k8s.io", "StorageClass"), ("storage.k8s.io", "CSIDriver"), ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "VolumeAttachment"), ("storage.k8s.io", "VolumeAttributesClass"),
    ("scheduling.k8s.io", "PriorityClass"), ("node.k8s.io", "RuntimeClass"),
    ("networking.k8s.io", "IngressClass"), ("networking.k8s.io", "IPAddress"), ("networking.k8s.io", "ServiceCIDR"),
    ("policy", "PodSecurityPolicy"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"), ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("internal.apiserver.k8s.io", "StorageVersion"), ("resource.k8s.io", "DeviceClass"),
    ("authentication.k8s.io", "TokenReview"), ("authentication.k8s.io", "SelfSubjectReview"),
    ("authorization.k8s.io", "SubjectAccessReview"), ("authorization.k8s.io", "SelfSubjectAccessReview"),
    ("authorization.k8s.io", "SelfSubjectRulesReview"),
}
