"""`minikctl kustomize DIR` (kubectl kustomize) and the documents `-k DIR` gives apply, create,
delete and get.

kubectl v1.32 reports a failed `kustomize` through klog (`E1205 22:50:39.713276   25905
run.go:72] "command failed" err="..."`), not cmdutil's `error: ...`; `-k` on the other verbs goes
through cmdutil and prints `error: ...`."""
from __future__ import annotations

import os
from typing import List, Optional

import typer

from minikctl.api.errors import CliError
from minikctl.cli import context
import datetime
from minikctl import lazy

build = lazy.function("minikctl.kustomize", "build")
go_quote = lazy.function("minikctl.printers.serialize", "go_quote")
kinds = lazy.module("minikctl.api.kinds")
manifests = lazy.module("minikctl.api.manifests")
to_yaml = lazy.function("minikctl.kustomize", "to_yaml")
kustomize = lazy.module("minikctl.kustomize")


def _klog_line(message: str) -> str:
    env = context.env()
    t = datetime.datetime.fromtimestamp(env.clock(), tz=datetime.timezone.utc)
    return (f"E{t:%m%d %H:%M:%S}.{t.microsecond:06d} {os.getpid():7d} run.go:72] \"command failed\" "
            f"err={go_quote(message)}")


def build_text(path: str, load_restrictor: str = "LoadRestrictionsRootOnly") -> str:
    try:
        docs, warnings = build(path, load_restrictor)
    except kustomize.NotSimulated as e:
        raise CliError(e.message, raw=True) from None
    except kustomize.KustomizeError as e:
        raise CliError(_klog_line(e.message), raw=True) from None
    for w in warnings:
        context.err(w + "\n")
    return to_yaml(docs)


def docs_for(path: str) -> list:
    """The documents of a kustomization for `-k`, as manifests.read gives a file's."""
    try:
        objs, warnings = build(path)
    except kustomize.NotSimulated as e:
        raise CliError(e.message, raw=True) from None
    except kustomize.KustomizeError as e:
        raise CliError(e.message) from None
    for w in warnings:
        context.err(w + "\n")
    docs = []
    for obj in objs:
        docs.append(manifests.Doc(path, obj, manifests._check(obj, path)))
    if not docs:
        raise CliError("no objects passed to apply")
    return docs


def as_resource_args(path: str, resources: list[str], namespace: str | None) -> tuple[list[str], str | None]:
    """`get -k DIR` / `describe -k DIR`: the objects the kustomization builds, as TYPE/NAME
    arguments (and their namespace when -n is not given)."""
    if resources:
        raise CliError("there is no need to specify a resource type as a separate argument when passing arguments "
                       "in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get "
                       "resource resource/<resource_name>'")
    out = []
    for doc in docs_for(path):
        if doc.error:
            raise CliError(doc.error)
        k = kinds.by_kind(doc.obj["kind"])
        out.append(f"{k.ref}/{doc.obj['metadata']['name']}")
        if k.namespaced and doc.obj["metadata"].get("namespace") and not namespace:
            namespace = doc.obj["metadata"]["namespace"]
    return out, namespace


def register(app: typer.Typer) -> None:
    @app.command("kustomize", help="Build a kustomization target from a directory or URL.")
    def kustomize_cmd(
        args: List[str] = typer.Argument(None),
        output: Optional[str] = typer.Option(None, "-o", "--output"),
        load_restrictor: str = typer.Option("LoadRestrictionsRootOnly", "--load-restrictor"),
        enable_helm: bool = typer.Option(False, "--enable-helm"),
        enable_alpha_plugins: bool = typer.Option(False, "--enable-alpha-plugins"),
    ) -> int:
        args = args or []
        if enable_helm or enable_alpha_plugins:
            flag = "--enable-helm" if enable_helm else "--enable-alpha-plugins"
            raise CliError(f"minikctl: kubectl kustomize {flag} is not simulated", raw=True)
        if len(args) > 1:
            raise CliError(_klog_line("specify one path to kustomization.yaml"), raw=True)
        text = build_text(args[0] if args else ".", load_restrictor)
        if output:
            try:
                with open(output, "w", encoding="utf-8") as f:
                    f.write(text)
            except OSError as e:
                raise CliError(_klog_line(f"open {output}: {(e.strerror or str(e)).lower()}"), raw=True) from None
            return 0
        context.out(text)
        return 0
