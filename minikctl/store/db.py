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
import signal
import sqlite3
from pathlib import Path

from minikctl.api.errors import CliError
import functools
import time

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
BUSY_MS = 60_000  # how long a command waits for another command's transaction before giving up


def _corrupt(path: Path, why: str) -> CliError:
    return CliError(f"the state file {path} is not a usable minikctl database ({why}); its state cannot be read: "
                    f"run '{RESET_HINT}' to start a fresh cluster (this deletes the current state)")


def _locked(e: Exception) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: another command holds the store; not corruption."""
    text = str(e).lower()
    return "locked" in text or "busy" in text


def _busy(path: Path) -> CliError:
    return CliError(f"the state file {path} stayed locked by another minikctl command for {BUSY_MS // 1000}s; "
                    "nothing was changed: run the command again once that one has finished")


def retry_busy(fn, path: Path):
    """Run fn, waiting out lock contention: SQLite's busy handler covers most of it, but not
    every case (a WAL being recovered or checkpointed as another command closes), so a busy or
    locked answer is retried with a growing pause until BUSY_MS have passed. Only then does the
    command give up, with a message that names no destructive remedy."""
    deadline = time.monotonic() + BUSY_MS / 1000
    pause = 0.005
    while True:
        try:
            return fn()
        except sqlite3.OperationalError as e:
            if not _locked(e):
                raise
            if time.monotonic() + pause > deadline:
                raise _busy(path) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


def guarded(fn):
    """Reads of a damaged file (a malformed page, undecodable text, a body that is not JSON)
    become one clear error instead of a traceback; lock contention is not damage."""

    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except sqlite3.DatabaseError as e:
            if _locked(e):
                raise _busy(self.path) from None
            raise _corrupt(self.path, str(e)) from None
        except (ValueError, TypeError, KeyError, IndexError, OverflowError) as e:
            raise _corrupt(self.path, f"{type(e).__name__}: {e}") from None
    return wrapper


FAULT_ENV = "MINIKCTL_FAULT_KILL_AT_SQL"


def _arm_fault_point(conn) -> None:
    """Fault injection for the durability tests: with MINIKCTL_FAULT_KILL_AT_SQL=N the process
    SIGKILLs itself as SQLite starts its N-th SQL statement (the trace hook), so a test can kill a
    command at chosen points inside its transaction instead of at random wall-clock moments."""
    at = os.environ.get(FAULT_ENV, "")
    if not at.isdigit():
        return
    count = [0]

    def trace(_statement: str) -> None:
        count[0] += 1
        if count[0] >= int(at):
            os.kill(os.getpid(), signal.SIGKILL)

    conn.set_trace_callback(trace)


class Store:
    """A connection to the state file. Use `with store.transaction():` around a command."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = False
        try:
            # Create the file 0600 before SQLite opens it; the -wal/-shm files follow the umask.
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
            os.close(fd)
            created = True
        except FileExistsError:
            self._refuse_empty()
        old_umask = os.umask(0o077)
        try:
            self.conn = sqlite3.connect(str(self.path), timeout=BUSY_MS / 1000, isolation_level=None)
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            mode = retry_busy(lambda: self.conn.execute("PRAGMA journal_mode = WAL").fetchone(), self.path)
            self.conn.execute("PRAGMA synchronous = NORMAL")
            _arm_fault_point(self.conn)
            self._init_schema(created)
        except sqlite3.DatabaseError as e:
            self._close_quietly()
            if _locked(e):
                raise _busy(self.path) from None
            raise _corrupt(self.path, str(e)) from None
        except (ValueError, OverflowError) as e:  # a damaged header decoded as text or numbers
            self._close_quietly()
            raise _corrupt(self.path, f"{type(e).__name__}: {e}") from None
        except CliError:
            self._close_quietly()
            raise
        finally:
            os.umask(old_umask)
        if mode is None:
            raise _corrupt(self.path, "cannot set journal mode")
        self.in_tx = False

    def _close_quietly(self) -> None:
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001
            pass

    def _init_schema(self, created: bool) -> None:
        """A file this command created gets the schema in one transaction. A file that already
        existed must be a minikctl database: an empty one (truncated, or zeroed) is lost state,
        never silently a fresh cluster; one just created by a concurrent command is waited for
        (its schema transaction holds the write lock)."""
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id == APP_ID:
            return
        if not created:
            retry_busy(lambda: self.conn.execute("BEGIN IMMEDIATE"), self.path)  # waits for a concurrent creator's schema transaction
            app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
            tables = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            self.conn.execute("ROLLBACK")
            if app_id == APP_ID:
                return
            if app_id != 0 or tables:
                raise _corrupt(self.path, "it belongs to another program")
            raise _corrupt(self.path, "the file is empty: the cluster's state was lost")
        retry_busy(lambda: self.conn.execute("BEGIN IMMEDIATE"), self.path)
        self.conn.execute(f"PRAGMA application_id = {APP_ID}")
        for stmt in SCHEMA.split(";"):
            if stmt.strip():
                self.conn.execute(stmt)
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        self.conn.execute("COMMIT")

    def _refuse_empty(self) -> None:
        """An existing empty file (truncated, zeroed) is lost state, never silently a fresh
        cluster. One younger than a second may be a concurrent command's, about to get its
        schema: give it that second before calling it lost."""
        wal = self.path.with_name(self.path.name + "-wal")
        deadline = time.monotonic() + 1.0
        while True:
            try:
                st = self.path.stat()
            except OSError:
                return
            if st.st_size > 0 or (wal.exists() and wal.stat().st_size > 0):
                return
            if time.time() - st.st_mtime > 1.0 or time.monotonic() > deadline:
                raise _corrupt(self.path, "the file is empty: the cluster's state was lost")
            time.sleep(0.02)

    # -- transactions -------------------------------------------------------------------
    @guarded
    def begin(self) -> None:
        retry_busy(lambda: self.conn.execute("BEGIN IMMEDIATE"), self.path)
        self.in_tx = True

    @guarded
    def commit(self) -> None:
        if self.in_tx:
            retry_busy(lambda: self.conn.execute("COMMIT"), self.path)
            self.in_tx = False

    def rollback(self) -> None:
        if self.in_tx:
            self.conn.execute("ROLLBACK")
            self.in_tx = False

    def close(self) -> None:
        self.rollback()
        self.conn.close()

    # -- objects ------------------------------------------------------------------------
    @guarded
    def load_kind(self, kind: str) -> list[tuple[str, str, dict]]:
        rows = self.conn.execute("SELECT namespace, name, body FROM objects WHERE kind=?", (kind,)).fetchall()
        return [(ns, n, _stored(kind, ns, n, b)) for ns, n, b in rows]

    @guarded
    def events(self, namespace: str | None) -> list[dict]:
        q, args = "SELECT namespace, name, body FROM objects WHERE kind='Event'", ()
        if namespace is not None:
            q, args = q + " AND namespace=?", (namespace,)
        return [_stored("Event", ns, n, b) for ns, n, b in self.conn.execute(q, args)]

    @guarded
    def kinds(self) -> list[str]:
        kinds = [k for (k,) in self.conn.execute("SELECT DISTINCT kind FROM objects")]
        if not all(isinstance(k, str) for k in kinds):
            raise ValueError("a stored object's kind is not text")
        return kinds

    @guarded
    def put(self, kind: str, namespace: str, name: str, rv: int, body: dict) -> None:
        self.conn.execute("INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?)",
                          (kind, namespace, name, rv, json.dumps(body, separators=(",", ":"))))

    @guarded
    def replace_objects(self, rows: list[tuple[str, str, str, int, dict]]) -> None:
        """All objects at once (an etcd restore): the table holds exactly these rows after."""
        self.conn.execute("DELETE FROM objects")
        self.conn.executemany("INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?)",
                              [(k, ns, n, rv, json.dumps(b, separators=(",", ":"))) for k, ns, n, rv, b in rows])

    @guarded
    def clear(self, keep: tuple[str, ...] = ("schema",)) -> None:
        """Empty the store in place for a fresh cluster (a drill's reset), inside the open
        transaction: every object and timer, every meta key but `keep`."""
        self.conn.execute("DELETE FROM objects")
        self.conn.execute("DELETE FROM timers")
        self.conn.execute(f"DELETE FROM meta WHERE key NOT IN ({','.join('?' * len(keep))})", keep)

    @guarded
    def remove(self, kind: str, namespace: str, name: str) -> None:
        self.conn.execute("DELETE FROM objects WHERE kind=? AND namespace=? AND name=?", (kind, namespace, name))

    # -- meta ---------------------------------------------------------------------------
    @guarded
    def get_meta(self, key: str, default=None):
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    @guarded
    def set_meta(self, key: str, value) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    @guarded
    def delete_meta_prefix(self, prefix: str) -> None:
        """Drop every meta key starting with `prefix` (a deleted pod's file layers)."""
        self.conn.execute("DELETE FROM meta WHERE key >= ? AND key < ?", (prefix, prefix + "\uffff"))

    # -- timers -------------------------------------------------------------------------
    @guarded
    def timers(self) -> list[tuple[int, float, str, dict]]:
        rows = self.conn.execute("SELECT id, due, what, payload FROM timers ORDER BY due, id").fetchall()
        return [(i, d, w, json.loads(p)) for i, d, w, p in rows]

    @guarded
    def replace_timers(self, timers: list[tuple[float, str, dict]]) -> None:
        self.conn.execute("DELETE FROM timers")
        self.conn.executemany("INSERT INTO timers (due, what, payload) VALUES (?, ?, ?)",
                              [(d, w, json.dumps(p)) for d, w, p in timers])

    @guarded
    def revision(self) -> int:
        """The committed global revision, without a transaction (for watchers and servers)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='revision'").fetchone()
        return json.loads(row[0]) if row else 0


def _stored(kind: str, ns, name, text) -> dict:
    """A stored row's object, checked against the key it is stored under. A byte flipped in a
    damaged file can leave valid JSON with a renamed key (`"namespacf"`), or turn a text cell into
    a blob; either is damage, refused here as one clear error, not a KeyError or TypeError in
    whichever command first touches the object (cluster.list sorts keys, events are keyed by their
    namespace and name)."""
    if not isinstance(ns, str) or not isinstance(name, str):
        raise ValueError(f"a stored {kind}'s namespace or name is not text")
    obj = _body(json.loads(text))
    m = obj["metadata"]
    if obj.get("kind") != kind or m["name"] != name or (m.get("namespace") or "") != ns:
        raise ValueError(f"a stored object does not match the key it is stored under ({kind} {ns}/{name})")
    return obj


def _body(obj) -> dict:
    """A stored object is a JSON object with a metadata object naming it."""
    if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict) \
            or not isinstance(obj["metadata"].get("name"), str):
        raise ValueError("a stored object is not a Kubernetes object")
    return obj


def read_crd_kinds(path) -> list:
    """The served CRD kinds recorded in a state file's cluster meta (sim/controllers/crd.py),
    read without a transaction: the front ends resolve resource names before opening the cluster."""
    p = Path(path)
    if not p.exists():
        return []
    try:
        conn = sqlite3.connect(f"file:{p}?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key='cluster'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return []
    if not row:
        return []
    try:
        meta = json.loads(row[0])
    except ValueError:
        return []
    return meta.get("crd_kinds") or [] if isinstance(meta, dict) else []
