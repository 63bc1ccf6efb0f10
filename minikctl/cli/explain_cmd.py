"""`minikctl explain TYPE[.field...]` and `minikctl api-resources`.

explain renders Kubernetes' own OpenAPI v3 document for the resource's group-version (the one
`minikctl serve` serves, minikctl/api/openapi) through kubectl 1.32's plaintext explain template
(api/openapi/explain.py), so it prints what kubectl explain prints against serve.

api-resources prints the discovery table for the kinds minikctl models (minikctl/api/kinds.py).
"""
from __future__ import annotations

from typing import Optional

import typer

from minikctl.api.errors import CliError
from minikctl.cli import context
from minikctl import lazy

custom = lazy.module("minikctl.api.openapi.custom")
kinds = lazy.module("minikctl.api.kinds")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
table = lazy.function("minikctl.printers.tabwriter", "render")
tmpl = lazy.module("minikctl.api.openapi.explain")
v3 = lazy.module("minikctl.api.openapi.v3")

# what the apiserver advertises for each resource (discovery `verbs`)
VERBS_FULL = "create,delete,deletecollection,get,list,patch,update,watch"
VERBS = {"Namespace": "create,delete,get,list,patch,update,watch"}


def explain(target: str, recursive: bool, api_version: str | None) -> int:
    parts = target.split(".")
    kind = kinds.resolve(parts[0])
    path = parts[1:]
    # `deployments.apps.spec` style: a group qualifier right after the resource name
    if kind.group and path[:len(kind.group.split("."))] == kind.group.split("."):
        path = path[len(kind.group.split(".")):]
    version = kind.version
    if api_version:
        group, _, ver = api_version.rpartition("/")
        if group != kind.group or ver not in (kind.version, *kind.other_versions):
            raise CliError(f"couldn't find resource for \"{group}/{ver}, Resource={kind.plural}\"")
        version = ver
    served = v3.served_from_kinds(kinds.KINDS)
    doc = v3.document(kind.group, version, served, _customs())
    try:
        context.out(tmpl.render(doc or {}, kind.group, version, kind.plural, path, recursive))
    except tmpl.ExplainError as e:
        if "not found in OpenAPI schema" in str(e) and kind.group == "gateway.networking.k8s.io":
            # a real cluster has these kinds only through their CRDs, whose schemas explain reads;
            # minikctl serves them without those schemas (docs/clients.md)
            raise CliError(f"minikctl: explain of {kind.plural}.{kind.group} is not simulated (the Gateway API "
                           "CRDs' schemas are not modelled)", raw=True)
        if e.partial:
            context.out(e.partial)
        raise CliError(str(e).removeprefix("error: "))
    return 0


def _customs():
    """CRD schemas (api/openapi/custom.py), read from the cluster only when a source exists."""
    if not custom.load():
        return ()
    with open_cluster(context.env()) as cluster:
        return custom.collect(cluster)


def api_resources(output: str | None, namespaced: str | None, api_group: str | None, no_headers: bool,
                  sort_by: str | None) -> int:
    if output not in (None, "", "wide", "name"):
        raise CliError(f"--output {output} is not available")
    if sort_by not in (None, "", "name", "kind"):
        raise CliError(f"--sort-by accepts only name or kind")
    kinds.refresh()
    rows = list(kinds.all_kinds())
    if namespaced is not None:
        want = namespaced.lower() in ("true", "1", "t")
        rows = [k for k in rows if k.namespaced == want]
    if api_group is not None:
        rows = [k for k in rows if k.group == api_group]
    rows.sort(key=lambda k: (k.group != "", k.group, k.plural))
    if sort_by == "name":
        rows.sort(key=lambda k: k.plural)
    elif sort_by == "kind":
        rows.sort(key=lambda k: k.kind)
    if output == "name":
        context.out("".join((f"{k.plural}.{k.group}" if k.group else k.plural) + "\n" for k in rows))
        return 0
    head = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    if output == "wide":
        head += ["VERBS", "CATEGORIES"]
    lines = [] if no_headers else [head]
    for k in rows:
        r = [k.plural, ",".join(k.short), k.api_version, "true" if k.namespaced else "false", k.kind]
        if output == "wide":
            r += [VERBS.get(k.kind, VERBS_FULL), ",".join(k.categories)]
        lines.append(r)
    context.out(table(lines))
    return 0


def register(app: typer.Typer) -> None:
    @app.command("explain", help="Get documentation for a resource.")
    def explain_cmd(target: Optional[str] = typer.Argument(None),
                    recursive: bool = typer.Option(False, "--recursive"),
                    api_version: Optional[str] = typer.Option(None, "--api-version"),
                    output: Optional[str] = typer.Option(None, "-o", "--output")) -> int:
        if not target:
            raise CliError('You must specify the type of resource to explain. Use "kubectl api-resources" for a '
                           "complete list of supported resources.")
        if output == "plaintext-openapiv2":   # kubectl's older template over /openapi/v2
            raise CliError("minikctl: kubectl explain -o plaintext-openapiv2 is not simulated (use -o plaintext)",
                           raw=True)
        if output not in (None, "plaintext"):
            raise CliError(f"unsupported output format: {output}")
        return explain(target, recursive, api_version)

    @app.command("api-resources", help="Print the supported API resources on the server.")
    def api_resources_cmd(output: Optional[str] = typer.Option(None, "-o", "--output"),
                          namespaced: Optional[str] = typer.Option(None, "--namespaced"),
                          api_group: Optional[str] = typer.Option(None, "--api-group"),
                          no_headers: bool = typer.Option(False, "--no-headers"),
                          sort_by: Optional[str] = typer.Option(None, "--sort-by")) -> int:
        return api_resources(output, namespaced, api_group, no_headers, sort_by)
