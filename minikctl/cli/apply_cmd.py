"""`minikctl apply -f` and `minikctl create -f`: manifests in, `kind/name created|configured|unchanged` out.

Good documents are applied even when others in the same file are bad; the bad ones are reported
after, and the exit code is 1, as kubectl does."""
from __future__ import annotations

from typing import List, Optional

import typer

from minikctl.api import kinds, manifests
from minikctl.api.errors import ApiError, CliError
from minikctl.cli import context, output
from minikctl import lazy

apply_mod = lazy.module("minikctl.api.apply")
docs_for = lazy.function("minikctl.cli.kustomize_cmd", "docs_for")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
server = lazy.module("minikctl.api.server")


def _dry(dry_run: str | None) -> str:
    if dry_run in (None, "", "none"):
        return "none"
    if dry_run in ("client", "server"):
        return dry_run
    if dry_run in ("true",):
        return "client"
    raise CliError(f'Invalid dry-run value ({dry_run}). Must be "none", "server", or "client".')


def source_error(e: Exception, verb: str, source: str, many: bool) -> str:
    """How kubectl prints an error about one document (AddSourceToErr + CheckErr)."""
    if isinstance(e, CliError):  # several errors print one a line, without the 'error: ' prefix
        return e.message if many and not e.raw else e.render()
    assert isinstance(e, ApiError)
    if getattr(e, "patch", None) is not None:  # apply's patch refused (a stale resourceVersion)
        t = e.target
        k = kinds.by_kind(t["kind"])
        gv = t.get("apiVersion", "v1")
        gv = gv if "/" in gv else "/" + gv
        plural = k.resource if k else t["kind"].lower() + "s"
        head = f"Error from server ({e.reason})" if e.reason else "Error from server"
        return (f"{head}: error when applying patch:\n{e.patch}\nto:\n"
                f'Resource: "{gv}, Resource={plural}", GroupVersionKind: "{gv}, Kind={t["kind"]}"\n'
                f'Name: "{t["metadata"]["name"]}", Namespace: "{t["metadata"].get("namespace", "")}"\n'
                f'for: "{source}": error when patching "{source}": {e.message}')
    if e.reason == "Invalid" and e.causes and not many:
        return e.render()
    msg = e.message
    if e.reason == "Invalid" and e.causes:
        lines = [f"{f}: {b}" if f else b for f, b in e.causes]
        body = lines[0] if len(lines) == 1 else "[" + ", ".join(lines) + "]"
        msg = f'{e.kind} "{e.name}" is invalid: {body}'
    head = f"Error from server ({e.reason})" if e.reason else "Error from server"
    return f"{head}: error when {verb} \"{source}\": {msg}"


def run_manifests(filenames: list[str], recursive: bool, namespace: str | None, dry_run: str | None,
                  output_fmt: str | None, mode: str, kustomize: str | None = None) -> int:
    """mode 'apply' or 'create'; kustomize: the directory of `-k`."""
    env = context.env()
    if filenames and kustomize:
        raise CliError("only one of -f or -k can be specified")
    if not filenames and not kustomize:
        raise CliError("must specify one of -f and -k" if mode == "apply" else
                       "error: must specify one of -f and -k\n\nerror: unknown command \"\"\nSee 'kubectl create -h' for help and examples", raw=False)
    dry = _dry(dry_run)
    if output_fmt:
        output.check_format(output_fmt)
    if kustomize:
        docs = docs_for(kustomize)
    else:
        docs = manifests.read(filenames, recursive, env.stdin)
    ns = context.namespace(namespace)
    errors: list[tuple[Exception, str, str]] = []
    printed: list[dict] = []
    suffix = {"none": "", "client": " (dry run)", "server": " (server dry run)"}[dry]
    with open_cluster(env) as cluster:
        for doc in docs:
            source = "STDIN" if doc.source == "-" else doc.source
            if doc.error:
                errors.append((CliError(doc.error), "creating", source))
                continue
            obj = doc.obj
            k = kinds.by_kind(obj["kind"], obj["apiVersion"])
            meta = obj["metadata"]
            if k.namespaced:
                if namespace and meta.get("namespace") and meta["namespace"] != namespace:
                    errors.append((CliError(f'the namespace from the provided object "{meta["namespace"]}" does not match the namespace "{namespace}". You must pass \'--namespace={meta["namespace"]}\' to perform this operation.'), "creating", source))
                    continue
                meta["namespace"] = meta.get("namespace") or ns
            verb = "creating"
            try:
                if mode == "apply":
                    live = cluster.get(obj["kind"], meta.get("namespace") if k.namespaced else None, meta.get("name", ""))
                    verb = "creating" if live is None else "patching"
                    result, op, warnings = apply_mod.apply(cluster, obj, dry_run=dry != "none")
                    for w in warnings:
                        context.err(w)
                else:
                    result = server.create(cluster, obj, dry_run=dry != "none")
                    op = "created"
            except (ApiError, CliError) as e:
                errors.append((e, verb, source))
                continue
            if dry == "client" and mode == "apply" and op == "created":
                result = obj
            if output_fmt and output_fmt != "name":
                printed.append(result)
            else:
                context.out(f"{k.ref}/{result['metadata']['name']} {op}{suffix}\n")
    if printed:
        output.emit(output.render(printed, output_fmt, single=len(printed) == 1))
    many = len(errors) > 1
    for e, verb, source in errors:
        context.err(source_error(e, verb, source, many))
    return 1 if errors else 0


def register(app: typer.Typer) -> None:
    @app.command("apply", help="Apply a configuration to a resource by file name or stdin.")
    def apply_cmd(
        filename: List[str] = typer.Option([], "-f", "--filename"),
        kustomize: Optional[str] = typer.Option(None, "-k", "--kustomize"),
        recursive: bool = typer.Option(False, "-R", "--recursive"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        return run_manifests(filename, recursive, namespace, dry_run, output_fmt, "apply", kustomize)
