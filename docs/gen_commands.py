"""Write docs/commands.md from the typer app itself, so the reference lists every verb there is.

Usage: .venv/bin/python docs/gen_commands.py > docs/commands.md
Why generated: verbs live one per module and are added by several people; a hand-kept list goes
stale. tests/test_labs.py checks that the committed page names every registered verb.
"""
from __future__ import annotations

import typer

INTRO = """# Command reference

Generated from the `minikctl` typer app by `docs/gen_commands.py` (regenerate after adding a
verb: `.venv/bin/python docs/gen_commands.py > docs/commands.md`). `minikctl VERB --help` prints
the same, with defaults. The flag descriptions and Examples of kubectl's own verbs are kubectl
v1.32's, read from its help into `minikctl/data/kubectl_help.json` by `docs/gen_help_data.py`
(run it first when a verb or flag is added); examples using a flag minikctl lacks are left out.
Every verb is also accepted as `kubectl VERB ...` inside labs, drills and the shell.

Global flags, accepted anywhere on the line: `--no-color` (plain output), `--seed N` (the random
seed of a new cluster or a lab replay: same seed, same names, IPs and DNS order).
Environment: `MINIKCTL_HOME` (state directory, default `~/.local/state/minikctl`),
`MINIKCTL_NOW` (pin the clock), `MINIKCTL_SEED`, `NO_COLOR`.
"""


def _walk(cmd, path):
    yield path, cmd
    subs = getattr(cmd, "commands", None)
    if isinstance(subs, dict):
        for name in sorted(subs):
            if not getattr(subs[name], "hidden", False):
                yield from _walk(subs[name], path + [name])


def _param(p, path: str) -> str:
    from minikctl.cli.help import flag_help
    if getattr(p, "param_type_name", "") == "option":
        names = ", ".join(f"`{o}`" for o in p.opts + list(getattr(p, "secondary_opts", [])))
        text = (getattr(p, "help", None) or flag_help(path, p)).strip()  # ours, else kubectl's
        return f"{names}: {text}".rstrip(": ")
    return f"`{(p.metavar or p.name).upper()}` (argument)"


def top_level_verbs() -> list[str]:
    from minikctl.cli.main import ALL_MODULES, _register, app
    _register(ALL_MODULES)
    return sorted(typer.main.get_command(app).commands)


def render() -> str:
    from minikctl.cli.main import ALL_MODULES, _register, app
    _register(ALL_MODULES)
    from minikctl.cli.help import examples_for, option_names, short
    root = typer.main.get_command(app)
    parts = [INTRO, "| verb | what it does |", "| --- | --- |"]
    entries = list(_walk(root, []))[1:]
    for path, cmd in entries:
        cmd.help = cmd.help or short(" ".join(path)) or None
    for path, cmd in entries:
        if len(path) == 1:
            parts.append(f"| [`{path[0]}`](#{'-'.join(path)}) | {(cmd.help or '').splitlines()[0] if cmd.help else ''} |")
    parts.append("")
    for path, cmd in entries:
        depth = "##" if len(path) == 1 else "###"
        parts.append(f"{depth} {' '.join(path)}\n")
        if cmd.help:
            parts.append(cmd.help.strip().replace("\n\n", "\n") + "\n")
        params = [p for p in cmd.params if getattr(p, "name", "") not in ("help",)]
        if params and not getattr(cmd, "commands", None):
            parts.append("\n".join(f"- {_param(p, ' '.join(path))}" for p in params) + "\n")
        examples = examples_for("minikctl", " ".join(path), option_names(cmd))
        if examples:  # kubectl's own examples for the verb, as `minikctl VERB --help` prints them
            parts.append("Examples:\n\n```\n" + examples + "\n```\n")
    return "\n".join(parts).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
