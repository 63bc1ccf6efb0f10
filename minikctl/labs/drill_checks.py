"""The check vocabulary: each check reads cluster STATE through a View, never printed text.

A check is a mapping with a `name`, an optional `weight` (default 1) and exactly one kind key:
`object`, `endpoints`, `pods`, `dns`, `traffic`, `exec`, `corefile` (labs/drills/README.md shows
each). `evaluate(view, check)` returns a `Result` (passed or not, with a short reason) so the
learner sees *why* a box stays unticked. Strings may use ${domain}, ${dnsIP} and ${proxyMode},
filled from the cluster profile, so drills hold on any profile.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from minikctl.api.conditions import is_ready
from minikctl.api.selectors import label_selector_matches

KINDS = ("object", "endpoints", "pods", "dns", "traffic", "exec", "corefile", "proxy")
_MISSING = object()


@dataclass
class Result:
    name: str
    weight: int
    passed: bool
    detail: str = ""


# --- values and paths -------------------------------------------------------------------------

def substitute(value, view):
    """Replace ${domain}, ${dnsIP}, ${proxyMode}, ${podCIDR} in every string of value (recursively)."""
    return fill(value, profile_values(view.profile or {}))


def profile_values(prof: dict) -> dict:
    """What ${...} may name: facts of the cluster profile."""
    return {"domain": prof.get("clusterDomain", "cluster.local"), "dnsIP": prof.get("dnsServiceIP", "10.96.0.10"),
            "proxyMode": (prof.get("kubeProxyMode") or "iptables"), "podCIDR": prof.get("podCIDR", "10.100.0.0/16")}


def fill(value, table: dict):
    if isinstance(value, str):
        return re.sub(r"\$\{(\w+)\}", lambda m: str(table.get(m.group(1), m.group(0))), value)
    if isinstance(value, list):
        return [fill(v, table) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, table) for k, v in value.items()}
    return value


_TOKEN = re.compile(r'\.?([^.\[\]]+)|\[(\d+)\]|\["([^"]+)"\]|\[([^=\]]+)=([^\]]*)\]')


def lookup(obj, path: str):
    """`spec.ports[0].port`, `data["config.conf"]`, `spec.ports[name=http].port`; _MISSING if absent."""
    cur = obj
    pos = 0
    while pos < len(path):
        m = _TOKEN.match(path, pos)
        if not m:
            raise ValueError(f"bad path {path!r}")
        pos = m.end()
        key, idx, quoted, fk, fv = m.groups()
        if idx is not None:
            if not isinstance(cur, list) or int(idx) >= len(cur):
                return _MISSING
            cur = cur[int(idx)]
        elif fk is not None:
            if not isinstance(cur, list):
                return _MISSING
            cur = next((x for x in cur if isinstance(x, dict) and str(x.get(fk)) == fv), _MISSING)
            if cur is _MISSING:
                return cur
        else:
            k = quoted if quoted is not None else key
            if not isinstance(cur, dict) or k not in cur:
                return _MISSING
            cur = cur[k]
    return cur


def _show(v) -> str:
    return "<none>" if v is _MISSING or v is None else repr(v) if isinstance(v, str) else str(v)


def _same(got, want) -> bool:
    if want is None:
        return got is _MISSING or got is None or got == {} or got == []
    if got is _MISSING:
        return False
    if isinstance(want, (int, float)) and not isinstance(want, bool) and isinstance(got, str) and got.isdigit():
        return False  # "80" is not 80: a string targetPort names a port
    return got == want


def parse_selector(sel) -> dict:
    if isinstance(sel, dict):
        return {str(k): str(v) for k, v in sel.items()}
    out = {}
    for part in str(sel or "").split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip()] = v.strip()
    return out


# --- pods -------------------------------------------------------------------------------------

def pod_running(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") == "Running" and not pod["metadata"].get("deletionTimestamp")


def find_pods(view, spec: dict) -> list[dict]:
    ns = spec.get("namespace", "default")
    if spec.get("name"):
        p = view.get("Pod", ns, spec["name"])
        return [p] if p else []
    sel = parse_selector(spec.get("selector"))
    return [p for p in view.list("Pod", ns) if label_selector_matches({"matchLabels": sel}, p["metadata"].get("labels"))
            and not p["metadata"].get("deletionTimestamp")]


def pick_pod(view, spec: dict) -> dict | None:
    """The newest running pod that fits (a rollout may still be ending)."""
    pods = [p for p in find_pods(view, spec) if pod_running(p)]
    pods.sort(key=lambda p: (is_ready(p), p["metadata"].get("creationTimestamp", ""), p["metadata"]["name"]))
    return pods[-1] if pods else None


# --- the kinds of check -----------------------------------------------------------------------

def _object(view, c: dict) -> tuple[bool, str]:
    ref = c["object"]
    kind, name = ref["kind"], ref["name"]
    ns = "" if kind in ("Namespace", "Node") else ref.get("namespace", "default")
    obj = view.get(kind, ns, name)
    where = f"{kind} {name}" + (f" in namespace {ns}" if ns else "")
    if c.get("absent"):
        return (obj is None, "absent" if obj is None else f"{where} exists")
    if obj is None:
        return False, f"{where} not found"
    for path, want in (c.get("fields") or {}).items():
        got = lookup(obj, path)
        if not _same(got, want):
            return False, f"{path} is {_show(got)}, expected {_show(want)}"
    for path, pattern in (c.get("match") or {}).items():
        got = lookup(obj, path)
        if got is _MISSING or got is None or not re.search(str(pattern), str(got)):
            return False, f"{path} is {_show(got)}, expected to match /{pattern}/"
    return True, ""


def _endpoints(view, c: dict) -> tuple[bool, str]:
    spec = c["endpoints"]
    ns, name = spec.get("namespace", "default"), spec["service"]
    ep = view.get("Endpoints", ns, name)
    if ep is None:
        return False, f"no Endpoints {name} in namespace {ns}"
    ready, not_ready, ports = set(), set(), set()
    for s in ep.get("subsets") or []:
        ready |= {a["ip"] for a in s.get("addresses") or []}
        not_ready |= {a["ip"] for a in s.get("notReadyAddresses") or []}
        ports |= {p.get("port") for p in s.get("ports") or []}
    if "ready" in spec and len(ready) != int(spec["ready"]):
        return False, f"{len(ready)} ready address(es), expected {spec['ready']}"
    if "min_ready" in spec and len(ready) < int(spec["min_ready"]):
        return False, f"{len(ready)} ready address(es), expected at least {spec['min_ready']}"
    if "not_ready" in spec and len(not_ready) != int(spec["not_ready"]):
        return False, f"{len(not_ready)} not-ready address(es), expected {spec['not_ready']}"
    if "port" in spec and int(spec["port"]) not in ports:
        return False, f"endpoint ports are {sorted(p for p in ports if p is not None) or '<none>'}, expected {spec['port']}"
    return True, ""


def _pods(view, c: dict) -> tuple[bool, str]:
    spec = c["pods"]
    pods = find_pods(view, spec)
    want_phase = spec.get("phase", "Running")
    good = [p for p in pods if (p.get("status") or {}).get("phase") == want_phase
            and (not spec.get("ready", True) or is_ready(p))]
    if spec.get("image"):
        good = [p for p in good if any(re.search(spec["image"], x.get("image", ""))
                                       for x in p["spec"].get("containers") or [])]
    need = int(spec.get("count", 1))
    what = "Ready" if spec.get("ready", True) else want_phase
    if len(good) < need:
        return False, f"{len(good)} of {len(pods)} matching pod(s) {what}, expected {need}"
    if spec.get("exact") and len(pods) != need:
        return False, f"{len(pods)} matching pod(s), expected exactly {need}"
    return True, ""


def _dns(view, c: dict) -> tuple[bool, str]:
    from minikctl.net.dns import records
    from minikctl.net.dns.resolver import Dns
    spec = c["dns"]
    qtype = str(spec.get("type", "A")).upper()
    server = spec.get("server") or view.profile.get("dnsServiceIP", "10.96.0.10")
    ans = Dns(view).query(server, spec["name"], qtype)
    want_rcode = str(spec.get("rcode", "NOERROR")).upper()
    if ans is None:
        return (want_rcode == "TIMEOUT", f"{qtype} {spec['name']}: no reply from {server} (timed out)")
    if want_rcode == "TIMEOUT" or ans.rcode_name != want_rcode:
        return False, f"{qtype} {spec['name']}: {ans.rcode_name}, expected {want_rcode}"
    qt = records.qtype_int(qtype)
    got = [rr for rr in ans.answer if rr.rtype == qt]
    if "count" in spec and len(got) != int(spec["count"]):
        return False, f"{qtype} {spec['name']}: {len(got)} record(s), expected {spec['count']}"
    if "min_count" in spec and len(got) < int(spec["min_count"]):
        return False, f"{qtype} {spec['name']}: {len(got)} record(s), expected at least {spec['min_count']}"
    if spec.get("contains"):
        text = " ".join(str(rr.rdata) for rr in ans.answer)
        if spec["contains"] not in text:
            return False, f"{qtype} {spec['name']}: answer has no {spec['contains']}"
    return True, ""


def _source(view, frm: dict):
    if frm.get("node"):
        return frm["node"], None
    pod = pick_pod(view, frm)
    if pod is None:
        return None, f"no running pod {frm.get('name') or frm.get('selector')} in namespace {frm.get('namespace', 'default')}"
    return pod, None


def _container_env(pod: dict, container: str | None = None) -> dict:
    cs = pod["spec"].get("containers") or []
    c = next((x for x in cs if x.get("name") == container), cs[0] if cs else {})
    return {e["name"]: str(e.get("value", "")) for e in c.get("env") or [] if "name" in e}


def _traffic(view, c: dict) -> tuple[bool, str]:
    from minikctl.net.proxy import traffic
    spec = c["traffic"]
    src, why = _source(view, spec.get("from") or {})
    if src is None:
        return False, why
    host = spec.get("host")
    if spec.get("host_env"):
        if not isinstance(src, dict):
            return False, "host_env needs a pod as the client"
        host = _container_env(src).get(spec["host_env"])
        if not host:
            return False, f"the client has no environment variable {spec['host_env']}"
    port = int(spec.get("port", 80))
    out = traffic.connect(view, src, str(host), port, spec.get("path", "/"))
    want = spec.get("status", "ok")
    if out.status != want:
        return False, f"{host}:{port}: {out.status}, expected {want}"
    if want == "ok" and "http" in spec:
        code = out.response.code if out.response else None
        if code != int(spec["http"]):
            return False, f"{host}:{port}: HTTP {code}, expected {spec['http']}"
    return True, ""


def _exec(view, c: dict) -> tuple[bool, str]:
    from minikctl.images import registry
    from minikctl.images.context import ExecContext
    spec = c["exec"]
    pod = pick_pod(view, spec)
    if pod is None:
        return False, f"no running pod {spec.get('name') or spec.get('selector')} in namespace {spec.get('namespace', 'default')}"
    if spec.get("image") and not any(re.search(spec["image"], x.get("image", ""))
                                     for x in pod["spec"].get("containers") or []):
        return False, f"pod {pod['metadata']['name']} does not run an image matching /{spec['image']}/"
    cmd = spec["command"]
    argv = shlex.split(cmd) if isinstance(cmd, str) else [str(a) for a in cmd]
    container = spec.get("container") or pod["spec"]["containers"][0]["name"]
    ctx = ExecContext(view=view, pod=pod, container=container, node=pod["spec"].get("nodeName"),
                      env=_container_env(pod, container))
    try:
        out, err, code = registry.run(ctx, argv)
    except registry.ExecutableNotFound:
        return False, f"{argv[0]}: executable file not found in the pod's image"
    want = int(spec.get("exit", 0))
    if code != want:
        return False, f"'{' '.join(argv)}' exited {code}, expected {want}"
    if spec.get("contains") and spec["contains"] not in out:
        return False, f"'{' '.join(argv)}' printed no {spec['contains']!r}"
    return True, ""


def _corefile(view, c: dict) -> tuple[bool, str]:
    from minikctl.net.dns.corefile import config_from_view
    spec = c["corefile"]
    try:
        cfg = config_from_view(view)
    except Exception as e:  # a broken Corefile: CoreDNS would crash-loop
        return False, f"the Corefile does not parse: {e}"
    if spec.get("kubernetes", True) and not cfg.kubernetes:
        return False, "the Corefile has no kubernetes plugin for the cluster zone"
    if "stub" in spec:
        zone = spec["stub"].rstrip(".").lower()
        got = cfg.stubs.get(zone)
        if got is None:
            return False, f"no server block forwards {zone}"
        want = [str(t) for t in spec.get("targets") or []]
        if want and [t.split("://")[-1] for t in got] != want:
            return False, f"{zone} forwards to {' '.join(got)}, expected {' '.join(want)}"
    if "forward" in spec:
        want = [str(t) for t in spec["forward"]]
        got = [t.split("://")[-1] for t in cfg.forward or []]
        if got != want:
            return False, f"'.' forwards to {' '.join(got) or '<nothing>'}, expected {' '.join(want)}"
    return True, ""


def _proxy(view, c: dict) -> tuple[bool, str]:
    """kube-proxy on every node runs in the wanted mode (it reads its ConfigMap when it starts)."""
    from minikctl.net.proxy.mode import node_mode
    want = str(c["proxy"]["mode"]).lower()
    wrong = [f"{n} runs {node_mode(view, n)}" for n in sorted(x["metadata"]["name"] for x in view.list("Node"))
             if node_mode(view, n) != want]
    return (not wrong, "; ".join(wrong))


_RUN = {"object": _object, "endpoints": _endpoints, "pods": _pods, "dns": _dns, "traffic": _traffic,
        "exec": _exec, "corefile": _corefile, "proxy": _proxy}


def kind_of(check: dict) -> str:
    found = [k for k in KINDS if k in check]
    if len(found) != 1:
        raise ValueError(f"check {check.get('name')!r} must have exactly one of {', '.join(KINDS)}")
    return found[0]


def evaluate(view, check: dict) -> Result:
    c = substitute(check, view)
    name, weight = str(c.get("name", "check")), int(c.get("weight", 1))
    try:
        ok, detail = _RUN[kind_of(c)](view, c)
    except (KeyError, ValueError, TypeError) as e:
        return Result(name, weight, False, f"check error: {e}")
    return Result(name, weight, ok, "" if ok else detail)


def evaluate_all(view, checks: list) -> list[Result]:
    return [evaluate(view, c) for c in checks]


def score(results: list[Result]) -> tuple[int, int]:
    """(weight earned, total weight): partial credit, check by check."""
    return sum(r.weight for r in results if r.passed), sum(r.weight for r in results)
