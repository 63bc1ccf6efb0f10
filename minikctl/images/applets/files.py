"""File applets over the container's file system: cat, ls, mkdir, rmdir, rm, touch, cp, mv, ln,
tee, stat-less basics; busybox and GNU coreutils messages."""
from __future__ import annotations

import posixpath

from minikctl.images.applets.common import ERRNO, fs, path, read_input
import fnmatch


def cat(ctx, argv, style):
    names = [a for a in argv[1:] if not (a.startswith("-") and a != "-")]
    got, err, code = read_input(ctx, names, "cat", style)
    return "".join(t for _, t in got), err, code


def _mode(f, p: str) -> str:
    if f.kind(p) == "dir":
        return "drwxr-xr-x"
    return "-rwxr-xr-x" if f.executable(p) else "-rw-r--r--"


def ls(ctx, argv, style):
    f = fs(ctx)
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-") and len(a) > 1 and not a.startswith("--"))
    targets = [a for a in argv[1:] if not a.startswith("-") or a == "-"] or ["."]
    out, err, code = [], [], 0
    files, dirs = [], []
    for t in targets:
        p = path(ctx, t)
        k = f.kind(p) if f is not None else None
        if k is None:
            err.append(f"ls: {t}: No such file or directory\n" if style == "busybox"
                       else f"ls: cannot access '{t}': No such file or directory\n")
            code = 1 if style == "busybox" else 2
        elif k == "dir" and "d" not in flags:
            dirs.append((t, p))
        else:
            files.append((t, p))

    def render(items):
        if "l" in flags:
            return "".join(f"{_mode(f, p)}    1 root     root     {f.size(p):>9} Jan  1 00:00 {n}\n"
                           if style == "busybox" else
                           f"{_mode(f, p)} 1 root root {f.size(p):>4} Jan  1 00:00 {n}\n" for n, p in items)
        return "".join(n + "\n" for n, _ in items)
    if files:
        out.append(render(files))
    for k, (t, p) in enumerate(dirs):
        names = f.listdir(p) or []
        if "a" in flags:
            names = [".", ".."] + names
        elif "A" not in flags:
            names = [n for n in names if not n.startswith(".")]
        if len(targets) > 1:
            out.append(("\n" if out else "") + f"{t}:\n")
        if "l" in flags:
            out.append(f"total {len(names) * 4}\n")
        out.append(render([(n, posixpath.join(p, n) if n not in (".", "..") else p) for n in names]))
    return "".join(out), "".join(err), code


def _why(prog, style, verb, name, errno):
    if style == "busybox":
        return f"{prog}: {verb} '{name}': {ERRNO.get(errno, errno)}\n"
    return f"{prog}: {verb} '{name}': {ERRNO.get(errno, errno)}\n"


def mkdir(ctx, argv, style):
    f = fs(ctx)
    parents = any(a.startswith("-") and "p" in a for a in argv[1:])
    names = [a for a in argv[1:] if not a.startswith("-")]
    if not names:
        return "", ("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: mkdir [-m MODE] [-p] DIRECTORY...\n"
                    if style == "busybox" else "mkdir: missing operand\nTry 'mkdir --help' for more information.\n"), 1
    err, code = [], 0
    for n in names:
        why = f.mkdir(path(ctx, n), parents=parents)
        if why:
            err.append(f"mkdir: can't create directory '{n}': {ERRNO.get(why, why)}\n" if style == "busybox"
                       else f"mkdir: cannot create directory '{n}': {ERRNO.get(why, why)}\n")
            code = 1
    return "", "".join(err), code


def rmdir(ctx, argv, style):
    f = fs(ctx)
    err, code = [], 0
    for n in (a for a in argv[1:] if not a.startswith("-")):
        p = path(ctx, n)
        why = "ENOTDIR" if f.kind(p) == "file" else f.remove(p, directory=True)
        if why:
            err.append(f"rmdir: '{n}': {ERRNO.get(why, why)}\n" if style == "busybox"
                       else f"rmdir: failed to remove '{n}': {ERRNO.get(why, why)}\n")
            code = 1
    return "", "".join(err), code


def rm(ctx, argv, style):
    f = fs(ctx)
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-") and len(a) > 1)
    names = [a for a in argv[1:] if not a.startswith("-") or a == "-"]
    rec, force = "r" in flags or "R" in flags, "f" in flags
    if not names and not force:
        return "", ("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: rm [-irf] FILE...\n"
                    if style == "busybox" else "rm: missing operand\nTry 'rm --help' for more information.\n"), 1
    err, code = [], 0
    for n in names:
        p = path(ctx, n)
        if p == "/" and rec:
            err.append("rm: can't remove '/'\n" if style == "busybox" else
                       "rm: it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe\n")
            code = 1
            continue
        if f.kind(p) is None:
            if not force:
                err.append(f"rm: can't remove '{n}': No such file or directory\n" if style == "busybox"
                           else f"rm: cannot remove '{n}': No such file or directory\n")
                code = 1
            continue
        why = f.remove(p, recursive=rec)
        if why:
            what = "is a directory" if why == "EISDIR" else ERRNO.get(why, why)
            if style == "busybox":
                err.append(f"rm: '{n}' is a directory\n" if why == "EISDIR" else f"rm: can't remove '{n}': {what}\n")
            else:
                err.append(f"rm: cannot remove '{n}': {'Is a directory' if why == 'EISDIR' else what}\n")
            code = 1
    return "", "".join(err), code


def touch(ctx, argv, style):
    f = fs(ctx)
    err, code = [], 0
    for n in (a for a in argv[1:] if not a.startswith("-")):
        p = path(ctx, n)
        if f.kind(p) is not None:
            continue
        why = f.write(p, "")
        if why:
            err.append(f"touch: {n}: {ERRNO.get(why, why)}\n" if style == "busybox"
                       else f"touch: cannot touch '{n}': {ERRNO.get(why, why)}\n")
            code = 1
    return "", "".join(err), code


def _copy_tree(f, src: str, dst: str) -> str | None:
    if f.kind(src) == "dir":
        why = f.mkdir(dst, parents=True)
        if why:
            return why
        for n in f.listdir(src) or []:
            why = _copy_tree(f, src.rstrip("/") + "/" + n, dst.rstrip("/") + "/" + n)
            if why:
                return why
        return None
    why = f.write(dst, f.read(src) or "")
    if not why and f.executable(src):
        f.chmod_exec(dst)
    return why


def cp_mv(ctx, argv, style):
    f = fs(ctx)
    prog = argv[0].rsplit("/", 1)[-1]
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-") and len(a) > 1)
    args = [a for a in argv[1:] if not a.startswith("-")]
    if len(args) < 2:
        return "", (f"{prog}: missing destination file operand after '{args[0]}'\n" if args else f"{prog}: missing file operand\n") + \
            f"Try '{prog} --help' for more information.\n", 1
    *srcs, dst = args
    dpath = path(ctx, dst)
    err, code = [], 0
    for s in srcs:
        sp = path(ctx, s)
        kind = f.kind(sp)
        if kind is None:
            verb = "rename" if prog == "mv" else "stat"
            err.append(f"{prog}: can't {verb} '{s}': No such file or directory\n" if style == "busybox"
                       else f"{prog}: cannot stat '{s}': No such file or directory\n")
            code = 1
            continue
        target = dpath.rstrip("/") + "/" + posixpath.basename(sp) if f.kind(dpath) == "dir" else dpath
        if kind == "dir" and prog == "cp" and not ("r" in flags or "R" in flags or "a" in flags):
            err.append(f"cp: -r not specified; omitting directory '{s}'\n" if style == "gnu"
                       else f"cp: omitting directory '{s}'\n")
            code = 1
            continue
        why = _copy_tree(f, sp, target)
        if not why and prog == "mv":
            why = f.remove(sp, recursive=True)
        if why:
            err.append(f"{prog}: can't create '{dst}': {ERRNO.get(why, why)}\n" if style == "busybox"
                       else f"{prog}: cannot create regular file '{dst}': {ERRNO.get(why, why)}\n")
            code = 1
    return "", "".join(err), code


def tee(ctx, argv, style):
    f = fs(ctx)
    append = any(a in ("-a", "--append") for a in argv[1:])
    err, code = [], 0
    for n in (a for a in argv[1:] if not a.startswith("-")):
        why = f.write(path(ctx, n), ctx.stdin or "", append=append)
        if why:
            err.append(f"tee: {n}: {ERRNO.get(why, why)}\n")
            code = 1
    return ctx.stdin or "", "".join(err), code


def chmod(ctx, argv, style):
    f = fs(ctx)
    args = [a for a in argv[1:] if not a.startswith("-") or a[1:2] in "rwx"]
    if len(args) < 2:
        return "", "chmod: missing operand\n", 1
    mode, names = args[0], args[1:]
    on = "+x" in mode or (mode.isdigit() and int(mode[-3]) & 1 if len(mode) >= 3 else False)
    off = "-x" in mode or (mode.isdigit() and not on)
    err, code = [], 0
    for n in names:
        p = path(ctx, n)
        if f.kind(p) is None:
            err.append(f"chmod: {n}: No such file or directory\n" if style == "busybox"
                       else f"chmod: cannot access '{n}': No such file or directory\n")
            code = 1
        elif on or off:
            f.chmod_exec(p, bool(on))
    return "", "".join(err), code


def find(ctx, argv, style):
    """find [PATH...] [-maxdepth N] [-mindepth N] [-type f|d] [-name PAT] [-iname PAT] [-print]."""
    f = fs(ctx)
    args = argv[1:]
    paths = []
    while args and not args[0].startswith("-") and args[0] not in ("!", "("):
        paths.append(args.pop(0))
    paths = paths or ["."]
    maxd, mind, kind, name, iname = None, 0, None, None, None
    i = 0
    while i < len(args):
        a = args[i]
        v = args[i + 1] if i + 1 < len(args) else None
        if a == "-maxdepth" and v is not None:
            maxd, i = int(v), i + 2
        elif a == "-mindepth" and v is not None:
            mind, i = int(v), i + 2
        elif a == "-type" and v is not None:
            kind, i = v, i + 2
        elif a == "-name" and v is not None:
            name, i = v, i + 2
        elif a == "-iname" and v is not None:
            iname, i = v, i + 2
        elif a == "-print":
            i += 1
        else:
            return "", f"minikctl: find {a} is not simulated (-name, -iname, -type, -maxdepth, -mindepth are)\n", 126
    out, err, code = [], [], 0

    def visit(p: str, shown: str, depth: int):
        k = f.kind(p)
        base = shown.rstrip("/").rsplit("/", 1)[-1] or shown
        ok = depth >= mind and (kind is None or (kind == "d") == (k == "dir")) \
            and (name is None or fnmatch.fnmatchcase(base, name)) \
            and (iname is None or fnmatch.fnmatchcase(base.lower(), iname.lower()))
        if ok:
            out.append(shown + "\n")
        if k == "dir" and (maxd is None or depth < maxd):
            for n in f.listdir(p) or []:
                visit(p.rstrip("/") + "/" + n, shown.rstrip("/") + "/" + n if shown != "/" else "/" + n, depth + 1)
    for t in paths:
        p = path(ctx, t)
        if f is None or f.kind(p) is None:
            err.append(f"find: {t}: No such file or directory\n" if style == "busybox"
                       else f"find: '{t}': No such file or directory\n")
            code = 1
            continue
        visit(p, t, 0)
    return "".join(out), "".join(err), code


TABLE = {"find": find, "cat": cat, "ls": ls, "mkdir": mkdir, "rmdir": rmdir, "rm": rm, "touch": touch, "cp": cp_mv, "mv": cp_mv,
         "tee": tee, "chmod": chmod}
