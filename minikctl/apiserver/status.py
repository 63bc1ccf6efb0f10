"""Errors as the apiserver sends them: a metav1.Status body with its HTTP code.

kubectl turns a Status back into its own messages (`Error from server (NotFound): ...`,
`The Pod "x" is invalid: ...`, `You must be logged in to the server (Unauthorized)`), so the
reason, code and details must be what the real apiserver puts there.
"""
from __future__ import annotations

from minikctl.api.errors import ApiError
from minikctl import lazy

kinds = lazy.module("minikctl.api.kinds")

# field.ErrorType -> the StatusCause reason, keyed by the start of the error body.
_CAUSE_REASONS = (
    ("Required value", "FieldValueRequired"),
    ("Invalid value", "FieldValueInvalid"),
    ("Unsupported value", "FieldValueNotSupported"),
    ("Duplicate value", "FieldValueDuplicate"),
    ("Forbidden", "FieldValueForbidden"),
    ("Too long", "FieldValueTooLong"),
    ("Too many", "FieldValueTooMany"),
    ("Not found", "FieldValueNotFound"),
)

REASON_CODES = {"BadRequest": 400, "Unauthorized": 401, "Forbidden": 403, "NotFound": 404,
                "MethodNotAllowed": 405, "NotAcceptable": 406, "AlreadyExists": 409, "Conflict": 409,
                "RequestEntityTooLarge": 413, "UnsupportedMediaType": 415, "Invalid": 422,
                "Expired": 410, "Timeout": 504, "InternalError": 500}


class HttpError(Exception):
    """A Status to answer with, raised anywhere below the handler."""

    def __init__(self, code: int, body: dict):
        super().__init__(body.get("message", ""))
        self.code = code
        self.body = body


def status(reason: str, message: str, code: int | None = None, details: dict | None = None) -> dict:
    code = code or REASON_CODES.get(reason, 500)
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "details": details or {}, "code": code}
    if not reason:
        body.pop("reason")
    if details is None:
        body.pop("details")
    return body


def success(details: dict | None = None) -> dict:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
    if details is not None:
        body["details"] = details
    return body


def fail(reason: str, message: str, code: int | None = None, details: dict | None = None) -> HttpError:
    body = status(reason, message, code, details)
    return HttpError(body["code"], body)


def _cause_reason(body: str) -> str:
    for prefix, reason in _CAUSE_REASONS:
        if body.startswith(prefix):
            return reason
    return "FieldValueInvalid"


def from_api_error(e: ApiError, resource: str = "", group: str = "") -> HttpError:
    """ApiError -> the Status the apiserver would send for it."""
    details: dict | None = None
    message = e.message
    if e.reason == "Invalid":
        k = kinds.by_kind(e.kind)
        qualified = f"{e.kind}.{k.group}" if k and k.group else e.kind
        details = {"name": e.name, "kind": e.kind,
                   "causes": [{"reason": _cause_reason(body), "message": body, "field": field}
                              for field, body in e.causes]}
        if k and k.group:
            details["group"] = k.group
        errs = [f"{f}: {b}" if f else b for f, b in e.causes]
        message = f'{qualified} "{e.name}" is invalid: ' + (errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]")
    elif e.reason in ("NotFound", "AlreadyExists", "Conflict") or e.name:
        details = {"name": e.name}
        if group:
            details["group"] = group
        if resource:
            details["kind"] = resource
    return fail(e.reason, message, e.code, details)


def unauthorized() -> HttpError:
    return fail("Unauthorized", "Unauthorized", 401)


def path_not_found() -> HttpError:
    return fail("NotFound", "the server could not find the requested resource", 404, {})


def method_not_allowed(method: str, what: str = "") -> HttpError:
    msg = f"the server does not allow this method on the requested resource"
    return fail("MethodNotAllowed", msg, 405, {})


def conflict(resource: str, name: str, group: str = "") -> HttpError:
    res = f"{resource}.{group}" if group else resource
    details = {"name": name, "kind": resource}
    if group:
        details["group"] = group
    return fail("Conflict", f'Operation cannot be fulfilled on {res} "{name}": the object has been modified; '
                "please apply your changes to the latest version and try again", 409, details)
