"""Read the `coredns` ConfigMap's Corefile far enough to drive the DNS model.

Why: a CKA drill edits this ConfigMap (ttl, stub domains, loadbalance) and expects answers to
change. We parse server blocks and the few plugins whose settings change what is answered:
`kubernetes` (zones, ttl, pods, fallthrough), `forward`, `loadbalance`, `cache`.
Unknown plugins are kept but ignored.
"""
from __future__ import annotations

from dataclasses import dataclass, field

KUBEADM_COREFILE = """.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes %(domain)s in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
"""


@dataclass
class Plugin:
    name: str
    args: list[str]
    body: list[list[str]] = field(default_factory=list)   # sub-directive lines, tokenised


@dataclass
class ServerBlock:
    zones: list[str]              # normalised, no trailing dot, '' = root
    plugins: list[Plugin]

    def plugin(self, name: str) -> Plugin | None:
        return next((p for p in self.plugins if p.name == name), None)


@dataclass
class DnsConfig:
    """What the answers depend on, from the block serving the root zone plus stub blocks."""
    k8s_zones: list[str]                 # zones of the kubernetes plugin ('' = root)
    cluster_zone: str                    # the first forward zone (cluster.local)
    ttl: int = 5                         # kubernetes plugin default
    pods: str = "disabled"               # disabled | insecure | verified
    fallthrough: list[str] | None = None # None: absent; []: all zones
    loadbalance: bool = False
    forward: list[str] | None = None     # forward targets for '.', None: no forward plugin
    cache: int | None = None
    stubs: dict[str, list[str]] = field(default_factory=dict)   # zone -> forward targets
    kubernetes: bool = True

    def falls_through(self, zone: str) -> bool:
        if self.fallthrough is None:
            return False
        return not self.fallthrough or zone in self.fallthrough


def _norm(zone: str) -> str:
    z = zone.strip().lower()
    for prefix in ("dns://", "tls://", "grpc://", "https://"):
        if z.startswith(prefix):
            z = z[len(prefix):]
    if ":" in z:
        z = z.split(":", 1)[0]
    z = z.rstrip(".")
    return z


def _tokens(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        for raw in line.replace("{", " { ").replace("}", " } ").split():
            out.append(raw)
        out.append("\n")
    return out


def parse(text: str) -> list[ServerBlock]:
    """Server blocks of a Corefile. Tolerant: malformed input yields what could be read."""
    toks = _tokens(text)
    blocks: list[ServerBlock] = []
    i = 0
    n = len(toks)
    while i < n:
        keys = []
        while i < n and toks[i] != "{":
            if toks[i] != "\n":
                keys.extend(k for k in toks[i].split(",") if k)
            i += 1
        if i >= n:
            break
        i += 1  # '{'
        plugins: list[Plugin] = []
        line: list[str] = []
        while i < n and toks[i] != "}":
            t = toks[i]
            if t == "\n":
                if line:
                    plugins.append(Plugin(line[0], line[1:]))
                line = []
            elif t == "{":
                plugin = Plugin(line[0], line[1:]) if line else Plugin("", [])
                line = []
                i += 1
                sub: list[str] = []
                depth = 1
                while i < n and depth:
                    t2 = toks[i]
                    if t2 == "{":
                        depth += 1
                    elif t2 == "}":
                        depth -= 1
                        if depth == 0:
                            break
                    elif t2 == "\n":
                        if sub:
                            plugin.body.append(sub)
                        sub = []
                    else:
                        sub.append(t2)
                    i += 1
                if sub:
                    plugin.body.append(sub)
                plugins.append(plugin)
            else:
                line.append(t)
            i += 1
        if line:
            plugins.append(Plugin(line[0], line[1:]))
        i += 1  # '}'
        blocks.append(ServerBlock([_norm(k) for k in keys], plugins))
    return blocks


def config_from_text(text: str, cluster_domain: str = "cluster.local") -> DnsConfig:
    blocks = parse(text)
    root = next((b for b in blocks if "" in b.zones), None)
    cfg = DnsConfig(k8s_zones=[], cluster_zone=cluster_domain, kubernetes=False)
    if root is not None:
        k = root.plugin("kubernetes")
        if k is not None:
            cfg.kubernetes = True
            zones = [_norm(z) for z in k.args] or list(root.zones)
            cfg.k8s_zones = zones
            fwd = [z for z in zones if not z.endswith("arpa")]
            cfg.cluster_zone = fwd[0] if fwd else cluster_domain
            for sub in k.body:
                if sub[0] == "ttl" and len(sub) > 1 and sub[1].isdigit():
                    cfg.ttl = min(int(sub[1]), 3600)
                elif sub[0] == "pods" and len(sub) > 1:
                    cfg.pods = sub[1]
                elif sub[0] == "fallthrough":
                    cfg.fallthrough = [_norm(z) for z in sub[1:]]
        cfg.loadbalance = root.plugin("loadbalance") is not None
        f = root.plugin("forward")
        if f is not None and len(f.args) >= 2:
            cfg.forward = f.args[1:]
        c = root.plugin("cache")
        if c is not None:
            cfg.cache = int(c.args[0]) if c.args and c.args[0].isdigit() else 3600
    for b in blocks:
        if b is root:
            continue
        f = b.plugin("forward")
        if f is not None and len(f.args) >= 2:
            for z in b.zones:
                cfg.stubs[z] = f.args[1:]
    return cfg


def config_from_view(view) -> DnsConfig:
    """The live configuration: the kube-system/coredns ConfigMap, else kubeadm's default."""
    domain = view.profile.get("clusterDomain", "cluster.local")
    cm = view.get("ConfigMap", "kube-system", "coredns")
    text = ((cm or {}).get("data") or {}).get("Corefile")
    if text is None:
        text = KUBEADM_COREFILE % {"domain": domain}
    return config_from_text(text, domain)
