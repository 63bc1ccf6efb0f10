"""The response's media type, chosen from the client's Accept as the apiserver's negotiation
(k8s.io/apiserver endpoints/handlers/negotiation) chooses it.

The server speaks JSON, YAML (for bodies) and protobuf (minikctl/apiserver/protobuf.py) for the
built-in kinds; CBOR is the alpha CBORServingAndStorage gate of 1.32 and 1.33, off by default, so
a client that only accepts CBOR gets the apiserver's 406 and one that prefers it (kubectl 1.33
with KUBE_FEATURE_ClientsPreferCBOR) is answered in JSON, its second choice. Routes build every
resource answer as JSON with the object beside it (Response.obj); `finish` re-encodes it when
the client's first choice is protobuf and the kind has a protobuf schema (Tables and custom
resources do not: JSON, as the apiserver answers `*/*` or the client's JSON fallback).
"""
from __future__ import annotations

from minikctl.apiserver.request import Response, json_response
from minikctl.apiserver.status import status
from minikctl import lazy

parse_target = lazy.function("minikctl.apiserver.routes", "parse_target")
protobuf = lazy.module("minikctl.apiserver.protobuf")

PROTOBUF = "application/vnd.kubernetes.protobuf"
SERVED = ("application/json", "application/yaml", PROTOBUF)


def media_ranges(accept: str) -> list[tuple[str, dict]]:
    """Accept -> [(type, params)], best first: by q (stable in the client's order)."""
    out = []
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        params = {}
        for b in bits[1:]:
            k, _, v = b.partition("=")
            params[k.strip().lower()] = v.strip()
        try:
            q = float(params.pop("q", "1"))
        except ValueError:
            q = 1.0
        if q > 0:
            out.append((-q, i, bits[0].lower(), params))
    return [(t, p) for _, _, t, p in sorted(out)]


def choice(accept: str) -> str | None:
    """The media type to answer in; None when the client accepts none of ours (406)."""
    if not accept.strip():
        return "application/json"
    for t, params in media_ranges(accept):
        if t in ("*/*", "application/*"):
            return "application/json"
        if t in SERVED and not params.get("as"):
            return t
        if t == "application/json":
            return t                          # as=Table and friends were decided by the routes
        if t == PROTOBUF and params.get("as"):
            continue
    return None


def not_acceptable() -> Response:
    body = status("NotAcceptable", "only the following media types are accepted: " + ", ".join(SERVED), 406)
    return json_response(body, 406)


def finish(req, resp: Response) -> Response:
    if resp.content_type != "application/json" or resp.stream is not None:
        return resp
    want = choice(req.accept)
    if want is None:
        # only resources are negotiated here; discovery and OpenAPI answer as their routes decide
        return not_acceptable() if parse_target(req.path) is not None else resp
    if want == PROTOBUF:
        if protobuf.can_encode(resp.obj):
            return Response(resp.code, protobuf.encode(resp.obj), PROTOBUF, resp.headers, obj=resp.obj)
    return resp
