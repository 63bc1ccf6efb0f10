"""`minikctl set image` and `minikctl set env`: edit the containers of a pod or a pod template.

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


def _pod_specs(obj: dict) -> list[dict]:
    if obj["kind"] == "Pod":
        return [obj["spec"]]
    return [obj["spec"]["template"]["spec"]]


def set_image(args, filenames, namespace, selector, all_, dry_run, fmt) -> int:
    from minikctl.sim.cluster import open_cluster
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
    from minikctl.sim.cluster import open_cluster
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
        return set_env(list(args or []) + list(env_), filename, namespace, container, selector, all_, dry_run, output_fmt)

    app.add_typer(set_app, name="set")
