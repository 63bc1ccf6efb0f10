"""The Kubernetes DNS specification as CoreDNS's `kubernetes` plugin answers it.

One function, `answer(view, qname, qtype)`, is the single source of truth used by the real DNS
server, by the simulated in-pod tools (nslookup, dig, host, wget...) and by `dns explain`.
Rules and their sources: /work/shared/reference/dns-proxy.md sections 1-2 (parse.go name grammar,
findServices/findPods, reverse.go, backend_lookup.go SRV/SOA, loadbalance.go). Names outside the
cluster zones go to a simulated upstream built from the profile's `upstream` records, then the
simulated Internet (minikctl/net/internet.py: public names at stable addresses, the rest NXDOMAIN).
"""
from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass, field

from minikctl import timeutil
from minikctl.net.dns.corefile import DnsConfig, config_from_view
from minikctl import lazy

A = lazy.function("dnslib", "A")
AAAA = lazy.function("dnslib", "AAAA")
CNAME = lazy.function("dnslib", "CNAME")
DNSHeader = lazy.function("dnslib", "DNSHeader")
DNSQuestion = lazy.function("dnslib", "DNSQuestion")
DNSRecord = lazy.function("dnslib", "DNSRecord")
EDNS0 = lazy.function("dnslib", "EDNS0")
MX = lazy.function("dnslib", "MX")
NS = lazy.function("dnslib", "NS")
PTR = lazy.function("dnslib", "PTR")
RR = lazy.function("dnslib", "RR")
SOA = lazy.function("dnslib", "SOA")
SRV = lazy.function("dnslib", "SRV")
TXT = lazy.function("dnslib", "TXT")
net = lazy.module("minikctl.net.internet")
dnslib = lazy.module("dnslib")

NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED = 0, 1, 2, 3, 4, 5
RCODE_NAMES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
T_A, T_NS, T_CNAME, T_SOA, T_PTR, T_MX, T_TXT, T_AAAA, T_SRV = 1, 2, 5, 6, 12, 15, 16, 28, 33
T_AXFR, T_IXFR = 252, 251
DNS_VERSION = "1.1.0"
ROOT_SOA = ("a.root-servers.net.", "nstld.verisign-grs.com.", 1800, 900, 604800, 86400)


@dataclass
class Answer:
    """One DNS reply: rcode, header flags and the three sections (dnslib RRs).

    `origins` runs parallel to `answer`: a readable note of what produced each record
    (Service, EndpointSlice endpoint, pod, upstream) for `dns explain`.
    """
    rcode: int = NOERROR
    aa: bool = True
    ra: bool = False
    answer: list = field(default_factory=list)
    authority: list = field(default_factory=list)
    additional: list = field(default_factory=list)
    origins: list = field(default_factory=list)
    note: str = ""              # why: "headless Service with no ready endpoints", ...

    @property
    def flags(self) -> str:
        f = ["qr"] + (["aa"] if self.aa else []) + ["rd"] + (["ra"] if self.ra else [])
        return " ".join(f)

    @property
    def rcode_name(self) -> str:
        return RCODE_NAMES.get(self.rcode, str(self.rcode))

    def add(self, rr, origin: str = "") -> None:
        self.answer.append(rr)
        self.origins.append(origin)

    def records(self, rtype: int) -> list:
        return [rr for rr in self.answer if rr.rtype == rtype]

    def addresses(self) -> list[str]:
        return [str(rr.rdata) for rr in self.answer if rr.rtype in (T_A, T_AAAA)]


def qtype_int(qtype) -> int:
    if isinstance(qtype, int):
        return qtype
    return int(getattr(dnslib.QTYPE, str(qtype).upper()))


def to_message(ans: Answer, qname: str, qtype, *, rd: int = 1, qclass: int = 1, udp_len: int | None = None):
    """The reply as a dnslib DNSRecord (id 0): flags, question, the three sections, and an OPT
    record of `udp_len` when the query carried one. The DNS server packs it; dig reports its size."""
    rec = DNSRecord(DNSHeader(id=0, qr=1, aa=int(ans.aa), rd=rd, ra=int(ans.ra), rcode=ans.rcode))
    rec.add_question(DNSQuestion(qname, qtype_int(qtype), qclass))
    for rr in ans.answer:
        rec.add_answer(rr)
    for rr in ans.authority:
        rec.add_auth(rr)
    for rr in ans.additional:
        rec.add_ar(rr)
    if udp_len is not None:
        rec.add_ar(EDNS0(udp_len=udp_len))
    return rec


def qtype_name(qtype: int) -> str:
    try:
        return dnslib.QTYPE[qtype]
    except Exception:
        return f"TYPE{qtype}"


# ---------------------------------------------------------------------------------------------
# The index: what CoreDNS's informers hold, built once per view snapshot.

@dataclass
class Endpoint:
    ip: str
    name: str               # endpoint hostname, else the dashed IP
    hostname: str | None
    ready: bool
    slice: str
    target: dict | None     # targetRef
    ports: list             # the slice's ports


class Index:
    """Services, endpoints and reverse maps of one cluster state (one informer sync)."""

    def __init__(self, view):
        self.view = view
        self.cfg: DnsConfig = config_from_view(view)
        self.services: dict[tuple[str, str], dict] = {}
        self.namespaces: set[str] = {n["metadata"]["name"] for n in view.list("Namespace")}
        stamps = []
        for s in view.list("Service"):
            m = s["metadata"]
            self.services[(m.get("namespace", "default"), m["name"])] = s
            stamps.append(m.get("creationTimestamp"))
        if not self.namespaces:       # a bare test state without Namespace objects
            self.namespaces = {k[0] for k in self.services}
        self.endpoints: dict[tuple[str, str], list[Endpoint]] = {}
        for sl in view.list("EndpointSlice"):
            m = sl["metadata"]
            svc = (m.get("labels") or {}).get("kubernetes.io/service-name")
            if not svc:
                continue
            stamps.append(m.get("creationTimestamp"))
            ns = m.get("namespace", "default")
            pnr = bool(((self.services.get((ns, svc)) or {}).get("spec") or {}).get("publishNotReadyAddresses"))
            lst = self.endpoints.setdefault((ns, svc), [])
            for ep in sl.get("endpoints") or []:
                ready = (ep.get("conditions") or {}).get("ready")
                ok = ready is None or ready is True or pnr
                for ip in ep.get("addresses") or []:
                    lst.append(Endpoint(ip, endpoint_name(ip, ep.get("hostname")), ep.get("hostname"),
                                        ok, m["name"], ep.get("targetRef"), sl.get("ports") or []))
        # reverse maps: ClusterIP -> first service; endpoint IP -> one PTR per service
        self.cluster_ip: dict[str, tuple[str, str]] = {}
        for key, s in self.services.items():
            for ip in cluster_ips(s):
                self.cluster_ip.setdefault(ip, key)
        self.endpoint_ip: dict[str, list[tuple[Endpoint, str, str]]] = {}
        for (ns, svc), eps in self.endpoints.items():
            if (ns, svc) not in self.services:
                continue
            seen = set()
            for e in eps:
                if e.ready and (e.ip, e.name) not in seen:
                    seen.add((e.ip, e.name))
                    self.endpoint_ip.setdefault(e.ip, []).append((e, ns, svc))
        self.pod_ips = {(p["metadata"].get("namespace"), ip)
                        for p in view.list("Pod") for ip in pod_ips(p)} if self.cfg.pods == "verified" else set()
        self.serial = max((int(timeutil.parse(t)) for t in stamps if t), default=int(view.now))
        up = view.profile.get("upstream") or {}
        self.upstream_ns = up.get("nameserver", "")
        self.upstream = {k.lower().rstrip("."): v for k, v in (up.get("records") or {}).items()}
        self.upstream_servers = {ip: {k.lower().rstrip("."): v for k, v in (recs or {}).items()}
                                 for ip, recs in (up.get("servers") or {}).items()}

    def ready_endpoints(self, ns: str, svc: str) -> list[Endpoint]:
        return [e for e in self.endpoints.get((ns, svc), []) if e.ready]


def endpoint_name(ip: str, hostname: str | None) -> str:
    """CoreDNS endpointHostname: the endpoint's hostname, else the IP with '.'/':' -> '-'."""
    if hostname:
        return hostname
    if ":" in ip:
        return ip.replace(":", "-")
    return ip.replace(".", "-")


def cluster_ips(svc: dict) -> list[str]:
    spec = svc.get("spec") or {}
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return [ip for ip in ips if ip and ip != "None"]


def pod_ips(pod: dict) -> list[str]:
    st = pod.get("status") or {}
    ips = [x.get("ip") for x in st.get("podIPs") or [] if x.get("ip")]
    return ips or ([st["podIP"]] if st.get("podIP") else [])


def is_headless(svc: dict) -> bool:
    return (svc.get("spec") or {}).get("clusterIP") == "None"


def is_external(svc: dict) -> bool:
    return (svc.get("spec") or {}).get("type") == "ExternalName"


# ---------------------------------------------------------------------------------------------
# RR helpers

def _rr(owner: str, rtype: int, ttl: int, value):
    if rtype == T_A:
        rdata = A(value)
    elif rtype == T_AAAA:
        rdata = AAAA(value)
    elif rtype == T_CNAME:
        rdata = CNAME(value)
    elif rtype == T_PTR:
        rdata = PTR(value)
    elif rtype == T_NS:
        rdata = NS(value)
    elif rtype == T_TXT:
        rdata = TXT(value)
    elif rtype == T_SRV:
        rdata = SRV(*value)
    elif rtype == T_MX:
        rdata = MX(value[1], value[0])
    elif rtype == T_SOA:
        rdata = SOA(value[0], value[1], value[2:])
    else:
        raise ValueError(rtype)
    return RR(owner, rtype, ttl=ttl, rdata=rdata)


def _fqdn(name: str) -> str:
    return name if name.endswith(".") else name + "."


def _addr_type(ip: str) -> int:
    return T_AAAA if ":" in ip else T_A


def _soa(idx: Index, zone: str):
    ttl = idx.cfg.ttl
    z = _fqdn(zone) if zone else "."
    mname = "ns.dns." + z if zone else "ns.dns."
    return _rr(z, T_SOA, min(ttl, 300), (mname, "hostmaster." + z, idx.serial, 7200, 1800, 86400, ttl))


def _negative(idx: Index, zone: str, rcode: int, note: str) -> Answer:
    a = Answer(rcode=rcode, aa=True, note=note)
    a.authority.append(_soa(idx, zone))
    return a


# ---------------------------------------------------------------------------------------------
# The entry point

def answer(view, qname: str, qtype, index: Index | None = None, shuffle: bool = True) -> Answer:
    """What CoreDNS (configured by the coredns ConfigMap) replies to one question."""
    idx = index or Index(view)
    qt = qtype_int(qtype)
    orig = _fqdn(qname) if qname not in ("", ".") else "."
    q = orig.rstrip(".").lower()
    ans = _resolve(idx, q, orig, qt, depth=0)
    if shuffle and idx.cfg.loadbalance and ans.rcode == NOERROR:
        shuffle_answer(ans, view.rng)
    return ans


def shuffle_answer(ans: Answer, rng) -> None:
    """loadbalance round_robin: permute A/AAAA/MX per section, CNAMEs first, others in place."""
    for sect, with_origins in ((ans.answer, True), (ans.authority, False), (ans.additional, False)):
        pairs = list(zip(sect, ans.origins if with_origins else [""] * len(sect)))
        cname = [p for p in pairs if p[0].rtype == T_CNAME]
        addr = [p for p in pairs if p[0].rtype in (T_A, T_AAAA, T_MX)]
        rest = [p for p in pairs if p[0].rtype not in (T_CNAME, T_A, T_AAAA, T_MX)]
        if len(addr) < 2:
            continue
        rng.shuffle(addr)
        new = cname + rest + addr
        sect[:] = [p[0] for p in new]
        if with_origins:
            ans.origins[:] = [p[1] for p in new]


def _zone_of(q: str, zones) -> str | None:
    best = None
    for z in zones:
        if z == "" or q == z or q.endswith("." + z):
            if best is None or len(z) > len(best):
                best = z
    return best


def _resolve(idx: Index, q: str, orig: str, qt: int, depth: int) -> Answer:
    cfg = idx.cfg
    stub = _zone_of(q, [z for z in cfg.stubs if z])
    if stub is not None:
        return forward(idx, q, orig, qt, cfg.stubs[stub], depth)
    if qt in (T_AXFR, T_IXFR):
        zone = _zone_of(q, cfg.k8s_zones) if cfg.kubernetes else None
        if zone is not None:
            return Answer(rcode=REFUSED, aa=False, note="zone transfer needs the transfer plugin")
    if cfg.kubernetes:
        zone = _zone_of(q, cfg.k8s_zones)
        if zone is not None:
            if zone.endswith("arpa"):
                ans = _reverse(idx, q, orig, qt, zone)
            else:
                ans = _cluster(idx, q, orig, qt, zone, depth)
            if ans is not None:
                return ans
            if cfg.falls_through(zone):
                return forward(idx, q, orig, qt, cfg.forward, depth)
            return _negative(idx, zone, NXDOMAIN, "no record in the kubernetes zone")
    return forward(idx, q, orig, qt, cfg.forward, depth)


# ---------------------------------------------------------------------------------------------
# cluster.local

def _cluster(idx: Index, q: str, orig: str, qt: int, zone: str, depth: int) -> Answer | None:
    ttl = idx.cfg.ttl
    rest = q[: -len(zone) - 1] if q != zone else ""
    if rest == "":
        return _apex(idx, orig, qt, zone)
    if rest == "dns-version":
        if qt == T_TXT:
            a = Answer()
            a.add(_rr(orig, T_TXT, 28800, DNS_VERSION), "the Kubernetes DNS schema version")
            return a
        return _negative(idx, zone, NOERROR, "dns-version has only a TXT record")
    labels = rest.split(".")
    kind = labels[-1]
    if kind not in ("svc", "pod"):
        return _negative(idx, zone, NXDOMAIN, f"'{kind}' is neither 'svc' nor 'pod'")
    if len(labels) == 1:
        return _negative(idx, zone, NOERROR, f"{kind}.{zone} exists but holds no records")
    ns = labels[-2]
    if len(labels) == 2:
        if ns in idx.namespaces:
            return _negative(idx, zone, NOERROR, f"namespace {ns} exists but the name holds no records")
        return _negative(idx, zone, NXDOMAIN, f"namespace {ns} does not exist")
    name = labels[-3]
    extra = labels[:-3]
    if len(extra) > 2:
        return _negative(idx, zone, NXDOMAIN, "too many labels before the service name")
    if ns not in idx.namespaces:
        return _negative(idx, zone, NXDOMAIN, f"namespace {ns} does not exist")
    if kind == "pod":
        return _pod(idx, orig, qt, zone, ns, name, extra)
    endpoint = extra[0] if len(extra) == 1 else ""
    port = proto = ""
    if len(extra) == 2:
        port, proto = extra[0].lstrip("_"), extra[1].lstrip("_")
    svc = idx.services.get((ns, name))
    if svc is None:
        return _negative(idx, zone, NXDOMAIN, f"no Service {ns}/{name}")
    if is_external(svc):
        return _external(idx, svc, orig, qt, zone, endpoint or port, depth)
    items = _service_items(idx, svc, ns, name, endpoint, port, proto, zone)
    if not items:
        why = _empty_reason(idx, svc, ns, name, endpoint, port)
        return _negative(idx, zone, NXDOMAIN, why)
    a = Answer()
    if qt in (T_A, T_AAAA):
        seen = set()
        for ip, _target, _p, origin in items:
            if _addr_type(ip) == qt and ip not in seen:
                seen.add(ip)
                a.add(_rr(orig, qt, ttl, ip), origin)
    elif qt == T_SRV:
        n = len(items)
        weight = max(1, 100 // n)
        seen = set()
        extra_seen = set()
        for ip, target, p, origin in items:
            if p is None or (target, p.get("port")) in seen:
                continue
            seen.add((target, p.get("port")))
            a.add(_rr(orig, T_SRV, ttl, (0, weight, int(p.get("port")), target)), origin)
            if (target, ip) not in extra_seen:
                extra_seen.add((target, ip))
                a.additional.append(_rr(target, _addr_type(ip), ttl, ip))
    if not a.answer:
        a.authority.append(_soa(idx, zone))
        a.note = f"{qtype_name(qt)}: the name exists but has no such record (NODATA)"
    return a


def _service_items(idx: Index, svc, ns, name, endpoint, port, proto, zone):
    """(ip, SRV target, port dict, origin) per endpoint-or-ClusterIP x matching port."""
    fq = f"{name}.{ns}.svc.{zone}."
    ports = (svc.get("spec") or {}).get("ports") or []

    def match(p) -> bool:
        return ((not port or (p.get("name") or "").lower() == port)
                and (not proto or (p.get("protocol") or "TCP").lower() == proto))

    items = []
    if not endpoint and not is_headless(svc):
        for ip in cluster_ips(svc):
            for p in ports:
                if match(p):
                    items.append((ip, fq, p, f"Service {ns}/{name} ClusterIP"))
            if not ports and not port:
                items.append((ip, fq, None, f"Service {ns}/{name} ClusterIP"))
        return items
    for e in idx.ready_endpoints(ns, name):
        if endpoint and e.name.lower() != endpoint:
            continue
        target = f"{e.name}.{fq}"
        who = f"pod {e.target.get('name')}" if e.target and e.target.get("kind") == "Pod" else "no pod"
        origin = f"EndpointSlice {ns}/{e.slice} endpoint {e.ip} ({who})"
        eports = e.ports or []
        matched = [p for p in eports if match(p)]
        if matched:
            items.extend((e.ip, target, p, origin) for p in matched)
        elif not eports and not port:
            items.append((e.ip, target, None, origin))
    return items


def _empty_reason(idx: Index, svc, ns, name, endpoint, port) -> str:
    if endpoint:
        return f"no ready endpoint named '{endpoint}' in Service {ns}/{name}"
    if port:
        return f"Service {ns}/{name} has no port named '{port}' with that protocol"
    if is_headless(svc):
        total = len(idx.endpoints.get((ns, name), []))
        return (f"headless Service {ns}/{name} has no ready endpoints"
                + (f" ({total} not ready)" if total else ""))
    return f"Service {ns}/{name} has no ClusterIP"


def _external(idx: Index, svc, orig, qt, zone, sub, depth) -> Answer:
    ns, name = svc["metadata"].get("namespace"), svc["metadata"]["name"]
    if sub:
        return _negative(idx, zone, NXDOMAIN, "ExternalName Services have no endpoint or port names")
    target = _fqdn((svc.get("spec") or {}).get("externalName", "").lower())
    if qt not in (T_A, T_AAAA, T_CNAME):
        return _negative(idx, zone, NOERROR, "ExternalName Services answer only A/AAAA/CNAME")
    a = Answer()
    a.add(_rr(orig, T_CNAME, idx.cfg.ttl, target), f"ExternalName Service {ns}/{name}")
    if qt != T_CNAME and depth < 8:
        sub_ans = _resolve(idx, target.rstrip("."), target, qt, depth + 1)
        if sub_ans.rcode == NOERROR:
            for rr, origin in zip(sub_ans.answer, sub_ans.origins):
                a.add(rr, origin)
    return a


def _pod(idx: Index, orig, qt, zone, ns, label, extra) -> Answer:
    mode = idx.cfg.pods
    if mode not in ("insecure", "verified"):
        return _negative(idx, zone, NXDOMAIN, "pod records are disabled (pods disabled)")
    if extra:
        return _negative(idx, zone, NXDOMAIN, "too many labels for a pod name")
    if label.count("-") == 3 and "--" not in label:
        text = label.replace("-", ".")
    else:
        text = label.replace("-", ":")
    try:
        ip = str(ipaddress.ip_address(text))
    except ValueError:
        return _negative(idx, zone, NXDOMAIN, f"'{label}' is not a dashed IP address")
    if mode == "verified" and (ns, ip) not in idx.pod_ips:
        return _negative(idx, zone, NXDOMAIN, f"no pod with IP {ip} in namespace {ns} (pods verified)")
    a = Answer()
    if _addr_type(ip) == qt:
        a.add(_rr(orig, qt, idx.cfg.ttl, ip), f"pod record, IP parsed from the name (pods {mode})")
    else:
        a.authority.append(_soa(idx, zone))
    return a


def _apex(idx: Index, orig, qt, zone) -> Answer:
    a = Answer()
    if qt == T_SOA:
        a.add(_soa(idx, zone), "zone apex")
    elif qt == T_NS:
        dns = idx.services.get(("kube-system", "kube-dns"))
        if dns and cluster_ips(dns):
            target = f"kube-dns.kube-system.svc.{zone}."
            ip = cluster_ips(dns)[0]
        else:
            target, ip = f"ns.dns.{zone}.", idx.view.profile.get("dnsServiceIP", "10.96.0.10")
        a.add(_rr(orig, T_NS, idx.cfg.ttl, target), "the DNS service itself")
        a.additional.append(_rr(target, _addr_type(ip), idx.cfg.ttl, ip))
    else:
        a.authority.append(_soa(idx, zone))
    return a


# ---------------------------------------------------------------------------------------------
# reverse zones

def reverse_ip(q: str, zone: str) -> str | None:
    labels = q[: -len(zone) - 1].split(".") if q != zone else []
    try:
        if zone == "in-addr.arpa" and len(labels) == 4:
            return str(ipaddress.IPv4Address(".".join(reversed(labels))))
        if zone == "ip6.arpa" and len(labels) == 32:
            h = "".join(reversed(labels))
            return str(ipaddress.IPv6Address(":".join(h[i:i + 4] for i in range(0, 32, 4))))
    except ValueError:
        return None
    return None


def reverse_name(ip: str) -> str:
    return ipaddress.ip_address(ip).reverse_pointer + "."


def _reverse(idx: Index, q, orig, qt, zone) -> Answer | None:
    ip = reverse_ip(q, zone)
    if ip is None:
        return None
    ttl = idx.cfg.ttl
    a = Answer()
    domain = idx.cfg.cluster_zone
    if ip in idx.cluster_ip:
        ns, name = idx.cluster_ip[ip]
        if qt == T_PTR:
            a.add(_rr(orig, T_PTR, ttl, f"{name}.{ns}.svc.{domain}."), f"ClusterIP of Service {ns}/{name}")
    elif ip in idx.endpoint_ip:
        if qt == T_PTR:
            for e, ns, svc in idx.endpoint_ip[ip]:
                a.add(_rr(orig, T_PTR, ttl, f"{e.name}.{svc}.{ns}.svc.{domain}."),
                      f"EndpointSlice {ns}/{e.slice} endpoint {e.ip} of Service {ns}/{svc}")
    else:
        return None
    if not a.answer:
        a.authority.append(_soa(idx, zone))
    return a


# ---------------------------------------------------------------------------------------------
# the simulated upstream (forward plugin)

def forward(idx: Index, q: str, orig: str, qt: int, targets, depth: int = 0) -> Answer:
    """What the forward plugin gets back from its upstream: records from the profile only."""
    if not targets:
        return Answer(rcode=SERVFAIL, aa=False, ra=False, note="no plugin handles this name (no forward)")
    records = None
    internet = False
    for t in targets:
        t = t.split("://")[-1]
        if t == "/etc/resolv.conf" or t.split(":")[0] == idx.upstream_ns:
            records = idx.upstream
            internet = True      # the nodes' resolver reaches the (simulated) Internet
            break
        if t.split(":")[0] in idx.upstream_servers:
            records = idx.upstream_servers[t.split(":")[0]]
            break
    if records is None:
        return Answer(rcode=SERVFAIL, aa=False, ra=True, note=f"upstream {' '.join(targets)} unreachable")
    ttl = min(idx.cfg.cache, 300) if idx.cfg.cache else 300
    a = Answer(aa=False, ra=True)
    name, owner = q, orig
    for _ in range(8):
        spec = records.get(name)
        if spec is None and internet:
            spec = net.record(name)
        if spec is None:
            if not a.answer:
                a.rcode = NXDOMAIN
                a.note = f"the upstream has no record for {name}"
                ser = time.strftime("%Y%m%d00", time.gmtime(idx.view.now))
                a.authority.append(_rr(".", T_SOA, 86400, (ROOT_SOA[0], ROOT_SOA[1], int(ser)) + ROOT_SOA[2:]))
            return a
        rttl = min(int(spec.get("ttl", ttl)), ttl)
        if "CNAME" in spec and qt != T_CNAME:
            target = _fqdn(str(spec["CNAME"]).lower())
            a.add(_rr(owner, T_CNAME, rttl, target), "upstream resolver")
            name, owner = target.rstrip("."), target
            continue
        tname = qtype_name(qt)
        for v in spec.get(tname, []) if isinstance(spec.get(tname), list) else (
                [spec[tname]] if tname in spec else []):
            val = _fqdn(v) if qt in (T_CNAME, T_PTR, T_NS) else v
            a.add(_rr(owner, qt, rttl, val), "upstream resolver")
        return a
    return a
