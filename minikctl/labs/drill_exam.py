"""The exam: 15-20 weighted tasks drawn across the CKA domains, one cluster (and kubeconfig
context) per task, two hours on the clusters' clock, flag-and-return, a hard stop, and a report
that says per task which check passed or failed and why.

Why one cluster per task: the real exam starts every task with `kubectl config use-context ...`
on a cluster of its own; here each task's setup runs at the start on its own named cluster
(`cluster create`), so moving between tasks never undoes work, and a task done on the wrong
context does not count. The exam is a small state machine over a dict kept in the progress file
(drill_state.EXAM_KEY); the deadline is also written to home/exam.deadline so that the CLI's
hard stop (exam_clock.hard_stop) can grade the exam before the first command after it runs.

The simulator (killer.sh's model): two sessions of two hours each, with the same tasks; the
second session prepares fresh clusters and is graded on its own.
"""
from __future__ import annotations

import random
from minikctl import lazy

drills = lazy.module("minikctl.labs.drills")
t = lazy.function("minikctl.labs.messages_drill", "t")
tabwriter = lazy.module("minikctl.printers.tabwriter")
render = lazy.module("minikctl.labs.render")

PASS_MARK = 66  # the CKA pass mark, percent
DEFAULT_TASKS = 17
DEFAULT_MINUTES = 120
CLUSTER_PREFIX = "cka-t"


def quotas(domains: dict[str, list], n: int) -> dict[str, int]:
    """How many tasks each domain gets: its exam share of n (largest remainder), never more than
    the drills it has; what a short domain cannot give goes to the others by share."""
    shares = {d: drills.DOMAINS.get(d, (0,))[0] for d in domains}
    total_share = sum(shares.values()) or 1
    raw = {d: n * s / total_share for d, s in shares.items()}
    q = {d: min(int(raw[d]), len(domains[d])) for d in domains}
    order = sorted(domains, key=lambda d: (-(raw[d] - int(raw[d])), -shares[d], d))
    while sum(q.values()) < n:
        grew = False
        for d in order + sorted(domains, key=lambda d: -shares[d]):
            if sum(q.values()) >= n:
                break
            if q[d] < len(domains[d]) and (q[d] < raw[d] + 1 or all(q[o] >= len(domains[o]) or q[o] >= raw[o] + 1
                                                                     for o in domains if o != d)):
                q[d] += 1
                grew = True
        if not grew:
            break
    return q


def pick(all_drills: list, n: int, seed: int) -> list[str]:
    """n drill names across the domains in the exam's proportions, in a seeded mixed order."""
    rng = random.Random(seed)
    by_dom: dict[str, list] = {}
    for d in sorted(all_drills, key=lambda d: d.name):
        by_dom.setdefault(d.domain, []).append(d.name)
    q = quotas(by_dom, min(n, len(all_drills)))
    picked = []
    for dom in sorted(by_dom):
        picked += rng.sample(by_dom[dom], q[dom])
    rng.shuffle(picked)
    return picked


def cluster_name(i: int) -> str:
    return f"{CLUSTER_PREFIX}{i + 1:02d}"


def percents(raw: list[int]) -> list[int]:
    """Task weights scaled to add up to 100 (largest remainder), as the exam's do."""
    total = sum(raw) or 1
    exact = [100 * w / total for w in raw]
    out = [int(x) for x in exact]
    for i in sorted(range(len(raw)), key=lambda i: -(exact[i] - out[i]))[:100 - sum(out)]:
        out[i] += 1
    return out


def new_exam(names: list[str], weights: dict[str, int], minutes: float, seed: int, now: float,
             mode: str = "exam", session: int = 1) -> dict:
    pct = percents([int(weights.get(n, 4)) for n in names])
    tasks = [{"drill": n, "cluster": cluster_name(i), "context": cluster_name(i), "weight": pct[i],
              "flagged": False, "visited": i == 0} for i, n in enumerate(names)]
    return {"seed": seed, "mode": mode, "session": session, "tasks": tasks, "index": 0, "started": now,
            "minutes": minutes, "deadline": now + minutes * 60, "done": False, "results": None}


def time_left(exam: dict, now: float) -> float:
    return exam["deadline"] - now


def fmt_time(seconds: float) -> str:
    s = max(0, int(round(seconds)))
    return f"{s // 3600}h{s % 3600 // 60:02d}m{s % 60:02d}s" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def totals(exam: dict) -> tuple[float, int]:
    """(weighted points earned, weight of all tasks)."""
    res = exam.get("results") or []
    earned = sum(r["weight"] * (r["earned"] / r["total"] if r["total"] else 0) for r in res)
    return earned, sum(r["weight"] for r in res)


def percent(exam: dict) -> float:
    earned, total = totals(exam)
    return 100 * earned / total if total else 0.0


def report(exam: dict, lang: str = "en") -> str:
    """The score table (per task: context, weight, checks passed, score) and, per task, every
    check with ✔/✘ and the reason it failed."""
    rows = [[t("TASK", lang), t("CONTEXT", lang), t("DOMAIN", lang), t("WEIGHT", lang), t("CHECKS", lang),
             t("SCORE", lang)]]
    detail = []
    for i, r in enumerate(exam.get("results") or [], 1):
        frac = r["earned"] / r["total"] if r["total"] else 0.0
        passed = sum(1 for c in r["checks"] if c["passed"])
        rows.append([str(i), r["context"], drills.domain_name(r["domain"], lang), f"{r['weight']}%",
                     f"{passed}/{len(r['checks'])}", f"{r['weight'] * frac:.1f}%"])
        head = t("Task {i} ({ctx}, {drill}): {got}/{total}", lang).format(
            i=i, ctx=r["context"], drill=r["drill"], got=r["earned"], total=r["total"])
        lines = [head]
        for c in r["checks"]:
            mark = "\u2714" if c["passed"] else "\u2718"
            lines.append(f"  {mark} {c['name']} ({c['earned']}/{c['weight']})")
            if not c["passed"] and c.get("detail"):
                lines.append(f"      {c['detail']}")
        if r.get("note"):
            lines.append(f"  ({t(r['note'], lang)})")
        detail.append("\n".join(lines))
    earned, total = totals(exam)
    rows.append([t("TOTAL", lang), "", "", f"{total}%", "", f"{earned:.1f}%"])
    pct = percent(exam)
    verdict = t("PASS", lang) if pct >= PASS_MARK else t("FAIL", lang)
    graded = exam.get("gradedAt", exam["deadline"])
    used = min(graded, exam["deadline"]) - exam["started"]
    head = t("Simulator session {s} of 2", lang).format(s=exam.get("session", 1)) + "\n" \
        if exam.get("mode") == "simulator" else ""
    stop = ("\n" + t("Time was up at the deadline: work after it was not counted.", lang)) \
        if exam.get("stoppedAtDeadline") else ""
    return (head + tabwriter.render(rows, width=render.cell_width) +
            "\n" + t("Result: {pct:.0f}% ({verdict}, pass mark {mark}%), seed {seed}, time used {used} of {all}", lang)
            .format(pct=pct, verdict=verdict, mark=PASS_MARK, seed=exam["seed"], used=fmt_time(used),
                    all=fmt_time(exam["minutes"] * 60)) + stop + "\n\n" + "\n\n".join(detail) + "\n")
