"""The live cluster over one store transaction, implementing View.

A command opens a `Cluster` (which loads the simulation clock, the random state and pending
timers; objects are read per kind the first time a kind is used), advances it to now, does its
work through the API layer, and commits. Only objects that changed are written back, and a
command that changed nothing writes nothing. Events are kept out of memory (there can be many)
and read from the store on demand. `settled` records that the controllers reached a fixed point,
so the next command can skip their pass until a write or a timer unsettles it.
"""
from __future__ import annotations

import heapq
import itertools
import json
import random
import threading
import uuid
from contextlib import contextmanager

from minikctl import timeutil
from minikctl.api.errors import ApiError, CliError
from minikctl.store import db
from minikctl.store.db import Store, _corrupt
from minikctl import lazy

clock = lazy.module("minikctl.sim.clock")
kinds = lazy.module("minikctl.api.kinds")
bootstrap = lazy.module("minikctl.sim.bootstrap")
controllers = lazy.module("minikctl.sim.controllers")
controlplane = lazy.module("minikctl.sim.nodehost.controlplane")

Key = tuple[str, str, str]


class Cluster:
    def __init__(self, store: Store, env):
        self.store = store
        self.env = env
        self.kinds: dict[str, dict[tuple[str, str], dict]] = {}
        self.dirty: set[Key] = set()
        self.removed: set[Key] = set()
        self.removed_rv: dict[Key, int] = {}     # the revision each removal took (watch events)
        self.new_events: dict[Key, dict] = {}
        self._event_keys: dict[tuple, Key] = {}   # (uid, reason, message) -> this command's event
        self._event_seq = 0                        # this command's events, in the order they happened
        self._event_cache: dict[str | None, list[dict]] = {}
        self.meta: dict = {}
        self.timers: list[tuple[float, int, str, dict]] = []
        self._seq = itertools.count()
        self.changed = False
        self.kind_version: dict[str, int] = {}     # bumped on every write of a kind
        self._list_cache: dict[tuple, tuple[int, list[dict]]] = {}
        self._memo: dict[str, tuple[tuple, object]] = {}
        self._files: dict[str, dict] = {}          # containers' writable file layers read this command
        self._files_dirty: set[str] = set()
        self._files_gone: set[str] = set()          # uids of pods removed: their layers go too

    # -- loading and saving ----------------------------------------------------------------
    def load(self) -> None:
        """Meta, clock, random state and timers; objects are read per kind on first use."""
        m = self.store.get_meta("cluster")
        self.meta = m or {}
        self.revision = self.store.get_meta("revision", 0)
        self.now = self.store.get_meta("now", 0.0)
        if not isinstance(self.meta, dict) or not isinstance(self.revision, int) \
                or not isinstance(self.now, (int, float)):
            raise ValueError("the cluster's meta, revision or clock is not what minikctl wrote")
        self.profile = self.meta.get("profile") or {}
        kinds.set_dynamic(self.meta.get("crd_kinds"))     # the CRDs' kinds (sim/controllers/crd.py)
        state = self.store.get_meta("rng")
        self.rng = random.Random()
        if state:
            self.rng.setstate((state[0], tuple(state[1]), state[2]))
        for _id, due, what, payload in self.store.timers():
            heapq.heappush(self.timers, (due, next(self._seq), what, payload))
        self.settled = bool(self.store.get_meta("settled", False))
        self.settled_at_load = self.settled      # the stored state was at the controllers' fixed point
        self._loaded = (json.dumps(self.meta, sort_keys=True), self.rng.getstate(), sorted(self.timers), self.settled)

    def _objs(self, kind: str) -> dict[tuple[str, str], dict]:
        """The objects of one kind, loaded from the store the first time they are needed."""
        objs = self.kinds.get(kind)
        if objs is None:
            objs = {(ns, name): body for ns, name, body in self.store.load_kind(kind)}
            self.kinds[kind] = objs
        return objs

    def load_everything(self) -> None:
        for kind in self.store.kinds():
            if kind != "Event":
                self._objs(kind)

    @property
    def initialized(self) -> bool:
        return bool(self.meta)

    def has_changes(self) -> bool:
        """Whether anything but the clock moved: a read-only command then writes nothing at all
        (the clock needs no saving: the next command advances from the same point to its own now)."""
        if self.dirty or self.removed or self.new_events or self._files_dirty:
            return True
        loaded = getattr(self, "_loaded", None)
        if loaded is None:
            return True
        return loaded != (json.dumps(self.meta, sort_keys=True), self.rng.getstate(), sorted(self.timers), self.settled)

    def save(self) -> None:
        for key in self.removed:
            self.store.remove(*key)
        for key in self.dirty - self.removed:
            kind, ns, name = key
            obj = self._objs(kind)[(ns, name)]
            self.store.put(kind, ns, name, int(obj["metadata"]["resourceVersion"]), obj)
        for (kind, ns, name), ev in self.new_events.items():
            self.store.put(kind, ns, name, int(ev["metadata"]["resourceVersion"]), ev)
        self.store.set_meta("cluster", self.meta)
        self.store.set_meta("revision", self.revision)
        self.store.set_meta("now", self.now)
        self.store.set_meta("settled", self.settled)
        st = self.rng.getstate()
        self.store.set_meta("rng", [st[0], list(st[1]), st[2]])
        self.store.replace_timers([(d, w, p) for d, _s, w, p in sorted(self.timers)])
        for key in self._files_dirty:
            self.store.set_meta("files/" + key, self._files[key])
        for uid in self._files_gone:          # containers' and emptyDirs' files end with their pod
            self.store.delete_meta_prefix(f"files/ctr/{uid}/")
            self.store.delete_meta_prefix(f"files/vol/{uid}/")

    def replace_objects(self, objects: list[dict], revision: int) -> None:
        """Every stored object (Events too) becomes exactly `objects`, at `revision`: what an
        etcd restarted on another data directory serves (minikctl/sim/etcd/datadir.py). Below
        the API door on purpose: this is the storage itself changing, not a write through it."""
        self.store.replace_objects([(o["kind"], o["metadata"].get("namespace") or "", o["metadata"]["name"],
                                     int(o["metadata"].get("resourceVersion") or 0), o) for o in objects])
        for kind in set(self.kinds) | {o["kind"] for o in objects}:
            self.kind_version[kind] = self.kind_version.get(kind, 0) + 1
        self.kinds = {}
        self.dirty, self.removed, self.new_events = set(), set(), {}
        self._event_keys, self._event_cache = {}, {}
        self._list_cache, self._memo = {}, {}
        if hasattr(self, "ips_in_use"):
            del self.ips_in_use
        self.revision = revision
        self.settled = self.settled_at_load = False
        self.changed = True
        self._loaded = None  # has_changes(): the command must commit

    # -- container file layers (minikctl/images/fs.py) -------------------------------------------
    def files_get(self, key: str) -> dict | None:
        """A writable file layer (a container's, an emptyDir's, a node's), stored beside the meta."""
        if key not in self._files:
            self._files[key] = self.store.get_meta("files/" + key) or {}
        return self._files[key]

    def files_put(self, key: str, data: dict) -> None:
        self._files[key] = data
        self._files_dirty.add(key)

    # -- View ------------------------------------------------------------------------------
    def list(self, kind: str, namespace: str | None = None) -> list[dict]:
        if kind == "Event":
            return self._events(namespace)
        version = self.kind_version.get(kind, 0)
        hit = self._list_cache.get((kind, namespace))
        if hit is not None and hit[0] == version:
            return list(hit[1])
        objs = self._objs(kind)
        if namespace is None:
            keys = sorted(objs)
        else:
            keys = sorted(k for k in objs if k[0] == namespace)
        out = [objs[k] for k in keys]
        self._list_cache[(kind, namespace)] = (version, out)
        return list(out)

    def count(self, kind: str) -> int:
        """How many objects of a kind exist (no list built: the limits check this per create)."""
        return len(self._objs(kind))

    def memo(self, name: str, kinds: tuple[str, ...], build):
        """A value derived from some kinds (an index), rebuilt only when one of them changed."""
        stamp = tuple(self.kind_version.get(k, 0) for k in kinds)
        hit = self._memo.get(name)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        value = build()
        self._memo[name] = (stamp, value)
        return value

    def get(self, kind: str, namespace: str | None, name: str) -> dict | None:
        if kind == "Event":
            return next((e for e in self._events(namespace) if e["metadata"]["name"] == name), None)
        return self._objs(kind).get((namespace or "", name))

    def _events(self, namespace: str | None) -> list[dict]:
        if namespace not in self._event_cache:
            self._event_cache[namespace] = self.store.events(namespace)
        evs = {(e["metadata"].get("namespace") or "", e["metadata"]["name"]): e for e in self._event_cache[namespace]}
        for (k, ns, name), e in self.new_events.items():
            if namespace is None or ns == namespace:
                evs[(ns, name)] = e
        return [evs[k] for k in sorted(evs)]

    # -- writing ---------------------------------------------------------------------------
    def next_rv(self) -> str:
        self.revision += 1
        return str(self.revision)

    def new_uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def timestamp(self) -> str:
        return timeutil.fmt(self.now)

    def put(self, obj: dict) -> dict:
        """Store an object (new or changed), bumping its resourceVersion."""
        m = obj["metadata"]
        ns = m.get("namespace") or ""
        key = (obj["kind"], ns, m["name"])
        m["resourceVersion"] = self.next_rv()
        self._objs(obj["kind"])[(ns, m["name"])] = obj
        self.settled = False
        self.kind_version[obj["kind"]] = self.kind_version.get(obj["kind"], 0) + 1
        self.dirty.add(key)
        self.removed.discard(key)
        self.changed = True
        return obj

    def remove(self, obj: dict) -> None:
        m = obj["metadata"]
        ns = m.get("namespace") or ""
        key = (obj["kind"], ns, m["name"])
        self._objs(obj["kind"]).pop((ns, m["name"]), None)
        self.settled = False
        if obj["kind"] == "Pod" and hasattr(self, "ips_in_use"):
            self.ips_in_use.discard((obj.get("status") or {}).get("podIP"))
        if obj["kind"] == "Pod" and m.get("uid"):
            self._files_gone.add(m["uid"])
        self.kind_version[obj["kind"]] = self.kind_version.get(obj["kind"], 0) + 1
        self.removed.add(key)
        self.dirty.discard(key)
        self.revision += 1
        self.removed_rv[key] = self.revision
        self.changed = True

    def set_status(self, obj: dict, status: dict) -> bool:
        """Write a new status only if it differs (controllers call this every pass)."""
        if obj.get("status") == status:
            return False
        obj["status"] = status
        self.put(obj)
        return True

    # -- timers ----------------------------------------------------------------------------
    def schedule(self, due: float, what: str, payload: dict) -> None:
        heapq.heappush(self.timers, (due, next(self._seq), what, payload))

    # -- events ----------------------------------------------------------------------------
    def record_event(self, obj: dict, etype: str, reason: str, message: str, component: str,
                     host: str | None = None, stored: bool = False) -> None:
        """A core/v1 Event about obj, aggregated like the event recorder (same reason+message -> count+1).
        stored=True also aggregates with an event an earlier command stored (a kubelet retrying for
        minutes: `(x4 over 2m)`); it reads the namespace's events, so only repeating events ask for it."""
        m = obj["metadata"]
        ns = m.get("namespace") or "default"
        same = self._event_keys.get((m.get("uid"), reason, message))
        if same is None and stored:
            # Stored events are whatever the apiserver accepted: a user's Event may name nothing.
            old = next((e for e in self._events(ns) if isinstance(e.get("involvedObject"), dict)
                        and e["involvedObject"].get("uid") == m.get("uid") and m.get("uid")
                        and e.get("reason") == reason and e.get("message") == message
                        and isinstance(e.get("count"), int)), None)
            if old is not None:
                same = ("Event", ns, old["metadata"]["name"])
                self.new_events[same] = json.loads(json.dumps(old))
                self._event_keys[(m.get("uid"), reason, message)] = same
        if same is not None:
            ev = self.new_events[same]
            ev["count"] += 1
            ev["lastTimestamp"] = self.timestamp()
            ev["metadata"]["resourceVersion"] = self.next_rv()
            return
        # The recorder names an event <object>.<UnixNano hex>, so a list (sorted by name) shows an
        # object's events in the order they happened. Milliseconds, then this command's sequence,
        # then random digits against a clash with another command at the same instant.
        self._event_seq += 1
        nanos = int(self.now * 1000) * 1_000_000 + self._event_seq * 10_000 + self.rng.getrandbits(64) % 10_000
        name = f"{m['name']}.{nanos:x}"
        source = {"component": component}
        if host:
            source["host"] = host
        ev = {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": name, "namespace": ns, "uid": self.new_uid(),
                         "creationTimestamp": self.timestamp(), "resourceVersion": self.next_rv()},
            # a cluster-scoped object's reference has no namespace (its events live in default),
            # so `describe node|pv|...` finds them as kubectl does
            "involvedObject": {"kind": obj["kind"], **({"namespace": m["namespace"]} if m.get("namespace") else {}),
                               "name": m["name"],
                               "uid": m.get("uid", ""), "apiVersion": obj.get("apiVersion", "v1"),
                               "resourceVersion": m.get("resourceVersion", "")},
            "reason": reason, "message": message, "source": source,
            "firstTimestamp": self.timestamp(), "lastTimestamp": self.timestamp(),
            "count": 1, "type": etype, "eventTime": None,
            "reportingComponent": component, "reportingInstance": host or "",
        }
        if obj["kind"] == "Pod" and reason in ("Pulling", "Pulled", "Created", "Started", "Killing"):
            c = (obj.get("spec") or {}).get("containers") or [{}]
            ev["involvedObject"]["fieldPath"] = f"spec.containers{{{c[0].get('name', '')}}}"
        self.new_events[("Event", ns, name)] = ev
        self._event_keys[(m.get("uid"), reason, message)] = ("Event", ns, name)
        self.changed = True
        self.settled = False


def now_of(cluster, env) -> float:
    """The cluster's clock: the environment's clock plus the time `minikctl sim advance` has
    added (meta clockOffset), so moved time stays moved for every later command."""
    return env.clock() + float(cluster.meta.get("clockOffset", 0.0) or 0.0)


# Told about every commit: (before, after) pairs; before(env, cluster) runs under the store's
# write lock once the transaction is saved and returns a token (or None), after(token, ok) runs
# once the commit is durable (ok) or failed. The apiserver's watch cache registers here, so watches
# are pushed by the commits themselves (minikctl/apiserver/watchcache.py).
COMMIT_HOOKS: list = []


def _commit(store, env, cluster) -> None:
    tokens = [(after, t) for before, after in COMMIT_HOOKS if (t := before(env, cluster)) is not None]
    try:
        store.commit()
    except BaseException:
        for after, t in tokens:
            after(t, False)
        raise
    for after, t in tokens:
        after(t, True)


_WRITERS: dict[str, threading.RLock] = {}
_WRITERS_LOCK = threading.Lock()


def _writer_lock(path) -> threading.RLock:
    """One lock per state file for this process's transactions. Every transaction takes SQLite's
    write lock (BEGIN IMMEDIATE); threads of one process (`minikctl serve`: requests, the watch
    cache's timer pass) that met there would wait in SQLite's busy handler, which sleeps and
    polls (1, 2, 5, 10 ... up to 100 ms between looks): a write queued behind a 15 ms one could
    start 20-30 ms late. Queued here, the next thread starts the moment the lock is free.
    Other processes still meet at SQLite's lock. Reentrant, and waited for at most BUSY_MS: a
    nested open_cluster, or a transaction held that long, meets SQLite's lock as before."""
    key = str(path)
    with _WRITERS_LOCK:
        lock = _WRITERS.get(key)
        if lock is None:
            lock = _WRITERS[key] = threading.RLock()
        return lock


@contextmanager
def open_cluster(env, *, write: bool = True, direct: bool = False):
    """Open the store, load the cluster, advance it to now; commit on success, roll back on error.

    Every kubectl-like command goes through the API server: while it is down (a broken
    kube-apiserver or etcd manifest on the control plane, sim/nodehost/controlplane.py) they fail
    with kubectl's connection-refused message. `direct` is the simulation's own door, not the
    API server's: `ssh` to a node (so the learner can fix it), `sim`, `cluster`, drills."""
    lock = _writer_lock(env.db_path)
    held = lock.acquire(timeout=db.BUSY_MS / 1000)      # else SQLite's busy handler decides, as before
    try:
        with _open_cluster(env, write=write, direct=direct) as cluster:
            yield cluster
    finally:
        if held:
            lock.release()


@contextmanager
def _open_cluster(env, *, write: bool = True, direct: bool = False):
    store = Store(env.db_path)
    outermost = getattr(env, "pending", None) is None and hasattr(env, "hold_output")
    if outermost:
        env.hold_output()
    kept = False
    try:
        store.begin()
        cluster = Cluster(store, env)
        try:
            cluster.load()
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as e:  # meta that is not ours
            raise _corrupt(store.path, f"{type(e).__name__}: {e}") from None
        if not cluster.initialized:
            bootstrap.init_cluster(cluster, env)
        clock.advance(cluster, now_of(cluster, env))
        if not direct and cluster.meta.get("controlPlane"):
            if controlplane.apiserver_down(cluster):
                raise CliError(controlplane.refused_message(cluster), raw=True)
        yield cluster
        if not cluster.settled:
            controllers.settle(cluster)
        if write and cluster.has_changes():
            cluster.save()
            _commit(store, env, cluster)
        else:
            store.rollback()
        kept = True
    except (ApiError, CliError):
        # An error the command reports (kubectl prints its lines, then the error): what it
        # printed before stands. The verbs report errors for later objects without raising.
        store.rollback()
        kept = True
        raise
    except BaseException:  # a bug, ^C, a kill: nothing of what was rolled back is reported
        store.rollback()
        raise
    finally:
        store.close()
        if outermost:
            env.release_output(kept)
