"""Strict decoding: the BadRequest the apiserver returns before validation even starts.

With fieldValidation=Strict (kubectl's default since 1.25) a body with an unknown field or a
wrongly typed value is refused while decoding, in different words from field validation and
with kubectl's source prefix; `apply` on an existing object sees it as a patch error instead.
The known fields come from minikctl.api.schema.
"""
from __future__ import annotations

from minikctl.api import schema
from minikctl.api.validation.fields import go_v, invalid
from minikctl import lazy

ApiError = lazy.function("minikctl.api.errors", "ApiError")
gobase64 = lazy.module("minikctl.api.gobase64")


# ---------------------------------------------------------------------------------------------
# Strict decoding (fieldValidation=Strict, kubectl's default since 1.25)


def strict_unknown_fields(obj: dict) -> list[str]:
    """Paths of the fields the strict decoder rejects (`spec.template.spec.containers[0].imagee`)."""
    return schema.unknown_fields(obj)


def _version(obj: dict) -> str:
    return (obj.get("apiVersion") or "v1").rsplit("/", 1)[-1]


def _bytes_error(obj: dict) -> str | None:
    """A Secret's `data`, a ConfigMap's `binaryData` and a CSR's `spec.request` are []byte: the
    decoder base64-decodes them (keys in order)."""
    if obj.get("kind") == "CertificateSigningRequest" and isinstance(obj.get("spec"), dict):
        values = [obj["spec"].get("request")]
    else:
        field = {"Secret": "data", "ConfigMap": "binaryData"}.get(obj.get("kind"))
        if field is None or not isinstance(obj.get(field), dict):
            return None
        values = [obj[field][k] for k in sorted(obj[field])]
    for v in values:
        if isinstance(v, str):
            try:
                gobase64.check(v)
            except gobase64.CorruptInput as e:
                return str(e)
    return None


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
    berr = _bytes_error(obj)
    if berr:
        return head + berr
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
