"""The shell's own commands: state (cd, export, alias, history, exit...) and the registry that
also maps the file commands (files.py); text filters are the containers' applets (run.APPLETS).

Why built in: nothing typed may run on the host, yet learners type `cd`, `export NS=prod`,
`alias k=kubectl` and `source <(kubectl completion bash)` out of habit; each does here what it
does in bash, with bash's messages and exit statuses.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from minikctl import lazy

Input = lazy.function("minikctl.sh.interp", "Input")
files = lazy.module("minikctl.shell.files")
parse = lazy.function("minikctl.sh.parser", "parse")
parser = lazy.module("minikctl.sh.parser")
shell_run = lazy.module("minikctl.shell.run")

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class IO:
    stdin: str | None          # piped or redirected input; None = the terminal
    out: object
    err: object
    assigns: dict = field(default_factory=dict)   # `VAR=x cmd`: variables for this command only


def b_cd(sh, argv, io) -> int:
    arg = argv[1] if len(argv) > 1 else sh.home
    if arg == "-":
        if not sh.oldpwd:
            io.err.write("bash: cd: OLDPWD not set\n")
            return 1
        arg = sh.oldpwd
        io.out.write(arg + "\n")
    target = sh.path(arg)
    if not target.exists():
        io.err.write(f"bash: cd: {arg}: No such file or directory\n")
        return 1
    if not target.is_dir():
        io.err.write(f"bash: cd: {arg}: Not a directory\n")
        return 1
    sh.oldpwd, sh.cwd = sh.cwd, os.path.normpath(str(target))
    sh.vars.update(PWD=sh.cwd, OLDPWD=sh.oldpwd)
    return 0


def b_pwd(sh, argv, io) -> int:
    io.out.write(sh.cwd + "\n")
    return 0


def b_echo(sh, argv, io) -> int:
    args, end = argv[1:], "\n"
    if args and args[0] == "-n":
        args, end = args[1:], ""
    io.out.write(" ".join(args) + end)
    return 0


def b_export(sh, argv, io) -> int:
    if len(argv) == 1 or argv[1:] == ["-p"]:
        for k in sorted(sh.exported):
            if k in sh.vars:
                io.out.write(f'declare -x {k}="{sh.vars[k]}"\n')
        return 0
    code = 0
    for a in argv[1:]:
        name, eq, value = a.partition("=")
        if not NAME.match(name):
            io.err.write(f"bash: export: `{a}': not a valid identifier\n")
            code = 1
            continue
        if eq:
            sh.vars[name] = value
        sh.exported.add(name)
    return code


def b_unset(sh, argv, io) -> int:
    for a in argv[1:]:
        if a.startswith("-"):
            continue
        sh.vars.pop(a, None)
        sh.exported.discard(a)
    return 0


def _quote(v: str) -> str:
    return "'" + v.replace("'", "'\\''") + "'"


def b_alias(sh, argv, io) -> int:
    if len(argv) == 1 or argv[1:] == ["-p"]:
        for k in sorted(sh.aliases):
            io.out.write(f"alias {k}={_quote(sh.aliases[k])}\n")
        return 0
    code = 0
    for a in argv[1:]:
        name, eq, value = a.partition("=")
        if eq:
            sh.aliases[name] = value
        elif name in sh.aliases:
            io.out.write(f"alias {name}={_quote(sh.aliases[name])}\n")
        else:
            io.err.write(f"bash: alias: {name}: not found\n")
            code = 1
    return code


def b_unalias(sh, argv, io) -> int:
    if argv[1:] == ["-a"]:
        sh.aliases.clear()
        return 0
    code = 0
    for a in argv[1:]:
        if sh.aliases.pop(a, None) is None:
            io.err.write(f"bash: unalias: {a}: not found\n")
            code = 1
    return code


def b_history(sh, argv, io) -> int:
    if argv[1:2] == ["-c"]:
        sh.history.clear()
        return 0
    if len(argv) > 1 and not argv[1].isdigit():
        io.err.write(f"bash: history: {argv[1]}: numeric argument required\n")
        return 1
    io.out.write(sh.history.listing(int(argv[1]) if len(argv) > 1 else None))
    return 0


def b_exit(sh, argv, io) -> int:
    code = sh.status
    if len(argv) > 1:
        if not argv[1].lstrip("-").isdigit():
            io.err.write(f"bash: exit: {argv[1]}: numeric argument required\n")
            code = 2
        else:
            code = int(argv[1]) & 0xFF
    if sh.interactive:
        sh.stderr.write("exit\n")
    sh.exited = True
    return code


def b_clear(sh, argv, io) -> int:
    io.out.write("\x1b[H\x1b[2J\x1b[3J")
    return 0


def b_source(sh, argv, io) -> int:
    """`source <(kubectl completion bash)` is accepted quietly (completion is built in);
    `source FILE` runs the file's lines in this shell."""
    if len(argv) < 2:
        io.err.write(f"bash: {argv[0]}: filename argument required\n")
        return 2
    if argv[1].startswith("/dev/fd/"):
        return 0
    try:
        text = sh.path(argv[1]).read_text()
    except OSError:
        io.err.write(f"bash: {argv[1]}: No such file or directory\n")
        return 1
    try:
        tree = parse(text, "bash")
    except parser.ShSyntaxError as e:
        io.err.write(sh.interp.dialect.syntax(e)[0])
        return 2
    return sh.interp.x_seq(tree, (Input(io.stdin or ""), io.out, io.err))


def b_quiet(sh, argv, io) -> int:
    """complete, set, shopt, bind...: shell setup lines from a .bashrc, accepted and ignored."""
    return 0


def b_false(sh, argv, io) -> int:
    return 1


def b_sleep(sh, argv, io) -> int:
    try:
        seconds = sum(float(a.rstrip("s")) for a in argv[1:])
    except ValueError:
        io.err.write(f"sleep: invalid time interval '{argv[1]}'\n")
        return 1
    sh.sleep(seconds)
    return 0


def b_help(sh, argv, io) -> int:
    io.out.write("minikctl shell: kubectl, k and minikctl run on the simulated cluster.\n"
                 "Built-ins: " + " ".join(sorted(TABLE)) + "\n"
                 "Editors (vi, vim, nano) open $EDITOR on your file.\n")
    return 0


TABLE: dict = {
    "cd": b_cd, "pwd": b_pwd, "echo": b_echo, "export": b_export, "unset": b_unset, "alias": b_alias,
    "unalias": b_unalias, "history": b_history, "exit": b_exit, "logout": b_exit, "clear": b_clear,
    "source": b_source, ".": b_source, "complete": b_quiet, "set": b_quiet, "shopt": b_quiet,
    "bind": b_quiet, "true": b_quiet, ":": b_quiet, "false": b_false, "sleep": b_sleep, "help": b_help,
}


def lookup(name: str):
    """The function for a command name, or None (then: command not found)."""
    if name in TABLE:
        return TABLE[name]
    return files.TABLE.get(name)


def names() -> list[str]:
    return sorted({*TABLE, *files.TABLE, *shell_run.APPLETS})
