"""Text applets: head, tail, wc, sort, uniq, cut, tr, grep, seq, basename, dirname, echo, printf,
and sed / awk subsets (awk and sed beyond the subset say `minikctl: ... is not simulated`)."""
from __future__ import annotations

import re

from minikctl.images.applets.common import ERRNO, fs, lines, path, read_input
from minikctl import lazy

escapes = lazy.function("minikctl.sh.printf", "escapes")
g = lazy.function("minikctl.images.grep", "grep")
pf = lazy.function("minikctl.sh.printf", "printf")


def _count_opt(argv, default=10, with_bytes=False):
    n, rest, i, plus, nbytes = default, [], 1, False, False
    while i < len(argv):
        a = argv[i]
        if a in ("-n", "-c") and i + 1 < len(argv):
            v = argv[i + 1]
            plus, nbytes = v.startswith("+"), a == "-c"
            n, i = int(v.lstrip("+")), i + 2
            continue
        if re.fullmatch(r"-[nc][+-]?\d+", a):
            plus, nbytes = a[2] == "+", a[1] == "c"
            n = int(a[2:].lstrip("+"))
        elif re.fullmatch(r"-\d+", a):
            n = int(a[1:])
        elif a in ("-f", "-F", "-q"):
            pass
        else:
            rest.append(a)
        i += 1
    return (n, rest, plus, nbytes) if with_bytes else (n, rest, plus)


def _multi(got, fn, prog, quiet=False):
    out = []
    for k, (name, text) in enumerate(got):
        if len(got) > 1 and not quiet:
            out.append(("\n" if k else "") + f"==> {name if name != '-' else 'standard input'} <==\n")
        out.append(fn(text))
    return "".join(out)


def _bytes(t: str, fn) -> str:
    return fn(t.encode("utf-8", "surrogateescape")).decode("utf-8", "surrogateescape")


def head(ctx, argv, style):
    n, names, _, nbytes = _count_opt(argv, with_bytes=True)
    got, err, code = read_input(ctx, names, "head", style)
    if nbytes:                            # -c N: the first N bytes (-c -N: all but the last N)
        return _multi(got, lambda t: _bytes(t, lambda b: b[:n]), "head"), err, code
    return _multi(got, lambda t: "".join(lines(t)[:n] if n >= 0 else lines(t)[:n]), "head"), err, code


def tail(ctx, argv, style):
    if "-f" in argv[1:]:
        return "", "minikctl: tail -f is not simulated (no output ever arrives later in a simulated file)\n", 126
    n, names, plus, nbytes = _count_opt(argv, with_bytes=True)
    got, err, code = read_input(ctx, names, "tail", style)
    if nbytes:                            # -c N: the last N bytes; -c +N: from byte N on
        return _multi(got, lambda t: _bytes(t, lambda b: b[n - 1:] if plus else (b[-n:] if n else b"")), "tail"), \
            err, code
    return _multi(got, lambda t: "".join(lines(t)[n - 1:] if plus else (lines(t)[-n:] if n else [])), "tail"), err, code


def wc(ctx, argv, style):
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-") and len(a) > 1) or "lwc"
    names = [a for a in argv[1:] if not a.startswith("-") or a == "-"]
    got, err, code = read_input(ctx, names, "wc", style)
    rows, tot = [], [0, 0, 0, 0]
    for name, t in got:
        c = {"l": t.count("\n"), "w": len(t.split()), "m": len(t), "c": len(t.encode("utf-8", "surrogateescape"))}
        vals = [c[k] for k in "lwmc" if k in flags]
        rows.append((vals, name if names else ""))
        for i, k in enumerate(k for k in "lwmc" if k in flags):
            tot[i] += c[k]
    if not rows:
        return "", err, code
    if len(got) > 1:
        rows.append((tot[:len(rows[0][0])], "total"))
    out = []
    if style == "busybox":
        for vals, name in rows:
            if len(vals) == 1 and len(rows) == 1:
                out.append(f"{vals[0]}" + (f" {name}" if name else "") + "\n")
            else:
                out.append(" ".join(f"{v:>9}" for v in vals) + (f" {name}" if name else "") + "\n")
    else:
        width = max(len(str(v)) for vals, _ in rows for v in vals)
        if not names and len(rows[0][0]) > 1:
            width = max(width, 7)
        if len(rows) == 1 and len(rows[0][0]) == 1:
            width = 1
        for vals, name in rows:
            out.append(" ".join(f"{v:>{width}}" for v in vals) + (f" {name}" if name else "") + "\n")
    return "".join(out), err, code


def sort(ctx, argv, style):
    flags, names, key, sep, i = "", [], None, None, 1
    while i < len(argv):
        a = argv[i]
        if a in ("-k", "-t") and i + 1 < len(argv):
            if a == "-k":
                key = argv[i + 1]
            else:
                sep = argv[i + 1]
            i += 2
            continue
        if a.startswith("-k") and len(a) > 2:
            key = a[2:]
        elif a.startswith("-t") and len(a) > 2:
            sep = a[2:]
        elif a.startswith("-") and len(a) > 1:
            flags += a[1:]
        else:
            names.append(a)
        i += 1
    got, err, code = read_input(ctx, names, "sort", style)
    ls = [x.rstrip("\n") for _, t in got for x in lines(t)]

    def field(s):
        if not key:
            return s
        k = int(re.match(r"\d+", key).group(0))
        parts = s.split(sep) if sep else s.split()
        return (sep or " ").join(parts[k - 1:]) if k <= len(parts) else ""

    if "n" in flags or (key and "n" in key):
        def kf(s):
            m = re.match(r"\s*(-?\d+(\.\d+)?)", field(s))
            return (float(m.group(1)) if m else 0.0, s)
    else:
        def kf(s):
            return field(s)
    ls.sort(key=kf, reverse="r" in flags)
    if "u" in flags:
        seen, uniq = set(), []
        for x in ls:
            if kf(x) not in seen:
                seen.add(kf(x))
                uniq.append(x)
        ls = uniq
    return "".join(x + "\n" for x in ls), err, code


def uniq(ctx, argv, style):
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-") and len(a) > 1)
    got, err, code = read_input(ctx, [a for a in argv[1:] if not a.startswith("-")][:1], "uniq", style)
    out, prev, n = [], None, 0
    for ln in [x.rstrip("\n") for _, t in got for x in lines(t)] + [None]:
        if ln != prev and prev is not None:
            if ("d" in flags and n < 2) or ("u" in flags and n > 1):
                pass
            else:
                out.append(f"{n:7d} {prev}" if "c" in flags else prev)
        n = n + 1 if ln == prev else 1
        prev = ln
    return "".join(x + "\n" for x in out), err, code


def _ranges(spec: str) -> set[int]:
    want = set()
    for part in spec.split(","):
        lo, dash, hi = part.partition("-")
        top = int(hi) if hi else (10 ** 4 if dash else int(lo))
        want.update(range(int(lo or 1), top + 1))
    return want


def cut(ctx, argv, style):
    delim, fields, chars, names, i = "\t", None, None, [], 1
    while i < len(argv):
        a = argv[i]
        if a in ("-d", "-f", "-c", "-b") and i + 1 < len(argv):
            a, i = a + argv[i + 1], i + 1
        if a.startswith("-d"):
            delim = a[2:]
        elif a.startswith("-f"):
            fields = a[2:]
        elif a.startswith(("-c", "-b")):
            chars = a[2:]
        else:
            names.append(a)
        i += 1
    if fields is None and chars is None:
        return "", ("cut: expected a list of bytes, characters, or fields\n" if style == "busybox" else
                    "cut: you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information.\n"), 1
    got, err, code = read_input(ctx, names, "cut", style)
    out = []
    for _, t in got:
        for ln in (x.rstrip("\n") for x in lines(t)):
            if chars is not None:
                w = _ranges(chars)
                out.append("".join(c for k, c in enumerate(ln, 1) if k in w) + "\n")
            elif delim not in ln:
                out.append(ln + "\n")
            else:
                w = _ranges(fields)
                out.append(delim.join(c for k, c in enumerate(ln.split(delim), 1) if k in w) + "\n")
    return "".join(out), err, code


def _tr_set(s: str) -> str:
    classes = {"[:lower:]": "abcdefghijklmnopqrstuvwxyz", "[:upper:]": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
               "[:digit:]": "0123456789", "[:space:]": " \t\n\r\f\v", "[:blank:]": " \t",
               "[:alpha:]": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
               "[:alnum:]": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"}
    for k, v in classes.items():
        s = s.replace(k, v)
    s = s.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")
    out, i = [], 0
    while i < len(s):
        if i + 2 < len(s) and s[i + 1] == "-":
            out.extend(chr(c) for c in range(ord(s[i]), ord(s[i + 2]) + 1))
            i += 3
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def tr(ctx, argv, style):
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-") and len(a) > 1)
    sets = [_tr_set(a) for a in argv[1:] if not (a.startswith("-") and len(a) > 1)]
    text = ctx.stdin or ""
    if not sets:
        return "", "tr: missing operand\n", 1
    if "d" in flags:
        out = "".join(c for c in text if (c in sets[0]) == ("c" in flags))
        return out, "", 0
    if "s" in flags and len(sets) == 1:
        return re.sub("([" + re.escape(sets[0]) + "])\\1+", r"\1", text), "", 0
    if len(sets) < 2:
        return "", "tr: missing operand after '" + sets[0] + "'\n", 1
    a, b = sets[0], sets[1]
    b = b + b[-1] * (len(a) - len(b)) if b else b
    out = text.translate(str.maketrans(a, b[:len(a)]))
    if "s" in flags:
        out = re.sub("([" + re.escape(b) + "])\\1+", r"\1", out)
    return out, "", 0


def grep(ctx, argv, style):
    f = fs(ctx)

    def read(name):
        if name is None or name == "-":
            return ctx.stdin or ""
        return f.read(path(ctx, name)) if f is not None else None
    return g(argv, read)


def seq(ctx, argv, style):
    args = [a for a in argv[1:] if not (a.startswith("-") and not a[1:2].isdigit())]
    sep = "\n"
    if "-s" in argv:
        sep = argv[argv.index("-s") + 1]
        args = [a for a in args if a != sep]
    try:
        nums = [float(a) if "." in a else int(a) for a in args]
    except ValueError:
        bad = next(a for a in args if not re.fullmatch(r"-?\d+(\.\d+)?", a))
        return "", (f"seq: invalid number '{bad}'\n" if style == "busybox" else
                    f"seq: invalid floating point argument: '{bad}'\nTry 'seq --help' for more information.\n"), 1
    if not nums or len(nums) > 3:
        return "", "seq: missing operand\nTry 'seq --help' for more information.\n" if style == "gnu" else \
            "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: seq [-w] [-s SEP] [FIRST [INC]] LAST\n", 1
    first, inc, last = (1, 1, nums[0]) if len(nums) == 1 else (nums[0], 1, nums[1]) if len(nums) == 2 else nums
    if inc == 0 or (last - first) / inc > 10_000_000:
        return "", "minikctl: seq over more than 10,000,000 numbers is not simulated\n", 126
    out, v = [], first
    while (inc > 0 and v <= last) or (inc < 0 and v >= last):
        out.append(str(v))
        v += inc
    return (sep.join(out) + "\n") if out else "", "", 0


def basename(ctx, argv, style):
    args = argv[1:]
    if not args:
        return "", "basename: missing operand\n", 1
    b = args[0].rstrip("/").rsplit("/", 1)[-1] or "/"
    if len(args) > 1 and b.endswith(args[1]) and b != args[1]:
        b = b[:-len(args[1])]
    return b + "\n", "", 0


def dirname(ctx, argv, style):
    if len(argv) < 2:
        return "", "dirname: missing operand\n", 1
    p = argv[1].rstrip("/")
    d = p.rsplit("/", 1)[0] if "/" in p else "."
    return (d.rstrip("/") or "/") + "\n", "", 0


def echo(ctx, argv, style):
    args = argv[1:]
    newline, interpret = True, False
    while args and re.fullmatch(r"-[neE]+", args[0]):
        newline = newline and "n" not in args[0]
        interpret = "e" in args[0]
        args = args[1:]
    text = " ".join(args)
    if interpret:
        text, stop = escapes(text, echo=True)
        if stop:
            return text, "", 0
    return text + ("\n" if newline else ""), "", 0


def printf(ctx, argv, style):
    if len(argv) < 2:
        return "", "printf: missing operand\n" if style == "gnu" else "Usage: printf FORMAT [ARG]...\n", 1
    return pf(argv[1], argv[2:])


def sed(ctx, argv, style):
    """sed: s/re/rep/[gip], d, p, q, line and /re/ addresses, -n, -e, -i, -E."""
    quiet, inplace, ere, scripts, names, i = False, False, False, [], [], 1
    while i < len(argv):
        a = argv[i]
        if a == "-n":
            quiet = True
        elif a in ("-i", "--in-place") or a.startswith("-i"):
            inplace = True
        elif a in ("-E", "-r"):
            ere = True
        elif a == "-e" and i + 1 < len(argv):
            scripts.append(argv[i + 1])
            i += 1
        elif a.startswith("-") and len(a) > 1:
            for ch in a[1:]:
                quiet = quiet or ch == "n"
                inplace = inplace or ch == "i"
                ere = ere or ch in "Er"
        elif not scripts:
            scripts.append(a)
        else:
            names.append(a)
        i += 1
    cmds = []
    try:
        for s in scripts:
            for part in _split_sed(s):
                cmds.append(_parse_sed(part.strip(), ere))
    except ValueError as e:
        return "", str(e), 1 if style == "busybox" else 1
    def run(text):
        out = []
        ls = text.splitlines()
        for n, ln in enumerate(ls, 1):
            deleted = False
            for addr, op, arg in cmds:
                if addr is not None and not _match_addr(addr, n, ln, len(ls)):
                    continue
                if op == "s":
                    rx, rep, flags = arg
                    new, k = rx.subn(rep, ln, count=0 if "g" in flags else 1)
                    if k:
                        ln = new
                        if "p" in flags:
                            out.append(ln + "\n")
                elif op == "d":
                    deleted = True
                    break
                elif op == "p":
                    out.append(ln + "\n")
                elif op == "q":
                    if not quiet:
                        out.append(ln + "\n")
                    return "".join(out)
            if not deleted and not quiet:
                out.append(ln + "\n")
        return "".join(out)
    if inplace:
        f = fs(ctx)
        err, code = [], 0
        for n in names:
            p = path(ctx, n)
            t = f.read(p)
            if t is None:
                err.append(f"sed: can't read {n}: No such file or directory\n" if style == "gnu"
                           else f"sed: {n}: No such file or directory\n")
                code = 2 if style == "gnu" else 1
                continue
            why = f.write(p, run(t))
            if why:
                err.append(f"sed: couldn't open temporary file {n}: {ERRNO.get(why, why)}\n")
                code = 4
        return "", "".join(err), code
    got, err, code = read_input(ctx, names, "sed", style)
    return "".join(run(t) for _, t in got), err, code


def _split_sed(s: str) -> list[str]:
    parts, cur, i, depth = [], [], 0, 0
    while i < len(s):
        c = s[i]
        if c in ";\n" and not cur_in_s(cur):
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return [p for p in parts if p.strip()]


def cur_in_s(cur: list[str]) -> bool:
    """Inside an s command's pattern or replacement (a ';' there is literal)."""
    text = "".join(cur).lstrip()
    m = re.match(r"(?:\d+|\$|/[^/]*/)?\s*s(.)", text)
    if not m:
        return False
    d = m.group(1)
    body = text[m.end():]
    n, esc = 0, False
    for c in body:
        if esc:
            esc = False
        elif c == "\\":
            esc = True
        elif c == d:
            n += 1
    return n < 2


def _bre(p: str, ere: bool) -> str:
    if ere:
        return p
    p = p.replace(r"\(", "\x01").replace(r"\)", "\x02").replace(r"\{", "\x03").replace(r"\}", "\x04")
    p = p.replace(r"\+", "\x05").replace(r"\?", "\x06").replace(r"\|", "\x07")
    p = p.replace("(", r"\(").replace(")", r"\)").replace("{", r"\{").replace("}", r"\}").replace("+", r"\+")
    p = p.replace("?", r"\?").replace("|", r"\|")
    return p.translate({1: "(", 2: ")", 3: "{", 4: "}", 5: "+", 6: "?", 7: "|"})


def _parse_sed(cmd: str, ere: bool):
    addr = None
    m = re.match(r"(\d+|\$|/(?:[^/\\]|\\.)*/)(?:,(\d+|\$|/(?:[^/\\]|\\.)*/))?\s*", cmd)
    if m and cmd[m.end():m.end() + 1] in ("s", "d", "p", "q", "") and m.group(0):
        def one(a):
            if a is None:
                return None
            if a.startswith("/"):
                return re.compile(_bre(a[1:-1], ere))
            return a
        addr = (one(m.group(1)), one(m.group(2)), [False])
        cmd = cmd[m.end():]
    if cmd.startswith("s") and len(cmd) > 1:
        d = cmd[1]
        pieces, cur, esc = [], [], False
        for c in cmd[2:]:
            if esc:
                cur.append(c if c == d else "\\" + c)
                esc = False
            elif c == "\\":
                esc = True
            elif c == d and len(pieces) < 2:
                pieces.append("".join(cur))
                cur = []
            else:
                cur.append(c)
        pieces.append("".join(cur))
        if len(pieces) != 3:
            raise ValueError(f"sed: -e expression #1, char {len(cmd)}: unterminated `s' command\n")
        pat, rep, flags = pieces
        rep = re.sub(r"\\(\d)", r"\\g<\1>", rep.replace("\\&", "\x00")).replace("&", r"\g<0>").replace("\x00", "&")
        return addr, "s", (re.compile(_bre(pat, ere), re.I if "I" in flags or "i" in flags else 0), rep, flags)
    if cmd in ("d", "p", "q"):
        return addr, cmd, None
    raise ValueError(f"minikctl: sed command '{cmd}' is not simulated (s, d, p, q with line or /regex/ addresses are)\n")


def _match_addr(addr, n, ln, total):
    a, b, state = addr

    def hit(x):
        if x == "$":
            return n == total
        if isinstance(x, str):
            return n == int(x)
        return bool(x.search(ln))
    if b is None:
        return hit(a)
    if state[0]:
        if hit(b) or (isinstance(b, str) and b != "$" and n >= int(b)):
            state[0] = False
        return True
    if hit(a):
        state[0] = not (isinstance(b, str) and b != "$" and int(b) <= n)
        return True
    return False


TABLE = {"head": head, "tail": tail, "wc": wc, "sort": sort, "uniq": uniq, "cut": cut, "tr": tr, "grep": grep,
         "egrep": lambda c, a, s: grep(c, [a[0], "-E", *a[1:]], s), "fgrep": lambda c, a, s: grep(c, [a[0], "-F", *a[1:]], s),
         "seq": seq, "basename": basename, "dirname": dirname, "echo": echo, "printf": printf, "sed": sed}
