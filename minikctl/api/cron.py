"""Cron schedules as the CronJob controller reads them (robfig/cron v3's standard parser).

Why here (api, not sim): the apiserver validates `spec.schedule` with the same parser the
controller schedules with, and its error texts are the parser's (`expected exactly 5 fields,
found 1: [bad]`, `end of range (60) above maximum (59): 0-60`). Five fields (minute hour
day-of-month month day-of-week), `*` and `?`, lists, ranges, steps, month and weekday names,
the `@yearly` ... `@hourly` descriptors and `@every <duration>`, a leading `TZ=`/`CRON_TZ=`.
Next run times are computed on the wall clock of a time zone (zoneinfo), minute by minute with
whole hours and days skipped, as SpecSchedule.Next walks them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from minikctl import lazy

ZoneInfo = lazy.function("zoneinfo", "ZoneInfo")
parse_go_duration = lazy.function("minikctl.timeutil", "parse_go_duration")
zoneinfo = lazy.module("zoneinfo")  # ~8 ms: only a CronJob with a time zone pays for it

STAR = 1 << 63


@dataclass(frozen=True)
class Bounds:
    lo: int
    hi: int
    names: dict | None = None


MINUTES = Bounds(0, 59)
HOURS = Bounds(0, 23)
DOM = Bounds(1, 31)
MONTHS = Bounds(1, 12, {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))})
DOW = Bounds(0, 6, {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))})

DESCRIPTORS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}


class CronError(ValueError):
    """The parser's message, as the apiserver quotes it after `spec.schedule: Invalid value: ...`."""


@dataclass(frozen=True)
class Schedule:
    minute: int
    hour: int
    dom: int
    month: int
    dow: int
    every: float | None = None      # @every <duration>: a fixed period
    tz: str | None = None           # TZ= / CRON_TZ= prefix

    def next_after(self, t: float, tz: str | None = None) -> float | None:
        """The first activation strictly after epoch second t, on the wall clock of tz."""
        if self.every is not None:
            return float(int(t)) + max(1.0, float(int(self.every)))
        zone = _zone(self.tz or tz)
        cur = datetime.fromtimestamp(int(t), zone).replace(second=0) + timedelta(minutes=1)
        limit = cur.year + 5
        while cur.year <= limit:
            if not (1 << cur.month) & self.month:
                cur = (cur.replace(day=1, hour=0, minute=0) + timedelta(days=32)).replace(day=1)
                continue
            if not self._day_matches(cur):
                cur = (cur + timedelta(days=1)).replace(hour=0, minute=0)
                continue
            if not (1 << cur.hour) & self.hour:
                cur = (cur + timedelta(hours=1)).replace(minute=0)
                continue
            if not (1 << cur.minute) & self.minute:
                cur += timedelta(minutes=1)
                continue
            return cur.timestamp()
        return None

    def _day_matches(self, d: datetime) -> bool:
        dom_match = bool((1 << d.day) & self.dom)
        dow_match = bool((1 << ((d.weekday() + 1) % 7)) & self.dow)
        if self.dom & STAR or self.dow & STAR:
            return dom_match and dow_match
        return dom_match or dow_match


def _zone(name: str | None):
    if not name or name == "UTC":
        return timezone.utc
    return ZoneInfo(name)


def load_location(name: str):
    """time.LoadLocation: a zone or CronError('unknown time zone X')."""
    if name in ("", "UTC"):
        return timezone.utc
    if name == "Local" or name.startswith("/") or ".." in name.split("/"):
        raise CronError(f"unknown time zone {name}")
    try:
        return ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise CronError(f"unknown time zone {name}") from None


def _atoi(expr: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", expr):
        raise CronError(f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": invalid syntax')
    num = int(expr)
    if not -(1 << 63) <= num < (1 << 63):
        raise CronError(f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": value out of range')
    if num < 0:
        raise CronError(f"negative number ({num}) not allowed: {expr}")
    return num


def _int_or_name(expr: str, names: dict | None) -> int:
    if names and expr.lower() in names:
        return names[expr.lower()]
    return _atoi(expr)


def _range(expr: str, b: Bounds) -> int:
    range_and_step = expr.split("/")
    low_high = range_and_step[0].split("-")
    single = len(low_high) == 1
    extra = 0
    if low_high[0] in ("*", "?"):
        start, end, extra = b.lo, b.hi, STAR
    else:
        start = _int_or_name(low_high[0], b.names)
        if len(low_high) == 1:
            end = start
        elif len(low_high) == 2:
            end = _int_or_name(low_high[1], b.names)
        else:
            raise CronError(f"too many hyphens: {expr}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _atoi(range_and_step[1])
        if single:
            end = b.hi
        if step > 1:
            extra = 0
    else:
        raise CronError(f"too many slashes: {expr}")
    if start < b.lo:
        raise CronError(f"beginning of range ({start}) below minimum ({b.lo}): {expr}")
    if end > b.hi:
        raise CronError(f"end of range ({end}) above maximum ({b.hi}): {expr}")
    if start > end:
        raise CronError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise CronError(f"step of range should be a positive number: {expr}")
    bits = 0
    for i in range(start, end + 1, step):
        bits |= 1 << i
    return bits | extra


def _field(text: str, b: Bounds) -> int:
    bits = 0
    for expr in [p for p in text.split(",") if p]:
        bits |= _range(expr, b)
    return bits


@lru_cache(maxsize=256)
def parse(spec: str) -> Schedule:
    """cron.ParseStandard: a Schedule, or CronError with the parser's own message (cached: the
    controller reads the same schedules on every pass)."""
    if not spec:
        raise CronError("empty spec string")
    tz = None
    if spec.startswith("TZ=") or spec.startswith("CRON_TZ="):
        i, eq = spec.find(" "), spec.find("=")
        name = spec[eq + 1:i] if i >= 0 else spec[eq + 1:-1]
        try:
            load_location(name)
        except CronError as e:
            raise CronError(f"provided bad location {name}: {e}") from None
        tz = name or "UTC"
        spec = spec[i:].strip() if i >= 0 else ""
    if spec.startswith("@"):
        if spec in DESCRIPTORS:
            return _fields(DESCRIPTORS[spec].split(), tz)
        if spec.startswith("@every "):
            try:
                d = parse_go_duration(spec[len("@every "):])
            except ValueError as e:
                raise CronError(f"failed to parse duration {spec}: {e}") from None
            return Schedule(0, 0, 0, 0, 0, every=max(d, 1.0) if d >= 1 else 1.0, tz=tz)
        raise CronError(f"unrecognized descriptor: {spec}")
    fields = spec.split()
    if len(fields) != 5:
        raise CronError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    return _fields(fields, tz)


def _fields(fields: list[str], tz: str | None) -> Schedule:
    return Schedule(_field(fields[0], MINUTES), _field(fields[1], HOURS), _field(fields[2], DOM),
                    _field(fields[3], MONTHS), _field(fields[4], DOW), tz=tz)
