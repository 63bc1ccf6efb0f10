"""`sh -c "..."`, `sh` reading a script on stdin, and `exec -it POD -- sh`, in the image's dialect.

Why a thin layer: the interpreter is minikctl/sh (one for every simulated shell); this module
picks the image's dialect (busybox ash, Debian dash, bash), gives the shell the container's
files (minikctl/images/fs.py) and applets, and keeps the session API the exec verb uses.
"""
from __future__ import annotations

from minikctl.sh.dialect import Dialect
from minikctl.sh.interp import Shell as _Interp
from minikctl import lazy

fs_of = lazy.function("minikctl.images.fs", "fs_of")
image_for_ctx = lazy.function("minikctl.images.registry", "image_for_ctx")
parse = lazy.function("minikctl.sh.parser", "parse")
toolset_for_ctx = lazy.function("minikctl.images.registry", "toolset_for_ctx")
parser = lazy.module("minikctl.sh.parser")


class Shell(_Interp):
    """A shell in a container (or on a node): Shell(ctx, tools, argv0, dialect).run(script)."""

    def __init__(self, ctx, tools: dict, argv0: str = "sh", dialect: str = "ash", interactive: bool = False,
                 env: dict | None = None):
        fs_of(ctx)
        if env is None and ctx.pod is not None and getattr(ctx, "environ", None) is None and "env" in tools:
            out, _, _ = tools["env"](ctx, ["env"])
            env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        super().__init__(ctx, tools, Dialect(dialect, argv0, interactive), env=env)


def make_sh(dialect: str = "ash"):
    """The `sh` tool: `sh -c SCRIPT [NAME [ARGS...]]`, `sh FILE`, or a script on stdin."""
    def sh(ctx, argv):
        tools = toolset_for_ctx(ctx)
        name = argv[0].rsplit("/", 1)[-1]
        d = "bash" if name == "bash" else dialect
        args = argv[1:]
        opts = []
        while args and args[0].startswith(("-", "+")) and args[0] not in ("-", "--", "-c") and len(args[0]) > 1:
            opts.append(args.pop(0))
        if args and args[0] == "--":
            args.pop(0)
        if args and args[0] == "-c":
            if len(args) < 2:
                msg = f"{argv[0]}: -c: option requires an argument\n" if d == "bash" else \
                    f"{argv[0]}: -c requires an argument\n"
                return "", msg, 2
            shell = Shell(ctx, tools, argv0=args[2] if len(args) > 2 else argv[0], dialect=d,
                          env=getattr(ctx, "environ", None))
            shell.positional = list(args[3:])
            _set_opts(shell, opts)
            o, e, code, _ = shell.run(args[1])
            return o, e, code
        if args:
            fs = fs_of(ctx)
            path = args[0] if args[0].startswith("/") else (ctx.cwd.rstrip("/") + "/" + args[0])
            text = fs.read(path) if fs is not None else None
            if text is None:
                if d == "bash":
                    return "", f"{argv[0]}: {args[0]}: No such file or directory\n", 127
                if d == "dash":
                    return "", f"{argv[0]}: 0: cannot open {args[0]}: No such file\n", 2
                return "", f"{argv[0]}: can't open '{args[0]}': No such file or directory\n", 127
            shell = Shell(ctx, tools, argv0=args[0] if d != "bash" else args[0], dialect=d,
                          env=getattr(ctx, "environ", None))
            shell.positional = list(args[1:])
            _set_opts(shell, opts)
            o, e, code, _ = shell.run(text, stdin=ctx.stdin)
            return o, e, code
        shell = Shell(ctx, tools, argv0=argv[0], dialect=d, env=getattr(ctx, "environ", None))
        _set_opts(shell, opts)
        o, e, code, _ = shell.run(ctx.stdin or "", stdin="")
        return o, e, code
    return sh


def _set_opts(shell, opts: list[str]) -> None:
    for o in opts:
        for f in o[1:]:
            shell.options[f] = o[0] == "-"


SHELLS = ("sh", "bash", "ash", "dash")


def is_interactive_shell(argv: list[str]) -> bool:
    """A shell started with no script (`sh`, `/bin/bash -l`): it reads commands from its stdin,
    so an attached terminal drives it line by line (exec -it, attach, run -it)."""
    if not argv or argv[0].rsplit("/", 1)[-1] not in SHELLS:
        return False
    return all(a in ("-i", "-l", "--login", "-il", "-li") for a in argv[1:])


class ShellSession:
    """`exec -it POD -- sh`: prompt, run each line, stop on `exit`.

    Usage: s = ShellSession(ctx); print(s.prompt, end=''); out, err, done = s.feed(line).
    `s.exit_code` is the status to report when done. A line that opens a compound command
    (`for ...; do`) waits for the rest: feed() returns ('', '', False) and `prompt` becomes `> `.
    """

    def __init__(self, ctx, argv0: str = "sh"):
        img = image_for_ctx(ctx)
        name = argv0.rsplit("/", 1)[-1]
        dialect = "bash" if name == "bash" else img.shell_dialect
        self.shell = Shell(ctx, img.tools, argv0=argv0, dialect=dialect, interactive=True)
        self._prompt_style = dialect
        self.done = False
        self.exit_code = 0
        self.pending = ""
        self.interactive = True      # a terminal is attached (False: `exec -i` reading a pipe)
        self.line = 1                # dash numbers the lines typed: `sh: 3: foo: not found`

    @property
    def prompt(self) -> str:
        if self.pending:
            return "> "
        cwd = self.shell.cwd
        if self._prompt_style == "ash":
            return f"{'~' if cwd == '/root' else cwd} # "
        if self._prompt_style == "bash":
            host = self.shell.vars.get("HOSTNAME", "localhost")
            base = "~" if cwd == "/root" else ("/" if cwd == "/" else cwd.rstrip("/").rsplit("/", 1)[-1])
            return f"root@{host}:{'~' if cwd == '/root' else cwd}# " if base else "# "
        return "# "

    def feed(self, line: str) -> tuple[str, str, bool]:
        text = self.pending + line
        try:
            parse(text, self.shell.dialect.name)
        except parser.ShSyntaxError as e:
            if e.kind in ("eof", "quote", "eofmatch", "brace") and line.strip():
                self.pending = text + "\n"
                return "", "", False
        self.pending = ""
        o, e, code, exited = self.shell.run(text, stdin="", lineno=self.line)
        self.line += text.count("\n") + 1
        if exited:
            self.done = True
            self.exit_code = code
            e += self.farewell
        return o, e, self.done

    @property
    def farewell(self) -> str:
        """What an interactive shell prints as it exits (`exit` or end of input): bash says
        `exit` on stderr, ash and dash say nothing."""
        return "exit\n" if self._prompt_style == "bash" and self.interactive else ""
