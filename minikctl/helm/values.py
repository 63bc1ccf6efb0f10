"""Values as helm computes them: the chart's values.yaml, then -f files in order, then --set,
--set-string (helm's strvals syntax: `a.b=c,d[0]=e`, `\\,` and `\\.` escapes); maps merge deeply,
a null removes a key. Numbers read from YAML are float64 in helm (printed by %v: 1e+06)."""
from __future__ import annotations

from minikctl.helm import HelmError
import re


def helm_numbers(v):
    """YAML numbers as helm holds them after sigs.k8s.io/yaml: float64."""
    if isinstance(v, dict):
        return {str(k): helm_numbers(x) for k, x in v.items()}
    if isinstance(v, list):
        return [helm_numbers(x) for x in v]
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    return v


def coalesce(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = coalesce(out[k], v)
        else:
            out[k] = v
    return out


def merge_user(user: dict, over: dict) -> dict:
    """User-supplied values (-f, --set): later ones win, nulls kept (they delete chart keys)."""
    out = dict(user)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge_user(out[k], v)
        else:
            out[k] = v
    return out


def _split(s: str, sep: str) -> list[str]:
    parts, cur, i = [], "", 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            cur += s[i:i + 2]
            i += 2
            continue
        if c == sep:
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    return parts


def _unescape(s: str) -> str:
    out, i = "", 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out += s[i + 1]
            i += 2
        else:
            out += s[i]
            i += 1
    return out


def _typed(v: str, as_string: bool):
    if as_string:
        return v
    if v == "null":
        return None
    if v in ("true", "false"):
        return v == "true"
    if v.lstrip("-").isdigit() and not (len(v.lstrip("-")) > 1 and v.lstrip("-").startswith("0")):
        return int(v)
    return v


def parse_set(expr: str, into: dict, as_string: bool = False) -> dict:
    for assignment in _split(expr, ","):
        if not assignment:
            continue
        if "=" not in assignment.replace("\\=", ""):
            raise HelmError(f"failed parsing --set data: key \"{assignment}\" has no value")
        key, _, value = assignment.partition("=")
        path = [_unescape(p) for p in _split(key, ".")]
        val = _typed(_unescape(value), as_string)
        if value.startswith("{") and value.endswith("}") and not as_string:
            val = [_typed(x, False) for x in value[1:-1].split(",")] if value != "{}" else []
        cur = into
        for j, part in enumerate(path):
            m = re.fullmatch(r"(.*)\[(\d+)\]", part)
            last = j == len(path) - 1
            if m:
                name, idx = m.group(1), int(m.group(2))
                lst = cur.get(name)
                if not isinstance(lst, list):
                    lst = cur[name] = []
                while len(lst) <= idx:
                    lst.append(None)
                if last:
                    lst[idx] = val
                else:
                    if not isinstance(lst[idx], dict):
                        lst[idx] = {}
                    cur = lst[idx]
            elif last:
                cur[part] = val
            else:
                if not isinstance(cur.get(part), dict):
                    cur[part] = {}
                cur = cur[part]
    return into
