"""A pod's stub resolver: /etc/resolv.conf from dnsPolicy, and the search walk.

Why: what a pod resolves depends on kubelet's resolv.conf (search list, ndots:5) and on which
nameserver answers. Both old busybox (libc getaddrinfo), BIND nslookup/host and the nettools use
this module, so the walk is computed once (reference dns-proxy.md section 3).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from minikctl.net.dns import records
from minikctl import lazy

policy = lazy.module("minikctl.net.policy")

MAX_NAMESERVERS = 3


@dataclass
class ResolvConf:
    nameservers: list[str] = field(default_factory=list)
    search: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)

    @property
    def ndots(self) -> int:
        for o in self.options:
            if o.startswith("ndots:"):
                try:
                    return min(int(o[6:]), 15)
                except ValueError:
                    pass
        return 1

    def text(self) -> str:
        """As containerd writes it: search, nameserver(s), options."""
        lines = []
        if self.search:
            lines.append("search " + " ".join(self.search))
        lines += [f"nameserver {ns}" for ns in self.nameservers]
        if self.options:
            lines.append("options " + " ".join(self.options))
        return "\n".join(lines) + "\n" if lines else ""


def node_resolv_conf(view) -> ResolvConf:
    """The node's /etc/resolv.conf (dnsPolicy Default): the profile's upstream resolver."""
    up = view.profile.get("upstream") or {}
    ns = up.get("nameserver")
    return ResolvConf([ns] if ns else [], list(up.get("search") or []), [])


def _merge_options(base: list[str], extra: list[dict]) -> list[str]:
    out: dict[str, str] = {}
    for o in base:
        k, _, v = o.partition(":")
        out[k] = o
    for o in extra or []:
        name = o.get("name")
        if not name:
            continue
        out[name] = f"{name}:{o['value']}" if o.get("value") is not None else name
    return list(out.values())


def _dedup(items: list[str]) -> list[str]:
    seen, out = set(), []
    for i in items:
        if i and i not in seen:
            seen.add(i)
            out.append(i)
    return out


def pod_resolv_conf(view, pod: dict | None) -> ResolvConf:
    """kubelet's GetPodDNS: ClusterFirst / ClusterFirstWithHostNet / Default / None + dnsConfig."""
    if pod is None:
        return node_resolv_conf(view)
    spec = pod.get("spec") or {}
    policy = spec.get("dnsPolicy") or "ClusterFirst"
    host_net = bool(spec.get("hostNetwork"))
    node = node_resolv_conf(view)
    if policy == "ClusterFirst" and host_net:
        policy = "Default"
    if policy in ("ClusterFirst", "ClusterFirstWithHostNet"):
        ns = (pod.get("metadata") or {}).get("namespace") or "default"
        domain = view.profile.get("clusterDomain", "cluster.local")
        rc = ResolvConf([view.profile.get("dnsServiceIP", "10.96.0.10")],
                        _dedup([f"{ns}.svc.{domain}", f"svc.{domain}", domain] + node.search),
                        ["ndots:5"])
    elif policy == "None":
        rc = ResolvConf([], [], [])
    else:
        rc = ResolvConf(list(node.nameservers), list(node.search), list(node.options))
    cfg = spec.get("dnsConfig") or {}
    if cfg:
        rc.nameservers = _dedup(rc.nameservers + list(cfg.get("nameservers") or []))
        rc.search = _dedup(rc.search + list(cfg.get("searches") or []))
        rc.options = _merge_options(rc.options, cfg.get("options") or [])
    rc.nameservers = rc.nameservers[:MAX_NAMESERVERS]
    rc.search = rc.search[:32]
    return rc


def parse_resolv_conf(text: str) -> ResolvConf:
    rc = ResolvConf()
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith(("#", ";")):
            continue
        if parts[0] == "nameserver" and len(parts) > 1:
            rc.nameservers.append(parts[1])
        elif parts[0] in ("search", "domain"):
            rc.search = parts[1:]
        elif parts[0] == "options":
            rc.options += parts[1:]
    return rc


def search_candidates(name: str, search: list[str], ndots: int) -> list[str]:
    """glibc res_nsearch order: as-is first if dots >= ndots, then each suffix, as-is last."""
    if name.endswith("."):
        return [name.rstrip(".")]
    dots = name.count(".")
    out = []
    if dots >= ndots:
        out.append(name)
    for s in search:
        out.append(f"{name}.{s}")
    if dots < ndots:
        out.append(name)
    return out


# ---------------------------------------------------------------------------------------------
# Who answers a query sent from inside the cluster

class Dns:
    """One tool run's view of DNS: which servers answer, with one index for all its queries."""

    def __init__(self, view, client: dict | None = None):
        self.view = view
        self.client = client          # the pod asking, whose egress NetworkPolicy applies
        self._index = None

    @property
    def index(self) -> records.Index:
        if self._index is None:
            self._index = records.Index(self.view)
        return self._index

    def coredns_reachable(self) -> bool:
        idx = self.index
        return bool(idx.ready_endpoints("kube-system", "kube-dns"))

    def serves_cluster(self, server: str) -> bool:
        """Is `server` the cluster DNS (kube-dns ClusterIP or a CoreDNS pod IP)?"""
        idx = self.index
        if server == self.view.profile.get("dnsServiceIP") or idx.cluster_ip.get(server) == ("kube-system", "kube-dns"):
            return True
        return any(e.ip == server for e in idx.endpoints.get(("kube-system", "kube-dns"), []))

    def query(self, server: str, qname: str, qtype) -> records.Answer | None:
        """The reply from `server`, or None when the query times out."""
        idx = self.index
        if self.serves_cluster(server):
            if not self.coredns_reachable() or not self._policy_allows(server, cluster=True):
                return None
            return records.answer(self.view, qname, qtype, index=idx)
        if server == idx.upstream_ns or server in idx.upstream_servers:
            if not self._policy_allows(server, cluster=False):
                return None
            qt = records.qtype_int(qtype)
            orig = qname if qname.endswith(".") else qname + "."
            return records.forward(idx, orig.rstrip(".").lower(), orig, qt, [server])
        return None

    def _policy_allows(self, server: str, cluster: bool) -> bool:
        """NetworkPolicy on the query (UDP 53) from a pod: to the CoreDNS pod kube-proxy DNATs
        the kube-dns ClusterIP to (any ready one will do: the client retries), or to the
        upstream server itself. Dropped queries time out, as a deny-all egress policy shows."""
        if self.client is None:
            return True
        if not policy.any_policies(self.view):
            return True
        if not cluster:
            return policy.check(self.view, self.client, server, 53, "UDP").allowed
        targets = [e for e in self.index.endpoints.get(("kube-system", "kube-dns"), []) if getattr(e, "ready", True)]
        if server not in (self.view.profile.get("dnsServiceIP"),) and any(e.ip == server for e in targets):
            targets = [e for e in targets if e.ip == server]
        return any(policy.check(self.view, self.client, e.ip, 53, "UDP").allowed for e in targets)

    def first_answer(self, servers: list[str], qname: str, qtype) -> tuple[str | None, records.Answer | None]:
        """Try each nameserver in order (resolver behaviour): first that replies wins."""
        for s in servers:
            a = self.query(s, qname, qtype)
            if a is not None:
                return s, a
        return None, None


@dataclass
class Step:
    qname: str
    qtype: str
    server: str | None
    answer: records.Answer | None      # None = timed out


@dataclass
class Lookup:
    """The outcome of a libc-style search walk."""
    name: str
    steps: list[Step]
    final: Step | None                 # the step that succeeded, if any

    @property
    def ok(self) -> bool:
        return self.final is not None

    def addresses(self) -> list[str]:
        return self.final.answer.addresses() if self.final else []


def search_walk(dns: Dns, rc: ResolvConf, name: str, qtypes=("A",)) -> Lookup:
    """Query each search candidate until one has records of the asked types.

    Continues on NXDOMAIN / NODATA / SERVFAIL; a timeout on every server stops the walk
    (glibc gives up: the lookup fails with a try-again error).
    """
    steps: list[Step] = []
    for cand in search_candidates(name, rc.search, rc.ndots):
        got = False
        for qt in qtypes:
            server, ans = dns.first_answer(rc.nameservers, cand, qt)
            step = Step(cand, qt, server, ans)
            steps.append(step)
            if ans is None:
                return Lookup(name, steps, None)
            if ans.rcode == records.NOERROR and any(rr.rtype == records.qtype_int(qt) for rr in ans.answer):
                got = True
                final = step
        if got:
            return Lookup(name, steps, final)
    return Lookup(name, steps, None)


def reverse_lookup(dns: Dns, rc: ResolvConf, ip: str) -> str | None:
    """getnameinfo(NI_NAMEREQD): the first PTR target, without the trailing dot."""
    _server, ans = dns.first_answer(rc.nameservers, records.reverse_name(ip), "PTR")
    if ans is None or ans.rcode != records.NOERROR:
        return None
    for rr in ans.answer:
        if rr.rtype == records.T_PTR:
            return str(rr.rdata.label).rstrip(".")
    return None


def hosts_lookup(hosts_text: str, name: str) -> str | None:
    """/etc/hosts is consulted before DNS (nsswitch `files dns`)."""
    n = name.rstrip(".").lower()
    for line in hosts_text.splitlines():
        parts = line.split("#", 1)[0].split()
        if len(parts) >= 2 and n in (p.lower() for p in parts[1:]) and ":" not in parts[0]:
            return parts[0]
    return None
