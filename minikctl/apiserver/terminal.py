"""The pseudo-terminal between kubectl and a container started with a TTY.

Why: with `-t`, kubectl puts the learner's terminal in raw mode and sends every key as it is
typed; echo, line editing and Ctrl-C are the container's pty's job (the kernel's line discipline
in canonical mode, ICRNL/ONLCR/ECHO/ISIG), and the shell reads whole lines. This is that line
discipline, in miniature: printable keys are echoed and collected, Enter delivers the line,
Backspace/Ctrl-U/Ctrl-W edit it, Ctrl-C interrupts, Ctrl-D on an empty line is end of input.
Up and Down recall earlier lines, as busybox ash's line editor does; other escape sequences
(Left, Right, Home...) are swallowed. Output "\\n" becomes "\\r\\n" (ONLCR).
"""
from __future__ import annotations

import codecs


def onlcr(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


class LineDiscipline:
    def __init__(self):
        self.buf = ""
        self.esc = ""                 # an escape sequence being read
        self.history: list[str] = []
        self.at = 0                   # position in history while recalling
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, data: bytes) -> tuple[str, list[tuple[str, str]]]:
        """(echo to write back, events): ('line', text), ('intr', ''), ('eof', '')."""
        echo, events = [], []
        for ch in self.decoder.decode(data):
            if self.esc:
                self.esc += ch
                if len(self.esc) == 2 and ch not in "[O":
                    self.esc = ""
                elif len(self.esc) > 2 and (ch.isalpha() or ch == "~"):
                    if self.esc[-1] in "AB" and len(self.esc) == 3:
                        echo.append(self._recall(-1 if self.esc[-1] == "A" else 1))
                    self.esc = ""
                continue
            if ch == "\x1b":
                self.esc = ch
            elif ch in "\r\n":
                echo.append("\r\n")
                events.append(("line", self.buf))
                if self.buf.strip() and (not self.history or self.history[-1] != self.buf):
                    self.history.append(self.buf)
                self.at = len(self.history)
                self.buf = ""
            elif ch in "\x7f\x08":
                if self.buf:
                    self.buf = self.buf[:-1]
                    echo.append("\b \b")
            elif ch == "\x15":                       # ^U: kill the line
                echo.append("\b \b" * len(self.buf))
                self.buf = ""
            elif ch == "\x17":                       # ^W: erase a word
                kept = self.buf.rstrip()
                kept = kept[:len(kept) - len(kept.split()[-1])] if kept.split() else ""
                echo.append("\b \b" * (len(self.buf) - len(kept)))
                self.buf = kept
            elif ch == "\x03":                       # ^C (ISIG): the line is dropped
                echo.append("^C\r\n")
                self.buf = ""
                events.append(("intr", ""))
            elif ch == "\x04":                       # ^D: EOF on an empty line, else push the line
                if not self.buf:
                    events.append(("eof", ""))
            elif ch == "\t":
                self.buf += " "
                echo.append(" ")
            elif ch >= " ":
                self.buf += ch
                echo.append(ch)
        return "".join(echo), events

    def _recall(self, step: int) -> str:
        """Replace the line being typed by an earlier (step -1) or later (+1) one; the redraw."""
        at = max(0, min(len(self.history), self.at + step))
        if at == self.at:
            return ""
        self.at = at
        new = self.history[at] if at < len(self.history) else ""
        redraw = "\b \b" * len(self.buf) + new
        self.buf = new
        return redraw
