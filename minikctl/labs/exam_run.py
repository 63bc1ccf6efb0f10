"""Running an exam: prepare one cluster per task, move between tasks, grade every task on its
own cluster. The CLI (cli/drill_cmd.py) prints; this module changes state (clusters through the
CLI in-process, the exam dict in the progress file)."""
from __future__ import annotations

import dataclasses
import io

from minikctl.api.errors import CliError
from pathlib import Path
import shutil
from minikctl import lazy

Env = lazy.function("minikctl.env", "Env")
clear_marker = lazy.function("minikctl.labs.exam_clock", "clear_marker")
clusters = lazy.module("minikctl.clusters")
drill_checks = lazy.module("minikctl.labs.drill_checks")
drill_state = lazy.module("minikctl.labs.drill_state")
drill_steps = lazy.module("minikctl.labs.drill_steps")
drills = lazy.module("minikctl.labs.drills")
exam_now = lazy.function("minikctl.labs.exam_clock", "exam_now")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
run = lazy.function("minikctl.cli.main", "run")
drill_exam = lazy.module("minikctl.labs.drill_exam")


def on_cluster(env, name: str):
    """env acting on the named cluster through its context (as --context NAME: its admin user)."""
    return dataclasses.replace(env, cluster=None, context=name, pending=None)


def _quiet(env, argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    sub = Env(stdout=out, stderr=err, stdin=io.StringIO(""), home=env.home, clock=env.clock, seed=env.seed,
              no_color=True)
    code = run(argv, sub)
    return code, out.getvalue() + err.getvalue()


def context_values(drill, main: str, prefix: str = "", home=None) -> dict:
    """${ctx_main} and ${ctx_NAME} for a drill that spans clusters: the context of the drill's
    main cluster, and what each of its other clusters is called (NAME itself in a drill, TASK-NAME
    in an exam, where every task has clusters of its own); ${files}, where a drill's files are
    (given the home)."""
    out = {"ctx_main": main}
    for c in drill.clusters:
        out["ctx_" + c] = f"{prefix}-{c}" if prefix else c
    if home is not None and drill.has_files:
        out["files"] = str(files_dir(home, drill, prefix))
    return out


def files_dir(home, drill, prefix: str = ""):
    """Where the learner finds a drill's files (its folder's files/, a kustomization to build
    on...): HOME/drill-files/NAME for a drill, HOME/exam-files/TASK for an exam's task."""
    return Path(home) / ("exam-files" if prefix else "drill-files") / (prefix or drill.name)


def stage_files(home, drill, prefix: str = "") -> None:
    """A fresh copy of the drill's files/ (what an earlier attempt wrote there is gone)."""
    if not drill.has_files:
        return
    dest = files_dir(home, drill, prefix)
    shutil.rmtree(dest, ignore_errors=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(drill.path / "files", dest)


def current_context(env) -> str:
    return env.context or clusters.config(env.home).get("current") or clusters.ADMIN_CONTEXT


def make_clusters(env, drill, values: dict) -> None:
    """A fresh named cluster (and context) for each of the drill's other clusters."""
    for c in drill.clusters:
        name = values["ctx_" + c]
        _quiet(env, ["cluster", "delete", name])
        code, text = _quiet(env, ["cluster", "create", name, "--profile", drill.profile or "default"])
        if code:
            raise CliError(f"could not create cluster {name}: {text.strip()}")


def grade_checks(env, drill, values: dict, lang: str = "en") -> list:
    """Every check on the cluster it names (`context:`), the rest on env's; in the drill's order."""
    groups: dict = {}
    for i, c in enumerate(drill.checks):
        target = values.get("ctx_" + c["context"], c["context"]) if "context" in c else None
        groups.setdefault(target, []).append(i)
    results: list = [None] * len(drill.checks)
    for target, idx in groups.items():
        # the simulation's own door (direct): a drill is graded even while its API server is down
        with open_cluster(env if target is None else on_cluster(env, target), direct=True) as cluster:
            for i in idx:
                check = drill_checks.fill(drill.checks[i], {k: v for k, v in values.items() if k.startswith("ctx_")})
                results[i] = drill_checks.evaluate(cluster, check, lang)
    drill_checks.score(results)
    return results


def old_clusters(env) -> list[str]:
    return [n for n in clusters.named(clusters.config(env.home)) if n.startswith(drill_exam.CLUSTER_PREFIX)]


def prepare(env, exam: dict) -> None:
    """A fresh cluster per task (the previous exam's are deleted), each with its drill's setup."""
    for name in old_clusters(env):
        _quiet(env, ["cluster", "delete", name])        # (a task's other clusters are named cka-tNN-x)
    for task in exam["tasks"]:
        drill = drills.load_drill(task["drill"])
        code, text = _quiet(env, ["cluster", "create", task["cluster"], "--profile", drill.profile or "default"])
        if code:
            raise CliError(f"exam: could not create cluster {task['cluster']}: {text.strip()}")
        values = context_values(drill, task["context"], task["cluster"], env.home)
        stage_files(env.home, drill, task["cluster"])
        make_clusters(env, drill, values)
        drill_steps.run_steps(on_cluster(env, task["cluster"]), drill.setup, drill.path, "setup", values)


def grade_task(env, task: dict) -> dict:
    drill = drills.load_drill(task["drill"])
    results = grade_checks(on_cluster(env, task["cluster"]), drill,
                           context_values(drill, task["context"], task["cluster"], env.home))
    earned, total = drill_checks.score(results)
    return {"drill": drill.name, "domain": drill.domain, "context": task["context"], "weight": task["weight"],
            "earned": earned, "total": total, "note": "" if task.get("visited") else "not visited",
            "checks": [{"name": r.name, "weight": r.weight, "earned": r.earned, "passed": r.passed,
                        "detail": r.detail} for r in results]}


def finish(env, at_deadline: bool = False) -> dict | None:
    """Grade every task and end the exam; returns the exam (None when none runs)."""
    with drill_state.store_tx(env) as store:
        exam = drill_state.load_exam(store)
    if not exam or exam.get("done"):
        clear_marker(env)
        return None
    now = exam_now(env, [t["cluster"] for t in exam["tasks"]])
    exam["results"] = [grade_task(env, t) for t in exam["tasks"]]
    exam["done"] = True
    exam["gradedAt"] = now
    exam["stoppedAtDeadline"] = bool(at_deadline)
    with drill_state.store_tx(env) as store:
        store.set_meta(drill_state.EXAM_KEY, exam)
        for task, r in zip(exam["tasks"], exam["results"]):
            if task.get("visited"):       # a task never opened is no attempt (nor due for review)
                drill_state.record_attempt(store, r["drill"], r["earned"], r["total"], r["earned"] == r["total"],
                                           now, "exam")
    clear_marker(env)
    if at_deadline:
        env.stderr.write("minikctl: the exam's time is up: it was graded at the deadline, before this command "
                         "(work from now on does not count); 'minikctl exam report' shows the score.\n")
    return exam
