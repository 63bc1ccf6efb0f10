"""`minikctl patch` and `minikctl replace`: rewrite a live object from a patch or a whole manifest.

patch applies a strategic, merge or JSON patch (minikctl.api.patch) to the live object;
replace sends the manifest as the new object (with --force, deletes and re-creates it). Both
end in an apiserver update, so immutability and validation errors are the apiserver's.
"""
from __future__ import annotations

import copy
from typing import List, Optional

import typer

from minikctl.api import kinds
from minikctl.api.errors import ApiError, CliError, not_found
from minikctl.cli import context, output
from minikctl.cli.targets import _targets
from minikctl.cli.writes import _update, dry_strategy, print_stored
from minikctl import lazy

load_bounded = lazy.function("minikctl.api.manifests", "load_bounded")
manifests = lazy.module("minikctl.api.manifests")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
patch_mod = lazy.module("minikctl.api.patch")
server = lazy.module("minikctl.api.server")
source_error = lazy.function("minikctl.cli.apply_cmd", "source_error")
yaml = lazy.module("yaml")


def patch(args, filenames, namespace, patch_text, patch_file, ptype, dry_run, fmt) -> int:
    dry = dry_strategy(dry_run)
    if ptype not in ("strategic", "merge", "json"):
        raise CliError(f'--type must be one of [json merge strategic], not "{ptype}"')
    if patch_file:
        with open(patch_file, encoding="utf-8") as f:
            patch_text = f.read()
    if not patch_text:
        raise CliError("must specify --patch or --patch-file containing the contents of the patch")
    try:
        body = load_bounded(patch_text)
    except yaml.YAMLError as e:
        raise CliError(f'unable to parse "{patch_text}": {str(e).splitlines()[0]}') from None
    except (manifests.TooLarge, manifests.TooDeep) as e:
        raise CliError(e.message("the patch")) from None
    ns = context.namespace(namespace)
    with open_cluster(context.env()) as cluster:
        for live in _targets(cluster, list(args), filenames, ns):
            k = kinds.by_kind(live["kind"])
            try:
                new = patch_mod.apply_patch(live, body, ptype)
            except patch_mod.PatchError as e:
                if ptype == "json" or ptype == "merge":
                    raise ApiError("UnprocessableEntity", str(e), 422) from None
                raise ApiError("BadRequest", str(e), 400) from None
            if not isinstance(new, dict) or new.get("kind") != live["kind"]:
                raise ApiError("BadRequest", f"the body of the request was in an unknown format", 400)
            if new == live:
                print_stored(live, fmt, "patched (no change)", dry)
                continue
            result = _update(cluster, new, live, dry)
            print_stored(result, fmt, "patched", dry)
            _ = k
    return 0


def replace(filenames, namespace, force, dry_run, fmt) -> int:
    dry = dry_strategy(dry_run)
    if not filenames:
        raise CliError("must specify --filename to replace")
    if fmt:
        output.check_format(fmt)
    ns = context.namespace(namespace)
    errors = []
    with open_cluster(context.env()) as cluster:
        for doc in manifests.read(filenames, False, context.env().stdin):
            source = "STDIN" if doc.source == "-" else doc.source
            if doc.error:
                errors.append(CliError(doc.error).render())
                continue
            obj = doc.obj
            k = kinds.by_kind(obj["kind"])
            meta = obj["metadata"]
            if k.namespaced:
                meta["namespace"] = meta.get("namespace") or ns
            scope = meta.get("namespace") if k.namespaced else None
            if not meta.get("name"):  # client-go refuses a GET/PUT without a name before sending
                errors.append(f'error: error when replacing "{source}": resource name may not be empty')
                continue
            try:
                live = cluster.get(k.kind, scope, meta["name"])
                if force:
                    if live is not None:
                        if dry == "none":
                            server.delete(cluster, k.kind, scope, meta["name"])
                        context.out(f'{k.ref} "{meta["name"]}" deleted\n')
                    result = server.create(cluster, obj, dry_run=dry != "none")
                else:
                    if live is None:
                        raise not_found(k.resource, meta["name"])
                    rv = meta.get("resourceVersion")
                    if rv and rv != live["metadata"].get("resourceVersion"):
                        raise ApiError("Conflict", f'Operation cannot be fulfilled on {k.resource} "{meta["name"]}": '
                                       "the object has been modified; please apply your changes to the latest "
                                       "version and try again", 409)
                    new = copy.deepcopy(obj)
                    new.setdefault("metadata", {})
                    result = _update(cluster, new, live, dry)
            except ApiError as e:
                errors.append(source_error(e, "replacing", source, False))
                continue
            print_stored(result, fmt, "replaced", dry)
    for e in errors:
        context.err(e)
    return 1 if errors else 0


def register(app: typer.Typer) -> None:
    @app.command("patch", help="Update fields of a resource.")
    def patch_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        filename: List[str] = typer.Option([], "-f", "--filename"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        patch_text: Optional[str] = typer.Option(None, "-p", "--patch"),
        patch_file: Optional[str] = typer.Option(None, "--patch-file"),
        ptype: str = typer.Option("strategic", "--type"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        return patch(list(args or []), filename, namespace, patch_text, patch_file, ptype, dry_run, output_fmt)

    @app.command("replace", help="Replace a resource by file name or stdin.")
    def replace_cmd(
        filename: List[str] = typer.Option([], "-f", "--filename"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        force: bool = typer.Option(False, "--force"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        return replace(filename, namespace, force, dry_run, output_fmt)
