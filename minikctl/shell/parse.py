"""Tokens -> a list of and-or items, each a pipeline of simple commands with redirections.

Grammar (the part of bash a learner's line uses):
  list     := pipeline ((';' | '&&' | '||' | '&') pipeline)*
  pipeline := command ('|' command)*
  command  := (word | redirection)+
A heredoc redirection (`<<EOF`) carries its delimiter; the REPL reads the body afterwards and
stores it in `Redir.body` (heredoc.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from minikctl.shell.lexer import REDIRECTS, Word, tokenize


class SyntaxErr(Exception):
    """bash: syntax error near unexpected token `X'."""


@dataclass
class Redir:
    op: str                     # '<', '>', '>>', '&>', '>&', '<<', '<<-'
    fd: int | None
    target: Word
    body: str | None = None     # heredoc text, once read

    @property
    def is_heredoc(self) -> bool:
        return self.op in ("<<", "<<-")


@dataclass
class Command:
    words: list[Word] = field(default_factory=list)
    redirs: list[Redir] = field(default_factory=list)


@dataclass
class Item:
    connector: str | None        # how it joins the previous item: None, ';', '&&', '||'
    pipeline: list[Command]


def parse(text: str) -> list[Item]:
    """Parse a command text (raises lexer.Incomplete or SyntaxErr)."""
    toks = tokenize(text)
    items: list[Item] = []
    pipeline: list[Command] = []
    cmd = Command()
    connector = None
    i = 0
    while i < len(toks):
        t = toks[i]
        if isinstance(t, Word):
            cmd.words.append(t)
        elif t.op in REDIRECTS:
            if i + 1 >= len(toks) or not isinstance(toks[i + 1], Word):
                nxt = toks[i + 1].op if i + 1 < len(toks) else "newline"
                raise SyntaxErr(nxt)
            cmd.redirs.append(Redir(t.op, t.fd, toks[i + 1]))
            i += 1
        else:
            if not cmd.words and not cmd.redirs:
                if t.op == ";" and not pipeline:
                    i += 1
                    continue            # empty statements (blank lines inside a script)
                raise SyntaxErr(t.op)
            pipeline.append(cmd)
            cmd = Command()
            if t.op != "|":
                items.append(Item(connector, pipeline))
                pipeline, connector = [], (";" if t.op == "&" else t.op)
        i += 1
    if cmd.words or cmd.redirs:
        pipeline.append(cmd)
    if pipeline:
        items.append(Item(connector, pipeline))
    return items


def heredocs(items: list[Item]) -> list[Redir]:
    """The heredoc redirections of a parsed line, in the order their bodies follow it."""
    return [r for it in items for c in it.pipeline for r in c.redirs if r.is_heredoc]
