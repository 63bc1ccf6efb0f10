"""`test` / `[` (POSIX, every dialect) and bash's `[[ ... ]]` over the container's files.

Why its own module: the operator table and the three dialects' error texts (`[: missing ]`,
`Illegal number`, `integer expression expected`) are one idea, shared by `[`, `test` and `[[`.
"""
from __future__ import annotations

import re

UNARY_FILE = set("efdrwxsLhbcpSgukGOtN")
BINARY = {"=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef", "=~"}


class TestError(Exception):
    pass


def _num(sh, s: str, name: str) -> int:
    t = s.strip()
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    d = sh.dialect
    if d.name == "dash":
        raise TestError(f"{d.prefix(sh.lineno)}{name}: Illegal number: {s}\n")
    if d.name == "bash":
        raise TestError(f"{d.prefix(sh.lineno)}{name}: {s}: integer expression expected\n")
    raise TestError(f"{d.argv0}: {name}: {s}: bad number\n" if False else f"{d.argv0}: {s}: bad number\n")


def _file(sh, op: str, arg: str) -> bool:
    fs = sh.fs
    if op == "t":
        return False
    if fs is None:
        return False
    path = sh.abspath(arg) if arg else ""
    kind = fs.kind(path) if path else None
    if op == "e":
        return kind is not None
    if op == "f":
        return kind == "file"
    if op == "d":
        return kind == "dir"
    if op in "LhbcpSgukGON":
        return op in "GO" and kind is not None
    if op == "s":
        return kind == "dir" or (kind == "file" and bool(fs.read(path)))
    if op in "rw":
        return kind is not None and (op == "r" or fs.writable(path))
    if op == "x":
        return kind == "dir" or (kind == "file" and fs.executable(path))
    return False


def _binary(sh, a: str, op: str, b: str, name: str, patterns: bool = False) -> bool:
    if op in ("=", "=="):
        if patterns:
            return re.fullmatch(b, a, re.S) is not None
        return a == b
    if op == "!=":
        if patterns:
            return re.fullmatch(b, a, re.S) is None
        return a != b
    if op == "<":
        return a < b
    if op == ">":
        return a > b
    if op == "=~":
        try:
            m = re.search(b, a)
        except re.error:
            return False
        if m:
            sh.vars["BASH_REMATCH"] = m.group(0)
        return m is not None
    if op in ("-nt", "-ot", "-ef"):
        return False
    x, y = _num(sh, a, name), _num(sh, b, name)
    return {"-eq": x == y, "-ne": x != y, "-lt": x < y, "-le": x <= y, "-gt": x > y, "-ge": x >= y}[op]


class _Parser:
    """The general (more than four arguments) grammar: -o, -a, !, ( )."""

    def __init__(self, sh, args, name):
        self.sh, self.a, self.k, self.name = sh, args, 0, name

    def more(self) -> bool:
        return self.k < len(self.a)

    def expr(self) -> bool:
        v = self.and_()
        while self.more() and self.a[self.k] == "-o":
            self.k += 1
            v = self.and_() or v
        return v

    def and_(self) -> bool:
        v = self.not_()
        while self.more() and self.a[self.k] == "-a":
            self.k += 1
            v = self.not_() and v
        return v

    def not_(self) -> bool:
        if self.more() and self.a[self.k] == "!":
            self.k += 1
            return not self.not_()
        return self.primary()

    def primary(self) -> bool:
        if not self.more():
            raise TestError("argument expected")
        t = self.a[self.k]
        if t == "(":
            self.k += 1
            v = self.expr()
            if not self.more() or self.a[self.k] != ")":
                raise TestError("')' expected")
            self.k += 1
            return v
        if self.k + 2 < len(self.a) + 0 and self.a[self.k + 1] in BINARY:
            a, op, b = self.a[self.k:self.k + 3]
            self.k += 3
            return _binary(self.sh, a, op, b, self.name)
        if t.startswith("-") and len(t) == 2 and self.k + 1 < len(self.a):
            self.k += 2
            arg = self.a[self.k - 1]
            if t == "-n":
                return arg != ""
            if t == "-z":
                return arg == ""
            if t[1] in UNARY_FILE:
                return _file(self.sh, t[1], arg)
            raise TestError(f"{t}: unary operator expected")
        self.k += 1
        return t != ""


def evaluate(sh, args: list[str], name: str = "test") -> bool:
    n = len(args)
    if n == 0:
        return False
    if n == 1:
        return args[0] != ""
    if n == 2:
        if args[0] == "!":
            return args[1] == ""
        op = args[0]
        if op == "-n":
            return args[1] != ""
        if op == "-z":
            return args[1] == ""
        if op.startswith("-") and len(op) == 2 and op[1] in UNARY_FILE:
            return _file(sh, op[1], args[1])
        raise TestError(f"{op}: unary operator expected")
    if n == 3:
        if args[1] in BINARY and args[1] != "=~":
            return _binary(sh, args[0], args[1], args[2], name)
        if args[0] == "!":
            return not evaluate(sh, args[1:], name)
        if args[0] == "(" and args[2] == ")":
            return args[1] != ""
    if n == 4 and args[0] == "!":
        return not evaluate(sh, args[1:], name)
    p = _Parser(sh, args, name)
    v = p.expr()
    if p.more():
        raise TestError(f"{p.a[p.k]}: unexpected operator" if sh.dialect.name != "bash" else "too many arguments")
    return v


def test_builtin(sh, argv, io) -> int:
    name = argv[0]
    args = argv[1:]
    d = sh.dialect
    if name == "[":
        if not args or args[-1] != "]":
            if d.name == "bash":
                io[2].write(f"{d.prefix(sh.lineno)}[: missing `]'\n")
            elif d.name == "ash":
                io[2].write(f"{d.argv0}: missing ]\n")
            else:
                io[2].write(f"{d.prefix(sh.lineno)}[: missing ]\n")
            return 2
        args = args[:-1]
    try:
        return 0 if evaluate(sh, args, name) else 1
    except TestError as e:
        msg = str(e)
        if msg.startswith(d.argv0 + ":") or msg.startswith(d.prefix(sh.lineno)):
            io[2].write(msg)
        else:
            io[2].write(f"{d.prefix(sh.lineno)}{name}: {msg}\n")
        return 2


def dbracket(sh, words, io) -> int:
    """bash [[ ]]: no splitting or globbing; the right of == / != is a pattern, of =~ a regex."""
    ex = sh.ex
    vals: list[str] = []
    k = 0
    while k < len(words):
        w = words[k]
        if k > 0 and words[k - 1].literal in ("==", "!=", "=") and not (k + 1 < len(words) and words[k + 1].literal in BINARY):
            vals.append(("pattern", ex.pattern(w)))
        elif k > 0 and words[k - 1].literal == "=~":
            vals.append(("pattern", ex.word_text(w)))
        else:
            vals.append(w.literal if w.literal in ("&&", "||", "!", "(", ")") else ex.word_text(w))
        k += 1

    pos = [0]

    def more():
        return pos[0] < len(vals)

    def or_():
        v = and_()
        while more() and vals[pos[0]] == "||":
            pos[0] += 1
            r = and_()
            v = v or r
        return v

    def and_():
        v = not_()
        while more() and vals[pos[0]] == "&&":
            pos[0] += 1
            r = not_()
            v = v and r
        return v

    def not_():
        if more() and vals[pos[0]] == "!":
            pos[0] += 1
            return not not_()
        return prim()

    def text(x):
        return x[1] if isinstance(x, tuple) else x

    def prim():
        t = vals[pos[0]]
        if t == "(":
            pos[0] += 1
            v = or_()
            pos[0] += 1
            return v
        if pos[0] + 2 < len(vals) + 0 and isinstance(vals[pos[0] + 1], str) and vals[pos[0] + 1] in BINARY:
            a, op, b = text(vals[pos[0]]), vals[pos[0] + 1], vals[pos[0] + 2]
            pos[0] += 3
            if isinstance(b, tuple):
                return _binary(sh, a, op, b[1], "[[", patterns=op != "=~")
            return _binary(sh, a, op, b, "[[")
        if isinstance(t, str) and t.startswith("-") and len(t) == 2 and pos[0] + 1 < len(vals):
            arg = text(vals[pos[0] + 1])
            pos[0] += 2
            if t == "-n":
                return arg != ""
            if t == "-z":
                return arg == ""
            return _file(sh, t[1], arg)
        pos[0] += 1
        return text(t) != ""
    try:
        return 0 if (or_() if vals else False) else 1
    except TestError as e:
        io[2].write(str(e) if str(e).startswith(sh.dialect.argv0) else f"{sh.dialect.prefix(sh.lineno)}{e}\n")
        return 2
