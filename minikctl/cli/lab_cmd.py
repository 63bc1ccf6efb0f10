"""`minikctl lab list | show NAME | run NAME [--lang en|zh] [--step] [--seed N] [--svg FILE]`.

Thin verbs over minikctl/labs: labs are data (labs/<name>/lab.yaml, loaded by labs.lab), the
replay is labs.engine on a cluster of its own (MINIKCTL_HOME/labs/<name>, or --home DIR), never
the learner's cluster. Rich styling only on a terminal; piped output is a plain transcript.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from minikctl.api.errors import CliError
from minikctl.cli import context
from minikctl import lazy

PlainRenderer = lazy.function("minikctl.labs.render", "PlainRenderer")
RichRenderer = lazy.function("minikctl.labs.render", "RichRenderer")
engine = lazy.module("minikctl.labs.engine")
list_labs = lazy.function("minikctl.labs.lab", "list_labs")
load_lab = lazy.function("minikctl.labs.lab", "load_lab")
tabwriter = lazy.module("minikctl.printers.tabwriter")

lab_app = typer.Typer(add_completion=False, rich_markup_mode=None, no_args_is_help=True,
                      help="Guided labs: replay an experiment step by step on a simulated cluster.",
                      context_settings={"help_option_names": ["-h", "--help"]})


def default_lang() -> str:
    """zh when the locale says Chinese (LANG/LC_ALL zh_*), else en."""
    loc = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "zh" if loc.lower().startswith("zh") else "en"


def _check_lang(lang: Optional[str]) -> str:
    lang = lang or default_lang()
    if lang not in ("en", "zh"):
        raise CliError(f'invalid argument "{lang}" for "--lang" flag: must be en or zh')
    return lang


@lab_app.command("list", help="List the labs.")
def lab_list(lang: Optional[str] = typer.Option(None, "--lang", help="en or zh")) -> int:
    lang = _check_lang(lang)
    rows = [["NAME", "STEPS", "COMMANDS", "TITLE"]]
    for lab in list_labs():
        rows.append([lab.name, str(len(lab.steps)), str(len(lab.commands)), lab.text("title", lang)])
    if len(rows) == 1:
        context.err("No labs found.")
        return 0
    context.out(tabwriter.render(rows))
    return 0


@lab_app.command("show", help="Describe a lab: its summary, files and the commands it types.")
def lab_show(name: str = typer.Argument(..., metavar="NAME"),
             lang: Optional[str] = typer.Option(None, "--lang", help="en or zh")) -> int:
    lang = _check_lang(lang)
    lab = load_lab(name)
    files = sorted({f for s in lab.steps for f in s.files})
    lines = [f"Name:      {lab.name}", f"Title:     {lab.text('title', lang)}", f"Folder:    {lab.path}",
             f"Seed:      {lab.seed}", f"Start:     {lab.start}", f"Steps:     {len(lab.steps)}",
             f"Files:     {', '.join(files) if files else '<none>'}", "Summary:"]
    lines += ["  " + ln for ln in lab.text("summary", lang).splitlines()]
    lines.append("Commands:")
    lines += [f"  {i:>2}. {c}" for i, c in enumerate(lab.commands, 1)]
    lines.append(f"\nRun it: minikctl lab run {lab.name}" + (" --lang zh" if lang == "zh" else ""))
    context.out("\n".join(lines) + "\n")
    return 0


@lab_app.command("run", help="Replay a lab on a fresh simulated cluster of its own.")
def lab_run(name: str = typer.Argument(..., metavar="NAME"),
            lang: Optional[str] = typer.Option(None, "--lang", help="en or zh (default: from LANG)"),
            step: bool = typer.Option(False, "--step", help="wait for Enter before each command"),
            seed: Optional[int] = typer.Option(None, "--seed", help="random seed (same seed, same replay)"),
            home: Optional[Path] = typer.Option(None, "--home", help="state directory for the lab's cluster "
                                                "(default: MINIKCTL_HOME/labs/NAME, emptied first)"),
            svg: Optional[Path] = typer.Option(None, "--svg", help="also save the replay as an SVG picture"),
            width: int = typer.Option(120, "--width", help="terminal width for --svg")) -> int:
    lang = _check_lang(lang)
    lab = load_lab(name)
    env = context.env()
    if seed is None:
        seed = env.seed          # main.run strips a global --seed into env.seed
    if home is None:
        lab_home = engine.fresh_home(env.home, lab.name)
    else:
        lab_home = Path(home)
        if (lab_home / "cluster.db").exists() or (lab_home.exists() and not lab_home.is_dir()):
            raise CliError(f"--home {lab_home}: not an empty directory; a lab needs a fresh cluster")
        lab_home.mkdir(parents=True, exist_ok=True)
    r = RichRenderer(stream=env.stdout) if env.colour else PlainRenderer(env.stdout)
    recorder = None
    if svg is not None:
        recorder = RichRenderer(stream=_Null(), record=True, width=width)
        r = Tee(r, recorder)
    replay = engine.run_lab(lab, lab_home, lang=lang, seed=seed, renderer=r, step_mode=step, stdin=env.stdin,
                            prompt=env.stderr)
    if svg is not None:
        svg.parent.mkdir(parents=True, exist_ok=True)
        svg.write_text(recorder.console.export_svg(title=f"minikctl lab run {lab.name}"), encoding="utf-8")
        context.err(f"SVG written to {svg}")
    _ = replay
    return 0


class Tee:
    """Send every renderer call to two renderers (the screen and the SVG recorder)."""

    def __init__(self, *renderers):
        self.renderers = renderers

    def __getattr__(self, name):
        def call(*a, **kw):
            for r in self.renderers:
                getattr(r, name)(*a, **kw)
        return call


class _Null:
    """A stream that drops everything (the SVG is recorded, not shown, when piped)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def register(app: typer.Typer) -> None:
    app.add_typer(lab_app, name="lab")
