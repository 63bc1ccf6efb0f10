"""`kubectl get` tables: the server's column definitions (printers.go) as data, and kubectl's
decorations (namespace / kind prefix / -L / --show-labels) and group separation (get.go).

A Column's cell function takes (obj, view) and returns the cell text. Columns with priority
> 0 appear only with -o wide. Everything is computed from the object dicts.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable

from minikctl.api.selectors import format_label_selector, format_labels, selector_string
from minikctl.printers.duration import human_duration, translate_timestamp_since
from minikctl.timeutil import parse
import json
from minikctl import lazy

by_kind = lazy.function("minikctl.api.kinds", "by_kind")
canonical = lazy.function("minikctl.api.quantity", "canonical")
csr_status = lazy.function("minikctl.printers.describe.csr", "csr_status")
is_default = lazy.function("minikctl.api.storage_admission", "is_default")
jsonpath = lazy.module("minikctl.printers.jsonpath")
render_coloured = lazy.function("minikctl.printers.colour", "render_coloured")
tabwriter = lazy.module("minikctl.printers.tabwriter")


@dataclass(frozen=True)
class Column:
    name: str
    priority: int
    cell: Callable[[dict, Any], str]


def _g(obj: dict, *path, default=None):
    """obj['a']['b']... with None/missing-safe steps."""
    cur: Any = obj
    for p in path:
        if not isinstance(cur, dict):
            return default
        cur = cur.get(p)
        if cur is None:
            return default
    return cur


def age(obj: dict, view) -> str:
    return translate_timestamp_since(_g(obj, "metadata", "creationTimestamp"), view.now)


def _name(obj: dict, view) -> str:
    return obj["metadata"]["name"]


def _int(v) -> str:
    return str(int(v or 0))


def _more(items: list[str], count: int, limit: int = 3) -> str:
    """listWithMoreString minus the <unset> default: 'a,b,c + N more...'."""
    text = ",".join(items[:limit])
    if count > limit:
        return f"{text} + {count - limit} more..."
    return text


def _containers_cells(spec: dict | None) -> tuple[str, str]:
    cs = (spec or {}).get("containers") or []
    return ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs)


def _template_spec(obj: dict) -> dict:
    return _g(obj, "spec", "template", "spec", default={})


# ---- Pods -------------------------------------------------------------------------------

def _restartable(c: dict | None) -> bool:
    return bool(c) and c.get("restartPolicy") == "Always"


def _cond_true(pod: dict, ctype: str) -> bool:
    return any(c.get("type") == ctype and c.get("status") == "True"
               for c in _g(pod, "status", "conditions", default=[]))


_last_summary = threading.local()     # per thread (serve prints tables in many): pod, rv, status, summary


def pod_summary(pod: dict) -> tuple[int, int, str, int, float | None]:
    """printPod's (ready, total, STATUS reason, restarts, last restart epoch or None); a row's
    READY, STATUS and RESTARTS cells ask for the same pod in turn, so the last answer is kept."""
    last = getattr(_last_summary, "v", None)
    rv, status = (pod.get("metadata") or {}).get("resourceVersion"), pod.get("status")
    if last is not None and last[0] is pod and last[1] == rv and last[2] is status:
        return last[3]
    out = _pod_summary(pod)
    _last_summary.v = (pod, rv, status, out)
    return out


def _pod_summary(pod: dict) -> tuple[int, int, str, int, float | None]:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    inits = {c["name"]: c for c in spec.get("initContainers") or []}
    total = len(spec.get("containers") or []) + sum(1 for c in inits.values() if _restartable(c))
    ready = 0
    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for c in status.get("conditions") or []:
        if c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    def finished(cs: dict) -> float | None:
        return parse(_g(cs, "lastState", "terminated", "finishedAt"))

    restarts, sidecar_restarts = 0, 0
    last, sidecar_last = None, None
    initializing = False
    n_init = len(spec.get("initContainers") or [])
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        restarts += int(cs.get("restartCount") or 0)
        t = finished(cs)
        if t is not None and (last is None or t > last):
            last = t
        sidecar = _restartable(inits.get(cs.get("name")))
        if sidecar:
            sidecar_restarts += int(cs.get("restartCount") or 0)
            if t is not None and (sidecar_last is None or t > sidecar_last):
                sidecar_last = t
        state = cs.get("state") or {}
        term, wait = state.get("terminated"), state.get("waiting")
        if term is not None and int(term.get("exitCode") or 0) == 0:
            continue
        if sidecar and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if term is not None:
            if not term.get("reason"):
                sig = int(term.get("signal") or 0)
                reason = f"Init:Signal:{sig}" if sig else f"Init:ExitCode:{int(term.get('exitCode') or 0)}"
            else:
                reason = "Init:" + term["reason"]
        elif wait is not None and wait.get("reason") and wait["reason"] != "PodInitializing":
            reason = "Init:" + wait["reason"]
        else:
            reason = f"Init:{i}/{n_init}"
        initializing = True
        break

    if not initializing or _cond_true(pod, "Initialized"):
        restarts, last = sidecar_restarts, sidecar_last
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += int(cs.get("restartCount") or 0)
            t = finished(cs)
            if t is not None and (last is None or t > last):
                last = t
            state = cs.get("state") or {}
            term, wait = state.get("terminated"), state.get("waiting")
            if wait is not None and wait.get("reason"):
                reason = wait["reason"]
            elif term is not None and term.get("reason"):
                reason = term["reason"]
            elif term is not None:
                sig = int(term.get("signal") or 0)
                reason = f"Signal:{sig}" if sig else f"ExitCode:{int(term.get('exitCode') or 0)}"
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if _cond_true(pod, "Ready") else "NotReady"

    deleting = _g(pod, "metadata", "deletionTimestamp") is not None
    if deleting and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif deleting and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    return ready, total, reason, restarts, last


def _pod_ready(pod, view):
    r, t, *_ = pod_summary(pod)
    return f"{r}/{t}"


def _pod_status(pod, view):
    return pod_summary(pod)[2]


def _pod_restarts(pod, view):
    _, _, _, n, last = pod_summary(pod)
    if n != 0 and last is not None:
        return f"{n} ({human_duration(view.now - last)} ago)"
    return str(n)


def _pod_ip(pod, view):
    ips = _g(pod, "status", "podIPs", default=[])
    ip = ips[0].get("ip", "") if ips else ""
    return ip or "<none>"


def _readiness_gates(pod, view):
    gates = _g(pod, "spec", "readinessGates", default=[])
    if not gates:
        return "<none>"
    conds = _g(pod, "status", "conditions", default=[])
    n = 0
    for g in gates:
        for c in conds:
            if c.get("type") == g.get("conditionType"):
                n += c.get("status") == "True"
                break
    return f"{n}/{len(gates)}"


POD = [
    Column("Name", 0, _name),
    Column("Ready", 0, _pod_ready),
    Column("Status", 0, _pod_status),
    Column("Restarts", 0, _pod_restarts),
    Column("Age", 0, age),
    Column("IP", 1, _pod_ip),
    Column("Node", 1, lambda o, v: _g(o, "spec", "nodeName") or "<none>"),
    Column("Nominated Node", 1, lambda o, v: _g(o, "status", "nominatedNodeName") or "<none>"),
    Column("Readiness Gates", 1, _readiness_gates),
]

# ---- Services ---------------------------------------------------------------------------

LOAD_BALANCER_WIDTH = 16


def _lb_ingress(svc: dict, wide: bool) -> str:
    found = set()
    for ing in _g(svc, "status", "loadBalancer", "ingress", default=[]):
        if ing.get("ip"):
            found.add(ing["ip"])
        elif ing.get("hostname"):
            found.add(ing["hostname"])
    r = ",".join(sorted(found))
    if not wide and len(r) > LOAD_BALANCER_WIDTH:
        r = r[:LOAD_BALANCER_WIDTH - 3] + "..."
    return r


def service_external_ip(svc: dict, wide: bool) -> str:
    """getServiceExternalIP."""
    spec = svc.get("spec") or {}
    typ, ext = spec.get("type") or "", spec.get("externalIPs") or []
    if typ in ("ClusterIP", "NodePort"):
        return ",".join(ext) if ext else "<none>"
    if typ == "LoadBalancer":
        lb = _lb_ingress(svc, wide)
        if ext:
            return ",".join((lb.split(",") if lb else []) + ext)
        return lb or "<pending>"
    if typ == "ExternalName":
        return spec.get("externalName") or ""
    return "<unknown>"


def port_string(ports: list[dict] | None) -> str:
    """makePortString: '80/TCP', '80:30080/TCP', joined by ','."""
    pieces = []
    for p in ports or []:
        proto = p.get("protocol") or "TCP"
        if int(p.get("nodePort") or 0) > 0:
            pieces.append(f"{p.get('port')}:{p['nodePort']}/{proto}")
        else:
            pieces.append(f"{p.get('port')}/{proto}")
    return ",".join(pieces)


def _cluster_ip(svc, view):
    ips = _g(svc, "spec", "clusterIPs", default=[])
    return ips[0] if ips else "<none>"


def _service_columns(wide: bool) -> list[Column]:
    return [
        Column("Name", 0, _name),
        Column("Type", 0, lambda o, v: _g(o, "spec", "type") or ""),
        Column("Cluster-IP", 0, _cluster_ip),
        Column("External-IP", 0, lambda o, v: service_external_ip(o, wide)),
        Column("Port(s)", 0, lambda o, v: port_string(_g(o, "spec", "ports")) or "<none>"),
        Column("Age", 0, age),
        Column("Selector", 1, lambda o, v: format_labels(_g(o, "spec", "selector"))),
    ]


# ---- Endpoints / EndpointSlices ---------------------------------------------------------

def _join_host_port(ip: str, port) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def format_endpoints(ep: dict, port_names: set[str] | None = None) -> str:
    """formatEndpoints: ready addresses x ports, max 3 then ' + N more...'; '<none>' without subsets."""
    subsets = ep.get("subsets") or []
    if not subsets:
        return "<none>"
    items: list[str] = []
    count = 0
    for ss in subsets:
        addrs = ss.get("addresses") or []
        ports = ss.get("ports") or []
        if not ports:
            count += len(addrs)
            items += [a.get("ip", "") for a in addrs]
            continue
        for p in ports:
            if port_names is None or (p.get("name") or "") in port_names:
                count += len(addrs)
                items += [_join_host_port(a.get("ip", ""), p.get("port")) for a in addrs]
    return _more(items, count)


def _slice_ports(es, view):
    ports = es.get("ports") or []
    items = []
    for p in ports:
        if p.get("port") is not None:
            items.append(str(p["port"]))
        elif p.get("name") is not None:
            items.append(p["name"])
        else:
            items.append("*")
    return _more(items, len(items)) or "<unset>"


def _slice_endpoints(es, view):
    items = [a for e in es.get("endpoints") or [] for a in e.get("addresses") or []]
    return _more(items, len(items)) or "<unset>"


ENDPOINTS = [Column("Name", 0, _name), Column("Endpoints", 0, lambda o, v: format_endpoints(o)),
             Column("Age", 0, age)]

ENDPOINT_SLICE = [
    Column("Name", 0, _name),
    Column("AddressType", 0, lambda o, v: o.get("addressType") or ""),
    Column("Ports", 0, _slice_ports),
    Column("Endpoints", 0, _slice_endpoints),
    Column("Age", 0, age),
]

# ---- Workloads --------------------------------------------------------------------------

def _containers(o, v):
    return _containers_cells(_template_spec(o))[0]


def _images(o, v):
    return _containers_cells(_template_spec(o))[1]


def _replicas(o) -> int:
    r = _g(o, "spec", "replicas")
    return 1 if r is None else int(r)


DEPLOYMENT = [
    Column("Name", 0, _name),
    Column("Ready", 0, lambda o, v: f"{int(_g(o, 'status', 'readyReplicas') or 0)}/{_replicas(o)}"),
    Column("Up-to-date", 0, lambda o, v: _int(_g(o, "status", "updatedReplicas"))),
    Column("Available", 0, lambda o, v: _int(_g(o, "status", "availableReplicas"))),
    Column("Age", 0, age),
    Column("Containers", 1, _containers),
    Column("Images", 1, _images),
    Column("Selector", 1, lambda o, v: selector_string(_g(o, "spec", "selector"))),
]

REPLICA_SET = [
    Column("Name", 0, _name),
    Column("Desired", 0, lambda o, v: str(_replicas(o))),
    Column("Current", 0, lambda o, v: _int(_g(o, "status", "replicas"))),
    Column("Ready", 0, lambda o, v: _int(_g(o, "status", "readyReplicas"))),
    Column("Age", 0, age),
    Column("Containers", 1, _containers),
    Column("Images", 1, _images),
    Column("Selector", 1, lambda o, v: format_label_selector(_g(o, "spec", "selector"))),
]

STATEFUL_SET = [
    Column("Name", 0, _name),
    Column("Ready", 0, lambda o, v: f"{int(_g(o, 'status', 'readyReplicas') or 0)}/{_replicas(o)}"),
    Column("Age", 0, age),
    Column("Containers", 1, _containers),
    Column("Images", 1, _images),
]

DAEMON_SET = [
    Column("Name", 0, _name),
    Column("Desired", 0, lambda o, v: _int(_g(o, "status", "desiredNumberScheduled"))),
    Column("Current", 0, lambda o, v: _int(_g(o, "status", "currentNumberScheduled"))),
    Column("Ready", 0, lambda o, v: _int(_g(o, "status", "numberReady"))),
    Column("Up-to-date", 0, lambda o, v: _int(_g(o, "status", "updatedNumberScheduled"))),
    Column("Available", 0, lambda o, v: _int(_g(o, "status", "numberAvailable"))),
    Column("Node Selector", 0, lambda o, v: format_labels(_template_spec(o).get("nodeSelector"))),
    Column("Age", 0, age),
    Column("Containers", 1, _containers),
    Column("Images", 1, _images),
    Column("Selector", 1, lambda o, v: format_label_selector(_g(o, "spec", "selector"))),
]

# ---- Jobs and CronJobs ------------------------------------------------------------------

def _has_condition(obj: dict, ctype: str) -> bool:
    """hasJobCondition: a condition of that type with status True."""
    return any(c.get("type") == ctype and c.get("status") == "True"
               for c in _g(obj, "status", "conditions", default=[]))


def job_status(job: dict) -> str:
    """printJob's STATUS (1.30+): Complete, Failed, Terminating, Suspended, FailureTarget, Running."""
    if _has_condition(job, "Complete"):
        return "Complete"
    if _has_condition(job, "Failed"):
        return "Failed"
    if _g(job, "metadata", "deletionTimestamp"):
        return "Terminating"
    if _has_condition(job, "Suspended"):
        return "Suspended"
    if _has_condition(job, "FailureTarget"):
        return "FailureTarget"
    return "Running"


def job_completions(job: dict) -> str:
    ok = int(_g(job, "status", "succeeded") or 0)
    completions = _g(job, "spec", "completions")
    if completions is not None:
        return f"{ok}/{int(completions)}"
    parallelism = int(_g(job, "spec", "parallelism") or 0)
    return f"{ok}/1 of {parallelism}" if parallelism > 1 else f"{ok}/1"


def job_duration(job: dict, view) -> str:
    start = parse(_g(job, "status", "startTime"))
    if start is None:
        return ""
    done = parse(_g(job, "status", "completionTime"))
    return human_duration((done if done is not None else view.now) - start)


def _bool_ptr(v) -> str:
    return "<unset>" if v is None else ("True" if v else "False")


JOB = [
    Column("Name", 0, _name),
    Column("Status", 0, lambda o, v: job_status(o)),
    Column("Completions", 0, lambda o, v: job_completions(o)),
    Column("Duration", 0, job_duration),
    Column("Age", 0, age),
    Column("Containers", 1, lambda o, v: _containers_cells(_g(o, "spec", "template", "spec"))[0]),
    Column("Images", 1, lambda o, v: _containers_cells(_g(o, "spec", "template", "spec"))[1]),
    Column("Selector", 1, lambda o, v: format_label_selector(_g(o, "spec", "selector"))),
]

CRON_JOB = [
    Column("Name", 0, _name),
    Column("Schedule", 0, lambda o, v: _g(o, "spec", "schedule") or ""),
    Column("Timezone", 0, lambda o, v: _g(o, "spec", "timeZone") if _g(o, "spec", "timeZone") is not None else "<none>"),
    Column("Suspend", 0, lambda o, v: _bool_ptr(_g(o, "spec", "suspend"))),
    Column("Active", 0, lambda o, v: str(len(_g(o, "status", "active", default=[])))),
    Column("Last Schedule", 0, lambda o, v: translate_timestamp_since(_g(o, "status", "lastScheduleTime"), v.now)
           if _g(o, "status", "lastScheduleTime") else "<none>"),
    Column("Age", 0, age),
    Column("Containers", 1, lambda o, v: _containers_cells(_g(o, "spec", "jobTemplate", "spec", "template", "spec"))[0]),
    Column("Images", 1, lambda o, v: _containers_cells(_g(o, "spec", "jobTemplate", "spec", "template", "spec"))[1]),
    Column("Selector", 1, lambda o, v: format_label_selector(_g(o, "spec", "jobTemplate", "spec", "selector"))),
]

# ---- PodDisruptionBudgets ------------------------------------------------------------------

def _ios(v) -> str:
    """intstr.String(): 1 or 50%; N/A when unset."""
    return "N/A" if v is None else str(v)


POD_DISRUPTION_BUDGET = [
    Column("Name", 0, _name),
    Column("Min Available", 0, lambda o, v: _ios(_g(o, "spec", "minAvailable"))),
    Column("Max Unavailable", 0, lambda o, v: _ios(_g(o, "spec", "maxUnavailable"))),
    Column("Allowed Disruptions", 0, lambda o, v: str(int(_g(o, "status", "disruptionsAllowed") or 0))),
    Column("Age", 0, age),
]

# ---- Nodes ------------------------------------------------------------------------------

NODE_ROLE_PREFIX = "node-role.kubernetes.io/"


def node_roles(node: dict) -> list[str]:
    """findNodeRoles: suffixes of node-role.kubernetes.io/<role> plus kubernetes.io/role's value."""
    roles = set()
    for k, v in (_g(node, "metadata", "labels") or {}).items():
        if k.startswith(NODE_ROLE_PREFIX):
            if k[len(NODE_ROLE_PREFIX):]:
                roles.add(k[len(NODE_ROLE_PREFIX):])
        elif k == "kubernetes.io/role" and v:
            roles.add(v)
    return sorted(roles)


def node_status(node: dict) -> str:
    status = []
    for c in _g(node, "status", "conditions", default=[]):
        if c.get("type") == "Ready":
            status.append("Ready" if c.get("status") == "True" else "NotReady")
            break
    if not status:
        status.append("Unknown")
    if _g(node, "spec", "unschedulable"):
        status.append("SchedulingDisabled")
    return ",".join(status)


def _node_address(node: dict, typ: str) -> str:
    for a in _g(node, "status", "addresses", default=[]):
        if a.get("type") == typ:
            return a.get("address") or "<none>"
    return "<none>"


def _node_info(field: str):
    return lambda o, v: _g(o, "status", "nodeInfo", field) or "<unknown>"


NODE = [
    Column("Name", 0, _name),
    Column("Status", 0, lambda o, v: node_status(o)),
    Column("Roles", 0, lambda o, v: ",".join(node_roles(o)) or "<none>"),
    Column("Age", 0, age),
    Column("Version", 0, lambda o, v: _g(o, "status", "nodeInfo", "kubeletVersion") or ""),
    Column("Internal-IP", 1, lambda o, v: _node_address(o, "InternalIP")),
    Column("External-IP", 1, lambda o, v: _node_address(o, "ExternalIP")),
    Column("OS-Image", 1, _node_info("osImage")),
    Column("Kernel-Version", 1, _node_info("kernelVersion")),
    Column("Container-Runtime", 1, _node_info("containerRuntimeVersion")),
]

NAMESPACE = [Column("Name", 0, _name), Column("Status", 0, lambda o, v: _g(o, "status", "phase") or ""),
             Column("Age", 0, age)]

CONFIG_MAP = [
    Column("Name", 0, _name),
    Column("Data", 0, lambda o, v: str(len(o.get("data") or {}) + len(o.get("binaryData") or {}))),
    Column("Age", 0, age),
]

SECRET = [
    Column("Name", 0, _name),
    Column("Type", 0, lambda o, v: o.get("type") or ""),
    Column("Data", 0, lambda o, v: str(len(o.get("data") or {}))),
    Column("Age", 0, age),
]

SERVICE_ACCOUNT = [
    Column("Name", 0, _name),
    Column("Secrets", 0, lambda o, v: str(len(o.get("secrets") or []))),
    Column("Age", 0, age),
]

def _created_at(o, v) -> str:
    return _g(o, "metadata", "creationTimestamp") or ""


def _subjects(o, kind: str) -> str:
    """rbac.SubjectsStrings: users, groups, service accounts (namespace/name), joined by ", "."""
    out = []
    for s in o.get("subjects") or []:
        if s.get("kind") == kind:
            out.append(f"{s.get('namespace', '')}/{s.get('name', '')}" if kind == "ServiceAccount" else s.get("name", ""))
    return ", ".join(out)


ROLE = [Column("Name", 0, _name), Column("Created At", 0, _created_at)]


def _quota_cells(o, limits: bool) -> str:
    hard, used = _g(o, "status", "hard") or {}, _g(o, "status", "used") or {}
    return ", ".join(f"{r}: {used.get(r, '0')}/{hard[r]}" for r in sorted(hard) if r.startswith("limits.") == limits)


PRIORITY_CLASS = [Column("Name", 0, _name), Column("Value", 0, lambda o, v: str(o.get("value", 0))),
                  Column("Global-Default", 0, lambda o, v: "true" if o.get("globalDefault") else "false"),
                  Column("Age", 0, age),
                  Column("PreemptionPolicy", 0, lambda o, v: o.get("preemptionPolicy") or "")]

RESOURCE_QUOTA = [Column("Name", 0, _name), Column("Age", 0, age),
                  Column("Request", 0, lambda o, v: _quota_cells(o, False)),
                  Column("Limit", 0, lambda o, v: _quota_cells(o, True))]


def _csr_duration(o, v) -> str:
    secs = _g(o, "spec", "expirationSeconds")
    return human_duration(float(secs)) if secs is not None else "<none>"


def _csr_condition(o, v) -> str:
    return csr_status(o)


CSR = [
    Column("Name", 0, _name), Column("Age", 0, age),
    Column("SignerName", 0, lambda o, v: _g(o, "spec", "signerName") or "<none>"),
    Column("Requestor", 0, lambda o, v: _g(o, "spec", "username") or ""),
    Column("RequestedDuration", 0, _csr_duration), Column("Condition", 0, _csr_condition),
]

ROLE_BINDING = [
    Column("Name", 0, _name),
    Column("Role", 0, lambda o, v: f"{_g(o, 'roleRef', 'kind') or ''}/{_g(o, 'roleRef', 'name') or ''}"),
    Column("Age", 0, age),
    Column("Users", 1, lambda o, v: _subjects(o, "User")),
    Column("Groups", 1, lambda o, v: _subjects(o, "Group")),
    Column("ServiceAccounts", 1, lambda o, v: _subjects(o, "ServiceAccount")),
]

# ---- Events -----------------------------------------------------------------------------

def event_times(ev: dict, now: float) -> tuple[str, str, int]:
    """printEvent's (LAST SEEN, FIRST SEEN, COUNT)."""
    first = ev.get("firstTimestamp")
    first_s = translate_timestamp_since(first or ev.get("eventTime"), now)
    last = translate_timestamp_since(ev.get("lastTimestamp"), now) if ev.get("lastTimestamp") else first_s
    count = int(ev.get("count") or 0)
    series = ev.get("series")
    if series:
        last = translate_timestamp_since(series.get("lastObservedTime"), now)
        count = int(series.get("count") or 0)
    elif count == 0:
        count = 1
    return last, first_s, count


def _event_object(ev, view):
    io = ev.get("involvedObject") or {}
    kind = (io.get("kind") or "").lower()
    return f"{kind}/{io['name']}" if io.get("name") else kind


def _event_source(ev, view):
    """formatEventSource: component (or reportingController) [", " host (or reportingInstance)]."""
    src = ev.get("source") or {}
    comp = src.get("component") or ev.get("reportingController") or ""
    host = src.get("host") or ev.get("reportingInstance") or ""
    return f"{comp}, {host}" if host else comp


EVENT = [
    Column("Last Seen", 0, lambda o, v: event_times(o, v.now)[0]),
    Column("Type", 0, lambda o, v: o.get("type") or ""),
    Column("Reason", 0, lambda o, v: o.get("reason") or ""),
    Column("Object", 0, _event_object),
    Column("Subobject", 1, lambda o, v: _g(o, "involvedObject", "fieldPath") or ""),
    Column("Source", 1, _event_source),
    Column("Message", 0, lambda o, v: (o.get("message") or "").strip()),
    Column("First Seen", 1, lambda o, v: event_times(o, v.now)[1]),
    Column("Count", 1, lambda o, v: str(event_times(o, v.now)[2])),
    Column("Name", 1, _name),
]

# ---- Storage (printPersistentVolume / printPersistentVolumeClaim / printStorageClass) ------

_BETA_CLASS = "volume.beta.kubernetes.io/storage-class"


def access_modes(modes: list | None) -> str:
    """GetAccessModesAsString: the short names in a fixed order, duplicates dropped."""
    modes = modes or []
    return ",".join(short for mode, short in (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"),
                                              ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"))
                    if mode in modes)


def volume_class(obj: dict) -> str:
    """GetPersistentVolume(Claim)Class: the beta annotation wins over spec.storageClassName."""
    ann = _g(obj, "metadata", "annotations") or {}
    if _BETA_CLASS in ann:
        return ann[_BETA_CLASS]
    return _g(obj, "spec", "storageClassName") or ""


def _qty(q) -> str:
    return canonical(q) if q is not None else "0"


def _phase(obj: dict) -> str:
    if _g(obj, "metadata", "deletionTimestamp") is not None:
        return "Terminating"
    return _g(obj, "status", "phase") or ""


def _claim_ref(pv, view) -> str:
    ref = _g(pv, "spec", "claimRef")
    return f"{ref.get('namespace') or ''}/{ref.get('name') or ''}" if ref is not None else ""


def _vac(obj, view) -> str:
    v = _g(obj, "spec", "volumeAttributesClassName")
    return "<unset>" if v is None else v


def _volume_mode(obj, view) -> str:
    v = _g(obj, "spec", "volumeMode")
    return "<unset>" if v is None else v


PERSISTENT_VOLUME = [
    Column("Name", 0, _name),
    Column("Capacity", 0, lambda o, v: _qty(_g(o, "spec", "capacity", "storage"))),
    Column("Access Modes", 0, lambda o, v: access_modes(_g(o, "spec", "accessModes"))),
    Column("Reclaim Policy", 0, lambda o, v: _g(o, "spec", "persistentVolumeReclaimPolicy") or ""),
    Column("Status", 0, lambda o, v: _phase(o)),
    Column("Claim", 0, _claim_ref),
    Column("StorageClass", 0, lambda o, v: volume_class(o)),
    Column("VolumeAttributesClass", 0, _vac),
    Column("Reason", 0, lambda o, v: _g(o, "status", "reason") or ""),
    Column("Age", 0, age),
    Column("VolumeMode", 1, _volume_mode),
]


def _pvc_bound(o) -> bool:
    return bool(_g(o, "spec", "volumeName"))


PERSISTENT_VOLUME_CLAIM = [
    Column("Name", 0, _name),
    Column("Status", 0, lambda o, v: _phase(o)),
    Column("Volume", 0, lambda o, v: _g(o, "spec", "volumeName") or ""),
    Column("Capacity", 0, lambda o, v: _qty(_g(o, "status", "capacity", "storage")) if _pvc_bound(o) else ""),
    Column("Access Modes", 0, lambda o, v: access_modes(_g(o, "status", "accessModes")) if _pvc_bound(o) else ""),
    Column("StorageClass", 0, lambda o, v: volume_class(o)),
    Column("VolumeAttributesClass", 0, _vac),
    Column("Age", 0, age),
    Column("VolumeMode", 1, _volume_mode),
]


def storage_class_name(sc: dict) -> str:
    return sc["metadata"]["name"] + (" (default)" if is_default(sc) else "")


STORAGE_CLASS = [
    Column("Name", 0, lambda o, v: storage_class_name(o)),
    Column("Provisioner", 0, lambda o, v: o.get("provisioner") or ""),
    Column("ReclaimPolicy", 0, lambda o, v: o.get("reclaimPolicy") or "Delete"),
    Column("VolumeBindingMode", 0, lambda o, v: o.get("volumeBindingMode") or "Immediate"),
    Column("AllowVolumeExpansion", 0, lambda o, v: "true" if o.get("allowVolumeExpansion") else "false"),
    Column("Age", 0, age),
]

DEFAULT = [Column("Name", 0, _name), Column("Age", 0, age)]

# ---- networking.k8s.io ------------------------------------------------------------------

NETWORK_POLICY = [Column("Name", 0, _name),
                  Column("Pod-Selector", 0, lambda o, v: format_label_selector(_g(o, "spec", "podSelector"))),
                  Column("Age", 0, age)]

def _ingress_hosts(o, v):
    """formatHosts: up to 4 hosts, then ' + N more...'; '*' when no rule names one."""
    rules = _g(o, "spec", "rules", default=[]) or []
    hosts, more = [], False
    for r in rules:
        if len(hosts) == 4:
            more = True
        if not more and r.get("host"):
            hosts.append(r["host"])
    if not hosts:
        return "*"
    text = ",".join(hosts)
    return f"{text} + {len(rules) - 4} more..." if more else text


def _ingress_address(o, v, wide: bool = False):
    """ingressLoadBalancerStatusStringer: sorted unique IPs/hostnames; cut to 16 unless wide."""
    seen = set()
    for i in _g(o, "status", "loadBalancer", "ingress", default=[]) or []:
        if i.get("ip"):
            seen.add(i["ip"])
        elif i.get("hostname"):
            seen.add(i["hostname"])
    r = ",".join(sorted(seen))
    return r[:13] + "..." if not wide and len(r) > 16 else r


def _ingress_columns(wide: bool) -> list[Column]:
    return [Column("Name", 0, _name),
            Column("Class", 0, lambda o, v: _g(o, "spec", "ingressClassName") or "<none>"),
            Column("Hosts", 0, _ingress_hosts),
            Column("Address", 0, lambda o, v: _ingress_address(o, v, wide)),
            Column("Ports", 0, lambda o, v: "80, 443" if _g(o, "spec", "tls") else "80"),
            Column("Age", 0, age)]


def _ingress_class_parameters(o, v):
    p = _g(o, "spec", "parameters")
    if p is None:
        return "<none>"
    kind = (p.get("kind") or "") + (f".{p['apiGroup']}" if p.get("apiGroup") is not None else "")
    return f"{kind}/{p.get('name') or ''}"


# printValidatingWebhook: the number of webhooks the configuration lists
VALIDATING_WEBHOOK = [Column("Name", 0, _name),
                      Column("Webhooks", 0, lambda o, v: str(len(_g(o, "webhooks", default=[]) or []))),
                      Column("Age", 0, age)]

INGRESS_CLASS = [Column("Name", 0, _name), Column("Controller", 0, lambda o, v: _g(o, "spec", "controller") or ""),
                 Column("Parameters", 0, _ingress_class_parameters), Column("Age", 0, age)]

# ---- gateway.networking.k8s.io: the CRDs' additionalPrinterColumns ----------------------

def _condition_status(ctype: str):
    def cell(o, v):
        for c in _g(o, "status", "conditions", default=[]) or []:
            if c.get("type") == ctype:
                return str(c.get("status") or "")
        return ""
    return cell


def _first_address(o, v):
    addrs = _g(o, "status", "addresses", default=[]) or []
    return str((addrs[0] or {}).get("value") or "") if addrs else ""


def _hostnames(o, v):
    names = _g(o, "spec", "hostnames")
    return json.dumps(names, separators=(",", ":")) if names else ""


GATEWAY_CLASS = [Column("Name", 0, _name), Column("Controller", 0, lambda o, v: _g(o, "spec", "controllerName") or ""),
                 Column("Accepted", 0, _condition_status("Accepted")), Column("Age", 0, age),
                 Column("Description", 1, lambda o, v: _g(o, "spec", "description") or "")]
GATEWAY = [Column("Name", 0, _name), Column("Class", 0, lambda o, v: _g(o, "spec", "gatewayClassName") or ""),
           Column("Address", 0, _first_address), Column("Programmed", 0, _condition_status("Programmed")),
           Column("Age", 0, age)]
HTTP_ROUTE = [Column("Name", 0, _name), Column("Hostnames", 0, _hostnames), Column("Age", 0, age)]


def hpa_metrics(specs: list | None, statuses: list | None) -> str:
    """formatHPAMetrics: `cpu: 23%/50%` per metric (<unknown> before the first reading), at most
    two, then `+ N more...`."""
    if not specs:
        return "<none>"
    statuses = statuses or []
    out = []
    for i, spec in enumerate(specs):
        st = statuses[i] if i < len(statuses) and isinstance(statuses[i], dict) else {}
        typ = spec.get("type")
        if typ in ("Resource", "ContainerResource"):
            key = "resource" if typ == "Resource" else "containerResource"
            src, cur_src = spec.get(key) or {}, st.get(key)
            target = src.get("target") or {}
            if target.get("averageValue") is not None:
                cur = str(((cur_src or {}).get("current") or {}).get("averageValue", "<unknown>")) if cur_src else "<unknown>"
                out.append(f"{src.get('name', '')}: {cur}/{target['averageValue']}")
            else:
                util = ((cur_src or {}).get("current") or {}).get("averageUtilization") if cur_src else None
                cur = f"{util}%" if util is not None else "<unknown>"
                tgt = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
                out.append(f"{src.get('name', '')}: {cur}/{tgt}")
        elif typ in ("Pods", "Object", "External"):
            key = typ.lower()
            target = (spec.get(key) or {}).get("target") or {}
            cur_v = ((st.get(key) or {}).get("current") or {})
            if typ != "Pods" and target.get("averageValue") is None:
                out.append(f"{cur_v.get('value', '<unknown>')}/{target.get('value', '')}")
            else:
                out.append(f"{cur_v.get('averageValue', '<unknown>')}/{target.get('averageValue', '')}"
                           + (" (avg)" if typ != "Pods" else ""))
        else:
            out.append("<unknown type>")
    if len(out) > 2:
        return ", ".join(out[:2]) + f" + {len(out) - 2} more..."
    return ", ".join(out)


HPA = [
    Column("Name", 0, _name),
    Column("Reference", 0, lambda o, v: f"{_g(o, 'spec', 'scaleTargetRef', 'kind', default='')}/"
                                        f"{_g(o, 'spec', 'scaleTargetRef', 'name', default='')}"),
    Column("Targets", 0, lambda o, v: hpa_metrics(_g(o, "spec", "metrics"), _g(o, "status", "currentMetrics"))),
    Column("MinPods", 0, lambda o, v: str(_g(o, "spec", "minReplicas")) if _g(o, "spec", "minReplicas") is not None else "<unset>"),
    Column("MaxPods", 0, lambda o, v: _int(_g(o, "spec", "maxReplicas"))),
    Column("Replicas", 0, lambda o, v: _int(_g(o, "status", "currentReplicas"))),
    Column("Age", 0, age),
]

_COLUMNS = {
    "Pod": POD, "Endpoints": ENDPOINTS, "EndpointSlice": ENDPOINT_SLICE, "Deployment": DEPLOYMENT,
    "ReplicaSet": REPLICA_SET, "StatefulSet": STATEFUL_SET, "DaemonSet": DAEMON_SET, "Node": NODE,
    "Namespace": NAMESPACE, "ConfigMap": CONFIG_MAP, "Event": EVENT,
    "PersistentVolume": PERSISTENT_VOLUME, "PersistentVolumeClaim": PERSISTENT_VOLUME_CLAIM,
    "StorageClass": STORAGE_CLASS,
    "Secret": SECRET,
    "ServiceAccount": SERVICE_ACCOUNT,
    "Job": JOB, "CronJob": CRON_JOB, "Role": ROLE, "ClusterRole": ROLE, "CertificateSigningRequest": CSR,
    "ResourceQuota": RESOURCE_QUOTA, "LimitRange": ROLE, "PriorityClass": PRIORITY_CLASS,
    "RoleBinding": ROLE_BINDING, "ClusterRoleBinding": ROLE_BINDING,
    "NetworkPolicy": NETWORK_POLICY, "IngressClass": INGRESS_CLASS,
    "GatewayClass": GATEWAY_CLASS, "Gateway": GATEWAY, "HTTPRoute": HTTP_ROUTE,
    "PodDisruptionBudget": POD_DISRUPTION_BUDGET,
    "HorizontalPodAutoscaler": HPA, "CustomResourceDefinition": ROLE,
    "ValidatingWebhookConfiguration": VALIDATING_WEBHOOK,
}


def _custom_cell(col: dict):
    """One additionalPrinterColumn as the CRD table convertor fills it: the jsonPath's first
    result, typed by the column (date -> age); nothing found -> <none>."""
    path, typ = col.get("jsonPath") or "", col.get("type") or "string"

    def cell(o, v):
        try:
            results = jsonpath.find_results("{" + path + "}", o)
        except Exception:  # noqa: BLE001 - a path the CRD allowed but the parser does not: no value
            return "<none>"
        if not results or not results[0]:
            return "<none>"
        value = results[0][0]
        if typ == "string":
            return jsonpath.value_text(value)
        if value is None:
            return "<none>"
        if typ == "integer" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(int(value))
        if typ == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
            f = float(value)
            return str(int(f)) if f.is_integer() else repr(f)
        if typ == "boolean" and isinstance(value, bool):
            return "true" if value else "false"
        if typ == "date" and isinstance(value, str):
            return translate_timestamp_since(value, v.now) if parse(value) is not None else "<invalid>"
        return "<none>"
    return cell


def _custom_columns(k) -> list[Column]:
    cols = k.crd.get("columns") or []
    if not cols:
        return DEFAULT
    return [Column("Name", 0, _name)] + [Column(c.get("name") or "", int(c.get("priority") or 0), _custom_cell(c))
                                         for c in cols]


def columns_for(kind: str, wide: bool = False) -> list[Column]:
    """All column definitions of a kind (filter by priority for non-wide output)."""
    if kind not in _COLUMNS and kind not in ("Service", "Ingress"):
        k = by_kind(kind)
        if k is not None and k.crd is not None:
            return _custom_columns(k)
    if kind == "Service":
        return _service_columns(wide)
    if kind == "Ingress":
        return _ingress_columns(wide)
    return _COLUMNS.get(kind, DEFAULT)


# ---- Rendering --------------------------------------------------------------------------

def clean_cell(text: str) -> str:
    """tableprinter: a cell is cut at its first \\n, \\r or \\f and gets '...' appended."""
    for i, ch in enumerate(text):
        if ch in "\n\r\f":
            return text[:i] + "..."
    return text


def group_rows(kind: str, objects: list[dict], view, *, wide=False, prefix=False, all_namespaces=False,
               show_labels=False, label_columns=(), no_headers=False) -> tuple[list[list[str]], int | None]:
    """One group's rows (header first unless no_headers) and the index of its STATUS column."""
    meta = by_kind(kind)
    cols = [c for c in columns_for(kind, wide) if wide or c.priority == 0]
    with_ns = all_namespaces and (meta.namespaced if meta else True)
    header = [c.name.upper() for c in cols]
    status_col = header.index("STATUS") if "STATUS" in header else None
    if with_ns:
        header.insert(0, "NAMESPACE")
        status_col = None if status_col is None else status_col + 1
    header += [k.rsplit("/", 1)[-1].upper() for k in label_columns]
    if show_labels:
        header.append("LABELS")
    rows = [] if no_headers else [header]
    ref = meta.ref if meta else kind.lower()
    for o in objects:
        row = []
        for c in cols:
            text = clean_cell(str(c.cell(o, view)))
            if c is cols[0] and prefix:
                text = f"{ref}/{text}"
            row.append(text)
        labels = _g(o, "metadata", "labels") or {}
        if with_ns:
            row.insert(0, _g(o, "metadata", "namespace") or "")
        row += [labels.get(k, "") for k in label_columns]
        if show_labels:
            row.append(format_labels(labels))
        rows.append(row)
    return rows, status_col


def render_tables(groups: list[tuple[str, list[dict]]], view, *, wide=False, show_kind=False,
                  all_namespaces=False, show_labels=False, label_columns=(), no_headers=False,
                  colour=False) -> str:
    """Print resource groups as kubectl get does; '' when nothing was printed."""
    nonempty = [(k, objs) for k, objs in groups if objs]
    prefix = show_kind or len({k for k, _ in nonempty}) > 1
    out: list[str] = []
    for kind, objs in nonempty:
        rows, status_col = group_rows(kind, objs, view, wide=wide, prefix=prefix,
                                      all_namespaces=all_namespaces, show_labels=show_labels,
                                      label_columns=tuple(label_columns), no_headers=no_headers)
        if out and not no_headers:
            out.append("\n")
        if colour:
            out.append(render_coloured(rows, status_col, header=not no_headers))
        else:
            out.append(tabwriter.render(rows))
    return "".join(out)
