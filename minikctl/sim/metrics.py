"""A simulated metrics-server: what `kubectl top` and the HorizontalPodAutoscaler read.

Why derived, not stored: usage is a function of the cluster state and the clock - which containers
run, what their processes do (images/behaviours: a web server idles at a few millicores, `stress
--cpu 2` burns two cores, a `while true` loop without sleep one), the knobs a lab or drill sets,
and a deterministic wobble per scrape window - so every reader (top, HPA, serve's metrics API)
sees the same figures with nothing to keep in sync.

* The Metrics API exists only when a metrics-server Deployment in kube-system has an available
  replica, as on a real cluster (`minikctl addons enable metrics-server` installs it).
* metrics-server scrapes every 15 s (--metric-resolution); a container appears after its first
  scrape (running for 15 s), so a fresh pod has no metrics yet, as `top` reports.
* Knobs (annotations, like the readiness knob): `sim.minikctl.io/cpu` and `sim.minikctl.io/memory`
  on a Pod, or on its Deployment / StatefulSet / DaemonSet / ReplicaSet, set each pod's usage; on
  a Service they are a total load shared by its ready endpoints (a load generator's requests
  spread by kube-proxy), so adding replicas lowers each pod's share, as the HPA walkthrough shows.
  Usage never exceeds a container's CPU limit (the cgroup throttles it).
"""
from __future__ import annotations

import hashlib
import re
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from minikctl import timeutil
from minikctl.api.imageref import base_name
from minikctl.api.resources import amount, parse
from minikctl import lazy

behaviours = lazy.module("minikctl.images.behaviours")
yaml = lazy.module("yaml")

DATA = Path(__file__).resolve().parent.parent / "data" / "usage.yaml"
SCRAPE = 15.0
CPU_KNOB, MEMORY_KNOB = "sim.minikctl.io/cpu", "sim.minikctl.io/memory"
MI = 2**20
_BUSY_LOOP = re.compile(r"while\s+(true|:)\s*;?\s*do(?:(?!sleep).)*?done", re.S)


@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load(DATA.read_text())


def available(view) -> bool:
    """metrics.k8s.io is served: the metrics-server Deployment has an available replica."""
    dep = view.get("Deployment", "kube-system", "metrics-server")
    return bool(dep and int((dep.get("status") or {}).get("availableReplicas") or 0) >= 1)


def _draw(key: str, lo: float, hi: float) -> float:
    h = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")
    return lo + (hi - lo) * (h / 2**64)


def _window(view) -> int:
    return int(view.now // SCRAPE)


def _knob(view, pod: dict, key: str) -> Fraction | None:
    """The pod's own knob, else its controller's (owner chain), else its Services' share."""
    v = (pod["metadata"].get("annotations") or {}).get(key)
    if v is not None:
        return parse(v)
    ns = pod["metadata"].get("namespace")
    owner = pod
    for _ in range(3):
        ref = next((r for r in owner["metadata"].get("ownerReferences") or [] if r.get("controller")), None)
        if ref is None:
            break
        owner = view.get(ref.get("kind", ""), ns, ref.get("name", ""))
        if owner is None:
            break
        v = (owner["metadata"].get("annotations") or {}).get(key)
        if v is not None:
            return parse(v)
    total = None
    ip = (pod.get("status") or {}).get("podIP")
    for svc in view.list("Service", ns):
        v = (svc["metadata"].get("annotations") or {}).get(key)
        if v is None or parse(v) is None:
            continue
        ep = view.get("Endpoints", ns, svc["metadata"]["name"]) or {}
        ready = {a.get("ip") for s in ep.get("subsets") or [] for a in s.get("addresses") or []}
        if ip in ready:
            total = (total or Fraction(0)) + parse(v) / len(ready)
    return total


def _flag(args: list[str], name: str) -> str | None:
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return None


def _busy(container: dict) -> tuple[Fraction, Fraction] | None:
    """(cores, bytes) a CPU- or memory-burning process holds, None for an ordinary one."""
    proc = behaviours.process(container)
    prog = proc.program.rsplit("/", 1)[-1]
    spec = (_data().get("busy") or {}).get(prog)
    if spec is not None:
        if "cpu" in spec:
            return Fraction(spec["cpu"]), Fraction(0)
        workers = int(_flag(proc.args, spec["cpu_flag"]) or 0)
        vms = int(_flag(proc.args, spec["vm_flag"]) or 0)
        size = amount((_flag(proc.args, spec["bytes_flag"]) or "256M").replace("M", "Mi").replace("G", "Gi"))
        return Fraction(workers + vms), vms * size
    if proc.script and _BUSY_LOOP.search(proc.script):
        return Fraction(1), Fraction(0)
    return None


def _running_since(pod: dict, name: str) -> float | None:
    for cs in (pod.get("status") or {}).get("containerStatuses") or []:
        if cs.get("name") == name:
            at = ((cs.get("state") or {}).get("running") or {}).get("startedAt")
            return timeutil.parse(at) if at else None
    return None


def container_usage(view, pod: dict) -> list[tuple[str, int, int]] | None:
    """[(container, millicores, bytes)] as metrics-server last scraped them, None before the
    pod's first scrape (or when it is not running)."""
    if (pod.get("status") or {}).get("phase") != "Running":
        return None
    data = _data()
    w = _window(view)
    scraped = w * SCRAPE
    out = []
    uid = pod["metadata"].get("uid", pod["metadata"]["name"])
    knob_cpu, knob_mem = _knob(view, pod, CPU_KNOB), _knob(view, pod, MEMORY_KNOB)
    for i, c in enumerate((pod.get("spec") or {}).get("containers") or []):
        since = _running_since(pod, c["name"])
        if since is None or since > scraped - SCRAPE:
            continue
        idle = (data.get("idle") or {}).get(base_name(c.get("image", ""))) or data["default"]
        key = f"{uid}/{c['name']}/{w}"
        cpu = Fraction(min(int(_draw(key + "/cpu", idle["cpu"][0], idle["cpu"][1] + 1)), idle["cpu"][1]), 1000)
        mem = Fraction(int(min(_draw(key + "/mem", idle["memory"][0], idle["memory"][1] + 1), idle["memory"][1] + 0.99) * MI))
        busy = _busy(c)
        if busy is not None:
            cpu = max(cpu, busy[0] * Fraction(_draw(key + "/busy", 0.97, 1.0)).limit_denominator(1000))
            mem += busy[1]
        if i == 0 and knob_cpu is not None:
            cpu = knob_cpu * Fraction(_draw(key + "/knob", 0.98, 1.02)).limit_denominator(1000)
        if i == 0 and knob_mem is not None:
            mem = knob_mem
        limit = ((c.get("resources") or {}).get("limits") or {}).get("cpu")
        if limit is not None:
            cpu = min(cpu, amount(limit))
        out.append((c["name"], int(cpu * 1000), int(mem)))
    return out or None


def pod_usage(view, pod: dict) -> tuple[int, int] | None:
    cs = container_usage(view, pod)
    if cs is None:
        return None
    return sum(c[1] for c in cs), sum(c[2] for c in cs)


def node_usage(view, node: dict) -> tuple[int, int]:
    """The node's own processes plus its pods' usage (metrics-server reads the node's cgroup root)."""
    data = _data()
    name = node["metadata"]["name"]
    role = "control-plane" if "node-role.kubernetes.io/control-plane" in (node["metadata"].get("labels") or {}) else "worker"
    base = data["node"][role]
    key = f"{name}/{_window(view)}"
    cpu = int(_draw(key + "/cpu", base["cpu"][0], base["cpu"][1]))
    mem = int(_draw(key + "/mem", base["memory"][0], base["memory"][1]) * MI)
    for pod in view.list("Pod"):
        if (pod.get("spec") or {}).get("nodeName") == name:
            u = pod_usage(view, pod)
            if u:
                cpu, mem = cpu + u[0], mem + u[1]
    return cpu, mem
