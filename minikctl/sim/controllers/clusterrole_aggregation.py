"""The clusterrole-aggregation controller: a ClusterRole with an aggregationRule gets the rules
of every ClusterRole its selectors match (sorted by name, a rule added once), so `admin`, `edit`
and `view` grow when a ClusterRole labelled aggregate-to-* is created.

Also makes the bootstrap RBAC objects of a state that predates them (sim/rbac_bootstrap.py).
"""
from __future__ import annotations

from minikctl.api import server
from minikctl.api.selectors import label_selector_matches as matches_selector
from minikctl import lazy

rbac_bootstrap = lazy.module("minikctl.sim.rbac_bootstrap")


def _aggregate(roles: list[dict], role: dict) -> list[dict]:
    rules: list[dict] = []
    for sel in (role.get("aggregationRule") or {}).get("clusterRoleSelectors") or []:
        for other in roles:
            if other["metadata"]["name"] == role["metadata"]["name"]:
                continue
            if not matches_selector(sel or {}, other["metadata"].get("labels") or {}):
                continue
            for rule in other.get("rules") or []:
                if rule not in rules:
                    rules.append(rule)
    return rules


def _roles_touched(cluster) -> bool:
    """A ClusterRole written or removed in this transaction (so far)."""
    return any(k[0] == "ClusterRole" for k in getattr(cluster, "dirty", ())) or \
        any(k[0] == "ClusterRole" for k in getattr(cluster, "removed", ()))


def reconcile(cluster) -> None:
    rbac_bootstrap.ensure(cluster)
    if getattr(cluster, "settled_at_load", False) and not _roles_touched(cluster):
        return      # a function of the ClusterRoles alone, at its fixed point when the state was stored
    roles = cluster.list("ClusterRole")
    for role in roles:
        if not role.get("aggregationRule"):
            continue
        rules = _aggregate(roles, role)
        if rules != (role.get("rules") or []):
            role["rules"] = rules
            server.update_internal(cluster, role)
