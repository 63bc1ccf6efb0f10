"""Server-side printing: `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.

The columns and cells come from the same definitions minikctl's own `get` uses
(minikctl/printers/table.py `columns_for`), so the real kubectl prints the bytes minikctl
prints. Like the apiserver's TableConvertor, cells are generated with the wide options (wide-only
columns carry priority 1; kubectl drops them itself unless -o wide).
"""
from __future__ import annotations
from minikctl import lazy

columns_for = lazy.function("minikctl.printers.table", "columns_for")

_FORMATS = {"Name": "name"}
_DESCRIPTIONS = {"Name": "Name must be unique within a namespace. Is required when creating resources, although "
                         "some resources may allow a client to request the generation of an appropriate name "
                         "automatically. Name is primarily intended for creation idempotence and configuration "
                         "definition. Cannot be updated.",
                 "Age": "CreationTimestamp is a timestamp representing the server time when this object was created."}


def wants_table(accept: str) -> str | None:
    """'v1' / 'v1beta1' when the client asks for a Table first-choice, else None."""
    for part in (accept or "").split(","):
        p = part.replace(" ", "")
        if "as=Table" in p and "g=meta.k8s.io" in p:
            return "v1beta1" if "v=v1beta1" in p else "v1"
        if p.startswith("application/json") or p in ("*/*", "application/yaml"):
            return None
    return None


def partial(obj: dict) -> dict:
    """The row's object: shares the metadata dict (the Table is only serialized, never changed)."""
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata") or {}}


def column_definitions(kind: str) -> list[dict]:
    return [{"name": c.name, "type": "string", "format": _FORMATS.get(c.name, ""),
             "description": _DESCRIPTIONS.get(c.name, c.name), "priority": c.priority}
            for c in columns_for(kind, wide=True)]


def rows(kind: str, objects: list[dict], view, include: str = "Metadata") -> list[dict]:
    cols = columns_for(kind, wide=True)
    out = []
    for o in objects:
        row: dict = {"cells": [str(c.cell(o, view)) for c in cols]}
        if include == "Object":
            row["object"] = o
        elif include != "None":
            row["object"] = partial(o)
        out.append(row)
    return out


def table(kind: str, objects: list[dict], view, resource_version: str, *, include: str = "Metadata",
          version: str = "v1", headers: bool = True, cont: str = "") -> dict:
    meta = {"resourceVersion": resource_version}
    if cont:
        meta["continue"] = cont
    body = {"kind": "Table", "apiVersion": f"meta.k8s.io/{version}", "metadata": meta,
            "columnDefinitions": column_definitions(kind) if headers else None,
            "rows": rows(kind, objects, view, include)}
    return body
