"""describe role / clusterrole / rolebinding / clusterrolebinding (RoleDescriber and friends).

A role's rules are shown as kubectl shows them: each rule broken down to one resource (and one
resource name, or one non-resource URL) per rule, the simple ones (one group, one resource, at
most one name) merged by appending verbs, then sorted by the rule's protobuf String(), which
starts with the verbs. Resources print as resource.group/subresource.
"""
from __future__ import annotations

from minikctl.printers.describe import Writer, annotations_multiline, labels_multiline


def _go_list(xs) -> str:
    return "[" + " ".join(xs or []) + "]"


def breakdown(rule: dict) -> list[dict]:
    out = []
    verbs = list(rule.get("verbs") or [])
    for group in rule.get("apiGroups") or []:
        for res in rule.get("resources") or []:
            names = rule.get("resourceNames") or []
            if names:
                out += [{"verbs": verbs, "apiGroups": [group], "resources": [res], "resourceNames": [n]} for n in names]
            else:
                out.append({"verbs": verbs, "apiGroups": [group], "resources": [res]})
    for url in rule.get("nonResourceURLs") or []:
        out.append({"verbs": verbs, "nonResourceURLs": [url]})
    return out


def compact(rules: list[dict]) -> list[dict]:
    simple: dict = {}
    out = []
    for r in rules:
        if r.get("nonResourceURLs") or len(r.get("apiGroups") or []) != 1 or len(r.get("resources") or []) != 1 \
                or len(r.get("resourceNames") or []) > 1:
            out.append(r)
            continue
        key = (r["apiGroups"][0], r["resources"][0], tuple(r.get("resourceNames") or []))
        if key in simple:
            simple[key]["verbs"] = simple[key]["verbs"] + list(r.get("verbs") or [])
        else:
            simple[key] = {**r, "verbs": list(r.get("verbs") or [])}
    return out + list(simple.values())


def _rule_string(r: dict) -> str:
    return (f"&PolicyRule{{Verbs:{_go_list(r.get('verbs'))},APIGroups:{_go_list(r.get('apiGroups'))},"
            f"Resources:{_go_list(r.get('resources'))},ResourceNames:{_go_list(r.get('resourceNames'))},"
            f"NonResourceURLs:{_go_list(r.get('nonResourceURLs'))},}}")


def combine_resource_group(resources, groups) -> str:
    if not resources:
        return ""
    base, sep, sub = resources[0].partition("/")
    if groups and groups[0]:
        base = f"{base}.{groups[0]}"
    return f"{base}/{sub}" if sep else base


def display_rules(role: dict) -> list[dict]:
    rules = compact([b for r in role.get("rules") or [] for b in breakdown(r)])
    return sorted(rules, key=_rule_string)


def _describe_role(role: dict) -> str:
    meta = role.get("metadata") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "PolicyRule:\n")
    w.write(1, "Resources\tNon-Resource URLs\tResource Names\tVerbs\n")
    w.write(1, "---------\t-----------------\t--------------\t-----\n")
    for r in display_rules(role):
        w.write(1, f"{combine_resource_group(r.get('resources'), r.get('apiGroups'))}\t"
                   f"{_go_list(r.get('nonResourceURLs'))}\t{_go_list(r.get('resourceNames'))}\t{_go_list(r.get('verbs'))}\n")
    return w.render()


def _describe_binding(binding: dict) -> str:
    meta = binding.get("metadata") or {}
    ref = binding.get("roleRef") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, "Role:\n")
    w.write(1, f"Kind:\t{ref.get('kind', '')}\n")
    w.write(1, f"Name:\t{ref.get('name', '')}\n")
    w.write(0, "Subjects:\n")
    w.write(1, "Kind\tName\tNamespace\n")
    w.write(1, "----\t----\t---------\n")
    for s in binding.get("subjects") or []:
        w.write(1, f"{s.get('kind', '')}\t{s.get('name', '')}\t{s.get('namespace', '')}\n")
    return w.render()


def describe(obj: dict, view) -> str:
    if obj.get("kind") in ("Role", "ClusterRole"):
        return _describe_role(obj)
    return _describe_binding(obj)
