"""Text filters for pipelines over kubectl output: grep, head, tail, wc, sort, uniq, cut, awk
(`{print $N}` only), tee. GNU coreutils' messages and exit statuses.

Why: `kubectl get po | grep web`, `| wc -l`, `-o name | head -1` are exam reflexes; they run here
over the captured text, never as host programs. Input is the pipe, or the named files.
"""
from __future__ import annotations

import re


def _input(sh, io, files: list[str], cmd: str) -> tuple[str, int]:
    if not files:
        return (io.stdin if io.stdin is not None else sh.stdin.read()), 0
    text, code = [], 0
    for f in files:
        try:
            text.append(sh.path(f).read_text(errors="replace"))
        except OSError:
            io.err.write(f"{cmd}: {f}: No such file or directory\n")
            code = 2 if cmd == "grep" else 1
    return "".join(text), code


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _count(argv: list[str], default: int = 10) -> tuple[int, list[str]]:
    """`-n N`, `-nN`, `-N`, `--lines=N`; returns (N, the other arguments)."""
    n, rest, i = default, [], 1
    while i < len(argv):
        a = argv[i]
        if a == "-n" and i + 1 < len(argv):
            n, i = int(argv[i + 1]), i + 2
            continue
        if a.startswith("--lines="):
            n = int(a.split("=", 1)[1])
        elif a.startswith("-n") and a[2:].lstrip("-").isdigit():
            n = int(a[2:])
        elif a[1:].isdigit() and a.startswith("-"):
            n = int(a[1:])
        else:
            rest.append(a)
        i += 1
    return n, rest


def t_grep(sh, argv, io) -> int:
    from minikctl.images.grep import grep

    def read(name: str | None) -> str | None:
        if name is None:
            return io.stdin if io.stdin is not None else sh.stdin.read()
        try:
            return sh.path(name).read_text(errors="replace")
        except OSError:
            return None
    out, err, code = grep(argv, read)
    io.out.write(out)
    io.err.write(err)
    return code


def t_head(sh, argv, io) -> int:
    n, files = _count(argv)
    text, code = _input(sh, io, files, "head")
    lines = _lines(text)
    io.out.write("".join(lines[:n] if n >= 0 else lines[:n]))
    return code


def t_tail(sh, argv, io) -> int:
    n, files = _count(argv)
    text, code = _input(sh, io, files, "tail")
    io.out.write("".join(_lines(text)[-n:] if n else []))
    return code


def t_wc(sh, argv, io) -> int:
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-")) or "lwc"
    files = [a for a in argv[1:] if not a.startswith("-")]
    text, code = _input(sh, io, files, "wc")
    counts = {"l": text.count("\n"), "w": len(text.split()), "c": len(text.encode()), "m": len(text)}
    vals = [counts[f] for f in "lwmc" if f in flags]
    if len(vals) == 1:
        io.out.write(f"{vals[0]}\n")
    else:
        width = max(len(str(v)) for v in vals)
        io.out.write(" ".join(f"{v:>{width}}" for v in vals) + "\n")
    return code


def t_sort(sh, argv, io) -> int:
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-"))
    text, code = _input(sh, io, [a for a in argv[1:] if not a.startswith("-")], "sort")
    lines = [ln.rstrip("\n") for ln in _lines(text)]
    if "n" in flags:
        def key(s):
            m = re.match(r"\s*(-?\d+(\.\d+)?)", s)
            return (float(m.group(1)) if m else 0.0, s)
        lines.sort(key=key, reverse="r" in flags)
    else:
        lines.sort(reverse="r" in flags)
    if "u" in flags:
        lines = list(dict.fromkeys(lines))
    io.out.write("".join(x + "\n" for x in lines))
    return code


def t_uniq(sh, argv, io) -> int:
    text, code = _input(sh, io, [a for a in argv[1:] if not a.startswith("-")], "uniq")
    out, prev, n = [], None, 0
    for ln in [x.rstrip("\n") for x in _lines(text)] + [None]:
        if ln != prev and prev is not None:
            out.append(f"{n:7d} {prev}" if "-c" in argv else prev)
        n = n + 1 if ln == prev else 1
        prev = ln
    io.out.write("".join(x + "\n" for x in out))
    return code


def t_awk(sh, argv, io) -> int:
    """Only `awk '{print $1, $3}'` (optionally /re/ before the braces): the habit kubectl users have."""
    prog = argv[1] if len(argv) > 1 else ""
    m = re.fullmatch(r"\s*(?:/(.*)/)?\s*\{\s*print\s*(.*?)\s*;?\s*\}\s*", prog)
    if not m:
        io.err.write("awk: only '{print $N, ...}' is supported in minikctl shell\n")
        return 2
    rx = re.compile(m.group(1)) if m.group(1) else None
    fields = [f.strip() for f in m.group(2).split(",")] if m.group(2) else ["$0"]
    text, code = _input(sh, io, argv[2:], "awk")
    for ln in (x.rstrip("\n") for x in _lines(text)):
        if rx and not rx.search(ln):
            continue
        cols = ln.split()
        vals = []
        for f in fields:
            if f == "$0":
                vals.append(ln)
            elif f == "NF":
                vals.append(str(len(cols)))
            elif f.startswith("$") and f[1:].isdigit():
                k = int(f[1:])
                vals.append(ln if k == 0 else (cols[k - 1] if k <= len(cols) else ""))
            else:
                vals.append(f.strip('"'))
        io.out.write(" ".join(vals) + "\n")
    return code


def t_cut(sh, argv, io) -> int:
    delim, fields, files, i = "\t", None, [], 1
    while i < len(argv):
        a = argv[i]
        if a in ("-d", "-f") and i + 1 < len(argv):
            a, i = a + argv[i + 1], i + 1
        if a.startswith("-d"):
            delim = a[2:]
        elif a.startswith("-f"):
            fields = a[2:]
        else:
            files.append(a)
        i += 1
    if fields is None:
        io.err.write("cut: you must specify a list of bytes, characters, or fields\n")
        return 1
    want = set()
    for part in fields.split(","):
        lo, dash, hi = part.partition("-")
        top = int(hi) if hi else (999 if dash else int(lo))
        want.update(range(int(lo or 1), top + 1))
    text, code = _input(sh, io, files, "cut")
    for ln in (x.rstrip("\n") for x in _lines(text)):
        cols = ln.split(delim)
        io.out.write(delim.join(c for k, c in enumerate(cols, 1) if k in want) + "\n")
    return code


def t_tee(sh, argv, io) -> int:
    text = io.stdin if io.stdin is not None else sh.stdin.read()
    mode = "a" if "-a" in argv else "w"
    for f in (a for a in argv[1:] if not a.startswith("-")):
        with open(sh.path(f), mode) as fh:
            fh.write(text)
    io.out.write(text)
    return 0


TABLE = {"grep": t_grep, "egrep": lambda sh, a, io: t_grep(sh, [a[0], "-E", *a[1:]], io), "head": t_head,
         "tail": t_tail, "wc": t_wc, "sort": t_sort, "uniq": t_uniq, "awk": t_awk, "cut": t_cut, "tee": t_tee}
