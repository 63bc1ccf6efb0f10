"""What every applet needs: the container's files, paths against the cwd, and the two message
styles (busybox `cat: can't open 'x': No such file or directory`, GNU `cat: x: No such file or
directory`).

An applet is `fn(ctx, argv, style) -> (stdout, stderr, status)`; `style` is "busybox" or "gnu",
bound per image by applets.for_family.
"""
from __future__ import annotations

import posixpath

ERRNO = {"ENOENT": "No such file or directory", "EISDIR": "Is a directory", "ENOTDIR": "Not a directory",
         "EROFS": "Read-only file system", "EEXIST": "File exists", "ENOTEMPTY": "Directory not empty",
         "EBUSY": "Device or resource busy", "EACCES": "Permission denied"}


def fs(ctx):
    from minikctl.images.fs import fs_of
    return fs_of(ctx)


def path(ctx, p: str) -> str:
    if not p.startswith("/"):
        p = posixpath.join(ctx.cwd or "/", p)
    return posixpath.normpath(p).replace("//", "/")


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
        else:
            why = "Is a directory" if kind == "dir" else "No such file or directory"
            err.append(f"{prog}: can't open '{n}': {why}\n" if style == "busybox" and kind is None
                       else f"{prog}: {n}: {why}\n" if style == "gnu" or kind == "dir" else f"{prog}: {n}: {why}\n")
            code = 1
    return out, "".join(err), code


def lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)
