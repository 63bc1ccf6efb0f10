"""/openapi/v2 and /openapi/v3: Kubernetes' own schemas (minikctl/api/openapi) for what serve
serves, in the form each client asks for.

/openapi/v2 is gnostic protobuf when the Accept header asks for it (client-go's discovery always
does: kubectl up to 1.28 validates and computes strategic merge patches with it), else JSON.
The v3 documents are JSON. CRD schemas come in through api/openapi/custom.py's sources, read from
the cluster only when a source is registered.
"""
from __future__ import annotations

from minikctl.apiserver.request import Request, Response, json_response
from minikctl import lazy

custom = lazy.module("minikctl.api.openapi.custom")
discovery = lazy.module("minikctl.apiserver.discovery")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
v2 = lazy.module("minikctl.api.openapi.v2")
v3 = lazy.module("minikctl.api.openapi.v3")

PB_V2 = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
PB_V2_ALT = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"


def _served():
    return v3.served_from_kinds(k for ks in discovery.groups().values() for k in ks)


def _customs(env):
    if not custom.load() or env is None:
        return ()
    with open_cluster(env) as cluster:
        return custom.collect(cluster)


def respond(req: Request, path: str, env) -> Response | None:
    if path == "/openapi/v2":
        customs = _customs(env)
        if PB_V2 in req.accept or PB_V2_ALT in req.accept:
            return Response(200, v2.protobuf_bytes(_served(), customs), PB_V2_ALT)
        return Response(200, v2.json_bytes(_served(), customs), "application/json")
    if path == "/openapi/v3":
        return json_response(v3.root(_served(), _customs(env)))
    if path.startswith("/openapi/v3/"):
        body = v3.lookup(path, _served(), _customs(env))
        return Response(200, body, "application/json") if body is not None else None
    return None
