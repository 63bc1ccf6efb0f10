"""`vars` (deprecated, still what the kubernetes.io page shows): `$(NAME)` in container commands,
args, env values and mount paths replaced by a field of another resource (its final name by
default), once names are final."""
from __future__ import annotations

import re

from minikctl.kustomize import KustomizeError
from minikctl.kustomize.fieldspecs import visit
from minikctl.kustomize.resource import Res

_POD_SPECS = {"Pod": "spec", "Deployment": "spec/template/spec", "ReplicaSet": "spec/template/spec",
              "DaemonSet": "spec/template/spec", "StatefulSet": "spec/template/spec", "Job": "spec/template/spec",
              "ReplicationController": "spec/template/spec", "CronJob": "spec/jobTemplate/spec/template/spec"}
_LEAVES = ["containers/command", "containers/args", "containers/env/value", "containers/volumeMounts/mountPath",
           "initContainers/command", "initContainers/args", "initContainers/env/value",
           "initContainers/volumeMounts/mountPath"]
_REF = re.compile(r"\$\(([A-Za-z0-9_.\-]+)\)")


def _field(obj: dict, path: str):
    cur = obj
    for part in path.split("."):
        m = re.fullmatch(r"(.*)\[(\d+)\]", part)
        if m:
            cur = cur.get(m.group(1)) if isinstance(cur, dict) else None
            cur = cur[int(m.group(2))] if isinstance(cur, list) and int(m.group(2)) < len(cur) else None
        else:
            cur = cur.get(part) if isinstance(cur, dict) else None
        if cur is None:
            return None
    return cur


def resolve(res: list[Res], variables: list[dict]) -> None:
    values: dict[str, str] = {}
    for v in variables:
        ref = v.get("objref") or {}
        path = ((v.get("fieldref") or {}).get("fieldpath")) or "metadata.name"
        hits = [r for r in res if r.kind == ref.get("kind") and ref.get("name") in r.previous_names()
                and (not ref.get("apiVersion") or r.obj.get("apiVersion") == ref.get("apiVersion"))]
        if not hits:
            raise KustomizeError(f"var '{v['name']}' cannot be mapped to a field in the set of known resources")
        val = _field(hits[0].obj, path)
        values[v["name"]] = "" if val is None else str(val)

    def sub(s: str) -> str:
        return _REF.sub(lambda m: values.get(m.group(1), m.group(0)), s)

    def fix(parent, key):
        val = parent[key]
        if isinstance(val, str):
            parent[key] = sub(val)
        elif isinstance(val, list):
            parent[key] = [sub(x) if isinstance(x, str) else x for x in val]

    for r in res:
        base = _POD_SPECS.get(r.kind)
        if base:
            for leaf in _LEAVES:
                visit(r.obj, f"{base}/{leaf}", fix)
