"""`-o custom-columns=HEADER:PATH,...` and `-o custom-columns-file=FILE`, as kubectl prints them.

Why: kubectl's CustomColumnsPrinter relaxes each path (`.a.b`, `a.b`, `{.a.b}` all mean
`{.a.b}`), runs it with missing keys allowed, prints every value with Go's `%v` (so a map shows
as `map[k:v]`) joined by `,`, `<none>` when nothing matched, and lays the rows out with the same
tabwriter settings as `get` tables (minwidth 6, padding 3).
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from minikctl.api.errors import CliError
from minikctl.printers import tabwriter
from minikctl.printers.jsonpath import JsonPathError, find_results, parse, relaxed_expression
from minikctl.printers.serialize import go_v

Column = tuple[str, str]  # (header, '{.json.path}')


def parse_spec(spec: str) -> list[Column]:
    """NewCustomColumnsPrinterFromSpec: 'NAME:.metadata.name,IP:.status.podIP'."""
    if spec == "":
        raise CliError("custom-columns format specified but no custom columns given")
    columns = []
    for part in spec.split(","):
        header, sep, path = part.partition(":")
        if not sep:
            raise CliError(f"unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")
        columns.append((header, relaxed_expression(path)))
    return columns


def parse_template(text: str) -> list[Column]:
    """NewCustomColumnsPrinterFromTemplate: a header line and a path line, split on blanks."""
    lines = text.splitlines()
    if not lines:
        raise CliError("invalid template, missing header line. Expected format is one line of "
                       "space separated headers, one line of space separated column specs.")
    if len(lines) < 2:
        raise CliError("invalid template, missing spec line. Expected format is one line of "
                       "space separated headers, one line of space separated column specs.")
    headers, specs = lines[0].split(), lines[1].split()
    if len(headers) != len(specs):
        raise CliError(f"number of headers ({len(headers)}) and field specifications "
                       f"({len(specs)}) don't match")
    return [(h, relaxed_expression(s)) for h, s in zip(headers, specs)]


def parse_template_file(path: str) -> list[Column]:
    try:
        with open(path, encoding="utf-8") as fh:
            return parse_template(fh.read())
    except FileNotFoundError:
        raise CliError(f"open {path}: no such file or directory") from None


def cell(path: str, obj: Any) -> str:
    """One column's text for one object: values by %v joined with ',', or <none>."""
    try:
        results = find_results(path, obj, allow_missing=True)
    except JsonPathError as e:
        raise CliError(str(e)) from None
    values = [go_v(v) for r in results for v in r]
    if not results or not results[0]:
        values.insert(0, "<none>")
    return ",".join(values)


def render_custom_columns(columns: list[Column] | str, objects: Iterable[dict],
                          no_headers: bool = False) -> str:
    """The whole output for a list of objects (a List's items are expanded by the caller).

    `columns` is parsed columns or the raw spec string. Paths are parsed before anything is
    printed, so a bad path prints nothing but its error, as in kubectl.
    """
    if isinstance(columns, str):
        columns = parse_spec(columns)
    for _, path in columns:
        try:
            parse(path)
        except JsonPathError as e:
            raise CliError(str(e)) from None
    rows: list[list[str]] = []
    if not no_headers:
        rows.append([h for h, _ in columns])
    for obj in objects:
        rows.append([cell(path, obj) for _, path in columns])
    # tabwriter cells end at tabs; a value holding a tab or newline would split, as in Go
    lines = [re.split("\t", "\t".join(r)) for r in rows]
    return tabwriter.render(lines)
