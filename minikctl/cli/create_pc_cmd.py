"""`create priorityclass NAME --value --global-default --description --preemption-policy`
(kubectl's create_priorityclass.go)."""
from __future__ import annotations

from typing import List, Optional

import typer

from minikctl.api import generators
from minikctl.cli.create_sub_cmd import _EXTRA, _name_from_args, _opts
from minikctl.cli.writes import create_generated
from minikctl import lazy

create_cmd = lazy.module("minikctl.cli.create_cmd")


def register(app: typer.Typer) -> None:
    create_app = create_cmd.create_app

    @create_app.command("priorityclass", context_settings=_EXTRA, help="Create a priority class with the specified name.")
    def create_priorityclass(
        ctx: typer.Context,
        args: Optional[List[str]] = typer.Argument(None),
        value: int = typer.Option(0, "--value"),
        global_default: bool = typer.Option(False, "--global-default"),
        description: str = typer.Option("", "--description"),
        preemption_policy: str = typer.Option("PreemptLowerPriority", "--preemption-policy"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        save_config: bool = typer.Option(False, "--save-config"),
    ) -> int:
        _, dry_run, output_fmt = _opts(ctx, None, dry_run, output_fmt)
        name = _name_from_args(list(args or []), "create priorityclass")
        obj: dict = {"kind": "PriorityClass", "apiVersion": "scheduling.k8s.io/v1",
                     "metadata": generators._meta(name, None), "value": value}
        if global_default:
            obj["globalDefault"] = True
        if description:
            obj["description"] = description
        obj["preemptionPolicy"] = preemption_policy
        return create_generated(obj, ns_flag=None, dry_run=dry_run, fmt=output_fmt, save_config=save_config,
                                wrap="failed to create priorityclass: ")

    create_app.command("pc", context_settings=_EXTRA, hidden=True)(create_priorityclass)
