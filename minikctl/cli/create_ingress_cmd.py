"""`create ingress NAME --rule=host/path=svc:port[,tls[=secret]]` (alias `ing`).

A module of its own because it is its own generator (minikctl.api.ingress_generator) and kubectl's
flags for it (--class, repeated --rule and --annotation, --default-backend); it hangs on the same
`create` app as the other subcommands and ends in the same create_generated tail.
"""
from __future__ import annotations

from typing import List, Optional

import typer

from minikctl.api.errors import CliError
from minikctl.cli.writes import create_generated
from minikctl import lazy

ingress_generator = lazy.module("minikctl.api.ingress_generator")
create_cmd = lazy.module("minikctl.cli.create_cmd")

_EXTRA = {"allow_extra_args": True, "ignore_unknown_options": False}


def register(app: typer.Typer) -> None:
    create_app = create_cmd.create_app

    @create_app.command("ingress", context_settings=_EXTRA, help="Create an ingress with the specified name.")
    def create_ingress(
        ctx: typer.Context,
        args: Optional[List[str]] = typer.Argument(None),
        ingress_class: str = typer.Option("", "--class", help="Ingress Class to be used"),
        rule: List[str] = typer.Option([], "--rule", help="Rule in format host/path=service:port[,tls=secretname]."),
        default_backend: str = typer.Option("", "--default-backend", help="Default service for backend, svcname:port"),
        annotation: List[str] = typer.Option([], "--annotation", help="Annotation to insert, annotation=value"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        save_config: bool = typer.Option(False, "--save-config"),
    ) -> int:
        parent = ctx.obj or {}
        namespace = namespace or parent.get("namespace")
        dry_run = dry_run or parent.get("dry_run")
        output_fmt = output_fmt or parent.get("output")
        args = list(args or [])
        if len(args) != 1:
            raise CliError(f"exactly one NAME is required, got {len(args)}\n"
                           "See 'kubectl create ingress -h' for help and examples")
        obj = ingress_generator.ingress(args[0], rules=list(rule), ingress_class=ingress_class,
                                        default_backend=default_backend, annotations=list(annotation),
                                        namespace=namespace)
        return create_generated(obj, ns_flag=namespace, dry_run=dry_run, fmt=output_fmt, save_config=save_config,
                                wrap="failed to create ingress: ")

    create_app.command("ing", context_settings=_EXTRA, hidden=True)(create_ingress)
