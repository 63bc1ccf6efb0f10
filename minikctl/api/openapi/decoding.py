"""The strict decoder's view of a kind, built from Kubernetes' own definitions (source.py).

api/schema.py's decoder (unknown fields, JSON type errors, nulls) walks a tree of Obj / ListOf /
MapOf / Scalar / Opaque; this module makes that tree from the OpenAPI definition of the object's
group-version-kind, so every field a real apiserver knows is known here, with the Go types its
errors name. Definitions are read on first use (create, apply, replace, edit: the paths that
decode a body) and each type is built once per process.
"""
from __future__ import annotations

import functools

from minikctl.api import schema as S
from minikctl.api.openapi import source

_SPECIAL = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": S.IOS,
    "io.k8s.apimachinery.pkg.api.resource.Quantity": S.QTY,
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": S.TIME,
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": S.TIME,
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": S.ANY,
    "io.k8s.apimachinery.pkg.runtime.RawExtension": S.ANY,
}


@functools.lru_cache(maxsize=None)
def root(group: str, version: str, kind: str):
    """The decoder tree of that kind, or None when the release has no such definition."""
    defs = source.definitions()
    name = source.gvk_index(defs).get((group, version, kind))
    if name is None:
        return None
    return _Builder(defs).named(name)


def for_object(obj: dict):
    api = obj.get("apiVersion")
    if not isinstance(api, str) or not isinstance(obj.get("kind"), str):
        return None
    group, _, version = api.rpartition("/")
    try:
        return root(group, version, obj["kind"])
    except source.SchemasMissing:
        return None


class _LazyObj(S.Obj):
    """An Obj whose fields are built when the decoder first walks into it: a Deployment's
    manifest visits a few dozen of the hundreds of types its definition reaches."""

    def __init__(self, builder: "_Builder", definition: dict, name: str, required: tuple, description: str):
        self.name, self.required, self.description = name, required, description
        self._builder, self._definition, self._fields = builder, definition, None

    @property
    def fields(self) -> dict:
        if self._fields is None:
            self._fields = {k: (self._builder.prop(p), p.get("description", ""))
                            for k, p in self._definition["properties"].items()}
        return self._fields


class _Builder:
    def __init__(self, defs: dict):
        self.defs = defs
        self.done: dict[str, object] = {}

    def named(self, name: str):
        if name in _SPECIAL:
            return _SPECIAL[name]
        if name in self.done:
            return self.done[name]
        d = self.defs.get(name) or {}
        if not d.get("properties"):
            t = self.prop(d) if d.get("type") not in (None, "object") or d.get("additionalProperties") else S.ANY
            self.done[name] = t
            return t
        obj = _LazyObj(self, d, name.rsplit(".", 1)[-1], tuple(d.get("required") or ()), d.get("description", ""))
        self.done[name] = obj          # before its fields: types may refer to themselves
        return obj

    def prop(self, p: dict):
        if p.get("x-kubernetes-preserve-unknown-fields") or p.get("x-kubernetes-int-or-string"):
            return S.ANY
        if "$ref" in p:
            return self.named(p["$ref"].rsplit("/", 1)[-1])
        t = p.get("type")
        if t == "array":
            return S.ListOf(self.prop(p.get("items") or {}))
        if t == "object" or (t is None and ("additionalProperties" in p or "properties" in p)):
            ap = p.get("additionalProperties")
            if isinstance(ap, dict):
                return S.MapOf(self.prop(ap))
            return S.ANY
        if t == "string":
            return S.Scalar("string", "[]uint8") if p.get("format") == "byte" else S.STR
        if t == "integer":
            return S.INT64 if p.get("format") == "int64" else S.INT
        if t == "boolean":
            return S.BOOL
        if t == "number":
            return S.Scalar("number", "float64")
        return S.ANY
