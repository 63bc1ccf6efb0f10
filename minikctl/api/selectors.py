"""Label and field selectors, parsed and printed as apimachinery's labels package does."""
from __future__ import annotations

import re

from minikctl.api.errors import CliError
from minikctl.api.errors import ApiError


def format_labels(labels: dict | None) -> str:
    """labels.FormatLabels: 'k=v' strings sorted as whole strings, joined by ','; '<none>' if empty."""
    if not labels:
        return "<none>"
    return ",".join(sorted(f"{k}={v}" for k, v in labels.items()))


def selector_string(sel: dict | None) -> str:
    """metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key; '' when empty."""
    if not sel:
        return ""
    reqs: list[tuple[str, str]] = []
    for k, v in (sel.get("matchLabels") or {}).items():
        reqs.append((k, f"{k}={v}"))
    for e in sel.get("matchExpressions") or []:
        k, op, vals = e["key"], e["operator"], sorted(e.get("values") or [])
        if op == "In":
            reqs.append((k, f"{k} in ({','.join(vals)})"))
        elif op == "NotIn":
            reqs.append((k, f"{k} notin ({','.join(vals)})"))
        elif op == "Exists":
            reqs.append((k, k))
        elif op == "DoesNotExist":
            reqs.append((k, f"!{k}"))
    reqs.sort(key=lambda r: r[0])
    return ",".join(r[1] for r in reqs)


def format_label_selector(sel: dict | None) -> str:
    """metav1.FormatLabelSelector: like selector_string but '<none>' when empty."""
    s = selector_string(sel)
    return s if s else "<none>"


# A parsed selector is a list of (key, op, values): op in '=', '!=', 'in', 'notin', 'exists', '!'.
Requirement = tuple[str, str, tuple[str, ...]]

_TOKEN = re.compile(r"\s*(!=|==|=|\(|\)|,|!|[^\s=!(),]+)")


def parse_selector(text: str) -> list[Requirement]:
    """Parse `-l` syntax: 'a=b,c!=d,e in (x,y),f notin (z),g,!h'."""
    toks = [m.group(1) for m in _TOKEN.finditer(text or "") if m.group(1).strip()]
    reqs: list[Requirement] = []
    i = 0

    def bad(msg: str = ""):
        raise CliError(f'unable to parse requirement: {msg or "found unexpected token in " + repr(text)}')

    while i < len(toks):
        t = toks[i]
        if t == "!":
            if i + 1 >= len(toks):
                bad()
            reqs.append((toks[i + 1], "!", ()))
            i += 2
        else:
            key = t
            op = toks[i + 1] if i + 1 < len(toks) else ","
            if op in ("=", "=="):
                val = toks[i + 2] if i + 2 < len(toks) and toks[i + 2] != "," else ""
                reqs.append((key, "=", (val,)))
                i += 3 if val else 2
            elif op == "!=":
                val = toks[i + 2] if i + 2 < len(toks) and toks[i + 2] != "," else ""
                reqs.append((key, "!=", (val,)))
                i += 3 if val else 2
            elif op in ("in", "notin"):
                if i + 2 >= len(toks) or toks[i + 2] != "(":
                    bad(f"found '{toks[i + 2] if i + 2 < len(toks) else ''}', expected: '('")
                j = i + 3
                vals = []
                while j < len(toks) and toks[j] != ")":
                    if toks[j] != ",":
                        vals.append(toks[j])
                    j += 1
                if j >= len(toks):
                    bad("found '', expected: ')'")
                reqs.append((key, op, tuple(vals)))
                i = j + 1
            elif op == ",":
                reqs.append((key, "exists", ()))
                i += 1
            else:
                bad()
        if i < len(toks):
            if toks[i] != ",":
                bad()
            i += 1
    return reqs


def matches(reqs: list[Requirement], labels: dict | None) -> bool:
    labels = labels or {}
    for key, op, vals in reqs:
        has = key in labels
        v = labels.get(key)
        if op == "=" and (not has or v != vals[0]):
            return False
        if op == "!=" and has and v == vals[0]:
            return False
        if op == "in" and (not has or v not in vals):
            return False
        if op == "notin" and has and v in vals:
            return False
        if op == "exists" and not has:
            return False
        if op == "!" and has:
            return False
    return True


def label_selector_matches(sel: dict | None, labels: dict | None) -> bool:
    """A metav1.LabelSelector (matchLabels + matchExpressions) against labels. Empty selects all."""
    if sel is None:
        return False
    labels = labels or {}
    for k, v in (sel.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in sel.get("matchExpressions") or []:
        k, op, vals = e.get("key"), e.get("operator"), e.get("values") or []
        if op == "In" and labels.get(k) not in vals:
            return False
        if op == "NotIn" and k in labels and labels[k] in vals:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


def service_selects(selector: dict | None, labels: dict | None) -> bool:
    """A Service's map selector: nil/empty selects nothing (selectorless Service)."""
    if not selector:
        return False
    labels = labels or {}
    return all(labels.get(k) == v for k, v in selector.items())


# The field labels each kind's apiserver accepts in a fieldSelector besides metadata.name and
# metadata.namespace (its registry's GetAttrs / field label conversion functions).
_EVENT_FIELDS = ("involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                 "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                 "reason", "reportingComponent", "source", "type")
_POD_FIELDS = ("status.phase", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
               "spec.serviceAccountName", "status.podIP", "status.nominatedNodeName", "spec.hostNetwork")
FIELD_LABELS = {"Pod": _POD_FIELDS, "Event": _EVENT_FIELDS, "Service": ("spec.clusterIP", "spec.type"),
                "Node": ("spec.unschedulable",), "Namespace": ("status.phase",), "ReplicaSet": ("status.replicas",)}


def field_value(obj: dict, path: str) -> str:
    """The string a field selector compares: booleans as Go prints them, missing as ''."""
    if path == "source":
        return ((obj.get("source") or {}).get("component")) or obj.get("reportingComponent") or ""
    cur = obj
    for p in path.split("."):
        cur = cur.get(p) if isinstance(cur, dict) else None
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return "" if cur is None else str(cur)


def parse_field_selector(text: str, kind) -> list[tuple[str, str, str]]:
    """'status.phase=Running,spec.nodeName!=x' -> [(path, op, value)] for `kind` (an api.kinds.Kind).

    Unparsable text is kubectl's CliError; a field the kind does not index is the apiserver's
    BadRequest, worded with the kind's group/version and resource.
    """
    out = []
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        m = re.match(r"^([^=!]+)(==|=|!=)(.*)$", part)
        if not m:
            raise CliError(f"invalid selector: '{text}'; can't understand '{part}'")
        path, op, val = m.group(1), "!=" if m.group(2) == "!=" else "=", m.group(3)
        if path not in ("metadata.name", "metadata.namespace") and path not in FIELD_LABELS.get(kind.kind, ()):
            gv = f"{kind.group}/{kind.version}" if kind.group else f"/{kind.version}"
            raise ApiError("BadRequest", f'Unable to find "{gv}, Resource={kind.plural}" that match label selector '
                           f'"", field selector "{text}": field label not supported: {path}', 400)
        out.append((path, op, val))
    return out


def field_matches(reqs: list[tuple[str, str, str]], obj: dict) -> bool:
    for path, op, val in reqs:
        if (field_value(obj, path) == val) != (op == "="):
            return False
    return True
