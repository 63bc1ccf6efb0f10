"""What kube-proxy derives from Services + EndpointSlices: one record per service port.

kube-proxy never looks at Pods or Endpoints: it joins each Service port with the EndpointSlices
labelled `kubernetes.io/service-name=<svc>` whose port has the same name and protocol, keeps
`addresses[0]` of each endpoint, dedups by "ip:port" and sorts by that string
(pkg/proxy/endpointslicecache.go `byEndpoint`). iptables.py, ipvs.py and balancer.py all read
this one model, so the rules a learner dumps and the pod that answers can never disagree.

`categorize()` is pkg/proxy/topology.go `CategorizeEndpoints` without topology hints.
"""
from __future__ import annotations

import base64
import hashlib
import ipaddress
from dataclasses import dataclass, field

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
DEFAULT_AFFINITY_SECONDS = 10800   # v1.DefaultClientIPServiceAffinitySeconds


@dataclass(frozen=True)
class Endpoint:
    ip: str
    port: int
    ready: bool = True
    serving: bool = True
    terminating: bool = False
    node: str | None = None
    pod: tuple[str, str] | None = None       # (namespace, name) from targetRef, if a Pod

    @property
    def addr(self) -> str:
        return f"{self.ip}:{self.port}"


@dataclass
class ServicePort:
    namespace: str
    name: str
    port_name: str
    protocol: str                      # "TCP" / "UDP" / "SCTP"
    port: int
    type: str = "ClusterIP"
    cluster_ip: str | None = None      # None for headless and ExternalName
    node_port: int = 0
    target_port: object = None         # as written in the Service (int or name)
    external_ips: list[str] = field(default_factory=list)
    lb_ips: list[str] = field(default_factory=list)
    source_ranges: list[str] = field(default_factory=list)
    affinity: str = "None"
    affinity_seconds: int = DEFAULT_AFFINITY_SECONDS
    internal_policy: str = "Cluster"
    external_policy: str = "Cluster"
    health_check_node_port: int = 0
    endpoints: list[Endpoint] = field(default_factory=list)

    @property
    def name_string(self) -> str:
        """proxy.ServicePortName.String(): 'ns/name:port' or 'ns/name' for an unnamed port."""
        base = f"{self.namespace}/{self.name}"
        return f"{base}:{self.port_name}" if self.port_name else base

    @property
    def proto(self) -> str:
        return self.protocol.lower()

    @property
    def externally_accessible(self) -> bool:
        return bool(self.node_port or self.lb_ips or self.external_ips)

    @property
    def internal_local(self) -> bool:
        return self.internal_policy == "Local"

    @property
    def external_local(self) -> bool:
        return self.externally_accessible and self.external_policy == "Local"

    @property
    def uses_cluster_endpoints(self) -> bool:
        return not self.internal_local or (self.externally_accessible and not self.external_local)

    @property
    def uses_local_endpoints(self) -> bool:
        return self.internal_local or self.external_local


# --- chain names (pkg/proxy/iptables/proxier.go) -------------------------------------------

def port_proto_hash(service_port_name: str, protocol: str) -> str:
    """sha256(servicePortName + lowercase protocol), base32 (std alphabet), first 16 chars."""
    digest = hashlib.sha256((service_port_name + protocol).encode()).digest()
    return base64.b32encode(digest).decode()[:16]


def svc_chain(sp: ServicePort) -> str:
    return "KUBE-SVC-" + port_proto_hash(sp.name_string, sp.proto)


def svl_chain(sp: ServicePort) -> str:
    return "KUBE-SVL-" + port_proto_hash(sp.name_string, sp.proto)


def ext_chain(sp: ServicePort) -> str:
    return "KUBE-EXT-" + port_proto_hash(sp.name_string, sp.proto)


def fw_chain(sp: ServicePort) -> str:
    return "KUBE-FW-" + port_proto_hash(sp.name_string, sp.proto)


def sep_chain(sp: ServicePort, ep: Endpoint) -> str:
    """servicePortEndpointChainName: the same hash over name + protocol + 'ip:port'."""
    return "KUBE-SEP-" + port_proto_hash(sp.name_string, sp.proto + ep.addr)


# --- building the model from the View -----------------------------------------------------

def _bool(v, default: bool) -> bool:
    return default if v is None else bool(v)


def _slices_for(view, svc: dict) -> list[dict]:
    ns, name = svc["metadata"].get("namespace") or "default", svc["metadata"]["name"]
    return [s for s in view.list("EndpointSlice", ns)
            if (s["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL) == name]


def _endpoints_for(view, svc: dict, port_name: str, protocol: str) -> list[Endpoint]:
    seen: dict[str, Endpoint] = {}
    for sl in _slices_for(view, svc):
        if sl.get("addressType", "IPv4") != "IPv4":
            continue
        for p in sl.get("ports") or []:
            if (p.get("name") or "") != port_name or (p.get("protocol") or "TCP") != protocol:
                continue
            if p.get("port") is None:
                continue
            for e in sl.get("endpoints") or []:
                addrs = e.get("addresses") or []
                if not addrs:
                    continue
                cond = e.get("conditions") or {}
                ready = _bool(cond.get("ready"), True)
                ref = e.get("targetRef") or {}
                pod = (ref.get("namespace") or sl["metadata"].get("namespace"), ref["name"]) \
                    if ref.get("kind") == "Pod" and ref.get("name") else None
                ep = Endpoint(ip=addrs[0], port=int(p["port"]), ready=ready,
                              serving=_bool(cond.get("serving"), ready),
                              terminating=_bool(cond.get("terminating"), False),
                              node=e.get("nodeName"), pod=pod)
                seen.setdefault(ep.addr, ep)
    return [seen[k] for k in sorted(seen)]


def is_proxied(svc: dict) -> bool:
    """kube-proxy skips headless Services (clusterIP None) and ExternalName Services."""
    spec = svc.get("spec") or {}
    if spec.get("type") == "ExternalName":
        return False
    ip = spec.get("clusterIP")
    return bool(ip) and ip != "None"


def service_ports(view, svc: dict) -> list[ServicePort]:
    """One ServicePort per spec.ports entry of a proxied Service (empty for headless)."""
    if not is_proxied(svc):
        return []
    spec, status = svc.get("spec") or {}, svc.get("status") or {}
    meta = svc["metadata"]
    lb_ips = [i["ip"] for i in ((status.get("loadBalancer") or {}).get("ingress") or []) if i.get("ip")]
    affinity = spec.get("sessionAffinity") or "None"
    secs = (((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}).get("timeoutSeconds")
            or DEFAULT_AFFINITY_SECONDS)
    typ = spec.get("type") or "ClusterIP"
    out = []
    for p in spec.get("ports") or []:
        name, proto = p.get("name") or "", p.get("protocol") or "TCP"
        out.append(ServicePort(
            namespace=meta.get("namespace") or "default", name=meta["name"], port_name=name,
            protocol=proto, port=int(p["port"]), type=typ, cluster_ip=spec["clusterIP"],
            node_port=int(p.get("nodePort") or 0) if typ in ("NodePort", "LoadBalancer") else 0,
            target_port=p.get("targetPort", p["port"]),
            external_ips=list(spec.get("externalIPs") or []),
            lb_ips=lb_ips if typ == "LoadBalancer" else [],
            source_ranges=list(spec.get("loadBalancerSourceRanges") or []),
            affinity=affinity, affinity_seconds=int(secs),
            internal_policy=spec.get("internalTrafficPolicy") or "Cluster",
            external_policy=spec.get("externalTrafficPolicy") or "Cluster",
            health_check_node_port=int(spec.get("healthCheckNodePort") or 0),
            endpoints=_endpoints_for(view, svc, name, proto)))
    return out


def all_service_ports(view) -> list[ServicePort]:
    """Every proxied service port in the cluster, ordered by 'ns/name:port' + protocol.

    Real kube-proxy walks a Go map (random order per sync); a stable order keeps dumps diffable.
    """
    ports = [sp for svc in view.list("Service") for sp in service_ports(view, svc)]
    return sorted(ports, key=lambda sp: (sp.name_string, sp.proto))


@dataclass
class Categorized:
    cluster: list[Endpoint]
    local: list[Endpoint]
    reachable: list[Endpoint]
    has_any: bool


def categorize(sp: ServicePort, node: str | None) -> Categorized:
    """CategorizeEndpoints: which endpoints the Cluster and Local policy chains of `node` use."""
    eps = sp.endpoints
    cluster: list[Endpoint] = []
    local: list[Endpoint] = []
    has_any = False
    if sp.uses_cluster_endpoints:
        cluster = [e for e in eps if e.ready]
        if not cluster:   # fall back to serving-but-terminating endpoints
            cluster = [e for e in eps if e.serving and e.terminating]
        has_any = bool(cluster)
    if not sp.uses_local_endpoints:
        return Categorized(cluster, [], cluster, has_any)
    local_ready = local_term = False
    for e in eps:
        if e.ready:
            has_any = True
            local_ready |= e.node == node
        elif e.serving and e.terminating:
            has_any = True
            local_term |= e.node == node
    if local_ready:
        local = [e for e in eps if e.node == node and e.ready]
    elif local_term:
        local = [e for e in eps if e.node == node and e.serving and e.terminating]
    if not sp.uses_cluster_endpoints:
        return Categorized([], local, local, has_any)
    merged = {e.addr: e for e in cluster}
    for e in local:
        merged.setdefault(e.addr, e)
    reachable = [e for e in eps if e.addr in merged]
    return Categorized(cluster, local, reachable, has_any)


# --- small helpers shared by the renderers ----------------------------------------------------

def node_ip(view, node: str) -> str | None:
    """A node's InternalIP: from the Node object, else from the profile."""
    obj = view.get("Node", None, node)
    if obj:
        for a in (obj.get("status") or {}).get("addresses") or []:
            if a.get("type") == "InternalIP":
                return a["address"]
    for n in list(view.profile.get("nodes") or []) + list(view.profile.get("spareHosts") or []):
        if n.get("name") == node:
            return n.get("internalIP")
    return None


def node_names(view) -> list[str]:
    names = [n["metadata"]["name"] for n in view.list("Node")]
    return names or [n["name"] for n in view.profile.get("nodes") or []]


def ip_key(ip: str) -> int:
    return int(ipaddress.ip_address(ip))
