"""The state store: one SQLite file, one transaction per command.

Objects live in one table keyed by (kind, namespace, name) with their JSON body; `meta` holds the
global revision (like etcd's), the simulation's clock, the random state and allocator data;
`timers` holds the simulation's future events. Each command runs inside `BEGIN IMMEDIATE`, so
commands from several terminals serialize instead of losing writes, and a command killed half way
rolls back to the last commit (SQLite's journal).
"""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from minikctl.api.errors import CliError

APP_ID = 0x4D4B4354  # 'MKCT': marks a minikctl database (PRAGMA application_id)
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
    rv INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (kind, namespace, name)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS timers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, due REAL NOT NULL, what TEXT NOT NULL, payload TEXT NOT NULL
);
"""

RESET_HINT = "minikctl cluster reset"


def _corrupt(path: Path, why: str) -> CliError:
    return CliError(f"the state file {path} is not a usable minikctl database ({why}); "
                    f"run '{RESET_HINT}' to start a fresh cluster (this deletes the current state)")


class Store:
    """A connection to the state file. Use `with store.transaction():` around a command."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not self.path.exists() or self.path.stat().st_size == 0
        if fresh:
            # Create the file 0600 before SQLite opens it; the -wal/-shm files follow the umask.
            fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
            os.close(fd)
        old_umask = os.umask(0o077)
        try:
            self.conn = sqlite3.connect(str(self.path), timeout=60, isolation_level=None)
            self.conn.execute("PRAGMA busy_timeout = 60000")
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()
            self.conn.execute("PRAGMA synchronous = NORMAL")
            app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        except sqlite3.DatabaseError as e:
            raise _corrupt(self.path, str(e)) from None
        finally:
            os.umask(old_umask)
        if mode is None:
            raise _corrupt(self.path, "cannot set journal mode")
        if app_id == 0:
            tables = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise _corrupt(self.path, "it belongs to another program")
            self.conn.execute(f"PRAGMA application_id = {APP_ID}")
            self.conn.executescript(SCHEMA)
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif app_id != APP_ID:
            raise _corrupt(self.path, "it belongs to another program")
        self.in_tx = False

    # -- transactions -------------------------------------------------------------------
    def begin(self) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as e:
            raise _corrupt(self.path, str(e)) from None
        self.in_tx = True

    def commit(self) -> None:
        if self.in_tx:
            self.conn.execute("COMMIT")
            self.in_tx = False

    def rollback(self) -> None:
        if self.in_tx:
            self.conn.execute("ROLLBACK")
            self.in_tx = False

    def close(self) -> None:
        self.rollback()
        self.conn.close()

    # -- objects ------------------------------------------------------------------------
    def load_kind(self, kind: str) -> list[tuple[str, str, dict]]:
        try:
            rows = self.conn.execute("SELECT namespace, name, body FROM objects WHERE kind=?", (kind,)).fetchall()
            return [(ns, n, json.loads(b)) for ns, n, b in rows]
        except (sqlite3.DatabaseError, ValueError) as e:
            raise _corrupt(self.path, str(e)) from None

    def kinds(self) -> list[str]:
        return [k for (k,) in self.conn.execute("SELECT DISTINCT kind FROM objects")]

    def put(self, kind: str, namespace: str, name: str, rv: int, body: dict) -> None:
        self.conn.execute("INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?)",
                          (kind, namespace, name, rv, json.dumps(body, separators=(",", ":"))))

    def remove(self, kind: str, namespace: str, name: str) -> None:
        self.conn.execute("DELETE FROM objects WHERE kind=? AND namespace=? AND name=?", (kind, namespace, name))

    # -- meta ---------------------------------------------------------------------------
    def get_meta(self, key: str, default=None):
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_meta(self, key: str, value) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    # -- timers -------------------------------------------------------------------------
    def timers(self) -> list[tuple[int, float, str, dict]]:
        rows = self.conn.execute("SELECT id, due, what, payload FROM timers ORDER BY due, id").fetchall()
        return [(i, d, w, json.loads(p)) for i, d, w, p in rows]

    def replace_timers(self, timers: list[tuple[float, str, dict]]) -> None:
        self.conn.execute("DELETE FROM timers")
        self.conn.executemany("INSERT INTO timers (due, what, payload) VALUES (?, ?, ?)",
                              [(d, w, json.dumps(p)) for d, w, p in timers])

    def revision(self) -> int:
        """The committed global revision, without a transaction (for watchers and servers)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='revision'").fetchone()
        return json.loads(row[0]) if row else 0
