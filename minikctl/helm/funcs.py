"""The Sprig functions (and Helm's own: include, tpl, required, fail, toYaml, lookup...) that
charts call, with Sprig's rules for empty values, string conversion and argument order (the
piped value is the last argument)."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

from minikctl.printers.gotemplate import MISSING, _ExecError, _sprint_value, sprintf
from minikctl import lazy

_go_json = lazy.function("minikctl.kustomize.generators", "_go_json")
dump = lazy.function("minikctl.printers.serialize", "to_yaml")
go_quote = lazy.function("minikctl.printers.serialize", "go_quote")
json_roundtrip_number = lazy.function("minikctl.printers.serialize", "json_roundtrip_number")


def empty(v: Any) -> bool:
    if v is None or v is MISSING:
        return True
    if isinstance(v, bool):
        return not v
    if isinstance(v, (int, float)):
        return v == 0
    if isinstance(v, (str, list, dict)):
        return len(v) == 0
    return False


def strval(v: Any) -> str:
    if v is None or v is MISSING:
        return "<nil>" if v is None else ""
    if isinstance(v, str):
        return v
    return _sprint_value(v)


def _toint(v: Any) -> int:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v)
    if isinstance(v, str):
        try:
            return int(float(v)) if v.strip() else 0
        except ValueError:
            return 0
    return 0


def to_yaml(v: Any) -> str:
    if v is None or v is MISSING:
        return "null"
    return dump(v).rstrip("\n") if not (isinstance(v, (dict, list)) and not v) else ("{}" if isinstance(v, dict) else "[]")


def to_json(v: Any) -> str:
    """encoding/json: float64 1 is `1`, keys sorted, <>& escaped."""

    def norm(x):
        if isinstance(x, dict):
            return {k: norm(y) for k, y in x.items()}
        if isinstance(x, list):
            return [norm(y) for y in x]
        return json_roundtrip_number(x)
    return _go_json(None if v is MISSING else norm(v))


def _indent(n: int, s: str) -> str:
    pad = " " * n
    return pad + s.replace("\n", "\n" + pad)


def _trunc(n: int, s: str) -> str:
    if n < 0 and len(s) + n > 0:
        return s[len(s) + n:]
    if n >= 0 and len(s) > n:
        return s[:n]
    return s


def _quote(*args) -> str:
    """Sprig's quote: fmt's %q of each non-nil argument's string value."""
    return " ".join(go_quote(strval(a)) for a in args if a is not None and a is not MISSING)


def _dict(*kv) -> dict:
    out = {}
    for i in range(0, len(kv), 2):
        out[strval(kv[i])] = kv[i + 1] if i + 1 < len(kv) else ""
    return out


def _merge(dst: dict, *srcs) -> dict:
    for src in srcs:
        if isinstance(src, dict):
            for k, v in src.items():
                if k not in dst or dst[k] is None:
                    dst[k] = v
                elif isinstance(dst[k], dict) and isinstance(v, dict):
                    _merge(dst[k], v)
    return dst


def _merge_over(dst: dict, *srcs) -> dict:
    for src in srcs:
        if isinstance(src, dict):
            for k, v in src.items():
                if isinstance(dst.get(k), dict) and isinstance(v, dict):
                    _merge_over(dst[k], v)
                else:
                    dst[k] = v
    return dst


def _semver(v: str) -> tuple:
    m = re.match(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?", v.strip())
    if not m:
        raise ValueError(v)
    return (int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)), m.group(4)


def semver_compare(constraint: str, version: str) -> bool:
    """Masterminds/semver constraints as charts write them: comparisons joined by spaces or
    commas (AND) and `||` (OR); a prerelease version matches only a constraint with one."""
    try:
        ver, pre = _semver(version)
    except ValueError:
        raise _ExecError(f"error calling semverCompare: Invalid Semantic Version") from None
    for alt in constraint.split("||"):
        ok = True
        for part in re.split(r"[ ,]+", alt.strip()):
            if not part:
                continue
            m = re.match(r"(>=|<=|!=|=|>|<|~|\^)?\s*(.*)", part)
            op, rest = m.group(1) or "=", m.group(2)
            cver, cpre = _semver(rest)
            if pre and not cpre:
                # "-0" in a constraint admits prereleases
                ok = False
                break
            cmp = (ver > cver) - (ver < cver)
            if op == "~":
                good = cmp >= 0 and ver[:2] == cver[:2]
            elif op == "^":
                good = cmp >= 0 and ver[0] == cver[0]
            else:
                good = {">=": cmp >= 0, "<=": cmp <= 0, ">": cmp > 0, "<": cmp < 0, "=": cmp == 0, "!=": cmp != 0}[op]
            if not good:
                ok = False
                break
        if ok:
            return True
    return False


def _fn(f):
    """A plain function of its arguments as a gotemplate extra function."""
    return lambda ex, args, pos: f(*args)


def _checked(name: str, f, arity: int | None = None):
    def call(ex, args, pos):
        if arity is not None and len(args) != arity:
            raise _ExecError(f"wrong number of args for {name}: want {arity} got {len(args)}", pos, name)
        try:
            return f(*args)
        except _ExecError:
            raise
        except (TypeError, ValueError, AttributeError, KeyError, IndexError, ZeroDivisionError) as e:
            raise _ExecError(f"error calling {name}: {e}", pos, name) from None
    return call


def funcs(rng=None) -> dict:
    """name -> fn(exec, args, pos). include / tpl / required / fail are added by the engine."""
    table = {
        "default": lambda d, *v: d if not v or empty(v[-1]) else v[-1],
        "empty": empty,
        "coalesce": lambda *a: next((x for x in a if not empty(x)), None),
        "ternary": lambda a, b, c: a if c else b,
        "quote": _quote,
        "squote": lambda *a: " ".join("'" + strval(x) + "'" for x in a if x is not None),
        "toString": strval,
        "toYaml": to_yaml,
        "toJson": to_json,
        "toPrettyJson": lambda v: json.dumps(v, indent=2, ensure_ascii=False),
        "fromYaml": lambda s: __import__("yaml").safe_load(s) or {},
        "fromJson": lambda s: json.loads(s),
        "indent": lambda n, s: _indent(_toint(n), strval(s)),
        "nindent": lambda n, s: "\n" + _indent(_toint(n), strval(s)),
        "trunc": lambda n, s: _trunc(_toint(n), strval(s)),
        "trimSuffix": lambda suf, s: strval(s)[:-len(suf)] if suf and strval(s).endswith(suf) else strval(s),
        "trimPrefix": lambda pre, s: strval(s)[len(pre):] if pre and strval(s).startswith(pre) else strval(s),
        "trim": lambda s: strval(s).strip(" \t\n\r\v\f"),
        "trimAll": lambda cut, s: strval(s).strip(cut),
        "upper": lambda s: strval(s).upper(),
        "lower": lambda s: strval(s).lower(),
        "title": lambda s: re.sub(r"\b[a-z]", lambda m: m.group().upper(), strval(s)),
        "replace": lambda old, new, s: strval(s).replace(old, new),
        "contains": lambda sub, s: sub in strval(s),
        "hasPrefix": lambda pre, s: strval(s).startswith(pre),
        "hasSuffix": lambda suf, s: strval(s).endswith(suf),
        "repeat": lambda n, s: strval(s) * _toint(n),
        "substr": lambda a, b, s: strval(s)[_toint(a):_toint(b)] if _toint(b) >= 0 else strval(s)[_toint(a):],
        "nospace": lambda s: re.sub(r"\s", "", strval(s)),
        "cat": lambda *a: " ".join(strval(x) for x in a if x is not None),
        "join": lambda sep, lst: sep.join(strval(x) for x in (lst or [])),
        "splitList": lambda sep, s: strval(s).split(sep),
        "sortAlpha": lambda lst: sorted(strval(x) for x in (lst or [])),
        "list": lambda *a: list(a),
        "append": lambda lst, v: list(lst or []) + [v],
        "first": lambda lst: lst[0] if lst else None,
        "last": lambda lst: lst[-1] if lst else None,
        "has": lambda v, lst: v in (lst or []),
        "uniq": lambda lst: [x for i, x in enumerate(lst or []) if x not in lst[:i]],
        "compact": lambda lst: [x for x in (lst or []) if not empty(x)],
        "until": lambda n: list(range(_toint(n))),
        "dict": _dict,
        "set": lambda d, k, v: (d.__setitem__(k, v), d)[1],
        "unset": lambda d, k: (d.pop(k, None), d)[1],
        "hasKey": lambda d, k: isinstance(d, dict) and k in d,
        "get": lambda d, k: d.get(k, "") if isinstance(d, dict) else "",
        "keys": lambda *ds: [k for d in ds for k in d],
        "values": lambda d: list(d.values()),
        "pick": lambda d, *ks: {k: d[k] for k in ks if k in d},
        "omit": lambda d, *ks: {k: v for k, v in d.items() if k not in ks},
        "merge": _merge,
        "mergeOverwrite": _merge_over,
        "deepCopy": lambda v: json.loads(json.dumps(v)),
        "int": _toint, "int64": _toint, "atoi": _toint,
        "float64": lambda v: float(v) if not isinstance(v, str) else float(v or 0),
        "add": lambda *a: sum(_toint(x) for x in a),
        "add1": lambda a: _toint(a) + 1,
        "sub": lambda a, b: _toint(a) - _toint(b),
        "mul": lambda *a: __import__("math").prod(_toint(x) for x in a),
        "div": lambda a, b: int(_toint(a) / _toint(b)),
        "mod": lambda a, b: _toint(a) % _toint(b),
        "max": lambda *a: max(_toint(x) for x in a),
        "min": lambda *a: min(_toint(x) for x in a),
        "b64enc": lambda s: base64.b64encode(strval(s).encode()).decode(),
        "b64dec": lambda s: base64.b64decode(strval(s)).decode("utf-8", "replace"),
        "sha256sum": lambda s: hashlib.sha256(strval(s).encode()).hexdigest(),
        "regexMatch": lambda rx, s: re.search(rx, strval(s)) is not None,
        "regexReplaceAll": lambda rx, s, repl: re.sub(rx, repl.replace("$", "\\"), strval(s)),
        "semverCompare": semver_compare,
        "kindIs": lambda k, v: _kind(v) == k,
        "kindOf": lambda v: _kind(v),
        "typeOf": lambda v: {"map": "map[string]interface {}", "slice": "[]interface {}", "int": "int64",
                             "float64": "float64", "string": "string", "bool": "bool"}.get(_kind(v), "<nil>"),
        "typeIs": lambda t, v: {"map": "map[string]interface {}", "slice": "[]interface {}", "int": "int64",
                                "float64": "float64", "string": "string", "bool": "bool"}.get(_kind(v)) == t,
        "lookup": lambda *a: {},
        "sprintf": lambda f, *a: sprintf(f, list(a)),
        "randAlphaNum": lambda n: "".join((rng or __import__("random").Random(0)).choice(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(_toint(n))),
        "uuidv4": lambda: "00000000-0000-4000-8000-000000000000",
    }
    return {name: _checked(name, f) for name, f in table.items()}


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map"
    if isinstance(v, list):
        return "slice"
    return "invalid"
