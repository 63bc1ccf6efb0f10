"""Cluster facts the server needs outside a request's transaction: the profile (for /version)
and the bearer token kept in the cluster meta (made at init)."""
from __future__ import annotations
import secrets
from minikctl import lazy

open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")


def _meta(env) -> dict:
    with open_cluster(env) as cluster:
        return dict(cluster.meta)


def profile(env) -> dict:
    cached = getattr(env, "_api_profile", None)
    if cached is None:
        cached = _meta(env).get("profile") or {}
        env._api_profile = cached
    return cached


def token(env) -> str:
    """The cluster's bearer token (random from the OS, kept in the cluster meta); clusters made
    before tokens existed get one now."""
    with open_cluster(env) as cluster:
        if not cluster.meta.get("token"):
            cluster.meta["token"] = secrets.token_hex(16)
            cluster.changed = True
        return cluster.meta["token"]


def rotate_token(env) -> str:
    """A new random token; the old one stops working (a running serve picks the new one up)."""
    with open_cluster(env) as cluster:
        cluster.meta["token"] = secrets.token_hex(16)
        return cluster.meta["token"]
