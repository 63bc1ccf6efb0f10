"""Shell source -> syntax tree (ast.py), the POSIX grammar plus the bash forms learners type.

Why a hand-written recursive descent over characters: the shell's grammar is context
sensitive (reserved words only in command position, here-document bodies after the next
newline, `$(...)` holding a whole script, `case` patterns ending in `)`), and each dialect
reports a syntax error in its own words (dialect.py), which needs the token the parser choked
on and what it expected there.
"""
from __future__ import annotations

import re

from minikctl.sh import ast
from minikctl import lazy

escapes = lazy.function("minikctl.sh.printf", "escapes")

OPS = ("&&", "||", ";;", ";&", "<<-", "<<", ">>", "<&", ">&", "<>", ">|", "&>", "&", "|", ";", "<", ">", "(", ")")
REDIR_OPS = {"<", ">", ">>", ">|", "<>", "<&", ">&", "&>", "<<", "<<-"}
META = set(" \t\n;&|<>()")
RESERVED = {"if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for",
            "{", "}", "!", "in"}
CLOSERS = {"then", "else", "elif", "fi", "do", "done", "esac", "}"}
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FUNC_PARENS = re.compile(r"[ \t]*\([ \t]*\)")
SPECIAL_PARAMS = "@*#?-$!0123456789"


class ShSyntaxError(Exception):
    """kind: 'unexpected' (token), 'eof' (expecting), 'quote', 'brace', 'badsubst', 'eofmatch'."""

    def __init__(self, kind: str, token: str | None = None, expecting: str | None = None, lineno: int = 1,
                 line: str = ""):
        super().__init__(kind, token, expecting)
        self.kind, self.token, self.expecting, self.lineno, self.line = kind, token, expecting, lineno, line


class Tok:
    __slots__ = ("kind", "value", "word", "lineno")

    def __init__(self, kind, value=None, word=None, lineno=1):
        self.kind, self.value, self.word, self.lineno = kind, value, word, lineno

    @property
    def reserved(self) -> str | None:
        if self.kind == "word":
            lit = self.word.literal
            if lit in RESERVED or lit in ("[[", "function"):
                return lit
        return None

    def text(self) -> str:
        if self.kind == "word":
            return self.word.raw
        if self.kind == "nl":
            return "newline"
        if self.kind == "eof":
            return "end of file"
        return self.value


class Parser:
    def __init__(self, src: str, dialect: str = "ash", pos: int = 0, lineno: int = 1, interactive: bool = False):
        self.s, self.i, self.line, self.dialect = src, pos, lineno, dialect
        self.interactive = interactive        # a here-document without its delimiter yet: ask for more
        self.peeked: Tok | None = None
        self.heredocs: list[ast.Redir] = []
        self.end_char: str | None = None      # ')' when parsing the inside of $(...)

    # -- errors ----------------------------------------------------------------------------------
    def _line_text(self, lineno: int) -> str:
        lines = self.s.split("\n")
        return lines[lineno - 1] if 0 < lineno <= len(lines) else ""

    def unexpected(self, tok: Tok, expecting: str | None = None):
        if tok.kind == "eof":
            raise ShSyntaxError("eof", None, expecting, self.line + (1 if self.dialect == "bash" else 0))
        raise ShSyntaxError("unexpected", tok.text(), expecting, tok.lineno, self._line_text(tok.lineno))

    # -- tokens -------------------------------------------------------------------------------------
    def peek(self) -> Tok:
        if self.peeked is None:
            self.peeked = self._next()
        return self.peeked

    def take(self) -> Tok:
        t = self.peek()
        self.peeked = None
        return t

    def _next(self) -> Tok:
        s, n = self.s, len(self.s)
        while self.i < n:
            c = s[self.i]
            if c in " \t":
                self.i += 1
            elif c == "\\" and s.startswith("\\\n", self.i):
                self.i += 2
                self.line += 1
            elif c == "#":
                while self.i < n and s[self.i] != "\n":
                    self.i += 1
            else:
                break
        if self.i >= n:
            return Tok("eof", lineno=self.line)
        c = s[self.i]
        if c == "\n":
            lineno = self.line
            self.i += 1
            self.line += 1
            if self.heredocs:
                self._read_heredocs()
            return Tok("nl", lineno=lineno)
        if c in "<>" and s.startswith("(", self.i + 1) and self.dialect == "bash":
            lineno = self.line
            start = self.i
            sub = Parser(s, self.dialect, self.i + 2, self.line)
            node = sub.parse_list_until_paren()
            self.i, self.line = sub.i, sub.line
            return Tok("word", word=ast.Word([("proc", node)], s[start:self.i]), lineno=lineno)
        if c in ";&|<>()":
            for op in OPS:
                if s.startswith(op, self.i):
                    if op == "&>" and self.dialect != "bash":
                        continue
                    self.i += len(op)
                    return Tok("op", op, lineno=self.line)
        lineno = self.line
        start = self.i
        parts = self._word_parts()
        word = ast.Word(parts, s[start:self.i])
        if self.i < n and s[self.i] in "<>" and word.raw.isdigit():
            return Tok("io", int(word.raw), lineno=lineno)
        return Tok("word", word=word, lineno=lineno)

    # -- words ----------------------------------------------------------------------------------
    def _word_parts(self, stop: str | None = None) -> list:
        """Parts up to an unquoted metacharacter (or `stop` inside ${...})."""
        s, n = self.s, len(self.s)
        parts: list = []
        lit: list[str] = []

        def flush():
            if lit:
                parts.append(("lit", "".join(lit)))
                lit.clear()
        first = True
        while self.i < n:
            c = s[self.i]
            if stop is not None:
                if c in stop:
                    break
            elif c in META:
                break
            if c == "~" and first and stop is None:
                m = re.compile(r"~([A-Za-z0-9_.-]*)(?=/|$|[ \t\n;&|<>()])").match(s, self.i)
                if m:
                    parts.append(("tilde", m.group(1)))
                    self.i = m.end()
                    first = False
                    continue
            first = False
            if c == "\\":
                if self.i + 1 >= n:
                    lit.append("\\")
                    self.i += 1
                elif s[self.i + 1] == "\n":
                    self.i += 2
                    self.line += 1
                else:
                    flush()
                    parts.append(("sq", s[self.i + 1]))
                    self.i += 2
            elif c == "'":
                end = s.find("'", self.i + 1)
                if end < 0:
                    raise ShSyntaxError("quote", "'", lineno=self.line)
                flush()
                body = s[self.i + 1:end]
                self.line += body.count("\n")
                parts.append(("sq", body))
                self.i = end + 1
            elif c == '"':
                flush()
                self.i += 1
                parts.append(("dq", self._dq_parts()))
            elif c == "$":
                flush()
                self._dollar(parts, lit_sink=lit)
            elif c == "`":
                flush()
                parts.append(self._backtick())
            else:
                if c == "\n":
                    self.line += 1
                lit.append(c)
                self.i += 1
        flush()
        return parts

    def _dq_parts(self) -> list:
        s, n = self.s, len(self.s)
        parts: list = []
        lit: list[str] = []

        def flush():
            if lit:
                parts.append(("sq", "".join(lit)))
                lit.clear()
        while self.i < n:
            c = s[self.i]
            if c == '"':
                self.i += 1
                flush()
                return parts
            if c == "\\" and self.i + 1 < n and s[self.i + 1] in '$`"\\\n':
                if s[self.i + 1] == "\n":
                    self.line += 1
                else:
                    lit.append(s[self.i + 1])
                self.i += 2
            elif c == "$":
                flush()
                self._dollar(parts, lit_sink=lit, quoted=True)
            elif c == "`":
                flush()
                parts.append(self._backtick())
            else:
                if c == "\n":
                    self.line += 1
                lit.append(c)
                self.i += 1
        raise ShSyntaxError("quote", '"', lineno=self.line)

    def _backtick(self):
        s, n = self.s, len(self.s)
        j = self.i + 1
        buf = []
        while j < n and s[j] != "`":
            if s[j] == "\\" and j + 1 < n and s[j + 1] in "`\\$":
                buf.append(s[j + 1])
                j += 2
                continue
            buf.append(s[j])
            j += 1
        if j >= n:
            raise ShSyntaxError("quote", "`", lineno=self.line)
        self.i = j + 1
        text = "".join(buf)
        sub = Parser(text, self.dialect, 0, self.line)
        node = sub.parse_program()
        self.line += text.count("\n")
        return ("cmd", node)

    def _dollar(self, parts: list, lit_sink: list, quoted: bool = False) -> None:
        s, n = self.s, len(self.s)
        j = self.i + 1
        c = s[j] if j < n else ""
        if c == "'" and not quoted and self.dialect in ("ash", "bash"):
            k, buf = j + 1, []
            while k < n and s[k] != "'":
                if s[k] == "\\" and k + 1 < n:
                    buf.append(s[k:k + 2])
                    k += 2
                    continue
                buf.append(s[k])
                k += 1
            if k >= n:
                raise ShSyntaxError("quote", "'", lineno=self.line)
            parts.append(("sq", escapes("".join(buf))[0]))
            self.i = k + 1
        elif c == "{":
            self.i = j + 1
            parts.append(self._braced())
        elif s.startswith("((", j):
            end = self._arith_end(j + 2)
            if end is None:           # $( (subshell) ): a command substitution after all
                self._cmdsubst(parts)
                return
            parts.append(("arith", s[j + 2:end]))
            self.i = end + 2
        elif c == "(":
            self._cmdsubst(parts)
        elif c and c in SPECIAL_PARAMS:
            parts.append(("param", c, None, None))
            self.i = j + 1
        elif c and (c.isalpha() or c == "_"):
            m = NAME.match(s, j)
            parts.append(("param", m.group(0), None, None))
            self.i = m.end()
        else:
            parts.append(("sq" if quoted else "lit", "$"))
            self.i = j

    def _cmdsubst(self, parts: list) -> None:
        sub = Parser(self.s, self.dialect, self.i + 2, self.line)
        sub.end_char = ")"
        node = sub.parse_list_until_paren()
        self.i, self.line = sub.i, sub.line
        parts.append(("cmd", node))

    def _arith_end(self, j: int) -> int | None:
        """Index of the '))' closing $((, or None when the parens do not pair as arithmetic."""
        depth, s = 0, self.s
        while j < len(s):
            c = s[j]
            if c == "(":
                depth += 1
            elif c == ")":
                if depth == 0:
                    return j if s.startswith("))", j) else None
                depth -= 1
            j += 1
        raise ShSyntaxError("eof", None, ")", self.line + (1 if self.dialect == "bash" else 0))

    def _braced(self):
        """After '${': name, then an operator and its word, up to the matching '}'."""
        s, n = self.s, len(self.s)
        if self.i >= n:
            raise ShSyntaxError("brace", lineno=self.line)
        length = False
        if s[self.i] == "#" and self.i + 1 < n and s[self.i + 1] not in "}:=-+?%#":
            length = True
            self.i += 1
        elif s.startswith("#}", self.i) or s.startswith("##}", self.i):
            pass
        m = NAME.match(s, self.i)
        if m:
            name = m.group(0)
            self.i = m.end()
        elif self.i < n and s[self.i] in SPECIAL_PARAMS:
            name = s[self.i]
            self.i += 1
            if name.isdigit():
                while self.i < n and s[self.i].isdigit():
                    name += s[self.i]
                    self.i += 1
        else:
            self._skip_to_brace()
            raise ShSyntaxError("badsubst", lineno=self.line)
        if self.i >= n:
            raise ShSyntaxError("brace", lineno=self.line)
        if s[self.i] == "[" and self.dialect == "bash":
            raise ShSyntaxError("notsim", "bash arrays", lineno=self.line)
        if s[self.i] == "}":
            self.i += 1
            return ("param", name, "#len" if length else None, None)
        if length:
            self._skip_to_brace()
            raise ShSyntaxError("badsubst", lineno=self.line)
        for op in (":-", ":=", ":?", ":+", "-", "=", "?", "+", "##", "#", "%%", "%", "//", "/", "^^", ",,", "^", ",", ":"):
            if s.startswith(op, self.i):
                if op in ("//", "/", "^^", ",,", "^", ",", ":") and self.dialect != "bash":
                    if op == ":" or op.startswith("/"):
                        pass
                    else:
                        break
                self.i += len(op)
                if op in ("/", "//"):
                    pat = self._word_parts(stop="/}")
                    rep = None
                    if self.i < n and s[self.i] == "/":
                        self.i += 1
                        rep = ast.Word(self._word_parts(stop="}"))
                    self._close_brace()
                    return ("param", name, op, (ast.Word(pat), rep))
                arg = ast.Word(self._word_parts(stop="}"))
                self._close_brace()
                return ("param", name, op, arg)
        self._skip_to_brace()
        raise ShSyntaxError("badsubst", lineno=self.line)

    def _close_brace(self) -> None:
        if self.i >= len(self.s) or self.s[self.i] != "}":
            raise ShSyntaxError("brace", lineno=self.line)
        self.i += 1

    def _skip_to_brace(self) -> None:
        end = self.s.find("}", self.i)
        if end < 0:
            raise ShSyntaxError("brace", lineno=self.line)
        self.i = end + 1

    # -- here-documents ---------------------------------------------------------------------------
    def _read_heredocs(self) -> None:
        s = self.s
        for r in self.heredocs:
            delim = r.body
            lines = []
            while True:
                if self.i >= len(s):
                    if self.interactive:
                        raise ShSyntaxError("heredoc", delim, None, self.line)
                    break
                end = s.find("\n", self.i)
                line = s[self.i:] if end < 0 else s[self.i:end]
                self.i = len(s) if end < 0 else end + 1
                self.line += 1
                if r.op == "<<-":
                    line = line.lstrip("\t")
                if line == delim:
                    break
                lines.append(line + "\n")
            r.body = "".join(lines)
            if not r.quoted:
                r.parts = heredoc_parts(r.body, self.dialect)
        self.heredocs = []

    # -- grammar --------------------------------------------------------------------------------
    def parse_program(self) -> ast.Seq:
        body = self.compound_list(set(), allow_empty=True)
        t = self.peek()
        if t.kind != "eof":
            self.unexpected(t)
        if self.heredocs:             # a here-document at the very end, without a newline
            self._read_heredocs()
        return body

    def parse_list_until_paren(self) -> ast.Seq:
        body = self.compound_list(set(), allow_empty=True)
        t = self.peek()
        if t.kind == "op" and t.value == ")":
            self.peeked = None
            return body
        if t.kind == "eof":
            if self.dialect == "bash":
                raise ShSyntaxError("eofmatch", ")", None, self.line + 1)
            raise ShSyntaxError("eof", None, ")", self.line)
        self.unexpected(t)

    def skip_newlines(self) -> None:
        while self.peek().kind == "nl":
            self.take()

    def compound_list(self, stops: set, allow_empty: bool = False, expecting: str | None = None) -> ast.Seq:
        self.skip_newlines()
        items = []
        lineno = self.line
        while True:
            t = self.peek()
            if t.kind == "eof":
                break
            if t.kind == "op" and t.value in (")", ";;", ";&"):
                break
            if t.reserved in stops or (t.reserved in CLOSERS and items):
                break
            ao = self.and_or()
            items.append(ao)
            t = self.peek()
            if t.kind == "op" and t.value in (";", "&"):
                self.take()
                ao.background = t.value == "&"
                self.skip_newlines()
            elif t.kind == "nl":
                self.skip_newlines()
            else:
                break
        if not items and not allow_empty:
            t = self.peek()
            self.unexpected(t, expecting)
        return ast.Seq(items, lineno)

    def and_or(self) -> ast.AndOr:
        lineno = self.peek().lineno
        first = self.pipeline()
        rest = []
        while True:
            t = self.peek()
            if t.kind == "op" and t.value in ("&&", "||"):
                self.take()
                self.skip_newlines()
                rest.append((t.value, self.pipeline()))
            else:
                break
        return ast.AndOr(first, rest, lineno)

    def pipeline(self) -> ast.Pipeline:
        t = self.peek()
        negate = False
        if t.reserved == "!":
            self.take()
            negate = True
        cmds = [self.command()]
        while True:
            t = self.peek()
            if t.kind == "op" and t.value == "|":
                self.take()
                self.skip_newlines()
                cmds.append(self.command())
            else:
                break
        return ast.Pipeline(cmds, negate, cmds[0].lineno)

    def command(self):
        t = self.peek()
        r = t.reserved
        if r is not None:
            if r == "if":
                node = self.if_clause()
            elif r in ("while", "until"):
                node = self.loop(r == "until")
            elif r == "for":
                node = self.for_clause()
            elif r == "case":
                node = self.case_clause()
            elif r == "{":
                self.take()
                body = self.compound_list({"}"})
                self.expect("}")
                node = ast.Brace(body, t.lineno)
            elif r == "[[" and self.dialect == "bash":
                node = self.dbracket()
            elif r == "function" and self.dialect == "bash":
                self.take()
                name = self.take()
                if name.kind != "word":
                    self.unexpected(name)
                m = FUNC_PARENS.match(self.s, self.i)
                if m and self.peeked is None:
                    self.i = m.end()
                self.skip_newlines()
                return ast.FuncDef(name.word.raw, self.command(), t.lineno)
            elif r in ("[[", "function", "in"):
                return self.simple()
            else:
                self.unexpected(t)
            return self.redirects(node)
        if t.kind == "op" and t.value == "(":
            self.take()
            if self.dialect == "bash" and self.s[self.i - 1:self.i + 1] == "((":
                end = self.s.find("))", self.i)
                if end >= 0:
                    text = self.s[self.i + 1:end]
                    self.i = end + 2
                    return self.redirects(ast.ArithCmd(text, t.lineno))
            body = self.compound_list(set(), expecting=")")
            self.expect(")")
            return self.redirects(ast.Subshell(body, t.lineno))
        if t.kind == "word" and self.peeked is t and NAME.fullmatch(t.word.raw or "") and FUNC_PARENS.match(self.s, self.i):
            self.take()
            self.i = FUNC_PARENS.match(self.s, self.i).end()
            self.skip_newlines()
            body = self.command()
            return ast.FuncDef(t.word.raw, body, t.lineno)
        return self.simple()

    def expect(self, word: str) -> Tok:
        t = self.peek()
        if (t.kind == "word" and t.word.literal == word) or (t.kind == "op" and t.value == word):
            return self.take()
        self.unexpected(t, word)

    def redirects(self, node):
        while True:
            t = self.peek()
            if t.kind == "io" or (t.kind == "op" and t.value in REDIR_OPS):
                node.redirs.append(self.redirect())
            else:
                return node

    def redirect(self) -> ast.Redir:
        t = self.take()
        fd = None
        if t.kind == "io":
            fd = t.value
            t = self.take()
            if t.kind != "op" or t.value not in REDIR_OPS:
                self.unexpected(t)
        op = t.value
        target = self.take()
        if target.kind != "word":
            if target.kind == "eof" and self.dialect == "bash":
                raise ShSyntaxError("unexpected", "newline", None, target.lineno, self._line_text(target.lineno))
            if target.kind == "nl" and self.dialect == "bash":
                raise ShSyntaxError("unexpected", "newline", None, target.lineno, self._line_text(target.lineno))
            self.unexpected(target)
        if op in ("<<", "<<-"):
            w = target.word
            quoted = any(p[0] in ("sq", "dq") for p in w.parts)
            delim = "".join(p[1] if p[0] in ("lit", "sq") else "".join(x[1] for x in p[1] if x[0] == "sq")
                            if p[0] == "dq" else "" for p in w.parts)
            r = ast.Redir(fd, op, None, delim, quoted)
            self.heredocs.append(r)
            return r
        return ast.Redir(fd, op, target.word)

    def simple(self) -> ast.Simple:
        assigns, words, redirs = [], [], []
        lineno = self.peek().lineno
        while True:
            t = self.peek()
            if t.kind == "word":
                self.take()
                w = t.word
                if not words:
                    m = NAME.match(w.raw)
                    if m and w.raw[m.end():m.end() + 1] == "=" and w.parts and w.parts[0][0] == "lit" \
                            and w.parts[0][1].startswith(m.group(0) + "="):
                        name = m.group(0)
                        if self.dialect == "bash" and w.raw == name + "=" and self.s.startswith("(", self.i):
                            raise ShSyntaxError("notsim", "bash arrays", lineno=t.lineno)
                        first = w.parts[0][1][len(name) + 1:]
                        value_parts = ([("lit", first)] if first else []) + list(w.parts[1:])
                        assigns.append((name, ast.Word(value_parts, w.raw[len(name) + 1:])))
                        continue
                words.append(w)
            elif t.kind == "io" or (t.kind == "op" and t.value in REDIR_OPS):
                redirs.append(self.redirect())
            elif t.kind == "op" and t.value == "(" and words:
                # `echo (`: ash and dash read a function definition and want ')'
                self.take()
                nt = self.peek()
                if self.dialect == "bash":
                    self.unexpected(nt if nt.kind != "eof" else Tok("nl", lineno=nt.lineno))
                self.unexpected(nt, ")")
            else:
                break
        if not assigns and not words and not redirs:
            self.unexpected(self.peek())
        return ast.Simple(assigns, words, redirs, lineno)

    def if_clause(self) -> ast.If:
        t = self.take()
        clauses = []
        cond = self.compound_list({"then"}, expecting="then")
        self.expect("then")
        body = self.compound_list({"elif", "else", "fi"}, expecting="fi")
        clauses.append((cond, body))
        else_ = None
        while True:
            nt = self.peek()
            if nt.reserved == "elif":
                self.take()
                cond = self.compound_list({"then"}, expecting="then")
                self.expect("then")
                body = self.compound_list({"elif", "else", "fi"}, expecting="fi")
                clauses.append((cond, body))
            elif nt.reserved == "else":
                self.take()
                else_ = self.compound_list({"fi"}, expecting="fi")
            else:
                break
        self.expect("fi")
        return ast.If(clauses, else_, t.lineno)

    def loop(self, until: bool) -> ast.Loop:
        t = self.take()
        cond = self.compound_list({"do"}, expecting="do")
        body = self.do_group()
        return ast.Loop(cond, body, until, t.lineno)

    def do_group(self) -> ast.Seq:
        self.expect("do")
        body = self.compound_list({"done"}, expecting="done")
        self.expect("done")
        return body

    def for_clause(self) -> ast.For:
        t = self.take()
        name = self.take()
        if name.kind != "word" or not NAME.fullmatch(name.word.raw):
            if name.kind == "eof":
                self.unexpected(name)
            if self.dialect == "bash":
                raise ShSyntaxError("badfor", name.text(), None, name.lineno, self._line_text(name.lineno))
            raise ShSyntaxError("badfor", name.text(), None, name.lineno)
        words = None
        nt = self.peek()
        if nt.kind == "op" and nt.value == ";":
            self.take()
        self.skip_newlines()
        nt = self.peek()
        if nt.kind == "word" and nt.word.literal == "in":
            self.take()
            words = []
            while True:
                w = self.peek()
                if w.kind == "word":
                    words.append(self.take().word)
                else:
                    break
            w = self.peek()
            if w.kind == "op" and w.value == ";":
                self.take()
            elif w.kind == "nl":
                pass
            elif w.kind == "eof":
                self.unexpected(w, "do")
            else:
                self.unexpected(w)
            self.skip_newlines()
        body = self.do_group()
        return ast.For(name.word.raw, words, body, t.lineno)

    def case_clause(self) -> ast.Case:
        t = self.take()
        word = self.take()
        if word.kind != "word":
            self.unexpected(word)
        self.skip_newlines()
        self.expect("in")
        items = []
        while True:
            self.skip_newlines()
            nt = self.peek()
            if nt.reserved == "esac":
                self.take()
                break
            if nt.kind == "op" and nt.value == "(":
                self.take()
            patterns = []
            while True:
                p = self.take()
                if p.kind != "word":
                    self.unexpected(p, "esac" if p.kind == "eof" else None)
                patterns.append(p.word)
                sep = self.take()
                if sep.kind == "op" and sep.value == "|":
                    continue
                if sep.kind == "op" and sep.value == ")":
                    break
                self.unexpected(sep, ")" if sep.kind == "eof" else None)
            body = self.compound_list({"esac"}, allow_empty=True)
            nt = self.peek()
            term = ";;"
            if nt.kind == "op" and nt.value in (";;", ";&"):
                term = self.take().value
            elif nt.reserved == "esac":
                items.append((patterns, body, term))
                self.take()
                break
            else:
                self.unexpected(nt, "esac" if nt.kind == "eof" else None)
            items.append((patterns, body, term))
        return ast.Case(word.word, items, t.lineno)

    def dbracket(self) -> ast.DBracket:
        t = self.take()
        words = []
        while True:
            nt = self.peek()
            if nt.kind == "word" and nt.word.literal == "]]":
                self.take()
                break
            if nt.kind == "word":
                words.append(self.take().word)
            elif nt.kind == "op" and nt.value in ("&&", "||", "(", ")", "<", ">"):
                self.take()
                words.append(ast.Word([("sq", nt.value)], nt.value))
            else:
                self.unexpected(nt)
        return ast.DBracket(words, t.lineno)


def parse(src: str, dialect: str = "ash", interactive: bool = False, lineno: int = 1) -> ast.Seq:
    """The syntax tree of a whole script; raises ShSyntaxError (kind 'heredoc' when `interactive`
    and a here-document's delimiter has not been typed yet)."""
    return Parser(src, dialect, lineno=lineno, interactive=interactive).parse_program()


def heredoc_parts(body: str, dialect: str = "ash") -> list:
    """An unquoted here-document body as word parts: $ and ` expand, backslash escapes $ ` \\."""
    p = Parser(body, dialect)
    s, n = body, len(body)
    parts: list = []
    lit: list[str] = []

    def flush():
        if lit:
            parts.append(("sq", "".join(lit)))
            lit.clear()
    while p.i < n:
        c = s[p.i]
        if c == "\\" and p.i + 1 < n and s[p.i + 1] in "$`\\\n":
            if s[p.i + 1] != "\n":
                lit.append(s[p.i + 1])
            p.i += 2
        elif c == "$":
            flush()
            p._dollar(parts, lit_sink=lit, quoted=True)
        elif c == "`":
            flush()
            parts.append(p._backtick())
        else:
            lit.append(c)
            p.i += 1
    flush()
    return parts
