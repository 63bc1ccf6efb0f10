"""Does a printed table have the layout kubectl's table printer gives it?

kubectl writes each resource group through Go's text/tabwriter (minwidth 6, tabwidth 8, padding 3,
pad char ' ', no flags; kubectl's printers.GetNewTabWriter). Each row is its cells joined by tabs,
so every column but the last is as wide as its widest cell plus 3 (at least 6) and the last cell
is never padded: a row ends in spaces only when its last cell is empty. Groups (one per kind in
`get a,b`) are flushed separately and separated by exactly one blank line.

The check is independent of minikctl's own tabwriter: it reads the column starts from each
group's header (header cells are separated by two or more spaces, a header cell may hold one
space, as in `NOMINATED NODE`), cuts every row at those starts, lays the cells out again by the
rules above and compares the result with the text, line by line.

    problems(text) -> list of human-readable problems ([] when the layout holds)
    table_check(text) -> (0 or 1, report), the form tests assert on
"""
from __future__ import annotations

import re
import sys

MIN_WIDTH, PADDING = 6, 3
_HEADER_CELL = re.compile(r"(?:^|(?<=  ))(?=\S)")


def column_starts(header: str) -> list[int]:
    """Where each header cell begins."""
    return [m.start() for m in _HEADER_CELL.finditer(header)]


def cut(row: str, starts: list[int]) -> list[str] | None:
    """The row's cells at the header's column starts, or None when a cell spills into the next
    column (no space right before a column start)."""
    cells = []
    for i, start in enumerate(starts):
        if start and len(row) > start and row[start - 1] != " ":
            return None
        end = starts[i + 1] if i + 1 < len(starts) else len(row)
        cells.append(row[start:end].rstrip(" ") if i + 1 < len(starts) else row[start:])
    return cells


def widths(rows: list[list[str]]) -> list[int]:
    """Column widths text/tabwriter gives every column but the last."""
    return [max(MIN_WIDTH, max(len(r[c]) for r in rows) + PADDING) for c in range(len(rows[0]) - 1)]


def lay_out(rows: list[list[str]]) -> list[str]:
    """What text/tabwriter prints for rows of tab-separated cells (the last cell unpadded)."""
    w = widths(rows)
    return ["".join(cell.ljust(w[c]) for c, cell in enumerate(r[:-1])) + r[-1] for r in rows]


def group_problems(lines: list[str], number: int) -> list[str]:
    starts = column_starts(lines[0])
    if not starts or starts[0] != 0:
        return [f"group {number}: the header does not start at column 0: {lines[0]!r}"]
    rows, found = [], []
    for i, line in enumerate(lines, 1):
        cells = cut(line, starts)
        if cells is None:
            found.append(f"group {number} line {i}: a cell runs into the next column: {line!r}")
        elif cells[-1] != cells[-1].rstrip():
            found.append(f"group {number} line {i}: trailing whitespace after the last cell: {line!r}")
        rows.append(cells)
    if found:
        return found
    for i, (line, want) in enumerate(zip(lines, lay_out(rows)), 1):
        if line != want:
            found.append(f"group {number} line {i}: tabwriter would print {want!r}, got {line!r}")
    if found:  # name the column that is off, the usual cause
        for c, want in enumerate(widths(rows)):
            got = starts[c + 1] - starts[c]
            if got != want:
                found.append(f"group {number}: column {c + 1} ({lines[0][starts[c]:starts[c + 1]].strip()!r}) "
                             f"is {got} wide, tabwriter makes it {want}")
    return found


def problems(text: str) -> list[str]:
    body = text.strip("\n")
    if not body.strip():
        return ["no table in the input"]
    if "\n\n\n" in body:
        return ["more than one blank line between groups"]
    out = []
    for n, group in enumerate(body.split("\n\n"), 1):
        out += group_problems(group.split("\n"), n)
    return out


def table_check(text: str) -> tuple[int, str]:
    found = problems(text)
    if found:
        return 1, "\n".join(found) + "\n"
    return 0, f"table-check: {text.strip(chr(10)).count(chr(10) * 2) + 1} group(s), layout holds\n"


if __name__ == "__main__":  # some-command | python tests/tablecheck.py
    code, report = table_check(sys.stdin.read())
    sys.stdout.write(report)
    sys.exit(code)
