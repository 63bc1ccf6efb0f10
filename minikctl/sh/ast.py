"""The syntax tree of a shell script (parser.py builds it, interp.py walks it).

A word is a list of parts, expanded at run time (expand.py):
  ('lit', text)             unquoted literal text (globbing applies)
  ('sq', text)              quoted literal text ('...', backslash escapes)
  ('dq', [parts])           "...": expansions inside, no splitting, no globbing
  ('param', name, op, arg)  $name, ${name}, ${name:-arg}, ${#name} (op '#len'), ...; arg is a Word or None
  ('cmd', node)             $(...) and `...`: a parsed list
  ('arith', text)           $((...))
  ('tilde', user)           ~ or ~user at the start of a word
"""
from __future__ import annotations


class Word:
    __slots__ = ("parts", "raw")

    def __init__(self, parts: list, raw: str = ""):
        self.parts, self.raw = parts, raw

    @property
    def literal(self) -> str | None:
        """The text when the word is one plain unquoted literal (reserved words, names)."""
        if len(self.parts) == 1 and self.parts[0][0] == "lit":
            return self.parts[0][1]
        return None

    def __repr__(self) -> str:
        return f"Word({self.raw!r})"


class Node:
    __slots__ = ("redirs", "lineno")


class Redir:
    __slots__ = ("fd", "op", "target", "body", "quoted", "parts")

    def __init__(self, fd, op, target, body=None, quoted=False):
        self.fd, self.op, self.target, self.body, self.quoted = fd, op, target, body, quoted
        self.parts = None          # an unquoted here-document's body as word parts (parser.heredoc_parts)


class Simple(Node):
    __slots__ = ("assigns", "words")

    def __init__(self, assigns, words, redirs, lineno):
        self.assigns, self.words, self.redirs, self.lineno = assigns, words, redirs, lineno


class Pipeline(Node):
    __slots__ = ("cmds", "negate")

    def __init__(self, cmds, negate, lineno):
        self.cmds, self.negate, self.redirs, self.lineno = cmds, negate, [], lineno


class AndOr(Node):
    __slots__ = ("first", "rest", "background")

    def __init__(self, first, rest, lineno):
        self.first, self.rest, self.background, self.redirs, self.lineno = first, rest, False, [], lineno


class Seq(Node):
    """A compound list: and-or lists run one after the other."""
    __slots__ = ("items",)

    def __init__(self, items, lineno=1):
        self.items, self.redirs, self.lineno = items, [], lineno


class Brace(Node):
    __slots__ = ("body",)

    def __init__(self, body, lineno):
        self.body, self.redirs, self.lineno = body, [], lineno


class Subshell(Brace):
    __slots__ = ()


class If(Node):
    __slots__ = ("clauses", "else_")

    def __init__(self, clauses, else_, lineno):
        self.clauses, self.else_, self.redirs, self.lineno = clauses, else_, [], lineno


class Loop(Node):
    __slots__ = ("cond", "body", "until")

    def __init__(self, cond, body, until, lineno):
        self.cond, self.body, self.until, self.redirs, self.lineno = cond, body, until, [], lineno


class For(Node):
    __slots__ = ("var", "words", "body")

    def __init__(self, var, words, body, lineno):
        self.var, self.words, self.body, self.redirs, self.lineno = var, words, body, [], lineno


class Case(Node):
    __slots__ = ("word", "items")

    def __init__(self, word, items, lineno):
        self.word, self.items, self.redirs, self.lineno = word, items, [], lineno   # items: (patterns, body, ';;'|';&')


class FuncDef(Node):
    __slots__ = ("name", "body")

    def __init__(self, name, body, lineno):
        self.name, self.body, self.redirs, self.lineno = name, body, [], lineno


class DBracket(Node):
    """bash `[[ ... ]]`: the words as typed, evaluated by testexpr with pattern matching."""
    __slots__ = ("words",)

    def __init__(self, words, lineno):
        self.words, self.redirs, self.lineno = words, [], lineno


class ArithCmd(Node):
    """bash `(( expr ))`: status 0 when the value is not zero."""
    __slots__ = ("text",)

    def __init__(self, text, lineno):
        self.text, self.redirs, self.lineno = text, [], lineno
