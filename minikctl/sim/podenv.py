"""What the kubelet reads from the API to start a pod's containers: environment variables
(env, envFrom, valueFrom) and the Secret / ConfigMap volumes, with the errors it stops on.

Why one module: the kubelet decides from it whether a container can start (CreateContainerConfigError,
FailedMount: sim/controllers/kubelet.py) and `exec ... env` shows the same values
(images/base.process_env), so both read one implementation of kubelet_pods.go's
makeEnvironmentVariables and of the secret/configMap volume plugins' SetUp checks.
The values are read from the objects as they are now (the real kubelet fixes them at start).
"""
from __future__ import annotations

import base64
import re
import math
from minikctl import lazy

parse_quantity = lazy.function("minikctl.api.defaults", "parse_quantity")


def _decode(v) -> str:
    try:
        return base64.b64decode(v or "").decode("utf-8", "replace")
    except (ValueError, TypeError):
        return ""


def _source(view, kind: str, ns: str, name: str) -> tuple[dict | None, dict]:
    """(object, its data as text) or (None, {})."""
    obj = view.get(kind, ns, name) if name else None
    if obj is None:
        return None, {}
    data = obj.get("data") or {}
    if kind == "Secret":
        return obj, {k: _decode(v) for k, v in data.items()}
    return obj, dict(data)


def _not_found(kind: str, name: str) -> str:
    """The NotFound text of the kubelet's secret / configmap managers."""
    return f'{"secret" if kind == "Secret" else "configmap"} "{name}" not found'


_FIELD_LABEL = re.compile(r"^metadata\.(labels|annotations)\['(.*)'\]$")


def _field_ref(pod: dict, path: str) -> str:
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    m = _FIELD_LABEL.match(path)
    if m:
        return str((meta.get(m.group(1)) or {}).get(m.group(2), ""))
    simple = {
        "metadata.name": meta.get("name"), "metadata.namespace": meta.get("namespace"),
        "metadata.uid": meta.get("uid"), "spec.nodeName": spec.get("nodeName"),
        "spec.serviceAccountName": spec.get("serviceAccountName"), "status.hostIP": status.get("hostIP"),
        "status.podIP": status.get("podIP"),
        "status.podIPs": ",".join(i.get("ip", "") for i in status.get("podIPs") or []),
        "status.hostIPs": ",".join(i.get("ip", "") for i in status.get("hostIPs") or []),
    }
    return str(simple.get(path) or "")


def expand(value: str, lookup) -> str:
    """expansion.Expand: $(VAR) from lookup (left as written when undefined), $$ is a literal $."""
    out, i, n = [], 0, len(value)
    while i < n:
        ch = value[i]
        if ch == "$" and i + 1 < n:
            nxt = value[i + 1]
            if nxt == "$":
                out.append("$")
                i += 2
                continue
            if nxt == "(":
                end = value.find(")", i + 2)
                if end != -1:
                    name = value[i + 2:end]
                    got = lookup(name)
                    out.append(got if got is not None else value[i:end + 1])
                    i = end + 1
                    continue
        out.append(ch)
        i += 1
    return "".join(out)


def container_env(view, pod: dict, container: dict,
                  service_env: list[tuple[str, str]] = ()) -> tuple[list[tuple[str, str]], str | None]:
    """makeEnvironmentVariables: envFrom first, env on top ($(VAR) expanded, valueFrom resolved).

    Returns (variables in order, None) or ([], the error that stops the container)."""
    ns = (pod.get("metadata") or {}).get("namespace") or "default"
    env: dict[str, str] = {}
    for ef in container.get("envFrom") or []:
        for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
            ref = ef.get(key)
            if ref is None:
                continue
            obj, data = _source(view, kind, ns, ref.get("name") or "")
            if obj is None:
                if ref.get("optional"):
                    continue
                return [], _not_found(kind, ref.get("name") or "")
            for k in sorted(data):
                env[(ef.get("prefix") or "") + k] = data[k]
    services = dict(service_env)

    def lookup(name: str):
        return env[name] if name in env else services.get(name)

    for e in container.get("env") or []:
        value = e.get("value")
        if value:
            value = expand(str(value), lookup)
        elif e.get("valueFrom"):
            vf = e["valueFrom"]
            if vf.get("fieldRef"):
                value = _field_ref(pod, vf["fieldRef"].get("fieldPath") or "")
            elif vf.get("resourceFieldRef"):
                value = _resource_field(container, vf["resourceFieldRef"])
            else:
                for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                    ref = vf.get(key)
                    if ref is None:
                        continue
                    name, k, optional = ref.get("name") or "", ref.get("key") or "", bool(ref.get("optional"))
                    obj, data = _source(view, kind, ns, name)
                    if obj is None:
                        if optional:
                            value = None
                            break
                        return [], _not_found(kind, name)
                    if k not in data:
                        if optional:
                            value = None
                            break
                        return [], f"couldn't find key {k} in {kind} {ns}/{name}"
                    value = data[k]
                if value is None:
                    continue
        env[e["name"]] = "" if value is None else str(value)
    return list(env.items()), None


def _resource_field(container: dict, ref: dict) -> str:
    """resourceFieldRef of limits/requests cpu and memory, in the divisor's units (rounded up)."""
    res = container.get("resources") or {}
    what, _, name = (ref.get("resource") or "").partition(".")
    q = (res.get(what) or {}).get(name)
    if q is None:
        return ""
    divisor = parse_quantity(ref.get("divisor") or "1")
    return str(max(1, math.ceil(parse_quantity(q) / (divisor or 1))))


def volume_errors(view, pod: dict) -> list[tuple[str, str]]:
    """(volume, error) for each Secret / ConfigMap volume the volume plugins cannot set up:
    a missing object that is not optional, or an `items` key it does not have."""
    ns = (pod.get("metadata") or {}).get("namespace") or "default"
    out = []
    for v in (pod.get("spec") or {}).get("volumes") or []:
        for key, kind, name_key, missing_key in (
                ("secret", "Secret", "secretName", "references non-existent secret key: {}"),
                ("configMap", "ConfigMap", "name", "configmap references non-existent config key: {}")):
            src = v.get(key)
            if src is None:
                continue
            name, optional = src.get(name_key) or "", bool(src.get("optional"))
            obj, data = _source(view, kind, ns, name)
            if obj is None:
                if not optional:
                    out.append((v["name"], _not_found(kind, name)))
                continue
            raw = dict(obj.get("data") or {})
            raw.update(obj.get("binaryData") or {})
            for item in src.get("items") or []:
                if item.get("key") not in raw and not optional:
                    out.append((v["name"], missing_key.format(item.get("key"))))
                    break
    return out
