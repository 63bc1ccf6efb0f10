"""The etcd keys the apiserver stores objects under: /registry/<resource>/<namespace>/<name>.

Built-in resources use their plural alone (apps, batch, rbac ... alike); a few keep their
historical prefixes (services/specs, services/endpoints, minions, ingress); resources served
from CRDs are prefixed by their group (/registry/gateway.networking.k8s.io/gateways/...).
"""
from __future__ import annotations
from minikctl import lazy

kinds = lazy.module("minikctl.api.kinds")

BUILTIN_GROUPS = {"", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "storage.k8s.io",
                  "rbac.authorization.k8s.io", "certificates.k8s.io", "scheduling.k8s.io", "coordination.k8s.io",
                  "discovery.k8s.io", "node.k8s.io", "admissionregistration.k8s.io", "events.k8s.io",
                  "flowcontrol.apiserver.k8s.io", "resource.k8s.io", "storagemigration.k8s.io"}
SPECIAL = {"Service": "services/specs", "Endpoints": "services/endpoints", "Node": "minions",
           "Ingress": "ingress"}
PREFIX = "/registry/"


def resource_prefix(kind: str, api_version: str = "") -> str:
    if kind in SPECIAL:
        return SPECIAL[kind]
    k = kinds.BY_KIND.get(kind)
    if k is not None:
        return k.plural if k.group in BUILTIN_GROUPS else f"{k.group}/{k.plural}"
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    plural = kind.lower() + ("es" if kind.lower().endswith("s") else "s")
    return plural if group in BUILTIN_GROUPS else f"{group}/{plural}"


def key_of(obj: dict) -> str:
    m = obj.get("metadata") or {}
    ns = m.get("namespace") or ""
    prefix = PREFIX + resource_prefix(obj.get("kind", ""), obj.get("apiVersion", ""))
    return f"{prefix}/{ns}/{m.get('name', '')}" if ns else f"{prefix}/{m.get('name', '')}"
