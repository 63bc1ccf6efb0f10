"""Word expansion in POSIX order: tilde, parameters, command substitution, arithmetic, then field
splitting on IFS, pathname expansion against the container's files, and quote removal.

Why separate from interp.py: the same machinery expands command words, assignment values
(no splitting, no globbing), here-document bodies and `case`/`${x#pat}` patterns (quoted parts
match literally).
"""
from __future__ import annotations

import re

from minikctl.sh.arith import evaluate
from minikctl import lazy

Word = lazy.function("minikctl.sh.ast", "Word")

GLOB_CHARS = set("*?[")


class ExpandError(Exception):
    """A fatal expansion error (${x:?}, set -u, bad substitution): message, status."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message, self.status = message, status


# -- patterns -------------------------------------------------------------------------------------

def glob_regex(pat: str, quoted_mask: list[bool] | None = None) -> str:
    """A shell pattern as a regular expression; characters flagged in quoted_mask are literal."""
    out, i, n = [], 0, len(pat)
    while i < n:
        c = pat[i]
        q = quoted_mask[i] if quoted_mask else False
        if q:
            out.append(re.escape(c))
        elif c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[":
            j = i + 1
            if j < n and pat[j] in "!^":
                j += 1
            if j < n and pat[j] == "]":
                j += 1
            while j < n and pat[j] != "]":
                j += 1
            if j >= n:
                out.append("\\[")
            else:
                body = pat[i + 1:j]
                if body[:1] in "!^":
                    body = "^" + body[1:]
                body = body.replace("\\", "\\\\")
                out.append("[" + body + "]")
                i = j
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(pat[i + 1]))
            i += 1
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


# -- the expander ---------------------------------------------------------------------------------

class Field:
    __slots__ = ("text", "mask", "glob", "keep")

    def __init__(self):
        self.text, self.mask, self.glob, self.keep = [], [], False, False

    def add(self, s: str, quoted: bool) -> None:
        if not s:
            if quoted:
                self.keep = True
            return
        self.text.append(s)
        self.mask.extend([quoted] * len(s))
        if quoted:
            self.keep = True
        else:
            self.keep = True
            if not self.glob and any(c in GLOB_CHARS for c in s):
                self.glob = True


class Expander:
    """Bound to a shell (interp.Shell): sh.get_var, sh.set_var, sh.command_subst, sh.dialect."""

    def __init__(self, sh):
        self.sh = sh

    # -- parameters -----------------------------------------------------------------------------
    def param_value(self, name: str) -> str | None:
        sh = self.sh
        if name in sh.vars:
            return sh.vars[name]
        if len(name) == 1 and not name.isalpha() and name != "_" or name.isdigit():
            if name == "?":
                return str(sh.status)
            if name == "#":
                return str(len(sh.positional))
            if name == "$":
                return str(sh.pid)
            if name == "!":
                return str(sh.last_bg) if sh.last_bg else ""
            if name == "-":
                return "".join(sorted(k for k, v in sh.options.items() if v and len(k) == 1))
            if name in "@*":
                return " ".join(sh.positional)
            if name == "0":
                return sh.dialect.argv0
            k = int(name)
            return sh.positional[k - 1] if k <= len(sh.positional) else None
        if name == "RANDOM":
            return str(sh.random())
        if name == "LINENO":
            return str(sh.lineno)
        return None

    def expand_param(self, part, quoted: bool) -> str:
        _, name, op, arg = part
        sh = self.sh
        val = self.param_value(name)
        if op is None:
            if val is None and sh.options.get("u") and name not in "@*":
                raise ExpandError(f"{sh.dialect.prefix(sh.lineno)}{name}: parameter not set\n"
                                  if sh.dialect.name != "bash" else f"{sh.dialect.prefix(sh.lineno)}{name}: unbound variable\n",
                                  2 if sh.dialect.name != "bash" else 1)
            return val or ""
        if op == "#len":
            if name in "@*":
                return str(len(sh.positional))
            return str(len(val or ""))
        if op in (":-", "-", ":=", "=", ":?", "?", ":+", "+"):
            unset = val is None or (op.startswith(":") and val == "")
            if op.endswith("-"):
                return self.word_text(arg) if unset else val
            if op.endswith("="):
                if unset:
                    val = self.word_text(arg)
                    sh.set_var(name, val)
                return val
            if op.endswith("+"):
                return "" if unset else self.word_text(arg)
            if unset:
                msg = self.word_text(arg) if arg and arg.parts else ("parameter not set" if op == "?" else
                                                                      "parameter null or not set" if sh.dialect.bash
                                                                      else "parameter not set")
                raise ExpandError(f"{sh.dialect.prefix(sh.lineno)}{name}: {msg}\n", 2 if not sh.dialect.bash else 1)
            return val
        val = val or ""
        if op in ("#", "##", "%", "%%"):
            rx = self.pattern(arg)
            longest = len(op) == 2
            if op.startswith("#"):
                rng = range(len(val), -1, -1) if longest else range(0, len(val) + 1)
                for k in rng:
                    if re.fullmatch(rx, val[:k], re.S):
                        return val[k:]
                return val
            rng = range(0, len(val) + 1) if longest else range(len(val), -1, -1)
            for k in rng:
                if re.fullmatch(rx, val[k:], re.S):
                    return val[:k]
            return val
        if op in ("/", "//"):
            pat, rep = arg
            rx = self.pattern(pat)
            repl = self.word_text(rep) if rep else ""
            if not rx:
                return val
            if pat.parts and pat.parts[0][0] == "lit" and pat.parts[0][1].startswith(("#", "%")):
                anchor = pat.parts[0][1][0]
                rx = self.pattern(type(pat)([("lit", pat.parts[0][1][1:])] + pat.parts[1:]))
                m = re.match(f"(?s){rx}" + ("$" if anchor == "%" else ""), val) if anchor == "#" else \
                    re.search(f"(?s)(?:{rx})$", val)
                if not m:
                    return val
                return val[:m.start()] + repl + val[m.end():]
            greedy = re.compile(f"(?s){rx}")
            out, i, done = [], 0, False
            while i <= len(val):
                m = None
                if not done:
                    for j in range(len(val), i - 1, -1):     # longest match at i
                        if greedy.fullmatch(val, i, j):
                            m = j
                            break
                if m is not None and m > i or (m is not None and rx == ""):
                    out.append(repl)
                    i = m
                    if op == "/":
                        done = True
                    continue
                if i < len(val):
                    out.append(val[i])
                i += 1
            return "".join(out)
        if op == ":":
            spec = self.word_text(arg)
            off_s, _, len_s = spec.partition(":")
            get = sh.arith_get
            off = evaluate(off_s, get, sh.set_var) if off_s.strip() else 0
            if off < 0:
                off = max(len(val) + off, 0)
            if _:
                ln = evaluate(len_s, get, sh.set_var) if len_s.strip() else 0
                end = off + ln if ln >= 0 else len(val) + ln
                return val[off:end]
            return val[off:]
        if op in ("^^", ",,", "^", ","):
            if not val:
                return val
            if op == "^^":
                return val.upper()
            if op == ",,":
                return val.lower()
            return (val[0].upper() if op == "^" else val[0].lower()) + val[1:]
        return val

    # -- words --------------------------------------------------------------------------------------
    def word_text(self, word) -> str:
        """A word expanded to one string: no field splitting, no globbing (assignments, ${x:-w})."""
        if word is None:
            return ""
        return "".join(self.part_text(p) for p in word.parts)

    def part_text(self, p, quoted: bool = False) -> str:
        k = p[0]
        if k in ("lit", "sq"):
            return p[1]
        if k == "dq":
            return "".join(self.part_text(x, True) for x in p[1])
        if k == "param":
            return self.expand_param(p, quoted)
        if k == "cmd":
            return self.sh.command_subst(p[1])
        if k == "arith":
            return str(self.sh.arith(p[1]))
        if k == "tilde":
            return self.tilde(p[1])
        if k == "proc":
            return "/dev/fd/63"
        return ""

    def tilde(self, user: str) -> str:
        if not user:
            return self.sh.home or self.sh.vars.get("HOME", "/root")
        return "/root" if user == "root" else "~" + user

    def pattern(self, word) -> str:
        """A pattern word as a regex: unquoted parts are glob syntax, quoted parts literal."""
        if word is None:
            return ""
        text, mask = [], []
        for p in word.parts:
            if p[0] == "lit":
                text.append(p[1])
                mask.extend([False] * len(p[1]))
            elif p[0] == "param" or p[0] == "cmd" or p[0] == "arith":
                s = self.part_text(p)
                text.append(s)
                mask.extend([False] * len(s))
            else:
                s = self.part_text(p)
                text.append(s)
                mask.extend([True] * len(s))
        return glob_regex("".join(text), mask)

    def fields(self, words) -> list[str]:
        """Command words -> argv: (bash) brace expansion, expansions, IFS splitting of unquoted
        results, globbing."""
        out: list[str] = []
        if self.sh.dialect.name == "bash":
            words = [x for w in words for x in braces(w)]
        for w in words:
            parts = w.parts
            if len(parts) == 1:                  # fast paths: the usual `echo`, `$i`, "text"
                p = parts[0]
                if p[0] == "lit" and not any(c in GLOB_CHARS for c in p[1]):
                    out.append(p[1])
                    continue
                if p[0] == "sq":
                    out.append(p[1])
                    continue
            out.extend(self.word_fields(w))
        return out

    def word_fields(self, word) -> list[str]:
        fields: list[Field] = []
        cur = [None]

        def field() -> Field:
            if cur[0] is None:
                cur[0] = Field()
                fields.append(cur[0])
            return cur[0]

        def split_add(text: str) -> None:
            ifs = self.sh.vars.get("IFS", " \t\n")
            if not ifs:
                field().add(text, False) if text else None
                return
            ws = "".join(c for c in ifs if c in " \t\n")
            other = "".join(c for c in ifs if c not in " \t\n")
            if not other:
                pieces = re.split("[" + re.escape(ws) + "]+", text)
                for k, piece in enumerate(pieces):
                    if k > 0:
                        cur[0] = None
                    if piece:
                        field().add(piece, False)
                return
            wsc = "[" + re.escape(ws) + "]*" if ws else ""
            rx = wsc + "[" + re.escape(other) + "]" + wsc + ("|[" + re.escape(ws) + "]+" if ws else "")
            stripped = text.strip(ws) if ws else text
            if ws and text[:1] in ws and stripped:
                cur[0] = None
            pieces = re.split(rx, stripped)
            for k, piece in enumerate(pieces):
                if k > 0:
                    cur[0] = None
                    field().keep = True
                if piece:
                    field().add(piece, False)
                elif k == 0 and len(pieces) > 1:
                    field().keep = True
            if ws and text[-1:] in ws and stripped:
                cur[0] = None

        for p in word.parts:
            k = p[0]
            if k == "lit":
                field().add(p[1], False)
            elif k == "sq":
                field().add(p[1], True)
            elif k == "tilde":
                field().add(self.tilde(p[1]), True)
            elif k == "proc":
                field().add("/dev/fd/63", True)
            elif k == "dq":
                inner = p[1]
                at = [x for x in inner if x[0] == "param" and x[1] == "@" and x[2] is None]
                if at and self.sh.positional is not None:
                    for x in inner:
                        if x[0] == "param" and x[1] == "@" and x[2] is None:
                            for n, arg in enumerate(self.sh.positional):
                                if n > 0:
                                    cur[0] = None
                                field().add(arg, True)
                        else:
                            field().add(self.part_text(x, True), True)
                    if not self.sh.positional and len(inner) == 1:
                        pass
                    continue
                field().add("".join(self.part_text(x, True) for x in inner), True)
            elif k == "param" and p[1] == "@" and p[2] is None:
                for n, arg in enumerate(self.sh.positional):
                    split_add(arg)
                    cur[0] = None
            else:
                split_add(self.part_text(p))
        result: list[str] = []
        for f in fields:
            text = "".join(f.text)
            if not f.keep and not text:
                continue
            if f.glob:
                hits = self.sh.glob(text, f.mask)
                if hits:
                    result.extend(hits)
                    continue
            result.append(text)
        return result


BRACE = re.compile(r"\{(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?\}|\{([a-zA-Z])\.\.([a-zA-Z])\}|\{([^{}]*,[^{}]*)\}")


def braces(word) -> list:
    """bash brace expansion of a word's unquoted text: {1..5}, {a..e}, {5..1..2}, pre{x,y}post."""
    for k, p in enumerate(word.parts):
        if p[0] != "lit" or "{" not in p[1]:
            continue
        m = BRACE.search(p[1])
        if not m:
            continue
        if m.group(1) is not None:
            a, b = int(m.group(1)), int(m.group(2))
            step = abs(int(m.group(3) or 1)) or 1
            alts = [str(v) for v in (range(a, b + 1, step) if a <= b else range(a, b - 1, -step))]
        elif m.group(4) is not None:
            a, b = ord(m.group(4)), ord(m.group(5))
            alts = [chr(v) for v in (range(a, b + 1) if a <= b else range(a, b - 1, -1))]
        else:
            alts = m.group(6).split(",")
        pre, post = p[1][:m.start()], p[1][m.end():]
        out = []
        for alt in alts:
            text = pre + alt + post
            parts = list(word.parts[:k]) + ([("lit", text)] if text else []) + list(word.parts[k + 1:])
            out.extend(braces(Word(parts, word.raw)))
        return out
    return [word]
