"""File commands over the shell's real working directory: cat, ls, rm, mkdir, touch, cp, mv,
and the editors (vi, vim, nano, emacs) which open the learner's $EDITOR on the file.

Why real files: manifests written with a heredoc or `> x.yaml` are the learner's to keep and
`kubectl apply -f` reads them from disk. The editor is the one host program the shell starts.
"""
from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import time


def _err(io, cmd: str, name: str, why: str) -> None:
    io.err.write(f"{cmd}: {name}: {why}\n")


def f_cat(sh, argv, io) -> int:
    names = argv[1:]
    if not names:
        io.out.write(io.stdin if io.stdin is not None else sh.stdin.read())
        return 0
    code = 0
    for n in names:
        if n == "-":
            io.out.write(io.stdin or "")
            continue
        p = sh.path(n)
        if p.is_dir():
            _err(io, "cat", n, "Is a directory")
            code = 1
            continue
        try:
            io.out.write(p.read_text(errors="replace"))
        except FileNotFoundError:
            _err(io, "cat", n, "No such file or directory")
            code = 1
        except OSError as e:
            _err(io, "cat", n, e.strerror or "error")
            code = 1
    return code


def _long(p, name: str) -> str:
    st = p.lstat()
    when = time.strftime("%b %e %H:%M", time.localtime(st.st_mtime))
    return f"{stat.filemode(st.st_mode)} 1 root root {st.st_size:>5} {when} {name}"


def f_ls(sh, argv, io) -> int:
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-") and len(a) > 1)
    targets = [a for a in argv[1:] if not a.startswith("-") or a == "-"] or ["."]
    code, blocks = 0, []
    for t in targets:
        p = sh.path(t)
        if not p.exists():
            io.err.write(f"ls: cannot access '{t}': No such file or directory\n")
            code = 2
            continue
        if p.is_dir():
            names = sorted(os.listdir(p), key=str.lower)
            if "a" in flags:
                names = [".", ".."] + names
            names = [n for n in names if "a" in flags or not n.startswith(".")]
            items = [(p / n, n) for n in names]
        else:
            items = [(p, t)]
        blocks.append((t, p.is_dir(), items))
    for idx, (t, is_dir, items) in enumerate(blocks):
        if len(blocks) > 1 and is_dir:
            io.out.write(("\n" if idx else "") + f"{t}:\n")
        if "l" in flags:
            io.out.write("".join(_long(pp, n) + "\n" for pp, n in items))
        elif items:
            sep = "\n" if ("1" in flags or not _tty(io.out)) else "  "
            io.out.write(sep.join(n for _, n in items) + "\n")
    return code


def _tty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def f_rm(sh, argv, io) -> int:
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-"))
    code = 0
    for n in (a for a in argv[1:] if not a.startswith("-")):
        p = sh.path(n)
        if p.is_dir() and not p.is_symlink():
            if "r" in flags or "R" in flags:
                shutil.rmtree(p, ignore_errors=True)
                continue
            io.err.write(f"rm: cannot remove '{n}': Is a directory\n")
            code = 1
        elif p.exists() or p.is_symlink():
            p.unlink()
        elif "f" not in flags:
            io.err.write(f"rm: cannot remove '{n}': No such file or directory\n")
            code = 1
    return code


def f_mkdir(sh, argv, io) -> int:
    parents = "-p" in argv
    code = 0
    for n in (a for a in argv[1:] if not a.startswith("-")):
        try:
            sh.path(n).mkdir(parents=parents, exist_ok=parents)
        except FileExistsError:
            io.err.write(f"mkdir: cannot create directory '{n}': File exists\n")
            code = 1
        except FileNotFoundError:
            io.err.write(f"mkdir: cannot create directory '{n}': No such file or directory\n")
            code = 1
    return code


def f_touch(sh, argv, io) -> int:
    for n in argv[1:]:
        sh.path(n).touch()
    return 0


def f_cp_mv(sh, argv, io) -> int:
    args = [a for a in argv[1:] if not a.startswith("-")]
    if len(args) != 2:
        io.err.write(f"{argv[0]}: missing file operand\n")
        return 1
    src, dst = sh.path(args[0]), sh.path(args[1])
    if not src.exists():
        io.err.write(f"{argv[0]}: cannot stat '{args[0]}': No such file or directory\n")
        return 1
    if dst.is_dir():
        dst = dst / src.name
    (shutil.copy2 if argv[0] == "cp" else shutil.move)(src, dst)
    return 0


def editor_command(sh, typed: str) -> list[str] | None:
    """$EDITOR (the shell's, else the process environment's), else the editor typed if installed."""
    chosen = sh.vars.get("EDITOR") or sh.vars.get("VISUAL")
    if chosen:
        return shlex.split(chosen)
    if shutil.which(typed):
        return [typed]
    for alt in ("vim", "vi", "nano"):
        if shutil.which(alt):
            return [alt]
    return None


def f_edit(sh, argv, io) -> int:
    cmd = editor_command(sh, argv[0])
    if cmd is None:
        io.err.write(f"bash: {argv[0]}: command not found (set EDITOR to your editor)\n")
        return 127
    files = [str(sh.path(a)) if not a.startswith("-") else a for a in argv[1:]]
    with sh.host(io.assigns):
        try:
            return subprocess.call(cmd + files, cwd=sh.cwd)
        except OSError:
            io.err.write(f"bash: {cmd[0]}: command not found\n")
            return 127


TABLE = {"cat": f_cat, "ls": f_ls, "ll": lambda sh, argv, io: f_ls(sh, ["ls", "-l", *argv[1:]], io), "rm": f_rm, "mkdir": f_mkdir, "touch": f_touch, "cp": f_cp_mv,
         "mv": f_cp_mv, "vi": f_edit, "vim": f_edit, "nano": f_edit, "emacs": f_edit, "view": f_edit}
