"""What everything outside the controllers reads: a read-only view of the cluster state.

Printers, DNS, kube-proxy and the simulated images take a `View`: they never write the store.
`StaticView` holds plain objects in memory; the live `Cluster` (sim/cluster.py) offers the same
methods over the store, so code and tests run against either.
"""
from __future__ import annotations

import random
from typing import Iterable, Protocol
from minikctl import lazy

load_profile = lazy.function("minikctl.sim.profile", "load_profile")


class View(Protocol):
    now: float            # epoch seconds, the simulation's present
    rng: random.Random    # the injected random source (seeded for exact replays)
    profile: dict         # the cluster profile (minikctl/data/profiles/*.yaml)

    def list(self, kind: str, namespace: str | None = None) -> list[dict]:
        """Objects of a kind, sorted by (namespace, name); namespace None means all."""

    def get(self, kind: str, namespace: str | None, name: str) -> dict | None:
        """One object, or None. Cluster-scoped kinds take namespace None or ''."""


class StaticView:
    """A View over a fixed list of objects (tests, dry runs)."""

    def __init__(self, objects: Iterable[dict], now: float = 0.0, rng: random.Random | None = None,
                 profile: dict | None = None):
        self.now = now
        self.rng = rng or random.Random(0)
        if profile is None:
            profile = load_profile()
        self.profile = profile
        self._objs: dict[tuple[str, str, str], dict] = {}
        for o in objects:
            m = o["metadata"]
            self._objs[(o["kind"], m.get("namespace") or "", m["name"])] = o

    def list(self, kind: str, namespace: str | None = None) -> list[dict]:
        keys = sorted(k for k in self._objs if k[0] == kind and (namespace is None or k[1] == namespace))
        return [self._objs[k] for k in keys]

    def get(self, kind: str, namespace: str | None, name: str) -> dict | None:
        return self._objs.get((kind, namespace or "", name))
