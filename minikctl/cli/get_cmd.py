"""`minikctl get`: list or fetch objects and print them as kubectl get does."""
from __future__ import annotations

from typing import List, Optional

import typer

from minikctl.api import kinds, selectors
from minikctl.api.builder import multiple_types_requested, parse
from minikctl.api.errors import CliError, not_found
from minikctl.cli import context, output
from minikctl.env import Env
from minikctl import lazy

as_resource_args = lazy.function("minikctl.cli.kustomize_cmd", "as_resource_args")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
render_tables = lazy.function("minikctl.printers.table", "render_tables")
watch_objects = lazy.function("minikctl.cli.watch_cmd", "watch")

NO_TYPE = ('You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of '
           'supported resources.\n\nerror: Required resource not specified.\nUse "kubectl explain <resource>" for a '
           "detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples")


def select(cluster, kind: kinds.Kind, namespace: str | None, names: list[str], label_sel, field_sel):
    """Objects of one kind matching names/selectors; returns (objects, missing names)."""
    ns = namespace if kind.namespaced else None
    if names:
        found, missing = [], []
        for n in names:
            o = cluster.get(kind.kind, ns, n)
            if o is None:
                missing.append(n)
            elif (label_sel is None or selectors.matches(label_sel, o["metadata"].get("labels"))) and \
                    (field_sel is None or selectors.field_matches(field_sel, o)):
                found.append(o)
        return found, missing
    objs = cluster.list(kind.kind, ns)
    if label_sel is not None:
        objs = [o for o in objs if selectors.matches(label_sel, o["metadata"].get("labels"))]
    if field_sel is not None:
        objs = [o for o in objs if selectors.field_matches(field_sel, o)]
    return objs, []


def get(resources: list[str], namespace: str | None, all_namespaces: bool, output_fmt: str | None,
        selector: str | None, field_selector: str | None, show_labels: bool, label_columns: list[str],
        no_headers: bool, show_kind: bool, sort_by: str | None, ignore_not_found: bool, env: Env) -> int:
    if not resources:
        raise CliError(NO_TYPE, raw=True)
    output.check_format(output_fmt)
    if show_labels and output_fmt not in (None, "", "wide"):
        raise CliError(f"--show-labels option cannot be used with {output_fmt} printer")
    reqs = parse(resources)
    ns = None if all_namespaces else context.namespace(namespace)
    label_sel = selectors.parse_selector(selector) if selector else None
    lcols = [c for arg in label_columns for c in arg.split(",") if c]
    with open_cluster(env) as cluster:
        groups, errors = [], []
        for r in reqs:
            field_sel = selectors.parse_field_selector(field_selector, r.kind) if field_selector else None
            objs, missing = select(cluster, r.kind, ns, r.names, label_sel, field_sel)
            if sort_by:
                objs = output.sort_objects(objs, sort_by)
            groups.append((r.kind.kind, objs))
            if not ignore_not_found:
                errors += [not_found(r.kind.resource, n) for n in missing]
        single = len(reqs) == 1 and len(reqs[0].names) == 1
        objs_all = [o for _, objs in groups for o in objs]
        if output_fmt in (None, "", "wide"):
            show_kind = show_kind or multiple_types_requested(resources)  # kubectl's Complete: EnsureWithKind
            text = render_tables(groups, cluster, wide=output_fmt == "wide", show_kind=show_kind,
                                 all_namespaces=all_namespaces, show_labels=show_labels,
                                 label_columns=lcols, no_headers=no_headers, colour=env.colour)
        else:   # kubectl's printGeneric: an empty list printed as such (jsonpath "[]", a header), no notice
            if sort_by and len(groups) > 1:
                objs_all = output.sort_objects(objs_all, sort_by)
            text = output.render(objs_all, output_fmt, single=single and bool(objs_all), no_headers=no_headers)
            if not objs_all and (single or ignore_not_found):
                text = ""
    output.emit(text)
    for e in errors:
        context.err(e.render())
    if errors:
        return 1
    if not text and not ignore_not_found and output_fmt in (None, "", "wide"):
        if ns is not None and all(r.kind.namespaced for r in reqs):
            context.err(f"No resources found in {ns} namespace.")
        else:
            context.err("No resources found")
    return 0


def _kustomized(resources: list[str], path: str, namespace: str | None) -> tuple[list[str], str | None]:
    return as_resource_args(path, resources, namespace)


def register(app: typer.Typer) -> None:
    @app.command("get", help="Display one or many resources.",
                 context_settings={"allow_interspersed_args": True})
    def get_cmd(
        resources: Optional[List[str]] = typer.Argument(None),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        all_namespaces: bool = typer.Option(False, "-A", "--all-namespaces"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        selector: Optional[str] = typer.Option(None, "-l", "--selector"),
        field_selector: Optional[str] = typer.Option(None, "--field-selector"),
        show_labels: bool = typer.Option(False, "--show-labels"),
        label_columns: List[str] = typer.Option([], "-L", "--label-columns"),
        no_headers: bool = typer.Option(False, "--no-headers"),
        show_kind: bool = typer.Option(False, "--show-kind"),
        sort_by: Optional[str] = typer.Option(None, "--sort-by"),
        ignore_not_found: bool = typer.Option(False, "--ignore-not-found"),
        watch: bool = typer.Option(False, "-w", "--watch"),
        request_timeout: Optional[str] = typer.Option(None, "--request-timeout"),
        kustomize: Optional[str] = typer.Option(None, "-k", "--kustomize"),
    ) -> int:
        if kustomize:
            resources, namespace = _kustomized(resources or [], kustomize, namespace)
        if watch:
            return watch_objects(resources or [], namespace, all_namespaces, output_fmt, selector, field_selector,
                                 show_labels, label_columns, no_headers, show_kind, request_timeout, context.env())
        return get(resources or [], namespace, all_namespaces, output_fmt, selector, field_selector, show_labels,
                   label_columns, no_headers, show_kind, sort_by, ignore_not_found, context.env())
