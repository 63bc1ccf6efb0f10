"""kubectl's `explain` over an OpenAPI v3 document: kubectl/pkg/explain/v2/templates/
plaintext.tmpl (1.32) step for step, so minikctl explain prints what kubectl prints for the same
document (tests/test_openapi.py compares the two through serve).

The template finds the resource's GVK in the document's paths, the schema carrying that GVK in
components.schemas (in key order, as Go ranges a map), then follows the field path through
properties, items, additionalProperties and allOf; descriptions are word-wrapped by
mitchellh/go-wordwrap (wordwrap below) and indented.
"""
from __future__ import annotations


class ExplainError(Exception):
    """What the template throws; kubectl prints it as is, after what the template had written
    (`partial`: the GROUP/KIND/VERSION header when a field is missing)."""

    def __init__(self, message: str, partial: str = ""):
        super().__init__(message)
        self.partial = partial


def wordwrap(s: str, lim: int) -> str:
    """mitchellh/go-wordwrap v1.0.1 WrapString."""
    buf: list[str] = []
    current = 0
    word: list[str] = []
    space: list[str] = []
    for ch in s:
        if ch == "\n":
            if not word:
                if current + len(space) > lim:
                    current = 0
                else:
                    current += len(space)
                    buf.extend(space)
                space = []
            else:
                current += len(space) + len(word)
                buf.extend(space)
                buf.extend(word)
                space, word = [], []
            buf.append(ch)
            current = 0
        elif ch.isspace() and ch != "\u00a0":
            if not space or word:
                current += len(space) + len(word)
                buf.extend(space)
                buf.extend(word)
                space, word = [], []
            space.append(ch)
        else:
            word.append(ch)
            if current + len(space) + len(word) > lim and len(word) < lim:
                buf.append("\n")
                current = 0
                space = []
    if not word:
        if current + len(space) <= lim:
            buf.extend(space)
    else:
        buf.extend(space)
        buf.extend(word)
    return "".join(buf)


def indent(n: int, s: str) -> str:
    pad = " " * n
    return pad + s.replace("\n", "\n" + pad)


def _truthy(v) -> bool:
    return bool(v)


def _is_map(v) -> bool:
    return isinstance(v, dict) and bool(v)


def resolve_ref(ref, doc: dict):
    if not isinstance(ref, str) or not ref.startswith("#"):
        return None
    cur = doc
    for k in ref[1:].split("/"):
        if not k:
            continue
        nxt = cur.get(k) if isinstance(cur, dict) else None
        if not isinstance(nxt, dict):
            return None
        cur = nxt
    return cur


def render(doc: dict, group: str, version: str, resource: str, field_path: list[str], recursive: bool = False) -> str:
    prefix = f"/apis/{group}" if group else "/api"
    searches = [f"{prefix}/{version}/{resource}", f"{prefix}/{version}/{resource}/{{name}}",
                f"{prefix}/{version}/namespaces/{{namespace}}/{resource}",
                f"{prefix}/{version}/namespaces/{{namespace}}/{resource}/{{name}}"]
    gvk = None
    for sp in searches:
        item = (doc.get("paths") or {}).get(sp)
        if not item:
            continue
        for m in ("get", "post", "put", "patch", "delete"):
            op = item.get(m)
            if op and op.get("x-kubernetes-group-version-kind"):
                gvk = op["x-kubernetes-group-version-kind"]
                break
        # the template's break leaves only the inner loop: a later path may overwrite
    if not gvk:
        raise ExplainError(f"error: GVR ({group}/{version}, Resource={resource}) not found in OpenAPI schema")
    out = []
    if gvk.get("group"):
        out.append(f"GROUP:      {gvk['group']}\n")
    out.append(f"KIND:       {gvk.get('kind')}\n")
    out.append(f"VERSION:    {gvk.get('version')}\n")
    out.append("\n")
    body = ""
    found = False
    schemas = (doc.get("components") or {}).get("schemas") or {}
    for name in sorted(schemas):
        s = schemas[name]
        if gvk in (s.get("x-kubernetes-group-version-kind") or []):
            found = True
            body = _output(s, {}, list(field_path), recursive, doc)
            if not body:
                raise ExplainError(f'error: field "{field_path[-1]}" does not exist', "".join(out))
            break
    if not found or not body:
        raise ExplainError(f"error: GVK map[group:{gvk.get('group', '')} kind:{gvk.get('kind')} "
                           f"version:{gvk.get('version')}] not found in OpenAPI schema", "".join(out))
    out.append(body)
    out.append("\n")
    return "".join(out)


def _output(schema: dict, history: dict, path: list[str], recursive: bool, doc: dict) -> str:
    ref = schema.get("$ref") or ""
    nxt_history = dict(history)
    nxt_history[ref] = 1
    resolved = resolve_ref(ref, doc) or schema
    if not path:
        out = ["DESCRIPTION:\n"]
        out.append(indent(4, wordwrap(_description(resolved, doc) or "<empty>", 76)) + "\n")
        ext = _external_docs(resolved)
        if ext:
            out.append("\n" + ext)
        fl = _field_list(resolved, 1, {}, recursive, doc)
        if fl:
            out.append("FIELDS:\n" + fl)
        return "".join(out)
    if ref and history.get(ref):
        return ""
    props = resolved.get("properties")
    if _truthy(props) and _truthy(props.get(path[0])):
        sub = props[path[0]]
        head = ""
        if len(path) == 1:
            head = f"FIELD: {path[0]} <{_type_guess(sub, doc)}>\n" + _enum(sub, True, -1, 0) + "\n" + "\n"
        return head + _output(sub, {}, path[1:], recursive, doc)
    if _truthy(resolved.get("items")):
        return _output(resolved["items"], nxt_history, path, recursive, doc)
    ap = resolved.get("additionalProperties")
    if _truthy(ap) and not isinstance(ap, bool):
        return _output(ap, nxt_history, path, recursive, doc)
    for sub in resolved.get("allOf") or ():
        r = _output(sub, nxt_history, path, recursive, doc)
        if r:
            return r
    return ""


def _description(schema: dict, doc: dict) -> str:
    s = resolve_ref(schema.get("$ref"), doc) or schema
    if not _truthy(s):
        return ""
    out = []
    if s.get("description"):
        out.append(s["description"] + "\n")
    for sub in s.get("allOf") or ():
        out.append(_description(sub, doc))
    if _truthy(s.get("items")):
        out.append(_description(s["items"], doc))
    ap = s.get("additionalProperties")
    if _truthy(ap) and not isinstance(ap, bool):
        out.append(_description(ap, doc))
    return "".join(out)


def _external_docs(schema: dict) -> str:
    ed = schema.get("externalDocs")
    if not _truthy(ed):
        return ""
    out = ["EXTERNAL DOCS:\n"]
    if ed.get("description"):
        out.append(indent(4, wordwrap(ed["description"], 76)) + "\n")
    if ed.get("url"):
        out.append(indent(4, "URL: " + ed["url"]) + "\n")
    return "".join(out)


def _field_list(schema: dict, level: int, history: dict, recursive: bool, doc: dict) -> str:
    ref = schema.get("$ref") or ""
    if ref and history.get(ref):
        return ""
    nxt = dict(history)
    nxt[ref] = 1
    resolved = resolve_ref(ref, doc) or schema
    out = []
    props = resolved.get("properties") or {}
    for k in sorted(props):
        out.append(_field_detail(k, resolved, recursive, level, doc))
        if recursive:
            out.append(_field_list(props[k], level + 1, nxt, recursive, doc))
    for sub in resolved.get("allOf") or ():
        out.append(_field_list(sub, level, nxt, recursive, doc))
    if _truthy(resolved.get("items")):
        out.append(_field_list(resolved["items"], level, nxt, recursive, doc))
    ap = resolved.get("additionalProperties")
    if _truthy(ap) and not isinstance(ap, bool):
        out.append(_field_list(ap, level, nxt, recursive, doc))
    return "".join(out)


def _field_detail(name: str, schema: dict, short: bool, level: int, doc: dict) -> str:
    ind = level * 2
    fs = schema["properties"][name]
    out = [indent(ind, name) + "\t<" + _type_guess(fs, doc) + ">"]
    if name in (schema.get("required") or ()):
        out.append(" -required-")
    out.append(_enum(fs, False, 4, ind))
    out.append("\n")
    if not short:
        out.append(indent(ind + 2, wordwrap(fs.get("description") or "<no description>", 78 - ind)) + "\n")
        ed = fs.get("externalDocs")
        if _truthy(ed):
            out.append("\n" + indent(ind + 2, "EXTERNAL DOCS:") + "\n")
            if ed.get("description"):
                out.append(indent(ind + 4, wordwrap(ed["description"], 76 - ind)) + "\n")
            if ed.get("url"):
                out.append(indent(ind + 4, "URL: " + ed["url"]) + "\n")
        out.append("\n")
    return "".join(out)


def _type_guess(s: dict, doc: dict) -> str:
    if not isinstance(s, dict):
        raise ExplainError("expected schema argument to subtemplate 'typeguess'")
    if _truthy(s.get("items")):
        return "[]" + _type_guess(s["items"], doc)
    ap = s.get("additionalProperties")
    if _truthy(ap) and not isinstance(ap, bool):
        return "map[string]" + _type_guess(ap, doc)
    if _truthy(s.get("allOf")) and not _truthy(s.get("properties")) and len(s["allOf"]) == 1:
        return _type_guess(s["allOf"][0], doc)
    if s.get("$ref"):
        ref = s["$ref"]
        rs = resolve_ref(ref, doc)
        if not rs or not rs.get("type") or rs.get("type") == "object":
            return ref.split("/")[-1].split(".")[-1] or "Object"
        return rs["type"]
    if s.get("type") == "object":
        return "Object"
    return s.get("type") or "Object"


def _go_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if v is None:
        return "<nil>"
    return str(v)


def _enum(s: dict, long_view: bool, limit: int, ind: int) -> str:
    values = s.get("enum") if isinstance(s, dict) else None
    if not values:
        return ""
    out = ["ENUM:" if long_view else "\n" + " " * ind + "enum: "]
    for i, e in enumerate(values):
        if limit > -1 and i >= limit:
            out.append(", ....")
            break
        if i > 0 and not long_view:
            out.append(", ")
        elif long_view:
            out.append("\n    ")
        out.append('""' if e == "" else _go_value(e))
    return "".join(out)
