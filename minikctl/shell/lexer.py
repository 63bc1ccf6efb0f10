"""Split a shell line into words and operators, the way bash does for the lines learners type.

Why our own: shlex drops the difference between '...' and "..." that `$VAR` expansion needs, and
knows nothing of `2>&1`, `<<EOF` or `<(...)`. A word is a list of parts, expanded later (so `$?`
sees the status of the previous command on the same line):
  ('lit', text)      literal text (quotes already removed)
  ('var', name)      $name, ${name}, $?
  ('cmd', script)    $(script): command substitution
  ('proc', script)   <(script): process substitution (only `source <(...)` uses it)
`Incomplete` says the line needs another line: an open quote, a trailing backslash or operator.
"""
from __future__ import annotations

from dataclasses import dataclass, field

OPERATORS = ("<<-", "&&", "||", ">>", "<<", "&>", ">&", ";", "|", "&", "<", ">")
REDIRECTS = ("<<-", "<<", ">>", "&>", ">&", "<", ">")


class Incomplete(Exception):
    """The line continues on the next one (`reason`: quote, backslash, operator)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Word:
    parts: list = field(default_factory=list)
    quoted: bool = False          # any quoting at all (no globbing, heredoc delimiter is literal)

    @property
    def literal(self) -> str | None:
        """The text when the word is plain literal text (alias names, assignments), else None."""
        if all(p[0] == "lit" for p in self.parts):
            return "".join(p[1] for p in self.parts)
        return None

    def text(self) -> str:
        """The word with expansions shown as typed (for heredoc delimiters)."""
        return "".join(p[1] if p[0] == "lit" else "" for p in self.parts)


@dataclass
class Op:
    op: str
    fd: int | None = None         # `2>`: the descriptor written before a redirection


def _matching(s: str, i: int) -> int:
    """Index of the ')' closing the '(' at s[i], skipping quotes; raises Incomplete if none."""
    depth, j, quote = 0, i, None
    while j < len(s):
        c = s[j]
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    raise Incomplete("quote")


def read_dollar(s: str, i: int, parts: list) -> int:
    """s[i] == '$': append the expansion it starts and return the index after it."""
    j = i + 1
    if j < len(s) and s[j] == "{":
        end = s.find("}", j)
        if end < 0:
            raise Incomplete("quote")
        parts.append(("var", s[j + 1:end]))
        return end + 1
    if j < len(s) and s[j] == "(":
        end = _matching(s, j)
        parts.append(("cmd", s[j + 1:end]))
        return end + 1
    if j < len(s) and s[j] in "?$#!0":
        parts.append(("var", s[j]))
        return j + 1
    k = j
    while k < len(s) and (s[k].isalnum() or s[k] == "_"):
        k += 1
    if k == j:
        parts.append(("lit", "$"))
        return j
    parts.append(("var", s[j:k]))
    return k


class _Lexer:
    """One pass over the text; `word` is the word being built, None between words."""

    def __init__(self, s: str):
        self.s, self.toks, self.word = s, [], None

    def part(self, p: tuple) -> None:
        self.word = self.word or Word()
        parts = self.word.parts
        if p[0] == "lit" and parts and parts[-1][0] == "lit":
            parts[-1] = ("lit", parts[-1][1] + p[1])
        else:
            parts.append(p)

    def flush(self) -> None:
        if self.word is not None:
            self.toks.append(self.word)
        self.word = None

    def run(self) -> list:
        s, i, n = self.s, 0, len(self.s)
        while i < n:
            c = s[i]
            if c in " \t\n":
                self.flush()
                if c == "\n":
                    self.toks.append(Op(";"))
                i += 1
            elif c == "#" and self.word is None:
                while i < n and s[i] != "\n":
                    i += 1
            elif c == "\\":
                if i + 1 >= n:
                    raise Incomplete("backslash")
                if s[i + 1] != "\n":
                    self.part(("lit", s[i + 1]))
                i += 2
            elif c == "'":
                end = s.find("'", i + 1)
                if end < 0:
                    raise Incomplete("quote")
                self.part(("lit", s[i + 1:end]))
                self.word.quoted = True
                i = end + 1
            elif c == '"':
                i = self.double(i + 1)
            elif c == "$":
                parts: list = []
                i = read_dollar(s, i, parts)
                for p in parts:
                    self.part(p)
            elif c == "<" and s.startswith("<(", i):
                self.flush()
                end = _matching(s, i + 1)
                self.toks.append(Word([("proc", s[i + 2:end])]))
                i = end + 1
            elif c in ";|&<>":
                i = self.operator(i)
            else:
                self.part(("lit", c))
                i += 1
        self.flush()
        if self.toks and isinstance(self.toks[-1], Op) and self.toks[-1].op in ("|", "&&", "||"):
            raise Incomplete("operator")
        return self.toks

    def operator(self, i: int) -> int:
        s, fd = self.s, None
        w = self.word
        text = w.literal if w is not None and not w.quoted else None
        if s[i] in "<>" and text is not None and len(text) == 1 and text.isdigit():
            fd, self.word = int(text), None
        self.flush()
        op = next(o for o in OPERATORS if s.startswith(o, i))
        self.toks.append(Op(op, fd))
        return i + len(op)

    def double(self, i: int) -> int:
        """A "..." body from s[i]: $ expands; backslash escapes only $ ` " \\ and newline."""
        s, n = self.s, len(self.s)
        self.part(("lit", ""))
        self.word.quoted = True
        while i < n:
            c = s[i]
            if c == '"':
                return i + 1
            if c == "\\" and i + 1 < n and s[i + 1] in '$`"\\\n':
                if s[i + 1] != "\n":
                    self.part(("lit", s[i + 1]))
                i += 2
            elif c == "$":
                parts: list = []
                i = read_dollar(s, i, parts)
                for p in parts:
                    self.part(p)
            else:
                self.part(("lit", c))
                i += 1
        raise Incomplete("quote")


def tokenize(s: str) -> list:
    """Words and Ops of one (possibly multi-line) command text; raises Incomplete."""
    return _Lexer(s).run()
