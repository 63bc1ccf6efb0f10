"""`create quota NAME --hard=k=v,... --scopes=A,B` (kubectl's create_quota.go): quantities in
their canonical form, the generator's own error texts."""
from __future__ import annotations

import re
from typing import List, Optional

import typer

from minikctl.api import generators
from minikctl.api.errors import CliError
from minikctl.cli.create_sub_cmd import _EXTRA, _name_from_args, _opts
from minikctl.cli.writes import create_generated
from minikctl import lazy

canonical = lazy.function("minikctl.api.quantity_canon", "canonical")
parse = lazy.function("minikctl.api.resources", "parse")
create_cmd = lazy.module("minikctl.cli.create_cmd")

_GO_QTY = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")


def register(app: typer.Typer) -> None:
    create_app = create_cmd.create_app

    @create_app.command("quota", context_settings=_EXTRA, help="Create a quota with the specified name.")
    def create_quota(
        ctx: typer.Context,
        args: Optional[List[str]] = typer.Argument(None),
        hard: str = typer.Option("", "--hard"),
        scopes: str = typer.Option("", "--scopes"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        save_config: bool = typer.Option(False, "--save-config"),
    ) -> int:
        namespace, dry_run, output_fmt = _opts(ctx, namespace, dry_run, output_fmt)
        name = _name_from_args(list(args or []), "create quota")
        limits: dict[str, str] = {}
        if hard:
            for item in hard.split(","):
                parts = item.split("=")
                if len(parts) != 2:
                    raise CliError(f"Invalid argument syntax {item}, expected <resource>=<value>")
                if not _GO_QTY.match(parts[1]) or parse(parts[1]) is None:
                    raise CliError("quantities must match the regular expression "
                                   "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
                limits[parts[0]] = canonical(parts[1])
        spec: dict = {}
        if limits:
            spec["hard"] = generators._sorted(limits)
        if scopes:
            spec["scopes"] = [s.strip() for s in scopes.split(",")]
        obj = {"kind": "ResourceQuota", "apiVersion": "v1", "metadata": generators._meta(name, namespace),
               "spec": spec, "status": {}}
        return create_generated(obj, ns_flag=namespace, dry_run=dry_run, fmt=output_fmt, save_config=save_config)
