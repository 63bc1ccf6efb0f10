"""Drill progress and the exam, kept in their own SQLite file beside the clusters.

Why apart from the cluster: progress is the learner's, not the cluster's. `cluster reset`,
`cluster delete` and `drill start` throw clusters away; the record of attempts must survive all of
them, and an exam spans several clusters (contexts). So home/progress.db holds:
  attempts(drill, at, earned, total, passed, source)   one row per `drill check` or graded exam task
  kv(key, value)                                        the current drill, the running exam (JSON)
`store_tx(env)` is one transaction on that file with the small get_meta/set_meta interface the
engine used when this lived in the cluster's meta table.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from minikctl import lazy

Cluster = lazy.function("minikctl.sim.cluster", "Cluster")
Store = lazy.function("minikctl.store.db", "Store")
bootstrap = lazy.module("minikctl.sim.bootstrap")
clock = lazy.module("minikctl.sim.clock")
load_profile = lazy.function("minikctl.sim.profile", "load_profile")
controllers = lazy.module("minikctl.sim.controllers")

PROGRESS_KEY = "drill.progress"
EXAM_KEY = "drill.exam"
FILE = "progress.db"

SCHEMA_VERSION = 1   # PRAGMA user_version once the tables exist: later opens skip the schema script
_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (id INTEGER PRIMARY KEY, drill TEXT NOT NULL, at REAL NOT NULL,
    earned INTEGER NOT NULL, total INTEGER NOT NULL, passed INTEGER NOT NULL, source TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_drill ON attempts(drill);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class History:
    """One open transaction on home/progress.db."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path), timeout=10, isolation_level=None)
        if self.conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            # (executescript commits: schema first, then the transaction)
            self.conn.executescript(f"{_SCHEMA}PRAGMA user_version = {SCHEMA_VERSION};")
        self.conn.execute("BEGIN IMMEDIATE")

    def get_meta(self, key: str):
        row = self.conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_meta(self, key: str, value) -> None:
        if value is None:
            self.conn.execute("DELETE FROM kv WHERE key = ?", (key,))
        else:
            self.conn.execute("INSERT OR REPLACE INTO kv(key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def add_attempt(self, drill: str, at: float, earned: int, total: int, passed: bool, source: str = "drill") -> None:
        self.conn.execute("INSERT INTO attempts(drill, at, earned, total, passed, source) VALUES (?,?,?,?,?,?)",
                          (drill, at, int(earned), int(total), int(bool(passed)), source))

    def attempts(self) -> list[tuple]:
        """(drill, at, earned, total, passed, source), oldest first."""
        return self.conn.execute("SELECT drill, at, earned, total, passed, source FROM attempts "
                                 "ORDER BY at, id").fetchall()


def history_path(env) -> Path:
    return Path(env.home) / FILE


@contextmanager
def store_tx(env):
    """One transaction on the progress file (not the cluster's): commit on success."""
    h = History(history_path(env))
    try:
        yield h
        h.conn.execute("COMMIT")
    except BaseException:
        h.conn.execute("ROLLBACK")
        raise
    finally:
        h.conn.close()


def summary(rows: list[tuple]) -> dict:
    """Per drill: attempts, best and last score (0..1), passed, passedAt, lastAt, and the
    spaced-repetition box (a pass moves a drill up one box, a failure sends it back to box 0)."""
    out: dict[str, dict] = {}
    for drill, at, earned, total, passed, _source in rows:
        d = out.setdefault(drill, {"attempts": 0, "best": 0.0, "passed": False, "box": 0})
        frac = earned / total if total else 0.0
        d["attempts"] += 1
        d["best"] = max(d["best"], frac)
        d["last"] = frac
        d["lastAt"] = at
        if passed:
            d["box"] = min(d["box"] + 1, len(INTERVALS) - 1)
            if not d["passed"]:
                d["passed"], d["passedAt"] = True, at
        else:
            d["box"] = 0
    return out


# Leitner boxes: how long after the last attempt a drill is due again (seconds).
DAY = 86400
INTERVALS = (0, 1 * DAY, 3 * DAY, 7 * DAY, 21 * DAY)


def due_at(d: dict) -> float:
    return d.get("lastAt", 0.0) + INTERVALS[d.get("box", 0)]


def load_progress(store) -> dict:
    """{'current': name or None, 'drills': summary()} (the shape drill list reads)."""
    return {"current": store.get_meta(PROGRESS_KEY + ".current"), "drills": summary(store.attempts())}


def set_current(store, name: str | None) -> None:
    store.set_meta(PROGRESS_KEY + ".current", name)


def load_exam(store) -> dict | None:
    return store.get_meta(EXAM_KEY)


def record_attempt(store, name: str, earned: int, total: int, passed: bool, now: float, source: str = "drill") -> dict:
    """One graded attempt; returns the drill's summary after it."""
    store.add_attempt(name, now, earned, total, passed, source)
    return summary([r for r in store.attempts() if r[0] == name])[name]


def reset_cluster(env, want_profile: str | None = None) -> str:
    """Replace the cluster with a fresh one of the same profile (progress lives elsewhere).

    Returns the profile name. Done in one transaction: a failure leaves the old cluster intact.
    """
    store = Store(env.db_path)
    try:
        store.begin()
        meta = store.get_meta("cluster") or {}
        profile = want_profile or (meta.get("profile") or {}).get("name") or "default"
        try:
            load_profile(profile)
        except Exception:
            profile = "default"
        store.clear(keep=("schema",))  # the store's own reset: no SQL outside store/
        cluster = Cluster(store, env)
        cluster.load()
        bootstrap.init_cluster(cluster, env, profile, env.seed)
        clock.advance(cluster, env.clock())
        controllers.settle(cluster)
        cluster.save()
        store.commit()
    except BaseException:
        store.rollback()
        raise
    finally:
        store.close()
    return profile
