"""OpenAPI v3 as the apiserver serves it: an index (/openapi/v3) naming one document per
group-version, each with the paths of that group-version's resources and components.schemas.

kubectl reads these for three things: explain (the paths give a resource's GVK, the schemas its
fields), client-side validation, and whether the server takes the fieldValidation parameter (the
PATCH operations' parameters). A schema differs from its v2 definition as kube-openapi's v3
builder makes it differ: refs point into #/components/schemas, a ref with a description beside
it becomes allOf: [ref], and IntOrString / Quantity are oneOf with no type (so explain names them
<IntOrString> and <Quantity>).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from minikctl.api.openapi import custom, source

REF = "#/components/schemas/"
INFO = {"title": "Kubernetes", "version": "v1.32.0"}
COMMON = ("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions", "io.k8s.apimachinery.pkg.apis.meta.v1.Status")
FIELD_VALIDATION = {
    "name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": True},
    "description": "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) "
                   "containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any "
                   "unknown fields that are silently dropped from the object, and will ignore all but the last "
                   "duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - "
                   "Warn: This will send a warning via the standard warning response header for each unknown field "
                   "that is dropped from the object, and for each duplicate field that is encountered. The request "
                   "will still succeed if there are no other errors, and will only persist the last of any "
                   "duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a "
                   "BadRequest error if any unknown fields would be dropped from the object, or if any duplicate "
                   "fields are present. The error returned from the server will contain all unknown and duplicate "
                   "fields encountered."}
DRY_RUN = {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": True},
           "description": "When present, indicates that modifications should not be persisted."}


@dataclass(frozen=True)
class Served:
    """One resource a group-version serves."""
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool


def served_from_kinds(kind_list) -> list[Served]:
    """api/kinds.py's Kind entries -> Served, one per served version."""
    out = []
    for k in kind_list:
        for v in (k.version, *k.other_versions):
            out.append(Served(k.group, v, k.kind, k.plural, k.namespaced))
    return out


def gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _all(served: list[Served], customs) -> list[Served]:
    return list(served) + [Served(c.group, c.version, c.kind, c.plural, c.namespaced) for c in customs]


def gvs(served: list[Served], customs=()) -> list[tuple[str, str]]:
    out = []
    for s in _all(served, customs):
        if (s.group, s.version) not in out:
            out.append((s.group, s.version))
    return out


def convert(s, top: bool = False):
    """A v2 schema -> its v3 form."""
    if isinstance(s, list):
        return [convert(x) for x in s]
    if not isinstance(s, dict):
        return s
    out = {}
    for k, v in s.items():
        if k == "$ref":
            out[k] = REF + v.rsplit("/", 1)[-1]
        elif k == "properties":
            out[k] = {name: _property(p) for name, p in v.items()}
        elif k in ("items", "additionalProperties") and isinstance(v, dict):
            out[k] = convert(v)
        elif k in ("allOf", "oneOf", "anyOf"):
            out[k] = [convert(x) for x in v]
        else:
            out[k] = v
    return out


def _property(p: dict) -> dict:
    p = convert(p)
    if "$ref" in p and len(p) > 1:
        rest = {k: v for k, v in p.items() if k != "$ref"}
        return {"allOf": [{"$ref": p["$ref"]}], **rest}
    return p


def _paths(entries: list[Served], group: str, version: str, names: dict) -> dict:
    paths = {}
    for s in entries:
        gvk = {"group": s.group, "kind": s.kind, "version": s.version}
        base = f"/{gv_path(group, version)}/" + ("namespaces/{namespace}/" if s.namespaced else "") + s.plural
        ref = {"$ref": REF + names.get((s.group, s.version, s.kind), "")}
        ok = {"200": {"description": "OK", "content": {"application/json": {"schema": ref}}}}

        def op(action: str, verb: str, params=(), kind_suffix: str = "") -> dict:
            return {"operationId": f"{verb}{s.kind}{kind_suffix}", "parameters": list(params), "responses": ok,
                    "x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk}
        paths[base] = {"get": op("list", "list"), "post": op("post", "create", [DRY_RUN, FIELD_VALIDATION])}
        paths[base + "/{name}"] = {"get": op("get", "read"), "put": op("put", "replace", [DRY_RUN, FIELD_VALIDATION]),
                                   "delete": op("delete", "delete", [DRY_RUN]),
                                   "patch": op("patch", "patch", [DRY_RUN, FIELD_VALIDATION])}
    return dict(sorted(paths.items()))


def document(group: str, version: str, served: list[Served], customs=()) -> dict | None:
    """The group-version's document, or None when it serves nothing."""
    entries = [s for s in _all(served, customs) if (s.group, s.version) == (group, version)]
    if not entries:
        return None
    defs = source.definitions()
    idx = source.gvk_index(defs)
    roots = [n for (g, v, _k), n in idx.items() if (g, v) == (group, version)] + list(COMMON)
    schemas = {n: convert(defs[n]) for n in source.closure(defs, roots)}
    for n, s in source.restored_forms("v3").items():
        if n in schemas:
            schemas[n] = s
    names = {}
    for s in entries:
        names[(s.group, s.version, s.kind)] = idx.get((s.group, s.version, s.kind), "")
    for c in customs:
        if (c.group, c.version) == (group, version):
            schemas[c.name] = convert(c.definition(source.DEFS_REF))
            names[(c.group, c.version, c.kind)] = c.name
            for n in source.closure(defs, source.refs(c.definition(source.DEFS_REF))):
                schemas.setdefault(n, convert(defs[n]))
    return {"openapi": "3.0.0", "info": INFO, "paths": _paths(entries, group, version, names),
            "components": {"schemas": dict(sorted(schemas.items()))}}


_CACHE: dict[tuple, bytes] = {}


def document_bytes(group: str, version: str, served: list[Served], customs=()) -> bytes | None:
    """The document serialized (cached per process: the built-in schemas never change)."""
    key = (group, version, tuple(served), tuple((c, json.dumps(c.schema, sort_keys=True)) for c in customs
                                                if (c.group, c.version) == (group, version)))
    if key not in _CACHE:
        doc = document(group, version, served, customs)
        if doc is None:
            return None
        _CACHE[key] = json.dumps(doc, separators=(",", ":")).encode()
    return _CACHE[key]


def root(served: list[Served], customs=()) -> dict:
    """/openapi/v3: each group-version's path and its serverRelativeURL with the content hash."""
    paths = {}
    for g, v in gvs(served, customs):
        body = document_bytes(g, v, served, customs) or b""
        h = hashlib.sha512(body).hexdigest().upper()
        paths[gv_path(g, v)] = {"serverRelativeURL": f"/openapi/v3/{gv_path(g, v)}?hash={h}"}
    return {"paths": paths}


def lookup(path: str, served: list[Served], customs=()) -> bytes | None:
    """'/openapi/v3/apis/apps/v1' -> that document's bytes, or None."""
    rest = path[len("/openapi/v3/"):].strip("/")
    for g, v in gvs(served, customs):
        if rest == gv_path(g, v):
            return document_bytes(g, v, served, customs)
    return None
