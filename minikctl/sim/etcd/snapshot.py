"""etcd snapshots: what `etcdctl snapshot save` writes, `snapshot status` reads and `etcdutl
snapshot restore` turns into a data directory.

The bytes are minikctl's own (text, so they live in a node's file system like any file): a
header line, one JSON line with the buckets (`key`: every object under its /registry key with its
revision; `members`, `cluster`, `meta`: the member and raft facts), and, in a saved snapshot, a
trailing `sha256:` line over what precedes it, as etcd appends a SHA-256 to a snapshot stream.
A data directory's member/snap/db holds the same without the checksum line.

`status` computes what etcdutl prints from those bytes as etcd does from a bbolt file: a CRC-32C
(Castagnoli) over every bucket name, key and value in order, the latest revision of the `key`
bucket, the number of entries in all buckets, and the database size in 4 KiB pages.
"""
from __future__ import annotations

import hashlib
import json
import math
from minikctl import lazy

keys = lazy.module("minikctl.sim.etcd.keys")
members = lazy.module("minikctl.sim.etcd.members")

HEADER = "minikctl-etcd-snapshot v1"
PAGE = 4096


class SnapshotError(Exception):
    """A file etcd could not read as a snapshot or database: the message is etcd's."""


# -- CRC-32C ---------------------------------------------------------------------------------
_TABLE: list[int] = []


def _table() -> list[int]:
    if not _TABLE:
        poly = 0x82F63B78
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ poly if c & 1 else c >> 1
            _TABLE.append(c)
    return _TABLE


def crc32c(data: bytes, crc: int = 0) -> int:
    t = _table()
    crc ^= 0xFFFFFFFF
    for b in data:
        crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


# -- go-humanize ------------------------------------------------------------------------------
def humanize_bytes(n: int) -> str:
    """humanize.Bytes: SI units, one decimal under 10 (`2.1 MB`, `213 kB`, `9 B`)."""
    if n < 10:
        return f"{n} B"
    sizes = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
    e = math.floor(math.log(n) / math.log(1000))
    val = math.floor(n / (1000 ** e) * 10 + 0.5) / 10
    return (f"{val:.0f} {sizes[e]}" if val >= 10 else f"{val:.1f} {sizes[e]}")


# -- encoding ---------------------------------------------------------------------------------
def all_objects(cluster) -> list[dict]:
    cluster.load_everything()
    out = []
    for kind in sorted(cluster.kinds):
        out.extend(cluster.kinds[kind].values())
    out.extend(cluster.list("Event"))
    return out


def buckets_of(cluster) -> dict:
    """The buckets of the live etcd: every object under its key, the member, raft's indexes."""
    kvs = {}
    for obj in all_objects(cluster):
        rv = int((obj.get("metadata") or {}).get("resourceVersion") or 0)
        kvs[keys.key_of(obj)] = {"mod": rv, "value": obj}
    m = members.control_plane_member(cluster)
    return {
        "cluster": {"clusterVersion": "3.5.0"},
        "key": {k: kvs[k] for k in sorted(kvs)},
        "members": {f"{m['id']:x}": {"id": m["id"], "peerURLs": m["peerURLs"]}},
        "meta": {"consistent_index": cluster.revision + 4, "term": 2},
        "revision": cluster.revision,
    }


def payload(cluster) -> str:
    """The database text (a data directory's member/snap/db)."""
    return HEADER + "\n" + json.dumps(buckets_of(cluster), separators=(",", ":"), sort_keys=True) + "\n"


def with_checksum(db_text: str) -> str:
    return db_text + "sha256:" + hashlib.sha256(db_text.encode()).hexdigest() + "\n"


# -- reading ----------------------------------------------------------------------------------
class Snapshot:
    def __init__(self, text: str):
        self.text = text
        lines = text.split("\n")
        if len(lines) == 4 and lines[2].startswith("sha256:") and lines[3] == "":
            self.db_text, self.checksum = lines[0] + "\n" + lines[1] + "\n", lines[2][len("sha256:"):]
        else:
            self.db_text, self.checksum = text, None
        lines = self.db_text.split("\n")
        if lines[0] != HEADER or len(lines) < 2:
            raise SnapshotError("invalid database")
        try:
            self.buckets = json.loads(lines[1])
        except ValueError:
            raise SnapshotError("invalid database") from None
        if not isinstance(self.buckets, dict) or not isinstance(self.buckets.get("key"), dict):
            raise SnapshotError("invalid database")

    @property
    def revision(self) -> int:
        return int(self.buckets.get("revision") or 0)

    def objects(self) -> list[dict]:
        return [kv["value"] for kv in self.buckets["key"].values()]

    def checksum_error(self) -> str | None:
        """etcdutl's copyAndVerifyDB: a snapshot whose SHA-256 does not match what precedes it."""
        if self.checksum is None:
            return None
        got = hashlib.sha256(self.db_text.encode()).digest()
        try:
            want = bytes.fromhex(self.checksum)
        except ValueError:
            want = b""
        if want == got:
            return None
        golist = lambda b: "[" + " ".join(str(x) for x in b) + "]"  # noqa: E731  Go's %v of a []byte
        return f"expected sha256 {golist(want)}, got {golist(got)}"

    def status(self) -> tuple[int, int, int, int]:
        """(hash, revision, total keys, total size) as etcdutl's Status computes them."""
        crc = 0
        total = 0
        for bname in sorted(k for k, v in self.buckets.items() if isinstance(v, dict)):
            crc = crc32c(bname.encode(), crc)
            for k, v in self.buckets[bname].items():
                crc = crc32c(k.encode(), crc)
                crc = crc32c(json.dumps(v, separators=(",", ":"), sort_keys=True).encode(), crc)
                total += 1
        size = len(self.db_text.encode())
        pages = -(-size // PAGE) + 2   # bbolt: two meta pages, then the data pages
        return crc, self.revision, total, pages * PAGE


def read(text: str | None, path: str) -> Snapshot:
    """The snapshot at path (text None: the file does not exist)."""
    if text is None:
        raise SnapshotError(f"stat {path}: no such file or directory")
    return Snapshot(text)
