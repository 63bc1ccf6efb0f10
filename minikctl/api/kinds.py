"""The kinds minikctl models, and how kubectl names them (discovery data).

One table answers every naming question: `get po`, `deployment.apps/web`, `pods "x" not found`,
`get all`, and the order kubectl prints groups in.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from minikctl.api.errors import CliError


@dataclass(frozen=True)
class Kind:
    kind: str
    plural: str
    group: str = ""
    version: str = "v1"
    namespaced: bool = True
    short: tuple[str, ...] = field(default_factory=tuple)
    categories: tuple[str, ...] = field(default_factory=tuple)
    other_versions: tuple[str, ...] = field(default_factory=tuple)   # also served (converted on input)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def resource(self) -> str:
        """'pods', 'deployments.apps': the name in NotFound / AlreadyExists messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def ref(self) -> str:
        """'pod', 'deployment.apps': the prefix of `-o name` and multi-kind tables."""
        return f"{self.singular}.{self.group}" if self.group else self.singular


# Discovery order: the order `kubectl api-resources` lists core first, then groups.
KINDS: tuple[Kind, ...] = (
    Kind("ConfigMap", "configmaps", short=("cm",)),
    Kind("Endpoints", "endpoints", short=("ep",)),
    Kind("Event", "events", short=("ev",)),
    Kind("LimitRange", "limitranges", short=("limits",)),
    Kind("Namespace", "namespaces", namespaced=False, short=("ns",)),
    Kind("Node", "nodes", namespaced=False, short=("no",)),
    Kind("PersistentVolumeClaim", "persistentvolumeclaims", short=("pvc",)),
    Kind("PersistentVolume", "persistentvolumes", namespaced=False, short=("pv",)),
    Kind("Pod", "pods", short=("po",), categories=("all",)),
    Kind("ResourceQuota", "resourcequotas", short=("quota",)),
    Kind("Secret", "secrets"),
    Kind("ServiceAccount", "serviceaccounts", short=("sa",)),
    Kind("Service", "services", short=("svc",), categories=("all",)),
    Kind("DaemonSet", "daemonsets", group="apps", short=("ds",), categories=("all",)),
    Kind("Deployment", "deployments", group="apps", short=("deploy",), categories=("all",)),
    Kind("ReplicaSet", "replicasets", group="apps", short=("rs",), categories=("all",)),
    Kind("StatefulSet", "statefulsets", group="apps", short=("sts",), categories=("all",)),
    Kind("HorizontalPodAutoscaler", "horizontalpodautoscalers", group="autoscaling", version="v2", short=("hpa",),
         categories=("all",), other_versions=("v1",)),
    Kind("CronJob", "cronjobs", group="batch", short=("cj",), categories=("all",)),
    Kind("Job", "jobs", group="batch", categories=("all",)),
    Kind("ValidatingWebhookConfiguration", "validatingwebhookconfigurations", group="admissionregistration.k8s.io",
         namespaced=False),
    Kind("CertificateSigningRequest", "certificatesigningrequests", group="certificates.k8s.io", namespaced=False,
         short=("csr",)),
    Kind("EndpointSlice", "endpointslices", group="discovery.k8s.io"),
    Kind("IngressClass", "ingressclasses", group="networking.k8s.io", namespaced=False),
    Kind("Ingress", "ingresses", group="networking.k8s.io", short=("ing",)),
    Kind("NetworkPolicy", "networkpolicies", group="networking.k8s.io", short=("netpol",)),
    Kind("PodDisruptionBudget", "poddisruptionbudgets", group="policy", short=("pdb",)),
    Kind("ClusterRoleBinding", "clusterrolebindings", group="rbac.authorization.k8s.io", namespaced=False),
    Kind("ClusterRole", "clusterroles", group="rbac.authorization.k8s.io", namespaced=False),
    Kind("RoleBinding", "rolebindings", group="rbac.authorization.k8s.io"),
    Kind("Role", "roles", group="rbac.authorization.k8s.io"),
    Kind("PriorityClass", "priorityclasses", group="scheduling.k8s.io", namespaced=False, short=("pc",)),
    Kind("StorageClass", "storageclasses", group="storage.k8s.io", namespaced=False, short=("sc",)),
    # Gateway API v1.2.1 CRDs (standard channel), served after the built-in groups
    Kind("GatewayClass", "gatewayclasses", group="gateway.networking.k8s.io", namespaced=False, short=("gc",),
         categories=("gateway-api",)),
    Kind("Gateway", "gateways", group="gateway.networking.k8s.io", short=("gtw",), categories=("gateway-api",)),
    Kind("HTTPRoute", "httproutes", group="gateway.networking.k8s.io", categories=("gateway-api",)),
    Kind("ReferenceGrant", "referencegrants", group="gateway.networking.k8s.io", version="v1beta1",
         short=("refgrant",), categories=("gateway-api",)),
)

BY_KIND = {k.kind: k for k in KINDS}

# `kubectl get all` expands in this order (pods, services, daemonsets, deployments, replicasets,
# statefulsets, cronjobs, jobs; the kinds we do not model are left out).
ALL_ORDER = ("Pod", "Service", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet", "HorizontalPodAutoscaler",
             "CronJob", "Job")

_ALIASES: dict[str, Kind] = {}
for _k in KINDS:
    for _n in (_k.plural, _k.singular, _k.kind, *_k.short, _k.resource, f"{_k.singular}.{_k.group}"):
        _ALIASES.setdefault(_n.lower(), _k)
    if _k.group:
        _ALIASES.setdefault(f"{_k.plural}.{_k.version}.{_k.group}", _k)


def resolve(name: str) -> Kind:
    """A resource argument ('po', 'deploy', 'services', 'deployment.apps') -> its Kind."""
    k = _ALIASES.get(name.lower())
    if k is None:
        from minikctl.api.builtin_resources import not_simulated
        raise CliError(not_simulated(name) or f'the server doesn\'t have a resource type "{name}"')
    return k


def by_kind(kind: str, api_version: str | None = None) -> Kind | None:
    k = BY_KIND.get(kind)
    if k and api_version is not None and k.api_version != api_version \
            and api_version not in (f"{k.group}/{v}" if k.group else v for v in k.other_versions):
        return None
    return k
