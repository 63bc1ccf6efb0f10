"""Every resource a kubeadm v1.32 apiserver serves (`kubectl api-resources`), as kubectl's
RESTMapper resolves names against them: plural, singular, short names, group, namespaced.

minikctl models only some of these kinds (api/kinds.py), but RBAC talks about all of them: a
Role may grant `jobs` or `networkpolicies`, and `auth can-i create cronjobs` must resolve
`cronjobs` as kubectl would, even where minikctl has no cronjob objects.
"""
from __future__ import annotations

from typing import NamedTuple


class Resource(NamedTuple):
    plural: str
    group: str
    namespaced: bool
    short: tuple[str, ...] = ()
    singular: str = ""


def _r(plural, group="", namespaced=True, short=(), singular=None):
    return Resource(plural, group, namespaced, tuple(short), singular or plural[:-1])


RESOURCES: tuple[Resource, ...] = (
    _r("bindings"), _r("componentstatuses", namespaced=False, short=("cs",), singular="componentstatus"),
    _r("configmaps", short=("cm",)), _r("endpoints", short=("ep",), singular="endpoints"),
    _r("events", short=("ev",)), _r("limitranges", short=("limits",)),
    _r("namespaces", namespaced=False, short=("ns",)), _r("nodes", namespaced=False, short=("no",)),
    _r("persistentvolumeclaims", short=("pvc",)), _r("persistentvolumes", namespaced=False, short=("pv",)),
    _r("pods", short=("po",)), _r("podtemplates"), _r("replicationcontrollers", short=("rc",)),
    _r("resourcequotas", short=("quota",)), _r("secrets"), _r("serviceaccounts", short=("sa",)),
    _r("services", short=("svc",)),
    _r("mutatingwebhookconfigurations", "admissionregistration.k8s.io", False),
    _r("validatingadmissionpolicies", "admissionregistration.k8s.io", False, singular="validatingadmissionpolicy"),
    _r("validatingadmissionpolicybindings", "admissionregistration.k8s.io", False),
    _r("validatingwebhookconfigurations", "admissionregistration.k8s.io", False),
    _r("customresourcedefinitions", "apiextensions.k8s.io", False, ("crd", "crds")),
    _r("apiservices", "apiregistration.k8s.io", False),
    _r("controllerrevisions", "apps"), _r("daemonsets", "apps", short=("ds",)),
    _r("deployments", "apps", short=("deploy",)), _r("replicasets", "apps", short=("rs",)),
    _r("statefulsets", "apps", short=("sts",)),
    _r("selfsubjectreviews", "authentication.k8s.io", False), _r("tokenreviews", "authentication.k8s.io", False),
    _r("localsubjectaccessreviews", "authorization.k8s.io"),
    _r("selfsubjectaccessreviews", "authorization.k8s.io", False),
    _r("selfsubjectrulesreviews", "authorization.k8s.io", False),
    _r("subjectaccessreviews", "authorization.k8s.io", False),
    _r("horizontalpodautoscalers", "autoscaling", short=("hpa",)),
    _r("cronjobs", "batch", short=("cj",)), _r("jobs", "batch"),
    _r("certificatesigningrequests", "certificates.k8s.io", False, ("csr",)),
    _r("leases", "coordination.k8s.io"), _r("endpointslices", "discovery.k8s.io"),
    _r("events", "events.k8s.io", short=("ev",)),
    _r("flowschemas", "flowcontrol.apiserver.k8s.io", False),
    _r("prioritylevelconfigurations", "flowcontrol.apiserver.k8s.io", False),
    _r("ingressclasses", "networking.k8s.io", False, singular="ingressclass"),
    _r("ingresses", "networking.k8s.io", short=("ing",), singular="ingress"),
    _r("networkpolicies", "networking.k8s.io", short=("netpol",), singular="networkpolicy"),
    _r("runtimeclasses", "node.k8s.io", False, singular="runtimeclass"),
    _r("poddisruptionbudgets", "policy", short=("pdb",)),
    _r("clusterrolebindings", "rbac.authorization.k8s.io", False), _r("clusterroles", "rbac.authorization.k8s.io", False),
    _r("rolebindings", "rbac.authorization.k8s.io"), _r("roles", "rbac.authorization.k8s.io"),
    _r("priorityclasses", "scheduling.k8s.io", False, ("pc",), singular="priorityclass"),
    _r("csidrivers", "storage.k8s.io", False), _r("csinodes", "storage.k8s.io", False),
    _r("csistoragecapacities", "storage.k8s.io"), _r("storageclasses", "storage.k8s.io", False, ("sc",), singular="storageclass"),
    _r("volumeattachments", "storage.k8s.io", False),
)


def lookup(name: str, group: str | None = None) -> Resource | None:
    """ResourceFor with kubectl's short-name expansion: `po`, `pod`, `pods`, `deploy` (group
    given: only that group; none: the core group wins, then groups in discovery order)."""
    n = name.lower()
    for r in RESOURCES:
        if group is not None and r.group != group:
            continue
        if n in (r.plural, r.singular) or n in r.short:
            return r
    return None


def parse(arg: str) -> Resource | None:
    """A `resource[.group]` argument: `deployments.apps`, `pods`, `cj.batch`."""
    r = lookup(arg)
    if r is not None:
        return r
    name, _, group = arg.partition(".")
    if group:
        return lookup(name, group)
    return None


def not_simulated(name: str, api_version: str | None = None, *, by_kind: bool = False) -> str | None:
    """`minikctl: X is not simulated` when `name` (a resource argument such as `leases` or
    `mutatingwebhookconfigurations.admissionregistration.k8s.io`, or with by_kind a manifest's
    kind in api_version) is one a real v1.32 apiserver serves but minikctl does not model; None
    when the name is unknown to Kubernetes too (then the real error is the right one)."""
    n = name.lower()
    group = None
    if by_kind:
        group = (api_version or "").rpartition("/")[0] if "/" in (api_version or "") else ""
        found = next((r for r in RESOURCES if r.group == group and r.singular == n), None)
    else:
        base, _, rest = n.partition(".")
        if rest:
            group = rest.split(".", 1)[1] if rest.split(".", 1)[0].startswith("v") and "." in rest and \
                rest.split(".", 1)[0][1:2].isdigit() else rest
        found = lookup(base, group)
    if found is None:
        return None
    full = f"{found.plural}.{found.group}" if found.group else found.plural
    return f"minikctl: {full} is not simulated"
