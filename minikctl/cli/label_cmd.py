"""`minikctl label` and `minikctl annotate`: one verb twice, on metadata.labels or annotations.

kubectl parses both the same way (`k=v` sets, `k-` removes, other words name resources) and
differs only in wording, the label format check and what it reports (`labeled`, `not labeled`,
`unlabeled`, `annotated`), so they share this module.
"""
from __future__ import annotations

import copy
import json
from typing import List, Optional

import typer

from minikctl.api.errors import CliError
from minikctl.cli import context
from minikctl.cli.targets import _targets
from minikctl.cli.writes import _update, dry_strategy, print_stored
import re
from minikctl import lazy

check_passthrough = lazy.function("minikctl.cli.unsimulated", "check_passthrough")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")


def _split_changes(args: list[str], what: str) -> tuple[list[str], dict, list[str]]:
    """kubectl's parse: `k=v` sets, `k-` removes, anything else names resources."""
    resources, sets, removes = [], {}, []
    for a in args:
        if "=" in a:
            k, v = a.split("=", 1)
            if k in sets:
                raise CliError(f"can not both modify and remove {'a label' if what == 'label' else 'an annotation'} in the same command")
            sets[k] = v
        elif a.endswith("-") and len(a) > 1:
            removes.append(a[:-1])
        else:
            resources.append(a)
    for k in removes:
        if k in sets:
            raise CliError(f"can not both modify and remove {'a label' if what == 'label' else 'an annotation'} in the same command")
    if not sets and not removes:
        raise CliError(f"at least one {what} update is required")
    return resources, sets, removes


def _check_label(key: str, value: str) -> None:
    name = key.split("/")[-1]
    if not re.fullmatch(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]", name) or len(name) > 63 or key.count("/") > 1:
        raise CliError(f"invalid label spec: {key}={value}")
    if value and (len(value) > 63 or not re.fullmatch(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]", value)):
        raise CliError(f"invalid label value: \"{key}={value}\": a valid label must be an empty string or consist of "
                       "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                       "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                       "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


def relabel(what: str, args, filenames, namespace, overwrite, selector, all_, dry_run, fmt) -> int:
    """`label` (what='label') and `annotate` (what='annotation')."""
    dry = dry_strategy(dry_run)
    resources, sets, removes = _split_changes(list(args), what)
    if what == "label":
        for k, v in sets.items():
            _check_label(k, v)
    field = "labels" if what == "label" else "annotations"
    ns = context.namespace(namespace)
    with open_cluster(context.env()) as cluster:
        targets = _targets(cluster, resources, filenames, ns, selector, all_)
        for live in targets:
            current = dict(live["metadata"].get(field) or {})
            if not overwrite:
                if what == "label":
                    for k, v in sets.items():
                        if k in current and current[k] != v:
                            raise CliError(f"'{k}' already has a value ({current[k]}), and --overwrite is false")
                else:
                    found = [f"'{k}' already has a value ({current[k]})" for k, v in sets.items()
                             if k in current and current[k] != v]
                    if found:
                        raise CliError("--overwrite is false but found the following declared annotation(s): "
                                       + "; ".join(found))
            updated = dict(current)
            for k in removes:
                if k not in updated and what == "label":
                    context.out(f'label "{k}" not found.\n')
                updated.pop(k, None)
            updated.update(sets)
            new = copy.deepcopy(live)
            if updated:
                new["metadata"][field] = updated
            else:
                new["metadata"].pop(field, None)
            if what == "label":
                before, after = json.dumps(live["metadata"].get(field) or {}), json.dumps(updated)
                op = "not labeled"
                if updated != current:
                    op = "unlabeled" if not overwrite and len(after) < len(before) else "labeled"
            else:
                op = "annotated"
            result = new if updated == current else _update(cluster, new, live, dry)
            print_stored(result, fmt, op, dry)
    return 0


def register(app: typer.Typer) -> None:
    def _relabel_cmd(what: str):
        def cmd(
            args: Optional[List[str]] = typer.Argument(None),
            filename: List[str] = typer.Option([], "-f", "--filename"),
            namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
            overwrite: bool = typer.Option(False, "--overwrite"),
            selector: Optional[str] = typer.Option(None, "-l", "--selector"),
            all_: bool = typer.Option(False, "--all"),
            dry_run: Optional[str] = typer.Option(None, "--dry-run"),
            output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        ) -> int:
            check_passthrough(["label" if what == "label" else "annotate"], list(args or []))
            return relabel(what, list(args or []), filename, namespace, overwrite, selector, all_, dry_run, output_fmt)
        return cmd

    app.command("label", context_settings={"ignore_unknown_options": True},
                help="Update the labels on a resource.")(_relabel_cmd("label"))
    app.command("annotate", context_settings={"ignore_unknown_options": True},
                help="Update the annotations on a resource.")(_relabel_cmd("annotation"))
