"""`minikctl scale`: set spec.replicas on Deployments, ReplicaSets and StatefulSets.

An update through the apiserver like any other; --current-replicas is kubectl's precondition,
checked against the live object before the write. The controllers then do the scaling.
"""
from __future__ import annotations

import copy
from typing import List, Optional

import typer

from minikctl.api import kinds
from minikctl.api.errors import ApiError, CliError
from minikctl.cli import context, output
from minikctl.cli.targets import _targets
from minikctl.cli.writes import _update, dry_strategy, print_stored
from minikctl import lazy

custom = lazy.module("minikctl.api.custom")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")


SCALABLE = ("Deployment", "ReplicaSet", "StatefulSet")


def scale(args, filenames, namespace, replicas, current, selector, all_, dry_run, fmt) -> int:
    dry = dry_strategy(dry_run)
    if replicas < 0:
        raise CliError("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
    if fmt:
        output.check_format(fmt)
    ns = context.namespace(namespace)
    errors: list[str] = []
    with open_cluster(context.env()) as cluster:
        missing: list[ApiError] = []
        targets = _targets(cluster, args, filenames, ns, selector, all_, missing=missing)
        if not targets and missing:     # kubectl wraps the builder's error when nothing is left to scale
            msgs = [e.message for e in missing]
            raise CliError("no objects passed to scale " + (msgs[0] if len(msgs) == 1 else f"[{', '.join(msgs)}]"))
        errors += [e.render() for e in missing]
        if not targets:
            raise CliError("no objects passed to scale")
        for live in targets:
            k = kinds.by_kind(live["kind"])
            paths = custom.scale_paths(live)
            if live["kind"] not in SCALABLE and paths is None:
                errors.append(f'error: the server could not find the requested resource')
                continue
            if paths is not None:       # a custom object: its CRD's scale subresource paths
                have = custom.replicas(live, paths)
                have = int(have) if isinstance(have, (int, float)) and not isinstance(have, bool) else 0
            else:
                have = int((live.get("spec") or {}).get("replicas", 1))
            if current >= 0 and have != current:
                errors.append(f"error: Expected replicas to be {current}, was {have}")
                break   # kubectl returns at the first failed precondition
            new = copy.deepcopy(live)
            if paths is not None:
                custom.set_replicas(new, paths, replicas)
            else:
                new["spec"]["replicas"] = replicas
            result = _update(cluster, new, live, dry)
            print_stored(result, fmt, "scaled", dry)
            _ = k
    for e in errors:
        context.err(e)
    return 1 if errors else 0


def register(app: typer.Typer) -> None:
    @app.command("scale", help="Set a new size for a deployment, replica set, replication controller, or stateful set.")
    def scale_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        filename: List[str] = typer.Option([], "-f", "--filename"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        replicas: int = typer.Option(-1, "--replicas"),
        current: int = typer.Option(-1, "--current-replicas"),
        selector: Optional[str] = typer.Option(None, "-l", "--selector"),
        all_: bool = typer.Option(False, "--all"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        return scale(list(args or []), filename, namespace, replicas, current, selector, all_, dry_run, output_fmt)
