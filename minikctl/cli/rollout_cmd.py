"""`minikctl rollout status|history|undo|restart|pause|resume` and `minikctl wait`.

Both verbs wait on a real cluster; here they drive the simulation instead: due timers fire one by
one (minikctl.sim.rollout.advance_until) up to the deadline, and each distinct status line is
printed as kubectl's watch would print it. The texts are kubectl's (rollout_status.go,
rollout_history.go, objectrestarter.go, objectpauser.go, rollback.go, wait.go).
"""
from __future__ import annotations

import copy
import re
from typing import List, Optional

import typer

from minikctl.api.errors import CliError, not_found
from minikctl.cli import context
import json
from minikctl import lazy

Writer = lazy.function("minikctl.printers.describe", "Writer")
describe_pod_template = lazy.function("minikctl.printers.describe.pod", "describe_pod_template")
jsonpath = lazy.module("minikctl.printers.jsonpath")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
parse = lazy.function("minikctl.api.builder", "parse")
render_tabbed = lazy.function("minikctl.printers.tabwriter", "render_tabbed")
rollout = lazy.module("minikctl.sim.rollout")
selectors = lazy.module("minikctl.api.selectors")
server = lazy.module("minikctl.api.server")

ROLLABLE = ("Deployment", "StatefulSet", "DaemonSet")
TIMED_OUT = "timed out waiting for the condition"
DEFAULT_PROGRESS_DEADLINE = 600


def parse_duration(s: str | None, flag: str = "--timeout") -> float:
    """Go's time.ParseDuration for the forms kubectl users type: 30s, 2m, 1m30s, 1h, 0, 500ms."""
    if s is None or s == "":
        return 0.0
    if re.fullmatch(r"-?\d+", s):
        if s.lstrip("-") == "0":
            return 0.0
        raise CliError(f'invalid argument "{s}" for "{flag}" flag: time: missing unit in duration "{s}"')
    units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
    parts = re.findall(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)", s.lstrip("-"))
    if not parts or "".join(a + b for a, b in parts) != s.lstrip("-"):
        raise CliError(f'invalid argument "{s}" for "{flag}" flag: time: invalid duration "{s}"')
    total = sum(float(a) * units[b] for a, b in parts)
    return -total if s.startswith("-") else total


def _target(resources: list[str], namespace: str | None, verb: str):
    """[(Kind, namespace, name)] from `deploy/web` or `deployment web`."""
    if not resources:
        raise CliError("required resource not specified")
    reqs = parse(resources)
    out = []
    ns = context.namespace(namespace)
    for r in reqs:
        if not r.names:
            raise CliError("resource(s) were provided, but no name was specified")
        out.extend((r.kind, ns if r.kind.namespaced else None, n) for n in r.names)
    return out


def _fetch(cluster, kind, ns, name) -> dict:
    obj = cluster.get(kind.kind, ns, name)
    if obj is None:
        raise not_found(kind.resource, name)
    return obj


def _ref(kind, name: str) -> str:
    return f"{kind.ref}/{name}"


def _update(cluster, obj: dict, mutate) -> dict:
    new = copy.deepcopy(obj)
    mutate(new)
    return server.update(cluster, new, obj)


# ---------------------------------------------------------------------------------------------
# rollout status


def status(resources: list[str], namespace: str | None, timeout: str | None, watch: bool, revision: int) -> int:
    secs = parse_duration(timeout)
    with open_cluster(context.env()) as cluster:
        for kind, ns, name in _target(resources, namespace, "status"):
            obj = _fetch(cluster, kind, ns, name)
            if kind.kind not in ROLLABLE:
                raise CliError(f"no status viewer has been implemented for {kind.kind}")
            if revision and kind.kind == "Deployment":
                _check_revision(cluster, obj, revision)
            printed: list[str] = []

            def line(c, kind=kind, ns=ns, name=name, printed=printed):
                try:
                    msg, done = rollout.status_of(_fetch(c, kind, ns, name))
                except ValueError as e:
                    raise CliError(str(e))
                if not printed or printed[-1] != msg:
                    context.out(msg + "\n")
                    printed.append(msg)
                return done

            if not watch:
                line(cluster)
                continue
            explicit = secs > 0
            deadline = cluster.now + (secs if explicit else _progress_deadline(obj))
            try:
                rollout.advance_until(cluster, lambda c: line(c), deadline)
            except rollout.Timeout:
                if explicit or kind.kind != "Deployment":
                    raise CliError(TIMED_OUT)
                raise CliError(f'deployment "{name}" exceeded its progress deadline')
    return 0


def _progress_deadline(obj: dict) -> float:
    """kubectl waits forever without --timeout; a Deployment gives up at progressDeadlineSeconds
    (its controller marks ProgressDeadlineExceeded), so we stop there too."""
    return float(obj["spec"].get("progressDeadlineSeconds") or DEFAULT_PROGRESS_DEADLINE)


def _check_revision(cluster, obj, revision: int) -> None:
    newest = max((rollout.revision_of(rs) for rs in rollout.replica_sets(cluster, obj)), default=0)
    if newest != revision:
        raise CliError(f"desired revision ({revision}) is different from the running revision ({newest})")


# ---------------------------------------------------------------------------------------------
# rollout history / undo


def history(resources: list[str], namespace: str | None, revision: int) -> int:
    if revision < 0:
        raise CliError(f"revision must be a positive integer: {revision}")
    with open_cluster(context.env()) as cluster:
        for kind, ns, name in _target(resources, namespace, "history"):
            obj = _fetch(cluster, kind, ns, name)
            if kind.kind not in ROLLABLE:
                raise CliError(f"no history viewer has been implemented for {kind.kind}")
            hist = rollout.history(cluster, obj, keep_hash=True)
            if revision:
                tmpl = next((t for r, _a, t in hist if r == revision), None)
                if tmpl is None:
                    raise CliError("unable to find the specified revision")
                w = Writer()  # printTemplate: a prefixWriter straight onto the buffer, no tabwriter
                describe_pod_template(w, tmpl)
                info = w.raw()
                head = f"with revision #{revision}"
            elif not hist:
                info, head = "No rollout history found.", ""
            else:
                rows = "REVISION\tCHANGE-CAUSE\n" + "".join(
                    f"{r}\t{a.get(rollout.CHANGE_CAUSE) or '<none>'}\n" for r, a, _t in hist)
                info, head = render_tabbed(rows, padding=2, minwidth=0), ""
            context.out(f"{_ref(kind, name)} {head}\n{info}\n")
    return 0


def undo(resources: list[str], namespace: str | None, to_revision: int, dry_run: str | None) -> int:
    dry = _dry(dry_run)
    with open_cluster(context.env()) as cluster:
        for kind, ns, name in _target(resources, namespace, "undo"):
            obj = _fetch(cluster, kind, ns, name)
            if kind.kind not in ROLLABLE:
                raise CliError(f"no rollbacker has been implemented for {kind.kind}")
            if obj["spec"].get("paused"):
                raise CliError("you cannot rollback a paused deployment; resume it first with 'kubectl rollout "
                               f"resume {kind.singular}/{name}' and try again")
            try:
                tmpl = rollout.rollback_template(cluster, obj, to_revision)
            except ValueError as e:
                raise CliError(str(e))
            if tmpl == rollout.strip_hash(obj["spec"]["template"]):
                rev = to_revision or _revision_of_template(cluster, obj, tmpl)
                context.out(f"{_ref(kind, name)} skipped rollback (current template already matches revision {rev})\n")
                continue
            if not dry:
                _update(cluster, obj, lambda o: o["spec"].__setitem__("template", copy.deepcopy(tmpl)))
                if kind.kind in ("StatefulSet", "DaemonSet"):
                    rollout.sync_sts_ledger(cluster, _fetch(cluster, kind, ns, name))
            context.out(f"{_ref(kind, name)} rolled back{_suffix(dry)}\n")
    return 0


def _revision_of_template(cluster, obj, tmpl) -> int:
    return next((r for r, _a, t in rollout.history(cluster, obj) if t == tmpl), 0)


def _dry(dry_run: str | None) -> str | None:
    if dry_run in (None, "", "none"):
        return None
    if dry_run not in ("client", "server"):
        raise CliError(f'Invalid dry-run value ({dry_run}). Must be "none", "server", or "client".')
    return dry_run


def _suffix(dry: str | None) -> str:
    return {"client": " (dry run)", "server": " (server dry run)"}.get(dry or "", "")


# ---------------------------------------------------------------------------------------------
# rollout restart / pause / resume


def restart(resources: list[str], namespace: str | None, dry_run: str | None) -> int:
    dry = _dry(dry_run)
    with open_cluster(context.env()) as cluster:
        for kind, ns, name in _target(resources, namespace, "restart"):
            obj = _fetch(cluster, kind, ns, name)
            if kind.kind not in ROLLABLE and kind.kind != "DaemonSet":
                raise CliError(f"{kind.resource} \"{name}\" restarting is not supported")
            if obj["spec"].get("paused"):
                raise CliError("can't restart paused deployment (run rollout resume first)")
            if kind.kind in ("StatefulSet", "DaemonSet"):
                rollout.sync_sts_ledger(cluster, obj)
            stamp = cluster.timestamp()

            def mutate(o, stamp=stamp):
                meta = o["spec"]["template"].setdefault("metadata", {})
                meta.setdefault("annotations", {})[rollout.RESTARTED_AT] = stamp

            if not dry:
                _update(cluster, obj, mutate)
                if kind.kind in ("StatefulSet", "DaemonSet"):
                    rollout.sync_sts_ledger(cluster, _fetch(cluster, kind, ns, name))
            context.out(f"{_ref(kind, name)} restarted{_suffix(dry)}\n")
    return 0


def pause(resources: list[str], namespace: str | None, paused: bool) -> int:
    verb = "pausing" if paused else "resuming"
    with open_cluster(context.env()) as cluster:
        for kind, ns, name in _target(resources, namespace, "pause"):
            obj = _fetch(cluster, kind, ns, name)
            if kind.kind != "Deployment":
                raise CliError(f'{kind.resource} "{name}" {verb} is not supported')
            if bool(obj["spec"].get("paused")) == paused:
                context.out(f"{_ref(kind, name)} already {'paused' if paused else 'resumed'}\n")
                continue

            def mutate(o):
                if paused:
                    o["spec"]["paused"] = True
                else:
                    o["spec"].pop("paused", None)

            _update(cluster, obj, mutate)
            context.out(f"{_ref(kind, name)} {'paused' if paused else 'resumed'}\n")
    return 0


# ---------------------------------------------------------------------------------------------
# wait


def wait(resources: list[str], namespace: str | None, for_: str | None, timeout: str | None, selector: str | None,
         all_: bool) -> int:
    check = _condition(for_ or "")
    secs = parse_duration(timeout if timeout is not None else "30s")
    ns = context.namespace(namespace)
    reqs = parse(resources)
    if not reqs:
        raise CliError("You must provide one or more resources by argument or filename.\nExample resource "
                       "specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n"
                       "   '<resource>'")
    with open_cluster(context.env()) as cluster:
        targets = []
        for r in reqs:
            rns = ns if r.kind.namespaced else None
            if r.names:
                for n in r.names:
                    if cluster.get(r.kind.kind, rns, n) is None:
                        if for_ == "delete":
                            continue    # already gone: kubectl prints nothing for it
                        if for_ != "create":
                            raise not_found(r.kind.resource, n)
                    targets.append((r.kind, rns, n))
            else:
                if not selector and not all_:
                    raise CliError("resource(s) were provided, but no name was specified")
                sel = selectors.parse_selector(selector) if selector else None
                targets += [(r.kind, rns, o["metadata"]["name"]) for o in cluster.list(r.kind.kind, rns)
                            if sel is None or selectors.matches(sel, o["metadata"].get("labels"))]
        if not targets:
            if for_ == "delete":
                return 0        # nothing left to wait for: kubectl is silent and succeeds
            raise CliError("no matching resources found")
        deadline = cluster.now + max(secs, 0)
        for kind, rns, name in targets:
            try:
                rollout.advance_until(cluster, lambda c: check(c.get(kind.kind, rns, name)), deadline)
            except rollout.Timeout:
                raise CliError(f"{TIMED_OUT} on {kind.resource}/{name}")
            context.out(f"{_ref(kind, name)} condition met\n")
    return 0


def _condition(spec: str):
    """--for=delete | condition=Type[=value] | jsonpath='{...}'[=value] -> predicate(obj | None)."""
    if spec == "delete":
        return lambda o: o is None
    if spec == "create":
        return lambda o: o is not None
    name, _, arg = spec.partition("=")
    if name == "condition" and arg:
        ctype, _, want = arg.partition("=")
        want = want or "true"

        def cond(o):
            for c in ((o or {}).get("status") or {}).get("conditions") or []:
                if c.get("type", "").lower() == ctype.lower() and str(c.get("status", "")).lower() == want.lower():
                    return True
            return False
        return cond
    if name == "jsonpath" and arg:
        return _jsonpath_condition(arg)
    raise CliError(f"unrecognized condition: {json.dumps(spec, ensure_ascii=False)}")  # Go's %q


def _jsonpath_condition(arg: str):
    expr, want = arg, None
    m = re.match(r"^(\{.*\})(?:=(.*))?$", arg) or re.match(r"^([^=]*)(?:=(.*))?$", arg)
    if m:
        expr, want = m.group(1), m.group(2)
    if not expr.startswith("{"):
        expr = "{" + expr + "}"
    if want is not None:
        want = want.strip("'\"")

    def cond(o):
        if o is None:
            return False
        try:
            got = jsonpath.execute(expr, o, allow_missing=False)
        except Exception:  # a path that does not resolve yet is simply not met
            return False
        if want is None:
            return got != ""
        return got == want
    return cond


# ---------------------------------------------------------------------------------------------


def register(app: typer.Typer) -> None:
    rollout_app = typer.Typer(help="Manage the rollout of one or many resources.", no_args_is_help=True,
                              rich_markup_mode=None)
    app.add_typer(rollout_app, name="rollout")
    NS = typer.Option(None, "-n", "--namespace")

    @rollout_app.command("status", help="Show the status of the rollout.")
    def status_cmd(resources: Optional[List[str]] = typer.Argument(None), namespace: Optional[str] = NS,
                   timeout: Optional[str] = typer.Option(None, "--timeout"),
                   watch: str = typer.Option("true", "-w", "--watch"),
                   revision: int = typer.Option(0, "--revision")) -> int:
        if watch.lower() not in ("true", "false", "1", "0", "t", "f"):
            raise CliError(f'invalid argument "{watch}" for "-w, --watch" flag: strconv.ParseBool: parsing "{watch}": invalid syntax')
        return status(resources or [], namespace, timeout, watch.lower() in ("true", "1", "t"), revision)

    @rollout_app.command("history", help="View rollout history.")
    def history_cmd(resources: Optional[List[str]] = typer.Argument(None), namespace: Optional[str] = NS,
                    revision: int = typer.Option(0, "--revision")) -> int:
        return history(resources or [], namespace, revision)

    @rollout_app.command("undo", help="Undo a previous rollout.")
    def undo_cmd(resources: Optional[List[str]] = typer.Argument(None), namespace: Optional[str] = NS,
                 to_revision: int = typer.Option(0, "--to-revision"),
                 dry_run: Optional[str] = typer.Option(None, "--dry-run")) -> int:
        return undo(resources or [], namespace, to_revision, dry_run)

    @rollout_app.command("restart", help="Restart a resource.")
    def restart_cmd(resources: Optional[List[str]] = typer.Argument(None), namespace: Optional[str] = NS,
                    dry_run: Optional[str] = typer.Option(None, "--dry-run", help='Must be "none", "server", or '
                                                          '"client": print what would change without changing it.')) -> int:
        return restart(resources or [], namespace, dry_run)

    @rollout_app.command("pause", help="Mark the provided resource as paused.")
    def pause_cmd(resources: Optional[List[str]] = typer.Argument(None), namespace: Optional[str] = NS) -> int:
        return pause(resources or [], namespace, True)

    @rollout_app.command("resume", help="Resume a paused resource.")
    def resume_cmd(resources: Optional[List[str]] = typer.Argument(None), namespace: Optional[str] = NS) -> int:
        return pause(resources or [], namespace, False)

    @app.command("wait", help="Experimental: Wait for a specific condition on one or many resources.",
                 context_settings={"allow_interspersed_args": True})
    def wait_cmd(resources: Optional[List[str]] = typer.Argument(None), namespace: Optional[str] = NS,
                 for_: Optional[str] = typer.Option(None, "--for"),
                 timeout: Optional[str] = typer.Option(None, "--timeout"),
                 selector: Optional[str] = typer.Option(None, "-l", "--selector"),
                 all_: bool = typer.Option(False, "--all")) -> int:
        return wait(resources or [], namespace, for_, timeout, selector, all_)
