"""Timestamps as the apiserver writes them (RFC 3339, second precision, UTC 'Z')."""
from __future__ import annotations

from datetime import datetime, timezone
import re


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


_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_go_duration(text: str) -> float:
    """Go's time.ParseDuration (90s, 5m, 1h30m, 1.5h, 300ms, -2m) -> seconds; ValueError carries
    Go's own message (`time: invalid duration "x"`, `time: missing unit in duration "5"`)."""
    s = text
    sign = -1.0 if s.startswith("-") else 1.0
    body = s[1:] if s[:1] in "+-" and s else s
    if body == "0":
        return 0.0
    if not body:
        raise ValueError(f'time: invalid duration "{text}"')
    total, pos = 0.0, 0
    for m in re.finditer(r"(\d+\.?\d*|\.\d+)([a-z\u00b5\u03bc]*)", body):
        if m.start() != pos:
            raise ValueError(f'time: invalid duration "{text}"')
        num, unit = m.groups()
        if not unit:
            raise ValueError(f'time: missing unit in duration "{text}"')
        if unit not in _GO_UNITS:
            raise ValueError(f'time: unknown unit "{unit}" in duration "{text}"')
        total += float(num) * _GO_UNITS[unit]
        pos = m.end()
    if pos != len(body):
        raise ValueError(f'time: invalid duration "{text}"')
    return sign * total


def go_duration_string(secs: float) -> str:
    """Go's time.Duration.String(): 1h30m0s, 5m0s, 90s -> 1m30s, 1.5s, 300ms, 0s."""
    if secs == 0:
        return "0s"
    neg = secs < 0
    secs = abs(secs)
    if secs < 1:
        ns = round(secs * 1e9)
        if ns < 1000:
            out = f"{ns}ns"
        elif ns < 1_000_000:
            out = f"{ns / 1000:g}\u00b5s"
        else:
            out = f"{ns / 1_000_000:g}ms"
    else:
        h, rem = divmod(secs, 3600)
        m, s = divmod(rem, 60)
        s = round(s, 9)
        out = (f"{int(h)}h" if h else "") + (f"{int(m)}m" if h or m else "") + f"{s:.9f}".rstrip("0").rstrip(".") + "s"
    return "-" + out if neg else out
