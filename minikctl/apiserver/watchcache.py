"""The watch cache: what `?watch=true` streams are served from, pushed by the commits themselves.

Like the apiserver's cacher (k8s.io/apiserver pkg/storage/cacher), one cache per served store
holds every object in memory and a window of recent changes per kind. It is fed by the
transactions: sim/cluster.open_cluster calls `_before_commit` under the store's write lock (so
batches arrive in commit order) with what the transaction wrote, and `_after_commit` once it is
durable; the batch is then applied and fanned out to the watchers at once, in the committing
thread. Nothing polls per watcher. One dispatcher thread per cache does the two things a commit
does not announce: it moves the simulation on when its next timer falls due (so a watcher sees the
kubelet start a pod without anyone asking), and it notices commits made by another process (a
second `minikctl` on the same state) by the store's revision, diffing the store against the cache.

Semantics are the cacher's: a watch without resourceVersion (or "0") starts with an ADDED event
per object; from resourceVersion N it replays the window's events after N, or answers 410 Gone
("too old resource version: N (oldest-1)") when N is older than the window; a version ahead of
the store waits up to 3 s, then 504 ("Too large resource version"). A filtered watch sees an
object that stops matching as DELETED (its previous state at the event's version) and one that
starts matching as ADDED. allowWatchBookmarks=true adds a BOOKMARK every minute and 2 s before the
watch's deadline. The window keeps at least 100 events per kind and those younger than 75 s, up to
100 Ki events, as the cacher's dynamic capacity does.
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque

from minikctl.apiserver.status import fail
import random
import sqlite3
from minikctl import lazy

cluster = lazy.module("minikctl.sim.cluster")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
profile = lazy.function("minikctl.apiserver.state", "profile")

MIN_EVENTS, MAX_EVENTS, FRESH = 100, 100 * 1024, 75.0
BOOKMARK_EVERY = 60.0
CHECK_EVERY = 0.2       # the dispatcher's look at the store's revision and the next timer
TOO_LARGE_WAIT = 3.0
QUEUE_LIMIT = 100_000   # a watcher this far behind is closed (its client re-lists), as the cacher does

_caches: dict[str, "Cache"] = {}
_caches_lock = threading.Lock()


class Event:
    """One change: type for the unfiltered view (ADDED / MODIFIED / DELETED), the object after
    (None when deleted), the object before (None when new), its resourceVersion."""
    __slots__ = ("rv", "key", "obj", "prev", "at", "_json")

    def __init__(self, rv: int, key: tuple, obj: dict | None, prev: dict | None):
        self.rv, self.key, self.obj, self.prev, self.at = rv, key, obj, prev, time.monotonic()
        self._json: dict = {}

    def encoded(self, which: str, obj: dict) -> bytes:
        """The object's JSON, made once and shared by every watcher."""
        data = self._json.get(which)
        if data is None:
            data = self._json[which] = json.dumps(obj, separators=(",", ":")).encode()
        return data


def _with_rv(obj: dict, rv: int) -> dict:
    out = dict(obj)
    out["metadata"] = dict(obj.get("metadata") or {}, resourceVersion=str(rv))
    return out


class Watcher:
    def __init__(self, cache: "Cache", kind: str, match):
        self.cache, self.kind, self.match = cache, kind, match
        self.queue: deque = deque()
        self.cond = threading.Condition()
        self.closed = False

    def convert(self, ev: Event):
        """(type, object, shared-encoding key) as this watcher sees ev, or None."""
        cur = ev.obj is not None and self.match(ev.obj)
        old = ev.prev is not None and self.match(ev.prev)
        if cur and old:
            return "MODIFIED", ev.obj, "obj"
        if cur:
            return "ADDED", ev.obj, "obj"
        if old:
            return "DELETED", _with_rv(ev.prev, ev.rv), "prev"
        return None

    def push(self, ev: Event) -> None:
        got = self.convert(ev)
        if got is None:
            return
        with self.cond:
            if len(self.queue) >= QUEUE_LIMIT:
                self.closed = True
            else:
                self.queue.append((ev, *got))
            self.cond.notify()

    def take(self, timeout: float) -> list:
        with self.cond:
            if not self.queue and not self.closed:
                self.cond.wait(timeout)
            out = list(self.queue)
            self.queue.clear()
            return out


class Batch:
    __slots__ = ("changes", "revision", "next_timer", "offset", "state")

    def __init__(self, changes, revision, next_timer, offset):
        self.changes, self.revision, self.next_timer, self.offset = changes, revision, next_timer, offset
        self.state = "pending"


class Cache:
    def __init__(self, env):
        self.env = env
        self.lock = threading.RLock()
        self.objects: dict[str, dict[tuple, dict]] = {}
        self.history: dict[str, deque] = {}
        self.oldest: dict[str, int] = {}          # per kind: the oldest version a watch may start after
        self.watchers: dict[str, set] = {}
        self.pending: deque = deque()
        self.rv = self.loaded_at = 0
        self.next_timer: float | None = None
        self.offset = 0.0
        self.changed = threading.Condition(self.lock)
        self.stopping = threading.Event()
        self._reader = None
        self.read_lock = threading.Lock()

    # ---- loading and the store -------------------------------------------------------------
    def _read(self, sql: str, args=()):
        if self._reader is None:
            self._reader = sqlite3.connect(f"file:{self.env.db_path}?mode=ro", uri=True, timeout=5,
                                           check_same_thread=False, isolation_level=None)
        return self._reader.execute(sql, args).fetchall()

    def _store_state(self) -> tuple[int, dict[str, dict[tuple, dict]], float | None, float]:
        """One consistent read of every object, the revision, the next timer and the clock offset."""
        with self.read_lock:             # one reader connection, shared by the dispatcher and requests
            return self._store_state_locked()

    def _store_state_locked(self) -> tuple[int, dict[str, dict[tuple, dict]], float | None, float]:
        self._read("BEGIN")
        try:
            rev = json.loads((self._read("SELECT value FROM meta WHERE key='revision'") or [("0",)])[0][0])
            objs: dict[str, dict[tuple, dict]] = {}
            for kind, ns, name, body in self._read("SELECT kind, namespace, name, body FROM objects"):
                objs.setdefault(kind, {})[(ns, name)] = json.loads(body)
            due = self._read("SELECT MIN(due) FROM timers")[0][0]
            meta = self._read("SELECT value FROM meta WHERE key='cluster'")
            offset = float((json.loads(meta[0][0]) if meta else {}).get("clockOffset", 0.0) or 0.0)
        finally:
            self._read("ROLLBACK")
        return int(rev), objs, due, offset

    def _store_revision(self) -> int:
        with self.read_lock:
            row = self._read("SELECT value FROM meta WHERE key='revision'")
        return int(json.loads(row[0][0])) if row else 0

    def load(self) -> None:
        with self.lock:                  # commits meanwhile wait in `pending`, then apply after rev
            rev, objs, due, offset = self._store_state()
            self.rv, self.objects, self.loaded_at = rev, objs, rev
            self.next_timer, self.offset = due, offset
            self.pending = deque(b for b in self.pending if b.revision > rev)

    # ---- fed by the commits --------------------------------------------------------------
    def prepare(self, cluster) -> Batch:
        """Under the store's write lock: what this transaction wrote, copied (the cluster's dicts
        live on in the committing code)."""
        changes = []
        for key in cluster.dirty - cluster.removed:
            kind, ns, name = key
            obj = cluster._objs(kind).get((ns, name))
            if obj is not None:
                changes.append((int(obj["metadata"]["resourceVersion"]), key,
                                json.loads(json.dumps(obj, separators=(",", ":")))))
        removed_at = getattr(cluster, "removed_rv", {})
        for key in cluster.removed:
            changes.append((removed_at.get(key, cluster.revision), key, None))
        for key, ev in cluster.new_events.items():
            changes.append((int(ev["metadata"]["resourceVersion"]), key, json.loads(json.dumps(ev))))
        changes.sort(key=lambda c: c[0])
        batch = Batch(changes, cluster.revision, cluster.timers[0][0] if cluster.timers else None,
                      float(cluster.meta.get("clockOffset", 0.0) or 0.0))
        with self.lock:
            self.pending.append(batch)
        return batch

    def release(self, batch: Batch, ok: bool) -> None:
        with self.lock:
            batch.state = "ready" if ok else "aborted"
            while self.pending and self.pending[0].state != "pending":
                b = self.pending.popleft()
                if b.state != "ready":
                    continue
                if b.revision > self.rv:
                    self._apply(b.changes)
                    self.rv = b.revision
                self.next_timer, self.offset = b.next_timer, b.offset     # timers move without objects
            self.changed.notify_all()

    def _apply(self, changes) -> None:
        for rv, (kind, ns, name), obj in changes:
            if rv <= self.rv:
                continue
            objs = self.objects.setdefault(kind, {})
            prev = objs.get((ns, name))
            if obj is None:
                if prev is None:
                    continue
                del objs[(ns, name)]
            else:
                objs[(ns, name)] = obj
            ev = Event(rv, (kind, ns, name), obj, prev)
            hist = self.history.setdefault(kind, deque())
            hist.append(ev)
            now = ev.at
            while len(hist) > MAX_EVENTS or (len(hist) > MIN_EVENTS and now - hist[0].at > FRESH):
                hist.popleft()
                self.oldest[kind] = hist[0].rv - 1      # the cacher: "too old" below the first kept - 1
            for w in list(self.watchers.get(kind, ())):
                w.push(ev)

    def _resync(self) -> None:
        """Another process committed: diff the store against the cache, as events."""
        with self.lock:
            if self.pending:             # a commit of ours is on its way: it explains the revision
                return
        rev, objs, due, offset = self._store_state()
        with self.lock:
            if rev <= self.rv or self.pending:
                return
            changes = []
            for kind in set(objs) | set(self.objects):
                new, old = objs.get(kind, {}), self.objects.get(kind, {})
                for key, o in new.items():
                    if key not in old or old[key].get("metadata", {}).get("resourceVersion") != \
                            o.get("metadata", {}).get("resourceVersion"):
                        changes.append((int(o["metadata"].get("resourceVersion") or rev), (kind, *key), o))
                for key in old.keys() - new.keys():
                    changes.append((rev, (kind, *key), None))
            changes.sort(key=lambda c: c[0])
            self._apply(changes)
            self.rv, self.next_timer, self.offset = rev, due, offset
            self.changed.notify_all()

    # ---- the dispatcher: timers and other processes ----------------------------------------
    def run(self) -> None:
        while not self.stopping.wait(CHECK_EVERY):
            try:
                self._tick()
            except Exception:  # noqa: BLE001 - a busy or replaced store: try again next tick
                pass

    def _tick(self) -> None:
        with self.lock:
            watched = any(self.watchers.values())
            due, offset = self.next_timer, self.offset
        if self._store_revision() > self.rv:
            self._resync()
        if watched and due is not None and self.env.clock() + offset >= due:
            with open_cluster(self.env):
                pass                     # fires what fell due; the commit feeds the cache

    # ---- watches ---------------------------------------------------------------------------
    def wait_for(self, rv: int) -> bool:
        deadline = time.monotonic() + TOO_LARGE_WAIT
        while True:
            with self.lock:
                if self.rv >= rv:
                    return True
            if time.monotonic() >= deadline:
                return False
            if self._store_revision() > self.rv:
                self._resync()
            time.sleep(0.05)

    def watch(self, kind: str, match, since: str, send_initial: bool = False) -> tuple[Watcher, list, int]:
        """Register a watcher; returns it, the events to send first and the version they end at."""
        n = int(since) if since.isdigit() else 0
        if since and not since.isdigit():
            raise fail("BadRequest", f'invalid resource version: strconv.ParseUint: parsing "{since}": invalid syntax',
                       400)
        if n and n > self.rv and not self.wait_for(n):
            raise fail("Timeout", f"Too large resource version: {n}, current: {self.rv}", 504,
                       {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
                        "retryAfterSeconds": 1})
        with self.lock:
            w = Watcher(self, kind, match)
            if n == 0 or send_initial:
                first = [("ADDED", o, None) for _, o in sorted(self.objects.get(kind, {}).items()) if match(o)]
            else:
                oldest = self.oldest.get(kind, self.loaded_at)
                if n < oldest:
                    raise fail("Expired", f"too old resource version: {n} ({oldest})", 410)
                first = []
                for ev in self.history.get(kind, ()):
                    if ev.rv > n:
                        got = w.convert(ev)
                        if got is not None:
                            first.append((got[0], got[1], None))
            self.watchers.setdefault(kind, set()).add(w)
            return w, first, self.rv

    def unwatch(self, w: Watcher) -> None:
        with self.lock:
            self.watchers.get(w.kind, set()).discard(w)

    # ---- reads for server-side printing ----------------------------------------------------
    def view(self, now: float | None = None):
        return SnapshotView(self, now)


class SnapshotView:
    """A View over the cache (Table cells of watch events need one: ages, readiness)."""

    def __init__(self, cache: Cache, now: float | None = None):
        self.cache = cache
        self.now = cache.env.clock() + cache.offset if now is None else now
        self._profile = None

    def list(self, kind: str, namespace: str | None = None) -> list[dict]:
        with self.cache.lock:
            items = sorted(self.cache.objects.get(kind, {}).items())
        return [o for (ns, _), o in items if namespace is None or ns == namespace]

    def get(self, kind: str, namespace: str | None, name: str) -> dict | None:
        return self.cache.objects.get(kind, {}).get((namespace or "", name))

    @property
    def profile(self) -> dict:
        if self._profile is None:
            self._profile = profile(self.cache.env)
        return self._profile

    @property
    def rng(self):
        return random.Random(0)


def current(env) -> Cache | None:
    """The running cache of env's store, if a server started one."""
    return _caches.get(str(getattr(env, "db_path", "")))


def for_env(env) -> Cache:
    """The cache of env's store, started (loaded, its dispatcher running) on first use."""
    key = str(env.db_path)
    with _caches_lock:
        c = _caches.get(key)
        if c is None:
            c = _caches[key] = Cache(env)
            c.load()
            threading.Thread(target=c.run, name="watch-cache", daemon=True).start()
        return c


def stop(env) -> None:
    with _caches_lock:
        c = _caches.pop(str(env.db_path), None)
    if c is not None:
        c.stopping.set()


def _before_commit(env, cluster):
    c = _caches.get(str(getattr(env, "db_path", "")))
    return (c, c.prepare(cluster)) if c is not None else None


def _after_commit(token, ok: bool) -> None:
    c, batch = token
    c.release(batch, ok)


def _register() -> None:
    if (_before_commit, _after_commit) not in cluster.COMMIT_HOOKS:
        cluster.COMMIT_HOOKS.append((_before_commit, _after_commit))


_register()
