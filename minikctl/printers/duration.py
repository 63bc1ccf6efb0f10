"""Ages as kubectl prints them: apimachinery's duration.HumanDuration, unchanged 1.25-1.32."""
from __future__ import annotations

from minikctl.timeutil import parse


def human_duration(seconds: float) -> str:
    """HumanDuration: '70s', '3m10s', '179m', '3h1m', '8h', '2d1h', '729d', '2y1d', '8y'."""
    secs = int(seconds)  # Go truncates toward zero
    if secs < -1:
        return "<invalid>"
    if secs < 0:
        return "0s"
    if secs < 120:
        return f"{secs}s"
    minutes = int(seconds / 60)
    if minutes < 10:
        s = secs % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = int(seconds / 3600)
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 192:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 2 * 365 * 24:
        return f"{hours // 24}d"
    if hours < 8 * 365 * 24:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def translate_timestamp_since(ts_str: str | None, now: float) -> str:
    """translateTimestampSince: '<unknown>' for a missing timestamp, else the age at `now`."""
    t = parse(ts_str)
    if t is None:
        return "<unknown>"
    return human_duration(now - t)
