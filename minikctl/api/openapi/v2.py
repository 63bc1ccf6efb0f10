"""OpenAPI v2 (/openapi/v2): the definitions of the served release, and for each served resource
its item path whose PATCH operation carries the GVK and the fieldValidation parameter.

client-go asks for it only as gnostic protobuf (application/com.github.proto-openapi.spec.v2@v1.0
+protobuf), so this module also writes that wire format: openapi.v2.Document from
google/gnostic's OpenAPIv2.proto, field numbers below. Vendor extensions travel as YAML text
(JSON is YAML), which is how kube-openapi reads x-kubernetes-group-version-kind and the patch
strategies kubectl <= 1.28 merges with.
"""
from __future__ import annotations

import json
import struct

from minikctl.api.openapi import source
from minikctl.api.openapi.v3 import FIELD_VALIDATION, Served, _all, gv_path

INFO = {"title": "Kubernetes", "version": "v1.32.0"}


def document(served: list[Served], customs=()) -> dict:
    defs = dict(source.definitions())
    for c in customs:
        defs[c.name] = c.definition(source.DEFS_REF)
    param = {"uniqueItems": True, "type": "string", "description": FIELD_VALIDATION["description"],
             "name": "fieldValidation", "in": "query"}
    paths = {}
    for s in _all(served, customs):
        p = f"/{gv_path(s.group, s.version)}/" + ("namespaces/{namespace}/" if s.namespaced else "") + s.plural + "/{name}"
        gvk = {"group": s.group, "kind": s.kind, "version": s.version}
        paths[p] = {"patch": {"operationId": f"patch{s.kind}", "parameters": [param],
                              "responses": {"200": {"description": "OK"}},
                              "x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": gvk}}
    return {"swagger": "2.0", "info": INFO, "paths": dict(sorted(paths.items())), "definitions": defs}


_CACHE: dict[tuple, bytes] = {}


def _key(served, customs, form: str) -> tuple:
    return (form, tuple(served), tuple((c, json.dumps(c.schema, sort_keys=True)) for c in customs))


def json_bytes(served: list[Served], customs=()) -> bytes:
    k = _key(served, customs, "json")
    if k not in _CACHE:
        _CACHE[k] = json.dumps(document(served, customs), separators=(",", ":")).encode()
    return _CACHE[k]


def protobuf_bytes(served: list[Served], customs=()) -> bytes:
    k = _key(served, customs, "pb")
    if k not in _CACHE:
        _CACHE[k] = encode_document(document(served, customs))
    return _CACHE[k]


# ---- the protobuf wire format ----------------------------------------------------------------

def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _len(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _str(field: int, s: str) -> bytes:
    return _len(field, s.encode())


def _bool(field: int, v: bool) -> bytes:
    return _varint(field << 3) + (b"\x01" if v else b"\x00")


def _int(field: int, v: int) -> bytes:
    return _varint(field << 3) + _varint(v & 0xFFFFFFFFFFFFFFFF)


def _double(field: int, v: float) -> bytes:
    return _varint(field << 3 | 1) + struct.pack("<d", float(v))


def _any(value) -> bytes:
    """openapi.v2.Any: the value as YAML text (field 2)."""
    return _str(2, json.dumps(value))


def _named_any(field: int, name: str, value) -> bytes:
    return _len(field, _str(1, name) + _len(2, _any(value)))


# Schema's scalar fields: key -> (field number, encoder)
_SCHEMA_SCALARS = {"format": (2, _str), "title": (3, _str), "description": (4, _str), "multipleOf": (6, _double),
                   "maximum": (7, _double), "exclusiveMaximum": (8, _bool), "minimum": (9, _double),
                   "exclusiveMinimum": (10, _bool), "maxLength": (11, _int), "minLength": (12, _int),
                   "pattern": (13, _str), "maxItems": (14, _int), "minItems": (15, _int),
                   "uniqueItems": (16, _bool), "maxProperties": (17, _int), "minProperties": (18, _int),
                   "discriminator": (26, _str), "readOnly": (27, _bool)}


def encode_schema(s: dict) -> bytes:
    out = []
    if "$ref" in s:
        out.append(_str(1, s["$ref"]))
    for k, (num, enc) in _SCHEMA_SCALARS.items():
        if k in s and not isinstance(s[k], (dict, list)):
            out.append(enc(num, s[k]))
    if "default" in s:
        out.append(_len(5, _any(s["default"])))
    for r in s.get("required") or ():
        out.append(_str(19, r))
    for e in s.get("enum") or ():
        out.append(_len(20, _any(e)))
    ap = s.get("additionalProperties")
    if isinstance(ap, dict):
        out.append(_len(21, _len(1, encode_schema(ap))))
    elif isinstance(ap, bool):
        out.append(_len(21, _bool(2, ap)))
    t = s.get("type")
    if t:
        out.append(_len(22, b"".join(_str(1, x) for x in ([t] if isinstance(t, str) else t))))
    if isinstance(s.get("items"), dict):
        out.append(_len(23, _len(1, encode_schema(s["items"]))))
    for sub in s.get("allOf") or ():
        out.append(_len(24, encode_schema(sub)))
    props = s.get("properties")
    if props:
        out.append(_len(25, b"".join(_len(1, _str(1, n) + _len(2, encode_schema(p))) for n, p in props.items())))
    for k, v in s.items():
        if k.startswith("x-"):
            out.append(_named_any(31, k, v))
    return b"".join(out)


def _encode_operation(op: dict) -> bytes:
    out = [_str(5, op["operationId"])]
    for p in op.get("parameters", ()):
        q = (_bool(1, p.get("required", False)) + _str(2, p["in"]) + _str(3, p.get("description", ""))
             + _str(4, p["name"]) + _str(6, p.get("type", "string")) + _bool(20, p.get("uniqueItems", False)))
        out.append(_len(8, _len(1, _len(2, _len(3, q)))))     # ParametersItem.parameter.non_body.query
    codes = b"".join(_len(1, _str(1, code) + _len(2, _len(1, _str(1, r.get("description", "")))))
                     for code, r in op.get("responses", {}).items())
    out.append(_len(9, codes))
    for k, v in op.items():
        if k.startswith("x-"):
            out.append(_named_any(13, k, v))
    return b"".join(out)


_METHODS = {"get": 2, "put": 3, "post": 4, "delete": 5, "options": 6, "head": 7, "patch": 8}


def encode_document(doc: dict) -> bytes:
    out = [_str(1, doc["swagger"]), _len(2, _str(1, doc["info"]["title"]) + _str(2, doc["info"]["version"]))]
    paths = []
    for p, item in doc["paths"].items():
        body = b"".join(_len(_METHODS[m], _encode_operation(op)) for m, op in item.items() if m in _METHODS)
        paths.append(_len(2, _str(1, p) + _len(2, body)))
    out.append(_len(8, b"".join(paths)))
    out.append(_len(9, b"".join(_len(1, _str(1, n) + _len(2, encode_schema(s))) for n, s in doc["definitions"].items())))
    return b"".join(out)
