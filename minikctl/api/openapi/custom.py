"""The hook through which CustomResourceDefinitions add their schemas to the OpenAPI documents.

A source is a function of the cluster's View returning CustomSchema entries (one per served
version of a CRD). Name the module that defines it in MODULES (imported only when a document
is built, so start-up pays nothing) and register the function at that module's import:

    from minikctl.api.openapi import custom
    custom.register(lambda view: [custom.CustomSchema("stable.example.com", "v1", "CronTab",
                                                      "crontabs", True, openapi_v3_schema), ...])

v3.py puts each entry in its group-version's document (components.schemas under the apiserver's
name, com.example.stable.v1.CronTab, with apiVersion/kind/metadata added and the GVK extension),
with list and item paths; v2.py adds the same definitions. explain reads them like built-ins.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable
import importlib

META_REF = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
META_DESC = ("Standard object's metadata. More info: "
             "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")
API_VERSION_DESC = ("APIVersion defines the versioned schema of this representation of an object. Servers should "
                    "convert recognized schemas to the latest internal value, and may reject unrecognized values. "
                    "More info: https://git.k8s.io/community/contributors/devel/sig-architecture/"
                    "api-conventions.md#resources")
KIND_DESC = ("Kind is a string value representing the REST resource this object represents. Servers may infer this "
             "from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: "
             "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds")


@dataclass(frozen=True)
class CustomSchema:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    schema: dict = field(default_factory=dict, compare=False, hash=False)   # openAPIV3Schema

    @property
    def name(self) -> str:
        """The definition's name: the group reversed, then version and kind."""
        return ".".join(reversed(self.group.split("."))) + f".{self.version}.{self.kind}"

    def definition(self, ref_prefix: str) -> dict:
        """The schema as the apiserver publishes it: apiVersion, kind and metadata filled in."""
        s = dict(self.schema or {"type": "object"})
        props = dict(s.get("properties") or {})
        props["apiVersion"] = {"description": API_VERSION_DESC, "type": "string"}
        props["kind"] = {"description": KIND_DESC, "type": "string"}
        meta = {"$ref": ref_prefix + META_REF}
        props["metadata"] = ({"allOf": [meta], "description": META_DESC} if ref_prefix.startswith("#/components")
                             else dict(meta, description=META_DESC))
        s["properties"] = dict(sorted(props.items()))
        s.setdefault("type", "object")
        s["x-kubernetes-group-version-kind"] = [{"group": self.group, "kind": self.kind, "version": self.version}]
        return s


def crd_schemas(view) -> Iterable[CustomSchema]:
    """The built-in source: each served version of each CustomResourceDefinition in the cluster,
    with its spec.versions[].schema.openAPIV3Schema (none: an object of any fields)."""
    for crd in view.list("CustomResourceDefinition"):
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        if not spec.get("group") or not names.get("kind") or not names.get("plural"):
            continue
        for v in spec.get("versions") or ():
            if not isinstance(v, dict) or not v.get("name") or v.get("served") is False:
                continue
            schema = (v.get("schema") or {}).get("openAPIV3Schema") or {}
            yield CustomSchema(spec["group"], v["name"], names["kind"], names["plural"],
                               spec.get("scope", "Namespaced") == "Namespaced", schema)


SOURCES: list[Callable[[object], Iterable[CustomSchema]]] = [crd_schemas]
MODULES: list[str] = []       # modules that register sources when imported, e.g. "minikctl.api.crds"


def load() -> list:
    """The registered sources, after importing MODULES."""
    for m in MODULES:
        importlib.import_module(m)
    return SOURCES


def register(source: Callable[[object], Iterable[CustomSchema]]) -> None:
    if source not in SOURCES:
        SOURCES.append(source)


def collect(view) -> tuple[CustomSchema, ...]:
    """Every registered source's entries for this cluster (none without a view)."""
    if view is None:
        return ()
    out: list[CustomSchema] = []
    for src in load():
        out.extend(src(view))
    return tuple(out)
