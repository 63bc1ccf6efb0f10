"""The environment a command runs in: streams, colour, clock, randomness, state directory.

Everything below the CLI gets time and randomness from here (through the cluster), never from
the wall clock or the global random module, so a test or a lab replay can inject both.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TextIO
from minikctl import lazy

clusters = lazy.module("minikctl.clusters")
parse_time = lazy.function("minikctl.timeutil", "parse")


def state_dir() -> Path:
    """MINIKCTL_HOME, else $XDG_STATE_HOME/minikctl, else ~/.local/state/minikctl."""
    home = os.environ.get("MINIKCTL_HOME")
    if home:
        return Path(home)
    xdg = os.environ.get("XDG_STATE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "state"
    return base / "minikctl"


def _clock_from_env() -> Callable[[], float]:
    """MINIKCTL_NOW pins the clock (epoch seconds or RFC 3339) for exact, repeatable runs."""
    pinned = os.environ.get("MINIKCTL_NOW")
    if pinned:
        try:
            t = float(pinned)
        except ValueError:
            t = parse_time(pinned) or 0.0
        return lambda: t
    return time.time


def _seed_from_env() -> int | None:
    s = os.environ.get("MINIKCTL_SEED")
    return int(s) if s and s.lstrip("-").isdigit() else None


@dataclass
class Env:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    home: Path = field(default_factory=state_dir)
    clock: Callable[[], float] = field(default_factory=_clock_from_env)
    seed: int | None = field(default_factory=_seed_from_env)
    no_color: bool = False
    namespace: str | None = None   # the context's namespace (kubeconfig current-context)
    # What a command prints while its store transaction is open waits here, and is written only
    # once the transaction has committed (or ended without error): a command that fails and
    # rolls back never reports "created" for what was not kept.
    pending: list | None = None
    # Several clusters (`minikctl cluster create NAME`): which one a command acts on. `cluster`
    # names one outright (ssh to another cluster's node); `context` is kubectl's --context;
    # otherwise the kubeconfig's current context decides (minikctl/clusters.py).
    cluster: str | None = None
    context: str | None = None
    # Who the command acts as (api/rbac.User: --as, or the kubeconfig user's client certificate);
    # None is kubernetes-admin. Set by cli.main before the verb runs.
    user: object | None = None

    def hold_output(self) -> None:
        if self.pending is None:
            self.pending = []

    def release_output(self, keep: bool) -> None:
        held, self.pending = self.pending, None
        if keep and held:
            self.stdout.write("".join(held))

    @property
    def colour(self) -> bool:
        """Colour only on a terminal, and never with --no-color or NO_COLOR set."""
        if self.no_color or "NO_COLOR" in os.environ:
            return False
        try:
            return self.stdout.isatty()
        except (AttributeError, ValueError):
            return False

    @property
    def db_path(self) -> Path:
        """The state file of the cluster the command acts on: the default cluster's
        `cluster.db`, or a named cluster's `clusters/NAME/cluster.db`, all under home."""
        return clusters.db_path(self.home, clusters.selected(self))
