"""The shell's own commands: what ash, dash and bash run without looking at $PATH.

Why here and not applets: they change the shell itself (cd, export, set, read, local, shift...)
or are builtins in every dialect (echo, printf, test), so `echo` works even in an image with no
/bin/echo. A builtin is `fn(sh, argv, io) -> status` with io = (Input, stdout sink, stderr sink).
Builtins a real shell has and we do not model print `minikctl: NAME is not simulated` (126).
"""
from __future__ import annotations

import re

from minikctl.sh.interp import Flow
from minikctl.sh.printf import escapes, printf
from minikctl import lazy

parse = lazy.function("minikctl.sh.parser", "parse")
resolve_tool = lazy.function("minikctl.images.registry", "resolve_tool")
test_builtin = lazy.function("minikctl.sh.testexpr", "test_builtin")
parser = lazy.module("minikctl.sh.parser")

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SPECIAL = {":", ".", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return", "set", "shift",
           "trap", "unset"}


def _err(sh, io, text: str) -> None:
    io[2].write(f"{sh.dialect.prefix(sh.lineno)}{text}\n")


def b_true(sh, argv, io):
    return 0


def b_false(sh, argv, io):
    return 1


def b_echo(sh, argv, io):
    args = argv[1:]
    d = sh.dialect.name
    newline, interpret = True, d == "dash"
    while args and d != "dash" and re.fullmatch(r"-[neE]+", args[0]):
        for f in args[0][1:]:
            newline = newline and f != "n"
            interpret = True if f == "e" else False if f == "E" else interpret
        args = args[1:]
    if d == "dash" and args and args[0] == "-n":
        newline, args = False, args[1:]
    text = " ".join(args)
    if interpret:
        text, stop = escapes(text, echo=True)
        if stop:
            io[1].write(text)
            return 0
    io[1].write(text + "\n" if newline else text)
    return 0


def b_printf(sh, argv, io):
    if len(argv) < 2:
        if sh.dialect.bash:
            _err(sh, io, "printf: usage: printf [-v var] format [arguments]")
        else:
            _err(sh, io, "printf: usage: printf format [arg ...]")
        return 2 if sh.dialect.name != "ash" else 1
    o, e, code = printf(argv[1], argv[2:])
    io[1].write(o)
    if e:
        io[2].write(e)
    return code


def b_cd(sh, argv, io):
    args = [a for a in argv[1:] if a not in ("-L", "-P")]
    target = args[0] if args else sh.vars.get("HOME", "/")
    if target == "-":
        target = sh.vars.get("OLDPWD", sh.cwd)
        io[1].write(target + "\n")
    path = sh.abspath(target)
    kind = sh.fs.kind(path) if sh.fs is not None else ("dir" if path == "/" else None)
    if kind != "dir":
        why = "Not a directory" if kind == "file" else "No such file or directory"
        d = sh.dialect
        if d.name == "bash":
            _err(sh, io, f"cd: {target}: {why}")
            return 1
        if d.name == "dash":
            _err(sh, io, f"cd: can't cd to {target}")
            return 2
        io[2].write(f"{d.argv0}: cd: can't cd to {target}: {why}\n")
        return 2
    sh.vars["OLDPWD"] = sh.cwd
    sh.cwd = path
    sh.vars["PWD"] = path
    return 0


def b_pwd(sh, argv, io):
    io[1].write(sh.cwd + "\n")
    return 0


def _quote(v: str) -> str:
    if v and re.fullmatch(r"[A-Za-z0-9_./:=@%+,-]+", v) and False:
        return v
    return "'" + v.replace("'", "'\\''") + "'"


def b_export(sh, argv, io):
    args = [a for a in argv[1:] if a not in ("-p", "-n")]
    if not args:
        for k in sorted(sh.exported):
            if k not in sh.vars:
                continue
            v = sh.vars[k]
            if sh.dialect.bash:
                io[1].write(f'declare -x {k}="{v}"\n')
            else:
                io[1].write(f"export {k}={_quote(v)}\n")
        return 0
    code = 0
    for a in args:
        name, eq, value = a.partition("=")
        if not NAME.match(name):
            if sh.dialect.bash:
                _err(sh, io, f"{argv[0]}: `{a}': not a valid identifier")
                code = 1
                continue
            _err(sh, io, f"{argv[0]}: {name}: bad variable name")
            raise Flow("exit", 2)
        if eq:
            sh.vars[name] = value
        if argv[0] == "export":
            sh.exported.add(name)
    return code


def b_unset(sh, argv, io):
    funcs = "-f" in argv
    for a in argv[1:]:
        if a.startswith("-"):
            continue
        if funcs:
            sh.funcs.pop(a, None)
        else:
            sh.vars.pop(a, None)
            sh.exported.discard(a)
    return 0


def b_local(sh, argv, io):
    if not sh.locals:
        d = sh.dialect
        if d.bash:
            _err(sh, io, "local: can only be used in a function")
            return 1
        _err(sh, io, "local: not in a function")
        return 2
    frame = sh.locals[-1]
    for a in argv[1:]:
        if a.startswith("-"):
            continue
        name, eq, value = a.partition("=")
        if name not in frame:
            frame[name] = sh.vars.get(name)
        if eq:
            sh.vars[name] = value
        elif name not in sh.vars or sh.dialect.bash:
            sh.vars.pop(name, None) if not sh.dialect.bash else sh.vars.setdefault(name, "")
    return 0


def b_set(sh, argv, io):
    args = argv[1:]
    if not args:
        for k in sorted(sh.vars):
            v = sh.vars[k]
            io[1].write(f"{k}={_quote(v)}\n" if not sh.dialect.bash or not re.fullmatch(r"[\w./:-]*", v)
                        else f"{k}={v}\n")
        return 0
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            sh.positional = args[i + 1:]
            return 0
        if a in ("-o", "+o"):
            if i + 1 < len(args):
                opt = args[i + 1]
                key = {"errexit": "e", "nounset": "u", "xtrace": "x", "noglob": "f", "allexport": "a"}.get(opt, opt)
                sh.options[key] = a == "-o"
                i += 2
                continue
            return 0
        if a[:1] in "-+" and len(a) > 1:
            for f in a[1:]:
                sh.options[f] = a[0] == "-"
            i += 1
            continue
        sh.positional = args[i:]
        return 0
    return 0


def b_shift(sh, argv, io):
    n = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 1
    if n > len(sh.positional):
        if sh.dialect.name == "dash":
            _err(sh, io, f"shift: can't shift that many")
            raise Flow("exit", 2)
        if sh.dialect.name == "ash":
            return 1
        return 1
    sh.positional = sh.positional[n:]
    return 0


def _num_arg(sh, argv, io, default):
    if len(argv) < 2:
        return default
    a = argv[1]
    if re.fullmatch(r"-?\d+", a):
        return int(a) & 0xFF
    d = sh.dialect
    if d.bash:
        _err(sh, io, f"{argv[0]}: {a}: numeric argument required")
        return 2
    _err(sh, io, f"{argv[0]}: Illegal number: {a}")
    return 2


def b_exit(sh, argv, io):
    code = _num_arg(sh, argv, io, sh.status)
    raise Flow("exit", code)


def b_return(sh, argv, io):
    code = _num_arg(sh, argv, io, sh.status)
    if not sh.func_depth:
        if sh.dialect.bash:
            _err(sh, io, "return: can only `return' from a function or sourced script")
            return 1
        raise Flow("exit", code)
    raise Flow("return", code)


def _loopctl(sh, argv, io):
    n = 1
    if len(argv) > 1:
        if not argv[1].isdigit() or int(argv[1]) < 1:
            _err(sh, io, f"{argv[0]}: Illegal number: {argv[1]}" if not sh.dialect.bash
                 else f"{argv[0]}: {argv[1]}: loop count out of range")
            return 1
        n = int(argv[1])
    if not sh.loop_depth:
        if sh.dialect.bash:
            _err(sh, io, f"{argv[0]}: only meaningful in a `for', `while', or `until' loop")
        return 0
    raise Flow(argv[0], min(n, sh.loop_depth))


def b_eval(sh, argv, io):
    src = " ".join(argv[1:])
    try:
        tree = parse(src, sh.dialect.name)
    except parser.ShSyntaxError as e:
        msg, code = sh.dialect.syntax(e)
        io[2].write(msg)
        return code
    return sh.x_seq(tree, io)


def b_source(sh, argv, io):
    if len(argv) < 2:
        _err(sh, io, f"{argv[0]}: filename argument required" if sh.dialect.bash else f"{argv[0]}: missing filename")
        return 2
    path = argv[1] if "/" in argv[1] else argv[1]
    text = sh.fs.read(sh.abspath(path)) if sh.fs is not None else None
    if text is None:
        if sh.dialect.bash:
            _err(sh, io, f"{argv[1]}: No such file or directory")
            return 1
        _err(sh, io, f"{argv[0]}: can't open '{argv[1]}'" if sh.dialect.name == "ash" else f"{argv[0]}: cannot open {argv[1]}: No such file")
        raise Flow("exit", 2 if sh.dialect.name == "dash" else 1)
    try:
        tree = parse(text, sh.dialect.name)
    except parser.ShSyntaxError as e:
        io[2].write(sh.dialect.syntax(e)[0])
        return 2
    saved = sh.positional
    if len(argv) > 2:
        sh.positional = argv[2:]
    try:
        return sh.x_seq(tree, io)
    finally:
        sh.positional = saved


def b_exec(sh, argv, io):
    if len(argv) == 1:
        return 0
    code = sh.call(argv[1:], io)
    raise Flow("exit", code)


def b_read(sh, argv, io):
    raw = False
    prompt = None
    names = []
    args = argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-r":
            raw = True
        elif a in ("-p", "-t", "-n", "-d", "-u") and i + 1 < len(args):
            if a == "-p":
                prompt = args[i + 1]
            i += 1
        elif a.startswith("-") and len(a) > 1 and not names:
            if "r" in a:
                raw = True
        else:
            names.append(a)
        i += 1
    if prompt is not None and False:
        io[2].write(prompt)
    names = names or ["REPLY"]
    line = io[0].readline()
    if line is None:
        for n in names:
            sh.vars[n] = ""
        return 1
    eof = not line.endswith("\n")
    line = line[:-1] if line.endswith("\n") else line
    if not raw:
        while line.endswith("\\"):
            nxt = io[0].readline()
            line = line[:-1]
            if nxt is None:
                break
            line += nxt[:-1] if nxt.endswith("\n") else nxt
        line = re.sub(r"\\(.)", r"\1", line)
    ifs = sh.vars.get("IFS", " \t\n")
    ws = "".join(c for c in ifs if c in " \t\n")
    if names == ["REPLY"] and sh.dialect.bash:
        sh.vars["REPLY"] = line
        return 1 if eof else 0
    text = line.strip(ws) if ws else line
    for k, n in enumerate(names):
        if k == len(names) - 1:
            sh.vars[n] = text.rstrip(ws) if ws else text
            break
        if not ifs:
            sh.vars[n], text = text, ""
            continue
        m = re.search("[" + re.escape(ifs) + "]", text)
        if not m:
            sh.vars[n], text = text, ""
            continue
        sh.vars[n] = text[:m.start()]
        text = text[m.end():].lstrip(ws) if ws else text[m.end():]
    return 1 if eof else 0


def b_test(sh, argv, io):
    return test_builtin(sh, argv, io)


def b_type(sh, argv, io):
    code = 0
    for n in argv[1:]:
        if n in sh.funcs:
            io[1].write(f"{n} is a function\n" if not sh.dialect.bash else f"{n} is a function\n")
        elif lookup(n, sh.dialect.name) is not None:
            io[1].write(f"{n} is a shell builtin\n" if n not in SPECIAL or sh.dialect.bash
                        else f"{n} is a special shell builtin\n")
        elif resolve_tool(sh.tools, n) is not None:
            io[1].write(f"{n} is {_where(sh, n)}\n")
        else:
            if sh.dialect.bash:
                _err(sh, io, f"type: {n}: not found")
            else:
                io[1].write(f"{n}: not found\n")
            code = 1
    return code


def _where(sh, n: str) -> str:
    if n.startswith("/"):
        return n
    where = getattr(sh.tools, "paths", {}) if hasattr(sh.tools, "paths") else {}
    return where.get(n, f"/bin/{n}")


def b_command(sh, argv, io):
    args = argv[1:]
    if args and args[0] in ("-v", "-V"):
        code = 1
        for n in args[1:]:
            if n in sh.funcs or lookup(n, sh.dialect.name) is not None:
                io[1].write(n + "\n")
                code = 0
            elif resolve_tool(sh.tools, n) is not None:
                io[1].write(_where(sh, n) + "\n")
                code = 0
        return code
    if not args:
        return 0
    b = lookup(args[0], sh.dialect.name)
    if b is not None:
        return b(sh, args, io)
    return sh.run_tool(args, io)


def b_let(sh, argv, io):
    v = 0
    for a in argv[1:]:
        v = sh.arith(a)
    return 0 if v else 1


def b_quiet(sh, argv, io):
    return 0


def b_trap(sh, argv, io):
    """trap CMD EXIT (0): run when the shell ends; other signals never arrive in the simulation."""
    args = argv[1:]
    if len(args) >= 2:
        for sig in args[1:]:
            if sig in ("EXIT", "0"):
                if args[0] == "-":
                    sh.traps.pop("EXIT", None)
                else:
                    sh.traps["EXIT"] = args[0]
    return 0


def b_umask(sh, argv, io):
    if len(argv) == 1:
        io[1].write("0022\n")
    return 0


def not_simulated(sh, argv, io):
    io[2].write(f"minikctl: {argv[0]} is not simulated\n")
    return 126


TABLE = {
    ":": b_true, "true": b_true, "false": b_false, "echo": b_echo, "printf": b_printf, "cd": b_cd, "pwd": b_pwd,
    "export": b_export, "readonly": b_export, "unset": b_unset, "local": b_local, "set": b_set, "shift": b_shift,
    "exit": b_exit, "return": b_return, "break": _loopctl, "continue": _loopctl, "eval": b_eval, ".": b_source,
    "exec": b_exec, "read": b_read, "test": b_test, "[": b_test, "type": b_type, "command": b_command,
    "trap": b_trap, "wait": b_quiet, "umask": b_umask, "alias": b_quiet, "unalias": b_quiet, "hash": b_quiet,
    "kill": not_simulated, "jobs": not_simulated, "fg": not_simulated, "bg": not_simulated,
    "ulimit": not_simulated, "times": not_simulated, "getopts": not_simulated,
}
EXTRA = {
    "ash": {"let": b_let, "source": b_source},
    "dash": {},
    "bash": {"let": b_let, "source": b_source, "declare": b_export, "typeset": b_export,
             "shopt": b_quiet, "complete": b_quiet, "mapfile": not_simulated, "readarray": not_simulated,
             "pushd": not_simulated, "popd": not_simulated, "dirs": not_simulated, "history": b_quiet,
             "disown": not_simulated, "help": not_simulated, "caller": not_simulated},
}


def lookup(name: str, dialect: str):
    return TABLE.get(name) or EXTRA.get(dialect, {}).get(name)
