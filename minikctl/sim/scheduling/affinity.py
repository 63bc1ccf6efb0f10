"""Matching rules the scheduler's plugins share: node selector terms (nodeAffinity) and pod
affinity terms (inter-pod affinity and topology spreading), as k8s.io/component-helpers and the
scheduler's framework define them.

Why here and not in api/selectors: a label selector answers "does this object match"; these
answer "does this node match" (matchFields on metadata.name, Gt/Lt on integer label values) and
"which namespaces does this term look in" (namespaces + namespaceSelector, defaulting to the
pod's own), which only scheduling asks.
"""
from __future__ import annotations

from minikctl.api.selectors import label_selector_matches


def _expr_matches(expr: dict, value_of) -> bool:
    """A NodeSelectorRequirement: In, NotIn, Exists, DoesNotExist, Gt, Lt."""
    key, op, values = expr.get("key", ""), expr.get("operator", ""), expr.get("values") or []
    present, val = value_of(key)
    if op == "In":
        return present and val in values
    if op == "NotIn":
        return not present or val not in values
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt") and present and values:
        try:
            a, b = int(val), int(values[0])
        except ValueError:
            return False
        return a > b if op == "Gt" else a < b
    return False


def node_term_matches(term: dict, node: dict) -> bool:
    """A NodeSelectorTerm: all matchExpressions (labels) and matchFields (metadata.name) hold.
    An empty term matches nothing (nodeaffinity.go: a term with no requirements is skipped)."""
    exprs, fields = term.get("matchExpressions") or [], term.get("matchFields") or []
    if not exprs and not fields:
        return False
    labels = node["metadata"].get("labels") or {}
    name = node["metadata"]["name"]
    if not all(_expr_matches(e, lambda k: (k in labels, labels.get(k))) for e in exprs):
        return False
    return all(_expr_matches(e, lambda k: (k == "metadata.name", name if k == "metadata.name" else None))
               for e in fields)


def required_node_affinity(spec: dict) -> list[dict] | None:
    aff = ((spec.get("affinity") or {}).get("nodeAffinity") or {})
    req = aff.get("requiredDuringSchedulingIgnoredDuringExecution")
    if req is None:
        return None
    return req.get("nodeSelectorTerms") or []


def node_matches_pod(spec: dict, node: dict) -> bool:
    """nodeSelector AND (any of the required nodeAffinity terms): NodeAffinity's Filter."""
    labels = node["metadata"].get("labels") or {}
    if any(labels.get(k) != v for k, v in (spec.get("nodeSelector") or {}).items()):
        return False
    terms = required_node_affinity(spec)
    if terms is None:
        return True
    return any(node_term_matches(t, node) for t in terms)


def preferred_node_score(spec: dict, node: dict) -> int:
    """NodeAffinity's Score: the summed weights of the preferred terms the node matches."""
    aff = ((spec.get("affinity") or {}).get("nodeAffinity") or {})
    return sum(int(p.get("weight") or 0)
               for p in aff.get("preferredDuringSchedulingIgnoredDuringExecution") or []
               if node_term_matches(p.get("preference") or {}, node))


def term_namespaces(term: dict, pod: dict, namespaces: list[dict]) -> set[str] | None:
    """The namespaces a PodAffinityTerm looks in: its list plus those its namespaceSelector picks;
    neither given -> the pod's own; an empty namespaceSelector ({}) -> all (None)."""
    sel = term.get("namespaceSelector")
    names = set(term.get("namespaces") or [])
    if sel is not None and not sel.get("matchLabels") and not sel.get("matchExpressions"):
        return None
    if sel is not None:
        names |= {n["metadata"]["name"] for n in namespaces
                  if label_selector_matches(sel, n["metadata"].get("labels") or {})}
    if not names and sel is None:
        names = {pod["metadata"].get("namespace", "default")}
    return names


def pod_matches_term(term: dict, other: dict, namespaces: set[str] | None) -> bool:
    if namespaces is not None and other["metadata"].get("namespace") not in namespaces:
        return False
    sel = term.get("labelSelector")
    if sel is None:
        return False  # a nil selector matches no pods
    return label_selector_matches(sel, other["metadata"].get("labels") or {})
