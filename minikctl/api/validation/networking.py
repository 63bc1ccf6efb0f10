"""networking.k8s.io/v1 validation: NetworkPolicy (pkg/apis/networking/validation, v1.32).

Why a module: the rules (peer exclusivity, ipBlock CIDRs and their `except` subsets, endPort
ranges, named ports, policyTypes) are their own idea and their own texts. Causes come in the
order ValidateNetworkPolicySpec appends them: podSelector, every ingress rule (ports, then
peers), every egress rule, then policyTypes.
"""
from __future__ import annotations

import ipaddress

from minikctl.api.validation.fields import (GoRaw, forbidden, go_quote, invalid, not_supported,
                                            port_name, port_num, required)
from minikctl.api.validation.meta import validate_label_selector, validate_object_meta

_PROTOCOLS = ["TCP", "UDP", "SCTP"]


def parse_cidr(text: str):
    """netutils.ParseCIDRSloppy: host bits may be set ('10.0.0.1/24'); None when invalid."""
    if not isinstance(text, str) or "/" not in text:
        return None
    addr, _, bits = text.partition("/")
    if "." in addr and ":" not in addr:
        parts = addr.split(".")
        if len(parts) == 4 and all(p.isdigit() for p in parts):
            addr = ".".join(str(int(p)) for p in parts)   # the sloppy parser accepts leading zeros
    if not bits.isdigit():
        return None
    try:
        return ipaddress.ip_network(f"{addr}/{bits}", strict=False)
    except ValueError:
        return None


def _port(port: dict, path: str) -> list[tuple[str, str]]:
    errs = []
    proto = port.get("protocol")
    if proto is not None and proto not in _PROTOCOLS:
        errs.append(not_supported(f"{path}.protocol", proto, _PROTOCOLS))
    p, end = port.get("port"), port.get("endPort")
    if p is not None:
        if isinstance(p, int) and not isinstance(p, bool):
            errs += [invalid(f"{path}.port", p, m) for m in port_num(p)]
            if end is not None:
                if end < p:
                    errs.append(invalid(f"{path}.endPort", end, "must be greater than or equal to `port`"))
                errs += [invalid(f"{path}.endPort", end, m) for m in port_num(end)]
        else:
            if end is not None:
                errs.append(invalid(f"{path}.endPort", end, "may not be specified when `port` is non-numeric"))
            errs += [invalid(f"{path}.port", str(p), m) for m in port_name(str(p))]
    elif end is not None:
        errs.append(invalid(f"{path}.endPort", end, "may not be specified when `port` is not specified"))
    return errs


def _ip_block(ipb: dict, path: str) -> list[tuple[str, str]]:
    cidr = ipb.get("cidr") or ""
    if not cidr:
        return [required(f"{path}.cidr")]
    net = parse_cidr(cidr)
    if net is None:
        return [invalid(f"{path}.cidr", cidr, "not a valid CIDR")]
    errs = []
    for i, ex in enumerate(ipb.get("except") or []):
        p = f"{path}.except[{i}]"
        exn = parse_cidr(ex)
        if exn is None:
            errs.append(invalid(p, ex, "not a valid CIDR"))
            return errs
        if exn.version != net.version or exn.network_address not in net or net.prefixlen >= exn.prefixlen:
            errs.append(invalid(p, ex, "must be a strict subset of `cidr`"))
    return errs


def _peer(peer: dict, path: str) -> list[tuple[str, str]]:
    errs, n = [], 0
    if peer.get("podSelector") is not None:
        n += 1
        errs += validate_label_selector(peer["podSelector"], f"{path}.podSelector")
    if peer.get("namespaceSelector") is not None:
        n += 1
        errs += validate_label_selector(peer["namespaceSelector"], f"{path}.namespaceSelector")
    if peer.get("ipBlock") is not None:
        n += 1
        errs += _ip_block(peer["ipBlock"], f"{path}.ipBlock")
    if n == 0:
        errs.append(required(path, "must specify a peer"))
    elif n > 1 and peer.get("ipBlock") is not None:
        errs.append(forbidden(path, "may not specify both ipBlock and another peer"))
    return errs


def validate_network_policy_spec(spec: dict, path: str = "spec") -> list[tuple[str, str]]:
    errs = validate_label_selector(spec.get("podSelector") or {}, f"{path}.podSelector")
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(spec.get(direction) or []):
            rp = f"{path}.{direction}[{i}]"
            for j, port in enumerate(rule.get("ports") or []):
                errs += _port(port, f"{rp}.ports[{j}]")
            for j, peer in enumerate(rule.get(peers) or []):
                errs += _peer(peer or {}, f"{rp}.{peers}[{j}]")
    types = spec.get("policyTypes") or []
    if len(types) > 2:
        rendered = GoRaw("[]networking.PolicyType{" + ", ".join(go_quote(t) for t in types) + "}")
        errs.append(invalid(f"{path}.policyTypes", rendered, "may not specify more than two policyTypes"))
        return errs
    for i, t in enumerate(types):
        if t not in ("Ingress", "Egress"):
            errs.append(not_supported(f"{path}.policyTypes[{i}]", t, ["Ingress", "Egress"]))
    return errs


def _validate_network_policy(np: dict) -> list[tuple[str, str]]:
    return validate_object_meta(np, True) + validate_network_policy_spec(np.get("spec") or {})
