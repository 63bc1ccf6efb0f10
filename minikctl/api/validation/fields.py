"""The vocabulary every validator speaks: Go value rendering, field errors, format rules.

The apiserver's messages quote values the way Go's %#v prints them and shape each cause as a
field.Error (`Required value`, `Invalid value: ...`); the name, label, port and IP rules come
from apimachinery/pkg/util/validation, message for message. Every kind's validator builds on
these, so they live apart from any one kind.
"""
from __future__ import annotations

import ipaddress
import json
import re


# ---------------------------------------------------------------------------------------------
# Go value rendering (what %#v prints inside field errors)


class GoRaw(str):
    """A value already rendered the Go way; printed as is."""


def go_quote(s: str) -> str:
    """strconv.Quote, close enough: JSON escapes minus the HTML ones Go does not use."""
    return json.dumps(s, ensure_ascii=False)


def go_string_map(m: dict | None) -> GoRaw:
    """%#v of a map[string]string: keys sorted, `"k":"v"` joined by ', '; nil -> (nil)."""
    if m is None:
        return GoRaw("map[string]string(nil)")
    inner = ", ".join(f"{go_quote(str(k))}:{go_quote(str(v))}" for k, v in sorted(m.items()))
    return GoRaw("map[string]string{" + inner + "}")


def go_strings(xs: list | None) -> GoRaw:
    if xs is None:
        return GoRaw("[]string(nil)")
    return GoRaw("[]string{" + ", ".join(go_quote(str(x)) for x in xs) + "}")


def go_label_selector(sel: dict) -> GoRaw:
    """%#v of a v1.LabelSelector (the value in `spec.selector: ... field is immutable`)."""
    exprs = sel.get("matchExpressions")
    if exprs is None:
        rendered = "[]v1.LabelSelectorRequirement(nil)"
    else:
        items = ", ".join(
            "v1.LabelSelectorRequirement{Key:%s, Operator:%s, Values:%s}" % (
                go_quote(e.get("key", "")), go_quote(e.get("operator", "")), go_strings(e.get("values")))
            for e in exprs)
        rendered = "[]v1.LabelSelectorRequirement{" + items + "}"
    return GoRaw(f"v1.LabelSelector{{MatchLabels:{go_string_map(sel.get('matchLabels'))}, "
                 f"MatchExpressions:{rendered}}}")


def go_v(value) -> str:
    """fmt's %v / %+v of a decoded JSON value (map[string]interface{} and friends)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_v(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_v(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def render_value(value) -> str:
    """How field.Error prints a bad value."""
    if isinstance(value, GoRaw):
        return str(value)
    if value is None:
        return '"null"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return go_v(value)
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, dict):
        return go_string_map(value)
    if isinstance(value, list):
        return go_strings(value)
    return str(value)


# ---------------------------------------------------------------------------------------------
# field.Error constructors: each returns (field, body)


def required(path: str, detail: str = "") -> tuple[str, str]:
    return path, "Required value" + (f": {detail}" if detail else "")


def forbidden(path: str, detail: str) -> tuple[str, str]:
    return path, "Forbidden" + (f": {detail}" if detail else "")


def invalid(path: str, value, detail: str) -> tuple[str, str]:
    return path, f"Invalid value: {render_value(value)}" + (f": {detail}" if detail else "")


def duplicate(path: str, value) -> tuple[str, str]:
    return path, f"Duplicate value: {render_value(value)}"


def not_found(path: str, value) -> tuple[str, str]:
    return path, f"Not found: {render_value(value)}"


def not_supported(path: str, value, valid: list[str]) -> tuple[str, str]:
    detail = "supported values: " + ", ".join(go_quote(v) for v in valid)
    return path, f"Unsupported value: {render_value(value)}: {detail}"


def too_long(path: str, limit: int) -> tuple[str, str]:
    return path, f"Too long: may not be more than {limit} bytes"


# ---------------------------------------------------------------------------------------------
# apimachinery/pkg/util/validation: the name and label rules, message for message


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """RegexError: note the double space before ` or` (each example is written `'x', `)."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    return msg + " (e.g. " + " or ".join(f"'{e}', " for e in examples) + \
        f"regex used for validation is '{fmt}')"


def max_len_error(n: int) -> str:
    return f"must be no more than {n} characters"


_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_SUBDOMAIN_FMT = _LABEL_FMT + "(\\." + _LABEL_FMT + ")*"
_DNS1035_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE_FMT = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"
_CM_KEY_FMT = "[-._a-zA-Z0-9]+"
_PERCENT_FMT = "[0-9]+%"


def _full(fmt: str, value: str) -> bool:
    return re.fullmatch(fmt, value) is not None


def dns1123_label(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _full(_LABEL_FMT, value):
        if _full(_SUBDOMAIN_FMT, value):
            errs.append("must not contain dots")
        else:
            errs.append(regex_error("a lowercase RFC 1123 label must consist of lower case alphanumeric "
                                    "characters or '-', and must start and end with an alphanumeric "
                                    "character", _LABEL_FMT, "my-name", "123-abc"))
    return errs


def dns1123_subdomain(value: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append(max_len_error(253))
    if not _full(_SUBDOMAIN_FMT, value):
        errs.append(regex_error("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                                "characters, '-' or '.', and must start and end with an alphanumeric "
                                "character", _SUBDOMAIN_FMT, "example.com"))
    return errs


def dns1035_label(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _full(_DNS1035_FMT, value):
        errs.append(regex_error("a DNS-1035 label must consist of lower case alphanumeric characters or "
                                "'-', start with an alphabetic character, and end with an alphanumeric "
                                "character", _DNS1035_FMT, "my-name", "abc-123"))
    return errs


_QNAME_MSG = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
              "an alphanumeric character")


def qualified_name(value: str) -> list[str]:
    """IsQualifiedName: label keys, annotation keys, `[prefix/]name`."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + m for m in dns1123_subdomain(prefix))
    else:
        return ["a qualified name " + regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part " + max_len_error(63))
    if not _full(_QNAME_FMT, name):
        errs.append("name part " + regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def label_value(value: str) -> list[str]:
    errs = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _full(_LABEL_VALUE_FMT, value):
        errs.append(regex_error("a valid label must be an empty string or consist of alphanumeric "
                                "characters, '-', '_' or '.', and must start and end with an "
                                "alphanumeric character", _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def port_name(value: str) -> list[str]:
    """IsValidPortName: the IANA_SVC_NAME rules for container port names."""
    errs = []
    if len(value) > 15:
        errs.append(max_len_error(15))
    if not _full("[-a-z0-9]+", value):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", value):
        errs.append("must contain at least one letter (a-z)")
    if "--" in value:
        errs.append("must not contain consecutive hyphens")
    if value and (value[0] == "-" or value[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def port_num(value) -> list[str]:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535:
        return []
    return ["must be between 1 and 65535, inclusive"]


def config_map_key(value: str) -> list[str]:
    errs = []
    if len(value) > 253:
        errs.append(max_len_error(253))
    if not _full(_CM_KEY_FMT, value):
        errs.append(regex_error("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                                _CM_KEY_FMT, "key.name", "KEY_NAME", "key-name"))
    if value == ".":
        errs.append("must not be '.'")
    elif value == "..":
        errs.append("must not be '..'")
    elif value.startswith(".."):
        errs.append("must not start with '..'")
    return errs


def relaxed_env_name(value: str) -> list[str]:
    """IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation is on by default in 1.32)."""
    errs = []
    if not value:
        errs.append("environment variable name must be non-empty")
    if any(ord(ch) > 126 or ord(ch) < 32 or ch == "=" for ch in value):
        errs.append("a valid environment variable name must consist only of printable ASCII "
                    "characters other than '='")
    return errs


def valid_ip(path: str, value: str) -> list[tuple[str, str]]:
    try:
        ipaddress.ip_address(value)
        return []
    except ValueError:
        return [invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")]


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def nonnegative(path: str, value) -> list[tuple[str, str]]:
    if _is_int(value) and value < 0:
        return [invalid(path, value, "must be greater than or equal to 0")]
    return []


