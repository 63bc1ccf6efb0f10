"""The request and response values passed between the HTTP layer and the routes, and body
decoding with the apiserver's content-type and size rules."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs

from minikctl.apiserver.status import fail
from minikctl import lazy

protobuf = lazy.module("minikctl.apiserver.protobuf")
load_bounded = lazy.function("minikctl.api.manifests", "load_bounded")

MAX_BODY = 3 * 1024 * 1024  # the apiserver's request body limit (3 MiB)
DECODABLE = ("application/json", "application/yaml")
PROTOBUF = "application/vnd.kubernetes.protobuf"
ACCEPTED = "application/json, application/yaml, application/vnd.kubernetes.protobuf"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]   # lower-cased names
    body: bytes = b""
    user: object = None       # the authenticated rbac.User; None: the admin token

    @classmethod
    def parse(cls, method: str, target: str, headers: dict[str, str], body: bytes = b"") -> "Request":
        path, _, qs = target.partition("?")
        return cls(method, path, parse_qs(qs, keep_blank_values=True), headers, body)

    def q(self, name: str, default: str = "") -> str:
        v = self.query.get(name)
        return v[0] if v else default

    def flag(self, name: str) -> bool:
        """A boolean parameter as Go's strconv.ParseBool reads it (the Python client sends True)."""
        return self.q(name) in ("1", "t", "T", "true", "TRUE", "True")

    @property
    def content_type(self) -> str:
        return (self.headers.get("content-type") or "").split(";")[0].strip().lower()

    @property
    def accept(self) -> str:
        return self.headers.get("accept") or ""


@dataclass
class Response:
    code: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)
    stream: Callable | None = None    # watch: called with a write(bytes) function
    upgrade: Callable | None = None   # exec: called with the handler to take over the socket
    obj: object = None                # what body encodes (negotiate.py may re-encode it as protobuf)


def json_response(obj, code: int = 200, content_type: str = "application/json") -> Response:
    return Response(code, json.dumps(obj, separators=(",", ":")).encode(), content_type, obj=obj)


def decode_body(req: Request, *, allow: tuple[str, ...] = DECODABLE, kind=None):
    """The request body as Python data, or the apiserver's 400/415 Status.

    No Content-Type means the first supported type, JSON, as the apiserver's negotiation has it:
    client-go's scale client PUTs a Scale without one (kubectl scale --current-replicas).
    A protobuf body is decoded by apiserver/protobuf.py when the URL's kind (a kinds.Kind) has a
    protobuf schema (custom resources have none: 415, as for the apiserver).
    """
    ctype = req.content_type or "application/json"
    if ctype == PROTOBUF and allow == DECODABLE and kind is not None:
        if protobuf.schema().message(kind.api_version, kind.kind) is not None:
            try:
                return protobuf.decode(req.body, kind.api_version, kind.kind)
            except protobuf.DecodeFailure as e:
                raise fail("BadRequest", str(e), 400)
    if ctype not in allow:
        if ctype == "application/vnd.kubernetes.protobuf" or ctype not in DECODABLE:
            raise fail("UnsupportedMediaType", f'the body of the request was in an unknown format - accepted media '
                       f'types include: {", ".join(allow) if allow != DECODABLE else ACCEPTED}', 415)
    text = req.body.decode("utf-8", errors="replace")
    if not text.strip():
        raise fail("BadRequest", "the body of the request was empty", 400)
    try:
        if ctype.endswith("yaml"):
            data = load_bounded(text)
        else:
            data = json.loads(text)
    except (ValueError, Exception) as e:  # yaml.YAMLError is not a ValueError
        raise fail("BadRequest", f"couldn't get version/kind; json parse error: {_first_line(e)}", 400)
    return data


def _first_line(e: Exception) -> str:
    return str(e).splitlines()[0] if str(e) else type(e).__name__
