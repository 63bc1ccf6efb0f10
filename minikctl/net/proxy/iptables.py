"""`iptables-save` on a node: the rules kube-proxy v1.32 (iptables mode) and kubelet leave there.

The rule set follows pkg/proxy/iptables/proxier.go `syncProxyRules` (v1.32): the jump rules
from the built-in chains, KUBE-SERVICES / KUBE-SVC / KUBE-SVL / KUBE-EXT / KUBE-FW / KUBE-SEP,
REJECT ("has no endpoints") and DROP ("has no local endpoints") rules in the filter table,
`-m recent` for ClientIP affinity, the nfacct counters, KUBE-FORWARD and KUBE-FIREWALL.

It is then printed the way iptables-save prints what the kernel holds, not the way kube-proxy
wrote it: header matches first (`[!] -s`, `-d`, `-p`, addresses with `/32`), then the match
modules in the order given, comments quoted by `xtables_save_string`, `--or-mark`/`--xor-mark`
as `--set-xmark`, and probabilities as libxt_statistic prints its stored 31-bit fraction
(`%.11f` of lround(2^31 * p)), which is why 1/3 shows up as 0.33333333349.
Chains: built-ins first, then user chains in name order (libiptc keeps them sorted).
Calico's own cali-* chains are not simulated.
"""
from __future__ import annotations

from datetime import datetime, timezone

from minikctl.net.proxy import rules as R
import ipaddress

MASQ_MARK = "0x4000"
CT_INVALID_COUNTER = "ct_state_invalid_dropped_pkts"      # metrics.IPTablesCTStateInvalidDroppedNFAcctCounter
LOCALHOST_NP_COUNTER = "localhost_nps_accepted_pkts"      # metrics.LocalhostNodePortAcceptedNFAcctCounter
DEFAULT_IPTABLES_VERSION = "v1.8.7"

_NO_QUOTE = set("_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def save_string(value: str) -> str:
    """xtables_save_string: bare when only [_-0-9A-Za-z], else double-quoted with escapes."""
    if value and all(c in _NO_QUOTE for c in value):
        return value
    return '"' + "".join("\\" + c if c in "\"\\'" else c for c in value) + '"'


def kernel_probability(n: int) -> str:
    """What iptables-save prints for kube-proxy's `--probability %0.10f` of 1/n."""
    written = float(f"{1.0 / n:0.10f}")
    stored = int(written * 0x80000000 + 0.5)          # lround, p > 0
    return f"{stored / 0x80000000:.11f}"


def _cidr(addr: str) -> str:
    return addr if "/" in addr else addr + "/32"


def comment(text: str) -> str:
    return "-m comment --comment " + save_string(text)


def rule(chain: str, *matches: str, src: str | None = None, not_src: str | None = None,
         dst: str | None = None, not_dst: str | None = None, proto: str | None = None,
         jump: str) -> str:
    """One `-A` line in iptables-save order (see module docstring)."""
    parts = ["-A", chain]
    if src:
        parts += ["-s", _cidr(src)]
    if not_src:
        parts += ["!", "-s", _cidr(not_src)]
    if dst:
        parts += ["-d", _cidr(dst)]
    if not_dst:
        parts += ["!", "-d", _cidr(not_dst)]
    if proto:
        parts += ["-p", proto]
    parts += [m for m in matches if m]
    parts += ["-j", jump]
    return " ".join(parts)


class Table:
    """Chains (with policies for built-ins) and their rules, in insertion order per chain."""

    def __init__(self, name: str, builtins: list[str]):
        self.name, self.builtins = name, builtins
        self.chains: dict[str, list[str]] = {b: [] for b in builtins}

    def chain(self, name: str) -> None:
        self.chains.setdefault(name, [])

    def add(self, chain: str, line: str) -> None:
        self.chain(chain)
        self.chains[chain].append(line)

    def render(self) -> list[str]:
        user = sorted(c for c in self.chains if c not in self.builtins)
        out = [f"*{self.name}"]
        out += [f":{b} ACCEPT [0:0]" for b in self.builtins]
        out += [f":{c} - [0:0]" for c in user]
        for c in self.builtins + user:
            out += self.chains[c]
        out.append("COMMIT")
        return out


def _mangle() -> Table:
    t = Table("mangle", ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"])
    for c in ("KUBE-IPTABLES-HINT", "KUBE-KUBELET-CANARY", "KUBE-PROXY-CANARY"):
        t.chain(c)
    return t


def _base_filter() -> Table:
    t = Table("filter", ["INPUT", "FORWARD", "OUTPUT"])
    new = "-m conntrack --ctstate NEW"
    # kube-proxy EnsureRule(Prepend) in iptablesJumpChains order, after kubelet's KUBE-FIREWALL
    jumps = {
        "INPUT": [(new, "kubernetes load balancer firewall", "KUBE-PROXY-FIREWALL"),
                  ("", "kubernetes health check service ports", "KUBE-NODEPORTS"),
                  (new, "kubernetes externally-visible service portals", "KUBE-EXTERNAL-SERVICES")],
        "FORWARD": [(new, "kubernetes load balancer firewall", "KUBE-PROXY-FIREWALL"),
                    ("", "kubernetes forwarding rules", "KUBE-FORWARD"),
                    (new, "kubernetes service portals", "KUBE-SERVICES"),
                    (new, "kubernetes externally-visible service portals", "KUBE-EXTERNAL-SERVICES")],
        "OUTPUT": [(new, "kubernetes load balancer firewall", "KUBE-PROXY-FIREWALL"),
                   (new, "kubernetes service portals", "KUBE-SERVICES")],
    }
    for chain, js in jumps.items():
        for ct, text, target in js:
            t.add(chain, rule(chain, ct, comment(text), jump=target))
    t.add("INPUT", rule("INPUT", jump="KUBE-FIREWALL"))
    t.add("OUTPUT", rule("OUTPUT", jump="KUBE-FIREWALL"))
    for c in ("KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-KUBELET-CANARY", "KUBE-NODEPORTS",
              "KUBE-PROXY-CANARY", "KUBE-PROXY-FIREWALL", "KUBE-SERVICES"):
        t.chain(c)
    t.add("KUBE-FIREWALL", rule(
        "KUBE-FIREWALL", comment("block incoming localnet connections"),
        "-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT",
        not_src="127.0.0.0/8", dst="127.0.0.0/8", jump="DROP"))
    return t


def _base_nat() -> Table:
    t = Table("nat", ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"])
    t.add("PREROUTING", rule("PREROUTING", comment("kubernetes service portals"), jump="KUBE-SERVICES"))
    t.add("OUTPUT", rule("OUTPUT", comment("kubernetes service portals"), jump="KUBE-SERVICES"))
    t.add("POSTROUTING", rule("POSTROUTING", comment("kubernetes postrouting rules"),
                              jump="KUBE-POSTROUTING"))
    for c in ("KUBE-KUBELET-CANARY", "KUBE-PROXY-CANARY", "KUBE-SERVICES", "KUBE-NODEPORTS"):
        t.chain(c)
    t.add("KUBE-POSTROUTING", rule("KUBE-POSTROUTING", f"-m mark ! --mark {MASQ_MARK}/{MASQ_MARK}",
                                   jump="RETURN"))
    t.add("KUBE-POSTROUTING", rule("KUBE-POSTROUTING", jump=f"MARK --set-xmark {MASQ_MARK}/0x0"))
    t.add("KUBE-POSTROUTING", rule("KUBE-POSTROUTING",
                                   comment("kubernetes service traffic requiring SNAT"),
                                   jump="MASQUERADE --random-fully"))
    t.add("KUBE-MARK-MASQ", rule("KUBE-MARK-MASQ", jump=f"MARK --set-xmark {MASQ_MARK}/{MASQ_MARK}"))
    return t


def _service(sp: R.ServicePort, node: str, node_ip: str | None, cluster_cidr: str | None,
             flt: Table, nat: Table) -> None:
    """The rules of one service port (the body of the per-service loop in syncProxyRules)."""
    name, p = sp.name_string, sp.proto
    cat = R.categorize(sp, node)
    has_any = cat.has_any
    svc, svl, ext, fw = R.svc_chain(sp), R.svl_chain(sp), R.ext_chain(sp), R.fw_chain(sp)
    has_internal = has_any and (not sp.internal_local or bool(cat.local))
    has_external = has_any and (not sp.external_local or bool(cat.local))
    internal_chain = svl if sp.internal_local else svc
    external_policy_chain = svl if sp.external_local else svc
    uses_ext = has_any and sp.externally_accessible
    uses_fw = has_any and bool(sp.lb_ips) and bool(sp.source_ranges)
    lb_chain = fw if uses_fw else ext
    if not has_any:
        int_target = ext_target = "REJECT --reject-with icmp-port-unreachable"
        int_comment = ext_comment = f"{name} has no endpoints"
    else:
        int_target = ext_target = "DROP"
        int_comment = ext_comment = f"{name} has no local endpoints"
    dport = f"-m {p} --dport {sp.port}"

    if has_internal:
        nat.add("KUBE-SERVICES", rule("KUBE-SERVICES", comment(f"{name} cluster IP"), dport,
                                      dst=sp.cluster_ip, proto=p, jump=internal_chain))
    else:
        flt.add("KUBE-SERVICES", rule("KUBE-SERVICES", comment(int_comment), dport,
                                      dst=sp.cluster_ip, proto=p, jump=int_target))
    for eip in sp.external_ips:
        if has_any:
            nat.add("KUBE-SERVICES", rule("KUBE-SERVICES", comment(f"{name} external IP"), dport,
                                          dst=eip, proto=p, jump=ext))
        if not has_external:
            flt.add("KUBE-EXTERNAL-SERVICES", rule("KUBE-EXTERNAL-SERVICES", comment(ext_comment),
                                                   dport, dst=eip, proto=p, jump=ext_target))
    for lb in sp.lb_ips:
        if has_any:
            nat.add("KUBE-SERVICES", rule("KUBE-SERVICES", comment(f"{name} loadbalancer IP"), dport,
                                          dst=lb, proto=p, jump=lb_chain))
        if uses_fw:
            flt.add("KUBE-PROXY-FIREWALL", rule(
                "KUBE-PROXY-FIREWALL", comment(f"{name} traffic not accepted by {fw}"), dport,
                dst=lb, proto=p, jump="DROP"))
    if not has_external:
        for lb in sp.lb_ips:
            flt.add("KUBE-EXTERNAL-SERVICES", rule("KUBE-EXTERNAL-SERVICES", comment(ext_comment),
                                                   dport, dst=lb, proto=p, jump=ext_target))
    if sp.node_port:
        np_port = f"-m {p} --dport {sp.node_port}"
        if has_any:
            nat.add("KUBE-NODEPORTS", rule("KUBE-NODEPORTS", comment(name), np_port,
                                           f"-m nfacct --nfacct-name {LOCALHOST_NP_COUNTER}",
                                           dst="127.0.0.0/8", proto=p, jump=ext))
            nat.add("KUBE-NODEPORTS", rule("KUBE-NODEPORTS", comment(name), np_port, proto=p, jump=ext))
        if not has_external:
            flt.add("KUBE-EXTERNAL-SERVICES", rule(
                "KUBE-EXTERNAL-SERVICES", comment(ext_comment), "-m addrtype --dst-type LOCAL",
                np_port, proto=p, jump=ext_target))
    if sp.health_check_node_port:
        flt.add("KUBE-NODEPORTS", rule(
            "KUBE-NODEPORTS", comment(f"{name} health check node port"),
            f"-m tcp --dport {sp.health_check_node_port}", proto="tcp", jump="ACCEPT"))

    if has_internal and cluster_cidr:
        nat.add(internal_chain, rule(internal_chain, comment(f"{name} cluster IP"), dport,
                                     not_src=cluster_cidr, dst=sp.cluster_ip, proto=p,
                                     jump="KUBE-MARK-MASQ"))
    if uses_ext:
        nat.chain(ext)
        if not sp.external_local:
            nat.add(ext, rule(ext, comment(f"masquerade traffic for {name} external destinations"),
                              jump="KUBE-MARK-MASQ"))
        else:
            if cluster_cidr:
                nat.add(ext, rule(ext, comment(f"pod traffic for {name} external destinations"),
                                  src=cluster_cidr, jump=svc))
            nat.add(ext, rule(ext, comment(f"masquerade LOCAL traffic for {name} external destinations"),
                              "-m addrtype --src-type LOCAL", jump="KUBE-MARK-MASQ"))
            nat.add(ext, rule(ext, comment(f"route LOCAL traffic for {name} external destinations"),
                              "-m addrtype --src-type LOCAL", jump=svc))
        if has_external:
            nat.add(ext, rule(ext, jump=external_policy_chain))
    if uses_fw:
        nat.chain(fw)
        allow_node = False
        for cidr in sp.source_ranges:
            nat.add(fw, rule(fw, comment(f"{name} loadbalancer IP"), src=cidr, jump=ext))
            if node_ip and ipaddress.ip_address(node_ip) in ipaddress.ip_network(cidr, strict=False):
                allow_node = True
        if allow_node:
            for lb in sp.lb_ips:
                nat.add(fw, rule(fw, comment(f"{name} loadbalancer IP"), src=lb, jump=ext))
        nat.add(fw, "-A " + fw + " " + comment(
            f"other traffic to {name} will be dropped by KUBE-PROXY-FIREWALL"))
    if cat.cluster and sp.uses_cluster_endpoints:
        _to_endpoints(nat, sp, svc, cat.cluster)
    if cat.local and sp.uses_local_endpoints:
        _to_endpoints(nat, sp, svl, cat.local)
    for ep in cat.reachable:
        sep = R.sep_chain(sp, ep)
        nat.add(sep, rule(sep, comment(name), src=ep.ip, jump="KUBE-MARK-MASQ"))
        recent = (f"-m recent --set --name {sep} --mask 255.255.255.255 --rsource"
                  if sp.affinity == "ClientIP" else "")
        nat.add(sep, rule(sep, comment(name), recent, f"-m {p}", proto=p,
                          jump=f"DNAT --to-destination {ep.addr}"))


def _to_endpoints(nat: Table, sp: R.ServicePort, chain: str, eps: list[R.Endpoint]) -> None:
    """writeServiceToEndpointRules: affinity checks first, then the probability ladder."""
    nat.chain(chain)
    if sp.affinity == "ClientIP":
        for ep in eps:
            sep = R.sep_chain(sp, ep)
            nat.add(chain, rule(chain, comment(f"{sp.name_string} -> {ep.addr}"),
                                f"-m recent --rcheck --seconds {sp.affinity_seconds} --reap "
                                f"--name {sep} --mask 255.255.255.255 --rsource", jump=sep))
    n = len(eps)
    for i, ep in enumerate(eps):
        stat = (f"-m statistic --mode random --probability {kernel_probability(n - i)}"
                if i < n - 1 else "")
        nat.add(chain, rule(chain, comment(f"{sp.name_string} -> {ep.addr}"), stat,
                            jump=R.sep_chain(sp, ep)))


def build_tables(view, node: str) -> dict[str, Table]:
    """mangle, filter and nat as they stand on `node`."""
    flt, nat = _base_filter(), _base_nat()
    cidr = view.profile.get("podCIDR")
    nip = R.node_ip(view, node)
    for sp in R.all_service_ports(view):
        _service(sp, node, nip, cidr, flt, nat)
    nat.add("KUBE-SERVICES", rule(
        "KUBE-SERVICES",
        comment("kubernetes service nodeports; NOTE: this must be the last rule in this chain"),
        "-m addrtype --dst-type LOCAL", jump="KUBE-NODEPORTS"))
    flt.add("KUBE-FORWARD", rule("KUBE-FORWARD", "-m conntrack --ctstate INVALID",
                                 f"-m nfacct --nfacct-name {CT_INVALID_COUNTER}", jump="DROP"))
    flt.add("KUBE-FORWARD", rule("KUBE-FORWARD", comment("kubernetes forwarding rules"),
                                 f"-m mark --mark {MASQ_MARK}/{MASQ_MARK}", jump="ACCEPT"))
    flt.add("KUBE-FORWARD", rule("KUBE-FORWARD", comment("kubernetes forwarding conntrack rule"),
                                 "-m conntrack --ctstate RELATED,ESTABLISHED", jump="ACCEPT"))
    return {"mangle": _mangle(), "filter": flt, "nat": nat}


def _ctime(t: float) -> str:
    """C ctime() without the newline: 'Wed May  1 10:00:00 2024' (node clock in UTC)."""
    return datetime.fromtimestamp(int(t), timezone.utc).strftime("%a %b %e %H:%M:%S %Y")


def iptables_save(view, node_name: str, table: str | None = None) -> str:
    """The text `iptables-save [-t TABLE]` prints on `node_name`."""
    tables = build_tables(view, node_name)
    if table is not None and table not in tables and table != "raw":
        raise KeyError(table)
    version = view.profile.get("iptablesVersion") or DEFAULT_IPTABLES_VERSION
    stamp = _ctime(view.now)
    out: list[str] = []
    for name in ([table] if table else ["mangle", "filter", "nat"]):
        t = tables.get(name) or Table(name, ["PREROUTING", "OUTPUT"])
        out.append(f"# Generated by iptables-save {version} on {stamp}")
        out += t.render()
        out.append(f"# Completed on {stamp}")
    return "\n".join(out) + "\n"
