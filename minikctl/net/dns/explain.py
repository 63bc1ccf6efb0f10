"""`dns explain`: why a name resolved the way it did, for a learner.

Why: no peer tool shows the chain search list -> query -> Service -> EndpointSlice -> pod, nor
why a pod is missing. We replay the pod's resolver walk with `records.answer` (the same model
the server and the in-pod tools use) and annotate each record with its origin.
"""
from __future__ import annotations

from minikctl.api.conditions import is_ready
from minikctl.api.selectors import service_selects
from minikctl.net.dns import records
from minikctl.net.dns.resolver import Dns, pod_resolv_conf, search_candidates
from minikctl import lazy

ResolvConf = lazy.function("minikctl.net.dns.resolver", "ResolvConf")


def left_out(view, ns: str, svc: dict, idx: records.Index) -> list[str]:
    """Pods near the Service that produced no record, and why."""
    name = svc["metadata"]["name"]
    sel = (svc.get("spec") or {}).get("selector") or {}
    eps = {e.target.get("name"): e for e in idx.endpoints.get((ns, name), []) if e.target}
    out = []
    for p in view.list("Pod", ns):
        pname = p["metadata"]["name"]
        labels = p["metadata"].get("labels") or {}
        if not sel:
            continue
        if not service_selects(sel, labels):
            others = [o for o in idx.services.values() if o is not svc and o["metadata"].get("namespace") == ns
                      and service_selects((o.get("spec") or {}).get("selector"), labels)]
            if others:      # it belongs to another Service: not a near miss
                continue
            shared = [k for k in sel if k in labels]
            if shared:
                diff = ", ".join(f"{k}={labels[k]} (wants {sel[k]})" for k in shared if labels[k] != sel[k])
                out.append(f"pod {pname}: labels do not match the selector: {diff or 'missing keys'}")
            continue
        e = eps.get(pname)
        if e is None:
            ip = (p.get("status") or {}).get("podIP")
            out.append(f"pod {pname}: selected but not in any EndpointSlice"
                       + ("" if ip else " (no pod IP yet)"))
        elif not e.ready:
            out.append(f"pod {pname}: endpoint {e.ip} is not ready"
                       + ("" if is_ready(p) else " (Ready condition is False)"))
        spec = p.get("spec") or {}
        if records.is_headless(svc) and e is not None:
            if not spec.get("hostname"):
                out.append(f"pod {pname}: no spec.hostname, so its name is the dashed IP {e.name}")
            elif spec.get("subdomain") != name:
                out.append(f"pod {pname}: hostname {spec['hostname']} unused: spec.subdomain "
                           f"{spec.get('subdomain') or '(unset)'} does not name Service {name}")
    return out


def explain(view, name: str, from_pod: dict | str | None = None, qtype: str = "A") -> str:
    """The resolution of `name` as seen from `from_pod` (a Pod object or 'ns/name'), as text."""
    pod = from_pod
    if isinstance(from_pod, str):
        ns, _, pname = from_pod.rpartition("/")
        pod = view.get("Pod", ns or "default", pname)
    dns = Dns(view)
    idx = dns.index
    rc = pod_resolv_conf(view, pod)
    where = f"pod {pod['metadata'].get('namespace')}/{pod['metadata']['name']}" if pod else "a default-namespace pod"
    if pod is None:
        domain = view.profile.get("clusterDomain", "cluster.local")
        rc = ResolvConf([view.profile.get("dnsServiceIP", "10.96.0.10")],
                        [f"default.svc.{domain}", f"svc.{domain}", domain], ["ndots:5"])
    lines = [f"Resolving {name} ({qtype}) from {where}",
             f"  nameserver {', '.join(rc.nameservers) or '(none)'}; search {' '.join(rc.search) or '(none)'}; "
             f"ndots {rc.ndots}"]
    dots = name.rstrip(".").count(".")
    if name.endswith("."):
        lines.append("  the name ends with a dot: it is absolute, the search list is not used")
    elif dots >= rc.ndots:
        lines.append(f"  {dots} dot(s) >= ndots {rc.ndots}: the name is tried as-is first")
    else:
        lines.append(f"  {dots} dot(s) < ndots {rc.ndots}: the search domains are tried first, the name as-is last")
    if not dns.coredns_reachable() and any(dns.serves_cluster(s) for s in rc.nameservers):
        lines.append("  kube-dns has no ready endpoints: queries to the cluster DNS time out")
    found = None
    for i, cand in enumerate(search_candidates(name, rc.search, rc.ndots), 1):
        server, ans = dns.first_answer(rc.nameservers, cand, qtype)
        if ans is None:
            lines.append(f"  {i}. {cand}. {qtype} -> no reply (timed out)")
            break
        lines.append(f"  {i}. {cand}. {qtype} -> {ans.rcode_name}, flags {ans.flags}"
                     + ("" if ans.answer or not ans.note else f": {ans.note}"))
        for rr, origin in zip(ans.answer, ans.origins):
            lines.append(f"       {str(rr.rname)} {rr.ttl} {records.qtype_name(rr.rtype)} "
                         f"{_rdata(rr)}  <- {origin or 'upstream'}")
        if ans.rcode == records.NOERROR and ans.answer:
            found = cand
            break
    if found is None:
        lines.append(f"Result: {name} does not resolve")
    else:
        lines.append(f"Result: answered by {found}.")
        svc = _service_for(idx, found)
        if svc is not None:
            ns = svc["metadata"].get("namespace")
            kind = ("headless" if records.is_headless(svc) else
                    "ExternalName" if records.is_external(svc) else "ClusterIP")
            lines.append(f"  Service {ns}/{svc['metadata']['name']} is {kind}"
                         + (": DNS returns the pods' IPs, one A record per ready endpoint" if kind == "headless"
                            else ": DNS returns the one virtual IP; kube-proxy picks a pod per connection"
                            if kind == "ClusterIP" else ": DNS returns a CNAME, no proxying"))
            why = left_out(view, ns, svc, idx)
            if why:
                lines.append("Pods left out or renamed:")
                lines += [f"  {w}" for w in why]
    return "\n".join(lines) + "\n"


def _rdata(rr) -> str:
    if rr.rtype in (records.T_CNAME, records.T_PTR, records.T_NS):
        return str(rr.rdata.label)
    return str(rr.rdata)


def _service_for(idx: records.Index, fq: str):
    zone = idx.cfg.cluster_zone
    q = fq.rstrip(".").lower()
    if not q.endswith(".svc." + zone):
        return None
    labels = q[: -len(".svc." + zone)].split(".")
    if len(labels) < 2:
        return None
    return idx.services.get((labels[-1], labels[-2]))
