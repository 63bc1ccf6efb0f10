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
from minikctl.api.errors import CliError
from minikctl import lazy

Dns = lazy.function("minikctl.net.dns.resolver", "Dns")
ExecContext = lazy.function("minikctl.images.context", "ExecContext")
NodeShell = lazy.function("minikctl.images.nodetools", "NodeShell")
builtin_resources = lazy.module("minikctl.api.builtin_resources")
check_runnable = lazy.function("minikctl.images.pod_exec", "check_runnable")
config_from_view = lazy.function("minikctl.net.dns.corefile", "config_from_view")
controlplane = lazy.module("minikctl.sim.nodehost.controlplane")
datadir = lazy.module("minikctl.sim.etcd.datadir")
kinds = lazy.module("minikctl.api.kinds")
kubelet_host = lazy.module("minikctl.sim.nodehost.kubelet_host")
node_context = lazy.function("minikctl.images.nodetools", "node_context")
node_mode = lazy.function("minikctl.net.proxy.mode", "node_mode")
nodehost = lazy.module("minikctl.sim.nodehost")
quantity = lazy.module("minikctl.api.quantity")
rbac = lazy.module("minikctl.api.rbac")
reason = lazy.function("minikctl.labs.messages_drill", "reason")
records = lazy.module("minikctl.net.dns.records")
registry = lazy.module("minikctl.images.registry")
rules = lazy.module("minikctl.net.proxy.rules")
shell_tools = lazy.function("minikctl.images.nodetools", "shell_tools")
snap = lazy.module("minikctl.sim.etcd.snapshot")
traffic = lazy.module("minikctl.net.proxy.traffic")

KINDS = ("object", "endpoints", "pods", "dns", "traffic", "exec", "corefile", "proxy", "backends", "can_i", "node",
         "any")
_MISSING = object()


@dataclass
class Result:
    name: str
    weight: int
    passed: bool
    detail: str = ""
    guard: bool = False
    earned: int = 0


# --- values and paths -------------------------------------------------------------------------

def substitute(value, view):
    """Replace ${domain}, ${dnsIP}, ${proxyMode}, ${podCIDR} in every string of value (recursively)."""
    return fill(value, profile_values(view.profile or {}))


def profile_values(prof: dict) -> dict:
    """What ${...} may name: facts of the cluster profile, and its nodes (a named cluster's nodes
    are called NAME-master, NAME-worker-01... on their own subnet): ${controlPlane},
    ${controlPlaneIP}, ${worker1}, ${worker1IP}, ..."""
    out = {"domain": prof.get("clusterDomain", "cluster.local"), "dnsIP": prof.get("dnsServiceIP", "10.96.0.10"),
           "proxyMode": (prof.get("kubeProxyMode") or "iptables"), "podCIDR": prof.get("podCIDR", "10.100.0.0/16")}
    workers = 0
    for n in prof.get("nodes") or []:
        if "control-plane" in (n.get("roles") or []) and "controlPlane" not in out:
            out["controlPlane"], out["controlPlaneIP"] = n.get("name", ""), str(n.get("internalIP", ""))
        else:
            workers += 1
            out[f"worker{workers}"], out[f"worker{workers}IP"] = n.get("name", ""), str(n.get("internalIP", ""))
    out.setdefault("controlPlane", "k8s-master")
    return out


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
    if want is None:   # absent: an empty value or false (unschedulable: false is no cordon)
        return got is _MISSING or got is None or got == {} or got == [] or got is False
    if got is _MISSING:
        return False
    if isinstance(want, (int, float)) and not isinstance(want, bool) and isinstance(got, str) and got.isdigit():
        return False  # "80" is not 80: a string targetPort names a port
    return got == want


def same_quantity(got, want) -> bool:
    """100m == 0.1, 1Gi == 1024Mi: a quantity has many spellings (resource.Quantity compares values)."""
    if got is _MISSING or got is None:
        return False
    try:
        return quantity.value(str(got)) == quantity.value(str(want))
    except Exception:  # noqa: BLE001 - not a quantity: not the same
        return False


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
    k = kinds.by_kind(kind)
    ns = "" if (k is not None and not k.namespaced) or kind in ("Namespace", "Node") else ref.get("namespace", "default")
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
    for path, want in (c.get("quantities") or {}).items():
        got = lookup(obj, path)
        if not same_quantity(got, want):
            return False, f"{path} is {_show(got)}, expected {want}"
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


def normal_image(ref: str) -> str:
    """docker.io/library/nginx:1.25, whichever of nginx:1.25, library/nginx:1.25... was written;
    no tag means :latest (what the kubelet pulls)."""
    ref = str(ref).strip()
    digest = ""
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    first, _, rest = ref.partition("/")
    if not rest or ("." not in first and ":" not in first and first != "localhost"):
        ref = "docker.io/" + ref
    reg, _, path = ref.partition("/")
    if reg == "docker.io" and "/" not in path:
        path = "library/" + path
    if ":" not in path.rsplit("/", 1)[-1] and not digest:
        path += ":latest"
    return f"{reg}/{path}" + (f"@{digest}" if digest else "")


def _pods(view, c: dict) -> tuple[bool, str]:
    spec = c["pods"]
    pods = find_pods(view, spec)
    if spec.get("node"):
        pods = [p for p in pods if p["spec"].get("nodeName") == spec["node"]]
    if spec.get("not_daemonset"):
        pods = [p for p in pods if not any(o.get("kind") == "DaemonSet" for o in p["metadata"].get("ownerReferences") or [])]
    if "max" in spec:
        if len(pods) > int(spec["max"]):
            names = ", ".join(p["metadata"]["name"] for p in pods[:3])
            return False, f"{len(pods)} matching pod(s) ({names}), expected at most {spec['max']}"
        return True, ""
    want_phase = spec.get("phase", "Running")
    good = [p for p in pods if (p.get("status") or {}).get("phase") == want_phase
            and (not spec.get("ready", True) or is_ready(p))]
    if spec.get("image"):
        good = [p for p in good if any(re.search(spec["image"], x.get("image", ""))
                                       for x in p["spec"].get("containers") or [])]
    if spec.get("image_ref"):
        want = normal_image(spec["image_ref"])
        good = [p for p in good if any(normal_image(x.get("image", "")) == want
                                       for x in p["spec"].get("containers") or [])]
    for path, want in (spec.get("fields") or {}).items():
        good = [p for p in good if _same(lookup(p, path), want)]
    for path, pattern in (spec.get("match") or {}).items():
        good = [p for p in good if lookup(p, path) not in (_MISSING, None) and re.search(str(pattern), str(lookup(p, path)))]
    for path, want in (spec.get("quantities") or {}).items():
        good = [p for p in good if same_quantity(lookup(p, path), want)]
    need = int(spec.get("count", 1))
    what = "Ready" if spec.get("ready", True) and want_phase == "Running" else want_phase
    if len(good) < need:
        return False, f"{len(good)} of {len(pods)} matching pod(s) {what}, expected {need}"
    if spec.get("exact") and len(pods) != need:
        return False, f"{len(pods)} matching pod(s), expected exactly {need}"
    return True, ""


def _dns(view, c: dict) -> tuple[bool, str]:
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
    out = traffic.connect(view, src, str(host), port, spec.get("path", "/"), header_host=spec.get("host_header"))
    want = spec.get("status", "ok")
    if out.status != want:
        return False, f"{host}:{port}: {out.status}, expected {want}"
    if want == "ok" and "http" in spec:
        code = out.response.code if out.response else None
        if code != int(spec["http"]):
            return False, f"{host}:{port}: HTTP {code}, expected {spec['http']}"
    if want == "ok" and spec.get("body"):
        body = out.response.body if out.response else ""
        if not re.search(str(spec["body"]), body or ""):
            first = (body or "").strip().splitlines()[:1]
            return False, f"{host}:{port}{spec.get('path', '/')}: the answer ({first[0][:60] if first else 'empty'!r}) " \
                          f"is not what the task's server sends"
    if spec.get("same_backend"):
        seen = {out.backend}
        for _ in range(int(spec["same_backend"]) - 1):
            seen.add(traffic.connect(view, src, str(host), port, spec.get("path", "/")).backend)
        if len(seen) > 1:
            return False, f"{int(spec['same_backend'])} connections from one client reached {len(seen)} different pods"
    return True, ""


def _exec(view, c: dict) -> tuple[bool, str]:
    spec = c["exec"]
    pod = pick_pod(view, spec)
    if pod is None:
        return False, f"no running pod {spec.get('name') or spec.get('selector')} in namespace {spec.get('namespace', 'default')}"
    if spec.get("image") and not any(re.search(spec["image"], x.get("image", ""))
                                     for x in pod["spec"].get("containers") or []):
        return False, f"pod {pod['metadata']['name']} does not run an image matching /{spec['image']}/"
    try:
        check_runnable(pod)
    except CliError as e:
        return False, f"pod {pod['metadata']['name']}: {e}"
    cmd = spec["command"]
    argv = shlex.split(cmd) if isinstance(cmd, str) else [str(a) for a in cmd]
    container = spec.get("container") or pod["spec"]["containers"][0]["name"]
    ctx = ExecContext(view=view, pod=pod, container=container, node=pod["spec"].get("nodeName"))
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


def _upstream(t) -> str:
    """One spelling per upstream: dns://10.0.0.1:53, 10.0.0.1:53 and 10.0.0.1 are the same server."""
    t = str(t).split("://")[-1]
    return t[:-3] if t.endswith(":53") and t.count(":") == 1 else t


def _corefile(view, c: dict) -> tuple[bool, str]:
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
        want = [_upstream(t) for t in spec.get("targets") or []]
        if want and [_upstream(t) for t in got] != want:
            return False, f"{zone} forwards to {' '.join(got)}, expected {' '.join(want)}"
    if "forward" in spec:
        want = [_upstream(t) for t in spec["forward"]]
        got = [_upstream(t) for t in cfg.forward or []]
        if got != want:
            return False, f"'.' forwards to {' '.join(got) or '<nothing>'}, expected {' '.join(want)}"
    return True, ""


def _proxy(view, c: dict) -> tuple[bool, str]:
    """kube-proxy on every node runs in the wanted mode (it reads its ConfigMap when it starts)."""
    want = str(c["proxy"]["mode"]).lower()
    wrong = [f"{n} runs {node_mode(view, n)}" for n in sorted(x["metadata"]["name"] for x in view.list("Node"))
             if node_mode(view, n) != want]
    return (not wrong, "; ".join(wrong))


def _backends(view, c: dict) -> tuple[bool, str]:
    """What kube-proxy programs for one Service port: its ready endpoints (after the port-name match
    between the Service and its EndpointSlices, which is where a named/unnamed mismatch REJECTs)."""
    spec = c["backends"]
    ns, name = spec.get("namespace", "default"), spec["service"]
    svc = view.get("Service", ns, name)
    if svc is None:
        return False, f"no Service {name} in namespace {ns}"
    port = int(spec.get("port", 0))
    sps = [sp for sp in rules.service_ports(view, svc) if not port or sp.port == port]
    if not sps:
        return False, f"Service {name} has no port {port} that kube-proxy serves"
    eps = [e for e in sps[0].endpoints if e.ready]
    if "count" in spec and len(eps) != int(spec["count"]):
        return False, f"kube-proxy has {len(eps)} ready endpoint(s) for {name}:{sps[0].port}, expected {spec['count']}" \
                      + (" (no endpoints: it REJECTs connections)" if not eps else "")
    if "target" in spec and any(e.port != int(spec["target"]) for e in eps):
        return False, f"{name}:{sps[0].port} goes to port(s) {sorted({e.port for e in eps})}, expected {spec['target']}"
    return True, ""


def _can_i(view, c: dict) -> tuple[bool, str]:
    """`kubectl auth can-i VERB RESOURCE --as USER -n NS`: the RBAC authorizer's answer."""
    spec = c["can_i"]
    who = str(spec["as"])
    user = rbac.impersonated(who, list(spec.get("groups") or []))
    if spec.get("path"):                    # a non-resource URL: /healthz, /metrics...
        req = rbac.Request(verb=str(spec["verb"]), path=str(spec["path"]))
        allowed, _ = rbac.authorize(view, user, req)
        want = bool(spec.get("allowed", True))
        if allowed != want:
            return False, f"auth can-i {spec['verb']} {spec['path']} --as {who}: {'yes' if allowed else 'no'}, " \
                          f"expected {'yes' if want else 'no'}"
        return True, ""
    res = str(spec["resource"])
    found = builtin_resources.parse(res.lower())
    resource, group = (found.plural, found.group) if found else (res, str(spec.get("group", "")))
    req = rbac.Request(verb=str(spec["verb"]), resource=resource, subresource=str(spec.get("subresource") or ""),
                       name=str(spec.get("name") or ""), namespace=str(spec.get("namespace", "")), api_group=group)
    allowed, _ = rbac.authorize(view, user, req)
    want = bool(spec.get("allowed", True))
    ns = f" -n {spec['namespace']}" if spec.get("namespace") else ""
    if allowed != want:
        return False, f"auth can-i {spec['verb']} {spec['resource']}{ns} --as {who}: {'yes' if allowed else 'no'}, " \
                      f"expected {'yes' if want else 'no'}"
    return True, ""


def _node(view, c: dict) -> tuple[bool, str]:
    """A node's own state: a file on it (and, for an etcd snapshot, what etcdutl would read from
    it), a control-plane component up or down (from its static pod manifest, as the kubelet runs
    it), or a command run in the node's shell (`systemctl is-active kubelet`) and its status."""
    spec = c["node"]
    node = str(spec.get("name") or profile_values(view.profile or {})["controlPlane"])
    if view.get("Node", None, node) is None:
        return False, f"no node {node}"
    if "component" in spec:
        why = controlplane.down(view, str(spec["component"]))
        if spec.get("etcd_too", True) and spec["component"] == "kube-apiserver" and not why:
            why = controlplane.down(view, "etcd")
        want_up = bool(spec.get("up", True))
        if bool(why) == want_up:
            return False, f"{spec['component']} is down ({why})" if why else f"{spec['component']} is running"
        return True, ""
    if "data_dir" in spec:              # the directory the etcd static pod serves (a restore)
        got, want = datadir.live(view).rstrip("/"), str(spec["data_dir"]).rstrip("/")
        return (got == want, f"etcd serves {got}, expected {want}")
    if "kubelet_flags" in spec:         # the flags the kubelet runs with (unit as loaded, env files)
        flags, _ = kubelet_host._flags(kubelet_host.command_line(view, node))
        for flag, want in spec["kubelet_flags"].items():
            if flags.get(flag) != str(want):
                return False, f"the kubelet on {node} runs with --{flag}={flags.get(flag, '')}, expected {want}"
        return True, ""
    if "path" in spec:
        return _node_file(view, node, spec)
    if "command" in spec:
        return _node_command(view, node, spec)
    raise ValueError("a node check names a path, a component, a data_dir, kubelet_flags or a command")


def _node_file(view, node: str, spec: dict) -> tuple[bool, str]:
    path = str(spec["path"])
    f = nodehost.fs(view, node)
    kind = f.kind(path)
    if spec.get("absent"):
        return (kind is None, f"{path} exists on {node}" if kind else "")
    if kind != "file":
        return False, f"{path} not found on {node}" if kind is None else f"{path} on {node} is a directory"
    text = f.read(path) or ""
    for pattern in [spec["match"]] if isinstance(spec.get("match"), str) else spec.get("match") or []:
        if not re.search(str(pattern), text, re.M):
            return False, f"{path} on {node} has no line matching /{pattern}/"
    for pattern in [spec["no_match"]] if isinstance(spec.get("no_match"), str) else spec.get("no_match") or []:
        if re.search(str(pattern), text, re.M):
            return False, f"{path} on {node} still has a line matching /{pattern}/"
    if spec.get("snapshot"):
        try:
            s = snap.read(text, path)
        except snap.SnapshotError as e:
            return False, f"etcdutl snapshot status {path}: {e}"
        bad = s.checksum_error()
        if bad:
            return False, f"etcdutl snapshot status {path}: {bad}"
        if s.checksum is None and spec.get("saved", True):
            return False, f"{path} is a copy of a database file, not a saved snapshot (no checksum)"
        want = spec["snapshot"] if isinstance(spec["snapshot"], dict) else {}
        for key in want.get("keys") or []:
            if key not in s.buckets["key"]:
                return False, f"the snapshot {path} holds no {key}"
        for key in want.get("no_keys") or []:
            if key in s.buckets["key"]:
                return False, f"the snapshot {path} holds {key}"
    return True, ""


def _node_command(view, node: str, spec: dict) -> tuple[bool, str]:
    """The command in the node's login shell, as `minikctl ssh NODE -- CMD` runs it."""
    shell = NodeShell(node_context(view, node), shell_tools(), argv0="bash", dialect="ash")
    shell.vars["PWD"] = "/root"
    out, _err, code, _ = shell.run(str(spec["command"]))
    want = int(spec.get("exit", 0))
    if code != want:
        return False, f"'{spec['command']}' on {node} exited {code}, expected {want}"
    if spec.get("contains") and str(spec["contains"]) not in out:
        return False, f"'{spec['command']}' on {node} printed no {spec['contains']!r}"
    return True, ""


def _any(view, c: dict) -> tuple[bool, str]:
    """Passes when one of several checks passes (several correct end states)."""
    why = []
    for sub in c["any"]:
        ok, d = _RUN[kind_of(sub)](view, sub)
        if ok:
            return True, ""
        why.append(d)
    return False, "; ".join(why)


_RUN = {"object": _object, "endpoints": _endpoints, "pods": _pods, "dns": _dns, "traffic": _traffic,
        "exec": _exec, "corefile": _corefile, "proxy": _proxy,
        "backends": _backends, "can_i": _can_i, "node": _node, "any": _any}


def kind_of(check: dict) -> str:
    found = [k for k in KINDS if k in check]
    if len(found) != 1:
        raise ValueError(f"check {check.get('name')!r} must have exactly one of {', '.join(KINDS)}")
    return found[0]


def check_name(check: dict, lang: str = "en") -> str:
    n = check.get("name", "check")
    if isinstance(n, dict):
        return str(n.get(lang) or n.get("en") or "check")
    return str(n)


def evaluate(view, check: dict, lang: str = "en") -> Result:
    c = substitute(check, view)
    name, weight = check_name(c, lang), int(c.get("weight", 1))
    try:
        ok, detail = _RUN[kind_of(c)](view, c)
    except (KeyError, ValueError, TypeError) as e:
        return Result(name, weight, False, f"check error: {e}")
    if not ok and lang != "en":
        detail = reason(detail, lang)
    return Result(name, weight, ok, "" if ok else detail, guard=bool(c.get("guard")))


def evaluate_all(view, checks: list, lang: str = "en") -> list[Result]:
    results = [evaluate(view, c, lang) for c in checks]
    score(results)
    return results


def score(results: list[Result]) -> tuple[int, int]:
    """(weight earned, total weight): partial credit, check by check.

    A `guard` check ("the port is unchanged", "cluster names still resolve") is true of an
    untouched cluster, so it earns its weight only once some other check has passed: doing nothing
    earns nothing, and breaking what should stay costs points."""
    progress = any(r.passed and not r.guard for r in results)
    for r in results:
        r.earned = r.weight if r.passed and (progress or not r.guard) else 0
    return sum(r.earned for r in results), sum(r.weight for r in results)
