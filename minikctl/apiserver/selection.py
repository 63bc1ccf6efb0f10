"""labelSelector / fieldSelector / limit+continue on list and watch requests, with the
apiserver's 400s for what it cannot parse or does not index."""
from __future__ import annotations

import base64
import re

from minikctl.api import selectors
from minikctl.api.errors import ApiError, CliError
from minikctl.apiserver.status import fail

_EVENT_FIELDS = ("involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                 "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                 "reason", "reportingComponent", "source", "type")
_POD_FIELDS = ("status.phase", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
               "spec.serviceAccountName", "status.podIP", "status.nominatedNodeName", "spec.hostNetwork")
_SUPPORTED = {"Pod": _POD_FIELDS, "Event": _EVENT_FIELDS, "Service": ("spec.clusterIP", "spec.type"),
              "Node": ("spec.unschedulable",), "Namespace": ("status.phase",), "ReplicaSet": ("status.replicas",)}


def _walk(obj: dict, path: str) -> str:
    if path == "source":
        return ((obj.get("source") or {}).get("component")) or obj.get("reportingComponent") or ""
    cur = obj
    for p in path.split("."):
        cur = cur.get(p) if isinstance(cur, dict) else None
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return "" if cur is None else str(cur)


def label_filter(text: str):
    if not text:
        return None
    try:
        return selectors.parse_selector(text)
    except (CliError, ApiError) as e:
        msg = e.message if hasattr(e, "message") else str(e)
        raise fail("BadRequest", msg, 400)


def field_filter(text: str, kind, ) -> list[tuple[str, str, str]] | None:
    if not text:
        return None
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        m = re.match(r"^([^=!]+)(==|=|!=)(.*)$", part)
        if not m:
            raise fail("BadRequest", f"invalid selector: '{text}'; can't understand '{part}'", 400)
        path, op, val = m.group(1), "!=" if m.group(2) == "!=" else "=", m.group(3)
        if path not in ("metadata.name", "metadata.namespace") and path not in _SUPPORTED.get(kind.kind, ()):
            gv = f"{kind.group}/{kind.version}" if kind.group else f"/{kind.version}"
            raise fail("BadRequest", f'Unable to find "{gv}, Resource={kind.plural}" that match label selector '
                       f'"", field selector "{text}": field label not supported: {path}', 400)
        out.append((path, op, val))
    return out


def matches(obj: dict, labels, fields) -> bool:
    if labels is not None and not selectors.matches(labels, (obj.get("metadata") or {}).get("labels")):
        return False
    for path, op, val in fields or ():
        if (_walk(obj, path) == val) != (op == "="):
            return False
    return True


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
