"""The apiserver's field validation for the kinds minikctl models, in its own words (v1.32).

`validate(obj, old)` returns causes `(field path, body)` in the order pkg/apis/core/validation
and pkg/apis/apps/validation append them; `errors.invalid(kind, name, causes)` turns them into
`The Service "x" is invalid: ...`. Bodies follow field.Error.ErrorBody: `Required value`,
`Invalid value: <value>: <detail>` with the value printed as Go prints it (ints bare, strings
quoted, other values `%#v`, e.g. `map[string]string{"app":"x"}`). Objects are validated after
defaulting, as the apiserver does. Strict decoding (unknown fields) happens before all this:
see `strict_decoding_error`.
"""
from __future__ import annotations

import ipaddress
import json
import re

from minikctl.api import schema
from minikctl.api.selectors import label_selector_matches

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


# ---------------------------------------------------------------------------------------------
# Metadata


def _name_rule(kind: str):
    if kind == "Service":
        return dns1035_label
    if kind == "Namespace":
        return dns1123_label
    return dns1123_subdomain


def _mask_trailing_dash(name: str) -> str:
    return name[:-1] + "a" if len(name) > 1 and name.endswith("-") else name


def validate_labels(labels, path: str) -> list[tuple[str, str]]:
    errs = []
    for k in sorted(labels or {}):
        errs += [invalid(path, k, m) for m in qualified_name(k)]
        v = labels[k]
        if isinstance(v, str):
            errs += [invalid(path, v, m) for m in label_value(v)]
    return errs


def validate_annotations(annotations, path: str) -> list[tuple[str, str]]:
    errs = []
    total = 0
    for k in sorted(annotations or {}):
        errs += [invalid(path, k, m) for m in qualified_name(k.lower())]
        total += len(k) + len(str(annotations[k]))
    if total > 256 * 1024:
        errs.append(too_long(path, 256 * 1024))
    return errs


def validate_object_meta(obj: dict, namespaced: bool) -> list[tuple[str, str]]:
    """ValidateObjectMeta. A missing namespace is not an error here: the server fills it in
    from the request before validating. A missing name with a generateName is fine too: names
    are generated before validation."""
    meta = obj.get("metadata") or {}
    rule = _name_rule(obj.get("kind", ""))
    errs = []
    gen = meta.get("generateName")
    if gen:
        errs += [invalid("metadata.generateName", gen, m) for m in rule(_mask_trailing_dash(gen))]
    name = meta.get("name")
    if not name:
        if not gen:
            errs.append(required("metadata.name", "name or generateName is required"))
    else:
        errs += [invalid("metadata.name", name, m) for m in rule(name)]
    ns = meta.get("namespace")
    if namespaced:
        if ns:
            errs += [invalid("metadata.namespace", ns, m) for m in dns1123_label(ns)]
    elif ns:
        errs.append(forbidden("metadata.namespace", "not allowed on this type"))
    errs += nonnegative("metadata.generation", meta.get("generation"))
    errs += validate_labels(meta.get("labels"), "metadata.labels")
    errs += validate_annotations(meta.get("annotations"), "metadata.annotations")
    return errs


def validate_object_meta_update(obj: dict, old: dict) -> list[tuple[str, str]]:
    meta, ometa = obj.get("metadata") or {}, old.get("metadata") or {}
    errs = []
    for key in ("name", "namespace"):
        if (meta.get(key) or "") != (ometa.get(key) or ""):
            errs.append(invalid(f"metadata.{key}", meta.get(key) or "", "field is immutable"))
    return errs


# ---------------------------------------------------------------------------------------------
# Label selectors


def validate_label_selector(sel: dict, path: str) -> list[tuple[str, str]]:
    errs = []
    for i, e in enumerate(sel.get("matchExpressions") or []):
        p = f"{path}.matchExpressions[{i}]"
        op = e.get("operator")
        if op in ("In", "NotIn"):
            if not e.get("values"):
                errs.append(required(f"{p}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist"):
            if e.get("values"):
                errs.append(forbidden(f"{p}.values",
                                      "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        else:
            errs.append(invalid(f"{p}.operator", op or "", "not a valid selector operator"))
        errs += [invalid(f"{p}.key", e.get("key", ""), m) for m in qualified_name(e.get("key") or "")]
    errs += validate_labels(sel.get("matchLabels"), f"{path}.matchLabels")
    return errs


# ---------------------------------------------------------------------------------------------
# Pod spec

_PROTOCOLS = ["SCTP", "TCP", "UDP"]
_VOLUME_SOURCES = ("hostPath", "emptyDir", "gitRepo", "secret", "nfs", "persistentVolumeClaim",
                   "downwardAPI", "configMap", "projected", "csi", "ephemeral", "image")


def _validate_volumes(volumes, path: str) -> tuple[set[str], list[tuple[str, str]]]:
    errs: list[tuple[str, str]] = []
    names: set[str] = set()
    for i, vol in enumerate(volumes or []):
        p = f"{path}[{i}]"
        el = _validate_volume_source(vol, p)
        name = vol.get("name") or ""
        if not name:
            el.append(required(f"{p}.name"))
        else:
            el += [invalid(f"{p}.name", name, m) for m in dns1123_label(name)]
        if name in names:
            el.append(duplicate(f"{p}.name", name))
        if not el:
            names.add(name)
        errs += el
    return names, errs


def _validate_volume_source(vol: dict, p: str) -> list[tuple[str, str]]:
    errs = []
    present = [k for k in _VOLUME_SOURCES if vol.get(k) is not None]
    if not present:
        return [required(p, "must specify a volume type")]
    for extra in present[1:]:
        errs.append(forbidden(f"{p}.{extra}", "may not specify more than 1 volume type"))
    src = present[0]
    body = vol[src] or {}
    if src == "hostPath" and not body.get("path"):
        errs.append(required(f"{p}.hostPath.path"))
    elif src == "secret" and not body.get("secretName"):
        errs.append(required(f"{p}.secret.secretName"))
    elif src == "configMap" and not body.get("name"):
        errs.append(required(f"{p}.configMap.name"))
    elif src == "persistentVolumeClaim" and not body.get("claimName"):
        errs.append(required(f"{p}.persistentVolumeClaim.claimName"))
    elif src == "nfs":
        if not body.get("server"):
            errs.append(required(f"{p}.nfs.server"))
        if not body.get("path"):
            errs.append(required(f"{p}.nfs.path"))
    return errs


def _validate_ports(ports, path: str) -> list[tuple[str, str]]:
    errs = []
    names: set[str] = set()
    for i, port in enumerate(ports or []):
        p = f"{path}[{i}]"
        name = port.get("name") or ""
        if name:
            msgs = port_name(name)
            if msgs:
                errs += [invalid(f"{p}.name", name, m) for m in msgs]
            elif name in names:
                errs.append(duplicate(f"{p}.name", name))
            else:
                names.add(name)
        cp = port.get("containerPort")
        if not cp:
            errs.append(required(f"{p}.containerPort"))
        else:
            errs += [invalid(f"{p}.containerPort", cp, m) for m in port_num(cp)]
        if port.get("hostPort"):
            errs += [invalid(f"{p}.hostPort", port["hostPort"], m) for m in port_num(port["hostPort"])]
        proto = port.get("protocol") or ""
        if not proto:
            errs.append(required(f"{p}.protocol"))
        elif proto not in _PROTOCOLS:
            errs.append(not_supported(f"{p}.protocol", proto, _PROTOCOLS))
    return errs


def _validate_env(env, path: str) -> list[tuple[str, str]]:
    errs = []
    for i, ev in enumerate(env or []):
        p = f"{path}[{i}]"
        name = ev.get("name") or ""
        if not name:
            errs.append(required(f"{p}.name"))
        errs += [invalid(f"{p}.name", name, m) for m in relaxed_env_name(name)]
        vf = ev.get("valueFrom")
        if vf is not None:
            sources = [k for k in ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")
                       if vf.get(k) is not None]
            vp = f"{p}.valueFrom"
            if ev.get("value"):
                errs.append(invalid(vp, "", "may not be specified when `value` is not empty"))
            if not sources:
                errs.append(invalid(vp, "", "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                            "`configMapKeyRef` or `secretKeyRef`"))
            elif len(sources) > 1:
                errs.append(invalid(vp, "", "may not have more than one field specified at a time"))
            else:
                ref = vf[sources[0]] or {}
                rp = f"{vp}.{sources[0]}"
                if sources[0] in ("configMapKeyRef", "secretKeyRef"):
                    if not ref.get("name"):
                        errs.append(required(f"{rp}.name"))
                    if not ref.get("key"):
                        errs.append(required(f"{rp}.key"))
                    else:
                        errs += [invalid(f"{rp}.key", ref["key"], m) for m in config_map_key(ref["key"])]
                elif sources[0] == "fieldRef" and not ref.get("fieldPath"):
                    errs.append(required(f"{rp}.fieldPath"))
                elif sources[0] == "resourceFieldRef" and not ref.get("resource"):
                    errs.append(required(f"{rp}.resource"))
    return errs


def _validate_port_num_or_name(value, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [invalid(path, value, m) for m in port_name(value)]
    return [invalid(path, value, m) for m in port_num(value)]


def _validate_probe(probe, path: str, liveness: bool) -> list[tuple[str, str]]:
    if not probe:
        return []
    errs = []
    handlers = [k for k in ("exec", "httpGet", "tcpSocket", "grpc") if probe.get(k) is not None]
    if not handlers:
        errs.append(required(path, "must specify a handler type"))
    for extra in handlers[1:]:
        errs.append(forbidden(f"{path}.{extra}", "may not specify more than 1 handler type"))
    if handlers:
        h = handlers[0]
        body = probe[h] or {}
        if h == "exec" and not body.get("command"):
            errs.append(required(f"{path}.exec.command"))
        elif h in ("httpGet", "tcpSocket"):
            errs += _validate_port_num_or_name(body.get("port", 0), f"{path}.{h}.port")
        elif h == "grpc":
            errs += [invalid(f"{path}.grpc.port", body.get("port", 0), m) for m in port_num(body.get("port", 0))]
    for key in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                "failureThreshold"):
        errs += nonnegative(f"{path}.{key}", probe.get(key))
    if liveness and _is_int(probe.get("successThreshold")) and probe["successThreshold"] != 1:
        errs.append(invalid(f"{path}.successThreshold", probe["successThreshold"], "must be 1"))
    return errs


def _validate_container(c: dict, path: str, volumes: set[str], init: bool) -> list[tuple[str, str]]:
    errs = []
    name = c.get("name") or ""
    if not name:
        errs.append(required(f"{path}.name"))
    else:
        errs += [invalid(f"{path}.name", name, m) for m in dns1123_label(name)]
    image = c.get("image") or ""
    if not image:
        errs.append(required(f"{path}.image"))
    elif image != image.strip():
        errs.append(invalid(f"{path}.image", image, "must not have leading or trailing whitespace"))
    errs += _validate_ports(c.get("ports"), f"{path}.ports")
    errs += _validate_env(c.get("env"), f"{path}.env")
    errs += _validate_volume_mounts(c.get("volumeMounts"), f"{path}.volumeMounts", volumes)
    policy = c.get("imagePullPolicy") or ""
    if not policy:
        errs.append(required(f"{path}.imagePullPolicy"))
    elif policy not in ("Always", "IfNotPresent", "Never"):
        errs.append(not_supported(f"{path}.imagePullPolicy", policy, ["Always", "IfNotPresent", "Never"]))
    return errs


def _validate_regular_only(c: dict, path: str) -> list[tuple[str, str]]:
    """What validateContainers checks after the name-uniqueness check: probes, restartPolicy."""
    errs = _validate_probe(c.get("livenessProbe"), f"{path}.livenessProbe", True)
    errs += _validate_probe(c.get("readinessProbe"), f"{path}.readinessProbe", False)
    errs += _validate_probe(c.get("startupProbe"), f"{path}.startupProbe", True)
    if c.get("restartPolicy") is not None:
        errs.append(forbidden(f"{path}.restartPolicy", "may not be set for non-init containers"))
    return errs


def _validate_volume_mounts(mounts, path: str, volumes: set[str]) -> list[tuple[str, str]]:
    errs = []
    seen: set[str] = set()
    for i, m in enumerate(mounts or []):
        p = f"{path}[{i}]"
        name = m.get("name") or ""
        if not name:
            errs.append(required(f"{p}.name"))
        if name not in volumes:
            errs.append(not_found(f"{p}.name", name))
        mp = m.get("mountPath") or ""
        if not mp:
            errs.append(required(f"{p}.mountPath"))
        if mp in seen:
            errs.append(invalid(f"{p}.mountPath", mp, "must be unique"))
        seen.add(mp)
    return errs


def _validate_containers(containers, path: str, volumes: set[str], names: set[str],
                         init: bool) -> list[tuple[str, str]]:
    if not containers:
        return [] if init else [required(path)]
    errs = []
    for i, c in enumerate(containers):
        p = f"{path}[{i}]"
        errs += _validate_container(c, p, volumes, init)
        name = c.get("name") or ""
        if name in names:
            errs.append(duplicate(f"{p}.name", name))
        else:
            names.add(name)
        if not init:
            errs += _validate_regular_only(c, p)
    return errs


def _go_toleration(t: dict) -> GoRaw:
    secs = t.get("tolerationSeconds")
    secs_s = "(*int64)(nil)" if secs is None else f"(*int64)({secs})"
    return GoRaw("core.Toleration{Key:%s, Operator:%s, Value:%s, Effect:%s, TolerationSeconds:%s}" % (
        go_quote(t.get("key", "")), go_quote(t.get("operator", "")), go_quote(t.get("value", "")),
        go_quote(t.get("effect", "")), secs_s))


def _validate_tolerations(tols, path: str) -> list[tuple[str, str]]:
    errs = []
    effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
    for i, t in enumerate(tols or []):
        p = f"{path}[{i}]"
        key, op = t.get("key") or "", t.get("operator") or ""
        if key:
            errs += [invalid(f"{p}.key", key, m) for m in qualified_name(key)]
        if not key and op != "Exists":
            errs.append(invalid(f"{p}.operator", op, "operator must be Exists when `key` is empty, "
                                                     "which means \"match all values and all keys\""))
        if t.get("tolerationSeconds") is not None and t.get("effect") != "NoExecute":
            errs.append(invalid(f"{p}.effect", t.get("effect") or "",
                                "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if op in ("Equal", ""):
            msgs = label_value(t.get("value") or "")
            if msgs:
                errs.append(invalid(f"{p}.operator", t.get("value") or "", ";".join(msgs)))
        elif op == "Exists":
            if t.get("value"):
                errs.append(invalid(f"{p}.operator", _go_toleration(t),
                                    "value must be empty when `operator` is 'Exists'"))
        else:
            errs.append(not_supported(f"{p}.operator", op, ["Equal", "Exists"]))
        if t.get("effect") and t["effect"] not in effects:
            errs.append(not_supported(f"{p}.effect", t["effect"], effects))
    return errs


def validate_pod_spec(spec: dict, path: str) -> list[tuple[str, str]]:
    """ValidatePodSpec, the checks a CKA manifest can trip, in the apiserver's order."""
    errs = []
    volumes, verrs = _validate_volumes(spec.get("volumes"), f"{path}.volumes")
    errs += verrs
    names: set[str] = set()
    errs += _validate_containers(spec.get("initContainers"), f"{path}.initContainers", volumes, names, True)
    errs += _validate_containers(spec.get("containers"), f"{path}.containers", volumes, names, False)
    rp = spec.get("restartPolicy") or ""
    if not rp:
        errs.append(required(f"{path}.restartPolicy"))
    elif rp not in ("Always", "OnFailure", "Never"):
        errs.append(not_supported(f"{path}.restartPolicy", rp, ["Always", "OnFailure", "Never"]))
    dp = spec.get("dnsPolicy") or ""
    dns_policies = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]
    if not dp:
        errs.append(required(f"{path}.dnsPolicy"))
    elif dp not in dns_policies:
        errs.append(not_supported(f"{path}.dnsPolicy", dp, dns_policies))
    errs += validate_labels(spec.get("nodeSelector"), f"{path}.nodeSelector")
    if dp == "None" and not (spec.get("dnsConfig") or {}).get("nameservers"):
        errs.append(required(f"{path}.dnsConfig.nameservers",
                             "must provide at least one DNS nameserver when DNS policy is None"))
    for i, ns in enumerate((spec.get("dnsConfig") or {}).get("nameservers") or []):
        errs += valid_ip(f"{path}.dnsConfig.nameservers[{i}]", ns)
    for key, rule in (("serviceAccountName", dns1123_subdomain), ("nodeName", dns1123_subdomain)):
        if spec.get(key):
            errs += [invalid(f"{path}.{key}", spec[key], m) for m in rule(spec[key])]
    ads = spec.get("activeDeadlineSeconds")
    if ads is not None and _is_int(ads) and not 1 <= ads <= 2**31 - 1:
        errs.append(invalid(f"{path}.activeDeadlineSeconds", ads, f"must be between 1 and {2**31 - 1}, inclusive"))
    for key in ("hostname", "subdomain"):
        if spec.get(key):
            errs += [invalid(f"{path}.{key}", spec[key], m) for m in dns1123_label(spec[key])]
    errs += _validate_tolerations(spec.get("tolerations"), f"{path}.tolerations")
    for i, ha in enumerate(spec.get("hostAliases") or []):
        errs += valid_ip(f"{path}.hostAliases[{i}].ip", ha.get("ip") or "")
        for j, hn in enumerate(ha.get("hostnames") or []):
            errs += [invalid(f"{path}.hostAliases[{i}].hostnames[{j}]", hn, m) for m in dns1123_subdomain(hn)]
    return errs


def _validate_pod(pod: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(pod, True)
    errs += validate_pod_spec(pod.get("spec") or {}, "spec")
    return errs


_POD_UPDATABLE = ("`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                  "`spec.tolerations` (only additions to existing tolerations),"
                  "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)")


def _go_field(name: str) -> str:
    special = {"dnsPolicy": "DNSPolicy", "dnsConfig": "DNSConfig", "hostIPC": "HostIPC",
               "hostPID": "HostPID", "setHostnameAsFQDN": "SetHostnameAsFQDN", "os": "OS"}
    return special.get(name, name[:1].upper() + name[1:])


def _pod_spec_diff(old: dict, new: dict) -> str:
    """A go-cmp shaped summary of what changed (the real one dumps the internal structs)."""
    lines = ["  core.PodSpec{"]
    keys = sorted(set(old) | set(new))
    same = 0
    for k in keys:
        if old.get(k) == new.get(k):
            same += 1
            continue
        if k in old:
            lines.append(f"- \t{_go_field(k)}: {json.dumps(old[k], sort_keys=True)},")
        if k in new:
            lines.append(f"+ \t{_go_field(k)}: {json.dumps(new[k], sort_keys=True)},")
    if same:
        lines.append(f"  \t... // {same} identical fields")
    lines.append("  }")
    return "\n".join(lines) + "\n"


def _validate_pod_update(pod: dict, old: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta_update(pod, old)
    errs += _validate_pod(pod)
    new_spec, old_spec = pod.get("spec") or {}, old.get("spec") or {}
    munged = json.loads(json.dumps(new_spec))
    for key in ("containers", "initContainers"):
        olds = old_spec.get(key) or []
        for i, c in enumerate(munged.get(key) or []):
            if i < len(olds) and "image" in olds[i]:
                c["image"] = olds[i]["image"]
    if "activeDeadlineSeconds" in old_spec:
        munged["activeDeadlineSeconds"] = old_spec["activeDeadlineSeconds"]
    else:
        munged.pop("activeDeadlineSeconds", None)
    old_tols = old_spec.get("tolerations") or []
    new_tols = munged.get("tolerations") or []
    if all(t in new_tols for t in old_tols):
        if old_tols:
            munged["tolerations"] = old_tols
        else:
            munged.pop("tolerations", None)
    tgps = old_spec.get("terminationGracePeriodSeconds")
    if _is_int(tgps) and tgps < 0 and munged.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = tgps
    if munged != old_spec:
        errs.append(forbidden("spec", f"pod updates may not change fields other than {_POD_UPDATABLE}\n"
                                      + _pod_spec_diff(old_spec, munged)))
    return errs


# ---------------------------------------------------------------------------------------------
# Services

_SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]


def _go_service_port(p: dict) -> GoRaw:
    """%#v of the internal core.ServicePort key used for the duplicate port check."""
    return GoRaw('core.ServicePort{Name:"", Protocol:%s, AppProtocol:(*string)(nil), Port:%s, '
                 'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}'
                 % (go_quote(p.get("protocol") or ""), p.get("port") or 0))


def _validate_service(svc: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(svc, True)
    spec = svc.get("spec") or {}
    stype = spec.get("type") or ""
    ports = spec.get("ports") or []
    cips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    headless = spec.get("clusterIP") == "None"
    if not ports and not headless and stype != "ExternalName":
        errs.append(required("spec.ports"))
    if stype == "LoadBalancer":
        for i, p in enumerate(ports):
            if p.get("port") == 10250:
                errs.append(invalid(f"spec.ports[{i}]", 10250,
                                    "may not expose port 10250 externally since it is used by kubelet"))
        if headless:
            errs.append(invalid("spec.clusterIPs[0]", cips[0], "may not be set to 'None' for LoadBalancer services"))
    elif stype == "NodePort":
        if headless:
            errs.append(invalid("spec.clusterIPs[0]", cips[0], "may not be set to 'None' for NodePort services"))
    elif stype == "ExternalName":
        if cips:
            errs.append(forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
        if spec.get("ipFamilies"):
            errs.append(forbidden("spec.ipFamilies", "may not be set for ExternalName services"))
        if spec.get("ipFamilyPolicy"):
            errs.append(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"))
        cname = (spec.get("externalName") or "").removesuffix(".")
        if cname:
            errs += [invalid("spec.externalName", cname, m) for m in dns1123_subdomain(cname)]
        else:
            errs.append(required("spec.externalName"))
    names: set[str] = set()
    for i, p in enumerate(ports):
        pp = f"spec.ports[{i}]"
        name = p.get("name") or ""
        if len(ports) > 1 and not name:
            errs.append(required(f"{pp}.name"))
        elif name:
            errs += [invalid(f"{pp}.name", name, m) for m in dns1123_label(name)]
            if name in names:
                errs.append(duplicate(f"{pp}.name", name))
            else:
                names.add(name)
        errs += [invalid(f"{pp}.port", p.get("port", 0), m) for m in port_num(p.get("port", 0))]
        proto = p.get("protocol") or ""
        if not proto:
            errs.append(required(f"{pp}.protocol"))
        elif proto not in _PROTOCOLS:
            errs.append(not_supported(f"{pp}.protocol", proto, _PROTOCOLS))
        errs += _validate_port_num_or_name(p.get("targetPort", 0), f"{pp}.targetPort")
        if p.get("appProtocol"):
            errs += [invalid(f"{pp}.appProtocol", p["appProtocol"], m) for m in qualified_name(p["appProtocol"])]
    if spec.get("selector") is not None:
        errs += validate_labels(spec["selector"], "spec.selector")
    aff = spec.get("sessionAffinity") or ""
    if not aff:
        errs.append(required("spec.sessionAffinity"))
    elif aff not in ("ClientIP", "None"):
        errs.append(not_supported("spec.sessionAffinity", aff, ["ClientIP", "None"]))
    elif aff == "None" and spec.get("sessionAffinityConfig") is not None:
        errs.append(forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"))
    errs += _validate_cluster_ips(spec, stype)
    for i, ip in enumerate(spec.get("externalIPs") or []):
        ipe = valid_ip(f"spec.externalIPs[{i}]", ip)
        errs += ipe or _non_special_ip(f"spec.externalIPs[{i}]", ip)
    if not stype:
        errs.append(required("spec.type"))
    elif stype not in _SERVICE_TYPES:
        errs.append(not_supported("spec.type", stype, _SERVICE_TYPES))
    if stype == "ClusterIP":
        for i, p in enumerate(ports):
            if p.get("nodePort"):
                errs.append(forbidden(f"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'"))
    seen_np: set[tuple] = set()
    for i, p in enumerate(ports):
        if not p.get("nodePort"):
            continue
        key = (p.get("protocol"), p["nodePort"])
        if key in seen_np:
            errs.append(duplicate(f"spec.ports[{i}].nodePort", p["nodePort"]))
        seen_np.add(key)
    seen_p: set[tuple] = set()
    for i, p in enumerate(ports):
        key = (p.get("protocol"), p.get("port"))
        if key in seen_p:
            errs.append(duplicate(f"spec.ports[{i}]", _go_service_port(p)))
        seen_p.add(key)
    external = stype in ("NodePort", "LoadBalancer") or (stype == "ClusterIP" and spec.get("externalIPs"))
    etp = spec.get("externalTrafficPolicy") or ""
    if not external:
        if etp:
            errs.append(invalid("spec.externalTrafficPolicy", etp, "may only be set for externally-accessible services"))
    elif not etp:
        errs.append(required("spec.externalTrafficPolicy"))
    elif etp not in ("Cluster", "Local"):
        errs.append(not_supported("spec.externalTrafficPolicy", etp, ["Cluster", "Local"]))
    itp = spec.get("internalTrafficPolicy")
    if stype != "ExternalName":
        if not itp:
            errs.append(required("spec.internalTrafficPolicy"))
        elif itp not in ("Cluster", "Local"):
            errs.append(not_supported("spec.internalTrafficPolicy", itp, ["Cluster", "Local"]))
    return errs


def _non_special_ip(path: str, ip: str) -> list[tuple[str, str]]:
    addr = ipaddress.ip_address(ip)
    if addr.is_unspecified:
        return [invalid(path, ip, "may not be unspecified (0.0.0.0, ::)")]
    if addr.is_loopback:
        return [invalid(path, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)")]
    if addr in ipaddress.ip_network("224.0.0.0/24") or addr in ipaddress.ip_network("ff02::/16"):
        return [invalid(path, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")]
    if addr.is_link_local:
        return [invalid(path, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)")]
    return []


def _validate_cluster_ips(spec: dict, stype: str) -> list[tuple[str, str]]:
    """ValidateServiceClusterIPsRelatedFields, single-stack cluster."""
    if stype == "ExternalName":
        return []
    errs = []
    cip = spec.get("clusterIP") or ""
    cips = spec.get("clusterIPs") or []
    if cip:
        if not cips:
            errs.append(required("spec.clusterIPs"))
        elif cips[0] != cip:
            errs.append(invalid("spec.clusterIPs", go_strings(cips), "first value must match `clusterIP`"))
    elif cips:
        errs.append(invalid("spec.clusterIPs", go_strings(cips), "must be empty when `clusterIP` is not specified"))
    seen: set[str] = set()
    for i, fam in enumerate(spec.get("ipFamilies") or []):
        if fam not in ("IPv4", "IPv6"):
            errs.append(not_supported(f"spec.ipFamilies[{i}]", fam, ["IPv4", "IPv6"]))
        if fam in seen:
            errs.append(duplicate(f"spec.ipFamilies[{i}]", fam))
        seen.add(fam)
    pol = spec.get("ipFamilyPolicy")
    policies = ["PreferDualStack", "RequireDualStack", "SingleStack"]
    if pol is not None and pol not in policies:
        errs.append(not_supported("spec.ipFamilyPolicy", pol, policies))
    bad = False
    for i, ip in enumerate(cips):
        if i == 0 and ip == "None":
            if len(cips) > 1:
                bad = True
                errs.append(invalid("spec.clusterIPs", go_strings(cips), "'None' must be the first and only value"))
            continue
        e = valid_ip(f"spec.clusterIPs[{i}]", ip)
        bad = bad or bool(e)
        errs += e
    if len(cips) > 2:
        errs.append(invalid("spec.clusterIPs", go_strings(cips), "may only hold up to 2 values"))
    return errs


def _normalized_for_update(svc: dict, old: dict) -> dict:
    """What the Service registry does before validating an update: an omitted clusterIP keeps
    the allocated one (patchAllocatedValues), and a changed clusterIP drags clusterIPs along
    (normalizeClusterIPs). Works on a copy."""
    svc = dict(svc)
    spec, ospec = dict(svc.get("spec") or {}), old.get("spec") or {}
    svc["spec"] = spec
    if "ExternalName" not in (spec.get("type"), ospec.get("type")):
        if not spec.get("clusterIP") and ospec.get("clusterIP"):
            spec["clusterIP"] = ospec["clusterIP"]
            spec.setdefault("clusterIPs", ospec.get("clusterIPs"))
        cip, cips = spec.get("clusterIP"), spec.get("clusterIPs")
        if cip and (not cips or (cips == ospec.get("clusterIPs") and cip != ospec.get("clusterIP"))):
            spec["clusterIPs"] = [cip]
    return svc


def _validate_service_update(svc: dict, old: dict) -> list[tuple[str, str]]:
    svc = _normalized_for_update(svc, old)
    errs = validate_object_meta_update(svc, old)
    spec, ospec = svc.get("spec") or {}, old.get("spec") or {}
    if spec.get("type") != "ExternalName" and ospec.get("type") != "ExternalName":
        new_ips, old_ips = spec.get("clusterIPs") or [], ospec.get("clusterIPs") or []
        if not (spec.get("clusterIP") == "None" and ospec.get("clusterIP") == "None"):
            if len(old_ips) == len(new_ips):
                for i, ip in enumerate(old_ips):
                    if ip != new_ips[i]:
                        errs.append(invalid(f"spec.clusterIPs[{i}]", go_strings(new_ips), "may not change once set"))
            elif len(old_ips) > len(new_ips):
                if not new_ips:
                    errs.append(invalid("spec.clusterIPs[0]", go_strings(new_ips), "primary clusterIP can not be unset"))
                elif new_ips[0] != old_ips[0]:
                    errs.append(invalid("spec.clusterIPs[0]", go_strings(new_ips), "may not change once set"))
            elif old_ips and new_ips[0] != old_ips[0]:
                errs.append(invalid("spec.clusterIPs[0]", go_strings(new_ips), "may not change once set"))
    return errs + [e for e in _validate_service(svc) if not e[0].startswith(_IDENTITY)]


# ---------------------------------------------------------------------------------------------
# Workloads (apps/v1)


def _validate_template_for_replicas(spec: dict, path: str, validate_spec: bool = True) -> list[tuple[str, str]]:
    """ValidatePodTemplateSpecForReplicaSet: selector/labels agreement, then the pod template."""
    errs = []
    tmpl = spec.get("template")
    if tmpl is None:
        return [required(path)]
    meta = tmpl.get("metadata") or {}
    labels = meta.get("labels")
    sel = spec.get("selector")
    # A nil selector converts to labels.Nothing(), which is not Empty() and matches nothing.
    if sel is None or (sel.get("matchLabels") or sel.get("matchExpressions")):
        if not label_selector_matches(sel, labels):
            errs.append(invalid(f"{path}.metadata.labels", go_string_map(labels),
                                "`selector` does not match template `labels`"))
    # ValidatePodTemplateSpec names these `spec.template.labels` (sic, no `metadata`).
    errs += validate_labels(labels, f"{path}.labels")
    errs += validate_annotations(meta.get("annotations"), f"{path}.annotations")
    pspec = tmpl.get("spec") or {}
    if validate_spec:
        errs += validate_pod_spec(pspec, f"{path}.spec")
    return errs


def _restart_always(spec: dict, path: str, what: str, forbid: bool) -> list[tuple[str, str]]:
    errs = []
    pspec = (spec.get("template") or {}).get("spec") or {}
    rp = pspec.get("restartPolicy") or ""
    if rp != "Always":
        errs.append(not_supported(f"{path}.spec.restartPolicy", rp, ["Always"]))
    if pspec.get("activeDeadlineSeconds") is not None:
        if forbid:
            errs.append(forbidden(f"{path}.spec.activeDeadlineSeconds", f"activeDeadlineSeconds in {what} is not Supported"))
        else:
            errs.append(invalid(f"{path}.spec.activeDeadlineSeconds", pspec["activeDeadlineSeconds"],
                                f"activeDeadlineSeconds in {what} is not Supported"))
    return errs


def _validate_selector(spec: dict, what: str) -> list[tuple[str, str]]:
    sel = spec.get("selector")
    if sel is None:
        return [required("spec.selector")]
    errs = validate_label_selector(sel, "spec.selector")
    if not sel.get("matchLabels") and not sel.get("matchExpressions"):
        errs.append(invalid("spec.selector", go_label_selector(sel), f"empty selector is invalid for {what}"))
    return errs


def _int_or_percent(value, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        if not _full(_PERCENT_FMT, value):
            return [invalid(path, value, regex_error("a valid percent string must be a numeric string "
                                                     "followed by an ending '%'", _PERCENT_FMT, "1%", "93%"))]
        return []
    return nonnegative(path, value)


def _percent_or_int(value) -> float:
    if isinstance(value, str) and value.endswith("%"):
        try:
            return float(value[:-1])
        except ValueError:
            return -1
    return float(value) if _is_int(value) else -1


def _validate_deployment(d: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(d, True)
    spec = d.get("spec") or {}
    errs += nonnegative("spec.replicas", spec.get("replicas"))
    errs += _validate_selector(spec, "deployment")
    errs += _validate_template_for_replicas(spec, "spec.template")
    errs += _restart_always(spec, "spec.template", "ReplicaSet", False)
    strategy = spec.get("strategy") or {}
    st = strategy.get("type")
    if st == "Recreate":
        if strategy.get("rollingUpdate") is not None:
            errs.append(forbidden("spec.strategy.rollingUpdate",
                                  "may not be specified when strategy `type` is 'Recreate'"))
    elif st == "RollingUpdate":
        ru = strategy.get("rollingUpdate")
        if ru is None:
            errs.append(required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"))
        else:
            mu, ms = ru.get("maxUnavailable"), ru.get("maxSurge")
            errs += _int_or_percent(mu, "spec.strategy.rollingUpdate.maxUnavailable")
            errs += _int_or_percent(ms, "spec.strategy.rollingUpdate.maxSurge")
            if _percent_or_int(mu) == 0 and _percent_or_int(ms) == 0:
                errs.append(invalid("spec.strategy.rollingUpdate.maxUnavailable", mu,
                                    "may not be 0 when `maxSurge` is 0"))
            if isinstance(mu, str) and _percent_or_int(mu) > 100:
                errs.append(invalid("spec.strategy.rollingUpdate.maxUnavailable", mu,
                                    "must not be greater than 100%"))
    else:
        errs.append(not_supported("spec.strategy", GoRaw(_go_strategy(strategy)), ["Recreate", "RollingUpdate"]))
    errs += nonnegative("spec.minReadySeconds", spec.get("minReadySeconds"))
    errs += nonnegative("spec.revisionHistoryLimit", spec.get("revisionHistoryLimit"))
    pds = spec.get("progressDeadlineSeconds")
    if _is_int(pds):
        errs += nonnegative("spec.progressDeadlineSeconds", pds)
        if pds <= (spec.get("minReadySeconds") or 0):
            errs.append(invalid("spec.progressDeadlineSeconds", pds, "must be greater than minReadySeconds"))
    return errs


def _go_strategy(strategy: dict) -> str:
    return "apps.DeploymentStrategy{Type:%s, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}" % \
        go_quote(strategy.get("type") or "")


def _validate_replicaset(rs: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(rs, True)
    spec = rs.get("spec") or {}
    errs += nonnegative("spec.replicas", spec.get("replicas"))
    errs += nonnegative("spec.minReadySeconds", spec.get("minReadySeconds"))
    errs += _validate_selector(spec, "deployment")  # sic: the apiserver says "deployment" here
    errs += _validate_template_for_replicas(spec, "spec.template")
    errs += _restart_always(spec, "spec.template", "ReplicaSet", False)
    return errs


def _validate_statefulset(sts: dict, update: bool = False) -> list[tuple[str, str]]:
    """ValidateStatefulSetSpec. The pod template's spec is not validated by the apiserver (a
    long-standing TODO): a bad container only shows up when the controller creates pods."""
    errs = [] if update else validate_object_meta(sts, True)
    spec = sts.get("spec") or {}
    pmp = spec.get("podManagementPolicy") or ""
    if not pmp:
        errs.append(required("spec.podManagementPolicy"))
    elif pmp not in ("OrderedReady", "Parallel"):
        errs.append(invalid("spec.podManagementPolicy", pmp, "must be 'OrderedReady' or 'Parallel'"))
    us = spec.get("updateStrategy") or {}
    ut = us.get("type") or ""
    if not ut:
        errs.append(required("spec.updateStrategy"))
    elif ut == "OnDelete":
        if us.get("rollingUpdate") is not None:
            errs.append(invalid("spec.updateStrategy.rollingUpdate", GoRaw("&apps.RollingUpdateStatefulSetStrategy{}"),
                                "only allowed for updateStrategy 'RollingUpdate'"))
    elif ut == "RollingUpdate":
        part = (us.get("rollingUpdate") or {}).get("partition")
        errs += nonnegative("spec.updateStrategy.rollingUpdate.partition", part)
    else:
        errs.append(invalid("spec.updateStrategy", GoRaw("apps.StatefulSetUpdateStrategy{Type:%s}" % go_quote(ut)),
                            "must be 'RollingUpdate' or 'OnDelete'"))
    pol = spec.get("persistentVolumeClaimRetentionPolicy") or {}
    for key in ("whenDeleted", "whenScaled"):
        v = pol.get(key)
        if v not in (None, "Retain", "Delete"):
            errs.append(not_supported(f"spec.persistentVolumeClaimRetentionPolicy.{key}", v, ["Retain", "Delete"]))
    errs += nonnegative("spec.replicas", spec.get("replicas"))
    errs += nonnegative("spec.minReadySeconds", spec.get("minReadySeconds"))
    errs += _validate_selector(spec, "statefulset")
    errs += _validate_template_for_replicas(spec, "spec.template", validate_spec=False)
    errs += _restart_always(spec, "spec.template", "StatefulSet", True)
    return errs


_STS_MUTABLE = ("replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy",
                "minReadySeconds")


def _validate_statefulset_update(sts: dict, old: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta_update(sts, old)
    errs += _validate_statefulset(sts, update=True)
    spec, ospec = sts.get("spec") or {}, old.get("spec") or {}
    rest = {k: v for k, v in spec.items() if k not in _STS_MUTABLE}
    orest = {k: v for k, v in ospec.items() if k not in _STS_MUTABLE}
    if rest != orest:
        errs.append(forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                                      "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' "
                                      "and 'minReadySeconds' are forbidden"))
    return errs


def _validate_daemonset(ds: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(ds, True)
    spec = ds.get("spec") or {}
    errs += _validate_selector(spec, "daemonset")
    errs += _validate_template_for_replicas(spec, "spec.template")
    errs += _restart_always(spec, "spec.template", "DaemonSet", True)
    errs += nonnegative("spec.minReadySeconds", spec.get("minReadySeconds"))
    errs += nonnegative("spec.revisionHistoryLimit", spec.get("revisionHistoryLimit"))
    ut = (spec.get("updateStrategy") or {}).get("type") or ""
    if ut not in ("RollingUpdate", "OnDelete"):
        errs.append(not_supported("spec.updateStrategy.type", ut, ["OnDelete", "RollingUpdate"]))
    return errs


def _selector_immutable(obj: dict, old: dict) -> list[tuple[str, str]]:
    sel, osel = (obj.get("spec") or {}).get("selector"), (old.get("spec") or {}).get("selector")
    if sel != osel:
        return [invalid("spec.selector", go_label_selector(sel) if sel is not None else None, "field is immutable")]
    return []


# ---------------------------------------------------------------------------------------------
# Everything else


def _validate_configmap(cm: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(cm, True)
    total = 0
    data, binary = cm.get("data") or {}, cm.get("binaryData") or {}
    for k in sorted(data):
        errs += [invalid(f"data[{k}]", k, m) for m in config_map_key(k)]
        total += len(str(data[k]))
    for k in sorted(binary):
        errs += [invalid(f"binaryData[{k}]", k, m) for m in config_map_key(k)]
        if k in data:
            errs.append(invalid(f"binaryData[{k}]", k, "duplicate of key present in data"))
        total += len(str(binary[k])) * 3 // 4
    if total > 1024 * 1024:
        errs.append(("", f"Too long: must have at most {1024 * 1024} bytes"))
    return errs


def _validate_configmap_update(cm: dict, old: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta_update(cm, old)
    if old.get("immutable"):
        if cm.get("immutable") is not True:
            errs.append(forbidden("immutable", "field is immutable when `immutable` is set"))
        if (cm.get("data") or {}) != (old.get("data") or {}):
            errs.append(forbidden("data", "field is immutable when `immutable` is set"))
        if (cm.get("binaryData") or {}) != (old.get("binaryData") or {}):
            errs.append(forbidden("binaryData", "field is immutable when `immutable` is set"))
    return errs + _validate_configmap(cm)


def _validate_namespace(ns: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(ns, False)
    for i, f in enumerate((ns.get("spec") or {}).get("finalizers") or []):
        errs += [invalid(f"spec.finalizers[{i}]", f, m) for m in qualified_name(f)]
    return errs


def _validate_node(node: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(node, False)
    effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
    for i, t in enumerate((node.get("spec") or {}).get("taints") or []):
        p = f"spec.taints[{i}]"
        errs += [invalid(f"{p}.key", t.get("key", ""), m) for m in qualified_name(t.get("key") or "")]
        if t.get("value"):
            errs += [invalid(f"{p}.value", t["value"], m) for m in label_value(t["value"])]
        eff = t.get("effect") or ""
        if not eff:
            errs.append(required(f"{p}.effect"))
        elif eff not in effects:
            errs.append(not_supported(f"{p}.effect", eff, effects))
    return errs


def _validate_endpoints(ep: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(ep, True)
    for i, ss in enumerate(ep.get("subsets") or []):
        p = f"subsets[{i}]"
        if not ss.get("addresses") and not ss.get("notReadyAddresses"):
            errs.append(required(p, "must specify `addresses` or `notReadyAddresses`"))
        for key in ("addresses", "notReadyAddresses"):
            for j, a in enumerate(ss.get(key) or []):
                errs += valid_ip(f"{p}.{key}[{j}].ip", a.get("ip") or "")
        for j, port in enumerate(ss.get("ports") or []):
            pp = f"{p}.ports[{j}]"
            if len(ss.get("ports")) > 1 and not port.get("name"):
                errs.append(required(f"{pp}.name"))
            errs += [invalid(f"{pp}.port", port.get("port", 0), m) for m in port_num(port.get("port", 0))]
    return errs


def _validate_endpointslice(es: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(es, True)
    at = es.get("addressType") or ""
    if not at:
        errs.append(required("addressType"))
    elif at not in ("FQDN", "IPv4", "IPv6"):
        errs.append(not_supported("addressType", at, ["FQDN", "IPv4", "IPv6"]))
    for i, e in enumerate(es.get("endpoints") or []):
        addrs = e.get("addresses") or []
        if not addrs:
            errs.append(required(f"endpoints[{i}].addresses", "must contain at least 1 address"))
        if at in ("IPv4", "IPv6"):
            for j, a in enumerate(addrs):
                errs += valid_ip(f"endpoints[{i}].addresses[{j}]", a)
    for i, p in enumerate(es.get("ports") or []):
        if p.get("port") is not None:
            errs += [invalid(f"ports[{i}].port", p["port"], m) for m in port_num(p["port"])]
    return errs


def _validate_event(ev: dict) -> list[tuple[str, str]]:
    return validate_object_meta(ev, True)


# ---------------------------------------------------------------------------------------------
# Entry points

_CREATE = {
    "Pod": _validate_pod, "Service": _validate_service, "Deployment": _validate_deployment,
    "ReplicaSet": _validate_replicaset, "StatefulSet": _validate_statefulset,
    "DaemonSet": _validate_daemonset, "ConfigMap": _validate_configmap,
    "Namespace": _validate_namespace, "Node": _validate_node, "Endpoints": _validate_endpoints,
    "EndpointSlice": _validate_endpointslice, "Event": _validate_event,
}


def validate(obj: dict, old: dict | None = None) -> list[tuple[str, str]]:
    """The causes the apiserver would reject this (defaulted) object with; [] when it is valid.

    With `old`, the update rules apply too: immutable names, Service clusterIPs, workload
    selectors, StatefulSet spec, Pod spec.
    """
    kind = obj.get("kind", "")
    if old is None:
        fn = _CREATE.get(kind)
        return fn(obj) if fn else []
    if kind == "Pod":
        return _validate_pod_update(obj, old)
    if kind == "Service":
        return _validate_service_update(obj, old)
    if kind == "StatefulSet":
        return _validate_statefulset_update(obj, old)
    if kind == "ConfigMap":
        return _validate_configmap_update(obj, old)
    errs = validate_object_meta_update(obj, old)
    fn = _CREATE.get(kind)
    rest = [e for e in fn(obj) if not e[0].startswith(_IDENTITY)] if fn else []
    if kind in ("Deployment", "ReplicaSet", "DaemonSet"):
        return errs + rest + _selector_immutable(obj, old)
    return errs + rest


# On update the name is not re-validated (ValidateObjectMetaUpdate checks it did not change).
_IDENTITY = ("metadata.name", "metadata.generateName", "metadata.namespace")


# ---------------------------------------------------------------------------------------------
# Strict decoding (fieldValidation=Strict, kubectl's default since 1.25)


def strict_unknown_fields(obj: dict) -> list[str]:
    """Paths of the fields the strict decoder rejects (`spec.template.spec.containers[0].imagee`)."""
    return schema.unknown_fields(obj)


def _version(obj: dict) -> str:
    return (obj.get("apiVersion") or "v1").rsplit("/", 1)[-1]


def decoding_message(obj: dict) -> str | None:
    """The apiserver's BadRequest message for a body it cannot decode, or None if it decodes.

    `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error:
    unknown field "spec.template.spec.containers[0].imagee"` (several unknown fields are joined
    by ", "); a type mismatch wins over unknown fields, since decoding stops there.
    """
    kind = obj.get("kind", "")
    head = f'{kind} in version "{_version(obj)}" cannot be handled as a {kind}: '
    terr = schema.type_error(obj)
    if terr:
        return head + terr
    unknown = strict_unknown_fields(obj)
    if unknown:
        return head + "strict decoding error: " + ", ".join(f'unknown field "{p}"' for p in unknown)
    return None


def strict_decoding_error(obj: dict, source: str | None = None, verb: str = "creating"):
    """An ApiError(BadRequest) for `create -f` / `apply -f` of a new object, or None.

    kubectl's AddSourceToErr prefixes the source: rendered, it reads
    `Error from server (BadRequest): error when creating "x.yaml": Deployment in version "v1"
    cannot be handled as a Deployment: strict decoding error: unknown field "..."`.
    """
    from minikctl.api.errors import ApiError
    msg = decoding_message(obj)
    if msg is None:
        return None
    if source:
        msg = f'error when {verb} "{source}": {msg}'
    return ApiError("BadRequest", msg, 400, kind=obj.get("kind", ""),
                    name=(obj.get("metadata") or {}).get("name", ""))


def render_strict_error(obj: dict, source: str | None = None, verb: str = "creating") -> str | None:
    """The stderr line kubectl prints for a strict decoding failure (see strict_decoding_error)."""
    err = strict_decoding_error(obj, source, verb)
    return err.render() if err else None


def strict_patch_message(patch: dict, patched: dict) -> str | None:
    """`kubectl apply` on an existing object sends a patch; an unknown field then comes back as
    an Invalid with no kind, which kubectl prints as
    `The request is invalid: patch: Invalid value: "map[...]": strict decoding error: ...`.
    `patch` is the patch body kubectl sent, `patched` the object after applying it."""
    unknown = strict_unknown_fields(patched)
    if not unknown:
        return None
    detail = "strict decoding error: " + ", ".join(f'unknown field "{p}"' for p in unknown)
    field, body = invalid("patch", go_v(patch), detail)
    return f"The request is invalid: {field}: {body}"
