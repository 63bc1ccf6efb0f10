"""Timestamps as the apiserver writes them (RFC 3339, second precision, UTC 'Z')."""
from __future__ import annotations

from datetime import datetime, timezone


def fmt(t: float) -> str:
    """Epoch seconds -> '2024-05-01T10:00:00Z' (metav1.Time drops sub-seconds)."""
    return datetime.fromtimestamp(int(t), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(s: str | None) -> float | None:
    """'2024-05-01T10:00:00Z' -> epoch seconds; None stays None."""
    if not s:
        return None
    s = s.replace("Z", "+00:00")
    return datetime.fromisoformat(s).timestamp()


def rfc1123z(t: float) -> str:
    """describe's 'Start Time' format: 'Wed, 01 May 2024 10:00:00 +0000'."""
    return datetime.fromtimestamp(int(t), timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")
