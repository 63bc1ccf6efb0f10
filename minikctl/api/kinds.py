"""The kinds minikctl models, and how kubectl names them (discovery data).

One table answers every naming question: `get po`, `deployment.apps/web`, `pods "x" not found`,
`get all`, and the order kubectl prints groups in.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from minikctl.api.errors import CliError
from minikctl import lazy

not_simulated = lazy.function("minikctl.api.builtin_resources", "not_simulated")


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
    # a CustomResourceDefinition's kind: its singular name, schema, printer columns, subresources
    # (api/crd.py's served() entry); None for the kinds compiled into the apiserver
    crd: dict | None = field(default=None, compare=False, hash=False)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return (self.crd or {}).get("singular") or self.kind.lower()

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
    Kind("CustomResourceDefinition", "customresourcedefinitions", group="apiextensions.k8s.io", namespaced=False,
         short=("crd", "crds")),
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


# ---- the kinds CustomResourceDefinitions add (api/crd.py) --------------------------------------
# Set from the cluster's meta each time a cluster is opened (Cluster.load), and read lazily through
# the loader a front end registers (the CLI and serve resolve names before opening the cluster).
_DYNAMIC: list = [(), {}, {}]          # [kinds, aliases, by kind]
_LOADER: list = []


def set_loader(fn) -> None:
    """fn() -> the served CRD entries (api/crd.served) of the current state, read on demand."""
    _LOADER[:] = [fn] if fn is not None else []


def set_dynamic(entries: list[dict] | None) -> None:
    """The CRD kinds now served: entries as api/crd.served writes them to the cluster's meta."""
    ks = []
    for e in entries or []:
        if e.get("kind") in BY_KIND:
            continue          # a CRD of a kind minikctl serves itself (the Gateway API's): the built-in one
        try:
            ks.append(Kind(e["kind"], e["plural"], group=e["group"], version=e["version"],
                           other_versions=tuple(v for v in e.get("versions") or () if v != e["version"]),
                           namespaced=bool(e["namespaced"]), short=tuple(e.get("short") or ()),
                           categories=tuple(e.get("categories") or ()), crd=e))
        except (KeyError, TypeError):
            continue
    aliases: dict[str, Kind] = {}
    for k in ks:
        for n in (k.plural, k.singular, k.kind, *k.short, k.resource, f"{k.singular}.{k.group}",
                  f"{k.plural}.{k.version}.{k.group}"):
            if n.lower() not in _ALIASES:
                aliases.setdefault(n.lower(), k)
    _DYNAMIC[:] = [tuple(ks), aliases, {k.kind: k for k in ks if k.kind not in BY_KIND}]


def refresh() -> None:
    """Read the served CRD kinds again through the registered loader (a front end's)."""
    if _LOADER:
        try:
            entries = _LOADER[0]()
        except Exception:  # noqa: BLE001 - an unreadable state: no CRD kinds, the command goes on
            entries = None
        if entries is not None:
            set_dynamic(entries)


def all_kinds() -> tuple[Kind, ...]:
    """The built-in kinds then the CRDs' (discovery, api-resources)."""
    return KINDS + _DYNAMIC[0]


def in_category(name: str) -> list[Kind]:
    """The kinds a category names, in discovery order (`all`, a CRD's `categories`)."""
    return [k for k in all_kinds() if name in k.categories]


def is_category(name: str) -> bool:
    """A name that is no resource but a category of CRD kinds (resources win, as in kubectl)."""
    low = name.lower()
    if low in _ALIASES or low in _DYNAMIC[1]:
        return False
    if not any(low in k.categories for k in _DYNAMIC[0]):
        refresh()
    return any(low in k.categories for k in all_kinds()) and low not in _DYNAMIC[1]


def resolve(name: str) -> Kind:
    """A resource argument ('po', 'deploy', 'services', 'deployment.apps') -> its Kind."""
    low = name.lower()
    k = _ALIASES.get(low) or _DYNAMIC[1].get(low)
    if k is None:
        refresh()
        k = _DYNAMIC[1].get(low)
    if k is None:
        raise CliError(not_simulated(name) or f'the server doesn\'t have a resource type "{name}"')
    return k


def by_kind(kind: str, api_version: str | None = None) -> Kind | None:
    k = BY_KIND.get(kind) or _DYNAMIC[2].get(kind)
    if k is None and kind and kind[0].isupper():
        refresh()
        k = _DYNAMIC[2].get(kind)
    if k is not None and k.crd is not None:
        if api_version is not None and api_version not in (f"{k.group}/{v}" for v in k.crd.get("versions") or ()):
            return None
        return k
    if k and api_version is not None and k.api_version != api_version \
            and api_version not in (f"{k.group}/{v}" if k.group else v for v in k.other_versions):
        return None
    return k
