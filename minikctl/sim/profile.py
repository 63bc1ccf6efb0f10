"""Cluster profiles: the data that says what cluster `cluster init` builds."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PROFILES = Path(__file__).resolve().parent.parent / "data" / "profiles"


@lru_cache(maxsize=8)
def _load(name: str) -> dict:
    import yaml
    path = PROFILES / f"{name}.yaml"
    if not path.exists():
        from minikctl.api.errors import CliError
        known = ", ".join(sorted(p.stem for p in PROFILES.glob("*.yaml")))
        raise CliError(f'unknown cluster profile "{name}" (known: {known})')
    with open(path) as f:
        return yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def kube_version(profile: dict | None) -> tuple[int, int]:
    """(1, 32) of the profile's kubernetesVersion 'v1.32.0': what version-dependent output keys on."""
    v = str((profile or {}).get("kubernetesVersion") or "v1.32.0").lstrip("v").split(".")
    try:
        return int(v[0]), int(v[1])
    except (IndexError, ValueError):
        return 1, 32


def load_profile(name: str = "default") -> dict:
    """A deep-enough copy of the named profile (callers may annotate it)."""
    import copy
    return copy.deepcopy(_load(name))
