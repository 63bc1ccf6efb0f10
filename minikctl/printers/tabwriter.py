"""Go's text/tabwriter, as kubectl configures it, so our columns land where kubectl's do.

A cell is text terminated by a tab; the text after a line's last tab is not in a column and
is never padded. A column's width is computed over a *column block*: the run of consecutive
lines that have a cell in that column (a line with fewer cells ends the block, so a tab-less
line ends every block). Width = max(minwidth, widest cell + padding); widths count runes.
"""
from __future__ import annotations

TABLE_MINWIDTH, TABLE_PADDING = 6, 3      # cli-runtime printers/tabwriter.go
DESCRIBE_MINWIDTH, DESCRIBE_PADDING = 0, 2  # describe.go tabbedString: Init(buf, 0, 8, 2, ' ', 0)


def layout(lines: list[list[str]], minwidth: int, padding: int, width=len) -> list[list[int]]:
    """Per line, the padded width of each column cell (all cells but the last).

    Mirrors tabwriter.format: recurse column by column, each block getting its own width.
    Returned widths[i][j] is the width line i's cell j is padded to.
    """
    out: list[list[int]] = [[0] * max(len(cells) - 1, 0) for cells in lines]

    def fmt(col: int, lo: int, hi: int) -> None:
        i = lo
        while i < hi:
            if col >= len(lines[i]) - 1:
                i += 1
                continue
            start = i
            w = minwidth
            while i < hi and col < len(lines[i]) - 1:
                w = max(w, width(lines[i][col]) + padding)
                i += 1
            for k in range(start, i):
                out[k][col] = w
            fmt(col + 1, start, i)

    fmt(0, 0, len(lines))
    return out


def join(lines: list[list[str]], widths: list[list[int]], width=len) -> list[str]:
    """Cells padded with spaces to their widths; the last cell is left as is."""
    result = []
    for cells, ws in zip(lines, widths):
        parts = [c + " " * (w - width(c)) for c, w in zip(cells, ws)]
        parts.append(cells[-1] if cells else "")
        result.append("".join(parts))
    return result


def render(rows: list[list[str]], minwidth: int = TABLE_MINWIDTH, padding: int = TABLE_PADDING, width=len) -> str:
    """A table (rows of cells, the last cell of a row unpadded), each line ending in '\\n'.

    width measures a cell: len counts runes as Go's tabwriter does (kubectl's tables); the drill
    tables pass terminal columns instead, so that Chinese text (two columns a character) lines up."""
    if not rows:
        return ""
    return "".join(line + "\n" for line in join(rows, layout(rows, minwidth, padding, width), width))


def render_tabbed(text: str, padding: int = DESCRIBE_PADDING, minwidth: int = DESCRIBE_MINWIDTH) -> str:
    """Text written with tabs (describe's style) -> aligned text, newlines preserved."""
    lines = [line.split("\t") for line in text.split("\n")]
    return "\n".join(join(lines, layout(lines, minwidth, padding)))
