"""Services: type, ports, selector, cluster IPs, and what an update may not change.

A Service carries its own network rules (clusterIP/clusterIPs agreement, IP families, special
addresses, NodePort and ExternalName constraints) and an update rule for its allocated IPs,
unlike any other kind, so it gets a module.
"""
from __future__ import annotations

import ipaddress

from minikctl.api.validation.fields import (GoRaw, dns1123_label, dns1123_subdomain, duplicate,
                                            forbidden, go_quote, go_strings, invalid, not_supported,
                                            port_num, qualified_name, required, valid_ip)
from minikctl.api.validation.meta import (_IDENTITY, validate_labels, validate_object_meta,
                                          validate_object_meta_update)
from minikctl.api.validation.pod import _PROTOCOLS, _validate_port_num_or_name


# ---------------------------------------------------------------------------------------------
# Services

_SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]


def _go_service_port(p: dict) -> GoRaw:
    """%#v of the internal core.ServicePort key used for the duplicate port check."""
    return GoRaw('core.ServicePort{Name:"", Protocol:%s, AppProtocol:(*string)(nil), Port:%s, '
                 'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}'
                 % (go_quote(p.get("protocol") or ""), p.get("port") or 0))


def _validate_service(svc: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(svc, True)
    spec = svc.get("spec") or {}
    stype = spec.get("type") or ""
    ports = spec.get("ports") or []
    cips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    headless = spec.get("clusterIP") == "None"
    if not ports and not headless and stype != "ExternalName":
        errs.append(required("spec.ports"))
    if stype == "LoadBalancer":
        for i, p in enumerate(ports):
            if p.get("port") == 10250:
                errs.append(invalid(f"spec.ports[{i}]", 10250,
                                    "may not expose port 10250 externally since it is used by kubelet"))
        if headless:
            errs.append(invalid("spec.clusterIPs[0]", cips[0], "may not be set to 'None' for LoadBalancer services"))
    elif stype == "NodePort":
        if headless:
            errs.append(invalid("spec.clusterIPs[0]", cips[0], "may not be set to 'None' for NodePort services"))
    elif stype == "ExternalName":
        if cips:
            errs.append(forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
        if spec.get("ipFamilies"):
            errs.append(forbidden("spec.ipFamilies", "may not be set for ExternalName services"))
        if spec.get("ipFamilyPolicy"):
            errs.append(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"))
        cname = (spec.get("externalName") or "").removesuffix(".")
        if cname:
            errs += [invalid("spec.externalName", cname, m) for m in dns1123_subdomain(cname)]
        else:
            errs.append(required("spec.externalName"))
    names: set[str] = set()
    for i, p in enumerate(ports):
        pp = f"spec.ports[{i}]"
        name = p.get("name") or ""
        if len(ports) > 1 and not name:
            errs.append(required(f"{pp}.name"))
        elif name:
            errs += [invalid(f"{pp}.name", name, m) for m in dns1123_label(name)]
            if name in names:
                errs.append(duplicate(f"{pp}.name", name))
            else:
                names.add(name)
        errs += [invalid(f"{pp}.port", p.get("port", 0), m) for m in port_num(p.get("port", 0))]
        proto = p.get("protocol") or ""
        if not proto:
            errs.append(required(f"{pp}.protocol"))
        elif proto not in _PROTOCOLS:
            errs.append(not_supported(f"{pp}.protocol", proto, _PROTOCOLS))
        errs += _validate_port_num_or_name(p.get("targetPort", 0), f"{pp}.targetPort")
        if p.get("appProtocol"):
            errs += [invalid(f"{pp}.appProtocol", p["appProtocol"], m) for m in qualified_name(p["appProtocol"])]
    if spec.get("selector") is not None:
        errs += validate_labels(spec["selector"], "spec.selector")
    aff = spec.get("sessionAffinity") or ""
    if not aff:
        errs.append(required("spec.sessionAffinity"))
    elif aff not in ("ClientIP", "None"):
        errs.append(not_supported("spec.sessionAffinity", aff, ["ClientIP", "None"]))
    elif aff == "None" and spec.get("sessionAffinityConfig") is not None:
        errs.append(forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"))
    errs += _validate_cluster_ips(spec, stype)
    for i, ip in enumerate(spec.get("externalIPs") or []):
        ipe = valid_ip(f"spec.externalIPs[{i}]", ip)
        errs += ipe or _non_special_ip(f"spec.externalIPs[{i}]", ip)
    if not stype:
        errs.append(required("spec.type"))
    elif stype not in _SERVICE_TYPES:
        errs.append(not_supported("spec.type", stype, _SERVICE_TYPES))
    if stype == "ClusterIP":
        for i, p in enumerate(ports):
            if p.get("nodePort"):
                errs.append(forbidden(f"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'"))
    seen_np: set[tuple] = set()
    for i, p in enumerate(ports):
        if not p.get("nodePort"):
            continue
        key = (p.get("protocol"), p["nodePort"])
        if key in seen_np:
            errs.append(duplicate(f"spec.ports[{i}].nodePort", p["nodePort"]))
        seen_np.add(key)
    seen_p: set[tuple] = set()
    for i, p in enumerate(ports):
        key = (p.get("protocol"), p.get("port"))
        if key in seen_p:
            errs.append(duplicate(f"spec.ports[{i}]", _go_service_port(p)))
        seen_p.add(key)
    external = stype in ("NodePort", "LoadBalancer") or (stype == "ClusterIP" and spec.get("externalIPs"))
    etp = spec.get("externalTrafficPolicy") or ""
    if not external:
        if etp:
            errs.append(invalid("spec.externalTrafficPolicy", etp, "may only be set for externally-accessible services"))
    elif not etp:
        errs.append(required("spec.externalTrafficPolicy"))
    elif etp not in ("Cluster", "Local"):
        errs.append(not_supported("spec.externalTrafficPolicy", etp, ["Cluster", "Local"]))
    errs += _validate_health_check_node_port(spec, stype, etp)
    itp = spec.get("internalTrafficPolicy")
    if stype != "ExternalName":
        if not itp:
            errs.append(required("spec.internalTrafficPolicy"))
        elif itp not in ("Cluster", "Local"):
            errs.append(not_supported("spec.internalTrafficPolicy", itp, ["Cluster", "Local"]))
    return errs


def _validate_health_check_node_port(spec: dict, stype: str, etp: str) -> list[tuple[str, str]]:
    """validateServiceExternalTrafficPolicy's second half: only a Local LoadBalancer has a health
    check node port, and it has one (the registry allocated it before validation)."""
    hcnp = spec.get("healthCheckNodePort") or 0
    if not (stype == "LoadBalancer" and etp == "Local"):
        if hcnp != 0:
            return [invalid("spec.healthCheckNodePort", hcnp,
                            "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'")]
        return []
    if hcnp == 0:
        return [required("spec.healthCheckNodePort")]
    return [invalid("spec.healthCheckNodePort", hcnp, m) for m in port_num(hcnp)]


def _non_special_ip(path: str, ip: str) -> list[tuple[str, str]]:
    addr = ipaddress.ip_address(ip)
    if addr.is_unspecified:
        return [invalid(path, ip, "may not be unspecified (0.0.0.0, ::)")]
    if addr.is_loopback:
        return [invalid(path, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)")]
    if addr in ipaddress.ip_network("224.0.0.0/24") or addr in ipaddress.ip_network("ff02::/16"):
        return [invalid(path, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")]
    if addr.is_link_local:
        return [invalid(path, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)")]
    return []


def _validate_cluster_ips(spec: dict, stype: str) -> list[tuple[str, str]]:
    """ValidateServiceClusterIPsRelatedFields, single-stack cluster."""
    if stype == "ExternalName":
        return []
    errs = []
    cip = spec.get("clusterIP") or ""
    cips = spec.get("clusterIPs") or []
    if cip:
        if not cips:
            errs.append(required("spec.clusterIPs"))
        elif cips[0] != cip:
            errs.append(invalid("spec.clusterIPs", go_strings(cips), "first value must match `clusterIP`"))
    elif cips:
        errs.append(invalid("spec.clusterIPs", go_strings(cips), "must be empty when `clusterIP` is not specified"))
    seen: set[str] = set()
    for i, fam in enumerate(spec.get("ipFamilies") or []):
        if fam not in ("IPv4", "IPv6"):
            errs.append(not_supported(f"spec.ipFamilies[{i}]", fam, ["IPv4", "IPv6"]))
        if fam in seen:
            errs.append(duplicate(f"spec.ipFamilies[{i}]", fam))
        seen.add(fam)
    pol = spec.get("ipFamilyPolicy")
    policies = ["PreferDualStack", "RequireDualStack", "SingleStack"]
    if pol is not None and pol not in policies:
        errs.append(not_supported("spec.ipFamilyPolicy", pol, policies))
    bad = False
    for i, ip in enumerate(cips):
        if i == 0 and ip == "None":
            if len(cips) > 1:
                bad = True
                errs.append(invalid("spec.clusterIPs", go_strings(cips), "'None' must be the first and only value"))
            continue
        e = valid_ip(f"spec.clusterIPs[{i}]", ip)
        bad = bad or bool(e)
        errs += e
    if len(cips) > 2:
        errs.append(invalid("spec.clusterIPs", go_strings(cips), "may only hold up to 2 values"))
    return errs


def _normalized_for_update(svc: dict, old: dict) -> dict:
    """What the Service registry does before validating an update: an omitted clusterIP keeps
    the allocated one (patchAllocatedValues), and a changed clusterIP drags clusterIPs along
    (normalizeClusterIPs). Works on a copy."""
    svc = dict(svc)
    spec, ospec = dict(svc.get("spec") or {}), old.get("spec") or {}
    svc["spec"] = spec
    if "ExternalName" not in (spec.get("type"), ospec.get("type")):
        if not spec.get("clusterIP") and ospec.get("clusterIP"):
            spec["clusterIP"] = ospec["clusterIP"]
            spec.setdefault("clusterIPs", ospec.get("clusterIPs"))
        cip, cips = spec.get("clusterIP"), spec.get("clusterIPs")
        if cip and (not cips or (cips == ospec.get("clusterIPs") and cip != ospec.get("clusterIP"))):
            spec["clusterIPs"] = [cip]
    return svc


def _validate_service_update(svc: dict, old: dict) -> list[tuple[str, str]]:
    svc = _normalized_for_update(svc, old)
    errs = validate_object_meta_update(svc, old)
    spec, ospec = svc.get("spec") or {}, old.get("spec") or {}
    if spec.get("type") != "ExternalName" and ospec.get("type") != "ExternalName":
        new_ips, old_ips = spec.get("clusterIPs") or [], ospec.get("clusterIPs") or []
        if not (spec.get("clusterIP") == "None" and ospec.get("clusterIP") == "None"):
            if len(old_ips) == len(new_ips):
                for i, ip in enumerate(old_ips):
                    if ip != new_ips[i]:
                        errs.append(invalid(f"spec.clusterIPs[{i}]", go_strings(new_ips), "may not change once set"))
            elif len(old_ips) > len(new_ips):
                if not new_ips:
                    errs.append(invalid("spec.clusterIPs[0]", go_strings(new_ips), "primary clusterIP can not be unset"))
                elif new_ips[0] != old_ips[0]:
                    errs.append(invalid("spec.clusterIPs[0]", go_strings(new_ips), "may not change once set"))
            elif old_ips and new_ips[0] != old_ips[0]:
                errs.append(invalid("spec.clusterIPs[0]", go_strings(new_ips), "may not change once set"))
    local = ("LoadBalancer", "Local")
    if (spec.get("type"), spec.get("externalTrafficPolicy")) == local == \
            (ospec.get("type"), ospec.get("externalTrafficPolicy")) and \
            spec.get("healthCheckNodePort") != ospec.get("healthCheckNodePort"):
        errs.append(forbidden("spec.healthCheckNodePort", "field is immutable"))
    return errs + [e for e in _validate_service(svc) if not e[0].startswith(_IDENTITY)]


