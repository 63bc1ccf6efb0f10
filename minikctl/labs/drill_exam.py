"""A timed exam: a seeded pick of drills, one after the other, and the score report.

Why separate from the CLI: the exam is a small state machine over a dict kept in the store
(drill_state.EXAM_KEY), so it can be tested without a terminal. Times come from env.clock (the
virtual clock in tests). Tasks not reached before `submit` or the deadline score 0.
"""
from __future__ import annotations

import random

PASS_MARK = 66  # the CKA pass mark, percent


def new_exam(all_names: list[str], n: int, minutes: float | None, seed: int, now: float) -> dict:
    rng = random.Random(seed)
    picked = rng.sample(sorted(all_names), min(n, len(all_names)))
    minutes = minutes if minutes is not None else 8 * len(picked)
    return {"seed": seed, "drills": picked, "index": 0, "started": now, "deadline": now + minutes * 60,
            "minutes": minutes, "taskStarted": now, "results": [], "done": False}


def current(exam: dict) -> str | None:
    if exam.get("done") or exam["index"] >= len(exam["drills"]):
        return None
    return exam["drills"][exam["index"]]


def time_left(exam: dict, now: float) -> float:
    return exam["deadline"] - now


def record(exam: dict, name: str, weight: int, got: int, total: int, now: float, note: str = "") -> None:
    exam["results"].append({"drill": name, "weight": weight, "got": got, "total": total,
                            "seconds": max(0.0, now - exam["taskStarted"]), "note": note})
    exam["index"] += 1
    exam["taskStarted"] = now


def close(exam: dict, weights: dict[str, int], now: float) -> None:
    """Mark the rest not attempted and finish."""
    while exam["index"] < len(exam["drills"]):
        name = exam["drills"][exam["index"]]
        exam["results"].append({"drill": name, "weight": weights.get(name, 4), "got": 0, "total": 1,
                                "seconds": 0.0, "note": "not attempted"})
        exam["index"] += 1
    exam["done"] = True
    exam["finished"] = now


def fmt_time(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}m{s % 60:02d}s"


def totals(exam: dict) -> tuple[float, int]:
    """(weighted points earned, weight of all tasks)."""
    earned = sum(r["weight"] * (r["got"] / r["total"] if r["total"] else 0) for r in exam["results"])
    return earned, sum(r["weight"] for r in exam["results"])


def report(exam: dict) -> str:
    from minikctl.printers import tabwriter
    rows = [["TASK", "DRILL", "WEIGHT", "CHECKS", "SCORE", "TIME"]]
    for i, r in enumerate(exam["results"], 1):
        frac = r["got"] / r["total"] if r["total"] else 0
        rows.append([str(i), r["drill"], f"{r['weight']}%", f"{r['got']}/{r['total']}" if not r["note"] else "-",
                     f"{r['weight'] * frac:.1f}%", fmt_time(r["seconds"]) if not r["note"] else r["note"]])
    earned, total = totals(exam)
    pct = 100 * earned / total if total else 0.0
    used = exam.get("finished", exam["started"]) - exam["started"]
    rows.append(["TOTAL", "", f"{total}%", "", f"{earned:.1f}%", fmt_time(used)])
    verdict = "PASS" if pct >= PASS_MARK else "FAIL"
    return (tabwriter.render(rows) +
            f"\nResult: {pct:.0f}% ({verdict}, pass mark {PASS_MARK}%), seed {exam['seed']}, "
            f"time used {fmt_time(used)} of {fmt_time(exam['minutes'] * 60)}\n")
