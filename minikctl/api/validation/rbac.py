"""RBAC validation (pkg/apis/rbac/validation): names are path segments (`system:node` is fine),
rules need verbs and, for resources, api groups and resources; bindings name a Role or
ClusterRole of rbac.authorization.k8s.io and valid subjects; roleRef never changes.

Unknown verbs are not an error: the apiserver stores any verb (kubectl only warns).
"""
from __future__ import annotations

from minikctl.api.validation.fields import GoRaw, go_quote, go_strings, invalid, not_supported, required
from minikctl.api.validation.meta import validate_object_meta, validate_object_meta_update
from minikctl.api.validation.fields import dns1123_subdomain

GROUP = "rbac.authorization.k8s.io"


def path_segment_name(name: str) -> list[str]:
    """path.IsValidPathSegmentName."""
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in name]


def _rule(rule: dict, namespaced: bool, p: str) -> list[tuple[str, str]]:
    errs = []
    if not rule.get("verbs"):
        errs.append(required(f"{p}.verbs", "verbs must contain at least one value"))
    urls = rule.get("nonResourceURLs") or []
    if urls:
        if namespaced:
            errs.append(invalid(f"{p}.nonResourceURLs", GoRaw(go_strings(urls)),
                                "namespaced rules cannot apply to non-resource URLs"))
        if rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
            errs.append(invalid(f"{p}.nonResourceURLs", GoRaw(go_strings(urls)),
                                "rules cannot apply to both regular resources and non-resource URLs"))
        return errs
    if not rule.get("apiGroups"):
        errs.append(required(f"{p}.apiGroups", "resource rules must supply at least one api group"))
    if not rule.get("resources"):
        errs.append(required(f"{p}.resources", "resource rules must supply at least one resource"))
    return errs


def validate_role(role: dict) -> list[tuple[str, str]]:
    namespaced = role.get("kind") == "Role"
    errs = validate_object_meta(role, namespaced)
    for i, rule in enumerate(role.get("rules") or []):
        errs += _rule(rule or {}, namespaced, f"rules[{i}]")
    return errs


def _subject(sub: dict, namespaced: bool, p: str) -> list[tuple[str, str]]:
    errs = []
    name = sub.get("name") or ""
    if not name:
        errs.append(required(f"{p}.name"))
    kind = sub.get("kind") or ""
    if kind == "ServiceAccount":
        if name:
            errs += [invalid(f"{p}.name", name, m) for m in dns1123_subdomain(name)]
        if sub.get("apiGroup"):
            errs.append(not_supported(f"{p}.apiGroup", sub["apiGroup"], [""]))
        if not namespaced and not sub.get("namespace"):
            errs.append(required(f"{p}.namespace"))
    elif kind in ("User", "Group"):
        if (sub.get("apiGroup") or "") != GROUP:
            errs.append(not_supported(f"{p}.apiGroup", sub.get("apiGroup") or "", [GROUP]))
    else:
        errs.append(not_supported(f"{p}.kind", kind, ["ServiceAccount", "User", "Group"]))
    return errs


def validate_binding(binding: dict) -> list[tuple[str, str]]:
    namespaced = binding.get("kind") == "RoleBinding"
    errs = validate_object_meta(binding, namespaced)
    ref = binding.get("roleRef") or {}
    if (ref.get("apiGroup") or "") != GROUP:
        errs.append(not_supported("roleRef.apiGroup", ref.get("apiGroup") or "", [GROUP]))
    kinds = ["Role", "ClusterRole"] if namespaced else ["ClusterRole"]
    if (ref.get("kind") or "") not in kinds:
        errs.append(not_supported("roleRef.kind", ref.get("kind") or "", kinds))
    if not ref.get("name"):
        errs.append(required("roleRef.name"))
    else:
        errs += [invalid("roleRef.name", ref["name"], m) for m in path_segment_name(ref["name"])]
    for i, sub in enumerate(binding.get("subjects") or []):
        errs += _subject(sub or {}, namespaced, f"subjects[{i}]")
    return errs


def validate_binding_update(binding: dict, old: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta_update(binding, old)
    ref, oref = binding.get("roleRef") or {}, old.get("roleRef") or {}
    if ref != oref:
        rendered = (f"rbac.RoleRef{{APIGroup:{go_quote(ref.get('apiGroup') or '')}, Kind:{go_quote(ref.get('kind') or '')}, "
                    f"Name:{go_quote(ref.get('name') or '')}}}")
        errs.append(invalid("roleRef", GoRaw(rendered), "cannot change roleRef"))
    return errs + validate_binding(binding)


def validate_role_update(role: dict, old: dict) -> list[tuple[str, str]]:
    return validate_object_meta_update(role, old) + validate_role(role)
