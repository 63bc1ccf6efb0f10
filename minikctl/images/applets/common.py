"""What every applet needs: the container's files, paths against the cwd, and the two message
styles (busybox `cat: can't open 'x': No such file or directory`, GNU `cat: x: No such file or
directory`).

An applet is `fn(ctx, argv, style) -> (stdout, stderr, status)`; `style` is "busybox" or "gnu",
bound per image by applets.for_family.
"""
from __future__ import annotations

import posixpath
from minikctl import lazy

fs_of = lazy.function("minikctl.images.fs", "fs_of")
process_env = lazy.function("minikctl.images.base", "process_env")
toolset_for_ctx = lazy.function("minikctl.images.registry", "toolset_for_ctx")

ERRNO = {"ENOENT": "No such file or directory", "EISDIR": "Is a directory", "ENOTDIR": "Not a directory",
         "EROFS": "Read-only file system", "EEXIST": "File exists", "ENOTEMPTY": "Directory not empty",
         "EBUSY": "Device or resource busy", "EACCES": "Permission denied"}


def fs(ctx):
    return fs_of(ctx)


def path(ctx, p: str) -> str:
    if not p.startswith("/"):
        p = posixpath.join(ctx.cwd or "/", p)
    return posixpath.normpath(p).replace("//", "/")


# How each program words a file it cannot read: (busybox, GNU), {n} the name, {w} the reason
MISSING = {
    "cat": ("cat: can't open '{n}': {w}", "cat: {n}: {w}"),
    "head": ("head: {n}: {w}", "head: cannot open '{n}' for reading: {w}"),
    "tail": ("tail: can't open '{n}': {w}", "tail: cannot open '{n}' for reading: {w}"),
    "uniq": ("uniq: can't open '{n}': {w}", "uniq: {n}: {w}"),
    "sort": ("sort: {n}: {w}", "sort: cannot read: {n}: {w}"),
    "sed": ("sed: {n}: {w}", "sed: can't read {n}: {w}"),
    "awk": ("awk: {n}: {w}", "mawk: cannot open {n} ({w})"),
}
STATUS = {("sort", "busybox"): 2, ("sort", "gnu"): 2, ("sed", "gnu"): 2, ("awk", "gnu"): 2}


def missing(prog: str, style: str, name: str, why: str) -> str:
    pair = MISSING.get(prog, (f"{prog}: {{n}}: {{w}}", f"{prog}: {{n}}: {{w}}"))
    return pair[0 if style == "busybox" else 1].format(n=name, w=why) + "\n"


def read_input(ctx, names: list[str], prog: str, style: str) -> tuple[list[tuple[str, str]], str, int]:
    """[(name, text)] of the named files (or stdin), the errors and the status."""
    if not names:
        return [("-", ctx.stdin or "")], "", 0
    out, err, code = [], [], 0
    f = fs(ctx)
    for n in names:
        if n == "-":
            out.append((n, ctx.stdin or ""))
            continue
        p = path(ctx, n)
        kind = f.kind(p) if f is not None else None
        if kind == "file":
            out.append((n, f.read(p) or ""))
        elif kind == "dir":
            if prog == "cat" and style == "busybox":
                err.append("cat: read error: Is a directory\n")
            elif prog == "head" and style == "busybox":
                err.append(f"head: {n}: Input/output error\n")
            elif prog in ("head", "tail") and style == "gnu":
                err.append(f"{prog}: error reading '{n}': Is a directory\n")
            else:
                err.append(f"{prog}: {n}: Is a directory\n" if prog != "grep" else f"grep: {n}: Is a directory\n")
            code = STATUS.get((prog, style), 1)
        else:
            err.append(missing(prog, style, n, "No such file or directory"))
            code = STATUS.get((prog, style), 1)
    if prog == "tail" and style == "busybox" and not out:
        err.append("tail: no files\n")
    return out, "".join(err), code


def lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def environ(ctx) -> list[tuple[str, str]]:
    """The process environment: the shell's exported variables when a shell started us, else the
    image's own (its `env` tool: the image's ENV lines, the kubelet's variables)."""
    if getattr(ctx, "environ", None) is not None:
        return list(ctx.environ.items())
    tool = toolset_for_ctx(ctx).get("env") if ctx.pod is not None else None
    if tool is None:
        return process_env(ctx)
    out, _, _ = tool(ctx, ["env"])
    return [tuple(line.split("=", 1)) for line in out.splitlines() if "=" in line]
