"""`kubectl auth reconcile`: RBAC objects brought to what a manifest says without dropping what is
there (pkg/registry/rbac/reconciliation): a missing role or binding is created (and its
namespace), a role gains the rules the existing ones do not cover (broken down, as
validation.Covers reports them), a binding the subjects it lacks, a binding whose roleRef
differs is recreated; `--remove-extra-permissions` / `--remove-extra-subjects` stomp to the
manifest; an object annotated rbac.authorization.kubernetes.io/autoupdate=false is left alone.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate"
ROLES = ("Role", "ClusterRole")
BINDINGS = ("RoleBinding", "ClusterRoleBinding")


@dataclass
class Result:
    obj: dict
    operation: str                    # "none" | "create" | "update" | "recreate"
    protected: bool = False
    missing_rules: list = field(default_factory=list)
    extra_rules: list = field(default_factory=list)
    missing_subjects: list = field(default_factory=list)
    extra_subjects: list = field(default_factory=list)


def breakdown(rule: dict) -> list[dict]:
    """validation.BreakdownRule: one verb, group, resource (and name) per rule."""
    out = []
    verbs = rule.get("verbs") or []
    for g in rule.get("apiGroups") or []:
        for r in rule.get("resources") or []:
            for v in verbs:
                names = rule.get("resourceNames") or []
                if names:
                    out += [{"verbs": [v], "apiGroups": [g], "resources": [r], "resourceNames": [n]} for n in names]
                else:
                    out.append({"verbs": [v], "apiGroups": [g], "resources": [r]})
    for u in rule.get("nonResourceURLs") or []:
        for v in verbs:
            out.append({"verbs": [v], "nonResourceURLs": [u]})
    return out


def _has_all(have, want) -> bool:
    return all(w in (have or []) for w in want or [])


def _resource_covers(owner, subs) -> bool:
    owner = owner or []
    if "*" in owner:
        return True
    for s in subs or []:
        if s in owner:
            continue
        _, _, sub = s.partition("/")
        if sub and f"*/{sub}" in owner:
            continue
        return False
    return True


def _urls_cover(owner, subs) -> bool:
    for s in subs or []:
        if not any(o == "*" or o == s or (o.endswith("*") and s.startswith(o[:-1])) for o in owner or []):
            return False
    return True


def _rule_covers(owner: dict, sub: dict) -> bool:
    verbs = "*" in (owner.get("verbs") or []) or _has_all(owner.get("verbs"), sub.get("verbs"))
    groups = "*" in (owner.get("apiGroups") or []) or _has_all(owner.get("apiGroups"), sub.get("apiGroups"))
    if sub.get("resourceNames"):
        names = not owner.get("resourceNames") or _has_all(owner.get("resourceNames"), sub.get("resourceNames"))
    else:
        names = not owner.get("resourceNames")
    return verbs and groups and names and _resource_covers(owner.get("resources"), sub.get("resources")) \
        and _urls_cover(owner.get("nonResourceURLs"), sub.get("nonResourceURLs"))


def uncovered(owner_rules: list[dict], servant_rules: list[dict]) -> list[dict]:
    """validation.Covers: the broken-down servant rules no owner rule covers."""
    return [s for r in servant_rules for s in breakdown(r) if not any(_rule_covers(o, s) for o in owner_rules)]


def _merge(expected: dict | None, existing: dict | None) -> dict:
    out = dict(expected or {})
    out.update(existing or {})
    return out


def _meta_merge(result: dict, expected: dict, existing: dict) -> bool:
    """Expected labels and annotations added (the existing ones win); whether anything changed."""
    meta = result["metadata"]
    changed = False
    for key in ("annotations", "labels"):
        merged = _merge(expected["metadata"].get(key), existing["metadata"].get(key))
        if merged != (existing["metadata"].get(key) or {}):
            changed = True
        if merged:
            meta[key] = merged
    return changed


def reconcile_role(existing: dict | None, expected: dict, remove_extra: bool) -> Result:
    if existing is None:
        return Result(expected, "create", missing_rules=list(expected.get("rules") or []))
    protected = (existing["metadata"].get("annotations") or {}).get(AUTOUPDATE) == "false"
    result = copy.deepcopy(existing)
    op = "update" if _meta_merge(result, expected, existing) else "none"
    extra = []
    if expected.get("aggregationRule") is None or existing.get("aggregationRule") is None:
        extra = uncovered(expected.get("rules") or [], existing.get("rules") or [])
    missing = uncovered(existing.get("rules") or [], expected.get("rules") or [])
    if not remove_extra and missing:
        result["rules"] = list(result.get("rules") or []) + missing
        op = "update"
    elif remove_extra and (missing or extra):
        result["rules"] = list(expected.get("rules") or [])
        op = "update"
    if expected.get("aggregationRule") is not None:
        have = (existing.get("aggregationRule") or {}).get("clusterRoleSelectors") or []
        want = (expected.get("aggregationRule") or {}).get("clusterRoleSelectors") or []
        add = [s for s in want if s not in have]
        if add:
            result["aggregationRule"] = {"clusterRoleSelectors": have + add}
            op = "update"
    return Result(result, op, protected, missing, extra)


def _subject_key(s: dict) -> tuple:
    return (s.get("kind"), s.get("apiGroup") or "", s.get("name"), s.get("namespace") or "")


def reconcile_binding(existing: dict | None, expected: dict, remove_extra: bool) -> Result:
    if existing is None:
        return Result(expected, "create", missing_subjects=list(expected.get("subjects") or []))
    protected = (existing["metadata"].get("annotations") or {}).get(AUTOUPDATE) == "false"
    if expected.get("roleRef") != existing.get("roleRef"):
        return Result(expected, "recreate", protected)
    result = copy.deepcopy(existing)
    op = "update" if _meta_merge(result, expected, existing) else "none"
    have = {_subject_key(s) for s in existing.get("subjects") or []}
    want = {_subject_key(s) for s in expected.get("subjects") or []}
    missing = [s for s in expected.get("subjects") or [] if _subject_key(s) not in have]
    extra = [s for s in existing.get("subjects") or [] if _subject_key(s) not in want]
    if not remove_extra and missing:
        result["subjects"] = list(result.get("subjects") or []) + missing
        op = "update"
    elif remove_extra and (missing or extra):
        result["subjects"] = list(expected.get("subjects") or [])
        op = "update"
    return Result(result, op, protected, missing_subjects=missing, extra_subjects=extra)


def _go_list(xs) -> str:
    return "[" + " ".join(xs or []) + "]"


def rule_text(r: dict) -> str:
    """%+v of an rbacv1.PolicyRule."""
    return (f"{{Verbs:{_go_list(r.get('verbs'))} APIGroups:{_go_list(r.get('apiGroups'))} "
            f"Resources:{_go_list(r.get('resources'))} ResourceNames:{_go_list(r.get('resourceNames'))} "
            f"NonResourceURLs:{_go_list(r.get('nonResourceURLs'))}}}")


def subject_text(s: dict) -> str:
    """%+v of an rbacv1.Subject."""
    return (f"{{Kind:{s.get('kind', '')} APIGroup:{s.get('apiGroup', '')} Name:{s.get('name', '')} "
            f"Namespace:{s.get('namespace', '')}}}")


def report(r: Result, remove_extra_permissions: bool, remove_extra_subjects: bool) -> str:
    """printResults' stderr lines (after the object's `reconciled` line)."""
    if r.operation == "none":
        return ""
    caveat = ", but object opted out (rbac.authorization.kubernetes.io/autoupdate: false)" if r.protected else ""
    lines = [f"\treconciliation required {r.operation}{caveat}"]
    if r.missing_subjects:
        lines.append("\tmissing subjects added:")
        lines += [f"\t\t{subject_text(s)}" for s in r.missing_subjects]
    if remove_extra_subjects and r.extra_subjects:
        lines.append("\textra subjects removed:")
        lines += [f"\t\t{subject_text(s)}" for s in r.extra_subjects]
    if r.missing_rules:
        lines.append("\tmissing rules added:")
        lines += [f"\t\t{rule_text(x)}" for x in r.missing_rules]
    if remove_extra_permissions and r.extra_rules:
        lines.append("\textra rules removed:")
        lines += [f"\t\t{rule_text(x)}" for x in r.extra_rules]
    return "".join(line + "\n" for line in lines)
