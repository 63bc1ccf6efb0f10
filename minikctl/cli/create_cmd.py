"""`minikctl create`: `create -f FILE`, and the imperative `create <kind>` subcommands, which
register themselves on `create_app` (see create_sub_cmd)."""
from __future__ import annotations

from typing import List, Optional

import typer
from minikctl import lazy

CliError = lazy.function("minikctl.api.errors", "CliError")
run_manifests = lazy.function("minikctl.cli.apply_cmd", "run_manifests")


create_app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Create a resource from a file or from stdin.",
                         context_settings={"help_option_names": ["-h", "--help"]})


@create_app.callback(invoke_without_command=True)
def create_callback(
    ctx: typer.Context,
    filename: List[str] = typer.Option([], "-f", "--filename"),
    kustomize: Optional[str] = typer.Option(None, "-k", "--kustomize"),
    recursive: bool = typer.Option(False, "-R", "--recursive"),
    namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
    dry_run: Optional[str] = typer.Option(None, "--dry-run"),
    output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    save_config: bool = typer.Option(False, "--save-config"),
) -> None:
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"namespace": namespace, "dry_run": dry_run, "output": output_fmt}
        return
    if not filename and not kustomize:
        raise CliError("must specify one of -f and -k")
    code = run_manifests(filename, recursive, namespace, dry_run, output_fmt, "create", kustomize)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.add_typer(create_app, name="create")
