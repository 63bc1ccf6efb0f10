"""`kubectl create ingress NAME --rule=host/path=svc:port[,tls[=secret]] [--class] [--default-backend]
[--annotation k=v]`: kubectl's generator (pkg/cmd/create/create_ingress.go, v1.32), in its order.

Rules with the same host share one IngressRule; a path ending in `*` is a Prefix path (the `*`
dropped), any other is Exact; `,tls` adds the host to a TLS entry (grouped by secret); a port
that parses as a number is `port.number`, otherwise `port.name`. The object is built in Go's
field order so `-o json` prints as kubectl's typed printer does.
"""
from __future__ import annotations

import re

from minikctl.api.errors import CliError

RULE_RE = re.compile(r"^(?P<host>[\w*\-.]*)(?P<path>/.*)=(?P<svcname>[\w\-]+):(?P<svcport>[\w\-]+)"
                     r"(,(?P<istls>tls)=?(?P<secretname>[\w\-]+)?)?", re.ASCII)


def validate(rules: list[str], annotations: list[str], default_backend: str) -> None:
    """CreateIngressOptions.Validate, message for message."""
    if not default_backend and not rules:
        raise CliError("not enough information provided: every ingress has to either specify a default-backend "
                       "(which catches all traffic) or a list of rules (which catch specific paths)")
    for rule in rules:
        if not RULE_RE.match(rule):            # Go's MatchString: a match anywhere from the start anchor
            raise CliError(f"rule {rule} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]")
    for a in annotations:
        if "=" not in a:
            raise CliError(f"annotation {a} is invalid and should be in format key=[value]")
    if default_backend and len(default_backend.split(":")) != 2:
        raise CliError("default-backend should be in format servicename:serviceport")


def _port(text: str) -> dict:
    """intstr.Parse: a decimal int32 is a number, anything else a name."""
    try:
        n = int(text, 10)
        if -(1 << 31) <= n < (1 << 31) and text.strip() == text:
            return {"number": n}
    except ValueError:
        pass
    return {"name": text}


def _backend(service: str) -> dict:
    parts = service.split(":")
    return {"service": {"name": parts[0], "port": _port(parts[1])}}


def _path(pathsvc: str) -> dict:
    parts = pathsvc.split("=")
    path, service = "/" + parts[0], parts[1]
    ptype = "Exact"
    if path.endswith("*"):
        ptype, path = "Prefix", path[:-1]
    return {"path": path, "pathType": ptype, "backend": _backend(service)}


def _tls(rules: list[str]) -> list[dict]:
    seen: set[str] = set()
    out: list[dict] = []
    for rule in rules:
        parts = rule.split(",")
        if len(parts) != 2:
            continue
        host = rule.split("/", 1)[0]
        name = parts[1].split("=")
        secret = name[1] if len(name) > 1 else ""
        idx = next((i for i, t in enumerate(out) if t.get("secretName", "") == secret), -1)
        if host in seen:
            continue
        if idx > -1:
            out[idx].setdefault("hosts", []).append(host)
            seen.add(host)
            continue
        entry: dict = {}
        if host:
            entry["hosts"] = [host]
        if secret:
            entry["secretName"] = secret
        if entry:
            out.append(entry)
        seen.add(host)
    return out


def _rules(rules: list[str]) -> list[dict]:
    out: list[dict] = []
    for rule in rules:
        host, rest = rule.split(",")[0].split("/", 1)
        path = _path(rest)
        existing = next((r for r in out if r.get("host", "") == host), None)
        if existing is not None:
            existing["http"]["paths"].append(path)
            continue
        r: dict = {}
        if host:
            r["host"] = host
        r["http"] = {"paths": [path]}
        out.append(r)
    return out


def ingress(name: str, *, rules: list[str], ingress_class: str = "", default_backend: str = "",
            annotations: list[str] = (), namespace: str | None = None) -> dict:
    validate(list(rules), list(annotations), default_backend)
    meta: dict = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta["creationTimestamp"] = None
    ann = {}
    for a in annotations:
        k, v = a.split("=", 1)
        ann[k] = v
    if ann:
        meta["annotations"] = {k: ann[k] for k in sorted(ann)}     # a Go map: keys sorted
    spec: dict = {}
    if ingress_class:
        spec["ingressClassName"] = ingress_class
    if default_backend:
        spec["defaultBackend"] = _backend(default_backend)
    tls = _tls(list(rules))
    if tls:
        spec["tls"] = tls
    built = _rules(list(rules))
    if built:
        spec["rules"] = built
    return {"kind": "Ingress", "apiVersion": "networking.k8s.io/v1", "metadata": meta, "spec": spec,
            "status": {"loadBalancer": {}}}
