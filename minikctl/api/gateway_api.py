"""The Gateway API kinds (gateway.networking.k8s.io, CRDs of release v1.2.1, standard channel):
what their CustomResourceDefinitions make the apiserver do.

Why a module: these kinds are served from CRDs, not compiled into the apiserver, so their rules
are the CRD's: structural defaults (listeners' allowedRoutes, parentRef group/kind, backendRef
kind/weight, the default match `PathPrefix /`, and the `Waiting for controller` status every new
Gateway and GatewayClass starts with), OpenAPI `required` fields, and the CEL rule that makes a
GatewayClass's controllerName immutable. Printer columns are the CRDs' additionalPrinterColumns
(printers/table.py).
"""
from __future__ import annotations

from minikctl.api.validation.fields import invalid, not_supported, required
from minikctl.api.validation.meta import validate_object_meta

GROUP = "gateway.networking.k8s.io"
EPOCH = "1970-01-01T00:00:00Z"


def _pending(*types: str) -> dict:
    return {"conditions": [{"lastTransitionTime": EPOCH, "message": "Waiting for controller", "reason": "Pending",
                            "status": "Unknown", "type": t} for t in types]}


def _parent_ref(ref: dict) -> None:
    ref.setdefault("group", GROUP)
    ref.setdefault("kind", "Gateway")


def _backend_ref(ref: dict) -> None:
    ref.setdefault("group", "")
    ref.setdefault("kind", "Service")
    ref.setdefault("weight", 1)


def _match(m: dict) -> None:
    if "path" not in m:
        m["path"] = {"type": "PathPrefix", "value": "/"}
    else:
        m["path"].setdefault("type", "PathPrefix")
        m["path"].setdefault("value", "/")
    for h in m.get("headers") or []:
        h.setdefault("type", "Exact")
    for q in m.get("queryParams") or []:
        q.setdefault("type", "Exact")


def default(obj: dict) -> None:
    """The CRD's structural defaults, applied on create and update like any other defaulting."""
    kind, spec = obj.get("kind"), obj.setdefault("spec", {})
    if kind == "GatewayClass":
        obj.setdefault("status", _pending("Accepted"))
    elif kind == "Gateway":
        for lst in spec.get("listeners") or []:
            ar = lst.setdefault("allowedRoutes", {"namespaces": {"from": "Same"}})
            ar.setdefault("namespaces", {"from": "Same"}).setdefault("from", "Same")
        for a in spec.get("addresses") or []:
            a.setdefault("type", "IPAddress")
        obj.setdefault("status", _pending("Accepted", "Programmed"))
    elif kind == "HTTPRoute":
        for ref in spec.get("parentRefs") or []:
            _parent_ref(ref)
        if "rules" not in spec:
            spec["rules"] = [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}]}]
        for rule in spec.get("rules") or []:
            if "matches" not in rule:
                rule["matches"] = [{"path": {"type": "PathPrefix", "value": "/"}}]
            for m in rule["matches"]:
                _match(m)
            for b in rule.get("backendRefs") or []:
                _backend_ref(b)
    elif kind == "ReferenceGrant":
        for f in spec.get("from") or []:
            f.setdefault("group", "")


_PROTOCOLS = ["HTTP", "HTTPS", "TLS", "TCP", "UDP"]


def validate(obj: dict, old: dict | None = None) -> list[tuple[str, str]]:
    """The CRD's OpenAPI `required` and enum rules for the fields a learner writes, and the
    GatewayClass controllerName CEL rule (`Value is immutable`)."""
    kind, spec = obj.get("kind"), obj.get("spec") or {}
    errs = validate_object_meta(obj, kind != "GatewayClass")
    if kind == "GatewayClass":
        if not spec.get("controllerName"):
            errs.append(required("spec.controllerName"))
        elif old is not None and (old.get("spec") or {}).get("controllerName") != spec["controllerName"]:
            errs.append(invalid("spec.controllerName", spec["controllerName"], "Value is immutable"))
    elif kind == "Gateway":
        if not spec.get("gatewayClassName"):
            errs.append(required("spec.gatewayClassName"))
        if not spec.get("listeners"):
            errs.append(required("spec.listeners"))
        for i, lst in enumerate(spec.get("listeners") or []):
            for key in ("name", "port", "protocol"):
                if lst.get(key) in (None, ""):
                    errs.append(required(f"spec.listeners[{i}].{key}"))
    elif kind == "HTTPRoute":
        for i, ref in enumerate(spec.get("parentRefs") or []):
            if not ref.get("name"):
                errs.append(required(f"spec.parentRefs[{i}].name"))
        for i, rule in enumerate(spec.get("rules") or []):
            for j, m in enumerate(rule.get("matches") or []):
                ptype = (m.get("path") or {}).get("type")
                if ptype not in (None, "Exact", "PathPrefix", "RegularExpression"):
                    errs.append(not_supported(f"spec.rules[{i}].matches[{j}].path.type", ptype,
                                              ["Exact", "PathPrefix", "RegularExpression"]))
            for j, b in enumerate(rule.get("backendRefs") or []):
                if not b.get("name"):
                    errs.append(required(f"spec.rules[{i}].backendRefs[{j}].name"))
    elif kind == "ReferenceGrant":
        if not spec.get("from"):
            errs.append(required("spec.from"))
        if not spec.get("to"):
            errs.append(required("spec.to"))
    return errs


KINDS = ("GatewayClass", "Gateway", "HTTPRoute", "ReferenceGrant")
