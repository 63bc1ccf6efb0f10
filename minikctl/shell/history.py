"""Command history kept across sessions in MINIKCTL_HOME/shell_history, one command a line.

Why our own list next to readline's: the `history` builtin and piped (non-tty) sessions need it
too, and each line is appended to the file as it is typed, so a closed terminal loses nothing.
Like CentOS's bash (HISTCONTROL=ignoredups): an immediate repeat is not stored twice.
"""
from __future__ import annotations

from pathlib import Path

LIMIT = 1000        # HISTSIZE / HISTFILESIZE


class History:
    def __init__(self, path: Path | None, readline=None):
        self.path = path
        self.readline = readline            # the readline module when editing a terminal
        self.entries: list[str] = []
        self.load()

    def load(self) -> None:
        if self.path is not None:
            try:
                text = self.path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            self.entries = [ln for ln in text.splitlines() if ln.strip()][-LIMIT:]
        if self.readline is not None:
            self.readline.clear_history()
            for e in self.entries:
                self.readline.add_history(e)

    def add(self, line: str) -> None:
        line = line.replace("\n", " ").rstrip()
        if not line.strip() or (self.entries and self.entries[-1] == line):
            return
        self.entries.append(line)
        if self.readline is not None:
            self.readline.add_history(line)
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(line + "\n")
            except OSError:
                pass

    def clear(self) -> None:
        self.entries = []
        if self.readline is not None:
            self.readline.clear_history()
        self.save()

    def save(self) -> None:
        """Rewrite the file with the last LIMIT entries (on exit, so it does not grow forever)."""
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text("".join(e + "\n" for e in self.entries[-LIMIT:]), encoding="utf-8")
        except OSError:
            pass

    def listing(self, last: int | None = None) -> str:
        """bash's `history [N]`: the number right-aligned in 5 columns, two spaces, the command."""
        start = 0 if last is None else max(0, len(self.entries) - last)
        return "".join(f"{i + 1:5d}  {e}\n" for i, e in enumerate(self.entries[start:], start))
