"""NetworkPolicy enforcement: may this connection pass, and which policy decided?

The semantics are the upstream ones (kubernetes.io "Network Policies", the e2e netpol suite,
cyclonus' truth tables), which Calico implements for everything modelled here:

* A pod is isolated for ingress (egress) when at least one policy in its namespace selects it
  with `Ingress` (`Egress`) in policyTypes. A pod nobody isolates allows that direction.
* A connection passes when the source's egress allows it AND the destination's ingress allows
  it; policies are additive: any rule of any policy selecting the pod may allow it.
* A rule matches when one of its peers matches the other end (none listed: any peer) and one of
  its ports matches (none listed: any port and protocol). Peers: podSelector alone means pods of
  the policy's namespace; namespaceSelector alone means every pod of the selected namespaces;
  both in one peer means the selected pods of the selected namespaces; ipBlock is an address
  range minus `except` (Calico applies it to pod IPs too). Only ipBlock can match a non-pod
  (a node, an outside address, a hostNetwork pod).
* Ports: protocol (default TCP), a number, a range port..endPort, or a named port, which is
  looked up in the destination pod's container ports. Rules with ports never match ICMP.
* Exceptions from the docs: a pod can always reach itself, and traffic between a pod and the
  node it runs on is always allowed. hostNetwork pods are not subject to policies.
* Policies see the connection after kube-proxy's DNAT: the backend pod's IP and targetPort.

`Policies(view)` compiles the policies once (selected pods, peer matches memoised), so that one
index answers many questions (the 100x100 benchmark); `for_view(view)` reuses it per command.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from minikctl.api.selectors import label_selector_matches
from minikctl import lazy

R = lazy.module("minikctl.net.proxy.rules")
balancer = lazy.module("minikctl.net.proxy.balancer")
parse_cidr = lazy.function("minikctl.api.validation.networking", "parse_cidr")


@dataclass(frozen=True)
class End:
    """One end of a connection: its IP, the pod behind it (None for a node, an outside address
    or a hostNetwork pod) and the node it sits on (None outside the cluster)."""
    ip: str | None
    pod: dict | None = None
    node: str | None = None

    @property
    def key(self) -> str:
        if self.pod is not None:
            m = self.pod["metadata"]
            return f"{m.get('namespace')}/{m['name']}"
        return self.ip or "?"


def end_of_pod(view, pod: dict) -> End:
    spec, st = pod.get("spec") or {}, pod.get("status") or {}
    node = spec.get("nodeName")
    if spec.get("hostNetwork"):
        return End(R.node_ip(view, node) if node else st.get("podIP"), None, node)
    return End(st.get("podIP"), pod, node)


def end_of_ip(view, ip: str) -> End:
    """An address as policies see it: a pod's, a node's, or an outside one."""
    pod = balancer._pod_by_ip(view, ip)
    if pod is not None:
        return End(ip, pod, (pod.get("spec") or {}).get("nodeName"))
    return End(ip, None, balancer._node_owning(view, ip))


def end_of(view, src) -> End:
    """A traffic source as `traffic.connect` takes it: a pod dict or a node name."""
    if isinstance(src, dict):
        return end_of_pod(view, src)
    return End(R.node_ip(view, src), None, src)


# ---------------------------------------------------------------------------------------------
# Verdicts


@dataclass
class Side:
    """One direction's decision: egress of the source or ingress of the destination."""
    direction: str                                     # 'egress' | 'ingress'
    pod: str | None = None                             # 'ns/name' whose policies were read
    isolating: list[str] = field(default_factory=list)  # policies selecting it for this direction
    allowing: list[str] = field(default_factory=list)   # those with a rule that matched
    exempt: str = ""                                   # why no policy applies at all
    rules: list[str] = field(default_factory=list)     # per rule: 'ns/name ingress[0]: matches' ...

    @property
    def allowed(self) -> bool:
        return bool(self.exempt) or not self.isolating or bool(self.allowing)

    def text(self) -> str:
        who = f"{self.direction} of {self.pod}" if self.pod else self.direction
        if self.exempt:
            return f"{who}: {self.exempt}"
        if not self.isolating:
            return f"{who}: not isolated (no policy selects it for {self.direction.capitalize()})"
        if self.allowing:
            return f"{who}: allowed by {', '.join(self.allowing)}"
        return f"{who}: isolated by {', '.join(self.isolating)}, and no rule allows this connection"


@dataclass
class Verdict:
    egress: Side
    ingress: Side
    flow: str = ""                                     # 'src -> dst:port/PROTO'

    @property
    def allowed(self) -> bool:
        return self.egress.allowed and self.ingress.allowed

    @property
    def involved(self) -> bool:
        """Did any policy take part (isolate either end)?"""
        return bool(self.egress.isolating or self.ingress.isolating)

    @property
    def deciding(self) -> Side:
        """The side that dropped it (egress is checked first), or the ingress side."""
        return self.egress if not self.egress.allowed else self.ingress

    def summary(self) -> str:
        if self.allowed:
            return f"allowed: {self.egress.text()}; {self.ingress.text()}"
        return f"DROPPED: {self.deciding.text()}"


# ---------------------------------------------------------------------------------------------
# Compiled policies


def _net(text: str):
    return parse_cidr(text)


class _Peer:
    __slots__ = ("pod_sel", "ns_sel", "net", "excepts", "policy_ns")

    def __init__(self, peer: dict, policy_ns: str):
        self.policy_ns = policy_ns
        self.pod_sel = peer.get("podSelector")
        self.ns_sel = peer.get("namespaceSelector")
        ipb = peer.get("ipBlock")
        self.net = _net(ipb.get("cidr") or "") if ipb else None
        self.excepts = [n for n in (_net(e) for e in (ipb or {}).get("except") or []) if n is not None]


class _Rule:
    __slots__ = ("peers", "ports", "index")

    def __init__(self, rule: dict, peers_key: str, ns: str, index: int):
        self.index = index
        listed = rule.get(peers_key)
        self.peers = [_Peer(p or {}, ns) for p in listed] if listed else None   # None: any peer
        self.ports = list(rule.get("ports") or []) or None                       # None: any port


class _Policy:
    __slots__ = ("name", "ns", "selector", "types", "ingress", "egress")

    def __init__(self, np: dict):
        m, spec = np["metadata"], np.get("spec") or {}
        self.ns = m.get("namespace") or "default"
        self.name = f"{self.ns}/{m['name']}"
        self.selector = spec.get("podSelector") or {}
        types = spec.get("policyTypes") or (["Ingress"] + (["Egress"] if spec.get("egress") else []))
        self.types = set(types)
        self.ingress = [_Rule(r or {}, "from", self.ns, i) for i, r in enumerate(spec.get("ingress") or [])]
        self.egress = [_Rule(r or {}, "to", self.ns, i) for i, r in enumerate(spec.get("egress") or [])]


def _live(pod: dict) -> bool:
    return not (pod.get("spec") or {}).get("hostNetwork")


class Policies:
    """The cluster's NetworkPolicies, compiled for many questions on one state."""

    def __init__(self, view):
        self.view = view
        self.policies = [_Policy(p) for p in view.list("NetworkPolicy")]
        self.ns_labels = {n["metadata"]["name"]: (n["metadata"].get("labels") or {}) for n in view.list("Namespace")}
        self._selecting: dict[tuple[str, str], list[_Policy]] = {}
        self._peer_memo: dict[tuple[int, str], bool] = {}
        self._by_ns: dict[str, list[_Policy]] = {}
        for p in self.policies:
            self._by_ns.setdefault(p.ns, []).append(p)

    # -- which policies isolate a pod -----------------------------------------------------------

    def selecting(self, pod: dict, direction: str) -> list[_Policy]:
        m = pod["metadata"]
        key = (f"{m.get('namespace')}/{m['name']}", direction)
        got = self._selecting.get(key)
        if got is None:
            t = "Ingress" if direction == "ingress" else "Egress"
            labels = m.get("labels") or {}
            got = [p for p in self._by_ns.get(m.get("namespace") or "default", [])
                   if t in p.types and label_selector_matches(p.selector, labels)]
            self._selecting[key] = got
        return got

    # -- matching -------------------------------------------------------------------------------

    def _ns_matches(self, sel: dict, ns: str) -> bool:
        return label_selector_matches(sel, self.ns_labels.get(ns, {"kubernetes.io/metadata.name": ns}))

    def _peer_matches(self, peer: _Peer, other: End) -> bool:
        if peer.net is not None:
            if not other.ip:
                return False
            try:
                ip = ipaddress.ip_address(other.ip)
            except ValueError:
                return False
            return ip.version == peer.net.version and ip in peer.net and \
                not any(ip.version == e.version and ip in e for e in peer.excepts)
        if other.pod is None:
            return False
        memo_key = (id(peer), other.key)
        hit = self._peer_memo.get(memo_key)
        if hit is not None:
            return hit
        m = other.pod["metadata"]
        ns = m.get("namespace") or "default"
        if peer.ns_sel is not None:
            ok = self._ns_matches(peer.ns_sel, ns)
        else:
            ok = ns == peer.policy_ns
        if ok and peer.pod_sel is not None:
            ok = label_selector_matches(peer.pod_sel, m.get("labels") or {})
        self._peer_memo[memo_key] = ok
        return ok

    @staticmethod
    def _port_matches(entry: dict, port: int | None, proto: str, dst: End) -> bool:
        if proto != (entry.get("protocol") or "TCP"):
            return False
        want = entry.get("port")
        if want is None:
            return True
        if port is None:
            return False
        if isinstance(want, int) and not isinstance(want, bool):
            end = entry.get("endPort")
            return want <= port <= end if end is not None else port == want
        if isinstance(want, str) and want.isdigit():
            return port == int(want)
        if dst.pod is None:
            return False
        for c in (dst.pod.get("spec") or {}).get("containers") or []:
            for cp in c.get("ports") or []:
                if cp.get("name") == want and cp.get("containerPort") == port \
                        and (cp.get("protocol") or "TCP") == proto:
                    return True
        return False

    def _rule_matches(self, rule: _Rule, other: End, port: int | None, proto: str, dst: End) -> bool:
        return not self._rule_miss(rule, other, port, proto, dst)

    def _rule_miss(self, rule: _Rule, other: End, port: int | None, proto: str, dst: End) -> str:
        """'' when the rule matches, else what did not match ('port', 'peer')."""
        if rule.ports is not None and not any(self._port_matches(e, port, proto, dst) for e in rule.ports):
            return "port"
        if rule.peers is None or any(self._peer_matches(p, other) for p in rule.peers):
            return ""
        return "peer"

    # -- the question ---------------------------------------------------------------------------

    def _side(self, direction: str, me: End, other: End, port: int | None, proto: str, dst: End,
              explain: bool = False) -> Side:
        side = Side(direction, me.key if me.pod is not None else None)
        if me.pod is None:
            side.exempt = "not a pod network endpoint (no policy applies)"
            return side
        if other.pod is not None and other.key == me.key:
            side.exempt = "a pod can always reach itself"
            return side
        if other.pod is None and other.node is not None and other.node == me.node \
                and other.ip and _is_node_ip(self.view, other.ip, me.node):
            side.exempt = f"traffic with its own node {me.node} is always allowed"
            return side
        isolating = self.selecting(me.pod, direction)
        side.isolating = [p.name for p in isolating]
        for p in isolating:
            rules = p.ingress if direction == "ingress" else p.egress
            if explain:
                if not rules:
                    side.rules.append(f"{p.name}: no {direction} rules (deny all {direction})")
                for r in rules:
                    miss = self._rule_miss(r, other, port, proto, dst)
                    what = {"": "matches", "port": "port/protocol not listed",
                            "peer": f"{'source' if direction == 'ingress' else 'destination'} not among its peers"}[miss]
                    side.rules.append(f"{p.name} {direction}[{r.index}]: {what}")
                    if not miss and p.name not in side.allowing:
                        side.allowing.append(p.name)
            elif any(self._rule_matches(r, other, port, proto, dst) for r in rules):
                side.allowing.append(p.name)
        return side

    def check(self, src: End, dst: End, port: int | None, proto: str = "TCP", explain: bool = False) -> Verdict:
        """May `src` open a connection to `dst` on port/proto (after DNAT)? With `explain`, each
        rule of each isolating policy says whether it matched."""
        egress = self._side("egress", src, dst, port, proto, dst, explain)
        ingress = self._side("ingress", dst, src, port, proto, dst, explain)
        where = f"{dst.ip}:{port}" if port is not None else f"{dst.ip}"
        return Verdict(egress, ingress, f"{src.key} ({src.ip}) -> {dst.key} {where}/{proto}")


def _is_node_ip(view, ip: str, node: str) -> bool:
    return R.node_ip(view, node) == ip


def for_view(view) -> Policies:
    """One compiled index per state: cached on a live cluster until a policy, pod or namespace
    changes; built afresh on other views."""
    memo = getattr(view, "memo", None)
    if memo is not None:
        return memo("netpol.index", ("NetworkPolicy", "Pod", "Namespace"), lambda: Policies(view))
    return Policies(view)


def any_policies(view) -> bool:
    return bool(view.list("NetworkPolicy"))


def check(view, src, dst_ip: str, port: int | None, proto: str = "TCP", dst_pod: dict | None = None,
          explain: bool = False) -> Verdict:
    """The verdict for a connection from `src` (a pod dict or a node name) to `dst_ip`
    (the backend pod, if known, as `dst_pod`)."""
    s = end_of(view, src)
    d = end_of_pod(view, dst_pod) if dst_pod is not None else end_of_ip(view, dst_ip)
    return for_view(view).check(s, d, port, proto, explain)


def why_lines(verdict: Verdict) -> list[str]:
    """The why view: both sides, every rule of every isolating policy, the outcome."""
    out = [f"{verdict.flow}"]
    for side in (verdict.egress, verdict.ingress):
        out.append(f"  {side.text()}")
        out += [f"    {r}" for r in side.rules]
    out.append("  => " + ("allowed" if verdict.allowed else
                          "dropped: the SYN is never answered (the client times out)"))
    return out
