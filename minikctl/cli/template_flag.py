"""kubectl's `--template` flag, folded into `-o` before the verb parses its flags.

Every kubectl command that prints objects has `--template` beside `-o` (genericclioptions'
PrintFlags): the template for -o go-template / template / go-template-file / templatefile and
the jsonpath formats. Given with no -o at all it means `-o go-template` (PrintFlags.ToPrinter's
backwards compatibility); given with `-o FORMAT=...` the format is unknown to every printer
(NoCompatiblePrinterError); with yaml, json or name it is ignored. Rewriting the command line
once here gives all the verbs the flag without each declaring it.
"""
from __future__ import annotations
from minikctl import lazy

_data = lazy.function("minikctl.cli.unsimulated", "_data")
unmatched = lazy.function("minikctl.cli.output", "unmatched")

_GO = {"go-template": "go-template", "template": "go-template", "go-template-file": "go-template-file",
       "templatefile": "go-template-file"}
_JSONPATH = ("jsonpath", "jsonpath-file", "jsonpath-as-json")


def _command_has_it(argv: list[str], verb: str | None) -> bool:
    """Whether kubectl's command on this line (`get`, `create deployment`, `rollout undo`) has
    --template (minikctl/data/kubectl_commands.json)."""
    data = _data()
    if not verb or verb not in argv:
        return False
    rest = argv[argv.index(verb) + 1:]
    sub = next((a for a in rest if not a.startswith("-")), None)
    if sub and f"{verb} {sub}" in data:
        return "--template" in data[f"{verb} {sub}"]
    return "--template" in data.get(verb, [])


def _find(argv: list[str], names: tuple[str, ...], short: str | None = None):
    """(index, token count, value) of the last occurrence of a value flag, or None."""
    found = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            break
        for n in names:
            if a == n and i + 1 < len(argv):
                found = (i, 2, argv[i + 1])
                i += 1
                break
            if a.startswith(n + "="):
                found = (i, 1, a[len(n) + 1:])
                break
        else:
            if short and a.startswith(short) and len(a) > len(short):
                found = (i, 1, a[len(short):])
        i += 1
    return found


def rewrite(argv: list[str], verb: str | None) -> list[str]:
    """The command line with --template folded into -o (unchanged when there is none, or when
    kubectl's command has no such flag: its own parser then says so)."""
    if not any(a == "--template" or a.startswith("--template=") for a in argv[:_end(argv)]):
        return argv
    if not _command_has_it(argv, verb):
        return argv
    t = _find(argv, ("--template",))
    if t is None:
        return argv
    i, n, template = t
    argv = argv[:i] + argv[i + n:]
    if not template:
        return argv                       # an empty --template is not given at all
    o = _find(argv, ("--output", "-o"), "-o")
    if o is None:
        return argv[:i] + ["-o", f"go-template={template}"] + argv[i:]
    j, m, fmt = o
    if "=" in fmt:
        name = fmt.split("=", 1)[0]
        if name in _GO or name in _JSONPATH:
            raise unmatched(fmt, verb)
        return argv
    if fmt in _GO:
        new = f"{_GO[fmt]}={template}"
    elif fmt in _JSONPATH:
        new = f"{fmt}={template}"
    else:
        return argv                       # yaml, json, name, a table: the template is not used
    return argv[:j] + ["-o", new] + argv[j + m:]


def _end(argv: list[str]) -> int:
    return argv.index("--") if "--" in argv else len(argv)

