"""Names the way Kubernetes makes them: generateName suffixes and controller hashes."""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache

ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery util/rand: no vowels, no 0 1 3
MAX_GENERATED_NAME_LENGTH = 63 - 5


def random_suffix(rng, n: int = 5) -> str:
    return "".join(rng.choice(ALPHANUMS) for _ in range(n))


def generate_name(base: str, rng) -> str:
    """SimpleNameGenerator: base truncated to 58 chars + 5 random chars."""
    return base[:MAX_GENERATED_NAME_LENGTH] + random_suffix(rng)


def safe_encode(digits: str) -> str:
    """rand.SafeEncodeString over a decimal string: each char -> alphanums[ord(c) % 27]."""
    return "".join(ALPHANUMS[ord(c) % len(ALPHANUMS)] for c in digits)


def fnv1a_32(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def template_hash(template: dict, collision_count: int = 0) -> str:
    """A pod-template-hash: FNV-1a 32 of the template, SafeEncoded as kube-controller-manager does.

    The real input is Go's %#v dump of the typed struct, which we cannot reproduce; we hash the
    canonical JSON instead. The result has the real shape: 9-10 chars from 456789bcdf, stable for
    the same template and different when it changes.
    """
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    if collision_count:
        data += collision_count.to_bytes(8, "little")
    return _encoded_hash(data)


@lru_cache(maxsize=4096)
def _encoded_hash(data: bytes) -> str:
    """FNV in pure Python is the deployment controller's hot path: remember recent templates."""
    return safe_encode(str(fnv1a_32(data)))


def revision_hash(template: dict) -> str:
    """ControllerRevision hash for StatefulSets (fnv32, SafeEncoded)."""
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    h = 0x811C9DC5
    for b in data:
        h = (h * 0x01000193) & 0xFFFFFFFF
        h ^= b
    return safe_encode(str(h))


def short_id(text: str, n: int = 64) -> str:
    """A container/sandbox id: hex digest, deterministic for the text."""
    return hashlib.sha256(text.encode()).hexdigest()[:n]
