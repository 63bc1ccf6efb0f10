"""`-o yaml`, `-o json` and `-o name`, byte for byte as kubectl v1.32 prints them.

Why hand-rolled rules on top of PyYAML/json: kubectl's YAML comes from sigs.k8s.io/yaml, i.e.
JSON -> go-yaml v2 -> text. go-yaml sorts map keys with its own "natural" order (digit runs
compare as numbers, non-letters before letters), double-quotes any string its resolver would read
back as something else (`"80"`, `"yes"`, `"n"`, `""`, timestamps) and uses `|` blocks for
multi-line strings. PyYAML's emitter is a port of the same libyaml emitter, so once we choose the
style of every scalar ourselves the bytes agree. kubectl's JSON is Go's encoding/json with a
4-space indent: `<`, `>`, `&`, U+2028/9 escaped, other non-ASCII kept, Go float formatting.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any
from decimal import Decimal
import functools
from minikctl import lazy

yaml = lazy.module("yaml")

STR_TAG = "tag:yaml.org,2002:str"


# ---------------------------------------------------------------- numbers as Go prints them

def _digits(f: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of |f| and the exponent of the first digit."""
    sign, digs, exp = Decimal(repr(abs(f))).as_tuple()
    d = "".join(map(str, digs)).lstrip("0") or "0"
    stripped = d.rstrip("0") or "0"
    e10 = len("".join(map(str, digs)).lstrip("0")) + exp - 1 if d != "0" else 0
    return stripped, e10


def _go_format(f: float, use_exp: bool, min_exp_digits: int) -> str:
    d, e10 = _digits(f)
    neg = "-" if f < 0 else ""
    if use_exp:
        m = d[0] + ("." + d[1:] if len(d) > 1 else "")
        return f"{neg}{m}e{'-' if e10 < 0 else '+'}{abs(e10):0{min_exp_digits}d}"
    if e10 < 0:
        return f"{neg}0.{'0' * (-e10 - 1)}{d}"
    if len(d) <= e10 + 1:
        return neg + d + "0" * (e10 + 1 - len(d))
    return f"{neg}{d[:e10 + 1]}.{d[e10 + 1:]}"


def go_float_g(f: float) -> str:
    """strconv.FormatFloat(f, 'g', -1, 64): what go-yaml and fmt's %v print for a float64."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "0"
    _, e10 = _digits(f)
    return _go_format(f, e10 < -4 or e10 >= 6, 2)  # shortest 'g' uses eprec 6


def go_json_float(f: float) -> str:
    """encoding/json's float64: 'f' format unless |f| < 1e-6 or >= 1e21, then 'e' (1e-7, 1e+21)."""
    if f == 0:
        return "0"
    a = abs(f)
    return _go_format(f, a < 1e-6 or a >= 1e21, 1)


def json_roundtrip_number(v: Any) -> Any:
    """A float as it comes back from kubectl's JSON round trip (k8s util/json decoding).

    encoding/json writes float64 3.0 as `3` and 1.2e17 as `120000000000000000`; decoding that
    text again yields an int64 when it fits. go-yaml (via sigs.k8s.io/yaml) and the go-template
    printer see that int, so they print `3`, not `3.0`/`1.2e+17`.
    """
    if isinstance(v, float) and not isinstance(v, bool) and math.isfinite(v):
        text = go_json_float(v)
        if re.fullmatch(r"-?[0-9]+", text) and -2 ** 63 <= int(text) < 2 ** 63:
            return int(text)
    return v


# ---------------------------------------------------------------- go-yaml v2 key order

def _natural_less(a: str, b: str) -> bool:
    """go-yaml v2 keyList.Less for two string keys."""
    ar, br = a, b
    for i in range(min(len(ar), len(br))):
        if ar[i] == br[i]:
            continue
        al, bl = ar[i].isalpha(), br[i].isalpha()
        if al and bl:
            return ar[i] < br[i]
        if al or bl:
            return bl
        an = bn = 0
        if ar[i] == "0" or br[i] == "0":
            j = i - 1
            while j >= 0 and ar[j].isdigit():
                if ar[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(ar) and ar[ai].isdigit():
            an = an * 10 + int(ar[ai])
            ai += 1
        bi = i
        while bi < len(br) and br[bi].isdigit():
            bn = bn * 10 + int(br[bi])
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ar[i] < br[i]
    return len(ar) < len(br)


def yaml_sorted_keys(keys) -> list[str]:
    """Keys in go-yaml's order.

    The relation is not transitive for some mixes (a1x < a2 < a02 < a10 < a1x), and go-yaml sorts
    Go's randomly ordered map keys, so kubectl itself is not deterministic there; any order we
    give for such cycles is as right as kubectl's. Ordinary keys sort exactly as kubectl does.
    """
    return sorted(keys, key=functools.cmp_to_key(
        lambda x, y: -1 if _natural_less(x, y) else (1 if _natural_less(y, x) else 0)))


# ---------------------------------------------------------------- go-yaml v2 resolver

_YAML_SPECIAL = {
    "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF",
    "true", "True", "TRUE", "false", "False", "FALSE", "", "~", "null", "Null", "NULL",
    ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
    "-.INF", "<<",
}
_YAML_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_BASE60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_TIMESTAMP = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]| )\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?"
    r"(?:Z|[+-]\d{2}:\d{2})?)?$")


def _go_parse_int(s: str) -> bool:
    """strconv.ParseInt/ParseUint(s, 0, 64) succeeds (base prefixes, leading-0 octal)."""
    body = s[1:] if s[:1] in "+-" else s
    if not body:
        return False
    try:
        low = body.lower()
        if low.startswith("0x"):
            int(body[2:], 16)
        elif low.startswith("0o"):
            int(body[2:], 8)
        elif low.startswith("0b"):
            int(body[2:], 2)
        elif body.startswith("0") and len(body) > 1:
            int(body[1:], 8)
        else:
            if not body.isdigit():
                return False
            int(body)
        return "_" not in body
    except ValueError:
        return False


def _go_parse_float(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return "_" not in s and s.lower() not in ("nan", "inf", "+inf", "-inf", "infinity")


def yaml_needs_quotes(s: str) -> bool:
    """go-yaml v2 encoder: a plain scalar is allowed only if resolve() says it's a string."""
    if s in _YAML_SPECIAL:
        return True
    c = s[0]
    if c == ".":
        return _go_parse_float(s)
    if c in "+-0123456789":
        if c.isdigit() and _TIMESTAMP.match(s):
            return True
        plain = s.replace("_", "")
        if _go_parse_int(plain) or _YAML_FLOAT.match(plain):
            return True
        if plain.startswith("0b") or plain.startswith("-0b"):
            return True
    return bool(_BASE60.match(s))


# ---------------------------------------------------------------- YAML

def _yaml_node(v: Any):
    v = json_roundtrip_number(v)
    if isinstance(v, dict):
        pairs = [(_yaml_node(str(k)), _yaml_node(v[k]))
                 for k in yaml_sorted_keys([str(k) for k in v])] if all(
            isinstance(k, str) for k in v) else [
            (_yaml_node(str(k)), _yaml_node(val)) for k, val in sorted(v.items(), key=lambda kv: str(kv[0]))]
        return yaml.MappingNode("tag:yaml.org,2002:map", pairs, flow_style=True if not pairs else False)
    if isinstance(v, (list, tuple)):
        items = [_yaml_node(x) for x in v]
        return yaml.SequenceNode("tag:yaml.org,2002:seq", items, flow_style=True if not items else False)
    if v is None:
        return yaml.ScalarNode(STR_TAG, "null")
    if isinstance(v, bool):
        return yaml.ScalarNode(STR_TAG, "true" if v else "false")
    if isinstance(v, int) and -2 ** 63 <= v < 2 ** 64:  # go-yaml: ParseInt, then ParseUint
        return yaml.ScalarNode(STR_TAG, str(v))
    if isinstance(v, (int, float)):
        v = float(v)
        s = go_float_g(v)
        return yaml.ScalarNode(STR_TAG, {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(s, s))
    s = str(v)
    if "\n" in s:
        style = "|"
    elif yaml_needs_quotes(s):
        style = '"'
    else:
        style = None
    return yaml.ScalarNode(STR_TAG, s, style=style)


def _dumper():
    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class GoYamlDumper(base):  # type: ignore[misc,valid-type]
        """Every scalar is tagged str and we pick its style, so resolution can't re-quote it."""

        def resolve(self, kind, value, implicit):
            if kind is yaml.ScalarNode:
                return STR_TAG
            return super().resolve(kind, value, implicit)

    return GoYamlDumper


def to_yaml(obj: Any) -> str:
    """kubectl -o yaml: sorted keys (go-yaml order), block style, indentless sequences."""
    return yaml.serialize(_yaml_node(obj), Dumper=_dumper(),
                          allow_unicode=True, width=80, indent=2)


# ---------------------------------------------------------------- JSON

_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
               "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _json_str(s: str) -> str:
    out = json.dumps(s, ensure_ascii=False)
    if any(c in out for c in _GO_ESCAPES):
        out = "".join(_GO_ESCAPES.get(c, c) for c in out)
    # Go escapes U+007F? no; but it writes invalid runes as \ufffd — Python strs are valid.
    return out


def _json_scalar(v: Any) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return go_json_float(v)
    return _json_str(str(v))


def _json_lines(v: Any, indent: str, step: str, sort_keys: bool, out: list[str]) -> None:
    if isinstance(v, dict):
        if not v:
            out.append("{}")
            return
        keys = sorted(v, key=lambda k: str(k).encode("utf-8")) if sort_keys else list(v)
        inner = indent + step
        out.append("{\n")
        for i, k in enumerate(keys):
            out.append(f"{inner}{_json_str(str(k))}: ")
            _json_lines(v[k], inner, step, sort_keys, out)
            out.append(",\n" if i < len(keys) - 1 else "\n")
        out.append(indent + "}")
    elif isinstance(v, (list, tuple)):
        if not v:
            out.append("[]")
            return
        inner = indent + step
        out.append("[\n")
        for i, x in enumerate(v):
            out.append(inner)
            _json_lines(x, inner, step, sort_keys, out)
            out.append(",\n" if i < len(v) - 1 else "\n")
        out.append(indent + "]")
    else:
        out.append(_json_scalar(v))


def to_json(obj: Any, sort_keys: bool = True) -> str:
    """kubectl -o json (json.MarshalIndent, 4 spaces, trailing newline).

    sort_keys=True is what `kubectl get` prints (objects read from the server are unstructured
    maps, which encoding/json sorts bytewise); sort_keys=False keeps the dict's order, which is
    how `create --dry-run=client -o json` prints typed objects (Go struct field order:
    kind, apiVersion, metadata, spec, status) — the caller builds the dict in that order.
    """
    out: list[str] = []
    _json_lines(obj, "", "    ", sort_keys, out)
    return "".join(out) + "\n"


def compact_json(obj: Any) -> str:
    """json.Marshal (no spaces, sorted keys): jsonpath prints maps and lists this way."""
    out: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            out.append("{")
            for i, k in enumerate(sorted(v, key=lambda k: str(k).encode("utf-8"))):
                if i:
                    out.append(",")
                out.append(_json_str(str(k)) + ":")
                walk(v[k])
            out.append("}")
        elif isinstance(v, (list, tuple)):
            out.append("[")
            for i, x in enumerate(v):
                if i:
                    out.append(",")
                walk(x)
            out.append("]")
        else:
            out.append(_json_scalar(v))

    walk(obj)
    return "".join(out)


# ---------------------------------------------------------------- List wrapper and -o name

def list_wrap(items: list[dict]) -> dict:
    """The `kind: List` object kubectl get prints for -o yaml/json over several objects."""
    return {"apiVersion": "v1", "items": list(items), "kind": "List",
            "metadata": {"resourceVersion": ""}}


def kind_ref(obj: dict) -> str:
    """'pod', 'deployment.apps': lowercased kind plus group from the object's apiVersion."""
    api = obj.get("apiVersion", "")
    group = api.split("/")[0] if "/" in api else ""
    kind = str(obj.get("kind", "")).lower()
    return f"{kind}.{group}" if group else kind


def name_line(kind_ref_: str, name: str, op: str | None = None) -> str:
    """NamePrinter: 'pod/x', 'deployment.apps/web', or with an operation 'pod/x created'."""
    line = f"{kind_ref_}/{name}"
    return f"{line} {op}" if op else line


# ---------------------------------------------------------------- Go fmt spellings
# jsonpath, custom-columns and go-template print decoded JSON with fmt (%v, %#v, %q).

def go_quote(s: str) -> str:
    """strconv.Quote: printable runes kept, the rest escaped as Go does."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\a\b\f\n\r\t\v":
            out.append({"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
                        "\t": "\\t", "\v": "\\v"}[ch])
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif o < 0x80:
            out.append(f"\\x{o:02x}")
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


def go_type(v: Any) -> str:
    """reflect.Type.String() of a value decoded from JSON into interface{}."""
    if isinstance(v, dict):
        return "map[string]interface {}"
    if isinstance(v, (list, tuple)):
        return "[]interface {}"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int64"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    return "interface {}"


def go_v(v: Any) -> str:
    """fmt %v: map[k:v ...] with sorted keys, [a b], <nil>."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return go_float_g(v)
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{go_v(v[k])}" for k in sorted(v, key=lambda k: str(k).encode())) + "]"
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(go_v(x) for x in v) + "]"
    return str(v)


def go_sharp_v(v: Any, in_iface: bool = False) -> str:
    """fmt %#v of decoded JSON: map[string]interface {}{"k":v}, []interface {}{...}."""
    if v is None:
        return "interface {}(nil)" if in_iface else "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return go_float_g(v)
    if isinstance(v, str):
        return go_quote(v)
    if isinstance(v, dict):
        keys = sorted(v, key=lambda k: str(k).encode())
        return "map[string]interface {}{" + ", ".join(
            f"{go_quote(str(k))}:{go_sharp_v(v[k], True)}" for k in keys) + "}"
    if isinstance(v, (list, tuple)):
        return "[]interface {}{" + ", ".join(go_sharp_v(x, True) for x in v) + "}"
    return str(v)


__all__ = ["to_yaml", "to_json", "compact_json", "list_wrap", "name_line", "kind_ref",
           "go_float_g", "go_json_float", "json_roundtrip_number", "yaml_needs_quotes",
           "yaml_sorted_keys", "go_quote", "go_type", "go_v", "go_sharp_v"]
