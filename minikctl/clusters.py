"""Several clusters side by side, as the CKA exam sets them up: each named cluster has its own
state file (home/clusters/NAME/cluster.db) beside the default cluster's (home/cluster.db), and
a kubeconfig context of its own; the current context (or --context) says which one a command
acts on.

The kubeconfig facts live in home/config.json (minikctl/cli/kubeconfig.py): `clusters` maps a
named cluster to what `cluster create` decided (its server, its admin user, its node-name
prefix and subnet). The default cluster is kubeadm's `kubernetes`, in context
`kubernetes-admin@kubernetes`. This module sits below the CLI: Env.db_path asks it.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
import copy
from minikctl import lazy

load_profile = lazy.function("minikctl.sim.profile", "load_profile")

DEFAULT = "kubernetes"
ADMIN_CONTEXT = "kubernetes-admin@kubernetes"
NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$")


def config(home: Path) -> dict:
    try:
        data = json.loads((Path(home) / "config.json").read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def named(data: dict) -> dict[str, dict]:
    got = data.get("clusters")
    return got if isinstance(got, dict) else {}


def context_cluster(data: dict, ctx: str) -> str | None:
    """The cluster a context names (None: the default cluster, or a context unknown)."""
    if ctx == ADMIN_CONTEXT:
        return None
    entry = (data.get("contexts") or {}).get(ctx) or {}
    name = entry.get("cluster")
    return name if name in named(data) else None


def selected(env) -> str | None:
    """The named cluster the command acts on, or None for the default cluster."""
    if env.cluster:
        return None if env.cluster == DEFAULT else env.cluster
    data = config(env.home)
    if not data:
        return None
    ctx = env.context or data.get("current") or ADMIN_CONTEXT
    return context_cluster(data, ctx)


def db_path(home: Path, name: str | None) -> Path:
    home = Path(home)
    if not name or name == DEFAULT:
        return home / "cluster.db"
    return home / "clusters" / name / "cluster.db"


def all_names(home: Path) -> list[str]:
    """Every cluster of this home: the default one (when it exists or nothing else does) first."""
    data = config(home)
    return [DEFAULT] + sorted(named(data))


def admin_user(name: str) -> str:
    """The admin user a named cluster's context uses (kubeadm's kubernetes-admin, renamed so
    that one kubeconfig can hold every cluster's)."""
    return f"{name}-admin"


def owner_of_user(data: dict, user: str) -> str | None:
    """The cluster whose admin credentials the user entry is (DEFAULT for kubernetes-admin)."""
    if user == "kubernetes-admin":
        return DEFAULT
    for name, c in named(data).items():
        if c.get("user") == user:
            return name
    return None


def named_profile(profile: dict, name: str, index: int) -> dict:
    """A named cluster's profile: the nodes renamed `NAME-...` for `k8s-...` (so every node of
    every cluster has its own name for ssh) and on their own subnet 192.168.(index+1).0/24."""
    prof = copy.deepcopy(profile)
    for n in list(prof.get("nodes") or []) + list(prof.get("spareHosts") or []):
        old = n["name"]
        n["name"] = name + "-" + (old[4:] if old.startswith("k8s-") else old)
        ip = str(n.get("internalIP") or "")
        parts = ip.split(".")
        if len(parts) == 4 and parts[:2] == ["192", "168"]:
            parts[2] = str(index + 1)
            n["internalIP"] = ".".join(parts)
    prof["clusterName"] = name
    return prof


def profile_for(env, profile_name: str = "default") -> dict:
    """The profile a cluster (re)initialised for env gets: a named cluster's own nodes."""
    name = selected(env) if hasattr(env, "home") else None
    entry = named(config(env.home)).get(name) if name else None
    if not entry:
        return load_profile(profile_name)
    return named_profile(load_profile(entry.get("profile") or profile_name), name, int(entry.get("index") or 1))
