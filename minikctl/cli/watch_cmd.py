"""`minikctl get ... -w`: the initial table, then one row per change, as kubectl's watch prints them.

A real watch streams events from the apiserver; here the store is polled (every POLL_SECONDS, each
time a fresh open_cluster, which advances the simulation to now) and an object whose
resourceVersion moved is printed again, without the header. A deleted object prints its last row
once more, as the DELETED event does. Columns are aligned as kubectl's tabwriter does it with
RememberWidths: widths persist from the first table and only grow, so a long STATUS widens the
rows that follow.

It ends on Ctrl-C (exit 130, like kubectl killed by SIGINT) or after --request-timeout. Tests
inject the loop: SLEEP (a function of seconds) and MAX_POLLS bound it on a virtual clock. Output
goes to the Env given, not the current context's, since other commands may run in-process
between two polls (the shell, the labs, tests).
"""
from __future__ import annotations

import time

from minikctl.printers.tabwriter import TABLE_MINWIDTH, TABLE_PADDING
from minikctl.printers import tabwriter
from minikctl import lazy

CliError = lazy.function("minikctl.api.errors", "CliError")
context = lazy.module("minikctl.cli.context")
group_rows = lazy.function("minikctl.printers.table", "group_rows")
kinds = lazy.module("minikctl.api.kinds")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
parse = lazy.function("minikctl.api.builder", "parse")
parse_duration = lazy.function("minikctl.cli.rollout_cmd", "parse_duration")
select = lazy.function("minikctl.cli.get_cmd", "select")
selectors = lazy.module("minikctl.api.selectors")

POLL_SECONDS = 0.5
SLEEP = time.sleep          # injectable: tests move a virtual clock instead of sleeping
MAX_POLLS: int | None = None  # injectable: tests bound the loop


class Widths:
    """tabwriter.RememberWidths: column widths carried from one flush to the next, only growing."""

    def __init__(self) -> None:
        self.w: list[int] = []

    def line(self, cells: list[str]) -> str:
        out = []
        for i, c in enumerate(cells[:-1]):
            need = max(TABLE_MINWIDTH, len(c) + TABLE_PADDING)
            if i >= len(self.w):
                self.w.append(need)
            self.w[i] = max(self.w[i], need)
            out.append(c + " " * (self.w[i] - len(c)))
        out.append(cells[-1] if cells else "")
        return "".join(out) + "\n"

    def table(self, rows: list[list[str]]) -> str:
        widths = tabwriter.layout(rows, TABLE_MINWIDTH, TABLE_PADDING)
        for ws in widths:
            for i, w in enumerate(ws):
                if i >= len(self.w):
                    self.w.append(w)
                self.w[i] = max(self.w[i], w)
        return "".join(self.line(r) for r in rows)


def _snapshot(env, reqs, ns, label_sel, field_selector, opts):
    """({key: (kind, object, row cells)}, {kind: header cells}) of everything watched, read and
    rendered in one fresh transaction (rows need the whole cluster: ages, owners' replica sets)."""
    out, headers = {}, {}
    with open_cluster(env) as cluster:
        for r in reqs:
            fsel = selectors.parse_field_selector(field_selector, r.kind) if field_selector else None
            objs, _missing = select(cluster, r.kind, ns, r.names, label_sel, fsel)
            rows, _ = group_rows(r.kind.kind, objs, cluster, wide=opts["wide"], prefix=opts["prefix"],
                                 all_namespaces=opts["all_namespaces"], show_labels=opts["show_labels"],
                                 label_columns=tuple(opts["label_columns"]), no_headers=False)
            headers[r.kind.kind] = rows[0]
            for o, cells in zip(objs, rows[1:]):
                m = o["metadata"]
                out[(r.kind.kind, m.get("namespace") or "", m["name"])] = (r.kind.kind, o, cells)
    return out, headers


def watch(resources: list[str], namespace: str | None, all_namespaces: bool, output_fmt: str | None,
          selector: str | None, field_selector: str | None, show_labels: bool, label_columns: list[str],
          no_headers: bool, show_kind: bool, request_timeout: str | None, env) -> int:
    """Print the table, then the rows of objects as they change, until Ctrl-C or the timeout."""
    if output_fmt not in (None, "", "wide", "name"):
        raise CliError(f"watch is only supported with table, wide and name output in minikctl (got {output_fmt})")
    reqs = parse(resources)
    if len(reqs) > 1 and any(not r.names for r in reqs):
        raise CliError("you may only specify a single resource type")
    ns = None if all_namespaces else context.namespace(namespace)
    label_sel = selectors.parse_selector(selector) if selector else None
    limit = parse_duration(request_timeout, "--request-timeout")
    lcols = [c for arg in label_columns for c in arg.split(",") if c]
    opts = {"wide": output_fmt == "wide", "prefix": show_kind or len(reqs) > 1, "all_namespaces": all_namespaces,
            "show_labels": show_labels, "label_columns": lcols}
    widths = Widths()
    started = env.clock()

    printed_header: set[str] = set()

    def emit(kind, obj, cells):
        if output_fmt == "name":
            env.stdout.write(f"{kinds.BY_KIND[kind].ref}/{obj['metadata']['name']}\n")
        elif kind not in printed_header and not no_headers:
            printed_header.add(kind)  # nothing was listed at first: the header comes with the first row
            env.stdout.write(widths.table([headers[kind], cells]))
        else:
            env.stdout.write(widths.line(cells))

    snap, headers = _snapshot(env, reqs, ns, label_sel, field_selector, opts)
    if output_fmt == "name":
        for kind, o, cells in snap.values():
            emit(kind, o, cells)
    else:
        by_kind: dict[str, list[list[str]]] = {}
        for kind, _o, cells in snap.values():
            by_kind.setdefault(kind, []).append(cells)
        for kind, rows in by_kind.items():
            printed_header.add(kind)
            env.stdout.write(widths.table(([] if no_headers else [headers[kind]]) + rows))
        if not snap and ns is not None:
            env.stderr.write(f"No resources found in {ns} namespace.\n")
    _flush(env)
    seen = {k: o["metadata"].get("resourceVersion") for k, (_kind, o, _c) in snap.items()}
    last = dict(snap)
    polls = 0
    while MAX_POLLS is None or polls < MAX_POLLS:
        if limit and env.clock() - started >= limit:
            break
        SLEEP(POLL_SECONDS)
        polls += 1
        snap, _headers = _snapshot(env, reqs, ns, label_sel, field_selector, opts)
        for key, (kind, o, cells) in snap.items():
            rv = o["metadata"].get("resourceVersion")
            if seen.get(key) != rv:
                emit(kind, o, cells)
                seen[key] = rv
        for key in [k for k in seen if k not in snap]:
            kind, o, cells = last[key]
            emit(kind, o, cells)  # the DELETED event carries the object's last state
            del seen[key]
        last = {**last, **snap}
        _flush(env)
    return 0


def _flush(env) -> None:
    try:
        env.stdout.flush()
    except (AttributeError, ValueError):
        pass


def register(app) -> None:
    """Nothing to register: `get -w` calls watch() (minikctl/cli/get_cmd.py)."""
    return None
