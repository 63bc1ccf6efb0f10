"""The environment of the running command, shared by the verbs.

`cli.main.run` enters it with `using(env)` and leaves the caller's environment in place when the
command ends, so a command line run in-process from inside another (the shell's kubectl, a lab
step, a drill's setup, an editor hook) needs no hand-restoring afterwards.
"""
from __future__ import annotations

from contextlib import contextmanager

from minikctl.env import Env

_env: Env | None = None


def set_env(env: Env) -> None:
    global _env
    _env = env


@contextmanager
def using(env: Env):
    """The running command's environment is env for the block, the caller's again after it."""
    global _env
    outer = _env
    _env = env
    try:
        yield env
    finally:
        _env = outer


def env() -> Env:
    global _env
    if _env is None:
        _env = Env()
    return _env


def out(text: str) -> None:
    """Write to stdout as is (callers include the newlines kubectl prints)."""
    e = env()
    if e.pending is not None:  # inside a store transaction: printed once it commits
        e.pending.append(text)
        return
    e.stdout.write(text)


def err(text: str) -> None:
    e = env()
    e.stderr.write(text if text.endswith("\n") else text + "\n")


def namespace(given: str | None) -> str:
    """-n wins, then the context's namespace (set-context --current --namespace), then default."""
    if given:
        return given
    e = env()
    if e.namespace:
        return e.namespace
    from minikctl.cli import kubeconfig
    return kubeconfig.current_namespace(e) or "default"
