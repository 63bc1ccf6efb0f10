"""`minikctl top node|pod`: kubectl top over the simulated metrics-server (sim/metrics.py).

Layout, messages and sorting are kubectl v1.32's (pkg/cmd/top, pkg/metricsutil/metrics_printer.go):
every cell, the last included, ends in a tab, so Go's tabwriter pads the last column too and
lines carry trailing spaces, as the real command prints them.
"""
from __future__ import annotations

from typing import Optional

import typer

from minikctl.api.errors import ApiError, CliError
from minikctl.cli import context
from minikctl import lazy

amount = lazy.function("minikctl.api.resources", "amount")
kinds = lazy.module("minikctl.api.kinds")
metrics = lazy.module("minikctl.sim.metrics")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
selectors = lazy.module("minikctl.api.selectors")
tabwriter = lazy.module("minikctl.printers.tabwriter")
timeutil = lazy.module("minikctl.timeutil")

METRICS_CREATION_DELAY = 120.0   # top_pod.go metricsCreationDelay


def _table(rows: list[list[str]]) -> str:
    return tabwriter.render([r + [""] for r in rows])


def _cpu(m: int) -> str:
    return f"{m}m"


def _mem(b: int) -> str:
    return f"{b // 2**20}Mi"


def _sort_by(value: str | None) -> str:
    if value and value not in ("cpu", "memory"):
        raise CliError("--sort-by accepts only cpu or memory")
    return value or ""


def _not_found(resource: str, name: str) -> ApiError:
    return ApiError("NotFound", f'{resource} "{name}" not found', 404)


def _selected(objs: list[dict], selector: str | None, field_selector: str | None, kind: str) -> list[dict]:
    if selector:
        reqs = selectors.parse_selector(selector)
        objs = [o for o in objs if selectors.matches(reqs, o["metadata"].get("labels"))]
    if field_selector:
        freqs = selectors.parse_field_selector(field_selector, kinds.BY_KIND[kind])
        objs = [o for o in objs if selectors.field_matches(freqs, o)]
    return objs


def top_node(name: str | None, selector: str | None, sort_by: str | None, no_headers: bool, capacity: bool) -> int:
    sort_by = _sort_by(sort_by)
    with open_cluster(context.env()) as cluster:
        if not metrics.available(cluster):
            raise CliError("Metrics API not available")
        if name:
            node = cluster.get("Node", None, name)
            if node is None:
                raise _not_found("node", name)
            nodes = [node]
        else:
            nodes = _selected(cluster.list("Node"), selector, None, "Node")
        rows = []
        for n in nodes:
            cpu, mem = metrics.node_usage(cluster, n)
            avail = (n.get("status") or {}).get("capacity" if capacity else "allocatable") or {}
            rows.append((n["metadata"]["name"], cpu, mem, avail))
    if not rows:
        raise CliError("metrics not available yet")
    key = {"cpu": lambda r: -r[1], "memory": lambda r: -r[2]}.get(sort_by, lambda r: r[0])
    rows.sort(key=key)
    table = [] if no_headers else [["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]]
    for nm, cpu, mem, avail in rows:
        cells = [nm, _cpu(cpu)]
        if "cpu" in avail:
            a = amount(avail["cpu"]) * 1000
            cells.append(f"{int(cpu / a * 100) if a else 0}%")
        cells.append(_mem(mem))
        if "memory" in avail:
            a = amount(avail["memory"])
            cells.append(f"{int(mem / a * 100) if a else 0}%")
        table.append(cells)
    context.out(_table(table))
    return 0


def top_pod(name: str | None, namespace: str | None, all_ns: bool, selector: str | None, field_selector: str | None,
            containers: bool, sort_by: str | None, no_headers: bool, total: bool) -> int:
    sort_by = _sort_by(sort_by)
    if name and (selector or field_selector):
        raise CliError("only one of NAME or selector can be provided")
    ns = None if all_ns else context.namespace(namespace)
    with open_cluster(context.env()) as cluster:
        if not metrics.available(cluster):
            raise CliError("Metrics API not available")
        if name:
            pod = cluster.get("Pod", ns, name)
            if pod is None:
                raise _not_found("pod", name)
            pods = [pod]
        else:
            pods = _selected(cluster.list("Pod", ns), selector, field_selector, "Pod")
        found = []
        for p in pods:
            usage = metrics.container_usage(cluster, p)
            if usage is not None:
                found.append((p, usage))
        if not found:
            if name:
                raise _not_found("podmetrics.metrics.k8s.io", f"{ns}/{name}")
            for p in pods:
                age = cluster.now - timeutil.parse(p["metadata"]["creationTimestamp"])
                if age > METRICS_CREATION_DELAY:
                    raise CliError(f"Metrics not available for pod {p['metadata']['namespace']}/{p['metadata']['name']}, "
                                   f"age: {timeutil.go_duration_string(age)}")
            if pods:
                raise CliError("metrics not available yet")
            context.err("No resources found" if all_ns else f"No resources found in {ns} namespace.")
            return 0
    _print_pods(found, containers, all_ns, no_headers, sort_by, total)
    return 0


def _print_pods(found, containers: bool, all_ns: bool, no_headers: bool, sort_by: str, total: bool) -> None:
    """PrintPodMetrics: header, rows sorted as PodMetricsSorter sorts, --sum's two lines."""
    def sums(u):
        return sum(c[1] for c in u), sum(c[2] for c in u)
    if sort_by == "cpu":
        found.sort(key=lambda pu: -sums(pu[1])[0])
    elif sort_by == "memory":
        found.sort(key=lambda pu: -sums(pu[1])[1])
    else:
        found.sort(key=lambda pu: ((pu[0]["metadata"]["namespace"] if all_ns else ""), pu[0]["metadata"]["name"]))
    width = 3
    rows = []
    if not no_headers:
        head = []
        if all_ns:
            head.append("NAMESPACE")
            width += 1
        if containers:
            head.append("POD")
            width += 1
        rows.append(head + ["NAME", "CPU(cores)", "MEMORY(bytes)"])
    for pod, usage in found:
        lead = [pod["metadata"]["namespace"]] if all_ns else []
        if containers:
            idx = {"cpu": 1, "memory": 2}.get(sort_by)
            cs = sorted(usage, key=(lambda c: -c[idx]) if idx else (lambda c: c[0]))
            for cname, cpu, mem in cs:
                rows.append(lead + [pod["metadata"]["name"], cname, _cpu(cpu), _mem(mem)])
        else:
            cpu, mem = sums(usage)
            rows.append(lead + [pod["metadata"]["name"], _cpu(cpu), _mem(mem)])
    if total:
        cpu = sum(sums(u)[0] for _p, u in found)
        mem = sum(sums(u)[1] for _p, u in found)
        rows.append([""] * (width - 2) + ["________", "________"])
        rows.append([""] * (width - 3) + ["", _cpu(cpu), _mem(mem)])
    context.out(_table(rows))


def register(app: typer.Typer) -> None:
    top = typer.Typer(add_completion=False, rich_markup_mode=None, no_args_is_help=True,
                      help="Display resource (CPU/memory) usage.")

    @top.command("node", help="Display resource (CPU/memory) usage of nodes.")
    def node_cmd(name: Optional[str] = typer.Argument(None),
                 selector: Optional[str] = typer.Option(None, "-l", "--selector", help="Selector (label query) to filter on."),
                 sort_by: Optional[str] = typer.Option(None, "--sort-by", help="If non-empty, sort nodes list using specified field. The field can be either 'cpu' or 'memory'."),
                 no_headers: bool = typer.Option(False, "--no-headers", help="If present, print output without headers"),
                 show_capacity: bool = typer.Option(False, "--show-capacity", help="Print node resources based on Capacity instead of Allocatable(default) of the nodes.")) -> int:
        return top_node(name, selector, sort_by, no_headers, show_capacity)

    @top.command("pod", help="Display resource (CPU/memory) usage of pods.")
    def pod_cmd(name: Optional[str] = typer.Argument(None),
                namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
                all_ns: bool = typer.Option(False, "-A", "--all-namespaces", help="If present, list the requested object(s) across all namespaces."),
                selector: Optional[str] = typer.Option(None, "-l", "--selector", help="Selector (label query) to filter on."),
                field_selector: Optional[str] = typer.Option(None, "--field-selector", help="Selector (field query) to filter on."),
                containers: bool = typer.Option(False, "--containers", help="If present, print usage of containers within a pod."),
                sort_by: Optional[str] = typer.Option(None, "--sort-by", help="If non-empty, sort pods list using specified field. The field can be either 'cpu' or 'memory'."),
                no_headers: bool = typer.Option(False, "--no-headers", help="If present, print output without headers."),
                total: bool = typer.Option(False, "--sum", help="Print the sum of the resource usage")) -> int:
        return top_pod(name, namespace, all_ns, selector, field_selector, containers, sort_by, no_headers, total)

    top.command("nodes", hidden=True)(node_cmd)
    top.command("no", hidden=True)(node_cmd)
    top.command("pods", hidden=True)(pod_cmd)
    top.command("po", hidden=True)(pod_cmd)
    app.add_typer(top, name="top")
