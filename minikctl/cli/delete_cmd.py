"""`minikctl delete`: by names, -f, -l or --all; prints `pod "x" deleted` as kubectl does."""
from __future__ import annotations

from typing import List, Optional

import typer

from minikctl.api import kinds, manifests, selectors
from minikctl.api.builder import parse
from minikctl.api.errors import ApiError, CliError
from minikctl.cli import context
from minikctl import lazy

clock = lazy.module("minikctl.sim.clock")
docs_for = lazy.function("minikctl.cli.kustomize_cmd", "docs_for")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
rollout = lazy.module("minikctl.sim.rollout")
server = lazy.module("minikctl.api.server")
settle = lazy.function("minikctl.sim.controllers", "settle")

NO_ARGS = """You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'"""

FORCE_WARNING = ("Warning: Immediate deletion does not wait for confirmation that the running resource has been "
                 "terminated. The resource may continue to run on the cluster indefinitely.")


def delete(resources: list[str], filenames: list[str], recursive: bool, namespace: str | None, selector: str | None,
           all_: bool, all_namespaces: bool, grace: int | None, force: bool, ignore_not_found: bool,
           output_fmt: str | None, dry_run: str | None, wait: bool | None = None, cascade: str | None = None,
           kustomize: str | None = None) -> int:
    env = context.env()
    if filenames and kustomize:
        raise CliError("only one of -f or -k can be specified")
    if not resources and not filenames and not kustomize:
        raise CliError(NO_ARGS)
    if resources and (filenames or kustomize):
        raise CliError("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'")
    propagation = _propagation(cascade)
    ns = context.namespace(namespace)
    if force and grace is None:
        grace = 0
    if grace == 0 and not force:
        grace = 1  # kubectl: --grace-period=0 without --force means 1
    dry = dry_run not in (None, "", "none")
    targets: list[tuple[kinds.Kind, str | None, str]] = []
    missing: list[ApiError] = []
    label_sel = selectors.parse_selector(selector) if selector else None
    with open_cluster(env) as cluster:
        if filenames or kustomize:
            docs = docs_for(kustomize) if kustomize else manifests.read(filenames, recursive, env.stdin)
            for doc in docs:
                if doc.error:
                    raise CliError(doc.error)
                k = kinds.by_kind(doc.obj["kind"])
                targets.append((k, (doc.obj["metadata"].get("namespace") or ns) if k.namespaced else None,
                                doc.obj["metadata"].get("name", "")))
        else:
            reqs = parse(resources)
            if not any(r.names for r in reqs) and not (all_ or label_sel):
                raise CliError("resource(s) were provided, but no name was specified")
            for r in reqs:
                rns = None if (all_namespaces or not r.kind.namespaced) else ns
                if r.names:
                    for n in r.names:
                        targets.append((r.kind, rns if r.kind.namespaced else None, n))
                else:
                    for o in cluster.list(r.kind.kind, rns):
                        if label_sel is None or selectors.matches(label_sel, o["metadata"].get("labels")):
                            targets.append((r.kind, o["metadata"].get("namespace"), o["metadata"]["name"]))
        if not targets:
            context.out("No resources found\n")
            return 0
        if grace == 0 and force:
            context.err(FORCE_WARNING)
        for k, tns, name in targets:
            try:
                server.delete(cluster, k.kind, tns, name, grace=grace, dry_run=dry, propagation=propagation)
            except ApiError as e:
                if e.reason == "NotFound" and ignore_not_found:
                    continue
                missing.append(e)
                continue
            if output_fmt == "name":
                context.out(f"{k.ref}/{name}\n")
            else:
                op = "force deleted" if (force and grace == 0) else "deleted"
                context.out(f'{k.ref} "{name}" {op}{" (dry run)" if dry else ""}\n')
            if k.kind == "Namespace" and not dry and wait is not False:
                _wait_gone(cluster, name)
            elif propagation == "Foreground" and not dry and wait is not False:
                _wait_gone(cluster, name, k.kind, tns)
            elif k.kind != "Pod" and not dry and wait is not False:
                _wait_finalized(cluster, k, tns, name)
    for e in missing:
        context.err(e.render())
    return 1 if missing else 0


def _parse_bool(flag: str, value: str | None) -> bool | None:
    """--wait defaults to true, so it is written --wait=false: a string parsed as pflag parses bools."""
    if value is None:
        return None
    v = value.lower() if value in ("TRUE", "FALSE", "True", "False") else value
    if v in ("1", "t", "true", "T"):
        return True
    if v in ("0", "f", "false", "F"):
        return False
    raise CliError(f'invalid argument "{value}" for "--{flag}" flag: strconv.ParseBool: parsing "{value}": invalid syntax')


def _propagation(cascade: str | None) -> str:
    """kubectl's --cascade: background (default), foreground, orphan; the old booleans still work."""
    if cascade is None or cascade == "background":
        return "Background"
    if cascade == "foreground":
        return "Foreground"
    if cascade == "orphan":
        return "Orphan"
    if cascade in ("true", "false"):
        repl = "background" if cascade == "true" else "orphan"
        context.err(f"warning: --cascade={cascade} is deprecated (boolean value) and can be replaced with "
                    f"--cascade={repl}.\n")
        return "Background" if cascade == "true" else "Orphan"
    raise CliError(f'invalid cascade value ({cascade}). Must be "background", "foreground", or "orphan"')


def _wait_gone(cluster, name: str, kind: str = "Namespace", namespace: str | None = None) -> None:
    """kubectl delete waits until the object is gone: a Terminating namespace goes once its pods
    have terminated. The simulated clock runs ahead (as rollout status does) so the learner does
    not wait, while `get ns` in between shows Terminating."""
    clock.advance(cluster, cluster.now)  # settle first: the controllers schedule what the wait needs
    try:
        rollout.advance_until(cluster, lambda c: c.get(kind, namespace, name) is None, cluster.now + 600)
    except rollout.Timeout:
        pass


def _wait_finalized(cluster, k, ns: str | None, name: str) -> None:
    """kubectl delete waits until the object is gone. One its finalizers hold (a claim a pod still
    mounts: kubernetes.io/pvc-protection) stays Terminating, and a real kubectl waits until it
    is interrupted: say so in a line no one can take for kubectl's own, and return."""
    obj = cluster.get(k.kind, ns, name)
    if obj is None or not obj["metadata"].get("deletionTimestamp"):
        return
    settle(cluster)
    obj = cluster.get(k.kind, ns, name)
    if obj is not None:
        fins = " ".join(obj["metadata"].get("finalizers") or [])
        context.err(f'minikctl: kubectl would keep waiting here (until Ctrl-C): {k.ref} "{name}" stays Terminating '
                    f"while its finalizers [{fins}] remain\n")


def register(app: typer.Typer) -> None:
    @app.command("delete", help="Delete resources by file names, stdin, resources and names, or by resources and label selector.")
    def delete_cmd(
        resources: Optional[List[str]] = typer.Argument(None),
        filename: List[str] = typer.Option([], "-f", "--filename"),
        kustomize: Optional[str] = typer.Option(None, "-k", "--kustomize"),
        recursive: bool = typer.Option(False, "-R", "--recursive"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        selector: Optional[str] = typer.Option(None, "-l", "--selector"),
        all_: bool = typer.Option(False, "--all"),
        all_namespaces: bool = typer.Option(False, "-A", "--all-namespaces"),
        grace_period: Optional[int] = typer.Option(None, "--grace-period"),
        force: bool = typer.Option(False, "--force"),
        now: bool = typer.Option(False, "--now"),
        ignore_not_found: bool = typer.Option(False, "--ignore-not-found"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        cascade: Optional[str] = typer.Option(None, "--cascade"),
        wait: Optional[str] = typer.Option(None, "--wait", help="If true, wait for resources to be gone before returning."),
    ) -> int:
        if now and grace_period is None:
            grace_period = 1
        return delete(resources or [], filename, recursive, namespace, selector, all_, all_namespaces, grace_period,
                      force, ignore_not_found, output_fmt, dry_run, _parse_bool("wait", wait), cascade, kustomize)
