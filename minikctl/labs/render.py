"""How a lab replay looks: plain text when piped, rich styling on a terminal (or for SVG export).

Why two renderers with one interface: the engine only says what happened (a narration, a command
and its output, time passing, a computed table); the renderer decides how it looks. Command
output is printed byte for byte in both, so kubectl's tables keep their layout. The plain form is
a shell transcript: the prompt line, the output, and narration as `# ` comment lines, so a piped
replay can be read, diffed and checked like the note's own transcripts.
"""
from __future__ import annotations
from minikctl import lazy

Console = lazy.function("rich.console", "Console")
Padding = lazy.function("rich.padding", "Padding")
Panel = lazy.function("rich.panel", "Panel")
Table = lazy.function("rich.table", "Table")
Text = lazy.function("rich.text", "Text")
box = lazy.module("rich.box")
cell_len = lazy.function("rich.cells", "cell_len")
tabwriter = lazy.module("minikctl.printers.tabwriter")

PROMPT = "[root@k8s-master ~]# "


def unwrap(text: str) -> str:
    """Join an authored paragraph's lines so rich can wrap it to the terminal: English lines join
    with a space, Chinese ones directly (no spaces between CJK characters); blank lines stay."""
    paras = []
    for para in text.split("\n\n"):
        out = ""
        for line in para.splitlines():
            line = line.strip()
            if out and line:
                out += "" if (ord(out[-1]) > 0x2E7F or ord(line[0]) > 0x2E7F) else " "
            out += line
        paras.append(out)
    return "\n\n".join(paras)


class PlainRenderer:
    def __init__(self, stream):
        self.stream = stream

    def _w(self, text: str) -> None:
        self.stream.write(text)

    def header(self, title: str, summary: str, info: str) -> None:
        self._w(f"# {title}\n")
        for line in summary.splitlines():
            self._w(f"# {line}".rstrip() + "\n")
        self._w(f"# {info}\n\n")

    def narrate(self, text: str) -> None:
        for line in text.splitlines():
            self._w(f"# {line}".rstrip() + "\n")
        self._w("\n")

    def command(self, line: str) -> None:
        self._w(f"{PROMPT}{line}\n")

    def output(self, stdout: str, stderr: str) -> None:
        for text in (stdout, stderr):
            if text:
                self._w(text if text.endswith("\n") else text + "\n")
        self._w("\n")

    def note(self, text: str, ok: bool | None = None) -> None:
        mark = {True: "[ok] ", False: "[!] ", None: ""}[ok]
        for i, line in enumerate(text.splitlines()):
            self._w(f"# {mark if i == 0 else ''}{line}".rstrip() + "\n")
        self._w("\n")

    def wait(self, text: str) -> None:
        self._w(f"# ... {text} ...\n\n")

    def table(self, title: str, headers: list[str], rows: list[list[str]]) -> None:
        """Multi-line cells become several lines; columns as kubectl's tabwriter lays them out."""
        self._w(f"# {title}\n")
        flat = [[h.replace("\n", " ") for h in headers]]
        for row in rows:
            cells = [c.split("\n") for c in row]
            for i in range(max(len(c) for c in cells)):
                flat.append([c[i] if i < len(c) else "" for c in cells])
        self._w("".join("# " + line.rstrip() + "\n" for line in tabwriter.render(flat).splitlines()))
        self._w("\n")

    def footer(self, text: str) -> None:
        self.note(text)


class RichRenderer:
    """The same transcript with colour: green prompt, dim narration rule, tables as rich Tables."""

    def __init__(self, stream=None, record: bool = False, width: int | None = None, force_terminal: bool = True):
        self.console = Console(file=stream, record=record, width=width, force_terminal=force_terminal,
                               highlight=False, soft_wrap=False)

    def header(self, title: str, summary: str, info: str) -> None:
        body = Text(summary + ("\n\n" if summary else ""), style="default")
        body.append(info, style="dim")
        self.console.print(Panel(body, title=Text(title, style="bold"), title_align="left", border_style="blue"))
        self.console.print()

    def narrate(self, text: str) -> None:
        self.console.print(Padding(Text(unwrap(text), style="italic cyan"), (0, 0, 0, 2)))
        self.console.print()

    def command(self, line: str) -> None:
        t = Text()
        t.append(PROMPT, style="bold green")
        t.append(line, style="bold")
        self.console.print(t, soft_wrap=True)

    def output(self, stdout: str, stderr: str) -> None:
        if stdout:
            self.console.print(Text(stdout.rstrip("\n")), soft_wrap=True)
        if stderr:
            self.console.print(Text(stderr.rstrip("\n"), style="red"), soft_wrap=True)
        self.console.print()

    def note(self, text: str, ok: bool | None = None) -> None:
        mark, style = {True: ("\u2714 ", "bold green"), False: ("\u2718 ", "bold yellow"), None: ("", "bold")}[ok]
        self.console.print(Text(mark + text, style=style))
        self.console.print()

    def wait(self, text: str) -> None:
        self.console.rule(text, style="dim")
        self.console.print()

    def table(self, title: str, headers: list[str], rows: list[list[str]]) -> None:
        t = Table(title=title, box=box.ROUNDED, show_lines=True, title_style="bold", header_style="bold magenta")
        for h in headers:
            t.add_column(h)
        for row in rows:
            t.add_row(*row)
        self.console.print(t)
        self.console.print()

    def footer(self, text: str) -> None:
        self.console.print(Text(text, style="dim"))


def cell_width(text: str) -> int:
    """How many terminal columns a text takes: East Asian wide characters take two (wcwidth's
    rule, as rich measures cells), so drill tables mixing Chinese and English line up."""
    return cell_len(text)
