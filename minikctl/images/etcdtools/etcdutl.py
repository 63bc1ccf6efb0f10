"""`etcdutl` (offline etcd utility, v3.5.16): snapshot status and restore on the node's files,
version; `etcdctl snapshot status|restore` (deprecated) run the same code after their warning.

Restore makes the data directory etcd would start from (member/snap/db, a raft snapshot, a WAL);
nothing changes in the cluster until the etcd static pod is pointed at it (sim/etcd/datadir.py).
"""
from __future__ import annotations

import json

from minikctl.images.etcdtools import conn, flags
from minikctl.images.etcdtools.flags import FlagError
from minikctl import lazy

datadir = lazy.module("minikctl.sim.etcd.datadir")
fs_of = lazy.function("minikctl.images.fs", "fs_of")
members = lazy.module("minikctl.sim.etcd.members")
snap = lazy.module("minikctl.sim.etcd.snapshot")

VALUES = {"-w": "write-out", "--write-out": "write-out", "--data-dir": "data-dir", "--wal-dir": "wal-dir",
          "--initial-cluster": "initial-cluster", "--initial-cluster-token": "initial-cluster-token",
          "--initial-advertise-peer-urls": "initial-advertise-peer-urls", "--name": "name",
          "--bump-revision": "bump-revision", "--initial-memory-map-size": "initial-memory-map-size"}
BOOLS = {"--skip-hash-check", "--mark-compacted", "-h", "--help"}
MMAP = 10 * 1024 * 1024 * 1024   # backend.InitialMmapSize


def etcdutl(ctx, argv):
    try:
        words, opts = flags.parse(argv[1:], VALUES, BOOLS)
    except FlagError as e:
        return "", f"Error: {e}\n", 1
    if not words or opts.get("help") or opts.get("h"):
        return USAGE, "", 0
    if words[0] == "version":
        return f"etcdutl version: {flags.VERSION}\nAPI version: {flags.API_VERSION}\n", "", 0
    if words[0] == "snapshot":
        sub = words[1] if len(words) > 1 else ""
        if sub == "save":
            return "", ("Command \"save\" is deprecated, Use `etcdctl snapshot save` to download snapshot\n"
                        "Error: In order to download snapshot use: `etcdctl snapshot save ...`\n"), 128
        if sub == "restore" and "data-dir" not in opts:
            return "", 'Error: required flag(s) "data-dir" not set\n', 1
        if sub in ("status", "restore"):
            return snapshot(ctx, sub, words[2:], opts)
        return USAGE, "", 0
    if words[0] in ("defrag", "backup", "migrate", "hashkv", "check"):
        return "", f"minikctl: etcdutl {words[0]} is not simulated\n", 126
    return "", f'Error: unknown command "{words[0]}" for "etcdutl"\nRun \'etcdutl --help\' for usage.\n', 1


def snapshot(ctx, sub: str, args: list[str], opts: dict):
    if sub == "status":
        return _status(ctx, args, opts)
    return _restore(ctx, args, opts)


def _load(ctx, path: str):
    full = conn.abspath(ctx.cwd, path)
    fs = fs_of(ctx)
    if fs.kind(full) == "dir":
        raise snap.SnapshotError(f"read {path}: is a directory")
    text = fs.read(full) if fs.kind(full) == "file" else None
    return snap.read(text, path)


def _status(ctx, args, opts):
    if len(args) != 1:
        return "", "Error: snapshot status requires exactly one argument\n", 128
    fmt = opts.get("write-out", "simple")
    if fmt not in ("simple", "table", "json", "fields", "protobuf"):
        return "", "Error: unsupported output format\n", 4
    if fmt in ("fields", "protobuf"):
        return "", f"minikctl: -w {fmt} is not simulated (simple, table and json are)\n", 126
    try:
        s = _load(ctx, args[0])
    except snap.SnapshotError as e:
        return "", f"Error: {e}\n", 1
    h, rev, keys, size = s.status()
    row = [f"{h:x}", str(rev), str(keys), snap.humanize_bytes(size)]
    if fmt == "table":
        return flags.table(["hash", "revision", "total keys", "total size"], [row]), "", 0
    if fmt == "json":
        return json.dumps({"hash": h, "revision": rev, "totalKey": keys, "totalSize": size},
                          separators=(",", ":")) + "\n", "", 0
    return ", ".join(row) + "\n", "", 0


def _restore(ctx, args, opts):
    if len(args) != 1:
        return "", "Error: snapshot restore requires exactly one argument\n", 128
    bump = opts.get("bump-revision") or "0"
    if (bump == "0" and opts.get("mark-compacted")) or (bump != "0" and not opts.get("mark-compacted")):
        return "", "Error: --mark-compacted required if --revision-bump > 0\n", 128
    name = opts.get("name") or "default"
    peer_urls = (opts.get("initial-advertise-peer-urls") or "http://localhost:2380").split(",")
    initial = opts.get("initial-cluster") or f"{name}=http://localhost:2380"
    token = opts.get("initial-cluster-token") or "etcd-cluster"
    cluster_map: dict[str, list[str]] = {}
    for part in initial.split(","):
        n, eq, url = part.partition("=")
        if not eq:
            return "", f"Error: parse \"{part}\": missing protocol scheme\n", 1
        cluster_map.setdefault(n, []).append(url)
    if sorted(cluster_map.get(name, [])) != sorted(peer_urls):
        return "", (f"Error: --initial-cluster has {name}={','.join(sorted(cluster_map.get(name, [])))} but missing "
                    f"from --initial-advertise-peer-urls={','.join(sorted(peer_urls))} "
                    f"(resolved urls: \"{','.join(sorted(peer_urls))}\" != \"{','.join(sorted(cluster_map.get(name, [])))}\")\n"
                    if name in cluster_map else
                    f"Error: couldn't find local name \"{name}\" in the initial cluster configuration\n"), 1
    data_dir = opts.get("data-dir") or f"{name}.etcd"
    full = conn.abspath(ctx.cwd, data_dir)
    wal_dir = opts.get("wal-dir") or f"{data_dir.rstrip('/')}/member/wal"
    fs = fs_of(ctx)
    kind = fs.kind(full)
    if kind == "file" or (kind == "dir" and fs.listdir(full)):
        return "", f"Error: data-dir {json.dumps(data_dir)} not empty or could not be read\n", 1
    if opts.get("wal-dir") and fs.kind(conn.abspath(ctx.cwd, wal_dir)) is not None:
        return "", f"Error: wal-dir {json.dumps(wal_dir)} exists\n", 1
    try:
        s = _load(ctx, args[0])
    except snap.SnapshotError as e:
        msg = str(e).replace("stat ", "open ", 1)
        return "", f"Error: {msg}\n", 1
    if s.checksum is None and not opts.get("skip-hash-check"):
        return "", "Error: snapshot missing hash but --skip-hash-check=false\n", 1
    if not opts.get("skip-hash-check"):
        bad = s.checksum_error()
        if bad:
            return "", f"Error: {bad}\n", 1
    now = ctx.view.now
    snap_dir = f"{data_dir.rstrip('/')}/member/snap"
    where = {"path": args[0], "wal-dir": wal_dir, "data-dir": data_dir, "snap-dir": snap_dir,
             "initial-memory-map-size": int(opts.get("initial-memory-map-size") or MMAP)}
    log = flags.console_log(now, "info", "snapshot/v3_snapshot.go:265", "restoring snapshot", **where)
    log += flags.console_log(now, "info", "membership/store.go:141", "Trimming membership information from the backend...")
    ids = {n: members.member_id(urls, token) for n, urls in cluster_map.items()}
    cid = members.cluster_id(list(ids.values()))
    for n in sorted(cluster_map, key=lambda n: ids[n]):
        log += flags.console_log(now, "info", "membership/cluster.go:421", "added member", **{
            "cluster-id": f"{cid:x}", "local-member-id": "0", "added-peer-id": f"{ids[n]:x}",
            "added-peer-peer-urls": cluster_map[n]})
    log += flags.console_log(now, "info", "snapshot/v3_snapshot.go:293", "restored snapshot", **where)
    datadir.write_db(fs, full, s.db_text, s.revision + len(cluster_map))
    return "", log, 0


USAGE = """etcdutl is a command line application that operates on etcd files.

Usage:
  etcdutl [command]

Available Commands (simulated by minikctl):
  snapshot    Manages etcd node snapshots
  version     Prints the version of etcdutl

Flags:
  -h, --help               help for etcdutl
  -w, --write-out string   set the output format (fields, json, protobuf, simple, table) (default "simple")
"""
