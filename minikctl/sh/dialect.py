"""How each shell words its errors: busybox ash, Debian dash and bash (as `-c` or interactive).

Why one place: the same mistake reads differently in each shell (`sh: syntax error: unexpected
"done"` / `sh: 1: Syntax error: "done" unexpected` / `bash: -c: line 1: syntax error near
unexpected token `done'`), and learners compare what they see with what a real pod prints.
The texts were read from the real busybox 1.35, dash 0.5.12 and bash 5.2 (tests/test_sh_differential.py
runs the same scripts through them).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Dialect:
    name: str = "ash"              # ash | dash | bash
    argv0: str = "sh"
    interactive: bool = False      # bash: `-bash: x: command not found`, no line numbers

    @property
    def bash(self) -> bool:
        return self.name == "bash"

    def prefix(self, lineno: int) -> str:
        """The head of a runtime error: `sh: `, `sh: 3: `, `bash: line 3: `."""
        if self.name == "dash":
            return f"{self.argv0}: {lineno}: "
        if self.name == "bash" and not self.interactive:
            return f"{self.argv0}: line {lineno}: "
        return f"{self.argv0}: "

    def not_found(self, name: str, lineno: int) -> str:
        if self.name == "bash":
            return f"{self.prefix(lineno)}{name}: command not found\n"
        return f"{self.prefix(lineno)}{name}: not found\n"

    def syntax(self, e) -> tuple[str, int]:
        """(message, status) for a parser.ShSyntaxError."""
        kind, tok, exp = e.kind, e.token, e.expecting
        a0 = self.argv0
        if kind == "notsim":
            return f"minikctl: {tok} are not simulated\n", 2
        if self.name == "ash":
            text = {"unexpected": f'unexpected "{tok}"',
                    "eof": "unexpected end of file" + (f' (expecting "{exp}")' if exp else ""),
                    "eofmatch": f'unexpected end of file (expecting "{tok}")',
                    "quote": "unterminated quoted string" if tok != "`" else "EOF in backquote substitution",
                    "brace": "missing '}'", "badsubst": "bad substitution", "badfor": "bad for loop variable"}[kind]
            if kind == "unexpected" and tok == "newline":
                text = "unexpected newline"
            return f"{a0}: syntax error: {text}\n", 2
        if self.name == "dash":
            if kind == "badsubst":
                return f"{a0}: {e.lineno}: Bad substitution\n", 2
            text = {"unexpected": f'"{tok}" unexpected',
                    "eof": "end of file unexpected" + (f' (expecting "{exp}")' if exp else ""),
                    "eofmatch": f'end of file unexpected (expecting "{tok}")',
                    "quote": "Unterminated quoted string" if tok != "`" else "EOF in backquote substitution",
                    "brace": "Missing '}'", "badfor": "Bad for loop variable"}[kind]
            if kind == "unexpected" and tok == "newline":
                text = "newline unexpected"
            return f"{a0}: {e.lineno}: Syntax error: {text}\n", 2
        head = f"{a0}: " if self.interactive else f"{a0}: -c: line {e.lineno}: "
        if kind == "unexpected":
            msg = f"{head}syntax error near unexpected token `{tok}'\n"
            if not self.interactive:
                msg += f"{head}`{e.line}'\n"
            return msg, 2
        if kind == "eof":
            return f"{head}syntax error: unexpected end of file\n", 2
        if kind in ("quote", "eofmatch", "brace"):
            ch = {"quote": tok or "'", "eofmatch": tok, "brace": "}"}[kind]
            return f"{head}unexpected EOF while looking for matching `{ch}'\n", 2
        if kind == "badfor":
            return f"{self.prefix(e.lineno)}`{tok}': not a valid identifier\n", 1
        return f"{self.prefix(e.lineno)}bad substitution\n", 1
