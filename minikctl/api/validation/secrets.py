"""Secret and ServiceAccount validation (ValidateSecret / ValidateSecretUpdate /
ValidateServiceAccount in pkg/apis/core/validation).

Runs on the stored form: stringData already merged into data (base64 text here, bytes in Go),
type defaulted to Opaque. Data keys are visited sorted (Go ranges over a map; the apiserver's
order is random, sorted is one of its orders). Each secret type has its required keys.
"""
from __future__ import annotations

import base64
import json

from minikctl.api.validation.fields import config_map_key, forbidden, invalid, required, too_long
from minikctl.api.validation.meta import validate_object_meta, validate_object_meta_update

MAX_SECRET_SIZE = 1024 * 1024


def _raw(v) -> bytes:
    try:
        return base64.b64decode(v or "")
    except (ValueError, TypeError):
        return b""


def _json_error(raw: bytes) -> str | None:
    """encoding/json's complaint about a dockercfg body, or None when it is a JSON object."""
    text = raw.decode("utf-8", "replace")
    try:
        val = json.loads(text)
    except json.JSONDecodeError as e:
        body = text.lstrip(" \t\r\n")
        for lit in ("null", "true", "false"):  # Go's scanner names the literal it was reading
            if body[:1] == lit[0]:
                for i, c in enumerate(body[:len(lit)]):
                    if c != lit[i]:
                        return f"invalid character '{c}' in literal {lit} (expecting '{lit[i]}')"
                if len(body) < len(lit):
                    return "unexpected end of JSON input"
        ch = text[e.pos:e.pos + 1]
        if not ch or not text.strip():
            return "unexpected end of JSON input"
        where = "after top-level value" if e.msg == "Extra data" else "looking for beginning of value"
        return f"invalid character '{ch}' {where}"
    if not isinstance(val, dict):
        kind = {list: "array", str: "string", bool: "bool"}.get(type(val), "number")
        return f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
    return None


def validate_secret(secret: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(secret, True)
    data = secret.get("data") or {}
    total = 0
    for k in sorted(data):
        errs += [invalid(f"data[{k}]", k, m) for m in config_map_key(k)]
        total += len(_raw(data[k]))
    if total > MAX_SECRET_SIZE:
        errs.append(too_long("data", MAX_SECRET_SIZE))
    stype = secret.get("type") or ""
    annotations = (secret.get("metadata") or {}).get("annotations") or {}
    if stype == "kubernetes.io/service-account-token":
        if not annotations.get("kubernetes.io/service-account.name"):
            errs.append(required("metadata.annotations[kubernetes.io/service-account.name]"))
    elif stype in ("kubernetes.io/dockercfg", "kubernetes.io/dockerconfigjson"):
        key = ".dockercfg" if stype == "kubernetes.io/dockercfg" else ".dockerconfigjson"
        if key not in data:
            errs.append(required(f"data[{key}]"))
        else:
            msg = _json_error(_raw(data[key]))
            if msg:
                errs.append(invalid(f"data[{key}]", "<secret contents redacted>", msg))
    elif stype == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            errs += [required("data[username]"), required("data[password]")]
    elif stype == "kubernetes.io/ssh-auth":
        if not _raw(data.get("ssh-privatekey")):
            errs.append(required("data[ssh-privatekey]"))
    elif stype == "kubernetes.io/tls":
        if "tls.crt" not in data:
            errs.append(required("data[tls.crt]"))
        if "tls.key" not in data:
            errs.append(required("data[tls.key]"))
    return errs


def validate_secret_update(secret: dict, old: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta_update(secret, old)
    if (secret.get("type") or "") != (old.get("type") or ""):
        errs.append(invalid("type", secret.get("type") or "", "field is immutable"))
    if old.get("immutable"):
        if secret.get("immutable") is not True:
            errs.append(forbidden("immutable", "field is immutable when `immutable` is set"))
        if (secret.get("data") or {}) != (old.get("data") or {}):
            errs.append(forbidden("data", "field is immutable when `immutable` is set"))
    return errs + validate_secret(secret)


def validate_service_account(sa: dict) -> list[tuple[str, str]]:
    return validate_object_meta(sa, True)
