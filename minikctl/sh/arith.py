"""Shell arithmetic, `$((...))` and bash's `((...))`: C integer expressions over shell variables.

Why: `i=$((i+1))` counters and `$((RANDOM % 3))` are in every loop learners write. Values are
64-bit signed integers as in the shells; a variable's text is itself evaluated (empty is 0).
Errors raise ArithError with what the dialects print (dialect wording lives in `message`).
"""
from __future__ import annotations

import re

TOKEN = re.compile(r"\s*(?:(0[xX][0-9a-fA-F]+|\d+)|([A-Za-z_][A-Za-z0-9_]*)|"
                   r"(\*\*=|<<=|>>=|\+\+|--|\*\*|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&^|]=|[-+*/%<>=!~&^|?:(),]))")
BINARY = {  # operator: (precedence, right associative)
    ",": (1, False), "=": (2, True), "*=": (2, True), "/=": (2, True), "%=": (2, True), "+=": (2, True),
    "-=": (2, True), "<<=": (2, True), ">>=": (2, True), "&=": (2, True), "^=": (2, True), "|=": (2, True),
    "?": (3, True), "||": (4, False), "&&": (5, False), "|": (6, False), "^": (7, False), "&": (8, False),
    "==": (9, False), "!=": (9, False), "<": (10, False), ">": (10, False), "<=": (10, False), ">=": (10, False),
    "<<": (11, False), ">>": (11, False), "+": (12, False), "-": (12, False), "*": (13, False), "/": (13, False),
    "%": (13, False), "**": (14, True),
}


class ArithError(Exception):
    def __init__(self, kind: str, expr: str, rest: str = ""):
        super().__init__(kind)
        self.kind, self.expr, self.rest = kind, expr, rest    # kind: syntax | divzero

    def message(self, dialect, lineno: int) -> tuple[str, int]:
        if dialect.name == "ash":
            return (f"{dialect.argv0}: " + ("divide by zero" if self.kind == "divzero" else "arithmetic syntax error")
                    + "\n", 2)
        if dialect.name == "dash":
            what = (f'division by zero: "{self.expr}"' if self.kind == "divzero"
                    else f'expecting primary: "{self.expr}"')
            return f"{dialect.prefix(lineno)}arithmetic expression: {what}\n", 2
        if self.kind == "divzero":
            return f'{dialect.prefix(lineno)}{self.expr}: division by 0 (error token is "{self.rest}")\n', 1
        return (f'{dialect.prefix(lineno)}{self.expr}: syntax error: operand expected (error token is '
                f'"{self.rest}")\n', 1)


def _wrap(v: int) -> int:
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >> 63 else v


class _Eval:
    def __init__(self, expr: str, get, set_):
        self.expr, self.get, self.set = expr, get, set_
        self.toks: list[tuple[str, str, int]] = []
        pos = 0
        s = expr
        while True:
            while pos < len(s) and s[pos] in " \t\n":
                pos += 1
            if pos >= len(s):
                break
            m = TOKEN.match(s, pos)
            if not m:
                raise ArithError("syntax", expr, s[pos:])
            kind = "num" if m.group(1) else "name" if m.group(2) else "op"
            self.toks.append((kind, m.group(m.lastindex), m.start(m.lastindex)))
            pos = m.end()
        self.k = 0

    def peek(self):
        return self.toks[self.k] if self.k < len(self.toks) else None

    def fail(self):
        t = self.peek()
        if t is None and self.toks:
            t = self.toks[-1]
        rest = self.expr[t[2]:] if t else ""
        raise ArithError("syntax", self.expr, rest)

    def run(self) -> int:
        if not self.toks:
            return 0
        v = self.binary(1, True)
        if self.peek() is not None:
            self.fail()
        return v

    def var(self, name: str) -> int:
        text = self.get(name)
        if text is None or text.strip() == "":
            return 0
        text = text.strip()
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        return evaluate(text, self.get, self.set)

    def unary(self, live: bool) -> int | tuple:
        t = self.peek()
        if t is None:
            self.fail()
        kind, val, _ = t
        if kind == "num":
            self.k += 1
            if val.lower().startswith("0x"):
                return int(val, 16)
            if len(val) > 1 and val.startswith("0"):
                try:
                    return int(val, 8)
                except ValueError:
                    self.fail()
            return int(val)
        if kind == "name":
            self.k += 1
            nt = self.peek()
            if nt and nt[1] in ("++", "--"):
                self.k += 1
                old = self.var(val)
                if live:
                    self.set(val, str(old + (1 if nt[1] == "++" else -1)))
                return old
            return ("ref", val)
        if val in ("++", "--"):
            self.k += 1
            nt = self.peek()
            if not nt or nt[0] != "name":
                self.fail()
            self.k += 1
            new = self.var(nt[1]) + (1 if val == "++" else -1)
            if live:
                self.set(nt[1], str(new))
            return new
        if val in ("+", "-", "!", "~"):
            self.k += 1
            v = self.value(self.unary(live))
            return {"+": v, "-": -v, "!": int(not v), "~": ~v}[val]
        if val == "(":
            self.k += 1
            v = self.binary(1, live)
            nt = self.peek()
            if not nt or nt[1] != ")":
                self.fail()
            self.k += 1
            return v
        self.fail()

    def value(self, v) -> int:
        if isinstance(v, tuple):
            return self.var(v[1])
        return v

    def binary(self, min_prec: int, live: bool):
        left = self.unary(live)
        while True:
            t = self.peek()
            if t is None or t[0] != "op" or t[1] not in BINARY:
                return self.value(left)
            op = t[1]
            prec, right_assoc = BINARY[op]
            if prec < min_prec:
                return self.value(left)
            self.k += 1
            if op == "?":
                cond = self.value(left)
                a = self.binary(1, live and bool(cond))
                nt = self.peek()
                if not nt or nt[1] != ":":
                    self.fail()
                self.k += 1
                b = self.binary(3, live and not cond)
                left = a if cond else b
                continue
            if prec == 2:
                if not isinstance(left, tuple):
                    self.fail()
                rhs = self.binary(prec, live)
                new = rhs if op == "=" else self.apply(op[:-1], self.var(left[1]), rhs, t[2])
                new = _wrap(new)
                if live:
                    self.set(left[1], str(new))
                left = new
                continue
            lv = self.value(left)
            if op == "&&":
                rv = self.binary(prec + 1, live and bool(lv))
                left = int(bool(lv) and bool(rv))
                continue
            if op == "||":
                rv = self.binary(prec + 1, live and not lv)
                left = int(bool(lv) or bool(rv))
                continue
            rv = self.binary(prec if right_assoc else prec + 1, live)
            left = _wrap(self.apply(op, lv, rv, t[2]))

    def apply(self, op: str, a: int, b: int, pos: int) -> int:
        if op in ("/", "%"):
            if b == 0:
                raise ArithError("divzero", self.expr, self.expr[pos + 1:].strip())
            q = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
            return q if op == "/" else a - q * b
        if op == "**":
            if b < 0:
                raise ArithError("syntax", self.expr, "")
            return pow(a, b, 1 << 64)
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "<<": lambda: a << (b & 63),
                ">>": lambda: a >> (b & 63), "<": lambda: int(a < b), ">": lambda: int(a > b),
                "<=": lambda: int(a <= b), ">=": lambda: int(a >= b), "==": lambda: int(a == b),
                "!=": lambda: int(a != b), "&": lambda: a & b, "^": lambda: a ^ b, "|": lambda: a | b,
                ",": lambda: b}[op]()


def evaluate(expr: str, get, set_) -> int:
    """The value of an arithmetic expression; get(name) -> str|None, set_(name, text)."""
    return _Eval(expr, get, set_).run()
