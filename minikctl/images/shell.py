"""A small POSIX-ish shell for `sh -c "..."` and `exec -it POD -- sh`.

Why: learners type `sh -c 'nslookup x 2>/dev/null; echo $?'` or open a shell and try commands.
The line is parsed by the same bash grammar `minikctl shell` uses (minikctl/shell/lexer.py and
parse.py: quotes, `$VAR`, `${VAR}`, `$?`, `$(...)`, `;`, `&&`, `||`, `|`, redirections, `#`
comments); running it is this module's: commands are simulated tools from the image's toolset,
text flows between them as strings, and nothing reaches the host. Redirections: `2>&1`, `>&2`,
`<` from the image's files; output sent to a file is dropped (the container's file system is not
modelled). Dialects: busybox ash (`sh: foo: not found`) and Debian dash (`sh: 1: foo: not
found`), both exit 127.
"""
from __future__ import annotations

import dataclasses

from minikctl.shell.lexer import Incomplete
from minikctl.shell.parse import Command, SyntaxErr, parse


@dataclasses.dataclass
class Shell:
    """Shell state: variables, last status, cwd. `run(script)` returns (out, err, code, exited)."""
    ctx: object
    tools: dict
    argv0: str = "sh"
    dialect: str = "ash"           # ash (busybox) or dash (Debian)
    vars: dict = dataclasses.field(default_factory=dict)
    status: int = 0
    lineno: int = 0

    def __post_init__(self):
        from minikctl.images.base import process_env
        if not self.vars:
            self.vars = dict(process_env(self.ctx))
            self.vars.setdefault("PWD", getattr(self.ctx, "cwd", "/"))

    # -- messages in the dialect ---------------------------------------------------------------
    def not_found(self, name: str) -> str:
        if self.dialect == "dash":
            return f"{self.argv0}: {max(self.lineno, 1)}: {name}: not found\n"
        return f"{self.argv0}: {name}: not found\n"

    def _syntax_error(self, ash: str, dash: str) -> str:
        """ash: `sh: syntax error: unexpected "|"`; dash: `sh: 1: Syntax error: "|" unexpected`."""
        if self.dialect == "ash":
            return f"{self.argv0}: syntax error: {ash}\n"
        return f"{self.argv0}: {self.lineno}: Syntax error: {dash}\n"

    def read_file(self, path: str) -> str | None:
        """A file of the image (for `<`); None when it does not exist."""
        from minikctl.images.base import files
        return files(self.ctx).get(path)

    # -- running ---------------------------------------------------------------------------------
    def run(self, script: str) -> tuple[str, str, int, bool]:
        self.lineno += 1
        try:
            items = parse(script)
        except Incomplete as e:
            self.status = 2
            if e.reason == "quote":
                msg = self._syntax_error("unterminated quoted string", "Unterminated quoted string")
            else:
                msg = self._syntax_error("unexpected end of file", "end of file unexpected")
            return "", msg, 2, False
        except SyntaxErr as e:
            self.status = 2
            tok = str(e) if str(e) == "newline" else f'"{e}"'
            return "", self._syntax_error(f"unexpected {tok}", f"{tok} unexpected"), 2, False
        out, err = [], []
        for item in items:
            if item.connector == "&&" and self.status != 0:
                continue
            if item.connector == "||" and self.status == 0:
                continue
            stdin = getattr(self.ctx, "stdin", "")
            for k, cmd in enumerate(item.pipeline):
                o, e, code, exited = self._run_simple(cmd, stdin)
                err.append(e)
                if k == len(item.pipeline) - 1:
                    out.append(o)
                stdin = o
                self.status = code
                if exited:
                    return "".join(out), "".join(err), code, True
        return "".join(out), "".join(err), self.status, False

    def _expand(self, parts, err: list) -> str:
        out = []
        for kind, val in parts:
            if kind == "lit":
                out.append(val)
            elif kind == "cmd":
                out.append(self._substitute(val, err))
            elif kind == "proc":
                out.append("/dev/fd/63")
            elif val == "?":
                out.append(str(self.status))
            elif val == "0":
                out.append(self.argv0)
            elif val == "$":
                out.append("1")
            elif val == "#":
                out.append("0")
            else:
                out.append(self.vars.get(val, ""))
        return "".join(out)

    def _substitute(self, script: str, err: list) -> str:
        """$(script) in a subshell: its stdout without trailing newlines; `exit` ends only it."""
        sub = dataclasses.replace(self, vars=dict(self.vars), lineno=self.lineno - 1)
        o, e, _code, _ = sub.run(script)
        err.append(e)
        return o.rstrip("\n")

    def _words(self, cmd: Command, err: list) -> list[str]:
        """Expanded fields: an unquoted expansion splits on blanks and vanishes when empty."""
        argv = []
        for w in cmd.words:
            val = self._expand(w.parts, err)
            if w.quoted:
                argv.append(val)
            elif any(p[0] in ("var", "cmd") for p in w.parts):
                argv.extend(val.split())
            elif val:
                argv.append(val)
        return argv

    def _redirect(self, cmd: Command, stdin: str, err: list):
        """(stdin, where stdout goes, where stderr goes, error text): 'out', 'err' or None (dropped)."""
        to_out, to_err = "out", "err"
        for r in cmd.redirs:
            if r.is_heredoc:
                stdin = r.body or ""
                continue
            target = self._expand(r.target.parts, err)
            if r.op == "<":
                text = self.read_file(target)
                if text is None:
                    msg = (f"{self.argv0}: can't open '{target}': No such file or directory\n" if self.dialect == "ash"
                           else f"{self.argv0}: {self.lineno}: cannot open {target}: No such file\n")
                    return stdin, to_out, to_err, msg
                stdin = text
            elif r.op == ">&" and target in ("1", "2"):
                dest = to_out if target == "1" else to_err
                if r.fd == 2:
                    to_err = dest
                else:
                    to_out = dest
            elif r.op in ("&>", ">&"):
                to_out = to_err = None
            elif r.fd == 2:
                to_err = None
            else:
                to_out = None
        return stdin, to_out, to_err, ""

    def _run_simple(self, cmd: Command, stdin: str):
        err: list = []
        argv = self._words(cmd, err)
        stdin, to_out, to_err, failed = self._redirect(cmd, stdin, err)
        if failed:
            return "", "".join(err) + failed, 1 if self.dialect == "ash" else 2, False
        o, e, code, exited = self._builtin_or_tool(argv, stdin)
        streams = {"out": [], "err": err}
        if to_out:
            streams[to_out].append(o)
        if to_err:
            streams[to_err].append(e)
        return "".join(streams["out"]), "".join(streams["err"]), code, exited

    def _builtin_or_tool(self, argv: list[str], stdin: str):
        while argv and "=" in argv[0] and argv[0].split("=", 1)[0].isidentifier():
            k, v = argv.pop(0).split("=", 1)
            self.vars[k] = v
        if not argv:
            return "", "", 0, False
        name = argv[0]
        if name == "exit":
            code = int(argv[1]) if len(argv) > 1 and argv[1].lstrip("-").isdigit() else self.status
            return "", "", code & 0xFF, True
        if name == "export":
            for a in argv[1:]:
                if "=" in a:
                    k, v = a.split("=", 1)
                    self.vars[k] = v
            return "", "", 0, False
        if name == "cd":
            target = argv[1] if len(argv) > 1 else self.vars.get("HOME", "/")
            if target not in ("/", "/etc", "/root", "/tmp", "/usr", "/var", "/bin", "/home"):
                msg = (f"{self.argv0}: cd: can't cd to {target}: No such file or directory\n" if self.dialect == "ash"
                       else f"{self.argv0}: {self.lineno}: cd: can't cd to {target}\n")
                return "", msg, 2 if self.dialect == "dash" else 1, False
            self.ctx = dataclasses.replace(self.ctx, cwd=target)
            self.vars["PWD"] = target
            return "", "", 0, False
        if name == "pwd":
            return self.vars.get("PWD", "/") + "\n", "", 0, False
        from minikctl.images.registry import resolve_tool
        tool = resolve_tool(self.tools, name)
        if tool is None:
            return "", self.not_found(name), 127, False
        env = {k: v for k, v in self.vars.items()}
        sub = dataclasses.replace(self.ctx, stdin=stdin, env={**(self.ctx.env or {}), **{
            k: v for k, v in env.items() if k not in dict(_base_env(self.ctx))}})
        o, e, code = tool(sub, argv)
        return o, e, code, False


def _base_env(ctx):
    from minikctl.images.base import process_env
    return process_env(dataclasses.replace(ctx, env={}))


def make_sh(dialect: str = "ash"):
    """The `sh` tool: `sh -c SCRIPT`, or a script on stdin."""
    def sh(ctx, argv):
        from minikctl.images.registry import toolset_for_ctx
        tools = toolset_for_ctx(ctx)
        args = argv[1:]
        if args and args[0] == "-c":
            if len(args) < 2:
                return "", f"{argv[0]}: -c requires an argument\n", 2
            shell = Shell(ctx, tools, argv0=args[2] if len(args) > 2 else argv[0], dialect=dialect)
            o, e, code, _ = shell.run(args[1])
            return o, e, code
        if args:
            return "", f"{argv[0]}: can't open '{args[0]}': No such file or directory\n", 2 if dialect == "dash" else 127
        shell = Shell(ctx, tools, argv0=argv[0], dialect=dialect)
        out, err = [], []
        code = 0
        for line in (ctx.stdin or "").splitlines():
            o, e, code, exited = shell.run(line)
            out.append(o)
            err.append(e)
            if exited:
                break
        return "".join(out), "".join(err), code
    return sh


class ShellSession:
    """`exec -it POD -- sh`: prompt, run each line, stop on `exit`.

    Usage: s = ShellSession(ctx); print(s.prompt, end=''); out, err, done = s.feed(line).
    `s.exit_code` is the status to report when done.
    """

    def __init__(self, ctx, argv0: str = "sh"):
        from minikctl.images.registry import image_for_ctx
        img = image_for_ctx(ctx)
        self.shell = Shell(ctx, img.tools, argv0=argv0, dialect=img.shell_dialect)
        self._prompt_style = img.shell_dialect
        self.done = False
        self.exit_code = 0

    @property
    def prompt(self) -> str:
        cwd = self.shell.vars.get("PWD", "/")
        if self._prompt_style == "ash":
            return f"{'~' if cwd == '/root' else cwd} # "
        return "# "

    def feed(self, line: str) -> tuple[str, str, bool]:
        o, e, code, exited = self.shell.run(line)
        if exited:
            self.done = True
            self.exit_code = code
        return o, e, self.done
