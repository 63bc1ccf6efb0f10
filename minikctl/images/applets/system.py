"""System applets: env, printenv, id, whoami, uname, hostname, date, sleep (the simulated clock),
ps, df, xargs, which, true, false, awk (print-only subset), tar (for `kubectl cp`)."""
from __future__ import annotations

import re
import time

from minikctl.images.applets.common import fs, path, read_input
import base64 as b64
from minikctl import lazy

calendar = lazy.module("calendar")
environ = lazy.function("minikctl.images.applets.common", "environ")
pod_hostname = lazy.function("minikctl.images.base", "pod_hostname")
resolve_tool = lazy.function("minikctl.images.registry", "resolve_tool")
toolset_for_ctx = lazy.function("minikctl.images.registry", "toolset_for_ctx")
fs_of = lazy.function("minikctl.images.applets.common", "fs")
interp = lazy.module("minikctl.sh.interp")


def _environ(ctx) -> list[tuple[str, str]]:
    return environ(ctx)


def env(ctx, argv, style):
    """env [-i] [-u NAME] [NAME=VALUE]... [CMD ARGS...]: CMD with that environment, or print it."""
    args = argv[1:]
    extra: dict[str, str] = {}
    clear, unset = False, set()
    while args:
        a = args[0]
        if a in ("-i", "-", "--ignore-environment"):
            clear = True
        elif a in ("-u", "--unset") and len(args) > 1:
            unset.add(args[1])
            args = args[1:]
        elif "=" in a and not a.startswith("="):
            k, v = a.split("=", 1)
            extra[k] = v
        else:
            break
        args = args[1:]
    if args:
        if ctx.runner is None:
            return "", "minikctl: env CMD outside a shell is not simulated\n", 126
        if unset:
            return "", "minikctl: env -u with a command is not simulated\n", 126
        return ctx.runner(args, ctx.stdin or "", env=extra, clear=clear)
    items = {} if clear else {k: v for k, v in _environ(ctx) if k not in unset}
    items.update(extra)
    return "".join(f"{k}={v}\n" for k, v in items.items()), "", 0


def printenv(ctx, argv, style):
    e = dict(_environ(ctx))
    names = argv[1:]
    if not names:
        return "".join(f"{k}={v}\n" for k, v in e.items()), "", 0
    out = [e[n] + "\n" for n in names if n in e]
    return "".join(out), "", 0 if len(out) == len(names) else 1


def id_(ctx, argv, style):
    """id [-u|-g|-G|-n]: root, and the groups containerd gives the process: the primary group,
    then every /etc/group entry that lists root (busybox image: wheel; Alpine: many; Debian: none)."""
    args = argv[1:]
    flags = "".join(a[1:] for a in args if a.startswith("-"))
    f = fs_of(ctx)
    groups = [(0, "root")]
    text = (f.read("/etc/group") if f is not None else None) or ""
    for line in text.splitlines():
        parts = line.split(":")
        if len(parts) >= 4 and "root" in parts[3].split(",") and parts[2].isdigit() and int(parts[2]) != 0:
            groups.append((int(parts[2]), parts[0]))
    if "u" in flags or "g" in flags:
        return ("root\n" if "n" in flags else "0\n"), "", 0
    if "G" in flags:
        return " ".join(name if "n" in flags else str(g) for g, name in groups) + "\n", "", 0
    listed = ",".join(f"{g}({name})" for g, name in groups)
    return f"uid=0(root) gid=0(root) groups={listed}\n", "", 0


def whoami(ctx, argv, style):
    return "root\n", "", 0


def hostname(ctx, argv, style):
    name = pod_hostname(ctx.pod, ctx.node)
    if "-i" in argv[1:]:
        ip = ((ctx.pod or {}).get("status") or {}).get("podIP") or "127.0.0.1"
        return ip + (" \n" if style == "gnu" else "\n"), "", 0
    return name + "\n", "", 0


KERNEL = "5.15.0-126-generic"


def uname(ctx, argv, style):
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-")) or "s"
    host = pod_hostname(ctx.pod, ctx.node)
    parts = {"s": "Linux", "n": host, "r": KERNEL, "v": "#136-Ubuntu SMP Wed Nov 6 10:38:22 UTC 2024",
             "m": "x86_64", "o": "GNU/Linux"}
    if "a" in flags:
        order = "snrvm" + ("o" if style == "gnu" else "") if style == "gnu" else "snrvmo"
        vals = [parts[k] for k in order]
        if style == "gnu":
            # Debian's coreutils leaves out the unknown -p and -i; Ubuntu's and RHEL's (the nodes) know them
            vals = [parts[k] for k in "snrvm"] + (["GNU/Linux"] if ctx.pod is not None
                                                  else ["x86_64", "x86_64", "GNU/Linux"])
        return " ".join(vals) + "\n", "", 0
    return " ".join(parts[k] for k in "snrvmo" if k in flags) + "\n", "", 0


def _now(ctx) -> float:
    clock = getattr(ctx, "clock", None)
    if clock is not None:
        return clock.now
    return float(getattr(ctx.view, "now", 0.0))


def _parse_date(text: str) -> float | None:
    """The -d forms scripts use: @EPOCH, YYYY-MM-DD, YYYY-MM-DD[ T]HH:MM[:SS] (UTC, as in pods)."""
    m = re.fullmatch(r"@(-?\d+)", text.strip())
    if m:
        return float(m.group(1))
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?", text.strip())
    if m:
        y, mo, d, h, mi, sec = (int(x) if x else 0 for x in m.groups())
        try:
            return float(calendar.timegm((y, mo, d, h, mi, sec, 0, 0, 0))) if 1 <= mo <= 12 and 1 <= d <= 31 \
                else None
        except (OverflowError, ValueError):
            return None
    return None


def date(ctx, argv, style):
    """date [-u] [-d STRING] [+FORMAT]: the simulated clock's time (UTC, as in containers)."""
    args = argv[1:]
    when = _now(ctx)
    fmt = None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-d", "--date") and i + 1 < len(args) or a.startswith("--date="):
            text = args[i + 1] if a in ("-d", "--date") else a.split("=", 1)[1]
            i += 1 if a in ("-d", "--date") else 0
            got = _parse_date(text)
            if got is None:
                return "", f"date: invalid date '{text}'\n", 1
            when = got
        elif a.startswith("+"):
            fmt = a[1:]
        i += 1
    t = time.gmtime(when)
    if fmt is not None:
        fmt = fmt.replace("%N", "000000000").replace("%s", str(int(when)))
        return time.strftime(fmt, t) + "\n", "", 0
    return time.strftime("%a %b %e %H:%M:%S UTC %Y", t) + "\n", "", 0


def sleep(ctx, argv, style):
    if len(argv) < 2:
        return "", ("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: sleep [N]...\n"
                    if style == "busybox" else "sleep: missing operand\nTry 'sleep --help' for more information.\n"), 1
    total = 0.0
    for a in argv[1:]:
        m = re.fullmatch(r"(\d+(?:\.\d*)?)([smhd]?)", a)
        if a == "infinity":
            total = float("inf")
            continue
        if not m:
            return "", (f"sleep: invalid number '{a}'\n" if style == "busybox" else
                        f"sleep: invalid time interval '{a}'\nTry 'sleep --help' for more information.\n"), 1
        total += float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    clock = getattr(ctx, "clock", None)
    if clock is not None:
        clock.sleep(total)
    return "", "", 0


def true(ctx, argv, style):
    return "", "", 0


def false(ctx, argv, style):
    return "", "", 1


def xargs(ctx, argv, style):
    args = argv[1:]
    n = None
    repl = None
    while args and args[0].startswith("-"):
        a = args.pop(0)
        if a == "-n" and args:
            n = int(args.pop(0))
        elif a.startswith("-n"):
            n = int(a[2:])
        elif a == "-I" and args:
            repl = args.pop(0)
        elif a in ("-r", "-t", "--no-run-if-empty", "-0"):
            continue
    cmd = args or ["echo"]
    items = (ctx.stdin or "").split() if repl is None else [x for x in (ctx.stdin or "").split("\n") if x]
    if ctx.runner is None:
        return "", "minikctl: xargs outside a shell is not simulated\n", 126
    out, err, code = [], [], 0
    if repl is not None:
        batches = [[a.replace(repl, it) for a in cmd] for it in items]
    elif n:
        batches = [cmd + items[i:i + n] for i in range(0, len(items), n)]
    else:
        batches = [cmd + items] if items or style == "gnu" else [cmd]
    for b in batches:
        o, e, c = ctx.runner(b, "")
        out.append(o)
        err.append(e)
        if c:
            code = 123 if c < 126 else c
    return "".join(out), "".join(err), code


def which(ctx, argv, style):
    tools = toolset_for_ctx(ctx)
    out, code = [], 0
    f = fs(ctx)
    for n in argv[1:]:
        if resolve_tool(tools, n) is None:
            code = 1
            continue
        hit = next((d + n for d in ("/usr/local/sbin/", "/usr/local/bin/", "/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/")
                    if f is not None and f.kind(d + n) == "file"), "/bin/" + n)
        out.append(hit + "\n")
    return "".join(out), "", code


def awk(ctx, argv, style):
    """The print subset: [-F sep] '[/re/ | NR==n | $N=="x"] { print $1, $NF, "text" }' and END { print NR }."""
    args = argv[1:]
    sep = None
    while args and args[0].startswith("-F"):
        a = args.pop(0)
        sep = a[2:] if len(a) > 2 else (args.pop(0) if args else " ")
    if not args:
        return "", "usage: awk [-F sep] 'program' [file ...]\n", 2
    prog, names = args[0], args[1:]
    m = re.fullmatch(r"\s*(?:(/.*/|NR\s*==\s*\d+|\$\d+\s*==\s*\"[^\"]*\")\s*)?(?:\{\s*print\s*(.*?)\s*;?\s*\})?"
                     r"\s*(?:END\s*\{\s*print\s*(.*?)\s*;?\s*\})?\s*", prog, re.S)
    if not m or not prog.strip():
        return "", "minikctl: this awk program is not simulated (print with /re/, NR==n, $N==\"x\" and END are)\n", 126
    cond, fields, end = m.group(1), m.group(2), m.group(3)
    if m.group(2) is None and cond is None and end is None:
        return "", "minikctl: this awk program is not simulated\n", 126
    got, err, code = read_input(ctx, names, "awk", style)
    out, nr = [], 0

    def render(expr, cols, ln):
        if expr is None or expr == "":
            return ln
        vals = []
        for f in (x.strip() for x in re.split(r",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", expr)):
            parts = re.findall(r'"[^"]*"|\$NF|\$\d+|NF|NR|\S+', f)
            s = ""
            for p in parts:
                if p.startswith('"'):
                    s += p[1:-1].replace("\\t", "\t").replace("\\n", "\n")
                elif p == "$NF":
                    s += cols[-1] if cols else ""
                elif p.startswith("$"):
                    k = int(p[1:])
                    s += ln if k == 0 else (cols[k - 1] if k <= len(cols) else "")
                elif p == "NF":
                    s += str(len(cols))
                elif p == "NR":
                    s += str(nr)
                else:
                    s += p
            vals.append(s)
        return " ".join(vals)
    for _, t in got:
        for ln in (x.rstrip("\n") for x in t.splitlines()):
            nr += 1
            cols = ln.split(sep) if sep and sep != " " else ln.split()
            if cond:
                if cond.startswith("/"):
                    if not re.search(cond[1:-1], ln):
                        continue
                elif cond.startswith("NR"):
                    if nr != int(cond.split("==")[1]):
                        continue
                else:
                    k, v = re.fullmatch(r"\$(\d+)\s*==\s*\"([^\"]*)\"", cond).groups()
                    if (cols[int(k) - 1] if int(k) <= len(cols) else "") != v:
                        continue
            if fields is not None or (cond and end is None):
                out.append(render(fields, cols, ln) + "\n")
    if end is not None:
        out.append(render(end, [], "") + "\n")
    return "".join(out), err, code


def timeout(ctx, argv, style):
    """timeout [-s SIG] DURATION CMD...: CMD on the simulated clock; 124 when time runs out."""
    args = argv[1:]
    while args and args[0].startswith("-"):
        a = args.pop(0)
        if a in ("-s", "-k", "--signal", "--kill-after") and args:
            args.pop(0)
    if len(args) < 2:
        return "", ("timeout: missing operand\nTry 'timeout --help' for more information.\n" if style == "gnu" else
                    "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: timeout [-s SIG] [-k KILL_SECS] SECS PROG ARGS\n"), 125 if style == "gnu" else 1
    m = re.fullmatch(r"(\d+(?:\.\d*)?)([smhd]?)", args[0])
    if not m:
        return "", f"timeout: invalid time interval '{args[0]}'\nTry 'timeout --help' for more information.\n", 125
    secs = float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    clock = getattr(ctx, "clock", None)
    if ctx.runner is None or clock is None:
        return "", "minikctl: timeout outside a shell is not simulated\n", 126
    saved = (clock.deadline, clock.quiet, clock.stopped)
    clock.deadline, clock.quiet = clock.elapsed + secs, True
    try:
        return ctx.runner(args[1:], ctx.stdin or "")
    except interp.StopScript:
        return "", "", 124
    finally:
        clock.deadline, clock.quiet, clock.stopped = saved


def passthrough(ctx, argv, style):
    """nohup / nice / time-less wrappers: run the rest of the command line."""
    args = argv[1:]
    while args and args[0].startswith("-"):
        a = args.pop(0)
        if a in ("-n",) and args:
            args.pop(0)
    if not args:
        return "", f"{argv[0]}: missing operand\n", 1 if style == "busybox" else 125
    if ctx.runner is None:
        return "", f"minikctl: {argv[0]} outside a shell is not simulated\n", 126
    return ctx.runner(args, ctx.stdin or "")


def base64_(ctx, argv, style):
    decode = any(a in ("-d", "--decode") for a in argv[1:])
    names = [a for a in argv[1:] if not a.startswith("-")]
    got, err, code = read_input(ctx, names[:1], "base64", style)
    if code:
        return "", err, code
    text = got[0][1]
    if decode:
        try:
            return b64.b64decode("".join(text.split())).decode("utf-8", "surrogateescape"), "", 0
        except ValueError:
            return "", "base64: invalid input\n" if style == "gnu" else "base64: truncated base64 input\n", 1
    enc = b64.b64encode(text.encode("utf-8", "surrogateescape")).decode()
    if any(a in ("-w0", "-w", "--wrap=0") for a in argv[1:]) and ("-w0" in argv or "--wrap=0" in argv):
        return enc, "", 0
    return "".join(enc[i:i + 76] + "\n" for i in range(0, len(enc), 76)) or "", "", 0


def expr(ctx, argv, style):
    """expr: integer arithmetic and comparisons, `length`, one level (what old scripts use)."""
    a = argv[1:]
    try:
        if len(a) == 2 and a[0] == "length":
            v = len(a[1])
        elif len(a) == 1:
            v = a[0]
        elif len(a) == 3:
            x, op, y = a
            ints = re.fullmatch(r"-?\d+", x) and re.fullmatch(r"-?\d+", y)
            if op in ("+", "-", "*", "/", "%"):
                if not ints:
                    return "", "expr: non-integer argument\n" if style == "gnu" else "expr: non-numeric argument\n", 2
                i, j = int(x), int(y)
                if op in "/%" and j == 0:
                    return "", "expr: division by zero\n", 2
                v = {"+": i + j, "-": i - j, "*": i * j, "/": int(i / j), "%": i - int(i / j) * j}[op]
            elif op in ("=", "!=", "<", ">", "<=", ">="):
                l, r = (int(x), int(y)) if ints else (x, y)
                v = int({"=": l == r, "!=": l != r, "<": l < r, ">": l > r, "<=": l <= r, ">=": l >= r}[op])
            else:
                raise ValueError
        else:
            raise ValueError
    except ValueError:
        return "", "minikctl: this expr expression is not simulated\n", 126
    return f"{v}\n", "", 0 if v not in (0, "", "0") else 1


TABLE = {"env": env, "printenv": printenv, "id": id_, "whoami": whoami, "hostname": hostname, "uname": uname,
         "date": date, "sleep": sleep, "true": true, "false": false, "xargs": xargs,
         "which": which, "awk": awk, "timeout": timeout, "nohup": passthrough, "nice": passthrough,
         "base64": base64_, "expr": expr}
