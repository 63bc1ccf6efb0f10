"""networking.k8s.io/v1 Ingress and IngressClass validation (pkg/apis/networking/validation, v1.32).

Why a module: Ingress rules have their own vocabulary (hosts that must be DNS names, wildcard
hosts, pathType-dependent path rules, service backends by port name or number) and their own
texts. Overlapping paths are legal: the apiserver does not compare rules with each other; the
controller decides which one wins.
"""
from __future__ import annotations

import ipaddress
import re

from minikctl.api.validation.fields import (dns1035_label, dns1123_subdomain, forbidden, invalid,
                                            max_len_error, not_supported, port_name, port_num,
                                            regex_error, required, too_long)
from minikctl.api.validation.meta import validate_object_meta
from minikctl.api.validation.fields import GoRaw
from minikctl import lazy

validate_object_meta_update = lazy.function("minikctl.api.validation.meta", "validate_object_meta_update")

PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"]       # sets.List(): sorted
_INVALID_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"]
_INVALID_SUFFIXES = ["/..", "/."]
_WILDCARD_FMT = "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
_HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def wildcard_dns1123_subdomain(value: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append(max_len_error(253))
    if not re.fullmatch(_WILDCARD_FMT, value):
        errs.append(regex_error("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS "
                                "subdomain, which must consist of lower case alphanumeric characters, '-' or "
                                "'.' and end with an alphanumeric character", _WILDCARD_FMT, "*.example.com"))
    return errs


def _backend(b: dict, path: str) -> list[tuple[str, str]]:
    res, svc = b.get("resource"), b.get("service")
    if res is not None and svc is not None:
        return [invalid(path, "", "cannot set both resource and service backends")]
    if res is not None:
        errs = []
        if res.get("apiGroup") is not None:
            errs += [invalid(f"{path}.resource.apiGroup", res["apiGroup"], m) for m in dns1123_subdomain(res["apiGroup"])]
        for key in ("kind", "name"):
            if not res.get(key):
                errs.append(required(f"{path}.resource.{key}"))
            elif res[key] in (".", "..") or "/" in res[key] or "%" in res[key]:
                msg = (f"may not be '{res[key]}'" if res[key] in (".", "..")
                       else f"may not contain '{'/' if '/' in res[key] else '%'}'")
                errs.append(invalid(f"{path}.resource.{key}", res[key], msg))
        return errs
    if svc is None:
        return [invalid(path, "", "resource or service backend is required")]
    errs = []
    name = svc.get("name") or ""
    if not name:
        errs.append(required(f"{path}.service.name"))
    else:
        errs += [invalid(f"{path}.service.name", name, m) for m in dns1035_label(name)]
    port = svc.get("port") or {}
    pname, pnum = port.get("name") or "", port.get("number") or 0
    if pname and pnum:
        errs.append(invalid(path, "", "cannot set both port name & port number"))
    elif pname:
        errs += [invalid(f"{path}.service.port.name", pname, m) for m in port_name(pname)]
    elif pnum:
        errs += [invalid(f"{path}.service.port.number", pnum, m) for m in port_num(pnum)]
    else:
        errs.append(required(path, "port name or number is required"))
    return errs


def _http_path(p: dict, path: str) -> list[tuple[str, str]]:
    ptype = p.get("pathType")
    if ptype is None:
        return [required(f"{path}.pathType", "pathType must be specified")]
    value = p.get("path") or ""
    errs = []
    if ptype in ("Exact", "Prefix"):
        if not value.startswith("/"):
            errs.append(invalid(f"{path}.path", value, "must be an absolute path"))
        if value:
            errs += [invalid(f"{path}.path", value, f"must not contain '{s}'") for s in _INVALID_SEQUENCES if s in value]
            errs += [invalid(f"{path}.path", value, f"cannot end with '{s}'") for s in _INVALID_SUFFIXES
                     if value.endswith(s)]
    elif ptype == "ImplementationSpecific":
        if value and not value.startswith("/"):
            errs.append(invalid(f"{path}.path", value, "must be an absolute path"))
    else:
        errs.append(not_supported(f"{path}.pathType", ptype, PATH_TYPES))
    return errs + _backend(p.get("backend") or {}, f"{path}.backend")


def _rules(rules: list[dict], path: str) -> list[tuple[str, str]]:
    errs = []
    for i, rule in enumerate(rules):
        rp = f"{path}[{i}]"
        host = rule.get("host") or ""
        if host:
            if _is_ip(host):
                errs.append(invalid(f"{rp}.host", host, "must be a DNS name, not an IP address"))
            check = wildcard_dns1123_subdomain if "*" in host else dns1123_subdomain
            errs += [invalid(f"{rp}.host", host, m) for m in check(host)]
        http = rule.get("http")
        if http is not None:
            paths = http.get("paths") or []
            if not paths:
                errs.append(required(f"{rp}.http.paths"))
            for j, p in enumerate(paths):
                errs += _http_path(p or {}, f"{rp}.http.paths[{j}]")
    return errs


def _tls(tls: list[dict], path: str) -> list[tuple[str, str]]:
    errs = []
    for i, t in enumerate(tls):
        for j, host in enumerate(t.get("hosts") or []):
            check = wildcard_dns1123_subdomain if "*" in host else dns1123_subdomain
            errs += [invalid(f"{path}[{i}].hosts[{j}]", host, m) for m in check(host)]
        secret = t.get("secretName") or ""
        if secret:
            errs += [invalid(f"{path}[{i}].secretName", secret, m) for m in dns1123_subdomain(secret)]
    return errs


def validate_ingress_spec(spec: dict, path: str = "spec") -> list[tuple[str, str]]:
    errs = []
    rules = spec.get("rules") or []
    if not rules and spec.get("defaultBackend") is None:
        shown = GoRaw("[]networking.IngressRule(nil)") if spec.get("rules") is None else GoRaw("[]networking.IngressRule{}")
        errs.append(invalid(path, shown, "either `defaultBackend` or `rules` must be specified"))
    if spec.get("defaultBackend") is not None:
        errs += _backend(spec["defaultBackend"], f"{path}.defaultBackend")
    if rules:
        errs += _rules(rules, f"{path}.rules")
    if spec.get("tls"):
        errs += _tls(spec["tls"], f"{path}.tls")
    cls = spec.get("ingressClassName")
    if cls is not None:
        errs += [invalid(f"{path}.ingressClassName", cls, m) for m in dns1123_subdomain(cls)]
    return errs


def _validate_ingress(ing: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(ing, True) + validate_ingress_spec(ing.get("spec") or {})
    ann = ((ing.get("metadata") or {}).get("annotations") or {}).get("kubernetes.io/ingress.class")
    cls = (ing.get("spec") or {}).get("ingressClassName")
    if ann is not None and cls is not None and ann != cls:
        errs.append(invalid("annotations.kubernetes.io/ingress.class", ann,
                            "must match `ingressClassName` when both are specified"))
    return errs


def _domain_prefixed_path(path: str, value: str) -> list[tuple[str, str]]:
    """IsDomainPrefixedPath: 'k8s.io/ingress-nginx'."""
    seg = value.split("/", 1)
    if len(seg) != 2 or not seg[0] or not seg[1]:
        return [invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')]
    errs = [invalid(path, seg[0], m) for m in dns1123_subdomain(seg[0])]
    if not re.fullmatch(_HTTP_PATH_FMT, seg[1]):
        errs.append(invalid(path, seg[1], regex_error("Invalid path", _HTTP_PATH_FMT)))
    return errs


def _validate_ingress_class(ic: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(ic, False)
    spec = ic.get("spec") or {}
    controller = spec.get("controller") or ""
    if not controller:
        errs.append(required("spec.controller"))
    else:
        if len(controller) > 250:
            errs.append(too_long("spec.controller", 250))
        errs += _domain_prefixed_path("spec.controller", controller)
    params = spec.get("parameters")
    if params is not None:
        p = "spec.parameters"
        if not params.get("kind"):
            errs.append(required(f"{p}.kind"))
        if not params.get("name"):
            errs.append(required(f"{p}.name"))
        scope = params.get("scope")
        if scope is None:
            errs.append(required(f"{p}.scope"))
        elif scope not in ("Cluster", "Namespace"):
            errs.append(not_supported(f"{p}.scope", scope, ["Cluster", "Namespace"]))
        elif scope == "Namespace" and not params.get("namespace"):
            errs.append(required(f"{p}.namespace", "`parameters.scope` is set to 'Namespace'"))
        elif scope == "Cluster" and params.get("namespace") is not None:
            errs.append(forbidden(f"{p}.namespace", "`parameters.scope` is set to 'Cluster'"))
    return errs


def _validate_ingress_class_update(ic: dict, old: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta_update(ic, old)
    new_c, old_c = (ic.get("spec") or {}).get("controller"), (old.get("spec") or {}).get("controller")
    if new_c != old_c:
        errs.append(invalid("spec.controller", new_c or "", "field is immutable"))
    return errs + [e for e in _validate_ingress_class(ic) if not e[0].startswith("metadata.name")]
