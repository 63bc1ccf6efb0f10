"""`minikctl traffic`: a bar chart of which pod answered how often.

Rows in descending count (then name), bars scaled to the largest count, percentages of `total`.
With colour, rich draws the bars (imported lazily); without, plain '#' bars so output can be
piped and diffed.
"""
from __future__ import annotations

from collections import Counter
from minikctl import lazy

Console = lazy.function("rich.console", "Console")
Table = lazy.function("rich.table", "Table")

BAR_WIDTH = 40


def _rows(counts: Counter, total: int):
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    top = max((c for _, c in items), default=0)
    for name, c in items:
        width = round(BAR_WIDTH * c / top) if top else 0
        pct = 100.0 * c / total if total else 0.0
        yield name, c, width, pct


def render_chart(counts: Counter, total: int, title: str, colour: bool) -> str:
    rows = list(_rows(counts, total))
    name_w = max([len(n) for n, *_ in rows] + [4])
    num_w = max([len(str(c)) for _, c, *_ in rows] + [1])
    if not colour:
        out = [title, ""]
        for name, c, width, pct in rows:
            out.append(f"{name:<{name_w}}  {'#' * width:<{BAR_WIDTH}}  {c:>{num_w}}  {pct:5.1f}%")
        out.append(f"{'':<{name_w}}  {'':<{BAR_WIDTH}}  {total:>{num_w}}  total")
        return "\n".join(line.rstrip() for line in out) + "\n"
    table = Table(title=title, show_header=True, header_style="bold", box=None)
    table.add_column("POD")
    table.add_column("ANSWERS", justify="left")
    table.add_column("N", justify="right")
    table.add_column("%", justify="right")
    for name, c, width, pct in rows:
        style = "red" if name.startswith("(") else "green"
        table.add_row(name, f"[{style}]{'█' * width}[/{style}]", str(c), f"{pct:.1f}")
    console = Console(force_terminal=True, width=name_w + BAR_WIDTH + 30, color_system="standard")
    with console.capture() as cap:
        console.print(table)
    return cap.get()
