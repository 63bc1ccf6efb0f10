"""A custom object against its CRD's structural schema, as the apiextensions-apiserver treats
it: unknown fields (pruned, or refused under kubectl's fieldValidation=Strict), defaults, then
the OpenAPI checks with kube-openapi's messages:

  spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"
  spec.size: Unsupported value: "XL": supported values: "S", "M"
  spec.cronSpec: Invalid value: "x": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+...'
  spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1
  spec.image: Required value

Why a module: the same walk serves strict decoding, defaulting and validation, and nothing here
depends on the kind (apiVersion, kind and metadata are the apiserver's own, never the schema's).
"""
from __future__ import annotations

import re

from minikctl.api.validation.fields import invalid, not_supported, render_value, required
import copy

_ROOT_OWN = ("apiVersion", "kind", "metadata")


def _type_name(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "integer" if v.is_integer() else "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def _fits(v, t: str, s: dict) -> bool:
    if v is None:
        return bool(s.get("nullable"))
    if s.get("x-kubernetes-int-or-string"):
        return isinstance(v, (int, str)) and not isinstance(v, bool)
    if not t:
        return True
    actual = _type_name(v)
    return actual == t or (t == "number" and actual == "integer")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# ---- unknown fields ----------------------------------------------------------------------

def unknown_fields(obj: dict, schema: dict) -> list[str]:
    """The fields the schema does not declare (what pruning would drop), as strict decoding names them."""
    out: list[str] = []
    for key, value in obj.items():
        if key in _ROOT_OWN:
            continue
        _unknown(value, _prop(schema, key), key, out)
    return out


def _prop(s: dict | None, key: str) -> dict | None:
    """The schema of a property, or None when the object does not declare it."""
    if not isinstance(s, dict):
        return None
    props = s.get("properties") or {}
    if key in props:
        return props[key] if isinstance(props[key], dict) else {}
    ap = s.get("additionalProperties")
    if isinstance(ap, dict):
        return ap
    if ap is True or s.get("x-kubernetes-preserve-unknown-fields"):
        return {"x-kubernetes-preserve-unknown-fields": True}
    return None


def _unknown(value, s: dict | None, path: str, out: list[str]) -> None:
    if s is None:
        out.append(path)
        return
    if isinstance(value, dict) and (s.get("properties") is not None or s.get("additionalProperties") is not None
                                    or not s.get("x-kubernetes-preserve-unknown-fields")):
        if s.get("type") not in (None, "object"):
            return
        for k, v in value.items():
            sub = _prop(s, k)
            if sub is None and s.get("x-kubernetes-preserve-unknown-fields"):
                continue
            _unknown(v, sub, _join(path, k), out)
    elif isinstance(value, list) and isinstance(s.get("items"), dict):
        for i, item in enumerate(value):
            _unknown(item, s["items"], f"{path}[{i}]", out)


def prune(obj: dict, schema: dict) -> None:
    """Drop what the schema does not declare (the apiserver's pruning, without Strict)."""
    for key in list(obj):
        if key in _ROOT_OWN:
            continue
        s = _prop(schema, key)
        if s is None:
            del obj[key]
        else:
            _prune(obj[key], s)


def _prune(value, s: dict) -> None:
    if isinstance(value, dict) and not (s.get("x-kubernetes-preserve-unknown-fields")
                                        and s.get("properties") is None):
        for k in list(value):
            sub = _prop(s, k)
            if sub is None:
                del value[k]
            else:
                _prune(value[k], sub)
    elif isinstance(value, list) and isinstance(s.get("items"), dict):
        for item in value:
            _prune(item, s["items"])


# ---- defaults ----------------------------------------------------------------------------

def apply_defaults(obj: dict, schema: dict) -> None:
    """Structural defaulting: a property absent from an object that exists gets its default."""
    props = schema.get("properties") or {}
    for key, s in props.items():
        if key in _ROOT_OWN or not isinstance(s, dict):
            continue
        if key not in obj and "default" in s:
            obj[key] = copy.deepcopy(s["default"])
        if key in obj:
            _defaults(obj[key], s)


def _defaults(value, s: dict) -> None:
    if isinstance(value, dict):
        for key, sub in (s.get("properties") or {}).items():
            if not isinstance(sub, dict):
                continue
            if key not in value and "default" in sub:
                value[key] = copy.deepcopy(sub["default"])
            if key in value:
                _defaults(value[key], sub)
        ap = s.get("additionalProperties")
        if isinstance(ap, dict):
            for v in value.values():
                _defaults(v, ap)
    elif isinstance(value, list) and isinstance(s.get("items"), dict):
        for item in value:
            _defaults(item, s["items"])


# ---- validation --------------------------------------------------------------------------

def validate(obj: dict, schema: dict) -> list[tuple[str, str]]:
    """The OpenAPI schema's causes for an object (apiVersion, kind, metadata are not the schema's)."""
    errs: list[tuple[str, str]] = []
    for key in schema.get("required") or []:
        if key not in obj and key not in _ROOT_OWN:
            errs.append(required(key))
    for key, value in obj.items():
        if key in _ROOT_OWN:
            continue
        s = _prop(schema, key)
        if s is not None:
            _check(value, s, key, errs)
    # kube-openapi walks properties in Go map order (no fixed order): report by field path
    return sorted(errs, key=lambda e: e[0])


def _num(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _check(v, s: dict, path: str, errs: list) -> None:
    t = s.get("type") or ""
    if not _fits(v, t, s):
        if v is None:
            errs.append(invalid(path, "null", f"{path} in body must be of type {t}: \"null\""))
        elif s.get("x-kubernetes-int-or-string"):
            errs.append(invalid(path, _type_name(v), f"{path} in body must be of type integer,string: "
                                                     f"\"{_type_name(v)}\""))
        else:
            errs.append(invalid(path, _type_name(v), f"{path} in body must be of type {t}: \"{_type_name(v)}\""))
        return
    if v is None:
        return
    if "enum" in s and v not in (s.get("enum") or []):
        errs.append(not_supported(path, v, [e if isinstance(e, str) else render_value(e) for e in s["enum"]]))
    if isinstance(v, str):
        if "maxLength" in s and len(v) > int(s["maxLength"]):
            errs.append((path, f"Too long: may not be more than {int(s['maxLength'])} bytes"))
        if "minLength" in s and len(v) < int(s["minLength"]):
            errs.append(invalid(path, v, f"{path} in body should be at least {int(s['minLength'])} chars long"))
        if s.get("pattern"):
            try:
                ok = re.search(s["pattern"], v) is not None
            except re.error:
                ok = True
            if not ok:
                errs.append(invalid(path, v, f"{path} in body should match '{s['pattern']}'"))
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if "minimum" in s:
            lo = s["minimum"]
            if (v <= lo) if s.get("exclusiveMinimum") else (v < lo):
                how = "greater than" if s.get("exclusiveMinimum") else "greater than or equal to"
                errs.append(invalid(path, v, f"{path} in body should be {how} {_num(lo)}"))
        if "maximum" in s:
            hi = s["maximum"]
            if (v >= hi) if s.get("exclusiveMaximum") else (v > hi):
                how = "less than" if s.get("exclusiveMaximum") else "less than or equal to"
                errs.append(invalid(path, v, f"{path} in body should be {how} {_num(hi)}"))
        if s.get("multipleOf"):
            m = s["multipleOf"]
            if (v / m) != int(v / m):
                errs.append(invalid(path, v, f"{path} in body should be a multiple of {_num(m)}"))
    if isinstance(v, list):
        if "maxItems" in s and len(v) > int(s["maxItems"]):
            errs.append((path, f"Too many: {len(v)}: must have at most {int(s['maxItems'])} items"))
        if "minItems" in s and len(v) < int(s["minItems"]):
            errs.append(invalid(path, len(v), f"{path} in body should have at least {int(s['minItems'])} items"))
        items = s.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(v):
                _check(item, items, f"{path}[{i}]", errs)
    if isinstance(v, dict):
        for key in s.get("required") or []:
            if key not in v:
                errs.append(required(_join(path, key)))
        for key, value in v.items():
            sub = _prop(s, key)
            if sub is not None:
                _check(value, sub, _join(path, key), errs)
        if "maxProperties" in s and len(v) > int(s["maxProperties"]):
            errs.append((path, f"Too many: {len(v)}: must have at most {int(s['maxProperties'])} items"))
        if "minProperties" in s and len(v) < int(s["minProperties"]):
            errs.append(invalid(path, len(v), f"{path} in body should have at least {int(s['minProperties'])} "
                                              "properties"))


def get_path(obj: dict, path: str):
    """A simple `.spec.replicas` path (the scale subresource's) -> the value, or None."""
    cur = obj
    for part in [p for p in path.split(".") if p]:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def set_path(obj: dict, path: str, value) -> None:
    parts = [p for p in path.split(".") if p]
    cur = obj
    for part in parts[:-1]:
        cur = cur.setdefault(part, {})
    cur[parts[-1]] = value
