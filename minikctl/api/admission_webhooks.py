"""ValidatingWebhookConfiguration (admissionregistration.k8s.io/v1) and the apiserver's
ValidatingAdmissionWebhook plugin that calls the webhooks it lists.

Why modelled: a webhook in the path of every write is part of what a CKA candidate meets on a
real cluster, above all ingress-nginx's, whose failures are classic: an Ingress refused because
its host and path are already defined elsewhere, or every Ingress refused with "failed calling
webhook ... connect: connection refused" while the controller is not ready. The call is decided
by the cluster as the apiserver's would be: the webhook's Service is looked up, the connection to
its ClusterIP goes through the kube-proxy model (no ready endpoint: refused), and the server
behind it answers. The only webhook server minikctl runs is the ingress-nginx controller's (its
checks are in net/ingress_nginx.py); any other server answers with a one-line "not simulated"
note. failurePolicy Ignore lets a failed call through, as upstream.

Defaults and validation follow pkg/apis/admissionregistration (v1); the request path is
`Post "https://SVC.NS.svc:PORT/PATH?timeout=Ns"`, as the apiserver's webhook client words it.
"""
from __future__ import annotations

from minikctl.api.errors import ApiError
from minikctl.api.errors import CliError
from minikctl import lazy

R = lazy.module("minikctl.net.proxy.rules")
balancer = lazy.module("minikctl.net.proxy.balancer")
duplicate = lazy.function("minikctl.api.validation.fields", "duplicate")
ingress_nginx = lazy.module("minikctl.net.ingress_nginx")
invalid = lazy.function("minikctl.api.validation.fields", "invalid")
kinds = lazy.module("minikctl.api.kinds")
label_selector_matches = lazy.function("minikctl.api.selectors", "label_selector_matches")
not_supported = lazy.function("minikctl.api.validation.fields", "not_supported")
required = lazy.function("minikctl.api.validation.fields", "required")
validate_object_meta = lazy.function("minikctl.api.validation.meta", "validate_object_meta")

KIND = "ValidatingWebhookConfiguration"
_OPERATIONS = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"]


def default(obj: dict) -> None:
    """SetDefaults_ValidatingWebhook, _Rule and _ServiceReference (v1)."""
    for wh in obj.get("webhooks") or []:
        if not isinstance(wh, dict):
            continue
        wh.setdefault("failurePolicy", "Fail")
        wh.setdefault("matchPolicy", "Equivalent")
        wh.setdefault("namespaceSelector", {})
        wh.setdefault("objectSelector", {})
        wh.setdefault("timeoutSeconds", 10)
        for r in wh.get("rules") or []:
            if isinstance(r, dict):
                r.setdefault("scope", "*")
        svc = (wh.get("clientConfig") or {}).get("service")
        if isinstance(svc, dict):
            svc.setdefault("port", 443)


def validate(obj: dict) -> list[tuple[str, str]]:
    """The checks of ValidateValidatingWebhookConfiguration that a hand-written manifest trips."""
    errs = validate_object_meta(obj, False)
    seen = set()
    for i, wh in enumerate(obj.get("webhooks") or []):
        p = f"webhooks[{i}]"
        name = wh.get("name") or ""
        if not name:
            errs.append(required(f"{p}.name"))
        elif len(name.split(".")) < 3:
            errs.append(invalid(f"{p}.name", name, "should be a domain with at least three segments separated by dots"))
        elif name in seen:
            errs.append(duplicate(f"{p}.name", name))
        seen.add(name)
        for j, r in enumerate(wh.get("rules") or []):
            for k, op in enumerate(r.get("operations") or []):
                if op not in _OPERATIONS:
                    errs.append(not_supported(f"{p}.rules[{j}].operations[{k}]", op, _OPERATIONS))
            if not r.get("resources"):
                errs.append(required(f"{p}.rules[{j}].resources"))
        cc = wh.get("clientConfig") or {}
        if bool(cc.get("url")) == bool(cc.get("service")):
            errs.append(required(f"{p}.clientConfig", "exactly one of url or service is required"))
        fp = wh.get("failurePolicy")
        if fp not in ("Fail", "Ignore"):
            errs.append(not_supported(f"{p}.failurePolicy", fp, ["Fail", "Ignore"]))
        se = wh.get("sideEffects")
        if se is None:
            errs.append(required(f"{p}.sideEffects", "must specify one of None, NoneOnDryRun"))
        elif se not in ("None", "NoneOnDryRun"):
            errs.append(not_supported(f"{p}.sideEffects", se, ["None", "NoneOnDryRun"]))
        arv = wh.get("admissionReviewVersions")
        if not arv:
            errs.append(required(f"{p}.admissionReviewVersions", "must specify one of v1, v1beta1"))
        ts = wh.get("timeoutSeconds")
        if isinstance(ts, int) and not 1 <= ts <= 30:
            errs.append(invalid(f"{p}.timeoutSeconds", ts, "the timeout value must be between 1 and 30 seconds"))
    return errs


# --- the plugin --------------------------------------------------------------------------------

def _matches_rule(rule: dict, op: str, group: str, version: str, plural: str, namespaced: bool) -> bool:
    def has(values, v):
        return "*" in (values or []) or v in (values or [])
    scope = rule.get("scope") or "*"
    if scope == "Cluster" and namespaced or scope == "Namespaced" and not namespaced:
        return False
    resources = rule.get("resources") or []
    return has(rule.get("operations"), op) and has(rule.get("apiGroups"), group) and \
        (has(rule.get("apiVersions"), version)) and ("*" in resources or "*/*" in resources or plural in resources)


def _selector_matches(sel: dict | None, labels: dict | None) -> bool:
    return not sel or label_selector_matches(sel, labels or {})


def _applies(cluster, wh: dict, obj: dict, op: str, k) -> bool:
    if not any(_matches_rule(r, op, k.group, k.version, k.plural, k.namespaced) for r in wh.get("rules") or []):
        return False
    meta = obj.get("metadata") or {}
    if k.namespaced:
        ns = cluster.get("Namespace", None, meta.get("namespace") or "default")
        if not _selector_matches(wh.get("namespaceSelector"), ((ns or {}).get("metadata") or {}).get("labels")):
            return False
    return _selector_matches(wh.get("objectSelector"), meta.get("labels"))


def _endpoint(wh: dict) -> tuple[str, dict | None]:
    cc = wh.get("clientConfig") or {}
    svc = cc.get("service")
    timeout = wh.get("timeoutSeconds") or 10
    if svc:
        path = svc.get("path") or ""
        return (f'https://{svc.get("name")}.{svc.get("namespace")}.svc:{svc.get("port", 443)}{path}'
                f"?timeout={timeout}s"), svc
    url = cc.get("url") or ""
    return url + ("&" if "?" in url else "?") + f"timeout={timeout}s", None


def _call(cluster, wh: dict, obj: dict, old: dict | None) -> tuple[str | None, str | None]:
    """(failure to call, denial message): what the webhook's server said, or why it could not."""
    url, svc_ref = _endpoint(wh)
    fail = f'failed calling webhook "{wh.get("name")}": failed to call webhook: Post "{url}": '
    if svc_ref is None:
        return f"minikctl: calling an admission webhook by URL ({url.split('?')[0]}) is not simulated", None
    svc = cluster.get("Service", svc_ref.get("namespace"), svc_ref.get("name", ""))
    if svc is None:
        return fail + f'service "{svc_ref.get("name")}" not found', None
    ip = (svc.get("spec") or {}).get("clusterIP")
    port = int(svc_ref.get("port", 443))
    master = next((n["metadata"]["name"] for n in cluster.list("Node")
                   if "node-role.kubernetes.io/control-plane" in (n["metadata"].get("labels") or {})), None)
    pk = balancer.pick(cluster, ip, port, "TCP", client_ip=R.node_ip(cluster, master) if master else None,
                       client_node=master, client_is_pod=False)
    if pk.result == "refused" or pk.pod is None and pk.result != "timeout":
        return fail + f"dial tcp {ip}:{port}: connect: connection refused", None
    if pk.result == "timeout":
        return fail + f"dial tcp {ip}:{port}: i/o timeout", None
    if ingress_nginx.is_admission_endpoint(pk.pod, pk.endpoint.port if pk.endpoint else 0):
        return None, ingress_nginx.admission_review(cluster, obj, old)
    image = next((c.get("image") for c in (pk.pod.get("spec") or {}).get("containers") or []), "")
    return f"minikctl: the admission webhook served by image {image} is not simulated", None


def admit(cluster, obj: dict, old: dict | None = None) -> None:
    """Call every validating webhook whose rules match this write; raise what the apiserver says."""
    if obj.get("kind") in (KIND, "MutatingWebhookConfiguration"):
        return                           # the apiserver never sends these to webhooks
    configs = cluster.list(KIND)
    if not configs:
        return
    k = kinds.by_kind(obj.get("kind", ""))
    if k is None:
        return
    op = "CREATE" if old is None else "UPDATE"
    for cfg in sorted(configs, key=lambda c: c["metadata"]["name"]):
        for wh in cfg.get("webhooks") or []:
            if not _applies(cluster, wh, obj, op, k):
                continue
            failure, denied = _call(cluster, wh, obj, old)
            if denied:
                raise ApiError("BadRequest", f'admission webhook "{wh.get("name")}" denied the request: {denied}', 400)
            if failure and failure.startswith("minikctl: "):
                raise CliError(failure)
            if failure and wh.get("failurePolicy", "Fail") == "Fail":
                raise ApiError("InternalError", f"Internal error occurred: {failure}", 500)


def webhook_count(obj: dict) -> int:
    return len(obj.get("webhooks") or [])

