"""A small POSIX-ish shell for `sh -c "..."` and `exec -it POD -- sh`.

Why: learners type `sh -c 'nslookup x; echo $?'` or open a shell and try commands. We support
what such lines use: `;`, `&&`, `||`, `|`, newlines, single/double quotes, backslash, `$VAR`,
`${VAR}`, `$?`, assignments, `export`, `cd`, `exit`, `#` comments. Commands run as simulated tools
from the image's toolset; nothing reaches the host. Dialects: busybox ash (`sh: foo: not found`)
and Debian dash (`sh: 1: foo: not found`), both exit 127.
"""
from __future__ import annotations

import dataclasses

OPS = (";", "&&", "||", "|", "\n")


def tokenize(script: str) -> list:
    """Words (lists of ('lit', s) / ('var', name) parts, with a quoted flag) and operators."""
    toks: list = []
    word: list = []
    quoted = False
    has_word = False
    i, n = 0, len(script)

    def flush():
        nonlocal word, quoted, has_word
        if has_word:
            toks.append(("word", word, quoted))
        word, quoted, has_word = [], False, False

    def read_var(j: int, parts: list) -> int:
        if j < n and script[j] == "{":
            end = script.find("}", j)
            if end < 0:
                end = n
            parts.append(("var", script[j + 1:end]))
            return end + 1
        if j < n and (script[j] in "?$#!0" ):
            parts.append(("var", script[j]))
            return j + 1
        k = j
        while k < n and (script[k].isalnum() or script[k] == "_"):
            k += 1
        if k == j:
            parts.append(("lit", "$"))
            return j
        parts.append(("var", script[j:k]))
        return k

    while i < n:
        c = script[i]
        if c in " \t":
            flush()
            i += 1
        elif c == "#" and not has_word:
            while i < n and script[i] != "\n":
                i += 1
        elif c == "\n" or c == ";":
            flush()
            toks.append(("op", ";"))
            i += 1
        elif script.startswith("&&", i) or script.startswith("||", i):
            flush()
            toks.append(("op", script[i:i + 2]))
            i += 2
        elif c == "|":
            flush()
            toks.append(("op", "|"))
            i += 1
        elif c == "'":
            end = script.find("'", i + 1)
            if end < 0:
                raise SyntaxError("unterminated quoted string")
            word.append(("lit", script[i + 1:end]))
            quoted = has_word = True
            i = end + 1
        elif c == '"':
            j = i + 1
            has_word = quoted = True
            while True:
                if j >= n:
                    raise SyntaxError("unterminated quoted string")
                d = script[j]
                if d == '"':
                    break
                if d == "\\" and j + 1 < n and script[j + 1] in '"\\$`':
                    word.append(("lit", script[j + 1]))
                    j += 2
                elif d == "$":
                    j = read_var(j + 1, word)
                else:
                    word.append(("lit", d))
                    j += 1
            i = j + 1
        elif c == "\\" and i + 1 < n:
            word.append(("lit", script[i + 1]))
            has_word = True
            i += 2
        elif c == "$":
            has_word = True
            i = read_var(i + 1, word)
        else:
            word.append(("lit", c))
            has_word = True
            i += 1
    flush()
    return toks


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

    def _expand(self, parts) -> str:
        out = []
        for kind, val in parts:
            if kind == "lit":
                out.append(val)
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

    def not_found(self, name: str) -> str:
        if self.dialect == "dash":
            return f"{self.argv0}: {max(self.lineno, 1)}: {name}: not found\n"
        return f"{self.argv0}: {name}: not found\n"

    def run(self, script: str) -> tuple[str, str, int, bool]:
        self.lineno += 1
        try:
            toks = tokenize(script)
        except SyntaxError:
            msg = (f"{self.argv0}: syntax error: unterminated quoted string\n" if self.dialect == "ash"
                   else f"{self.argv0}: {self.lineno}: Syntax error: Unterminated quoted string\n")
            self.status = 2
            return "", msg, 2, False
        # split into (connector, pipeline) items
        items: list[tuple[str, list[list]]] = []
        pipeline: list[list] = [[]]
        conn = ";"
        for t in toks:
            if t[0] == "word":
                pipeline[-1].append(t)
            elif t[1] == "|":
                pipeline.append([])
            else:
                items.append((conn, pipeline))
                conn, pipeline = t[1], [[]]
        items.append((conn, pipeline))
        out, err = [], []
        for conn, pipe in items:
            if not any(pipe):
                continue
            if conn == "&&" and self.status != 0:
                continue
            if conn == "||" and self.status == 0:
                continue
            stdin = getattr(self.ctx, "stdin", "")
            for k, words in enumerate(pipe):
                o, e, code, exited = self._run_simple(words, stdin)
                err.append(e)
                if k == len(pipe) - 1:
                    out.append(o)
                stdin = o
                self.status = code
                if exited:
                    return "".join(out), "".join(err), code, True
        return "".join(out), "".join(err), self.status, False

    def _run_simple(self, words, stdin: str):
        argv = []
        for _, parts, quoted in words:
            val = self._expand(parts)
            if val == "" and not quoted:
                continue
            argv.append(val)
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
