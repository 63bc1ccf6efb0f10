"""`minikctl VERB --help`: kubectl's flag descriptions and Examples, and plain brackets.

Two things typer does not do for us:
* typer 0.15 escapes the `[default: 1]` / `[required]` tags of every parameter for rich markup
  (`\\[default: 1]`) whenever rich is importable, even with rich_markup_mode=None. The commands
  here format their own parameter list and take the escape off each record before it is wrapped.
* A kubectl verb's flags carry kubectl's own descriptions and the verb an Examples section, read
  from kubectl's help into minikctl/data/kubectl_help.json (docs/gen_help_data.py). A flag that
  minikctl's code describes itself keeps its text; kubectl's examples say `kubectl`, printed with
  this program's name, and an example using a flag minikctl's command lacks is left out. Only
  help pays for this: the data is read when help is formatted.

install(app) makes every command and group of the app use these classes.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import click
from typer.core import TyperCommand, TyperGroup

DATA = Path(__file__).resolve().parent.parent / "data" / "kubectl_help.json"


@lru_cache(maxsize=1)
def kubectl_help() -> dict:
    try:
        return json.loads(DATA.read_text())
    except (OSError, ValueError):
        return {}


def command_path(ctx: click.Context) -> tuple[str, str]:
    """(the program's name, the command path below it: 'create deployment')."""
    names = []
    c = ctx
    while c is not None:
        names.append(c.info_name or "")
        c = c.parent
    names.reverse()
    return names[0], " ".join(names[1:])


def flag_help(path: str, param: click.Parameter) -> str:
    """kubectl's description of the flag on this command (or of the global flag), else ''."""
    data = kubectl_help()
    longs = [o for o in list(param.opts) + list(getattr(param, "secondary_opts", [])) if o.startswith("--")]
    for table in ((data.get(path) or {}).get("flags") or {}, (data.get("_global") or {}).get("flags") or {}):
        for name in longs:
            if table.get(name):
                return table[name]
    return ""


def examples_for(prog: str, path: str, options: set[str]) -> str:
    """kubectl's examples for the command, each (a comment and its command lines) kept only when
    every flag it uses is one this command has, `kubectl` printed as prog."""
    text = (kubectl_help().get(path) or {}).get("examples") or ""
    kept = []
    for block in text.split("\n\n"):
        flags = {t.split("=", 1)[0] for line in block.splitlines() if not line.startswith("#")
                 for t in line.split() if t.startswith("-") and t != "--"}
        if flags <= options:
            kept.append("\n".join(prog + line[len("kubectl"):] if line.startswith("kubectl ") else line
                                  for line in block.splitlines()))
    return "\n\n".join(kept)


def option_names(cmd: click.Command) -> set[str]:
    return {o for p in cmd.params if p.param_type_name == "option"
            for o in list(p.opts) + list(getattr(p, "secondary_opts", []))}


def examples(ctx: click.Context) -> str:
    prog, path = command_path(ctx)
    return examples_for(prog, path, option_names(ctx.command))


def _record(param: click.Parameter, ctx: click.Context, path: str):
    if param.param_type_name == "option" and not getattr(param, "help", None) and not param.hidden:
        described = flag_help(path, param)
        if described:
            param.help = described
    rv = param.get_help_record(ctx)
    if rv is None:
        return None
    return rv[0], rv[1].replace("\\[", "[")  # typer's rich escape, taken off before wrapping


def short(path: str) -> str:
    """kubectl's one-line description of the command ('' when kubectl has no such command)."""
    return (kubectl_help().get(path) or {}).get("short") or ""


class _Help:
    """format_help for commands and groups: usage, text, Examples, arguments and options."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if not self.help:
            self.help = short(command_path(ctx)[1]) or None
        self.format_usage(ctx, formatter)
        self.format_help_text(ctx, formatter)
        ex = examples(ctx)
        if ex:
            formatter.write_paragraph()
            formatter.write_text("Examples:")
            formatter.write("".join(f"  {line}\n" if line else "\n" for line in ex.splitlines()))
        self.format_options(ctx, formatter)
        self.format_epilog(ctx, formatter)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _, path = command_path(ctx)
        args, opts = [], []
        for param in self.get_params(ctx):
            rv = _record(param, ctx, path)
            if rv is not None:
                (args if param.param_type_name == "argument" else opts).append(rv)
        if args:
            with formatter.section("Arguments"):
                formatter.write_dl(args)
        if opts:
            with formatter.section("Options"):
                formatter.write_dl(opts)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class HelpCommand(_Help, TyperCommand):
    pass


class HelpGroup(_Help, TyperGroup):
    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _, path = command_path(ctx)
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.help and not cmd.short_help:
                cmd.help = short(f"{path} {name}".strip()) or None
        super().format_commands(ctx, formatter)


def install(app) -> None:
    """Give every command and group registered on app (and on its sub-apps) these classes."""
    if not isinstance(app.info.cls, type) or app.info.cls is TyperGroup:
        app.info.cls = HelpGroup
    for info in app.registered_commands:
        if info.cls in (None, TyperCommand):  # app.command() fills in TyperCommand itself
            info.cls = HelpCommand
    for g in app.registered_groups:
        if not isinstance(g.cls, type) or g.cls is TyperGroup:
            g.cls = HelpGroup
        if g.typer_instance is not None:
            install(g.typer_instance)
