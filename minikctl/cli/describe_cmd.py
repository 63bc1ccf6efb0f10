"""`minikctl describe`: the describers in minikctl/printers/describe over the live state."""
from __future__ import annotations

from typing import List, Optional

import typer

from minikctl.api import selectors
from minikctl.api.builder import parse
from minikctl.api.errors import CliError, not_found
from minikctl.cli import context
from minikctl import lazy

as_resource_args = lazy.function("minikctl.cli.kustomize_cmd", "as_resource_args")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
render = lazy.function("minikctl.printers.describe", "describe")


def describe(resources: list[str], namespace: str | None, selector: str | None, all_namespaces: bool) -> int:
    if not resources:
        raise CliError("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.")
    reqs = parse(resources)
    ns = None if all_namespaces else context.namespace(namespace)
    label_sel = selectors.parse_selector(selector) if selector else None
    texts, errors = [], []
    with open_cluster(context.env()) as cluster:
        for r in reqs:
            rns = ns if r.kind.namespaced else None
            if r.names:
                for n in r.names:
                    o = cluster.get(r.kind.kind, rns, n)
                    if o is None:
                        # kubectl describe also matches by name prefix when the exact name is missing
                        pref = [x for x in cluster.list(r.kind.kind, rns) if x["metadata"]["name"].startswith(n)]
                        if not pref:
                            errors.append(not_found(r.kind.resource, n))
                        texts += [render(x, cluster) for x in pref]
                    else:
                        texts.append(render(o, cluster))
            else:
                for o in cluster.list(r.kind.kind, rns):
                    if label_sel is None or selectors.matches(label_sel, o["metadata"].get("labels")):
                        texts.append(render(o, cluster))
    context.out("\n\n".join(texts))
    for e in errors:
        context.err(e.render())
    if not texts and not errors:
        if ns is not None and all(r.kind.namespaced for r in reqs):
            context.err(f"No resources found in {ns} namespace.")
        else:
            context.err("No resources found")
    return 1 if errors else 0


def register(app: typer.Typer) -> None:
    @app.command("describe", help="Show details of a specific resource or group of resources.")
    def describe_cmd(
        resources: Optional[List[str]] = typer.Argument(None),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        selector: Optional[str] = typer.Option(None, "-l", "--selector"),
        all_namespaces: bool = typer.Option(False, "-A", "--all-namespaces"),
        kustomize: Optional[str] = typer.Option(None, "-k", "--kustomize"),
    ) -> int:
        if kustomize:
            resources, namespace = as_resource_args(kustomize, resources or [], namespace)
        return describe(resources or [], namespace, selector, all_namespaces)
