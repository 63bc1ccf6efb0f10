"""Cluster profiles: the data that says what cluster `cluster init` builds."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
import copy
from minikctl import lazy

CliError = lazy.function("minikctl.api.errors", "CliError")
yaml = lazy.module("yaml")

PROFILES = Path(__file__).resolve().parent.parent / "data" / "profiles"


@lru_cache(maxsize=8)
def _load(name: str) -> dict:
    path = PROFILES / f"{name}.yaml"
    if not path.exists():
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
    return copy.deepcopy(_load(name))


KUBEADM_API_PORT = 6443  # kubeadm init's default --apiserver-bind-port


def control_plane(profile: dict) -> dict:
    """The control-plane node's entry in the profile (the first node with that role)."""
    nodes = profile.get("nodes") or [{}]
    return next((n for n in nodes if "control-plane" in (n.get("roles") or [])), nodes[0])


def apiserver_url(profile: dict) -> str:
    """The server URL of the cluster's admin.conf: the control plane's advertise address (its
    InternalIP) and the apiserver's secure port, `apiServerPort` in the profile (kubeadm: 6443)."""
    port = int(profile.get("apiServerPort") or KUBEADM_API_PORT)
    return f"https://{control_plane(profile).get('internalIP', '127.0.0.1')}:{port}"
