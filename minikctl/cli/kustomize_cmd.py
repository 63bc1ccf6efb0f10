"""`minikctl kustomize DIR` (kubectl kustomize) and the documents `-k DIR` gives apply, create,
delete and get.

kubectl v1.32 reports a failed `kustomize` through klog (`E1205 22:50:39.713276   25905
run.go:72] "command failed" err="..."`), not cmdutil's `error: ...`; `-k` on the other verbs goes
through cmdutil and prints `error: ...`."""
from __future__ import annotations

import os
from typing import List

import typer

from minikctl.api.errors import CliError
from minikctl.cli import context


def _klog_line(message: str) -> str:
    import datetime
    from minikctl.printers.serialize import go_quote
    env = context.env()
    t = datetime.datetime.fromtimestamp(env.clock(), tz=datetime.timezone.utc)
    return (f"E{t:%m%d %H:%M:%S}.{t.microsecond:06d} {os.getpid():7d} run.go:72] \"command failed\" "
            f"err={go_quote(message)}")


def build_text(path: str) -> str:
    from minikctl.kustomize import KustomizeError, NotSimulated, build, to_yaml
    try:
        docs, warnings = build(path)
    except NotSimulated as e:
        raise CliError(e.message, raw=True) from None
    except KustomizeError as e:
        raise CliError(_klog_line(e.message), raw=True) from None
    for w in warnings:
        context.err(w + "\n")
    return to_yaml(docs)


def docs_for(path: str) -> list:
    """The documents of a kustomization for `-k`, as manifests.read gives a file's."""
    from minikctl.api import manifests
    from minikctl.kustomize import KustomizeError, NotSimulated, build
    try:
        objs, warnings = build(path)
    except NotSimulated as e:
        raise CliError(e.message, raw=True) from None
    except KustomizeError as e:
        raise CliError(e.message) from None
    for w in warnings:
        context.err(w + "\n")
    docs = []
    for obj in objs:
        docs.append(manifests.Doc(path, obj, manifests._check(obj, path)))
    if not docs:
        raise CliError("no objects passed to apply")
    return docs


def check_one_source(filenames: list[str], kustomize: str | None) -> None:
    if filenames and kustomize:
        raise CliError("only one of -f or -k can be specified")


def register(app: typer.Typer) -> None:
    @app.command("kustomize", help="Build a kustomization target from a directory or URL.")
    def kustomize_cmd(args: List[str] = typer.Argument(None)) -> int:
        args = args or []
        if len(args) > 1:
            raise CliError(_klog_line("specify one path to kustomization.yaml"), raw=True)
        context.out(build_text(args[0] if args else "."))
        return 0
