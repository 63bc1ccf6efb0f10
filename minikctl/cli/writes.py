"""How an imperative write ends: the dry-run strategy, sending the object, printing the result.

Every write verb (create <kind>, expose, scale, label, annotate, set, patch, replace) parses
--dry-run the same way, sends its object to the apiserver (minikctl.api.server) unless it is a
client dry run, so validation and immutability errors are the apiserver's, and prints the
outcome with kubectl's name printer `<kind[.group]>/<name> <op>[ (dry run)]` or the -o format.
Kept in one place so all those verbs print and fail alike.
"""
from __future__ import annotations

import copy

from minikctl.api import generators, kinds
from minikctl.api.errors import ApiError, CliError
from minikctl.cli import context, output
from minikctl import lazy

open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
serialize = lazy.module("minikctl.printers.serialize")
server = lazy.module("minikctl.api.server")

_SUFFIX = {"none": "", "client": " (dry run)", "server": " (server dry run)"}


def dry_strategy(value: str | None) -> str:
    if value in (None, "", "none"):
        return "none"
    if value in ("client", "server"):
        return value
    raise CliError(f'Invalid dry-run value ({value}). Must be "none", "server", or "client".')


def _ref(obj: dict) -> str:
    k = kinds.by_kind(obj["kind"])
    return k.ref if k else obj["kind"].lower()


def print_typed(obj: dict, fmt: str | None, op: str, dry: str) -> None:
    """A typed object as kubectl's printer shows it: Go field order for json, sorted yaml."""
    if not fmt:
        context.out(f"{_ref(obj)}/{obj['metadata']['name']} {op}{_SUFFIX[dry]}\n")
    elif fmt == "json":
        context.out(serialize.to_json(obj, sort_keys=False))
    elif fmt == "yaml":
        context.out(serialize.to_yaml(obj))
    else:
        output.emit(output.render([obj], fmt, single=True))


def print_stored(obj: dict, fmt: str | None, op: str, dry: str) -> None:
    if not fmt:
        context.out(f"{_ref(obj)}/{obj['metadata']['name']} {op}{_SUFFIX[dry]}\n")
    else:
        output.emit(output.render([obj], fmt, single=True))


def _body(obj: dict, ns: str) -> dict:
    """The generated object as sent to the apiserver (no null timestamp, no empty status)."""
    body = copy.deepcopy(obj)
    body["metadata"].pop("creationTimestamp", None)
    body.pop("status", None)
    k = kinds.by_kind(body["kind"])
    if k and k.namespaced:
        body["metadata"]["namespace"] = ns
    return body


def _wrapped(e: ApiError) -> str:
    """err.Error() of a StatusError, as `fmt.Errorf("failed to create ...: %v", err)` shows it."""
    if e.reason == "Invalid" and e.causes:
        k = kinds.by_kind(e.kind)
        qual = f"{e.kind}.{k.group}" if k and k.group else e.kind
        lines: list[str] = []
        for f, b in e.causes:
            line = f"{f}: {b}" if f else b
            if line not in lines:
                lines.append(line)
        body = lines[0] if len(lines) == 1 else "[" + ", ".join(lines) + "]"
        return f'{qual} "{e.name}" is invalid: {body}'
    return e.message


def create_generated(obj: dict, *, ns_flag: str | None, dry_run: str | None, fmt: str | None,
                     save_config: bool = False, wrap: str | None = None) -> int:
    """The tail every `create <kind>` shares: dry run, the apiserver's create, printing."""
    dry = dry_strategy(dry_run)
    if fmt:
        output.check_format(fmt)
    if save_config:
        generators.with_last_applied(obj)
    if dry == "client":
        print_typed(obj, fmt, "created", dry)
        return 0
    ns = context.namespace(ns_flag)
    with open_cluster(context.env()) as cluster:
        try:
            created = server.create(cluster, _body(obj, ns), dry_run=dry == "server")
        except ApiError as e:
            if wrap is None:
                raise
            raise CliError(f"{wrap}{_wrapped(e)}") from None
    print_stored(created, fmt, "created", dry)
    return 0


def _update(cluster, new: dict, live: dict, dry: str) -> dict:
    if dry == "client":
        return new
    return server.update(cluster, new, live, dry_run=dry == "server")
