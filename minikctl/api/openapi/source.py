"""The served release's definitions, from the `kubernetes-validate` package's data.

kubernetes-validate keeps, per release, `_definitions.json`: the apiserver's OpenAPI v2
definitions rewritten as JSON Schema (2020-12) for validators. Undoing that rewrite gives the
OpenAPI v2 definitions back: `type: [T, "null"]` -> `type: T`, `#/$defs/` refs ->
`#/definitions/`, the `enum` it adds on apiVersion/kind dropped, and IntOrString / Quantity (which
it turns into oneOf) restored as the apiserver publishes them (with their descriptions, which it
drops, from data/openapi_restored.json).

What the package's conversion loses: the `enum` values of enum-typed fields and the "Possible
enum values" paragraph openapi-gen appends to their descriptions. Both are rebuilt from
data/openapi_enums.json (facts read from k8s.io/api's `+enum` types by tools/gen_openapi_enums.py)
with openapi-gen's rules (with_enums below).

The package is only read as data (never imported: its import pulls in jsonschema).
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
import importlib.util

RELEASE = "v1.32.0"
DEFS_REF = "#/definitions/"


class SchemasMissing(RuntimeError):
    """kubernetes-validate is not installed (or lacks the served release)."""


def package_dir() -> Path:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise SchemasMissing("minikctl: the OpenAPI schemas need the kubernetes-validate package "
                             "(pip install kubernetes-validate)")
    return Path(list(spec.submodule_search_locations)[0])


def definitions_file(release: str = RELEASE) -> Path:
    p = package_dir() / "kubernetes-json-schema" / f"{release}-local" / "_definitions.json"
    if not p.exists():
        raise SchemasMissing(f"minikctl: kubernetes-validate has no schemas for Kubernetes {release}")
    return p


@functools.lru_cache(maxsize=None)
def definitions(release: str = RELEASE) -> dict:
    """name -> OpenAPI v2 schema (a fresh, shared dict: callers must not change it)."""
    raw = json.loads(definitions_file(release).read_text())["$defs"]
    out = {}
    for name, schema in raw.items():
        s = _schema(schema)
        if "x-kubernetes-group-version-kind" in s:
            for f in ("apiVersion", "kind"):
                s.get("properties", {}).get(f, {}).pop("enum", None)
        out[name] = s
    with_enums(out)
    out.update(restored_forms("v2"))
    return dict(sorted(out.items()))


@functools.lru_cache(maxsize=None)
def _restored() -> dict:
    return json.loads((Path(__file__).resolve().parents[2] / "data" / "openapi_restored.json").read_text())


@functools.lru_cache(maxsize=None)
def _enum_facts() -> dict:
    return json.loads((Path(__file__).resolve().parents[2] / "data" / "openapi_enums.json").read_text())


def enum_paragraph(values: list[dict]) -> str:
    """openapi-gen's description tail for an enum field: a blank line, the header, then one line
    per value, sorted as whole lines, each the value Go-quoted in backticks and the constant's
    comment without its leading constant name, whitespace collapsed (kube-openapi enum.go)."""
    lines = []
    for v in values:
        comment = v["comment"].strip()
        if comment.startswith(v["name"]):
            comment = comment[len(v["name"]):]
        comment = " ".join(comment.split())
        lines.append(f" - `{json.dumps(v['value'])}` {comment}".rstrip(" "))
    return "\n\nPossible enum values:\n" + "\n".join(sorted(lines))


def with_enums(defs: dict) -> None:
    """Give each enum-typed field its `enum` (values sorted as openapi-gen sorts their Go
    literals) and its description the "Possible enum values" paragraph, in place."""
    for name, fields in _enum_facts()["definitions"].items():
        props = defs.get(name, {}).get("properties", {})
        for field, values in fields.items():
            p = props.get(field)
            if p is None or p.get("type") != "string" or "enum" in p:
                continue
            p["description"] = ((p.get("description") or "").rstrip() + enum_paragraph(values)).lstrip("\n")
            p["enum"] = [v for _, v in sorted((json.dumps(x["value"]), x["value"]) for x in values)]


def restored_forms(openapi: str) -> dict:
    """IntOrString and Quantity as the apiserver publishes them in OpenAPI 'v2' or 'v3'."""
    return _restored()[openapi]


def _schema(s: dict) -> dict:
    """One JSON Schema node -> OpenAPI v2 (keys kept in their order)."""
    out = {}
    for k, v in s.items():
        if k in ("$schema", "$id"):
            continue
        if k == "type" and isinstance(v, list):
            kept = [t for t in v if t != "null"]
            v = kept[0] if len(kept) == 1 else kept
        elif k == "$ref":
            v = DEFS_REF + v.rsplit("/", 1)[-1]
        elif k == "properties":
            v = {name: _schema(p) for name, p in v.items()}
        elif k in ("items", "additionalProperties") and isinstance(v, dict):
            v = _schema(v)
        elif k in ("allOf", "oneOf", "anyOf"):
            v = [_schema(x) for x in v]
        out[k] = v
    return out


def gvk_index(defs: dict) -> dict[tuple[str, str, str], str]:
    """(group, version, kind) -> definition name, for every definition that names one (first wins,
    so a kind's own definition beats shared ones like DeleteOptions)."""
    idx: dict[tuple[str, str, str], str] = {}
    for name, s in defs.items():
        gvks = s.get("x-kubernetes-group-version-kind") or []
        if len(gvks) != 1:
            continue
        g = gvks[0]
        idx.setdefault((g.get("group", ""), g.get("version", ""), g.get("kind", "")), name)
    return idx


def refs(schema) -> set[str]:
    """The definition names a schema refers to directly."""
    out: set[str] = set()
    stack = [schema]
    while stack:
        s = stack.pop()
        if isinstance(s, dict):
            r = s.get("$ref")
            if isinstance(r, str):
                out.add(r.rsplit("/", 1)[-1])
            stack.extend(v for k, v in s.items() if k != "$ref" and isinstance(v, (dict, list)))
        elif isinstance(s, list):
            stack.extend(s)
    return out


def closure(defs: dict, roots) -> list[str]:
    """roots and every definition they reach, sorted."""
    seen: set[str] = set()
    stack = [r for r in roots if r in defs]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        stack.extend(r for r in refs(defs[n]) if r in defs and r not in seen)
    return sorted(seen)
