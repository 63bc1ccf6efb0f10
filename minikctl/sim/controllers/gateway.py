"""NGINX Gateway Fabric's status writes: GatewayClass, Gateway (conditions, addresses, listeners)
and HTTPRoute (status.parents), in the words NGF writes them.

* GatewayClass with NGF's controllerName: Accepted and SupportedVersion True.
* Gateway of such a class: Accepted and Programmed True, each listener Accepted / Programmed /
  ResolvedRefs True and Conflicted False with its attachedRoutes count; addresses: the NodePort
  Service's load-balancer IP when it has one, else the NGF pod's IP. No ready NGF pod: the
  Gateway stays as the CRD defaulted it (`Waiting for controller`).
* NGF 1.x programs one Gateway of its class (the oldest); the others get Accepted and Programmed
  False, GatewayConflict.
* HTTPRoute naming such Gateways: one status.parents entry per such parentRef, in spec order, with
  Accepted ("The route is accepted", or bindRouteToListeners' failures in its order:
  NoMatchingParent, UnsupportedValue for a port, GatewayIgnored, InvalidListener,
  NotAllowedByListeners, NoMatchingListenerHostname) and ResolvedRefs ("All references are
  resolved", or BackendNotFound / RefNotPermitted / InvalidKind), ordered as NGF's
  DeduplicateConditions leaves them (a failed Accepted after ResolvedRefs). A parentRef to a
  Gateway NGF does not manage (missing, or of another class) gets no entry, as the Gateway API
  asks ("parent references that cannot be resolved by an implementation of this API will not be
  added to this list") and NGF's buildSectionNameRefs does.
"""
from __future__ import annotations

import copy

from minikctl.api import server
from minikctl import lazy

G = lazy.module("minikctl.net.gateway")
is_data_plane = lazy.function("minikctl.net.gateway", "is_data_plane")
is_ready = lazy.function("minikctl.api.conditions", "is_ready")

CONTROLLER = "gateway.nginx.org/nginx-gateway-controller"


def _cond(ctype: str, status: str, reason: str, message: str, gen: int, now: str, old: list | None) -> dict:
    prev = next((c for c in old or [] if c.get("type") == ctype), None)
    since = prev["lastTransitionTime"] if prev and prev.get("status") == status and \
        prev.get("lastTransitionTime") != "1970-01-01T00:00:00Z" else now
    return {"lastTransitionTime": since, "message": message, "observedGeneration": gen, "reason": reason,
            "status": status, "type": ctype}


def _ngf_pod(cluster) -> dict | None:
    for p in cluster.list("Pod"):
        if any(is_data_plane(c.get("image") or "") for c in (p.get("spec") or {}).get("containers") or []) \
                and (p.get("status") or {}).get("phase") == "Running" and is_ready(p) \
                and not p["metadata"].get("deletionTimestamp"):
            return p
    return None


def _address(cluster, pod: dict) -> str | None:
    svc = cluster.get("Service", pod["metadata"].get("namespace"), "nginx-gateway")
    for i in ((svc or {}).get("status") or {}).get("loadBalancer", {}).get("ingress") or []:
        if i.get("ip"):
            return i["ip"]
    return (pod.get("status") or {}).get("podIP")


def _put_status(cluster, obj: dict, status: dict) -> None:
    if obj.get("status") != status:
        new = copy.deepcopy(obj)
        new["status"] = status
        server.update_internal(cluster, new)


def reconcile(cluster) -> None:
    classes = [c for c in cluster.list("GatewayClass") if (c.get("spec") or {}).get("controllerName") == CONTROLLER]
    if not classes:
        return
    pod = _ngf_pod(cluster)
    if pod is None:
        return
    now = cluster.timestamp()
    for gc in classes:
        gen, old = gc["metadata"].get("generation", 1), (gc.get("status") or {}).get("conditions")
        _put_status(cluster, gc, {"conditions": [
            _cond("Accepted", "True", "Accepted", "GatewayClass is accepted", gen, now, old),
            _cond("SupportedVersion", "True", "SupportedVersion", "Gateway API CRD versions are supported", gen, now, old)]})
    gateways = G.managed_gateways(cluster)
    winner = G.winning_gateway(cluster)
    routes = cluster.list("HTTPRoute")
    addr = _address(cluster, pod)
    for gw in gateways:
        gen, st = gw["metadata"].get("generation", 1), gw.get("status") or {}
        if gw is not winner and G._key(gw) != G._key(winner):
            msg = "The resource is ignored due to a conflicting Gateway resource"
            _put_status(cluster, gw, {"conditions": [
                _cond("Accepted", "False", "GatewayConflict", msg, gen, now, st.get("conditions")),
                _cond("Programmed", "False", "GatewayConflict", msg, gen, now, st.get("conditions"))]})
            continue
        old_l = {lst.get("name"): lst.get("conditions") for lst in st.get("listeners") or []}
        listeners = []
        for lst in (gw.get("spec") or {}).get("listeners") or []:
            attached = sum(1 for r in routes if lst in G.attached_listeners(cluster, gw, r))
            o = old_l.get(lst.get("name"))
            listeners.append({"attachedRoutes": attached, "conditions": [
                _cond("Accepted", "True", "Accepted", "Listener is accepted", gen, now, o),
                _cond("Programmed", "True", "Programmed", "Listener is programmed", gen, now, o),
                _cond("ResolvedRefs", "True", "ResolvedRefs", "All references are resolved", gen, now, o),
                _cond("Conflicted", "False", "NoConflicts", "No conflicts", gen, now, o)],
                "name": lst.get("name"),
                "supportedKinds": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"},
                                   {"group": "gateway.networking.k8s.io", "kind": "GRPCRoute"}]})
        status = {"addresses": [{"type": "IPAddress", "value": addr}] if addr else [],
                  "conditions": [_cond("Accepted", "True", "Accepted", "Gateway is accepted", gen, now, st.get("conditions")),
                                 _cond("Programmed", "True", "Programmed", "Gateway is programmed", gen, now,
                                       st.get("conditions"))],
                  "listeners": listeners}
        if not addr:
            status.pop("addresses")
        _put_status(cluster, gw, status)
    by_key = {G._key(gw): gw for gw in gateways}
    for route in routes:
        parents = []
        old = {_parent_key(p.get("parentRef") or {}): p.get("conditions")
               for p in (route.get("status") or {}).get("parents") or []}
        gen = route["metadata"].get("generation", 1)
        for idx, ref in enumerate((route.get("spec") or {}).get("parentRefs") or []):
            if (ref.get("kind") or "Gateway") != "Gateway" or \
                    (ref.get("group") or "gateway.networking.k8s.io") != "gateway.networking.k8s.io":
                continue
            ns = ref.get("namespace") or route["metadata"].get("namespace")
            gw = by_key.get((ns, ref.get("name")))
            if gw is None:
                continue                  # not a Gateway NGF manages (or none at all): no status
            pref = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": ref["name"], "namespace": ns}
            if ref.get("sectionName") is not None:
                pref["sectionName"] = ref["sectionName"]
            o = old.get(_parent_key(pref))
            _attached, failed = G.attachment(cluster, winner, gw, route, idx, ref)
            resolved = _resolved(cluster, route, gen, now, o)
            if failed is None:
                conds = [_cond("Accepted", "True", "Accepted", "The route is accepted", gen, now, o), resolved]
            else:                         # DeduplicateConditions: the failed Accepted comes last
                conds = [resolved, _cond("Accepted", "False", failed[0], failed[1], gen, now, o)]
            parents.append({"conditions": conds, "controllerName": CONTROLLER, "parentRef": pref})
        if parents:
            _put_status(cluster, route, {"parents": parents})


def _parent_key(ref: dict) -> tuple:
    return ref.get("namespace"), ref.get("name"), ref.get("sectionName")


def _resolved(cluster, route: dict, gen: int, now: str, old) -> dict:
    for i, rule in enumerate((route.get("spec") or {}).get("rules") or []):
        for j, ref in enumerate(rule.get("backendRefs") or []):
            path = f"spec.rules[{i}].backendRefs[{j}]"
            if (ref.get("kind") or "Service") != "Service" or (ref.get("group") or "") != "":
                return _cond("ResolvedRefs", "False", "InvalidKind",
                             f'{path}.kind: Unsupported value: "{ref.get("kind")}": supported values: "Service"',
                             gen, now, old)
            ns = ref.get("namespace") or route["metadata"].get("namespace")
            if ns != route["metadata"].get("namespace") and not G.ref_granted(cluster, route, ns, ref.get("name", "")):
                return _cond("ResolvedRefs", "False", "RefNotPermitted",
                             f"{path}: Forbidden: Backend ref to Service {ns}/{ref.get('name')} not permitted by any "
                             "ReferenceGrant", gen, now, old)
            svc = cluster.get("Service", ns, ref.get("name", ""))
            if svc is None:
                return _cond("ResolvedRefs", "False", "BackendNotFound",
                             f'{path}.name: Not found: "{ref.get("name")}"', gen, now, old)
    return _cond("ResolvedRefs", "True", "ResolvedRefs", "All references are resolved", gen, now, old)
