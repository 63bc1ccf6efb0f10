"""What `minikctl shell`'s commands are to the shell interpreter (minikctl/sh): kubectl in-process,
the session's built-ins (builtins.py), the file commands (files.py) and the containers' text applets.

Why pipelines over text: every command here is in-process (kubectl through minikctl.cli.main.run,
the rest built-ins), so `kubectl get po | grep web` is kubectl's output in a buffer handed to grep
as a string. The last command of a line writes to the terminal directly, so kubectl keeps its
colours and `get -w` streams. Nothing runs on the host except the learner's $EDITOR
(files.f_edit).
"""
from __future__ import annotations

import io
import os

from minikctl.sh.interp import Input  # TermInput's base class: needed as this module loads
from minikctl.shell import builtins
from minikctl import lazy

Dialect = lazy.function("minikctl.sh.dialect", "Dialect")
Flow = lazy.function("minikctl.sh.interp", "Flow")
HostFS = lazy.function("minikctl.shell.hostfs", "HostFS")
Shell = lazy.function("minikctl.sh.interp", "Shell")
_simulated = lazy.function("minikctl.images.applets", "_simulated")
files = lazy.module("minikctl.shell.files")
run = lazy.function("minikctl.cli.main", "run")

KUBECTL = ("kubectl", "minikctl")
# the session's own versions of these (bash's, with the session's home, history and clock)
SESSION = ("cd", "alias", "unalias", "history", "exit", "logout", "clear", "source", ".", "complete", "shopt",
           "bind", "sleep", "help")
# text tools: the same applets containers have (minikctl/images/applets, GNU coreutils style)
APPLETS = ("grep", "egrep", "fgrep", "head", "tail", "wc", "sort", "uniq", "cut", "tr", "sed", "awk", "seq",
           "basename", "dirname", "base64", "expr", "find", "xargs", "timeout", "tee", "printenv", "env")


class TermInput(Input):
    """The session's stdin (the terminal, or the lines piped to `minikctl shell`)."""

    def __init__(self, stream):
        super().__init__("")
        self.stream = stream

    def read_all(self):
        return None

    def readline(self):
        line = self.stream.readline()
        return line or None


def _stdin(inp) -> str | None:
    return None if isinstance(inp, TermInput) else inp.read_all()


def _adapt(repl, fn):
    def run(sh, argv, io_, assigns):
        code = fn(repl, argv, builtins.IO(_stdin(io_[0]), io_[1], io_[2], assigns or {}))
        if repl.exited:
            raise Flow("exit", code)
        return code
    return run


def _kubectl(repl):
    def run(sh, argv, io_, assigns):
        return kubectl(repl, argv[1:], _stdin(io_[0]), io_[1], io_[2], assigns or {})
    return run


def _helm(repl):
    """`helm ...` in the session is `minikctl helm ...` (the exam's helm on the node)."""
    def run(sh, argv, io_, assigns):
        return kubectl(repl, ["helm"] + list(argv[1:]), _stdin(io_[0]), io_[1], io_[2], assigns or {})
    return run


class _AppletCtx:
    """What an applet sees in the session: the learner's files, the session's variables; stdin is
    read only if the applet reads it (a bare `grep x` reads the terminal, `seq 3` does not)."""
    view = pod = container = node = None

    def __init__(self, sh, stdin_input, assigns):
        self._in, self.cwd, self.fs = stdin_input, sh.cwd, sh.fs
        self.environ, self.env = sh.environ(assigns), sh.environ(assigns)
        self.runner, self.clock = sh.runner, sh.clock
        self._text = None

    @property
    def stdin(self) -> str:
        if self._text is None:
            self._text = (self._in.stream.read() if isinstance(self._in, TermInput) else self._in.read_all()) or ""
        return self._text


def _applet(name):
    def run(sh, argv, io_, assigns):
        o, e, code = _simulated()[name](_AppletCtx(sh, io_[0], assigns), list(argv), "gnu")
        if o:
            io_[1].write(o)
        if e:
            io_[2].write(e)
        return code
    return run


def interpreter(repl):
    """The bash interpreter of a session: its commands, its files, its home."""

    class _Ctx:                       # what minikctl/sh reads from a context
        view = None
        stdin = ""
        cwd = repl.home
        fs = HostFS()
        clock = None
    sh = Shell(_Ctx(), {}, Dialect("bash", "bash", interactive=True), env=dict(os.environ))
    sh.home = repl.home
    sh.pid = os.getpid()
    sh.clock.deadline = None
    over = {name: _adapt(repl, builtins.TABLE[name]) for name in SESSION}
    over.update({name: _adapt(repl, fn) for name, fn in files.TABLE.items()})
    over.update({name: _applet(name) for name in APPLETS})
    for name in KUBECTL:
        over[name] = _kubectl(repl)
    over["helm"] = _helm(repl)
    sh.overrides = over
    return sh


def run_tree(repl, tree) -> int:
    sh = repl.interp
    _, _, code, exited = sh.run("", stdin=TermInput(repl.stdin), out=repl.stdout, err=repl.stderr, tree=tree)
    if exited:
        repl.exited = True
    try:
        repl.stdout.flush()
    except (AttributeError, ValueError, OSError):
        pass
    return code


def kubectl(repl, argv: list[str], stdin: str | None, out, err, assigns: dict) -> int:
    """kubectl/minikctl: one in-process run of the minikctl CLI with this command's streams."""
    cenv = repl.cluster_env(io.StringIO(stdin) if stdin is not None else repl.stdin, out, err)
    with repl.host(assigns):
        code = run(argv, cenv)
    if code == 130 and repl.interactive:           # Ctrl-C ended it (get -w, logs -f): bash's newline
        repl.stdout.write("\n")
    try:
        out.flush()
    except (AttributeError, ValueError, OSError):
        pass
    return code
