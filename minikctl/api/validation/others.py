"""The small kinds: Namespace, ConfigMap, Node, Endpoints, EndpointSlice, Event.

Each is little more than object meta plus a handful of field rules (ConfigMap keys and the
immutable flag, endpoint addresses and ports, Node taints), too short for a module of its own
and unrelated to pods, services or workloads.
"""
from __future__ import annotations

from minikctl.api.validation.fields import (config_map_key, forbidden, invalid, label_value,
                                            not_supported, port_num, qualified_name, required,
                                            valid_ip)
from minikctl.api.validation.meta import validate_object_meta, validate_object_meta_update


# ---------------------------------------------------------------------------------------------
# Everything else


def _validate_configmap(cm: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(cm, True)
    total = 0
    data, binary = cm.get("data") or {}, cm.get("binaryData") or {}
    for k in sorted(data):
        errs += [invalid(f"data[{k}]", k, m) for m in config_map_key(k)]
        total += len(str(data[k]))
    for k in sorted(binary):
        errs += [invalid(f"binaryData[{k}]", k, m) for m in config_map_key(k)]
        if k in data:
            errs.append(invalid(f"binaryData[{k}]", k, "duplicate of key present in data"))
        total += len(str(binary[k])) * 3 // 4
    if total > 1024 * 1024:
        errs.append(("", f"Too long: must have at most {1024 * 1024} bytes"))
    return errs


def _validate_configmap_update(cm: dict, old: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta_update(cm, old)
    if old.get("immutable"):
        if cm.get("immutable") is not True:
            errs.append(forbidden("immutable", "field is immutable when `immutable` is set"))
        if (cm.get("data") or {}) != (old.get("data") or {}):
            errs.append(forbidden("data", "field is immutable when `immutable` is set"))
        if (cm.get("binaryData") or {}) != (old.get("binaryData") or {}):
            errs.append(forbidden("binaryData", "field is immutable when `immutable` is set"))
    return errs + _validate_configmap(cm)


def _validate_namespace(ns: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(ns, False)
    for i, f in enumerate((ns.get("spec") or {}).get("finalizers") or []):
        errs += [invalid(f"spec.finalizers[{i}]", f, m) for m in qualified_name(f)]
    return errs


def _validate_node(node: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(node, False)
    effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
    for i, t in enumerate((node.get("spec") or {}).get("taints") or []):
        p = f"spec.taints[{i}]"
        errs += [invalid(f"{p}.key", t.get("key", ""), m) for m in qualified_name(t.get("key") or "")]
        if t.get("value"):
            errs += [invalid(f"{p}.value", t["value"], m) for m in label_value(t["value"])]
        eff = t.get("effect") or ""
        if not eff:
            errs.append(required(f"{p}.effect"))
        elif eff not in effects:
            errs.append(not_supported(f"{p}.effect", eff, effects))
    return errs


def _validate_endpoints(ep: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(ep, True)
    for i, ss in enumerate(ep.get("subsets") or []):
        p = f"subsets[{i}]"
        if not ss.get("addresses") and not ss.get("notReadyAddresses"):
            errs.append(required(p, "must specify `addresses` or `notReadyAddresses`"))
        for key in ("addresses", "notReadyAddresses"):
            for j, a in enumerate(ss.get(key) or []):
                errs += valid_ip(f"{p}.{key}[{j}].ip", a.get("ip") or "")
        for j, port in enumerate(ss.get("ports") or []):
            pp = f"{p}.ports[{j}]"
            if len(ss.get("ports")) > 1 and not port.get("name"):
                errs.append(required(f"{pp}.name"))
            errs += [invalid(f"{pp}.port", port.get("port", 0), m) for m in port_num(port.get("port", 0))]
    return errs


def _validate_endpointslice(es: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(es, True)
    at = es.get("addressType") or ""
    if not at:
        errs.append(required("addressType"))
    elif at not in ("FQDN", "IPv4", "IPv6"):
        errs.append(not_supported("addressType", at, ["FQDN", "IPv4", "IPv6"]))
    for i, e in enumerate(es.get("endpoints") or []):
        addrs = e.get("addresses") or []
        if not addrs:
            errs.append(required(f"endpoints[{i}].addresses", "must contain at least 1 address"))
        if at in ("IPv4", "IPv6"):
            for j, a in enumerate(addrs):
                errs += valid_ip(f"endpoints[{i}].addresses[{j}]", a)
    for i, p in enumerate(es.get("ports") or []):
        if p.get("port") is not None:
            errs += [invalid(f"ports[{i}].port", p["port"], m) for m in port_num(p["port"])]
    return errs


# pkg/apis/core/validation/events.go: the limits legacyValidateEvent checks for "new" events
REPORTING_INSTANCE_LIMIT, ACTION_LIMIT, REASON_LIMIT, NOTE_LIMIT = 128, 128, 128, 1024


def _validate_event(ev: dict) -> list[tuple[str, str]]:
    """legacyValidateEvent for a core/v1 request, after object meta.

    The apiserver accepts an Event that names nothing (an empty involvedObject is a zero
    ObjectReference) as long as its namespaces agree: everything reading events must cope with
    that. An event with an eventTime is a "new" event and must say who reported it and why."""
    errs = validate_object_meta(ev, True)
    ns = (ev.get("metadata") or {}).get("namespace") or ""
    inv = ev.get("involvedObject") if isinstance(ev.get("involvedObject"), dict) else {}
    inv_ns = inv.get("namespace") or ""

    def _s(key):
        v = ev.get(key)
        return v if isinstance(v, str) else ""

    if not ev.get("eventTime"):
        if not inv_ns:
            if ns not in ("", "default"):
                errs.append(invalid("involvedObject.namespace", inv_ns, "does not match event.namespace"))
        elif ns != inv_ns:
            errs.append(invalid("involvedObject.namespace", inv_ns, "does not match event.namespace"))
    else:
        if not inv_ns and ns not in ("default", "kube-system"):
            errs.append(invalid("involvedObject.namespace", inv_ns, "does not match event.namespace"))
        rc = _s("reportingComponent")
        if not rc:
            errs.append(required("reportingComponent"))
        errs += [invalid("reportingComponent", rc, m) for m in qualified_name(rc)]
        checks = (("reportingInstance", REPORTING_INSTANCE_LIMIT, True), ("action", ACTION_LIMIT, True),
                  ("reason", REASON_LIMIT, True), ("message", NOTE_LIMIT, False))
        for key, limit, needed in checks:
            if needed and not _s(key):
                errs.append(required(key))
            if len(_s(key)) > limit:
                errs.append(invalid(key, "", f"can have at most {limit} characters"))
    return errs


