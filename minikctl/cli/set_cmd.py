"""`minikctl set image|env|resources|serviceaccount|selector`: edit the containers of a pod or a
pod template (or a Service's selector).

Both walk the same pod specs (a Pod's own, or a workload's template) and write only when
something changed, so a no-op prints nothing, as kubectl does.
"""
from __future__ import annotations

import copy
from typing import List, Optional

import typer

from minikctl.api.errors import CliError
from minikctl.cli import context
from minikctl.cli.targets import _targets
from minikctl.cli.writes import _update, dry_strategy, print_stored
import re
from minikctl import lazy

check_passthrough = lazy.function("minikctl.cli.unsimulated", "check_passthrough")
generators = lazy.module("minikctl.api.generators")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")


def _pod_specs(obj: dict) -> list[dict]:
    if obj["kind"] == "Pod":
        return [obj["spec"]]
    if obj["kind"] == "CronJob":
        return [obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]]
    return [obj["spec"]["template"]["spec"]]


def _quantities(text: str, flag: str) -> dict:
    """--limits=cpu=200m,memory=512Mi -> {'cpu': '200m', 'memory': '512Mi'} (kubectl's
    populateResourceListV1: each value must parse as a quantity)."""
    out = {}
    for part in [p for p in (text or "").split(",") if p]:
        key, sep, value = part.partition("=")
        if not sep or not key:
            raise CliError(f"invalid argument syntax {part}, expected <resource>=<value>")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+|E[+-]?\d+|[munkMGTPE]|[KMGTPE]i)?", value):
            raise CliError("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
        out[key] = value
    return out


def set_resources(args, filenames, namespace, containers, limits, requests, selector, all_, dry_run, fmt) -> int:
    """kubectl set resources: limits/requests merged into the matching containers."""
    if not limits and not requests:
        raise CliError("you must specify an update to requests or limits (in the form of --requests/--limits)")
    lim, req = _quantities(limits, "--limits"), _quantities(requests, "--requests")
    dry = dry_strategy(dry_run)
    ns = context.namespace(namespace)
    with open_cluster(context.env()) as cluster:
        for live in _targets(cluster, list(args), filenames, ns, selector, all_):
            new = copy.deepcopy(live)
            found = False
            for spec in _pod_specs(new):
                for c in (spec.get("initContainers") or []) + spec.get("containers", []):
                    if containers not in ("*", c["name"]):
                        continue
                    found = True
                    res = c.setdefault("resources", {})
                    if lim:
                        res.setdefault("limits", {}).update(lim)
                    if req:
                        res.setdefault("requests", {}).update(req)
            if not found:
                context.err(f"error: unable to find container named {containers}")
                continue
            result = _update(cluster, new, live, dry)
            print_stored(result, fmt, "resource requirements updated", dry)
    return 0


def set_serviceaccount(args, filenames, namespace, selector, all_, dry_run, fmt) -> int:
    """kubectl set serviceaccount RESOURCE NAME: the pod template's serviceAccountName."""
    args = list(args)
    if not args or (len(args) < 2 and not filenames):
        raise CliError("serviceaccount is required")
    sa = args[-1]
    dry = dry_strategy(dry_run)
    ns = context.namespace(namespace)
    with open_cluster(context.env()) as cluster:
        for live in _targets(cluster, args[:-1], filenames, ns, selector, all_):
            new = copy.deepcopy(live)
            for spec in _pod_specs(new):
                spec["serviceAccountName"] = sa
                if live["kind"] == "Pod" and "serviceAccount" in spec:
                    spec["serviceAccount"] = sa
            result = _update(cluster, new, live, dry)
            print_stored(result, fmt, "serviceaccount updated", dry)
    return 0


def set_selector(args, filenames, namespace, all_, dry_run, fmt) -> int:
    """kubectl set selector RESOURCE k=v,...: a Service's spec.selector (a workload's selector
    goes to the apiserver too, which refuses to change it)."""
    args = list(args)
    if not args:
        raise CliError("one or more resources must be specified as <resource> <name> or <resource>/<name>")
    expr = args[-1]
    try:
        labels = generators.parse_labels(expr) if expr else {}
    except (CliError, ValueError):
        raise CliError(f"invalid selector {expr}") from None
    dry = dry_strategy(dry_run)
    ns = context.namespace(namespace)
    with open_cluster(context.env()) as cluster:
        for live in _targets(cluster, args[:-1], filenames, ns, None, all_):
            new = copy.deepcopy(live)
            if live["kind"] == "Service":
                new["spec"]["selector"] = dict(labels)
            else:
                new["spec"]["selector"] = {"matchLabels": dict(labels)}
            result = _update(cluster, new, live, dry)
            print_stored(result, fmt, "selector updated", dry)
    return 0


def set_image(args, filenames, namespace, selector, all_, dry_run, fmt) -> int:
    dry = dry_strategy(dry_run)
    resources = [a for a in args if "=" not in a]
    pairs = [a.split("=", 1) for a in args if "=" in a]
    if not pairs:
        raise CliError("at least one image update is required")
    ns = context.namespace(namespace)
    errors: list[str] = []
    with open_cluster(context.env()) as cluster:
        for live in _targets(cluster, resources, filenames, ns, selector, all_):
            new = copy.deepcopy(live)
            changed = False
            for cname, image in pairs:
                found = False
                for spec in _pod_specs(new):
                    for c in (spec.get("initContainers") or []) + spec.get("containers", []):
                        if cname in ("*", c["name"]):
                            found = True
                            if c.get("image") != image:
                                c["image"] = image
                                changed = True
                if not found:
                    errors.append(f'error: unable to find container named "{cname}"')
            if not changed:
                continue
            result = _update(cluster, new, live, dry)
            print_stored(result, fmt, "image updated", dry)
    for e in errors:
        context.err(e)
    return 1 if errors else 0


def set_env(args, filenames, namespace, container, selector, all_, dry_run, fmt) -> int:
    dry = dry_strategy(dry_run)
    resources, sets, removes = [], [], []
    for a in args:
        if "=" in a:
            sets.append(tuple(a.split("=", 1)))
        elif a.endswith("-") and len(a) > 1:
            removes.append(a[:-1])
        else:
            resources.append(a)
    if not sets and not removes:
        raise CliError("at least one environment variable must be provided")
    ns = context.namespace(namespace)
    with open_cluster(context.env()) as cluster:
        for live in _targets(cluster, resources, filenames, ns, selector, all_):
            new = copy.deepcopy(live)
            for spec in _pod_specs(new):
                for c in (spec.get("initContainers") or []) + spec.get("containers", []):
                    if container not in ("*", c["name"]):
                        continue
                    env = [e for e in c.get("env") or [] if e["name"] not in removes]
                    for k, v in sets:
                        hit = next((e for e in env if e["name"] == k), None)
                        if hit is None:
                            env.append({"name": k, "value": v})
                        else:
                            hit.clear()
                            hit.update({"name": k, "value": v})
                    if env:
                        c["env"] = env
                    else:
                        c.pop("env", None)
            if new == live:
                continue
            result = _update(cluster, new, live, dry)
            print_stored(result, fmt, "env updated", dry)
    return 0


def register(app: typer.Typer) -> None:
    set_app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Set specific features on objects.",
                          context_settings={"help_option_names": ["-h", "--help"]})

    @set_app.command("image", help="Update the image of a pod template.")
    def set_image_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        filename: List[str] = typer.Option([], "-f", "--filename"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        selector: Optional[str] = typer.Option(None, "-l", "--selector"),
        all_: bool = typer.Option(False, "--all"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        return set_image(list(args or []), filename, namespace, selector, all_, dry_run, output_fmt)

    @set_app.command("env", context_settings={"ignore_unknown_options": True},
                     help="Update environment variables on a pod template.")
    def set_env_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        filename: List[str] = typer.Option([], "-f", "--filename"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        container: str = typer.Option("*", "-c", "--containers"),
        env_: List[str] = typer.Option([], "-e", "--env"),
        selector: Optional[str] = typer.Option(None, "-l", "--selector"),
        all_: bool = typer.Option(False, "--all"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        check_passthrough(["set", "env"], list(args or []))
        return set_env(list(args or []) + list(env_), filename, namespace, container, selector, all_, dry_run, output_fmt)

    @set_app.command("resources", help="Update resource requests/limits on objects with pod templates.")
    def set_resources_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        filename: List[str] = typer.Option([], "-f", "--filename"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        containers: str = typer.Option("*", "-c", "--containers"),
        limits: str = typer.Option("", "--limits"),
        requests: str = typer.Option("", "--requests"),
        selector: Optional[str] = typer.Option(None, "-l", "--selector"),
        all_: bool = typer.Option(False, "--all"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        return set_resources(list(args or []), filename, namespace, containers, limits, requests, selector, all_,
                             dry_run, output_fmt)

    def set_sa_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        filename: List[str] = typer.Option([], "-f", "--filename"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        all_: bool = typer.Option(False, "--all"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        return set_serviceaccount(list(args or []), filename, namespace, None, all_, dry_run, output_fmt)

    set_app.command("serviceaccount", help="Update the service account of a resource.")(set_sa_cmd)
    set_app.command("sa", hidden=True)(set_sa_cmd)

    @set_app.command("selector", help="Set the selector on a resource.")
    def set_selector_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        filename: List[str] = typer.Option([], "-f", "--filename"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        all_: bool = typer.Option(False, "--all"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        return set_selector(list(args or []), filename, namespace, all_, dry_run, output_fmt)

    app.add_typer(set_app, name="set")
