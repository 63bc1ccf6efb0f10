"""The `minikctl shell` session: state (variables, aliases, working directory, history) and the
read-eval loop.

Why a shell of our own: the learner practises the exam's habits (`k get po`, heredocs, `> x.yaml`,
`| grep`, `for` loops) against the simulated cluster, and nothing typed may run on the host. Lines
are read with GNU readline on a terminal (editing, up-arrow history, Tab completion), plainly
otherwise (pipes and tests). The language is minikctl's one shell interpreter (minikctl/sh, bash
dialect); this session gives it its commands (run.py: kubectl in-process, builtins.py, files.py,
the containers' text applets) and the learner's real working directory as its files (hostfs.py).
"""
from __future__ import annotations

import dataclasses
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from minikctl.shell.history import History
from minikctl import lazy

Completer = lazy.function("minikctl.shell.completion", "Completer")
Env = lazy.function("minikctl.env", "Env")
interpreter = lazy.function("minikctl.shell.run", "interpreter")
parse = lazy.function("minikctl.sh.parser", "parse")
run_tree = lazy.function("minikctl.shell.run", "run_tree")
load_profile = lazy.function("minikctl.sim.profile", "load_profile")
parser = lazy.module("minikctl.sh.parser")


def control_plane_name() -> str:
    """The control-plane node of the default profile: the host the prompt claims to be."""
    try:
        for n in load_profile().get("nodes") or []:
            if "control-plane" in (n.get("roles") or []):
                return n["name"]
    except Exception:                               # a broken profile must not stop the shell
        pass
    return "k8s-master"


class Shell:
    def __init__(self, env=None, *, cwd: str | Path | None = None, stdin=None, stdout=None, stderr=None,
                 interactive: bool | None = None, history_path: Path | None = None, sleep=time.sleep):
        self.env = env or Env()
        self.stdin = stdin or self.env.stdin
        self.stdout = stdout or self.env.stdout
        self.stderr = stderr or self.env.stderr
        self.home = str(Path(cwd or os.getcwd()).resolve())
        self.oldpwd: str | None = None
        self.interp = interpreter(self)
        self.cwd = self.home
        self.vars["PWD"] = self.cwd
        self.aliases["k"] = "kubectl"
        self.exited = False
        self.sleep = sleep
        self.host_name = control_plane_name()
        self.lineno = 0
        self.continuing = False
        self.readline = None
        if interactive is None:
            interactive = _isatty(self.stdin) and self.stdin is sys.stdin and _isatty(sys.stdout)
        self.interactive = interactive
        if interactive:
            self.readline = _setup_readline(self)
        self.history = History(history_path, self.readline)

    # -- the session's state lives in the interpreter ------------------------------------------
    vars = property(lambda self: self.interp.vars)
    exported = property(lambda self: self.interp.exported)
    aliases = property(lambda self: self.interp.aliases)

    @property
    def cwd(self) -> str:
        return self.interp.cwd

    @cwd.setter
    def cwd(self, value: str) -> None:
        self.interp.cwd = value

    @property
    def status(self) -> int:
        return self.interp.status

    @status.setter
    def status(self, value: int) -> None:
        self.interp.status = value

    # -- the prompt and reading --------------------------------------------------------------
    def prompt(self) -> str:
        """bash's PS1 on CentOS, `[\\u@\\h \\W]\\$ `: `~` at the shell's home, else the basename."""
        if self.cwd == self.home:
            base = "~"
        else:
            base = os.path.basename(self.cwd.rstrip("/")) or "/"
        return f"[root@{self.host_name} {base}]# "

    def read(self, prompt: str) -> str | None:
        """One line without its newline, or None at end of input (Ctrl-D)."""
        self.continuing = prompt == "> "           # no Tab completion inside a heredoc body
        if self.readline is not None:
            try:
                return input(prompt)
            except EOFError:
                return None
        line = self.stdin.readline()
        if not line:
            return None
        self.lineno += 1
        return line[:-1] if line.endswith("\n") else line

    def loop(self) -> int:
        """Read and run lines until `exit` or end of input; returns the last status."""
        if self.interactive:
            self.stderr.write(f"minikctl shell: kubectl, k and minikctl run on the simulated cluster; "
                              f"files live in {self.home}. Type exit or Ctrl-D to leave.\n")
        while not self.exited:
            try:
                self.stdout.flush()
                line = self.read(self.prompt() if self.interactive else "")
                if line is None:
                    if self.interactive:
                        self.stdout.write("exit\n")
                    break
                self.run_line(line)
            except KeyboardInterrupt:
                self.stdout.write("\n")
                self.status = 130
        self.history.save()
        self.stdout.flush()
        return self.status

    def run_line(self, line: str) -> int:
        """Parse one typed line (reading continuation lines and here-document bodies) and run it."""
        text = line
        first = self.lineno or 1
        while True:
            try:
                if text.endswith("\\") and not text.endswith("\\\\"):
                    raise parser.ShSyntaxError("backslash")
                tree = parse(text, "bash", interactive=True)
                break
            except parser.ShSyntaxError as e:
                if e.kind in ("unexpected", "badsubst", "badfor"):
                    self.history.add(text)
                    msg, code = self.interp.dialect.syntax(e)
                    self.stderr.write(msg)
                    self.status = code
                    return code
                more = self.read("> ")
                if more is None:
                    if e.kind == "heredoc":
                        self.stderr.write(f"bash: warning: here-document at line {first} delimited by "
                                          f"end-of-file (wanted `{e.token}')\n")
                        tree = parse(text, "bash")
                        break
                    self.stderr.write("bash: syntax error: unexpected end of file\n")
                    self.status = 2
                    return 2
                text = text + "\n" + more
        self.history.add(text.split("\n", 1)[0] if "<<" in text else text)
        self.status = run_tree(self, tree)
        return self.status

    # -- the host process around a command ----------------------------------------------------
    @contextmanager
    def host(self, extra: dict | None = None):
        """Run a command with the shell's exported variables as the process environment and its
        working directory as the process cwd (kubectl -f paths, $KUBE_EDITOR); restore after."""
        saved_env = dict(os.environ)
        try:
            saved_cwd = os.getcwd()
        except OSError:
            saved_cwd = None
        os.environ.clear()
        os.environ.update({k: self.vars[k] for k in self.exported if k in self.vars})
        os.environ.update(extra or {})
        try:
            os.chdir(self.cwd)
        except OSError:
            pass
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved_env)
            if saved_cwd:
                try:
                    os.chdir(saved_cwd)
                except OSError:
                    pass

    def cluster_env(self, stdin, stdout, stderr):
        """One Env per command line: the session's clock, seed and state dir, this line's streams."""
        return dataclasses.replace(self.env, stdin=stdin, stdout=stdout, stderr=stderr)

    def path(self, name: str) -> Path:
        """A file name typed at the prompt, relative to the shell's working directory."""
        if name == "~" or name.startswith("~/"):
            name = self.home + name[1:]
        return Path(self.cwd, name)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _setup_readline(shell: Shell):
    """GNU readline on a terminal: Tab completes through completion.py; history is ours."""
    try:  # stays here (tests/test_architecture.py): optional, and only a terminal session wants it
        import readline  # importing it changes how input() reads the terminal
    except ImportError:  # a Python built without it: the shell runs without line editing
        return None
    readline.set_auto_history(False)
    readline.set_completer_delims(" \t\n;|&<>")
    readline.set_completer(Completer(shell).readline_hook)
    readline.parse_and_bind("tab: complete")
    return readline
