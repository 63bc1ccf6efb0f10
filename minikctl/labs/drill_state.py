"""Drill progress and exam state, kept in the cluster's SQLite store (meta table).

Why the store: progress must survive closing the terminal and live with the cluster it was
earned on. `reset_cluster` throws the cluster's objects away for a fresh kubeadm cluster but
keeps these two meta keys, so starting another drill does not lose the record.
"""
from __future__ import annotations

from contextlib import contextmanager

PROGRESS_KEY = "drill.progress"
EXAM_KEY = "drill.exam"
KEEP = ("schema", PROGRESS_KEY, EXAM_KEY)


@contextmanager
def store_tx(env):
    """One transaction on the state file, for reading or writing the drill keys only."""
    from minikctl.store.db import Store
    store = Store(env.db_path)
    try:
        store.begin()
        yield store
        store.commit()
    except BaseException:
        store.rollback()
        raise
    finally:
        store.close()


def load_progress(store) -> dict:
    p = store.get_meta(PROGRESS_KEY) or {}
    p.setdefault("current", None)
    p.setdefault("drills", {})
    return p


def load_exam(store) -> dict | None:
    return store.get_meta(EXAM_KEY)


def record_attempt(progress: dict, name: str, score: float, passed: bool, now: float) -> dict:
    """One `drill check`: attempts + 1, best score kept, first pass time kept."""
    d = progress["drills"].setdefault(name, {"attempts": 0, "best": 0.0, "passed": False})
    d["attempts"] += 1
    d["best"] = max(float(d.get("best", 0.0)), score)
    d["last"] = score
    if passed and not d.get("passed"):
        d["passed"] = True
        d["passedAt"] = now
    return d


def reset_cluster(env) -> str:
    """Replace the cluster with a fresh one of the same profile; keep drill progress and exam.

    Returns the profile name. Done in one transaction: a failure leaves the old cluster intact.
    """
    from minikctl.sim import bootstrap, clock
    from minikctl.sim.cluster import Cluster
    from minikctl.sim.profile import load_profile
    with store_tx(env) as store:
        meta = store.get_meta("cluster") or {}
        profile = (meta.get("profile") or {}).get("name") or "default"
        try:
            load_profile(profile)
        except Exception:
            profile = "default"
        store.conn.execute("DELETE FROM objects")
        store.conn.execute("DELETE FROM timers")
        store.conn.execute(f"DELETE FROM meta WHERE key NOT IN ({','.join('?' * len(KEEP))})", KEEP)
        cluster = Cluster(store, env)
        cluster.load()
        bootstrap.init_cluster(cluster, env, profile, env.seed)
        clock.advance(cluster, env.clock())
        from minikctl.sim import controllers
        controllers.settle(cluster)
        cluster.save()
    return profile
