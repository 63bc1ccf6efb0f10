"""kubecolor-style colouring, applied after layout so padding is computed on the plain text.

Only imported when colour is asked for; rich is imported inside the function, so the plain
path never loads it.
"""
from __future__ import annotations
import re
from minikctl import lazy

Style = lazy.function("rich.style", "Style")
tabwriter = lazy.module("minikctl.printers.tabwriter")
rich_color = lazy.module("rich.color")

GREEN = {"Running", "Active", "Ready", "Completed", "Succeeded", "Bound", "True"}
YELLOW = {"Pending", "ContainerCreating", "Terminating", "PodInitializing", "Unknown"}
RED = {"CrashLoopBackOff", "Error", "ErrImagePull", "ImagePullBackOff", "NotReady", "Failed",
       "OOMKilled", "Evicted", "InvalidImageName", "CreateContainerConfigError", "False"}


def status_colour(text: str) -> str | None:
    """The colour of a STATUS cell: each comma part decides, red beats yellow beats green."""
    parts = text.split(",")
    if any(p in RED or p.startswith(("Init:Err", "Init:Crash", "Init:Error", "Init:ExitCode", "Init:Signal",
                                     "ExitCode:", "Signal:")) for p in parts):
        return "red"
    if any(p in YELLOW or p.startswith("Init:") or p == "SchedulingDisabled" for p in parts):
        return "yellow"
    if all(p in GREEN for p in parts):
        return "green"
    return None


def render_coloured(rows: list[list[str]], status_col: int | None, header: bool = True) -> str:
    """Lay rows out like tabwriter.render, then wrap cells in ANSI styles (header bold)."""


    widths = tabwriter.layout(rows, tabwriter.TABLE_MINWIDTH, tabwriter.TABLE_PADDING)
    bold = Style(bold=True)
    lines = []
    for i, (cells, ws) in enumerate(zip(rows, widths)):
        out = []
        for j, cell in enumerate(cells):
            pad = " " * (ws[j] - len(cell)) if j < len(ws) else ""
            style = None
            if header and i == 0:
                style = bold
            elif j == status_col and cell:
                colour = status_colour(cell)
                style = Style(color=colour) if colour else None
            text = style.render(cell, color_system=rich_color.ColorSystem.STANDARD) if style and cell else cell
            out.append(text + pad)
        lines.append("".join(out) + "\n")
    return "".join(lines)


def cluster_info(text: str) -> str:
    """kubectl cluster-info on a terminal: each service's name green, its URL yellow
    (cluster-info.go: ct.ChangeColor(ct.Green) / ct.Yellow)."""


    def paint(m):
        green = Style(color="green").render(m.group(1), color_system=rich_color.ColorSystem.STANDARD)
        yellow = Style(color="yellow").render(m.group(2), color_system=rich_color.ColorSystem.STANDARD)
        return f"{green} is running at {yellow}"
    return re.sub(r"^(.+?) is running at (\S+)", paint, text, flags=re.M)
