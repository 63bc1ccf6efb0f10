"""The exam: weighted tasks across the domains, one cluster and context per task, flag-and-return,
a hard stop at the deadline on the clusters' clock, a per-check report, the 2 x 2 h simulator."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from minikctl.env import Env
from minikctl.labs import drill_exam, drill_proof, drill_state, drills

TICK, CROSS = "\u2714", "\u2718"


def _exam(mk) -> dict:
    with drill_state.store_tx(Env(home=mk.home)) as store:
        return drill_state.load_exam(store)


def _solve_on(mk, task: dict) -> None:
    from minikctl.labs import drill_steps, exam_run
    d = drills.load_drill(task["drill"])
    values = {**drill_steps.values_of(Env(home=mk.home, context=task["context"])),   # that cluster's nodes
              **exam_run.context_values(d, task["context"], task["cluster"], mk.home)}
    for step in d.solution:
        if "write" in step:            # a file the learner writes in the task's files
            drill_steps.write_file(step, values)
            continue
        argv, stdin = drill_steps.step_argv(step, d.path, values)
        r = mk("--context", task["context"], *argv, stdin=stdin)
        assert r.code == 0, (argv, r.err)
    mk.advance(60)


def test_quotas_follow_the_exam_proportions():
    doms = {d: list(range(40)) for d in drills.DOMAINS}
    q = drill_exam.quotas(doms, 17)
    assert q == {"Troubleshooting": 5, "Cluster Architecture": 4, "Services & Networking": 3,
                 "Workloads & Scheduling": 3, "Storage": 2}
    assert sum(drill_exam.quotas(doms, 20).values()) == 20
    short = dict(doms, Storage=[1])                       # a short domain gives its share to the others
    assert sum(drill_exam.quotas(short, 17).values()) == 17 and drill_exam.quotas(short, 17)["Storage"] == 1
    assert sum(drill_exam.percents([4, 5, 6, 7])) == 100


def test_exam_tasks_contexts_flag_and_return_and_report(mk):
    r = mk("exam", "--tasks", "3", "--seed", "5")
    assert r.code == 0, r.err
    exam = _exam(mk)
    tasks = exam["tasks"]
    assert [t["context"] for t in tasks] == ["cka-t01", "cka-t02", "cka-t03"]
    assert sum(t["weight"] for t in tasks) == 100
    assert r.out.count("kubectl config use-context cka-t01") == 1
    for t in tasks:                                        # no title, no drill name: the topic is not given away
        d = drills.load_drill(t["drill"])
        assert d.title not in r.out and d.name not in r.out
    # the drill tools are closed during an exam
    assert "not available during an exam" in mk("drill", "check").err
    # flag task 1, go to task 2, solve it on its own context, come back to 1
    assert mk("exam", "flag").code == 0
    r = mk("exam", "next")
    assert "Task 2 of 3" in r.out and "use-context cka-t02" in r.out
    _solve_on(mk, tasks[1])
    r = mk("exam", "list")
    lines = r.out.splitlines()
    assert lines[0].split() == ["CURRENT", "TASK", "CONTEXT", "WEIGHT", "FLAGGED", "VISITED"]
    assert lines[1].split() == ["1", "cka-t01", f"{tasks[0]['weight']}%", "yes", "yes"]
    assert lines[2].split()[0] == "*"
    r = mk("exam", "goto", "1")
    assert "Task 1 of 3" in r.out and "flagged" in r.out
    # the same task solved on the WRONG context (the default cluster) does not count
    d0 = drills.load_drill(tasks[0]["drill"])
    for step in d0.solution:
        argv, stdin = drill_proof.step_argv(mk.home, step, d0)
        mk(*argv, stdin=stdin)
    mk.advance(60)
    r = mk("exam", "submit")
    out = r.out
    assert "Task 2 (cka-t02" in out and f"{tasks[1]['weight']}.0%" in out
    block2 = out.split("Task 2 (cka-t02")[1].split("\n\n")[0]
    assert CROSS not in block2 and TICK in block2
    block1 = out.split("Task 1 (cka-t01")[1].split("\n\n")[0]
    assert CROSS in block1                                  # every failed check, with its reason below it
    failed = [l for l in block1.splitlines() if CROSS in l]
    assert failed and all(block1.splitlines()[block1.splitlines().index(l) + 1].startswith("      ") for l in failed)
    assert "not visited" in out.split("Task 3 (cka-t03")[1]
    # the report is kept, and the history got the exam's attempts
    assert mk("exam", "report").out == out
    assert " 1 " in next(l for l in mk("drill", "list").out.splitlines() if f" {tasks[1]['drill']} " in l)


def test_hard_stop_counts_what_was_done_before_the_deadline_only(mk):
    assert mk("exam", "--tasks", "2", "--minutes", "30", "--seed", "9").code == 0
    tasks = _exam(mk)["tasks"]
    _solve_on(mk, tasks[0])                                  # before the deadline
    mk.advance(31 * 60)                                      # time is up...
    _solve_on(mk, tasks[1])                                  # ...so this does not count
    r = mk("exam", "report")
    assert r.code in (0, 1), r.err
    assert "Time was up at the deadline" in r.out
    b1 = r.out.split("Task 1 (cka-t01")[1].split("\n\n")[0]
    b2 = r.out.split("Task 2 (cka-t02")[1].split("\n\n")[0]
    assert CROSS not in b1 and CROSS in b2, r.out
    assert mk("exam", "status").code == 1                    # the exam is over


def test_moving_a_cluster_clock_past_the_deadline_ends_the_exam(mk):
    assert mk("exam", "--tasks", "2", "--minutes", "20", "--seed", "4").code == 0
    tasks = _exam(mk)["tasks"]
    _solve_on(mk, tasks[0])
    assert mk("--context", "cka-t02", "sim", "advance", "21m").code == 0
    _solve_on(mk, tasks[1])
    r = mk("exam", "report")
    assert "Time was up" in r.out and CROSS in r.out.split("Task 2 (cka-t02")[1]
    assert CROSS not in r.out.split("Task 1 (cka-t01")[1].split("\n\n")[0]


def test_simulator_two_sessions_same_tasks(mk):
    r = mk("exam", "simulator", "--tasks", "2", "--seed", "6")
    assert r.code == 0 and "Simulator session 1 of 2" in r.out and "2h00m00s" in r.out
    first = [t["drill"] for t in _exam(mk)["tasks"]]
    mk("exam", "submit")
    r = mk("exam", "simulator")
    assert r.code == 0 and "Simulator session 2 of 2" in r.out
    assert [t["drill"] for t in _exam(mk)["tasks"]] == first
    r = mk("exam", "submit")
    assert "Simulator session 2 of 2" in r.out


@pytest.mark.skipif(not shutil.which("tmux"), reason="tmux is not installed")
def test_exam_in_tmux_with_time_moved_past_the_deadline(tmp_path):
    """A learner's terminal: kubectl is minikctl; task 1 is solved, the cluster's clock is moved
    past the deadline, task 2 is solved after it; the report counts task 1 only."""
    home = tmp_path / "home"
    repo = Path(__file__).resolve().parent.parent
    env = {**os.environ, "MINIKCTL_HOME": str(home), "PYTHONPATH": str(repo), "NO_COLOR": "1"}
    env.pop("MINIKCTL_NOW", None)
    py = sys.executable
    sess = f"mkexam{os.getpid()}"
    script = tmp_path / "learner.sh"
    lines = [f'kubectl() {{ "{py}" -m minikctl "$@"; }}', f'minikctl() {{ "{py}" -m minikctl "$@"; }}',
             "minikctl exam --only svc-clusterip,svc-externalname --minutes 10 --seed 9 > start.txt 2>&1"]
    names = ["svc-clusterip", "svc-externalname"]
    for i, name in enumerate(names):
        d = drills.load_drill(name)
        ctx = drill_exam.cluster_name(i)
        lines.append(f"kubectl config use-context {ctx}")
        for j, step in enumerate(d.solution):
            if "apply" in step:
                f = tmp_path / f"t{i}s{j}.yaml"
                f.write_text(step["apply"].replace("${domain}", "cluster.local"))
                lines.append(f"kubectl apply -f {f}")
            elif "run" in step:
                cmd = step["run"]
                lines.append(cmd if cmd.split()[0] in ("kubectl", "minikctl") else "kubectl " + cmd)
        lines.append("minikctl sim advance 90s")
        if i == 0:
            lines.append("minikctl sim advance 10m")             # past the deadline on the cluster's clock
    lines += ["minikctl exam report > report.txt 2>&1", "echo done > finished.txt"]
    script.write_text("\n".join(lines) + "\n")
    subprocess.run(["tmux", "new-session", "-d", "-s", sess, "-x", "200", "-y", "50", "-c", str(tmp_path)],
                   env=env, check=True)
    try:
        for k, v in (("MINIKCTL_HOME", str(home)), ("PYTHONPATH", str(repo)), ("NO_COLOR", "1")):
            subprocess.run(["tmux", "send-keys", "-t", sess, f"export {k}='{v}'", "Enter"], check=True)
        subprocess.run(["tmux", "send-keys", "-t", sess, f"cd '{tmp_path}' && . '{script}'", "Enter"], check=True)
        for _ in range(1500):               # the machine may be busy: up to 5 minutes
            if (tmp_path / "finished.txt").exists():
                break
            time.sleep(0.2)
        screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", sess], capture_output=True, text=True).stdout
        assert (tmp_path / "report.txt").exists(), screen
        report = (tmp_path / "report.txt").read_text()
    finally:
        subprocess.run(["tmux", "kill-session", "-t", sess], capture_output=True)
    assert "Time was up at the deadline" in report, report
    b1 = report.split("Task 1 (cka-t01")[1].split("\n\n")[0]
    b2 = report.split("Task 2 (cka-t02")[1].split("\n\n")[0]
    assert CROSS not in b1 and CROSS in b2, report
