"""labelSelector / fieldSelector / limit+continue on list and watch requests, with the
apiserver's 400s for what it cannot parse or does not index (the parsing and the field table are
minikctl/api/selectors.py, shared with `get`)."""
from __future__ import annotations

import base64

from minikctl.api import selectors
from minikctl.api.errors import ApiError, CliError
from minikctl.apiserver.status import fail


def label_filter(text: str):
    if not text:
        return None
    try:
        return selectors.parse_selector(text)
    except (CliError, ApiError) as e:
        raise fail("BadRequest", e.message, 400)


def field_filter(text: str, kind) -> list[tuple[str, str, str]] | None:
    if not text:
        return None
    try:
        return selectors.parse_field_selector(text, kind)
    except (CliError, ApiError) as e:
        raise fail("BadRequest", e.message, 400)


def matches(obj: dict, labels, fields) -> bool:
    if labels is not None and not selectors.matches(labels, (obj.get("metadata") or {}).get("labels")):
        return False
    return fields is None or selectors.field_matches(fields, obj)


def page(objs: list[dict], limit: str, cont: str) -> tuple[list[dict], str]:
    """limit/continue: the continue token is an opaque offset."""
    start = 0
    if cont:
        try:
            start = int(base64.urlsafe_b64decode(cont.encode()).decode())
        except (ValueError, UnicodeDecodeError):
            raise fail("BadRequest", "continue key is not valid: illegal base64 data at input byte 0", 400)
    n = int(limit) if limit.isdigit() and int(limit) > 0 else 0
    if not n or start + n >= len(objs):
        return objs[start:], ""
    return objs[start:start + n], base64.urlsafe_b64encode(str(start + n).encode()).decode()
