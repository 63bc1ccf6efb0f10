"""Flag parsing errors as kubectl (cobra + pflag) words them, and pflag's `--flag=true|false`.

click and pflag disagree on a few things a learner types every day: pflag accepts a value on a
boolean flag (`delete --wait=false`, `get --show-labels=true`) where click refuses it, and the
messages differ (`Error: unknown shorthand flag: 'Z' in -Z`, `Error: flag needs an argument`,
`Error: invalid argument "abc" for "--replicas" flag: strconv.ParseInt: ...`)."""
from __future__ import annotations

import ast
import re

try:
    import click
except ImportError:  # typer >= 0.20 vendors click
    from typer import _click as click

_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")


def _flag_name(param) -> str:
    """pflag names a flag `-r, --replicas` when it has a shorthand, else `--replicas`."""
    opts = list(getattr(param, "opts", []) or [])
    short = next((o for o in opts if len(o) == 2 and o[0] == "-" and o[1] != "-"), None)
    long = next((o for o in opts if o.startswith("--")), opts[0] if opts else "")
    return f"{short}, {long}" if short and long.startswith("--") else long


def _token(argv: list[str], option_name: str) -> str:
    """The command-line word that held option_name (`-Zq` for `-Z`)."""
    for a in argv:
        if a == "--":
            break
        if a == option_name or a.startswith(option_name + "="):
            return a
        if not option_name.startswith("--") and a.startswith("-") and not a.startswith("--") \
                and option_name[1:] in a[1:]:
            return a
    return option_name


def short_equals(argv: list[str]) -> list[str]:
    """pflag reads `-n=dev` as `-n dev` (click would take `=dev` as the value). A boolean value
    (`-A=true`) is left for bool_rewrite, since only a boolean shorthand takes one."""
    out = []
    for i, a in enumerate(argv):
        if a == "--":
            return out + argv[i:]
        m = re.fullmatch(r"-([A-Za-z])=(.*)", a, re.S)
        if m and m.group(2) not in _TRUE + _FALSE:
            out += [f"-{m.group(1)}", m.group(2)]
        else:
            out.append(a)
    return out


def bool_rewrite(e, argv: list[str]) -> list[str] | str | None:
    """`--flag=VALUE` on a boolean flag: the argv click accepts, or pflag's error text, or None."""
    m = re.match(r"Option '(--?[^']+)' does not take a value", e.format_message())
    if getattr(e, "option_name", None) == "-=":  # `-A=true`: click read `=` as a shorthand
        tok = next((a for a in argv if re.fullmatch(r"-[A-Za-z]=.*", a, re.S)), None)
        m = re.match(r"(-[A-Za-z])", tok) if tok else None
    if not m:
        return None
    name = m.group(1)
    for i, a in enumerate(argv):
        if a == "--":
            break
        if a.startswith(name + "="):
            value = a.split("=", 1)[1]
            if value in _TRUE:
                return argv[:i] + [name] + argv[i + 1:]
            if value in _FALSE:  # every boolean flag here defaults to false: leave it unset
                return argv[:i] + argv[i + 1:]
            params = getattr(getattr(getattr(e, "ctx", None), "command", None), "params", [])
            param = next((p for p in params if name in (getattr(p, "opts", None) or [])), None)
            return (f'invalid argument "{value}" for "{_flag_name(param) if param else name}" flag: '
                    f'strconv.ParseBool: parsing "{value}": invalid syntax')
    return None


def pflag_message(e, argv: list[str]) -> str | None:
    """pflag's wording of a click parse error (without the `Error: ` prefix), or None."""
    if isinstance(e, click.exceptions.NoSuchOption):
        name = e.option_name
        if name.startswith("--"):
            return f"unknown flag: {name}"
        return f"unknown shorthand flag: '{name[1:]}' in {_token(argv, name)}"
    msg = e.format_message()
    m = re.match(r"Option '(--?[^']+)' requires an argument", msg)
    if m:
        name = m.group(1)
        return f"flag needs an argument: {name}" if name.startswith("--") else \
            f"flag needs an argument: '{name[1:]}' in {name}"
    m = re.match(r"Invalid value for .+?: (.+) is not a valid integer\.", msg)
    if m and getattr(e, "param", None) is not None:
        try:
            value = ast.literal_eval(m.group(1))
        except (ValueError, SyntaxError):
            return None
        return (f'invalid argument "{value}" for "{_flag_name(e.param)}" flag: '
                f'strconv.ParseInt: parsing "{value}": invalid syntax')
    return None
