"""GNU grep's everyday subset over text: -e -E -F -i -v -c -q -w, basic-regex operators.

Why one implementation: `iptables-save | grep KUBE-SVC` on a node (nodetools) and
`kubectl get po | grep web` in `minikctl shell` are the same grep; both hand it the text and a way
to read named files, and get back (stdout, stderr, exit status).
"""
from __future__ import annotations

import re
from typing import Callable
import warnings

USAGE = "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n"


def _compile(pattern: str, flags: set[str]) -> re.Pattern:
    if "F" in flags:
        pattern = re.escape(pattern)
    elif "E" not in flags:                    # basic regex: \| \( \) are the operators
        pattern = pattern.replace(r"\|", "\x00").replace("|", r"\|").replace("\x00", "|")
        pattern = pattern.replace(r"\(", "\x01").replace(r"\)", "\x02").replace("(", r"\(").replace(")", r"\)")
        pattern = pattern.replace("\x01", "(").replace("\x02", ")")
    if "w" in flags:
        pattern = rf"\b(?:{pattern})\b"
    with warnings.catch_warnings():              # "possible nested set" for `[[`: not the learner's concern
        warnings.simplefilter("ignore")
        return re.compile(pattern, re.I if "i" in flags else 0)


def grep(argv: list[str], read: Callable[[str | None], str | None]) -> tuple[str, str, int]:
    """Run `grep ARGS...` over the files `read(name)` returns (None: missing), or `read(None)`,
    the standard input, when no FILE is named.

    Exit status as GNU grep: 0 a line matched, 1 none did, 2 an error (a missing file still
    lets the others be searched).
    """
    flags: set[str] = set()
    args: list[str] = []
    patterns: list[str] = []
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == "-e" and i + 1 < len(argv):
            patterns.append(argv[i + 1])
            i += 2
            continue
        if a.startswith("-") and len(a) > 1:
            flags.update(a[1:])
        else:
            args.append(a)
        i += 1
    if not patterns:
        if not args:
            return "", USAGE, 2
        patterns = [args.pop(0)]
    try:
        regexes = [_compile(p, flags) for p in patterns]
    except re.error:
        return "", "grep: Unmatched ( or \\(\n", 2
    err, code, out, matched = [], 0, [], False
    sources = [(name, read(name)) for name in args] if args else [(None, read(None) or "")]
    many = len(args) > 1 and "h" not in flags or "H" in flags
    for name, text in sources:
        if text is None:
            err.append(f"grep: {name}: No such file or directory\n")
            code = 2
            continue
        label = "(standard input)" if name is None else name
        n_hits = 0
        for lineno, ln in enumerate(text.splitlines(), 1):
            if "x" in flags:
                hit = any(r.fullmatch(ln) for r in regexes)
            else:
                hit = any(r.search(ln) for r in regexes)
            if hit == ("v" in flags):
                continue
            n_hits += 1
            if "c" in flags or "q" in flags or "l" in flags or "L" in flags:
                continue
            pre = (f"{label}:" if many else "") + (f"{lineno}:" if "n" in flags else "")
            if "o" in flags and "v" not in flags:
                for r in regexes:
                    out.extend(f"{pre}{m.group(0)}\n" for m in r.finditer(ln) if m.group(0))
            else:
                out.append(f"{pre}{ln}\n")
        matched = matched or n_hits > 0
        if "c" in flags and "q" not in flags:
            out.append((f"{label}:" if many else "") + f"{n_hits}\n")
        elif "l" in flags and n_hits:
            out.append(label + "\n")
        elif "L" in flags and not n_hits:
            out.append(label + "\n")
        if "q" in flags and matched:
            return "", "", 0
    return "".join(out), "".join(err), code or (0 if matched else 1)
