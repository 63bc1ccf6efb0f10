"""pflag/cobra parsing as etcdctl and etcdutl do it: flags anywhere on the line, `--f=v`,
`--f v`, `-w v`, `-wv`, booleans bare or `=true|false`, ETCDCTL_* variables for the global flags."""
from __future__ import annotations
import datetime
import json

VERSION = "3.5.16"
API_VERSION = "3.5"


class FlagError(Exception):
    pass


def parse(argv: list[str], value_flags: dict[str, str], bool_flags: set[str], env: dict | None = None,
          env_prefix: str = "") -> tuple[list[str], dict]:
    """-> (positional words, {flag name: value}); value_flags maps every spelling (`-w`,
    `--write-out`) to its canonical name; unknown flags raise FlagError with pflag's text."""
    words: list[str] = []
    got: dict = {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            words.extend(argv[i + 1:])
            break
        if a.startswith("--") or (a.startswith("-") and len(a) > 1):
            name, eq, val = a.partition("=")
            if not a.startswith("--") and len(name) > 2:   # -wtable
                name, eq, val = a[:2], "=", a[2:]
            if name in bool_flags:
                got[name.lstrip("-")] = (val.lower() in ("true", "1", "t")) if eq else True
            elif name in value_flags:
                if not eq:
                    if i + 1 >= len(argv):
                        raise FlagError(f"flag needs an argument: {name}")
                    i += 1
                    val = argv[i]
                key = value_flags[name]
                if key == "endpoints":
                    got.setdefault(key, [])
                    got[key] += [e.strip() for e in val.split(",")]
                else:
                    got[key] = val
            else:
                short = not name.startswith("--")
                raise FlagError(f"unknown shorthand flag: '{name[1]}' in {a}" if short else f"unknown flag: {name}")
        else:
            words.append(a)
        i += 1
    if env and env_prefix:
        for key in set(value_flags.values()):
            var = env_prefix + key.upper().replace("-", "_")
            if key not in got and env.get(var):
                got[key] = [e.strip() for e in env[var].split(",")] if key == "endpoints" else env[var]
        for name in bool_flags:
            key = name.lstrip("-")
            var = env_prefix + key.upper().replace("-", "_")
            if key not in got and env.get(var):
                got[key] = env[var].lower() in ("true", "1", "t")
    return words, got


def zap_ts(now: float) -> str:
    """etcd's JSON logger time: 2006-01-02T15:04:05.000000Z0700 (UTC on the node)."""
    t = datetime.datetime.fromtimestamp(now, tz=datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}Z"


def rfc3339(now: float) -> str:
    return datetime.datetime.fromtimestamp(int(now), tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def json_log(now: float, level: str, caller: str, msg: str, logger: str | None = None, **fields) -> str:
    """One line of zap's JSON encoder, keys in the order zap writes them."""
    rec = {"level": level, "ts": zap_ts(now)}
    if logger:
        rec["logger"] = logger
    rec["caller"] = caller
    rec["msg"] = msg
    rec.update(fields)
    return json.dumps(rec, separators=(",", ":")) + "\n"


def console_log(now: float, level: str, caller: str, msg: str, **fields) -> str:
    """One line of zap's console encoder (etcdutl): tab-separated, fields as JSON with spaces."""
    line = f"{rfc3339(now)}\t{level}\t{caller}\t{msg}"
    if fields:
        line += "\t" + json.dumps(fields, separators=(", ", ": "))
    return line + "\n"


def table(hdr: list[str], rows: list[list[str]]) -> str:
    """olekukonko/tablewriter v0.0.5 as etcdctl sets it up: headers upper-cased and centred,
    cells right-aligned, borders of + - |."""
    cols = len(hdr)
    heads = [h.upper().replace("_", " ") for h in hdr]
    widths = [max([len(heads[i])] + [len(r[i]) for r in rows]) for i in range(cols)]
    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+\n"

    def centre(s: str, w: int) -> str:
        gap = w - len(s)
        left = gap // 2
        return " " * left + s + " " * (gap - left)

    out = sep + "|" + "|".join(f" {centre(h, widths[i])} " for i, h in enumerate(heads)) + "|\n" + sep
    for r in rows:
        out += "|" + "|".join(f" {r[i].rjust(widths[i])} " for i in range(cols)) + "|\n"
    return out + sep
