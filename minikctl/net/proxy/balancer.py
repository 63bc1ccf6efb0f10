"""Which endpoint a new connection reaches, decided from the same model the rules are printed from.

* iptables mode: walk the KUBE-SVC chain; rule i matches with the probability the kernel stored
  for 1/(n-i) (view.rng), the last rule always matches.
* IPVS mode: round robin per (node, VIP, port, protocol), counters in `state`.
* ClientIP affinity: what `-m recent` / `persistent` do is remember the endpoint per client IP.
  We keep that memory in `state` (per node, service port, client IP, with view.now and the
  timeout) and, when nothing is remembered yet, choose the first endpoint by a hash of the client
  IP and the service port name. The hash (not rng) makes the first choice survive across separate
  CLI invocations, which a per-process memory alone could not; it still looks random per client.
* Traffic policies: internalTrafficPolicy Local keeps ClusterIP traffic on the client's node
  (no local endpoint => DROP => timeout). externalTrafficPolicy Local only binds traffic that
  arrives from outside the pod network on another node (pods and the node itself short-circuit
  to the cluster chain, as the KUBE-EXT rules do).
* NodePorts are handled by the node that owns the destination IP (dst-type LOCAL there).

Outcomes: an Endpoint, 'refused' (REJECT: no endpoints; or IPVS with nothing behind a VIP /
an undeclared port on a VIP bound to kube-ipvs0), 'timeout' (no rule matches: a port the
Service does not declare in iptables mode, or a DROP). Pod IPs go straight to the pod.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from minikctl.net.proxy import rules as R
from minikctl.net.proxy.iptables import kernel_probability
from minikctl import lazy

node_mode = lazy.function("minikctl.net.proxy.mode", "node_mode")

_PROCESS_STATE: dict = {}


@dataclass
class Pick:
    result: str                          # 'endpoint' | 'refused' | 'timeout' | 'pod' | 'unknown'
    endpoint: R.Endpoint | None = None
    service: R.ServicePort | None = None
    via: str = ""                        # 'cluster IP', 'node port', 'external IP', 'loadbalancer IP', 'pod IP'
    node: str | None = None              # the node whose rules decided
    pod: dict | None = None              # the backend pod, when the endpoint is a pod


def _pod_by_ip(view, ip: str) -> dict | None:
    for p in view.list("Pod"):
        st = p.get("status") or {}
        if st.get("podIP") == ip and not (p.get("spec") or {}).get("hostNetwork") \
                and st.get("phase") not in ("Succeeded", "Failed"):
            return p
    return None


def _node_owning(view, ip: str) -> str | None:
    for n in R.node_names(view):
        if R.node_ip(view, n) == ip:
            return n
    return None


def _mode(view, node: str | None = None) -> str:
    return node_mode(view, node)


def _iptables_choice(view, eps: list[R.Endpoint]) -> R.Endpoint:
    n = len(eps)
    for i, ep in enumerate(eps[:-1]):
        if view.rng.random() < float(kernel_probability(n - i)):
            return ep
    return eps[-1]


def _affinity_choice(view, sp: R.ServicePort, eps, client_ip: str, node: str, state: dict):
    memory = state.setdefault("affinity", {})
    key = (node, sp.name_string, sp.protocol, client_ip)
    by_addr = {e.addr: e for e in eps}
    seen = memory.get(key)
    if seen and seen[0] in by_addr and view.now - seen[1] <= sp.affinity_seconds:
        ep = by_addr[seen[0]]
    else:
        h = hashlib.sha256(f"{client_ip}|{sp.name_string}|{sp.protocol}".encode()).digest()
        ep = eps[int.from_bytes(h[:8], "big") % len(eps)]
    memory[key] = (ep.addr, view.now)
    return ep


def _rr_choice(sp: R.ServicePort, vip: str, port: int, eps, node: str, state: dict):
    counters = state.setdefault("rr", {})
    key = (node, vip, port, sp.protocol)
    i = counters.get(key, 0)
    counters[key] = i + 1
    return eps[i % len(eps)]


def pick(view, ip: str, port: int, proto: str = "TCP", client_ip: str | None = None,
         client_node: str | None = None, client_is_pod: bool = True,
         state: dict | None = None) -> Pick:
    """Where a new connection from (client_ip on client_node) to ip:port/proto ends up."""
    state = _PROCESS_STATE if state is None else state
    proto = proto.upper()
    ipvs = _mode(view, client_node) == "ipvs"
    matches: list[tuple[R.ServicePort, str]] = []
    vip_known = False
    dest_node = _node_owning(view, ip)
    for sp in R.all_service_ports(view):
        vips = {sp.cluster_ip: "cluster IP", **{e: "external IP" for e in sp.external_ips},
                **{lb: "loadbalancer IP" for lb in sp.lb_ips}}
        if ip in vips:
            vip_known = True
            if sp.port == port and sp.protocol == proto:
                matches.append((sp, vips[ip]))
        elif dest_node and sp.node_port == port and sp.protocol == proto:
            matches.append((sp, "node port"))
    if not matches:
        if vip_known:
            return Pick("refused" if ipvs else "timeout")
        pod = _pod_by_ip(view, ip)
        if pod:
            return Pick("pod", pod=pod, via="pod IP", node=(pod.get("spec") or {}).get("nodeName"))
        return Pick("unknown", node=dest_node)
    sp, via = matches[0]
    node = dest_node if via == "node port" else (client_node or dest_node)
    cat = R.categorize(sp, node)
    if not cat.has_any:
        return Pick("refused", service=sp, via=via, node=node)
    external = via != "cluster IP"
    if not external:
        eps = cat.local if sp.internal_local else cat.cluster
    else:
        from_outside = not client_is_pod and client_node != node
        eps = cat.local if (sp.external_local and from_outside) else cat.cluster
    if not eps:
        return Pick("refused" if ipvs else "timeout", service=sp, via=via, node=node)
    if sp.affinity == "ClientIP" and client_ip:
        ep = _affinity_choice(view, sp, eps, client_ip, node, state)
    elif ipvs:
        ep = _rr_choice(sp, ip, port, eps, node, state)
    else:
        ep = _iptables_choice(view, eps)
    pod = None
    if ep.pod:
        pod = view.get("Pod", ep.pod[0], ep.pod[1])
    if pod is None:
        pod = _pod_by_ip(view, ep.ip)
    return Pick("endpoint", endpoint=ep, service=sp, via=via, node=node, pod=pod)
