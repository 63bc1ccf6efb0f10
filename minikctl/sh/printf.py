"""printf(1) formatting and echo's backslash escapes, shared by the builtins and the applets.

Why: `printf '%s\\n' "$x"` and `printf '%-10s %5d\\n'` are how scripts format; the format is reused
until the arguments run out, as every printf does.
"""
from __future__ import annotations

import re

SPEC = re.compile(r"%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?([diouxXeEfFgGcsb%])")
ESC = {"n": "\n", "t": "\t", "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "r": "\r", "v": "\v", '"': '"',
       "'": "'", "e": "\x1b"}


def escapes(s: str, echo: bool = False) -> tuple[str, bool]:
    """Backslash escapes; returns (text, stop) where stop is True after \\c (no more output)."""
    out, i, n = [], 0, len(s)
    while i < n:
        c = s[i]
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        d = s[i + 1]
        if d == "c":
            return "".join(out), True
        if d in ESC and not (echo and d in "\"'"):
            out.append(ESC[d])
            i += 2
        elif d == "0" or (d in "1234567" and not echo):
            j = i + 2 if d == "0" and echo else i + 1
            k = j
            while k < n and k < j + 3 and s[k] in "01234567":
                k += 1
            out.append(chr(int(s[j:k] or "0", 8) & 0xFF))
            i = k
        elif d == "x" and not echo:
            m = re.match(r"[0-9a-fA-F]{1,2}", s[i + 2:])
            if m:
                out.append(chr(int(m.group(0), 16)))
                i += 2 + len(m.group(0))
            else:
                out.append("\\x")
                i += 2
        else:
            out.append("\\" + d)
            i += 2
    return "".join(out), False


def _int(arg: str) -> tuple[int, bool]:
    a = arg.strip()
    if a[:1] in "'\"" and len(a) > 1:
        return ord(a[1]), True
    try:
        return int(a, 0) if re.fullmatch(r"[+-]?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)", a) else int(a), True
    except ValueError:
        return 0, False


def printf(fmt: str, args: list[str], prog: str = "printf") -> tuple[str, str, int]:
    """(output, errors, status)."""
    out, err, code = [], [], 0
    args = list(args)
    first = True
    while first or args:
        first = False
        used = False
        pos = 0
        while pos < len(fmt):
            c = fmt[pos]
            if c == "\\":
                text, stop = escapes(fmt[pos:pos + 2] if fmt[pos + 1:pos + 2] not in "01234567x" else
                                     fmt[pos:pos + 5])
                m = re.match(r"\\(?:0?[0-7]{1,3}|x[0-9a-fA-F]{1,2}|.)", fmt[pos:])
                seg = m.group(0) if m else "\\"
                text, stop = escapes(seg)
                if stop:
                    return "".join(out), "".join(err), code
                out.append(text)
                pos += len(seg)
                continue
            if c != "%":
                out.append(c)
                pos += 1
                continue
            m = SPEC.match(fmt, pos)
            if not m:
                err.append(f"{prog}: %{fmt[pos + 1:pos + 2]}: invalid format\n" if False else
                           f"{prog}: invalid format character\n")
                return "".join(out), "".join(err), 1
            pos = m.end()
            flags, width, prec, conv = m.groups()
            if conv == "%":
                out.append("%")
                continue
            if width == "*":
                width = args.pop(0) if args else "0"
            if prec == "*":
                prec = args.pop(0) if args else "0"
            arg = args.pop(0) if args else None
            used = used or arg is not None
            spec = "%" + flags + (width or "") + ("." + prec if prec is not None else "")
            if conv == "s":
                out.append((spec + "s") % (arg or ""))
            elif conv == "b":
                text, stop = escapes(arg or "", echo=True)
                out.append((spec + "s") % text)
                if stop:
                    return "".join(out), "".join(err), code
            elif conv == "c":
                out.append((spec + "s") % ((arg or "")[:1]))
            elif conv in "diouxX":
                v, ok = _int(arg) if arg is not None else (0, True)
                if not ok:
                    err.append(f"{prog}: invalid number '{arg}'\n" if prog == "printf" else f"{prog}: {arg}: invalid number\n")
                    code = 1
                out.append((spec + ("d" if conv in "iu" else conv)) % v)
            else:
                try:
                    v = float(arg) if arg is not None else 0.0
                except ValueError:
                    err.append(f"{prog}: invalid number '{arg}'\n")
                    v, code = 0.0, 1
                out.append((spec + conv) % v)
        if not used:
            break
    return "".join(out), "".join(err), code
