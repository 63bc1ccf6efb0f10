"""`minikctl autoscale`: a HorizontalPodAutoscaler for a Deployment, ReplicaSet or StatefulSet,
built as kubectl 1.32 builds it (pkg/cmd/autoscale: an autoscaling/v1 object, the name of the
target unless --name, minReplicas only when --min > 0, targetCPUUtilizationPercentage only when
--cpu-percent >= 0) and created through the apiserver, which stores it as autoscaling/v2."""
from __future__ import annotations

from typing import List, Optional

import typer

from minikctl.api import kinds
from minikctl.api.errors import CliError
from minikctl.cli import context, output
from minikctl.cli.targets import _targets
from minikctl.cli.writes import _body, dry_strategy, print_stored, print_typed
from minikctl import lazy

open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
server = lazy.module("minikctl.api.server")

SCALABLE = {"Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"}


def hpa_v1(live: dict, name: str, lo: int, hi: int, cpu: int) -> dict:
    """createHorizontalPodAutoscaler, in Go field order (kind, apiVersion, metadata, spec, status)."""
    k = kinds.by_kind(live["kind"])
    spec: dict = {"scaleTargetRef": {"kind": live["kind"], "name": live["metadata"]["name"],
                                     "apiVersion": k.api_version if k else live.get("apiVersion", "")}}
    if lo > 0:
        spec["minReplicas"] = lo
    spec["maxReplicas"] = hi
    if cpu >= 0:
        spec["targetCPUUtilizationPercentage"] = cpu
    return {"kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v1",
            "metadata": {"name": name or live["metadata"]["name"], "creationTimestamp": None},
            "spec": spec, "status": {"currentReplicas": 0, "desiredReplicas": 0}}


def autoscale(args: list[str], filenames: list[str], namespace: str | None, lo: int, hi: int | None, cpu: int,
              name: str | None, dry_run: str | None, fmt: str | None) -> int:
    if hi is None:
        raise CliError('required flag(s) "max" not set')
    dry = dry_strategy(dry_run)
    if fmt:
        output.check_format(fmt)
    if hi < 1:
        raise CliError(f"--max=MAXPODS is required and must be at least 1, max: {hi}")
    if hi < lo:
        raise CliError(f"--max=MAXPODS must be larger or equal to --min=MINPODS, max: {hi}, min: {lo}")
    ns = context.namespace(namespace)
    count = 0
    with open_cluster(context.env()) as cluster:
        for live in _targets(cluster, args, filenames, ns):
            if live["kind"] not in SCALABLE:
                k = kinds.by_kind(live["kind"])
                gv = f"{k.group}/{k.version}" if k and k.group else f"/{k.version if k else 'v1'}"
                raise CliError(f"cannot autoscale a {live['kind']}: could not find scale subresource for "
                               f"{gv}, Resource={k.plural if k else ''} in discovery information")
            hpa = hpa_v1(live, name or "", lo, hi, cpu)
            count += 1
            if dry == "client":
                print_typed(hpa, fmt, "autoscaled", dry)
                continue
            created = server.create(cluster, _body(hpa, ns), dry_run=dry == "server")
            print_stored(created, fmt, "autoscaled", dry)
    if not count:
        raise CliError("no objects passed to autoscale")
    return 0


def register(app: typer.Typer) -> None:
    @app.command("autoscale", help="Auto-scale a deployment, replica set, stateful set, or replication controller.")
    def autoscale_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        filename: List[str] = typer.Option([], "-f", "--filename", help="Filename, directory, or URL to files identifying the resource to autoscale."),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        lo: int = typer.Option(-1, "--min", help="The lower limit for the number of pods that can be set by the autoscaler. If it's not specified or negative, the server will apply a default value."),
        hi: Optional[int] = typer.Option(None, "--max", help="The upper limit for the number of pods that can be set by the autoscaler. Required."),
        cpu: int = typer.Option(-1, "--cpu-percent", help="The target average CPU utilization (represented as a percent of requested CPU) over all the pods. If it's not specified or negative, a default autoscaling policy will be used."),
        name: Optional[str] = typer.Option(None, "--name", help="The name for the newly created object. If not specified, the name of the input resource will be used."),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        return autoscale(list(args or []), filename, namespace, lo, hi, cpu, name, dry_run, output_fmt)
