"""The exam's hard stop: before any command runs, is the exam's time up? Then grade it first.

Why in front of every command: "answers after the deadline do not count" is only true if the
exam is graded as the deadline passes, before the learner's next command can change a cluster.
The CLI calls hard_stop() at the start of each command line; it costs one stat() when no exam
runs (home/exam.deadline is absent). The exam's clock is the clusters' clock: the wall (or
virtual) clock plus the largest `sim advance` offset of the exam's clusters, so moving a
cluster's time past the deadline ends the exam too.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from minikctl import lazy

cl = lazy.module("minikctl.clusters")
exam_run = lazy.module("minikctl.labs.exam_run")

MARKER = "exam.deadline"


def marker_path(env) -> Path:
    return Path(env.home) / MARKER


def write_marker(env, deadline: float, clusters: list[str]) -> None:
    marker_path(env).write_text(json.dumps({"deadline": deadline, "clusters": clusters}))


def clear_marker(env) -> None:
    try:
        marker_path(env).unlink()
    except FileNotFoundError:
        pass


def _offset(db: Path) -> float:
    """A cluster's `sim advance` offset, read without opening the cluster (no controllers)."""
    if not db.is_file():
        return 0.0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'cluster'").fetchone()
        finally:
            conn.close()
        return float((json.loads(row[0]) or {}).get("clockOffset") or 0.0) if row else 0.0
    except (sqlite3.Error, ValueError, TypeError, AttributeError):
        return 0.0


def exam_now(env, clusters: list[str]) -> float:
    offsets = [_offset(cl.db_path(env.home, n)) for n in clusters]
    return env.clock() + max(offsets or [0.0])


def hard_stop(env) -> None:
    """Grade the running exam as of its deadline if the deadline has passed (once)."""
    p = marker_path(env)
    if not p.is_file():
        return
    try:
        info = json.loads(p.read_text())
        deadline, names = float(info["deadline"]), list(info["clusters"])
    except (OSError, ValueError, KeyError, TypeError):
        return
    if exam_now(env, names) < deadline:
        return
    exam_run.finish(env, at_deadline=True)
