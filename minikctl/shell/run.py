"""Run parsed lines: `&&`/`||`/`;`, pipelines over captured text, redirections, expansions.

Why pipelines over text: every command here is in-process (kubectl through minikctl.cli.main.run,
the rest built-ins), so `kubectl get po | grep web` is kubectl's output in a StringIO handed to
grep as a string. Only the last command of a pipeline writes to the terminal directly, so kubectl
keeps its colours there. Nothing runs on the host except the learner's $EDITOR (builtins.editor).
"""
from __future__ import annotations

import glob
import io
import os
import re

from minikctl.shell import builtins
from minikctl.shell.heredoc import expand_body
from minikctl.shell.lexer import Word, tokenize
from minikctl.shell.parse import Command, Item, Redir, parse

ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
KUBECTL = ("kubectl", "minikctl")


class RedirError(Exception):
    """A redirection that cannot be set up: the command does not run (status 1)."""


def execute(sh, items: list[Item]) -> int:
    status = sh.status
    for it in items:
        if sh.exited:
            break
        if (it.connector == "&&" and status != 0) or (it.connector == "||" and status == 0):
            continue
        status = pipeline(sh, it.pipeline)
        sh.status = status
    return status


def capture(sh, script: str) -> str:
    """$(script): run it with stdout captured; bash drops the trailing newlines."""
    buf = io.StringIO()
    saved, sh.stdout = sh.stdout, buf
    try:
        execute(sh, parse(script))
    except Exception:                           # a malformed $(...) expands to nothing
        pass
    finally:
        sh.stdout = saved
    return buf.getvalue().rstrip("\n")


def expand_part(sh, part: tuple) -> str:
    kind, value = part
    if kind == "lit":
        return value
    if kind == "cmd":
        return capture(sh, value)
    if kind == "proc":
        return "/dev/fd/63"
    if value == "?":
        return str(sh.status)
    if value == "$":
        return str(os.getpid())
    if value == "#":
        return "0"
    if value == "0":
        return "bash"
    return sh.vars.get(value, "")


def expand_word(sh, word: Word) -> list[str]:
    """A word -> its fields: unquoted expansions split on blanks, unquoted `~` and globs expand."""
    text = "".join(expand_part(sh, p) for p in word.parts)
    if word.quoted:
        return [text]
    if any(p[0] in ("var", "cmd") for p in word.parts):
        fields = text.split()
    else:
        fields = [text]
    out = []
    for f in fields:
        if f == "~" or f.startswith("~/"):
            f = sh.home + f[1:]
        if any(c in f for c in "*?["):
            hits = sorted(glob.glob(f, root_dir=sh.cwd))
            if hits:
                out.extend(hits)
                continue
        out.append(f)
    return out


def alias_words(sh, words: list[Word]) -> list[Word]:
    """Replace a leading alias name by its value (each alias once, as bash does)."""
    seen: set[str] = set()
    while words:
        name = words[0].literal if not words[0].quoted else None
        if name is None or name not in sh.aliases or name in seen:
            break
        seen.add(name)
        words = [t for t in tokenize(sh.aliases[name]) if isinstance(t, Word)] + words[1:]
    return words


def pipeline(sh, cmds: list[Command]) -> int:
    data: str | None = None
    status = 0
    for i, cmd in enumerate(cmds):
        last = i == len(cmds) - 1
        out = sh.stdout if last else io.StringIO()
        status, produced = simple(sh, cmd, data, out)
        data = produced if not last else None
        try:
            sh.stdout.flush()                    # keep stdout and stderr in the order written
        except (AttributeError, ValueError, OSError):
            pass
    return status


def simple(sh, cmd: Command, stdin: str | None, out) -> tuple[int, str]:
    """Run one command with its redirections; returns (status, what it wrote to a captured out)."""
    err = sh.stderr
    opened = []
    try:
        words = alias_words(sh, cmd.words)
        assigns: dict[str, str] = {}
        while words and words[0].parts and words[0].parts[0][0] == "lit" and ASSIGN.match(words[0].parts[0][1]):
            w = words.pop(0)
            name, _, first = w.parts[0][1].partition("=")
            assigns[name] = first + "".join(expand_part(sh, p) for p in w.parts[1:])
        argv = [f for w in words for f in expand_word(sh, w)]
        for r in cmd.redirs:
            stdin, out, err = redirect(sh, r, stdin, out, err, opened)
        if not argv:
            sh.vars.update(assigns)
            return 0, _captured(out)
        return dispatch(sh, argv, stdin, out, err, assigns), _captured(out)
    except RedirError as e:
        sh.stderr.write(f"bash: {e}\n")
        return 1, ""
    except KeyboardInterrupt:
        sh.stdout.write("\n")
        return 130, _captured(out)
    finally:
        for f in opened:
            f.close()


def _captured(out) -> str:
    return out.getvalue() if isinstance(out, io.StringIO) else ""


def redirect(sh, r: Redir, stdin, out, err, opened: list):
    if r.is_heredoc:
        body = r.body or ""
        return (body if r.target.quoted else expand_body(body, lambda p: expand_part(sh, p))), out, err
    target = " ".join(expand_word(sh, r.target))
    if r.op == ">&":
        if target == "1" and r.fd == 2:
            return stdin, out, out
        if target == "2" and r.fd in (None, 1):
            return stdin, err, err
        if target in ("1", "2"):
            return stdin, out, err
    path = sh.path(target)
    try:
        if r.op == "<":
            return path.read_text(), out, err
        f = open(path, "a" if r.op == ">>" else "w", encoding="utf-8")
    except IsADirectoryError:
        raise RedirError(f"{target}: Is a directory")
    except FileNotFoundError:
        raise RedirError(f"{target}: No such file or directory")
    except PermissionError:
        raise RedirError(f"{target}: Permission denied")
    opened.append(f)
    if r.op in ("&>", ">&"):
        return stdin, f, f
    if r.fd == 2:
        return stdin, out, f
    return stdin, f, err


def dispatch(sh, argv: list[str], stdin: str | None, out, err, assigns: dict) -> int:
    name = argv[0]
    if name in KUBECTL:
        return kubectl(sh, argv[1:], stdin, out, err, assigns)
    fn = builtins.lookup(name)
    if fn is not None:
        return fn(sh, argv, builtins.IO(stdin, out, err, assigns))
    err.write(f"bash: {name}: command not found\n")
    return 127


def kubectl(sh, argv: list[str], stdin: str | None, out, err, assigns: dict) -> int:
    """kubectl/minikctl: one in-process run of the minikctl CLI with this line's streams."""
    from minikctl.cli.main import run
    env = sh.cluster_env(io.StringIO(stdin) if stdin is not None else sh.stdin, out, err)
    with sh.host(assigns):
        code = run(argv, env)
    if code == 130 and sh.interactive:           # Ctrl-C ended it (get -w, logs -f): bash's newline
        sh.stdout.write("\n")
    try:
        out.flush()
    except (AttributeError, ValueError, OSError):
        pass
    return code
