"""The environment of the running command, passed to the verbs by click.

`cli.main.run` hands the command line's Env to click as the context object (`obj=env`); every
context click makes for the line's groups and subcommands inherits it, and the verbs reach it
through the click context that is running them (`env()`, `out()`, `err()`). Nothing is kept in
this module: a command line run in-process from inside another (the shell's kubectl, a lab step,
a drill's setup, an editor hook) runs in a context of its own that click pushes and pops, so the
outer command finds its own Env afterwards with nothing to restore, and two commands in two
threads never see each other's.
"""
from __future__ import annotations

from contextlib import contextmanager
from minikctl import lazy

kubeconfig = lazy.module("minikctl.cli.kubeconfig")

try:
    import click
except ImportError:  # typer >= 0.20 vendors click
    from typer import _click as click

from minikctl.env import Env


def env() -> Env:
    """The running command's Env; outside any command (a thread of its own, a test calling a verb
    function directly without `using`), a default one over the process's own streams."""
    ctx = click.get_current_context(silent=True)
    found = ctx.find_object(Env) if ctx is not None else None
    return found if found is not None else Env()


@contextmanager
def using(env: Env):
    """Run the block as a command with this Env (for callers that are not a command line: tests,
    tools). A click context of its own carries it, popped when the block ends."""
    with click.Context(click.Command("minikctl"), obj=env):
        yield env


def out(text: str) -> None:
    """Write to stdout as is (callers include the newlines kubectl prints)."""
    write_out(env(), text)


def write_out(e: Env, text: str) -> None:
    if e.pending is not None:  # inside a store transaction: printed once it commits
        e.pending.append(text)
        return
    e.stdout.write(text)


def err(text: str) -> None:
    write_err(env(), text)


def write_err(e: Env, text: str) -> None:
    e.stderr.write(text if text.endswith("\n") else text + "\n")


def namespace(given: str | None, e: Env | None = None) -> str:
    """-n wins, then the context's namespace (set-context --current --namespace), then default."""
    if given:
        return given
    e = e or env()
    if e.namespace:
        return e.namespace
    return kubeconfig.current_namespace(e) or "default"
