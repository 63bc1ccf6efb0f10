"""`minikctl taint | cordon | uncordon | drain | version`: the node verbs of a CKA upgrade task.

Texts are kubectl v1.32's (cmd/taint/taint.go + utils.go, cmd/drain/drain.go, pkg/drain). The
verbs only parse and print: taint parsing is kubectl's client-side logic (here), the pod filter
chain and eviction are minikctl/api/drain.py, the cordon taint and NoExecute evictions are the
node lifecycle controller (minikctl/sim/controllers/nodelifecycle.py). drain waits as kubectl
does, by firing the simulation's timers (sim/rollout.advance_until) until the pods are gone.
"""
from __future__ import annotations

import copy
import re
from typing import List, Optional

import typer

from minikctl.api.errors import ApiError, CliError, not_found
from minikctl.cli import context
import hashlib
import json
from minikctl import lazy

heapq = lazy.module("heapq")  # --help loads every verb module: only a drain pays for it
Options = lazy.function("minikctl.api.drain", "Options")
clock = lazy.module("minikctl.sim.clock")
kinds = lazy.module("minikctl.api.kinds")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
parse_duration = lazy.function("minikctl.cli.rollout_cmd", "parse_duration")
rollout = lazy.module("minikctl.sim.rollout")
selectors = lazy.module("minikctl.api.selectors")
server = lazy.module("minikctl.api.server")
server_version = lazy.function("minikctl.apiserver.discovery", "version")
to_yaml = lazy.function("minikctl.printers.serialize", "to_yaml")
rules = lazy.module("minikctl.api.drain")

EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
CLIENT_VERSION = "v1.32.4"
KUSTOMIZE_VERSION = "v5.5.0"
RETRY = 5.0                   # kubectl drain's wait before retrying an eviction a budget refused
RETRY_TIMER = "drain-retry"


STUCK = "\x00stuck"


class _Stuck(Exception):
    """Only drain's own retries are left to fire: the cluster will never change."""


FOREVER = 10 * 365 * 86400.0  # --timeout=0: kubectl waits forever; the simulation stops somewhere


def _usage(verb: str, msg: str) -> CliError:
    return CliError(f"{msg}\nSee 'kubectl {verb} -h' for help and examples")


def _dry(dry_run: str | None) -> str | None:
    if dry_run is None or dry_run == "none":
        return None
    if dry_run in ("client", "server"):
        return dry_run
    if dry_run in ("true", ""):
        return "client"
    raise CliError(f'Invalid dry-run value ({dry_run}). Must be "none", "server", or "client".')


def _suffix(dry: str | None) -> str:
    return {"client": " (dry run)", "server": " (server dry run)"}.get(dry or "", "")


def _agg(msgs: list[str]) -> str:
    """utilerrors.Aggregate.Error(): one message as is, several as '[a, b]' (duplicates once)."""
    seen = list(dict.fromkeys(msgs))
    return seen[0] if len(seen) == 1 else "[" + ", ".join(seen) + "]"


# ---------------------------------------------------------------------------------------------
# taint


_QUALIFIED = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$")
_DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QN_MSG = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
           "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
           "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
_LV_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
           "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
           "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


def _qualified_name_errors(key: str) -> list[str]:
    """validation.IsQualifiedName, the cases a taint key meets."""
    prefix, _, name = key.rpartition("/")
    errs = []
    if key.count("/") > 1:
        return ["a qualified name " + _QN_MSG.replace("name part ", "", 1) + " with an optional DNS subdomain prefix "
                "and '/' (e.g. 'example.com/MyName')"]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part must be no more than 63 characters")
    elif not _QUALIFIED.match(name):
        errs.append(_QN_MSG)
    if "/" in key:
        if not prefix:
            errs.append("prefix part must be non-empty")
        elif not _DNS1123.match(prefix) or len(prefix) > 253:
            errs.append("prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                        "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
                        "'example.com', regex used for validation is "
                        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
    return errs


def parse_taint(spec: str) -> dict:
    """'<key>=<value>:<effect>', '<key>:<effect>' or '<key>' -> {key, value?, effect?} (utils.parseTaint)."""
    parts = spec.split(":")
    value = ""
    effect = ""
    if len(parts) == 1:
        key = parts[0]
    elif len(parts) == 2:
        effect = parts[1]
        if effect not in EFFECTS:
            raise ValueError(f"invalid taint effect: {effect}, unsupported taint effect")
        kv = parts[0].split("=")
        if len(kv) > 2:
            raise ValueError(f"invalid taint spec: {spec}")
        key = kv[0]
        if len(kv) == 2:
            value = kv[1]
            if len(value) > 63:
                raise ValueError(f"invalid taint spec: {spec}, must be no more than 63 characters")
            if value and not _QUALIFIED.match(value):
                raise ValueError(f"invalid taint spec: {spec}, {_LV_MSG}")
    else:
        raise ValueError(f"invalid taint spec: {spec}")
    errs = _qualified_name_errors(key)
    if errs:
        raise ValueError(f"invalid taint spec: {spec}, {'; '.join(errs)}")
    t = {"key": key}
    if value:
        t["value"] = value
    if effect:
        t["effect"] = effect
    return t


def parse_taints(specs: list[str]) -> tuple[list[dict], list[dict]]:
    """-> (to add, to remove); kubectl's parseTaints checks, in its order."""
    add, remove = [], []
    seen: set[tuple[str, str]] = set()
    for s in specs:
        if s.endswith("-"):
            t = parse_taint(s[:-1])
            remove.append({k: v for k, v in t.items() if k != "value"})
            continue
        t = parse_taint(s)
        if not t.get("effect"):
            raise ValueError(f"invalid taint spec: {s}")
        if (t["key"], t["effect"]) in seen:
            raise ValueError(f"duplicated taints with the same key and effect: {_go_taint(t)}")
        seen.add((t["key"], t["effect"]))
        add.append(t)
    return add, remove


def _go_taint(t: dict) -> str:
    """%v of a corev1.Taint: {key value effect <nil>}."""
    return "{" + f"{t['key']} {t.get('value', '')} {t.get('effect', '')} <nil>" + "}"


def _taint_string(t: dict) -> str:
    """Taint.ToString(): key[=value]:effect, or key[=value] without effect."""
    s = t["key"] + (f"={t['value']}" if t.get("value") else "")
    return s + (f":{t['effect']}" if t.get("effect") else "")


def _match(a: dict, b: dict) -> bool:
    return a.get("key") == b.get("key") and a.get("effect") == b.get("effect")


def reorganize(old: list[dict], add: list[dict], remove: list[dict], overwrite: bool, now: str) -> tuple[str, list[dict], list[str]]:
    """(operation, new taints, errors) as reorganizeTaints computes them: the new taints first, then
    the old ones they do not replace, minus the removals."""
    new = []
    for t in add:
        t = dict(t)
        if t["effect"] == "NoExecute":
            t["timeAdded"] = now
        new.append(t)
    before = len(new)
    new += [copy.deepcopy(o) for o in old if not any(_match(n, o) for n in add)]
    added = len(old) != len(new)
    errors = []
    deleted = False
    for r in remove:
        keep = [t for t in new if not (_match(r, t) if r.get("effect") else t.get("key") == r["key"])]
        deleted = len(keep) != len(new)
        if not deleted:
            errors.append(f'taint "{_taint_string(r)}" not found')
        new = keep
    del before
    if (added and deleted) or overwrite:
        op = "modified"
    elif added:
        op = "tainted"
    else:
        op = "untainted"
    return op, new, errors


def _node_kind(resource: str) -> None:
    k = kinds.resolve(resource.lower())
    if k.kind != "Node":
        raise CliError(f"invalid resource type {resource.lower()}, only node types are supported")


def taint(args: list[str], selector: str | None, all_: bool, overwrite: bool, dry_run: str | None) -> int:
    dry = _dry(dry_run)
    resources, specs = [], []
    for a in args:
        is_taint = "=" in a or ":" in a or a.endswith("-")
        if is_taint:
            specs.append(a)
        elif specs:
            raise CliError(f"all resources must be specified before taint changes: {a}")
        else:
            resources.append(a)
    if not resources:
        raise CliError("one or more resources must be specified as <resource> <name>")
    if not specs:
        raise CliError("at least one taint update is required")
    try:
        add, remove = parse_taints(specs)
    except ValueError as e:
        raise _usage("taint", str(e))
    _node_kind(resources[0])
    conflicts = [f'{{"{r["key"]}":"{r.get("effect", "")}"}}' for a in add for r in remove
                 if a["key"] == r["key"] and (not r.get("effect") or a["effect"] == r.get("effect"))]
    if conflicts:
        raise CliError("can not both modify and remove the following taint(s) in the same command: " + ", ".join(conflicts))
    if all_ and selector:
        raise CliError("setting 'all' parameter with a non empty selector is prohibited")
    if not all_ and not selector and len(resources) < 2:
        raise CliError("at least one resource name must be specified since 'all' parameter is not set")
    errors: list[str] = []
    with open_cluster(context.env()) as cluster:
        if all_ or selector:
            sel = selectors.parse_selector(selector) if selector else None
            nodes = [n for n in cluster.list("Node") if sel is None or selectors.matches(sel, n["metadata"].get("labels"))]
        else:
            nodes = []
            for name in resources[1:]:
                n = cluster.get("Node", None, name)
                if n is None:
                    errors.append(not_found("nodes", name).render())
                else:
                    nodes.append(n)
        for node in nodes:
            name = node["metadata"]["name"]
            old = (node.get("spec") or {}).get("taints") or []
            if not overwrite:
                exists = [t["key"] for t in add for o in old if _match(t, o)]
                if exists:
                    errors.append(f"error: node {name} already has {','.join(exists)} taint(s) with same effect(s) "
                                  "and --overwrite is false")
                    continue
            op, new, errs = reorganize(old, add, remove, overwrite, cluster.timestamp())
            if errs:
                errors.append("error: " + _agg(errs))
                continue
            if dry != "client":
                obj = copy.deepcopy(node)
                if new:
                    obj.setdefault("spec", {})["taints"] = new
                else:
                    obj.setdefault("spec", {}).pop("taints", None)
                server.update(cluster, obj, node, dry_run=bool(dry))
            context.out(f"node/{name} {op}{_suffix(dry)}\n")
    _raise_all(errors)
    return 0


def _raise_all(errors: list[str]) -> None:
    """The builder's ContinueOnError: every node is tried, then the errors print once each."""
    if len(errors) == 1:
        raise CliError(errors[0], raw=True)
    if errors:
        raise CliError("\n".join(errors), raw=True)


# ---------------------------------------------------------------------------------------------
# cordon / uncordon / drain


def _nodes(cluster, verb: str, names: list[str], selector: str | None) -> list[dict]:
    if not names and not selector:
        raise _usage(verb, f"USAGE: {verb} NODE [flags]")
    if names and selector:
        raise _usage(verb, "error: cannot specify both a node name and a --selector option")
    if selector:
        sel = selectors.parse_selector(selector)
        return [n for n in cluster.list("Node") if selectors.matches(sel, n["metadata"].get("labels"))]
    out = []
    for a in names:
        kind, _, name = a.rpartition("/")
        if kind and kind.lower() not in ("node", "nodes", "no"):
            raise CliError(f'error: expected resource of type node, got "{kinds.resolve(kind).resource}"')
        n = cluster.get("Node", None, name)
        if n is None:
            raise not_found("nodes", name)
        out.append(n)
    return out


def _cordon(cluster, nodes: list[dict], desired: bool, dry: str | None) -> None:
    word = "cordoned" if desired else "uncordoned"
    for node in nodes:
        name = node["metadata"]["name"]
        if bool((node.get("spec") or {}).get("unschedulable")) == desired:
            context.out(f"node/{name} already {word}{_suffix(dry)}\n")
            continue
        if dry != "client":
            obj = copy.deepcopy(node)
            if desired:
                obj.setdefault("spec", {})["unschedulable"] = True
            else:
                obj.setdefault("spec", {}).pop("unschedulable", None)
            server.update(cluster, obj, node, dry_run=bool(dry))
        context.out(f"node/{name} {word}{_suffix(dry)}\n")


def cordon(names: list[str], selector: str | None, desired: bool, dry_run: str | None) -> int:
    dry = _dry(dry_run)
    with open_cluster(context.env()) as cluster:
        _cordon(cluster, _nodes(cluster, "cordon" if desired else "uncordon", names, selector), desired, dry)
    return 0


def drain(names: list[str], selector: str | None, opts, grace: int, timeout: str | None, disable_eviction: bool,
          dry_run: str | None) -> int:
    dry = _dry(dry_run)
    secs = parse_duration(timeout or "0s")
    if opts.pod_selector:
        try:
            selectors.parse_selector(opts.pod_selector)
        except (ApiError, CliError, ValueError):
            raise CliError("--pod-selector=<pod_selector> must be a valid label selector")
    fatal: list[list[str]] = []
    remaining: list[str] = []
    stuck = False
    with open_cluster(context.env()) as cluster:
        nodes = _nodes(cluster, "drain", names, selector)
        _cordon(cluster, nodes, True, dry)
        for node in nodes:
            name = node["metadata"]["name"]
            errs = _drain_one(cluster, name, opts, grace, secs, disable_eviction, dry, rules)
            if errs == [STUCK]:
                stuck = True
                continue
            if not errs:
                context.out(f"node/{name} drained{_suffix(dry)}\n")
                continue
            context.err(f'error: unable to drain node "{name}" due to error: {_agg(errs)}, continuing command...')
            fatal.append(errs)
            remaining.append(name)
    if remaining:
        context.err("There are pending nodes to be drained:\n" + "".join(f" {n}\n" for n in remaining))
        # CheckErr: an aggregate of one node's errors prints each of them on its own line
        lines = fatal[0] if len(fatal) == 1 else [_agg(e) for e in fatal]
        raise CliError("\n".join(dict.fromkeys(lines)), raw=True)
    return 1 if stuck else 0


def _drain_one(cluster, node: str, opts, grace: int, secs: float, disable_eviction: bool, dry, rules) -> list[str]:
    """Evict what may go from one node and wait for it; -> the errors (empty when drained)."""
    listing = rules.pods_for_deletion(cluster, node, opts)
    errs = listing.errors()
    if errs:
        return errs
    warnings = listing.warnings()
    if warnings:
        context.err(f"Warning: {warnings}")
    pods = listing.pods()
    if dry == "client":
        for p in pods:
            context.out(f"evicting pod {p['metadata']['namespace']}/{p['metadata']['name']} (dry run)\n")
        return []
    if dry == "server":
        return []
    retry_at: dict[str, float] = {}     # pods a disruption budget held back -> their next attempt
    pending = list(pods)
    verb = "deleted" if disable_eviction else "evicted"

    def attempt(c, p) -> None:
        key = p["metadata"]["uid"]
        if disable_eviction:
            rules.evict(c, p, grace)
            return
        cur = c.get("Pod", p["metadata"]["namespace"], p["metadata"]["name"])
        if cur is None or cur["metadata"].get("uid") != key:
            retry_at.pop(key, None)
            return
        try:
            rules.evict_subresource(c, cur, grace)
            retry_at.pop(key, None)
        except ApiError as e:
            if e.code != 429:
                raise
            # kubectl drain: a 429 is retried after 5s, forever (or until --timeout)
            context.err(f'error when evicting pods/"{p["metadata"]["name"]}" -n "{p["metadata"]["namespace"]}" '
                        f"(will retry after 5s): {e.message}\n")
            retry_at[key] = c.now + RETRY
            c.schedule(c.now + RETRY, RETRY_TIMER, {"uid": key})

    for p in pods:
        if not disable_eviction:
            context.out(f"evicting pod {p['metadata']['namespace']}/{p['metadata']['name']}\n")
        attempt(cluster, p)
    clock.advance(cluster, cluster.now)  # settle: the kubelet schedules each pod's removal

    def step(c):
        for p in list(pending):
            key = p["metadata"]["uid"]
            if key in retry_at and c.now + 1e-6 >= retry_at[key]:
                attempt(c, p)
            if key not in retry_at and rules.gone(c, p):
                pending.remove(p)
                context.out(f"pod/{p['metadata']['name']} {verb}\n")
        if pending and retry_at and all(t[2] == RETRY_TIMER for t in c.timers):
            raise _Stuck()

    deadline = cluster.now + (secs if secs > 0 else FOREVER)
    try:
        rollout.advance_until(cluster, lambda c: not pending, deadline, on_step=step)
    except _Stuck:
        for t in [t for t in cluster.timers if t[2] == RETRY_TIMER]:
            cluster.timers.remove(t)
        heapq.heapify(cluster.timers)
        context.err("minikctl: drain would retry these evictions every 5s until interrupted, but nothing left "
                    "in the simulated cluster can change the disruption budget; stopped here (the node stays cordoned)\n")
        return [STUCK]
    except rollout.Timeout:
        took = rules.go_duration(secs)
        errs = [f'error when waiting for pod "{p["metadata"]["name"]}" in namespace "{p["metadata"]["namespace"]}" '
                f"to terminate: global timeout reached: {took}" for p in pending]
        left = rules.pods_for_deletion(cluster, node, opts).pods()
        if left:
            context.err(f'There are pending pods in node "{node}" when an error occurred: {_agg(errs)}\n'
                        + "".join(f"pod/{p['metadata']['name']}\n" for p in left))
        return errs
    return []


# ---------------------------------------------------------------------------------------------
# version


def client_info() -> dict:
    """The client's version.Info, in its field order (kubectl -o json keeps struct order)."""
    v = CLIENT_VERSION.lstrip("v")
    major, minor = v.split(".")[:2]
    return {"major": major, "minor": minor, "gitVersion": CLIENT_VERSION,
            "gitCommit": hashlib.sha1(CLIENT_VERSION.encode()).hexdigest(), "gitTreeState": "clean",
            "buildDate": "2025-04-22T16:03:51Z", "goVersion": "go1.23.6", "compiler": "gc", "platform": "linux/amd64"}


def version(client_only: bool, output: str | None) -> int:
    if output not in (None, "", "yaml", "json"):
        raise CliError("--output must be 'yaml' or 'json'")
    doc: dict = {"clientVersion": client_info(), "kustomizeVersion": KUSTOMIZE_VERSION}
    warning = None
    if not client_only:
        with open_cluster(context.env()) as cluster:
            doc["serverVersion"] = server_version(cluster.profile)
        warning = _skew(doc["clientVersion"], doc["serverVersion"])
    if output == "json":
        # json.MarshalIndent(v, "", "  "): two spaces, struct order
        context.out(json.dumps(doc, indent=2) + "\n")
    elif output == "yaml":
        context.out(to_yaml(doc) + "\n")  # kubectl prints a blank line after the document
    else:
        context.out(f"Client Version: {doc['clientVersion']['gitVersion']}\nKustomize Version: {KUSTOMIZE_VERSION}\n")
        if "serverVersion" in doc:
            context.out(f"Server Version: {doc['serverVersion']['gitVersion']}\n")
    if warning:
        context.err(warning)
    return 0


def _skew(client: dict, server: dict) -> str | None:
    """kubectl's warning when the minor versions differ by more than one."""
    def minor(info):
        return int(re.sub(r"\D.*$", "", str(info["minor"])) or 0)
    c, s = minor(client), minor(server)
    if abs(c - s) > 1:
        return (f"WARNING: version difference between client ({client['major']}.{c}) and server "
                f"({server['major']}.{s}) exceeds the supported minor version skew of +/-1")
    return None


# ---------------------------------------------------------------------------------------------


def register(app: typer.Typer) -> None:
    interspersed = {"allow_interspersed_args": True, "ignore_unknown_options": False}
    DRY = typer.Option(None, "--dry-run")

    @app.command("taint", help="Update the taints on one or more nodes.", context_settings=interspersed)
    def taint_cmd(args: Optional[List[str]] = typer.Argument(None),
                  selector: Optional[str] = typer.Option(None, "-l", "--selector"),
                  all_: bool = typer.Option(False, "--all"),
                  overwrite: bool = typer.Option(False, "--overwrite"),
                  dry_run: Optional[str] = DRY) -> int:
        return taint(args or [], selector, all_, overwrite, dry_run)

    @app.command("cordon", help="Mark node as unschedulable.", context_settings=interspersed)
    def cordon_cmd(nodes: Optional[List[str]] = typer.Argument(None),
                   selector: Optional[str] = typer.Option(None, "-l", "--selector"),
                   dry_run: Optional[str] = DRY) -> int:
        return cordon(nodes or [], selector, True, dry_run)

    @app.command("uncordon", help="Mark node as schedulable.", context_settings=interspersed)
    def uncordon_cmd(nodes: Optional[List[str]] = typer.Argument(None),
                     selector: Optional[str] = typer.Option(None, "-l", "--selector"),
                     dry_run: Optional[str] = DRY) -> int:
        return cordon(nodes or [], selector, False, dry_run)

    @app.command("drain", help="Drain node in preparation for maintenance.", context_settings=interspersed)
    def drain_cmd(nodes: Optional[List[str]] = typer.Argument(None),
                  selector: Optional[str] = typer.Option(None, "-l", "--selector"),
                  force: bool = typer.Option(False, "--force"),
                  ignore_daemonsets: bool = typer.Option(False, "--ignore-daemonsets"),
                  delete_emptydir_data: bool = typer.Option(False, "--delete-emptydir-data"),
                  delete_local_data: bool = typer.Option(False, "--delete-local-data", hidden=True),
                  grace_period: int = typer.Option(-1, "--grace-period"),
                  timeout: Optional[str] = typer.Option(None, "--timeout"),
                  pod_selector: str = typer.Option("", "--pod-selector"),
                  disable_eviction: bool = typer.Option(False, "--disable-eviction"),
                  skip_wait: int = typer.Option(0, "--skip-wait-for-delete-timeout"),
                  dry_run: Optional[str] = DRY) -> int:
        if delete_local_data:
            context.err("Flag --delete-local-data has been deprecated, This option is deprecated and will be deleted. "
                        "Use --delete-emptydir-data.")
        opts = Options(force=force, ignore_daemonsets=ignore_daemonsets,
                       delete_emptydir_data=delete_emptydir_data or delete_local_data, pod_selector=pod_selector,
                       skip_wait_for_delete_timeout=skip_wait)
        return drain(nodes or [], selector, opts, grace_period, timeout, disable_eviction, dry_run)

    @app.command("version", help="Print the client and server version information.")
    def version_cmd(client: bool = typer.Option(False, "--client"),
                    output: Optional[str] = typer.Option(None, "-o", "--output")) -> int:
        return version(client, output)
