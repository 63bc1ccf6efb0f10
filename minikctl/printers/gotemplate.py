"""`-o go-template=...`: the part of Go's text/template that kubectl users write.

Why our own: output must match kubectl's bytes, which are Go's: `<no value>` for a missing key,
maps printed as `map[k:v]`, `printf` verbs and their `%!s(MISSING)` complaints, `print`'s
spacing rule, and error texts with `output:LINE:COL` positions. Supported: text, comments,
`{{-`/`-}}` trimming, fields and chains, `$` and variables (`:=`, `=`), pipelines, parentheses,
if/else if/else, range (with `$i, $v :=` and else), with, and the functions kubectl offers
(Go builtins and/or/not/len/index/print/printf/println/eq/ne/lt/le/gt/ge, plus kubectl's
`exists` and `base64decode`). Not supported: define/template/block, slice, html, js, call.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any

from minikctl.api.errors import CliError
from minikctl.printers.serialize import (compact_json, go_float_g, go_quote, go_v,
                                         json_roundtrip_number)
import ast

NAME = "output"


class TemplateError(Exception):
    pass


class GoTemplateExecError(CliError):
    """An execution error: kubectl prints `stdout` (partial output plus debug text) to stdout."""

    def __init__(self, message: str, stdout: str):
        super().__init__(message)
        self.stdout = stdout


class _Missing:
    """A missing map key: prints `<no value>`, is false, and yields more missing values."""

    def __repr__(self) -> str:
        return "<no value>"


MISSING = _Missing()


# ---------------------------------------------------------------- lexer

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<declare>:=)
  | (?P<assign>=)
  | (?P<pipe>\|)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<comma>,)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<char>'(?:[^'\\]|\\.)+')
  | (?P<variable>\$[A-Za-z0-9_]*)
  | (?P<field>\.[A-Za-z0-9_]+)
  | (?P<dot>\.)
  | (?P<number>[+-]?(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+))
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
""", re.X)


@dataclass
class Tok:
    typ: str
    val: str
    pos: int


def _lex(text: str, name: str = NAME) -> list:
    """Splits into ('text', s) and ('action', [Tok...], pos) items; handles trims and comments."""
    items: list = []
    i = 0
    while True:
        j = text.find("{{", i)
        if j < 0:
            if i < len(text):
                items.append(("text", text[i:]))
            return items
        chunk = text[i:j]
        inner = j + 2
        if text.startswith("- ", inner) or text.startswith("-\t", inner) or text.startswith("-\n", inner):
            chunk = chunk.rstrip(" \t\r\n")
            inner += 2
        if chunk:
            items.append(("text", chunk))
        if text.startswith("/*", inner):
            k = text.find("*/", inner)
            if k < 0:
                raise TemplateError(f"template: {name}:{_line(text, j)}: unclosed comment")
            end = text.find("}}", k)
            trim = text[k + 2:end].strip() == "-"
            i = end + 2
            if trim:
                i = _skip_space(text, i)
            continue
        toks: list[Tok] = []
        p = inner
        while True:
            if text.startswith(" -}}", p) or text.startswith("\t-}}", p) or text.startswith("\n-}}", p):
                i = _skip_space(text, p + 4)
                break
            if text.startswith("}}", p):
                i = p + 2
                break
            if p >= len(text):
                raise TemplateError(f"template: {name}:{_line(text, j)}: unclosed action")
            m = _TOKEN.match(text, p)
            if not m:
                if text[p] == "}":
                    raise TemplateError(f"template: {name}:{_line(text, p)}: bad character U+007D '}}'")
                raise TemplateError(f"template: {name}:{_line(text, p)}: unexpected "
                                    f"{go_quote(text[p])} in command")
            if m.lastgroup != "space":
                toks.append(Tok(m.lastgroup, m.group(), p))
            p = m.end()
        items.append(("action", toks, j))


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


# ---------------------------------------------------------------- parser

@dataclass
class Pipe:
    decl: list[str]
    assign: bool
    cmds: list[list]          # each command: list of operand nodes
    pos: int = 0
    spans: list = field(default_factory=list)  # each command's source text (for error contexts)


@dataclass
class Block:
    kind: str                 # root if range with
    pipe: Pipe | None = None
    body: list = field(default_factory=list)
    else_body: list | None = None


_FUNCS = {"and", "or", "not", "len", "index", "print", "printf", "println", "eq", "ne", "lt",
          "le", "gt", "ge", "exists", "base64decode", "html", "js", "urlquery", "slice", "call"}


class _Parser:
    """funcs: the function names the template may call; defines: where `{{define}}` bodies go
    (None: define/template/block are refused, as kubectl's templates have no use for them)."""

    def __init__(self, text: str, name: str = NAME, funcs=None, defines: dict | None = None):
        self.text = text
        self.name = name
        self.funcs = _FUNCS if funcs is None else funcs
        self.defines = defines
        self.items = _lex(text, name)
        self.i = 0

    def err(self, msg: str, pos: int) -> TemplateError:
        return TemplateError(f"template: {self.name}:{_line(self.text, pos)}: {msg}")

    def parse(self) -> Block:
        root = Block("root")
        stop = self._list(root.body)
        if stop is not None:
            kw, pos = stop[0], stop[1]
            raise self.err(f"unexpected {{{{{kw}}}}}", pos)
        return root

    def _list(self, out: list):
        """Parse until {{end}}/{{else ...}}; returns (keyword, pos, toks) or None at EOF."""
        while self.i < len(self.items):
            item = self.items[self.i]
            self.i += 1
            if item[0] == "text":
                out.append(("text", item[1]))
                continue
            toks, pos = item[1], item[2]
            if not toks:
                raise self.err("missing value for command", pos)
            head = toks[0]
            if head.typ == "ident" and head.val in ("end", "else"):
                return head.val, pos, toks
            if head.typ == "ident" and head.val in ("if", "range", "with"):
                out.append(self._block(head.val, toks[1:], pos))
                continue
            if head.typ == "ident" and head.val in ("define", "template", "block"):
                if self.defines is None:
                    raise self.err(f"{head.val} is not supported by minikctl", pos)
                out.extend(self._define(head.val, toks[1:], pos))
                continue
            out.append(("action", self._pipe(toks, pos, allow_decl=True)))
        return None

    def _define(self, kw: str, toks: list[Tok], pos: int) -> list:
        if not toks or toks[0].typ not in ("string", "raw"):
            raise self.err(f"unexpected {{{{{kw}}}}}" if not toks else
                           f"unexpected {go_quote(toks[0].val)} in {kw} clause", pos)
        name = _unquote(toks[0].val)
        if kw == "template" or kw == "block":
            pipe = self._pipe(toks[1:], pos) if len(toks) > 1 else None
        if kw == "template":
            return [("template", name, pipe, pos)]
        body: list = []
        stop = self._list(body)
        if stop is None:
            raise self.err("unexpected EOF", len(self.text))
        if stop[0] != "end":
            raise self.err("unexpected {{else}}", stop[1])
        self.defines[name] = Block("root", body=body)
        return [("template", name, pipe, pos)] if kw == "block" else []

    def _block(self, kind: str, toks: list[Tok], pos: int) -> Block:
        blk = Block(kind, self._pipe(toks, pos, allow_decl=True, range_=kind == "range"))
        stop = self._list(blk.body)
        if stop is None:
            raise self.err("unexpected EOF", len(self.text))
        kw, epos, etoks = stop
        if kw == "else":
            if len(etoks) > 1 and etoks[1].typ == "ident" and etoks[1].val == "if" and kind == "if":
                blk.else_body = [self._block("if", etoks[2:], epos)]
                # the nested if consumed the shared {{end}}
                return blk
            blk.else_body = []
            stop = self._list(blk.else_body)
            if stop is None:
                raise self.err("unexpected EOF", len(self.text))
            if stop[0] != "end":
                raise self.err("expected end; found {{else}}", stop[1])
        return blk

    def _pipe(self, toks: list[Tok], pos: int, allow_decl: bool = False, range_: bool = False) -> Pipe:
        decl: list[str] = []
        assign = False
        k = 0
        # $x := / $x = / $i, $v :=
        if allow_decl and toks and toks[0].typ == "variable":
            if len(toks) > 1 and toks[1].typ in ("declare", "assign"):
                decl, assign, k = [toks[0].val], toks[1].typ == "assign", 2
            elif range_ and len(toks) > 3 and toks[1].typ == "comma" and toks[2].typ == "variable" \
                    and toks[3].typ in ("declare", "assign"):
                decl, assign, k = [toks[0].val, toks[2].val], toks[3].typ == "assign", 4
        cmds: list[list] = []
        spans: list[str] = []
        cur: list = []
        rest = toks[k:]
        j = 0
        start = 0
        while j < len(rest):
            t = rest[j]
            if t.typ == "pipe":
                if not cur:
                    raise self.err("missing value for command", pos)
                cmds.append(cur)
                spans.append(self.text[rest[start].pos:_end_of(rest[j - 1])])
                cur = []
                j += 1
                start = j
                continue
            node, j = self._operand(rest, j, pos)
            cur.append(node)
        if not cur:
            raise self.err("missing value for command", pos)
        cmds.append(cur)
        spans.append(self.text[rest[start].pos:_end_of(rest[j - 1])] if rest else "")
        return Pipe(decl, assign, cmds, pos, spans)

    def _operand(self, toks: list[Tok], j: int, pos: int):
        t = toks[j]
        j += 1
        if t.typ == "lparen":
            depth, k = 1, j
            while k < len(toks) and depth:
                depth += {"lparen": 1, "rparen": -1}.get(toks[k].typ, 0)
                k += 1
            if depth:
                raise self.err("unclosed left paren", t.pos)
            node = ("pipe", self._pipe(toks[j:k - 1], t.pos))
            j = k
        elif t.typ == "field":
            node = ("field", [t.val[1:]], t.pos, t.val)
        elif t.typ == "dot":
            node = ("dot",)
        elif t.typ == "variable":
            node = ("var", t.val, t.pos)
        elif t.typ in ("string", "raw", "char"):
            node = ("lit", _unquote(t.val))
        elif t.typ == "number":
            node = ("lit", _number(t.val))
        elif t.typ == "ident":
            if t.val in ("true", "false"):
                node = ("lit", t.val == "true")
            elif t.val == "nil":
                node = ("lit", None)
            elif t.val in self.funcs:
                node = ("func", t.val, t.pos)
            else:
                raise self.err(f"function {go_quote(t.val)} not defined", t.pos)
        else:
            raise self.err(f"unexpected {go_quote(t.val)} in operand", t.pos)
        chain, first_pos = [], None
        while j < len(toks) and toks[j].typ == "field" and toks[j].pos == _end_of(toks[j - 1]):
            first_pos = toks[j].pos if first_pos is None else first_pos
            chain.append(toks[j].val[1:])
            j += 1
        if chain:
            if node[0] == "field":
                node = ("field", node[1] + chain, first_pos, node[3] + "".join("." + c for c in chain))
            else:
                node = ("chain", node, chain, first_pos)
        return node, j


def _end_of(t: Tok) -> int:
    return t.pos + len(t.val)


def _unquote(s: str) -> Any:
    if s[0] == "`":
        return s[1:-1]
    val = ast.literal_eval(s if s[0] == '"' else s)
    return ord(val) if s[0] == "'" else val


def _number(s: str) -> Any:
    t = s.replace("_", "")
    try:
        return int(t, 0)
    except ValueError:
        return float(t)


# ---------------------------------------------------------------- fmt

def _sprint_value(v: Any) -> str:
    if v is MISSING:
        return "<no value>"
    if isinstance(v, str):
        return v
    if isinstance(v, float):
        return go_float_g(v)
    return go_v(v)


def _go_typename(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if isinstance(v, list):
        return "[]interface {}"
    return "<nil>"


_VERB = re.compile(r"%([-+# 0]*)(\d+|\*)?(?:\.(\d+))?([a-zA-Z%])")


def sprintf(fmt: str, args: list) -> str:
    """fmt.Sprintf for the verbs templates use: v s d q f g e x X t c %."""
    out, k, last = [], 0, 0
    for m in _VERB.finditer(fmt):
        out.append(fmt[last:m.start()])
        last = m.end()
        flags, width, prec, verb = m.group(1), m.group(2), m.group(3), m.group(4)
        if verb == "%":
            out.append("%")
            continue
        if k >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        a = args[k]
        k += 1
        s = _format_one(verb, a, prec)
        if s is None:
            s = f"%!{verb}({_go_typename(a)}={_sprint_value(a)})"
        elif width:
            w = int(width)
            if "-" in flags:
                s = s.ljust(w)
            elif "0" in flags and verb in "dfxXeg":
                sign = s[0] if s[:1] in "+-" else ""
                s = sign + s[len(sign):].rjust(w - len(sign), "0")
            else:
                s = s.rjust(w)
        out.append(s)
    out.append(fmt[last:])
    if k < len(args):
        out.append("%!(EXTRA " + ", ".join(f"{_go_typename(a)}={_sprint_value(a)}"
                                          for a in args[k:]) + ")")
    return "".join(out)


def _format_one(verb: str, a: Any, prec: str | None) -> str | None:
    isint = isinstance(a, int) and not isinstance(a, bool)
    if verb == "v":
        return _sprint_value(a)
    if verb == "s":
        if isinstance(a, str):
            return a if prec is None else a[:int(prec)]
        return None if (isint or isinstance(a, (bool, float))) else _sprint_value(a)
    if verb == "q":
        return go_quote(a) if isinstance(a, str) else None
    if verb == "d":
        return str(a) if isint else None
    if verb in "xX":
        if isint:
            s = format(a, "x")
        elif isinstance(a, str):
            s = a.encode().hex()
        else:
            return None
        return s.upper() if verb == "X" else s
    if verb in "feg":
        if not isinstance(a, float) and not isint or isinstance(a, bool):
            return None
        if isint:
            return None
        if verb == "g" and prec is None:
            return go_float_g(a)
        return format(a, f".{prec or 6}{verb}") if verb != "e" else _go_exp(format(a, f".{prec or 6}e"))
    if verb == "t":
        return ("true" if a else "false") if isinstance(a, bool) else None
    if verb == "c":
        return chr(a) if isint else None
    return None


def _go_exp(s: str) -> str:
    """Python writes e+06 like Go; kept as a seam should they ever differ."""
    return s


def sprint(args: list) -> str:
    """fmt.Sprint: a space between operands when neither side is a string."""
    out = []
    for i, a in enumerate(args):
        if i and not isinstance(a, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(_sprint_value(a))
    return "".join(out)


# ---------------------------------------------------------------- execution

def truth(v: Any) -> bool:
    if v is MISSING or v is None:
        return False
    if isinstance(v, (bool, int, float, str, list, dict)):
        return bool(v)
    return True


class _ExecError(Exception):
    def __init__(self, msg: str, pos: int | None = None, ctx: str = ""):
        super().__init__(msg)
        self.msg, self.pos, self.ctx = msg, pos, ctx


class _Exec:
    def __init__(self, text: str, allow_missing: bool):
        self.text = text
        self.allow_missing = allow_missing
        self.out: list[str] = []
        self.extra: dict = {}       # name -> fn(exec, args, pos): the caller's functions (Helm's)
        self.templates: dict = {}   # name -> Block, from {{define}}
        self.missing_is_nil = False

    def run(self, blk: Block, data: Any) -> None:
        self.vars = [{"$": data}]
        self.body(blk.body, data)

    def body(self, nodes: list, dot: Any) -> None:
        for n in nodes:
            if isinstance(n, Block):
                self.block(n, dot)
            elif n[0] == "text":
                self.out.append(n[1])
            elif n[0] == "template":
                self.out.append(self.include(n[1], self.pipe(n[2], dot) if n[2] else None, n[3]))
            else:
                pipe = n[1]
                v = self.pipe(pipe, dot)
                if not pipe.decl:  # a nil interface prints as a missing value does
                    self.out.append("<no value>" if v is None else _sprint_value(v))

    def block(self, b: Block, dot: Any) -> None:
        self.vars.append({})
        try:
            val = self.pipe(b.pipe, dot, declare=b.kind != "range")
            if b.kind == "if":
                self.body(b.body if truth(val) else (b.else_body or []), dot)
            elif b.kind == "with":
                self.body(b.body if truth(val) else (b.else_body or []), val if truth(val) else dot)
            else:
                items: list = []
                if isinstance(val, dict):
                    items = [(k, val[k]) for k in sorted(val, key=lambda k: str(k).encode())]
                elif isinstance(val, list):
                    items = list(enumerate(val))
                elif isinstance(val, int) and not isinstance(val, bool):
                    items = [(i, i) for i in range(val)]
                elif val is not None and val is not MISSING:
                    raise _ExecError(f"range can't iterate over {_sprint_value(val)}",
                                     b.pipe.pos + 2, "")
                for key, elem in items:
                    if len(b.pipe.decl) == 1:
                        self.vars[-1][b.pipe.decl[0]] = elem
                    elif len(b.pipe.decl) == 2:
                        self.vars[-1][b.pipe.decl[0]] = key
                        self.vars[-1][b.pipe.decl[1]] = elem
                    self.body(b.body, elem)
                if not items and b.else_body is not None:
                    self.body(b.else_body, dot)
        finally:
            self.vars.pop()

    def include(self, name: str, data: Any, pos: int) -> str:
        """Run a defined template on data into a string (Go's {{template}}, Helm's include)."""
        blk = self.templates.get(name)
        if blk is None:
            raise _ExecError(f"no such template {go_quote(name)}", pos, f"template {go_quote(name)}")
        saved_out, saved_vars = self.out, self.vars
        self.out, self.vars = [], [{"$": data}]
        try:
            self.body(blk.body, data)
            return "".join(self.out)
        finally:
            self.out, self.vars = saved_out, saved_vars

    def lookup(self, name: str, pos: int) -> Any:
        for scope in reversed(self.vars):
            if name in scope:
                return scope[name]
        raise _ExecError(f"undefined variable: {name}", pos)

    def pipe(self, p: Pipe, dot: Any, declare: bool = True) -> Any:
        val: Any = None
        first = True
        for i, cmd in enumerate(p.cmds):
            try:
                val = self.command(cmd, dot, None if first else val, not first)
            except _ExecError as e:
                if cmd[0][0] == "func" and e.ctx == cmd[0][1] and i < len(p.spans):
                    e.ctx = p.spans[i]  # Go names the whole command: <include "x" .>
                raise
            first = False
        if p.decl and declare:
            name = p.decl[0]
            if p.assign:
                for scope in reversed(self.vars):
                    if name in scope:
                        scope[name] = val
                        break
            else:
                self.vars[-1][name] = val
        return val

    def command(self, cmd: list, dot: Any, final: Any, has_final: bool) -> Any:
        head = cmd[0]
        if head[0] == "func":
            args = [self.arg(a, dot) for a in cmd[1:]]
            if has_final:
                args.append(final)
            return self.call(head[1], args, head[2])
        if len(cmd) > 1 or has_final:
            raise _ExecError(f"can't give argument to non-function {self.show(head)}",
                             self.pos_of(head), self.show(head))
        return self.arg(head, dot)

    def show(self, node) -> str:
        return {"field": lambda: node[3], "var": lambda: node[1], "dot": lambda: "."}.get(
            node[0], lambda: "")()

    def pos_of(self, node) -> int:
        return node[2] if node[0] in ("field", "var", "func") else 0

    def arg(self, node, dot: Any) -> Any:
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "dot":
            return dot
        if kind == "var":
            return self.lookup(node[1], node[2])
        if kind == "pipe":
            return self.pipe(node[1], dot)
        if kind == "field":
            return self.fields(dot, node[1], node[2], node[3])
        if kind == "chain":
            return self.fields(self.arg(node[1], dot), node[2], node[3], "")
        if kind == "func":
            return self.call(node[1], [], node[2])
        raise _ExecError("unsupported node")

    def fields(self, v: Any, names: list[str], pos: int, text: str) -> Any:
        for name in names:
            if v is MISSING or v is None:
                if v is None:
                    raise _ExecError(f"nil pointer evaluating interface {{}}.{name}", pos, text)
                return MISSING
            if isinstance(v, dict):
                if name in v:
                    v = v[name]
                elif self.missing_is_nil:   # missingkey=zero: an interface's zero value, nil
                    v = None
                elif self.allow_missing:
                    v = MISSING
                else:
                    raise _ExecError(f'map has no entry for key "{name}"', pos, text)
            else:
                raise _ExecError(f"can't evaluate field {name} in type interface {{}}", pos, text)
        return v

    def call(self, fn: str, args: list, pos: int) -> Any:
        if fn in self.extra:
            return self.extra[fn](self, args, pos)
        if fn == "printf":
            return sprintf(args[0] if args else "", args[1:])
        if fn == "print":
            return sprint(args)
        if fn == "println":
            return " ".join(_sprint_value(a) for a in args) + "\n"
        if fn == "len":
            a = args[0] if args else None
            if isinstance(a, (str, list, dict)):
                return len(a.encode() if isinstance(a, str) else a)
            raise _ExecError(f"error calling len: len of type {_go_typename(a)}", pos, "len")
        if fn == "index":
            v = args[0]
            for key in args[1:]:
                if isinstance(v, dict):
                    v = v.get(key, MISSING) if isinstance(key, str) else MISSING
                elif isinstance(v, list) and isinstance(key, int):
                    if not 0 <= key < len(v):
                        raise _ExecError(f"error calling index: index out of range: {key}", pos, "index")
                    v = v[key]
                elif v is None or v is MISSING:
                    raise _ExecError("error calling index: index of untyped nil", pos, "index")
                else:
                    raise _ExecError(f"error calling index: can't index item of type {_go_typename(v)}",
                                     pos, "index")
            return v
        if fn == "not":
            return not truth(args[0])
        if fn == "and":
            for a in args:
                if not truth(a):
                    return a
            return args[-1]
        if fn == "or":
            for a in args:
                if truth(a):
                    return a
            return args[-1]
        if fn in ("eq", "ne", "lt", "le", "gt", "ge"):
            a, rest = args[0], args[1:]
            if fn == "eq":
                return any(_cmp(a, b, pos, fn) == 0 for b in rest)
            c = _cmp(a, rest[0], pos, fn)
            return {"ne": c != 0, "lt": c < 0, "le": c <= 0, "gt": c > 0, "ge": c >= 0}[fn]
        if fn == "exists":
            v = args[0]
            for key in args[1:]:
                if isinstance(v, dict) and key in v:
                    v = v[key]
                elif isinstance(v, list) and isinstance(key, int) and 0 <= key < len(v):
                    v = v[key]
                else:
                    return False
            return True
        if fn == "base64decode":
            try:
                return base64.b64decode(args[0], validate=True).decode("utf-8", "replace")
            except Exception as e:  # noqa: BLE001
                raise _ExecError(f"error calling base64decode: base64 decode failed: {e}", pos,
                                 "base64decode")
        raise _ExecError(f"function {go_quote(fn)} not supported", pos)


def _cmp(a: Any, b: Any, pos: int, fn: str) -> int:
    num = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        if type(a) is type(b) and fn in ("eq", "ne"):
            return 0 if a == b else 1
    elif isinstance(a, num) and isinstance(b, num) and (type(a) is type(b)):
        return (a > b) - (a < b)
    elif isinstance(a, int) and isinstance(b, int):
        return (a > b) - (a < b)
    elif isinstance(a, str) and isinstance(b, str):
        return (a > b) - (a < b)
    raise _ExecError(f"error calling {fn}: incompatible types for comparison", pos, fn)


def _normalize(v: Any) -> Any:
    """kubectl feeds the template the JSON round trip of the object: integral floats -> ints."""
    if isinstance(v, dict):
        return {k: _normalize(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_normalize(x) for x in v]
    return json_roundtrip_number(v)


def parse_template(template: str) -> Block:
    """Parse, or CliError worded as kubectl's `error parsing template` message."""
    try:
        return _Parser(template).parse()
    except TemplateError as e:
        raise CliError(f"error parsing template {template}, {e}") from None


def render_gotemplate(template: str, data: Any, allow_missing_keys: bool = True) -> str:
    """kubectl -o go-template=TEMPLATE over one object (or a List dict)."""
    if template == "":
        raise CliError("template format specified but no template given")
    root = parse_template(template)
    obj = _normalize(data)
    ex = _Exec(template, allow_missing_keys)
    try:
        ex.run(root, obj)
    except _ExecError as e:
        if e.pos is not None:
            col = e.pos - (template.rfind("\n", 0, e.pos) + 1) if "\n" in template[:e.pos] else e.pos
            where = f"template: {NAME}:{_line(template, e.pos)}:{col}: executing \"{NAME}\" at <{e.ctx}>: "
        else:
            where = f"template: {NAME}: "
        err = where + e.msg
        debug = (f"Error executing template: {err}. Printing more information for debugging the template:\n"
                 f"\ttemplate was:\n\t\t{template}\n"
                 f"\traw data was:\n\t\t{compact_json(data)}\n"
                 f"\tobject given to template engine was:\n\t\t{go_v(obj)}\n\n")
        raise GoTemplateExecError(f"error executing template {go_quote(template)}: {err}",
                                  "".join(ex.out) + debug) from None
    return "".join(ex.out)


def render_gotemplate_file(path: str, data: Any, allow_missing_keys: bool = True) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return render_gotemplate(fh.read(), data, allow_missing_keys)
    except FileNotFoundError:
        raise CliError(f"error reading --template {path}, open {path}: no such file or directory") from None
