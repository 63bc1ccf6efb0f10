"""`etcdctl` (v3 API) on a control-plane node: snapshot save|status|restore, endpoint
health|status, member list, get, version. It talks to the etcd static pod through conn.py (TLS
files, the dial) and reads the live store as etcd's keyspace (sim/etcd). Texts: etcd v3.5.16."""
from __future__ import annotations

from minikctl.images.etcdtools import conn, flags
from minikctl.images.etcdtools.flags import FlagError
import base64
import json
import zlib
from minikctl import lazy

etcdutl = lazy.module("minikctl.images.etcdtools.etcdutl")
fs_of = lazy.function("minikctl.images.fs", "fs_of")
members = lazy.module("minikctl.sim.etcd.members")
snapshot = lazy.module("minikctl.sim.etcd.snapshot")

GLOBAL_VALUES = {"--endpoints": "endpoints", "--cacert": "cacert", "--cert": "cert", "--key": "key",
                 "-w": "write-out", "--write-out": "write-out", "--dial-timeout": "dial-timeout",
                 "--command-timeout": "command-timeout", "--keepalive-time": "keepalive-time",
                 "--keepalive-timeout": "keepalive-timeout", "--user": "user", "--password": "password",
                 "-d": "discovery-srv", "--discovery-srv": "discovery-srv",
                 "--discovery-srv-name": "discovery-srv-name"}
GLOBAL_BOOLS = {"--debug", "--hex", "--insecure-transport", "--insecure-discovery", "--insecure-skip-tls-verify"}
CMD_VALUES = {"--data-dir": "data-dir", "--wal-dir": "wal-dir", "--initial-cluster": "initial-cluster",
              "--initial-cluster-token": "initial-cluster-token",
              "--initial-advertise-peer-urls": "initial-advertise-peer-urls", "--name": "name",
              "--bump-revision": "bump-revision", "--initial-memory-map-size": "initial-memory-map-size",
              "--limit": "limit", "--rev": "rev", "--sort-by": "sort-by", "--order": "order",
              "--consistency": "consistency"}
CMD_BOOLS = {"--prefix", "--keys-only", "--print-value-only", "--from-key", "--count-only", "--skip-hash-check",
             "--mark-compacted", "--cluster", "-h", "--help"}
EXIT_ERROR, EXIT_INTERRUPTED, EXIT_BAD_ARGS = 1, 5, 128
DEFAULT_ENDPOINT = "127.0.0.1:2379"
NOT_SIMULATED = ("put", "del", "txn", "compaction", "watch", "lease", "alarm", "defrag", "move-leader",
                 "auth", "user", "role", "check", "make-mirror", "elect", "lock", "downgrade", "migrate")


def _err(msg: str, code: int) -> tuple[str, str, int]:
    return "", f"Error: {msg}\n", code


def etcdctl(ctx, argv):
    env = ctx.env or {}
    api = env.get("ETCDCTL_API", "")
    if api == "2":
        return "", "minikctl: etcdctl's v2 API (ETCDCTL_API=2) is not simulated; use ETCDCTL_API=3\n", 126
    if api not in ("", "3"):
        return "", f"unsupported API version: {api}\n", 1
    try:
        words, opts = flags.parse(argv[1:], {**GLOBAL_VALUES, **CMD_VALUES}, GLOBAL_BOOLS | CMD_BOOLS,
                                  env=env, env_prefix="ETCDCTL_")
    except FlagError as e:
        return _err(str(e), EXIT_ERROR)
    if not words or opts.get("help") or opts.get("h"):
        return USAGE, "", 0
    cmd = words[0]
    if cmd == "version":
        return f"etcdctl version: {flags.VERSION}\nAPI version: {flags.API_VERSION}\n", "", 0
    out = opts.get("write-out", "simple")
    if out not in ("simple", "table", "json", "fields", "protobuf"):
        return _err("unsupported output format", 4)
    if out in ("fields", "protobuf"):
        return "", f"minikctl: etcdctl -w {out} is not simulated (simple, table and json are)\n", 126
    if cmd == "snapshot":
        sub = words[1] if len(words) > 1 else ""
        if sub == "save":
            return _snapshot_save(ctx, words[2:], opts)
        if sub in ("status", "restore"):
            out_, err_, code = etcdutl.snapshot(ctx, sub, words[2:], opts)
            return out_, "Deprecated: Use `etcdutl snapshot " + sub + "` instead.\n\n" + err_, code
        return SNAPSHOT_USAGE, "", 0
    if cmd == "endpoint":
        sub = words[1] if len(words) > 1 else ""
        if sub == "health":
            return _endpoint_health(ctx, opts)
        if sub == "status":
            return _endpoint_status(ctx, opts)
        if sub == "hashkv":
            return "", "minikctl: etcdctl endpoint hashkv is not simulated\n", 126
        return ENDPOINT_USAGE, "", 0
    if cmd == "member":
        sub = words[1] if len(words) > 1 else ""
        if sub == "list":
            return _member_list(ctx, opts)
        if sub in ("add", "remove", "update", "promote"):
            return "", f"minikctl: etcdctl member {sub} is not simulated (kubeadm's etcd has one member)\n", 126
        return MEMBER_USAGE, "", 0
    if cmd == "get":
        return _get(ctx, words[1:], opts)
    if cmd in NOT_SIMULATED:
        return "", (f"minikctl: etcdctl {cmd} is not simulated (the keyspace is the apiserver's: change objects "
                    "with kubectl)\n"), 126
    return "", f'Error: unknown command "{cmd}" for "etcdctl"\nRun \'etcdctl --help\' for usage.\n', EXIT_ERROR


# -- connecting -------------------------------------------------------------------------------
def _client(ctx, opts):
    """(config, endpoints) or an error triple: the TLS files are read before any dial."""
    try:
        cfg = conn.client_config(ctx, opts)
    except conn.ConfigError as e:
        return None, _err(str(e), EXIT_BAD_ARGS)
    eps = opts.get("endpoints") or [DEFAULT_ENDPOINT]
    return (cfg, eps), None


def _unary(ctx, opts):
    """A unary RPC's fate: None when it goes through, else the (out, err, code) etcdctl ends with."""
    got, bad = _client(ctx, opts)
    if bad:
        return None, bad
    cfg, eps = got
    detail = None
    for ep in eps:  # the balancer tries each endpoint; any that answers serves the call
        d = conn.dial(ctx, cfg, ep)
        if d is None:
            return got, None
        detail = (ep, d)
    warn = conn.retry_warning(ctx.view.now, detail[0], detail[1])
    return None, ("", warn + "Error: context deadline exceeded\n", EXIT_ERROR)


# -- snapshot save ----------------------------------------------------------------------------
def _snapshot_save(ctx, args, opts):
    if len(args) != 1:
        return _err("snapshot save expects one argument", EXIT_BAD_ARGS)
    got, bad = _client(ctx, opts)
    if bad:
        return bad
    cfg, eps = got
    if len(eps) != 1:
        return _err(f"snapshot must be requested to one selected node, not multiple [{' '.join(eps)}]",
                    EXIT_INTERRUPTED)
    ep = eps[0]
    path = args[0]
    full = conn.abspath(ctx.cwd, path)
    part = path + ".part"
    fs = fs_of(ctx)
    parent = full.rsplit("/", 1)[0] or "/"
    if fs.kind(parent) != "dir":
        return _err(f"could not open {part} (open {part}: no such file or directory)", EXIT_INTERRUPTED)
    if fs.kind(full) == "dir":
        return _err(f"could not rename {part} to {path} (rename {part} {path}: file exists)", EXIT_INTERRUPTED)
    now = ctx.view.now
    log = flags.json_log(now, "info", "snapshot/v3_snapshot.go:65", "created temporary db file", path=part)
    detail = conn.dial(ctx, cfg, ep)
    if detail is not None:
        if opts.get("command-timeout"):
            return "", log + "Error: context deadline exceeded\n", EXIT_INTERRUPTED
        return "", (log + f"minikctl: etcdctl would wait here until interrupted (snapshot save has no timeout "
                    f"unless --command-timeout is given); the connection to {ep} keeps failing: {detail}\n"), 130
    text = snapshot.with_checksum(snapshot.payload(ctx.view))
    size = snapshot.humanize_bytes(len(text.encode()))
    if fs.write(full, text):
        return _err(f"could not open {part} (open {part}: permission denied)", EXIT_INTERRUPTED)
    log += flags.json_log(now, "info", "v3/maintenance.go:212", "opened snapshot stream; downloading", logger="client")
    log += flags.json_log(now, "info", "snapshot/v3_snapshot.go:73", "fetching snapshot", endpoint=ep)
    log += flags.json_log(now, "info", "v3/maintenance.go:220", "completed snapshot read; closing", logger="client")
    log += flags.json_log(now, "info", "snapshot/v3_snapshot.go:88", "fetched snapshot", endpoint=ep, size=size,
                          took="now")
    log += flags.json_log(now, "info", "snapshot/v3_snapshot.go:97", "saved", path=path)
    return f"Snapshot saved at {path}\n", log, 0


# -- endpoint, member -------------------------------------------------------------------------
def _took(view, ep: str) -> str:
    """A proposal's round trip, as Go prints a time.Duration (`9.417317ms`)."""
    micros = 6000 + zlib.crc32(f"{ep}{view.now}".encode()) % 9000
    nanos = micros * 1000 + zlib.crc32(ep.encode()) % 1000
    return f"{nanos / 1e6:.6f}".rstrip("0").rstrip(".") + "ms"


def _endpoints(ctx, opts, cfg):
    eps = opts.get("endpoints") or [DEFAULT_ENDPOINT]
    if opts.get("cluster"):
        m = members.control_plane_member(ctx.view)
        if all(conn.dial(ctx, cfg, ep) for ep in eps):
            return None
        return list(m["clientURLs"])
    return eps


def _endpoint_health(ctx, opts):
    got, bad = _client(ctx, opts)
    if bad:
        return bad
    cfg, _ = got
    eps = _endpoints(ctx, opts, cfg)
    if eps is None:
        return _err("context deadline exceeded", EXIT_ERROR)
    rows, warn, errs = [], "", []
    for ep in eps:
        d = conn.dial(ctx, cfg, ep)
        if d is None:
            rows.append({"endpoint": ep, "health": True, "took": _took(ctx.view, ep)})
        else:
            warn += conn.retry_warning(ctx.view.now, ep, d)
            rows.append({"endpoint": ep, "health": False, "took": "5.00" + _took(ctx.view, ep)[:4].replace(".", "")
                         + "s", "error": "context deadline exceeded"})
    out, err = "", warn
    fmt = opts.get("write-out", "simple")
    if fmt == "table":
        out = flags.table(["endpoint", "health", "took", "error"],
                          [[r["endpoint"], str(r["health"]).lower(), r["took"], r.get("error", "")] for r in rows])
    elif fmt == "json":
        out = json.dumps([{k: v for k, v in r.items()} for r in rows], separators=(",", ":")) + "\n"
    else:
        for r in rows:
            if r["health"]:
                out += f"{r['endpoint']} is healthy: successfully committed proposal: took = {r['took']}\n"
            else:
                err += f"{r['endpoint']} is unhealthy: failed to commit proposal: {r['error']}\n"
    if any(not r["health"] for r in rows):
        return out, err + "Error: unhealthy cluster\n", EXIT_ERROR
    return out, err, 0


def _endpoint_status(ctx, opts):
    got, bad = _unary(ctx, opts)
    if bad:
        return bad
    cfg, _ = got
    eps = _endpoints(ctx, opts, cfg) or []
    m = members.control_plane_member(ctx.view)
    snap = snapshot.Snapshot(snapshot.payload(ctx.view))
    _, rev, _, size = snap.status()
    index = ctx.view.revision + 4 if hasattr(ctx.view, "revision") else rev
    rows = [[ep, f"{m['id']:x}", flags.VERSION, snapshot.humanize_bytes(size), "true", "false", "2", str(index),
             str(index), ""] for ep in eps]
    fmt = opts.get("write-out", "simple")
    if fmt == "table":
        return flags.table(["endpoint", "ID", "version", "db size", "is leader", "is learner", "raft term",
                            "raft index", "raft applied index", "errors"], rows), "", 0
    if fmt == "json":
        return json.dumps([{"Endpoint": r[0], "Status": {"header": {"cluster_id": members.cluster_id([m["id"]]),
                                                                   "member_id": m["id"], "revision": rev,
                                                                   "raft_term": 2},
                                                        "version": flags.VERSION, "dbSize": size, "leader": m["id"],
                                                        "raftIndex": index, "raftTerm": 2,
                                                        "raftAppliedIndex": index, "dbSizeInUse": size}}
                           for r in rows], separators=(",", ":")) + "\n", "", 0
    return "".join(", ".join(r) + "\n" for r in rows), "", 0


def _member_list(ctx, opts):
    got, bad = _unary(ctx, opts)
    if bad:
        return bad
    m = members.control_plane_member(ctx.view)
    row = [f"{m['id']:x}", "started", m["name"], ",".join(m["peerURLs"]), ",".join(m["clientURLs"]), "false"]
    fmt = opts.get("write-out", "simple")
    if fmt == "table":
        return flags.table(["ID", "Status", "Name", "Peer Addrs", "Client Addrs", "Is Learner"], [row]), "", 0
    if fmt == "json":
        cid = members.cluster_id([m["id"]])
        return json.dumps({"header": {"cluster_id": cid, "member_id": m["id"], "raft_term": 2},
                           "members": [{"ID": m["id"], "name": m["name"], "peerURLs": m["peerURLs"],
                                        "clientURLs": m["clientURLs"]}]}, separators=(",", ":")) + "\n", "", 0
    return ", ".join(row) + "\n", "", 0


# -- get --------------------------------------------------------------------------------------
def _get(ctx, args, opts):
    if not args or len(args) > 2:
        return _err("get command needs one argument as key and an optional argument as range_end", EXIT_BAD_ARGS)
    if opts.get("count-only") and opts.get("write-out", "simple") != "fields":
        return _err("--count-only is only for `--write-out=fields`", EXIT_BAD_ARGS)
    got, bad = _unary(ctx, opts)
    if bad:
        return bad
    key = args[0]
    end = args[1] if len(args) > 1 else None
    if opts.get("prefix") and end is not None:
        return _err("too many arguments, only accept one argument when `--prefix` is set.", EXIT_BAD_ARGS)
    kvs = snapshot.buckets_of(ctx.view)["key"]
    if opts.get("prefix"):
        sel = [k for k in kvs if k.startswith(key)] if key else list(kvs)
    elif opts.get("from-key"):
        sel = [k for k in kvs if k >= key]
    elif end is not None:
        sel = [k for k in kvs if key <= k < end]
    else:
        sel = [k for k in kvs if k == key]
    sel.sort()
    if opts.get("order", "").upper() == "DESCEND":
        sel.reverse()
    count = len(sel)
    limit = int(opts.get("limit") or 0) if str(opts.get("limit") or "0").isdigit() else 0
    if limit:
        sel = sel[:limit]
    keys_only = opts.get("keys-only")
    value = (lambda k: "" if keys_only else json.dumps(kvs[k]["value"], separators=(",", ":")))
    fmt = opts.get("write-out", "simple")
    if fmt == "json":
        rev = getattr(ctx.view, "revision", 0)
        body = {"header": {"revision": rev, "raft_term": 2},
                "kvs": [{"key": base64.b64encode(k.encode()).decode(), "create_revision": kvs[k]["mod"],
                         "mod_revision": kvs[k]["mod"], "version": 1,
                         **({} if keys_only else {"value": base64.b64encode(value(k).encode()).decode()})}
                        for k in sel], "count": count}
        if limit and count > limit:
            body["more"] = True
        return json.dumps(body, separators=(",", ":")) + "\n", "", 0
    out = []
    for k in sel:
        if not opts.get("print-value-only"):
            out.append(k + "\n")
        out.append(value(k) + "\n")
    return "".join(out), "", 0


USAGE = """NAME:
	etcdctl - A simple command line client for etcd3.

USAGE:
	etcdctl [flags]

VERSION:
	3.5.16

API VERSION:
	3.5

COMMANDS (simulated by minikctl):
	endpoint health		Checks the healthiness of endpoints specified in `--endpoints` flag
	endpoint status		Prints out the status of endpoints specified in `--endpoints` flag
	get			Gets the key or a range of keys
	member list		Lists all members in the cluster
	snapshot save		Stores an etcd node backend snapshot to a given file
	snapshot status		[deprecated] Gets backend snapshot status of a given file
	snapshot restore	Restores an etcd member snapshot to an etcd directory
	version			Prints the version of etcdctl

OPTIONS:
      --cacert=""				verify certificates of TLS-enabled secure servers using this CA bundle
      --cert=""					identify secure client using this TLS certificate file
      --endpoints=[127.0.0.1:2379]		gRPC endpoints
      --key=""					identify secure client using this TLS key file
  -w, --write-out="simple"			set the output format (fields, json, protobuf, simple, table)
"""
SNAPSHOT_USAGE = """Manages etcd node snapshots

Usage:
  etcdctl snapshot <subcommand> [flags]
  etcdctl snapshot [command]

Available Commands:
  restore     Restores an etcd member snapshot to an etcd directory
  save        Stores an etcd node backend snapshot to a given file
  status      [deprecated] Gets backend snapshot status of a given file
"""
ENDPOINT_USAGE = """Endpoint related commands

Usage:
  etcdctl endpoint <subcommand> [flags]
  etcdctl endpoint [command]

Available Commands:
  hashkv      Prints the KV history hash for each endpoint in --endpoints
  health      Checks the healthiness of endpoints specified in `--endpoints` flag
  status      Prints out the status of endpoints specified in `--endpoints` flag
"""
MEMBER_USAGE = """Membership related commands

Usage:
  etcdctl member <subcommand> [flags]
  etcdctl member [command]

Available Commands:
  add         Adds a member into the cluster
  list        Lists all members in the cluster
  promote     Promotes a non-voting member in the cluster
  remove      Removes a member from the cluster
  update      Updates a member in the cluster
"""
