"""describe node (describeNode): roles, labels, taints, lease, conditions, addresses,
capacity/allocatable, system info, pod CIDRs, the non-terminated pods table with their
requests/limits as fractions of allocatable, allocated resources, events."""
from __future__ import annotations

from fractions import Fraction

from minikctl.api.resources import amount, pod_totals
from minikctl.printers.describe import (Writer, annotations_multiline, describe_events, events_for, g,
                                        labels_multiline, time_str, translate_timestamp_since)
from minikctl.printers.table import node_roles
from minikctl.timeutil import fmt
from minikctl import lazy

not_posting_since = lazy.function("minikctl.sim.nodehost.kubelet_host", "not_posting_since")

def quantity(s) -> Fraction:
    """A resource.Quantity string ('500m', '128Mi', '4') as an exact number."""
    return amount(s)


def format_cpu(v: Fraction) -> str:
    """Quantity.String() of a DecimalSI cpu amount: whole cores, else millicores."""
    if v == 0:
        return "0"
    return str(int(v)) if v.denominator == 1 else f"{int(v * 1000)}m"


def format_bytes(v: Fraction, binary: bool) -> str:
    """Quantity.String() of a memory amount in the format of its source (BinarySI or DecimalSI)."""
    n = int(v)
    if n == 0:
        return "0"
    sufs = (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)) if binary else \
        (("T", 10**12), ("G", 10**9), ("M", 10**6), ("k", 10**3))
    for suf, mult in sufs:
        if n % mult == 0:
            return f"{n // mult}{suf}"
    return str(n)


def _pod_resources(pod: dict) -> tuple[dict, dict]:
    """PodRequestsAndLimits: the same sums the scheduler fits (api/resources.pod_totals)."""
    return pod_totals(pod, "requests"), pod_totals(pod, "limits")


def _is_binary(values) -> bool:
    return any(str(v).endswith(("Ki", "Mi", "Gi", "Ti")) for v in values)


def _pct(part: Fraction, whole: Fraction) -> int:
    return int(part / whole * 100) if whole else 0


def _micro_time(t: float) -> str:
    """metav1.MicroTime, as Lease times are written: RFC 3339 with six fractional digits."""
    return fmt(t)[:-1] + ".000000Z"


def lease_spec(name: str, view) -> dict:
    """The spec of a node's Lease in kube-node-lease; kubelet renews it every 10s, so without a
    stored Lease it is the latest 10-second renewal. `minikctl serve` answers kubectl's Lease GET
    with this same spec, so both describes print one lease."""
    lease = view.get("Lease", "kube-node-lease", name)
    if lease is None:
        last = view.now
        units = (getattr(view, "meta", None) or {}).get("nodeUnits")
        if units and name in units:      # a stopped kubelet renews no more (sim/nodehost)
            last = not_posting_since(view, name) or view.now
        return {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": _micro_time(last - last % 10)}
    return lease.get("spec") or {}


def _lease(w: Writer, node: dict, view) -> None:
    spec = lease_spec(node["metadata"]["name"], view)
    w.write(0, "Lease:\n")
    w.write(1, f"HolderIdentity:\t{spec.get('holderIdentity') or '<unset>'}\n")
    w.write(1, f"AcquireTime:\t{time_str(spec['acquireTime']) if spec.get('acquireTime') else '<unset>'}\n")
    w.write(1, f"RenewTime:\t{time_str(spec['renewTime']) if spec.get('renewTime') else '<unset>'}\n")


def _taint(t: dict) -> str:
    s = t.get("key") or ""
    if t.get("value"):
        s += f"={t['value']}"
    if t.get("effect"):
        s += f":{t['effect']}"
    return s


def describe(node: dict, view) -> str:
    meta, spec, status = node.get("metadata") or {}, node.get("spec") or {}, node.get("status") or {}
    name = meta.get("name")
    w = Writer()
    w.write(0, f"Name:\t{name}\n")
    w.write(0, f"Roles:\t{','.join(node_roles(node)) or '<none>'}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{time_str(meta.get('creationTimestamp'))}\n")
    taints = sorted(spec.get("taints") or [], key=lambda t: f"{t.get('effect') or ''},{t.get('key') or ''}")
    w.write(0, "Taints:\t")
    if not taints:
        w.line("<none>")
    for i, t in enumerate(taints):
        if i:
            w.write(0, "\t")
        w.write(0, _taint(t) + "\n")
    w.write(0, f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}\n")
    _lease(w, node, view)
    conds = status.get("conditions") or []
    if conds:
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conds:
            w.write(1, f"{c.get('type')} \t{c.get('status')} \t{time_str(c.get('lastHeartbeatTime'))} \t"
                       f"{time_str(c.get('lastTransitionTime'))} \t{c.get('reason') or ''} \t{c.get('message') or ''}\n")
    w.write(0, "Addresses:\n")
    for a in status.get("addresses") or []:
        w.write(1, f"{a.get('type')}:\t{a.get('address')}\n")
    for title, key in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        res = status.get(key) or {}
        if res:
            w.write(0, f"{title}:\n")
            for r in sorted(res):
                w.write(0, f"  {r}:\t{res[r]}\n")
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for title, key in (("Machine ID", "machineID"), ("System UUID", "systemUUID"), ("Boot ID", "bootID"),
                       ("Kernel Version", "kernelVersion"), ("OS Image", "osImage"),
                       ("Operating System", "operatingSystem"), ("Architecture", "architecture"),
                       ("Container Runtime Version", "containerRuntimeVersion"),
                       ("Kubelet Version", "kubeletVersion"), ("Kube-Proxy Version", "kubeProxyVersion")):
        w.write(0, f"  {title}:\t{info.get(key) or ''}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    _resources(w, node, view)
    describe_events(w, events_for(node, view, extra_uids=(name,)), view.now)
    return w.render()


def _resources(w: Writer, node: dict, view) -> None:
    """describeNodeResource."""
    name = node["metadata"]["name"]
    pods = [p for p in view.list("Pod") if g(p, "spec", "nodeName") == name
            and g(p, "status", "phase") not in ("Succeeded", "Failed")]
    alloc = g(node, "status", "allocatable") or g(node, "status", "capacity") or {}
    a_cpu, a_mem = quantity(alloc.get("cpu", "0")), quantity(alloc.get("memory", "0"))
    a_eph = quantity(alloc.get("ephemeral-storage", "0"))
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    totals: dict[str, dict[str, Fraction]] = {"requests": {}, "limits": {}}
    raw: dict[str, list] = {"memory": [], "ephemeral-storage": []}
    for p in pods:
        reqs, lims = _pod_resources(p)
        for c in (g(p, "spec", "containers") or []) + (g(p, "spec", "initContainers") or []):
            for key in ("requests", "limits"):
                for r in ("memory", "ephemeral-storage"):
                    if (g(c, "resources", key) or {}).get(r):
                        raw[r].append(c["resources"][key][r])
        for key, vals in (("requests", reqs), ("limits", lims)):
            for r, v in vals.items():
                totals[key][r] = totals[key].get(r, Fraction(0)) + v
        binary = _is_binary(raw["memory"])
        cr, cl = reqs.get("cpu", Fraction(0)), lims.get("cpu", Fraction(0))
        mr, ml = reqs.get("memory", Fraction(0)), lims.get("memory", Fraction(0))
        w.write(1, f"{p['metadata'].get('namespace')}\t{p['metadata']['name']}\t\t"
                   f"{format_cpu(cr)} ({_pct(cr, a_cpu)}%)\t{format_cpu(cl)} ({_pct(cl, a_cpu)}%)\t"
                   f"{format_bytes(mr, binary)} ({_pct(mr, a_mem)}%)\t{format_bytes(ml, binary)} ({_pct(ml, a_mem)}%)\t"
                   f"{translate_timestamp_since(g(p, 'metadata', 'creationTimestamp'), view.now)}\n")
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    rq, lm = totals["requests"], totals["limits"]
    zero = Fraction(0)
    w.write(1, f"cpu\t{format_cpu(rq.get('cpu', zero))} ({_pct(rq.get('cpu', zero), a_cpu)}%)\t"
               f"{format_cpu(lm.get('cpu', zero))} ({_pct(lm.get('cpu', zero), a_cpu)}%)\n")
    mb = _is_binary(raw["memory"])
    w.write(1, f"memory\t{format_bytes(rq.get('memory', zero), mb)} ({_pct(rq.get('memory', zero), a_mem)}%)\t"
               f"{format_bytes(lm.get('memory', zero), mb)} ({_pct(lm.get('memory', zero), a_mem)}%)\n")
    eb = _is_binary(raw["ephemeral-storage"])
    er, el = rq.get("ephemeral-storage", zero), lm.get("ephemeral-storage", zero)
    w.write(1, f"ephemeral-storage\t{format_bytes(er, eb)} ({_pct(er, a_eph)}%)\t"
               f"{format_bytes(el, eb)} ({_pct(el, a_eph)}%)\n")
    for r in sorted(alloc):
        if r.startswith("hugepages-"):
            hr, hl, ha = rq.get(r, zero), lm.get(r, zero), quantity(alloc[r])
            w.write(1, f"{r}\t{format_bytes(hr, True)} ({_pct(hr, ha)}%)\t{format_bytes(hl, True)} ({_pct(hl, ha)}%)\n")
