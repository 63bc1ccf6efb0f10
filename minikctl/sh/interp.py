"""Running a parsed script: the shell's state (variables, functions, options, cwd) and the
execution of each node of the syntax tree against simulated applets and files.

Why text streams: every command is in-process, so a pipeline runs its commands one after the
other, each one's stdout becoming the next one's stdin; stdout and stderr are lists of strings
(`2>&1` makes them the same list, which keeps their order). Nothing reaches the host: a command
is a builtin (builtins.py), a shell function, or an applet of the image (`tools`, the contract of
minikctl/images/context.py), and files are the container's simulated file system (`ctx.fs`).

Seams for other modules:
  Shell(ctx, tools, Dialect(...)).run(script) -> (stdout, stderr, status, exited)
  run_script(ctx, tools, script, dialect=..., argv0=...) -> (stdout, stderr, status)
  `ctx.clock` (a SimClock) advances with `sleep`; past its `deadline` the script stops (a
  container command that loops forever runs only as long as simulated time allows).
"""
from __future__ import annotations

import dataclasses

from minikctl.sh import ast
from minikctl.sh.arith import ArithError, evaluate
from minikctl.sh.dialect import Dialect
from minikctl.sh.expand import ExpandError, Expander, glob_regex
from minikctl.sh.parser import ShSyntaxError, heredoc_parts, parse
import posixpath
import random
import re
from minikctl import lazy

builtins = lazy.module("minikctl.sh.builtins")
dbracket = lazy.function("minikctl.sh.testexpr", "dbracket")
process_env = lazy.function("minikctl.images.base", "process_env")
resolve_tool = lazy.function("minikctl.images.registry", "resolve_tool")

MAX_STEPS = 300_000
MAX_SIM_SECONDS = 3600.0   # a script run by exec stops after an hour of simulated time


class Input:
    """What a command reads: the text and a cursor (`read` takes a line, an applet takes the rest)."""
    __slots__ = ("text", "pos")

    def __init__(self, text: str = ""):
        self.text, self.pos = text or "", 0

    def read_all(self) -> str:
        t = self.text[self.pos:] if self.pos else self.text
        self.pos = len(self.text)
        return t

    def readline(self) -> str | None:
        if self.pos >= len(self.text):
            return None
        end = self.text.find("\n", self.pos)
        end = len(self.text) if end < 0 else end + 1
        line = self.text[self.pos:end]
        self.pos = end
        return line


class Sink(list):
    write = list.append

    def isatty(self) -> bool:
        return False

    def flush(self) -> None:
        pass


class NullSink:
    def write(self, s: str) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def flush(self) -> None:
        pass


class FileSink(Sink):
    def __init__(self, path: str):
        super().__init__()
        self.path = path


class Flow(Exception):
    """break / continue / return / exit travelling up the tree."""

    def __init__(self, kind: str, value: int = 0):
        super().__init__(kind)
        self.kind, self.value = kind, value


class StopScript(Exception):
    """The simulated clock ran past the deadline, or the step budget is spent."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclasses.dataclass
class SimClock:
    """Simulated seconds a script has spent (`sleep`); `deadline` stops it (None: no limit)."""
    start: float = 0.0
    elapsed: float = 0.0
    deadline: float | None = None
    quiet: bool = False            # the caller handles the stop (a container's command run up to a time)
    stopped: bool = False          # set when the deadline stopped the script

    @property
    def now(self) -> float:
        return self.start + self.elapsed

    def sleep(self, seconds: float) -> None:
        self.elapsed += max(seconds, 0.0)
        if self.deadline is not None and self.elapsed > self.deadline:
            self.elapsed = self.deadline
            self.stopped = True
            raise StopScript("deadline")


class Shell:
    def __init__(self, ctx, tools: dict, dialect: Dialect | None = None, env: dict | None = None):
        self.ctx, self.tools = ctx, tools
        self.dialect = dialect or Dialect()
        self.fs = getattr(ctx, "fs", None)
        if env is None:
            env = dict(process_env(ctx))
        self.vars: dict[str, str] = dict(env)
        self.exported: set[str] = set(env)
        self.vars.setdefault("IFS", " \t\n")
        if self.dialect.name == "bash":
            self.vars.setdefault("BASH_VERSION", "5.2.15(1)-release")
        self.vars.setdefault("PWD", getattr(ctx, "cwd", "/") or "/")
        self.funcs: dict = {}
        self.aliases: dict[str, str] = {}     # `alias k=kubectl` (interactive shells)
        self.traps: dict[str, str] = {}       # `trap CMD EXIT`: run when the shell ends
        self.overrides: dict = {}             # a front end's own commands: name -> fn(sh, argv, io)
        self.home: str | None = None          # what `~` means when not $HOME (minikctl shell: its directory)
        self.positional: list[str] = []
        self.options: dict[str, bool] = {}
        self.status = 0
        self.lineno = 1
        self.cwd = getattr(ctx, "cwd", "/") or "/"
        self.pid = 1
        self.last_bg = 0
        self.loop_depth = 0
        self.func_depth = 0
        self.locals: list[dict] = []
        self.errexit_off = 0
        self.steps = [0]
        self.subst_status = None
        self.err = None                   # the current stderr sink, for expansions
        self.ex = Expander(self)
        self.own_clock = getattr(ctx, "clock", None) is None
        self.clock = getattr(ctx, "clock", None) or SimClock(getattr(ctx.view, "now", 0.0) if ctx else 0.0,
                                                             deadline=MAX_SIM_SECONDS)
        self._rng = None
        self.dispatch = {ast.Seq: self.x_seq, ast.AndOr: self.x_andor, ast.Pipeline: self.x_pipeline,
                         ast.Simple: self.x_simple, ast.Brace: self.x_brace, ast.Subshell: self.x_subshell,
                         ast.If: self.x_if, ast.Loop: self.x_loop, ast.For: self.x_for, ast.Case: self.x_case,
                         ast.FuncDef: self.x_funcdef, ast.DBracket: self.x_dbracket, ast.ArithCmd: self.x_arithcmd}

    # -- state ----------------------------------------------------------------------------------
    def fork(self) -> "Shell":
        """A subshell: copies of variables, functions and options; the same files and clock."""
        sub = object.__new__(Shell)
        sub.__dict__.update(self.__dict__)
        sub.vars, sub.exported, sub.funcs = dict(self.vars), set(self.exported), dict(self.funcs)
        sub.positional, sub.options, sub.locals = list(self.positional), dict(self.options), []
        sub.traps = {}
        sub.ex = Expander(sub)
        sub.dispatch = {k: getattr(sub, v.__name__) for k, v in self.dispatch.items()}
        return sub

    def set_var(self, name: str, value: str) -> None:
        self.vars[name] = value
        if self.options.get("a"):
            self.exported.add(name)

    def arith_get(self, name: str) -> str | None:
        return self.ex.param_value(name)

    def arith(self, text: str) -> int:
        try:
            parts = heredoc_parts(text, self.dialect.name)
        except ShSyntaxError as e:
            msg, code = self.dialect.syntax(e)
            raise ExpandError(msg, code)
        expanded = self.ex.word_text(ast.Word(parts))
        try:
            return evaluate(expanded, self.arith_get, self.set_var)
        except ArithError as e:
            msg, code = e.message(self.dialect, self.lineno)
            raise ExpandError(msg, code)
        except RecursionError:
            raise ExpandError(f"{self.dialect.prefix(self.lineno)}expression recursion level exceeded\n", 2)

    def random(self) -> int:
        if self._rng is None:
            rng = getattr(self.ctx.view, "rng", None) if self.ctx else None
            self._rng = random.Random(rng.random() if rng is not None else 0)
        return self._rng.randrange(32768)

    def environ(self, extra: dict | None = None) -> dict:
        env = {k: v for k, v in self.vars.items() if k in self.exported}
        if extra:
            env.update(extra)
        return env

    def abspath(self, path: str) -> str:
        if not path.startswith("/"):
            path = posixpath.join(self.cwd, path)
        return posixpath.normpath(path).replace("//", "/")

    def glob(self, text: str, mask: list[bool]) -> list[str]:
        """Pathname expansion against the container's files, sorted; [] when nothing matches."""
        if self.fs is None:
            return []
        comps, masks, start = [], [], 0
        for i, c in enumerate(text + "/"):
            if c == "/" and (i == len(text) or not mask[i]):
                comps.append(text[start:i])
                masks.append(mask[start:i])
                start = i + 1
        absolute = text.startswith("/")
        results = ["/" if absolute else ""]
        for k, (comp, m) in enumerate(zip(comps, masks)):
            if absolute and k == 0 and comp == "":
                continue
            if comp == "":
                continue
            nxt = []
            if any(ch in "*?[" and not q for ch, q in zip(comp, m)):
                rx = re.compile(glob_regex(comp, m), re.S)
                for base in results:
                    d = self.abspath(base or ".")
                    names = self.fs.listdir(d) or []
                    for name in sorted(names):
                        if name.startswith(".") and not comp.startswith("."):
                            continue
                        if rx.fullmatch(name):
                            nxt.append((base + "/" if base and not base.endswith("/") else base) + name)
            else:
                for base in results:
                    cand = (base + "/" if base and not base.endswith("/") else base) + comp
                    if self.fs.exists(self.abspath(cand)):
                        nxt.append(cand)
            results = nxt
            if not results:
                return []
        return sorted(results) if results != ["/"] else []

    # -- entry points -----------------------------------------------------------------------------
    def run(self, script: str, stdin=None, out=None, err=None, tree=None, lineno: int = 1) -> tuple[str, str, int, bool]:
        """Parse and run one script (or one interactive line): (stdout, stderr, status, exited).

        `out` / `err` may be streams (a terminal): then output goes there as it is produced and
        the returned texts are empty; `stdin` may be text or an Input."""
        given_out, given_err = out is not None, err is not None
        out = out if given_out else Sink()
        err = err if given_err else Sink()
        exited = False
        if tree is None:
            try:
                tree = parse(script, self.dialect.name, lineno=lineno)
            except ShSyntaxError as e:
                msg, code = self.dialect.syntax(e)
                self.status = code
                if given_err:
                    err.write(msg)
                    msg = ""
                return "", msg, code, not self.dialect.interactive
            except RecursionError:
                return "", f"{self.dialect.argv0}: syntax error: too deeply nested\n", 2, True
        if isinstance(stdin, Input):
            inp = stdin
        else:
            inp = Input(getattr(self.ctx, "stdin", "") if stdin is None else stdin)
        try:
            self.status = self.x_seq(tree, (inp, out, err))
        except Flow as f:
            if f.kind == "exit":
                self.status, exited = f.value, True
            elif f.kind == "return":
                self.status = f.value
        except ExpandError as e:
            err.write(e.message)
            self.status, exited = e.status, not self.dialect.interactive
        except StopScript as s:
            if s.reason == "deadline" and self.clock.quiet:
                pass
            elif not self.own_clock:      # a shell inside a shell: the outermost one reports it
                raise
            elif s.reason == "steps":
                err.write(f"minikctl: a script running more than {MAX_STEPS} commands is not simulated (stopped)\n")
            else:
                err.write(f"minikctl: a script running longer than {int(self.clock.deadline)} s of simulated time "
                          "is not simulated (stopped)\n")
            self.status = 124
            exited = True
        except RecursionError:
            err.write(f"{self.dialect.prefix(self.lineno)}maximum nesting depth exceeded "
                      "(minikctl: deep recursion is not simulated)\n")
            self.status, exited = 2, True
        except Exception as e:          # a gap in the simulation must not reach the learner as a traceback
            err.write(f"minikctl: this script is not simulated ({type(e).__name__} in minikctl's shell)\n")
            self.status, exited = 126, True
        trap = self.traps.pop("EXIT", None)
        if trap and (exited or not self.dialect.interactive):
            status = self.status
            self.run(trap, stdin="", out=out, err=err)
            self.status = status
        elif trap:
            self.traps["EXIT"] = trap
        return ("" if given_out else "".join(out)), ("" if given_err else "".join(err)), self.status, exited

    # -- nodes ------------------------------------------------------------------------------------
    def exec(self, node, io) -> int:
        if node.redirs and not isinstance(node, ast.Simple):
            io2, sinks, failed = self.redirect(node.redirs, io)
            if failed is not None:
                return failed
            try:
                return self.dispatch[type(node)](node, io2)
            finally:
                self.close(sinks)
        return self.dispatch[type(node)](node, io)

    def x_seq(self, node, io) -> int:
        status = 0 if not node.items else self.status
        for item in node.items:
            status = self.x_andor(item, io)
        return status

    def x_andor(self, node, io) -> int:
        if not node.rest:
            status = self.x_pipeline(node.first, io)
        else:
            self.errexit_off += 1
            try:
                status = self.x_pipeline(node.first, io)
                last = len(node.rest) - 1
                for k, (op, p) in enumerate(node.rest):
                    if (op == "&&") != (status == 0):
                        continue
                    if k == last:
                        self.errexit_off -= 1
                        try:
                            status = self.x_pipeline(p, io)
                        finally:
                            self.errexit_off += 1
                    else:
                        status = self.x_pipeline(p, io)
            finally:
                self.errexit_off -= 1
        if node.background:
            self.last_bg = self.pid + 100 + self.steps[0] % 1000
            status = 0
        self.status = status
        return status

    def x_pipeline(self, node, io) -> int:
        cmds = node.cmds
        if node.negate:
            self.errexit_off += 1
        try:
            if len(cmds) == 1:
                status = self.exec(cmds[0], io)
            else:
                inp, out, err = io
                statuses = []
                for k, cmd in enumerate(cmds):
                    last = k == len(cmds) - 1
                    sink = out if last else Sink()
                    sub = self.fork()
                    try:
                        st = sub.exec(cmd, (inp, sink, err))
                    except Flow as f:
                        st = f.value if f.kind in ("exit", "return") else 0
                    statuses.append(st)
                    if not last:
                        inp = Input("".join(sink))
                status = statuses[-1]
                if self.options.get("pipefail"):
                    status = next((s for s in reversed(statuses) if s), 0)
        finally:
            if node.negate:
                self.errexit_off -= 1
        if node.negate:
            status = int(status == 0)
        elif status and self.options.get("e") and not self.errexit_off:
            self.status = status
            raise Flow("exit", status)
        self.status = status
        return status

    def x_simple(self, node, io) -> int:
        self.lineno = node.lineno
        steps = self.steps
        steps[0] += 1
        if steps[0] > MAX_STEPS:
            raise StopScript("steps")
        self.err = io[2]
        self.subst_status = None
        words = node.words
        if self.aliases and words and words[0].literal in self.aliases:
            words = self.expand_alias(words)
        argv = self.ex.fields(words) if words else []
        if self.options.get("x"):
            self.xtrace(node, argv, io[2])
        if not argv:
            for name, w in node.assigns:
                self.set_var(name, self.ex.word_text(w))
            if node.redirs:
                io2, sinks, failed = self.redirect(node.redirs, io)
                if failed is not None:
                    return failed
                self.close(sinks)
            return self.subst_status or 0
        assigns = {name: self.ex.word_text(w) for name, w in node.assigns} if node.assigns else None
        if node.redirs:
            io2, sinks, failed = self.redirect(node.redirs, io)
            if failed is not None:
                return failed
            try:
                return self.call(argv, io2, assigns)
            finally:
                self.close(sinks)
        return self.call(argv, io, assigns)

    def xtrace(self, node, argv, err) -> None:
        """set -x: `+ cmd args` on stderr; ash and bash quote what needs quoting, dash does not."""

        def q(a: str) -> str:
            if self.dialect.name == "dash" or (a and re.fullmatch(r"[A-Za-z0-9_./:=@%+,-]+", a)):
                return a
            return "'" + a.replace("'", "'\\''") + "'"
        items = [f"{n}={q(self.ex.word_text(w))}" for n, w in node.assigns] if not argv else []
        items += [q(a) for a in argv]
        if items:
            err.write("+ " + " ".join(items) + "\n")

    def expand_alias(self, words: list) -> list:
        """A leading alias name replaced by its value's words (each alias once, as bash does)."""
        seen: set[str] = set()
        while words and words[0].literal in self.aliases and words[0].literal not in seen:
            name = words[0].literal
            seen.add(name)
            try:
                tree = parse(self.aliases[name], self.dialect.name)
                cmd = tree.items[0].first.cmds[0]
            except (ShSyntaxError, IndexError, AttributeError):
                break
            if not isinstance(cmd, ast.Simple):
                break
            words = list(cmd.words) + list(words[1:])
        return words

    def call(self, argv: list[str], io, assigns: dict | None = None) -> int:
        name = argv[0]
        fn = self.funcs.get(name)
        if fn is not None:
            return self.call_function(fn, argv, io, assigns)
        over = self.overrides.get(name)
        if over is not None:
            return over(self, argv, io, assigns)
        b = builtins.lookup(name, self.dialect.name)
        if b is not None:
            if assigns:
                if name in builtins.SPECIAL:
                    for k, v in assigns.items():
                        self.set_var(k, v)
                else:
                    saved = {k: self.vars.get(k) for k in assigns}
                    self.vars.update(assigns)
                    try:
                        return b(self, argv, io)
                    finally:
                        for k, v in saved.items():
                            if v is None:
                                self.vars.pop(k, None)
                            else:
                                self.vars[k] = v
            return b(self, argv, io)
        return self.run_tool(argv, io, assigns)

    def call_function(self, fn, argv, io, assigns) -> int:
        saved_pos = self.positional
        self.positional = list(argv[1:])
        self.locals.append({})
        saved = {}
        if assigns:
            saved = {k: self.vars.get(k) for k in assigns}
            self.vars.update(assigns)
        self.func_depth += 1
        try:
            if self.func_depth > 200:
                raise RecursionError
            return self.exec(fn, io)
        except Flow as f:
            if f.kind == "return":
                return f.value
            raise
        finally:
            self.func_depth -= 1
            self.positional = saved_pos
            frame = self.locals.pop()
            for k, v in {**frame, **saved}.items():
                if v is None:
                    self.vars.pop(k, None)
                else:
                    self.vars[k] = v

    def run_tool(self, argv: list[str], io, assigns: dict | None = None) -> int:
        name = argv[0]
        tool = resolve_tool(self.tools, name)
        if tool is None and "/" in name and self.fs is not None:
            return self.run_file(argv, io, assigns)
        if tool is None:
            io[2].write(self.dialect.not_found(name, self.lineno))
            return 127
        ctx = dataclasses.replace(self.ctx, stdin=io[0].read_all(), env=self.environ(assigns), cwd=self.cwd,
                                  environ=self.environ(assigns), runner=self.runner, clock=self.clock)
        o, e, code = tool(ctx, argv)
        if o:
            io[1].write(o)
        if e:
            io[2].write(e)
        return code

    def run_file(self, argv, io, assigns) -> int:
        """`./script.sh`: a file of the container with a `#!/bin/sh` line runs in a child shell."""
        path = self.abspath(argv[0])
        text = self.fs.read(path)
        if text is None:
            kind = self.fs.kind(path)
            if kind == "dir":
                io[2].write(f"{self.dialect.prefix(self.lineno)}{argv[0]}: Permission denied\n")
                return 126
            io[2].write(self.dialect.not_found(argv[0], self.lineno))
            return 127
        if not self.fs.executable(path):
            io[2].write(f"{self.dialect.prefix(self.lineno)}{argv[0]}: Permission denied\n")
            return 126
        first = text.split("\n", 1)[0]
        interp = first[2:].strip().split()[0].rsplit("/", 1)[-1] if first.startswith("#!") and first[2:].strip() else "sh"
        if interp not in ("sh", "bash", "ash", "dash"):
            io[2].write(f"minikctl: running {interp} scripts is not simulated\n")
            return 126
        child = Shell(self.ctx, self.tools, Dialect(self.dialect.name if interp == "sh" else interp, argv[0]),
                      env=self.environ(assigns))
        child.cwd, child.positional, child.steps, child.clock = self.cwd, list(argv[1:]), self.steps, self.clock
        child.fs = self.fs
        o, e, code, _ = child.run(text, stdin=io[0].read_all())
        io[1].write(o)
        io[2].write(e)
        return code

    def runner(self, argv: list[str], stdin: str = "", env: dict | None = None,
               clear: bool = False) -> tuple[str, str, int]:
        """For applets that start commands (xargs, env CMD, timeout, nohup): run argv here, with
        `env` added to (or, with clear, replacing) the exported environment (env -i A=1 CMD)."""
        out, err = Sink(), Sink()
        sub = self.fork()
        if clear:
            for k in sub.exported:
                sub.vars.pop(k, None)
            sub.exported = set()
            sub.vars.setdefault("IFS", " \t\n")
        for k, v in (env or {}).items():
            sub.vars[k] = v
            sub.exported.add(k)
        try:
            code = sub.call(list(argv), (Input(stdin), out, err))
        except Flow as f:
            code = f.value
        return "".join(out), "".join(err), code

    def command_subst(self, node) -> str:
        sub = self.fork()
        out = Sink()
        err = self.err if self.err is not None else Sink()
        try:
            code = sub.x_seq(node, (Input(""), out, err))
        except Flow as f:
            code = f.value if f.kind in ("exit", "return") else 0
        self.subst_status = code
        self.status = code
        return "".join(out).rstrip("\n")

    def x_brace(self, node, io) -> int:
        return self.x_seq(node.body, io)

    def x_subshell(self, node, io) -> int:
        sub = self.fork()
        try:
            return sub.x_seq(node.body, io)
        except Flow as f:
            return f.value if f.kind in ("exit", "return") else 0

    def cond(self, seq, io) -> int:
        self.errexit_off += 1
        try:
            return self.x_seq(seq, io)
        finally:
            self.errexit_off -= 1

    def x_if(self, node, io) -> int:
        for cond, body in node.clauses:
            if self.cond(cond, io) == 0:
                return self.x_seq(body, io)
        if node.else_ is not None:
            return self.x_seq(node.else_, io)
        return 0

    def _loop_body(self, body, io) -> tuple[int, str | None]:
        try:
            return self.x_seq(body, io), None
        except Flow as f:
            if f.kind == "break":
                if f.value > 1:
                    raise Flow("break", f.value - 1)
                return self.status, "break"
            if f.kind == "continue":
                if f.value > 1:
                    raise Flow("continue", f.value - 1)
                return self.status, "continue"
            raise

    def x_loop(self, node, io) -> int:
        status = 0
        self.loop_depth += 1
        try:
            while True:
                c = self.cond(node.cond, io)
                if (c == 0) == node.until:
                    break
                status, flow = self._loop_body(node.body, io)
                if flow == "break":
                    break
        finally:
            self.loop_depth -= 1
        return status

    def x_for(self, node, io) -> int:
        self.lineno = node.lineno
        self.err = io[2]
        items = self.ex.fields(node.words) if node.words is not None else list(self.positional)
        status = 0
        self.loop_depth += 1
        try:
            for v in items:
                self.set_var(node.var, v)
                status, flow = self._loop_body(node.body, io)
                if flow == "break":
                    break
        finally:
            self.loop_depth -= 1
        return status

    def x_case(self, node, io) -> int:
        self.lineno = node.lineno
        self.err = io[2]
        value = self.ex.word_text(node.word)
        status = 0
        fall = False
        for patterns, body, term in node.items:
            if fall or any(re.fullmatch(self.ex.pattern(p), value, re.S) for p in patterns):
                status = self.x_seq(body, io)
                if term == ";&":
                    fall = True
                    continue
                return status
        return status if fall else 0

    def x_funcdef(self, node, io) -> int:
        self.funcs[node.name] = node.body
        return 0

    def x_dbracket(self, node, io) -> int:
        self.lineno = node.lineno
        self.err = io[2]
        return dbracket(self, node.words, io)

    def x_arithcmd(self, node, io) -> int:
        self.lineno = node.lineno
        return 0 if self.arith(node.text) != 0 else 1

    # -- redirections -----------------------------------------------------------------------------
    def redirect(self, redirs, io):
        """(new io, file sinks to close, None) or (None, None, status) when one failed."""
        fds = {0: io[0], 1: io[1], 2: io[2]}
        sinks = []
        for r in redirs:
            op = r.op
            fd = r.fd if r.fd is not None else (0 if op in ("<", "<<", "<<-", "<&", "<>") else 1)
            if op in ("<<", "<<-"):
                body = r.body or ""
                if not r.quoted:
                    self.err = fds[2]
                    body = self.ex.word_text(ast.Word(r.parts if r.parts is not None
                                                      else heredoc_parts(body, self.dialect.name)))
                fds[fd] = Input(body)
                continue
            self.err = fds[2]
            target = self.ex.word_text(r.target)
            if op in (">&", "<&"):
                if target == "-":
                    fds[fd] = NullSink() if fd else Input("")
                    continue
                if target.isdigit():
                    src = int(target)
                    if src not in fds:
                        fds[2].write(f"{self.dialect.prefix(self.lineno)}{target}: Bad file descriptor\n")
                        self.close(sinks)
                        return None, None, 2 if self.dialect.name == "dash" else 1
                    fds[fd] = fds[src]
                    continue
                if op == "<&":
                    fds[2].write(f"{self.dialect.prefix(self.lineno)}{target}: ambiguous redirect\n")
                    return None, None, 1
                op, fd = "&>", 1
            if op == "<" or op == "<>":
                text, why = self.open_read(target)
                if text is None:
                    fds[2].write(self.redir_error(target, why, read=True))
                    self.close(sinks)
                    return None, None, 2 if self.dialect.name == "dash" else 1
                fds[fd] = Input(text)
                continue
            sink, why = self.open_write(target, fds, append=op == ">>")
            if sink is None:
                fds[2].write(self.redir_error(target, why, read=False))
                self.close(sinks)
                return None, None, 2 if self.dialect.name == "dash" else 1
            if isinstance(sink, FileSink):
                sinks.append(sink)
            if op == "&>":
                fds[1] = fds[2] = sink
            else:
                fds[fd] = sink
        return (fds[0], fds[1], fds[2]), sinks, None

    def open_read(self, target: str) -> tuple[str | None, str]:
        if target in ("/dev/null", "/dev/zero"):
            return "", ""
        if self.fs is None:
            return None, "ENOENT"
        path = self.abspath(target)
        kind = self.fs.kind(path)
        if kind is None:
            return None, "ENOENT"
        if kind == "dir":
            return None, "EISDIR"
        return self.fs.read(path) or "", ""

    def open_write(self, target: str, fds: dict, append: bool):
        if target == "/dev/null":
            return NullSink(), ""
        if target in ("/dev/stdout", "/proc/self/fd/1"):
            return fds[1], ""
        if target in ("/dev/stderr", "/proc/self/fd/2"):
            return fds[2], ""
        if self.fs is None:
            return NullSink(), ""
        path = self.abspath(target)
        why = self.fs.write(path, "", append=True)
        if why:
            return None, why
        if not append:
            self.fs.write(path, "", append=False)
        return FileSink(path), ""

    def close(self, sinks) -> None:
        for s in sinks or ():
            if s:
                self.fs.write(s.path, "".join(s), append=True)
                s.clear()

    def redir_error(self, target: str, why: str, read: bool) -> str:
        d = self.dialect
        text = {"ENOENT": "No such file or directory", "EISDIR": "Is a directory", "EROFS": "Read-only file system",
                "ENOTDIR": "Not a directory", "EACCES": "Permission denied"}.get(why, why)
        if d.name == "bash":
            return f"{d.prefix(self.lineno)}{target}: {text}\n"
        if d.name == "dash":
            if read:
                return f"{d.prefix(self.lineno)}cannot open {target}: " + \
                    ("No such file" if why == "ENOENT" else text) + "\n"
            return f"{d.prefix(self.lineno)}cannot create {target}: " + \
                ("Directory nonexistent" if why == "ENOENT" else text) + "\n"
        if read:
            return f"{d.argv0}: can't open '{target}': {text}\n"
        return f"{d.argv0}: can't create {target}: " + ("nonexistent directory" if why == "ENOENT" else text) + "\n"


def run_script(ctx, tools: dict, script: str, dialect: str = "ash", argv0: str = "sh",
               args: list[str] | None = None) -> tuple[str, str, int]:
    """`sh -c SCRIPT [argv0 [args...]]` in one call: (stdout, stderr, status)."""
    sh = Shell(ctx, tools, Dialect(dialect, argv0))
    sh.positional = list(args or [])
    o, e, code, _ = sh.run(script)
    return o, e, code
