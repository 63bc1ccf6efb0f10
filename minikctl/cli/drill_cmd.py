"""`minikctl drill list|start|task|check|hint|solution|reset` and `minikctl exam`.

Thin verbs over minikctl/labs: drills are data (labs/drills), checks read cluster state
(drill_checks), steps run through the CLI in-process (drill_steps), progress and the exam live in
the store (drill_state, drill_exam). `drill start` resets the learner's own cluster (their
MINIKCTL_HOME) because the learner solves the task there with ordinary commands.
"""
from __future__ import annotations

import random
from typing import Optional

import typer

from minikctl.api.errors import CliError
from minikctl.cli import context

drill_app = typer.Typer(add_completion=False, rich_markup_mode=None, no_args_is_help=True,
                        help="CKA-style drills with automatic checks.",
                        context_settings={"help_option_names": ["-h", "--help"]})
exam_app = typer.Typer(add_completion=False, rich_markup_mode=None, invoke_without_command=True,
                       help="A timed set of drills with a score report: exam [--drills N] [--minutes M] [--seed S].",
                       context_settings={"help_option_names": ["-h", "--help"]})

TICK, CROSS = "\u2714", "\u2718"


def _indent(text: str) -> str:
    return "".join(("  " + line if line else line) + "\n" for line in text.split("\n"))


def _exam_active(store) -> dict | None:
    from minikctl.labs import drill_state
    exam = drill_state.load_exam(store)
    return exam if exam and not exam.get("done") else None


def _no_exam(what: str) -> None:
    from minikctl.labs import drill_state
    with drill_state.store_tx(context.env()) as store:
        exam = _exam_active(store)
    if exam:
        raise CliError(f"'{what}' is not available during an exam (question {exam['index'] + 1} of "
                       f"{len(exam['drills'])}); use 'minikctl exam next' or 'minikctl exam submit'")


def _current(store) -> str:
    from minikctl.labs import drill_state
    name = store.get_meta(drill_state.PROGRESS_KEY + ".current")
    if not name:
        raise CliError("no drill started; run 'minikctl drill list' and 'minikctl drill start NAME'")
    return name


def _prepare(drill) -> None:
    """Reset the learner's cluster and run the drill's setup steps."""
    from minikctl.labs import drill_state, drill_steps
    env = context.env()
    context.err(f"Warning: this resets the cluster in {env.home}: every object you created is deleted.")
    drill_state.reset_cluster(env)
    drill_steps.run_steps(env, drill.setup, drill.path, "setup")


def _print_task(drill, lang: str, header: str) -> None:
    context.out(f"{header}\n\n{drill.title}\n\n{_indent(drill.text('task', lang)).rstrip()}\n\n")


# --- drill ------------------------------------------------------------------------------------

def _render(rows: list[list[str]]) -> str:
    """A tabwriter table whose cells are measured in terminal columns (CJK characters are two)."""
    from minikctl.printers import tabwriter
    return tabwriter.render(rows, width=cell_width)


def cell_width(text: str) -> int:
    from minikctl.labs.render import cell_width as w
    return w(text)


def drill_list(lang: str = "en", domain: Optional[str] = None) -> int:
    from minikctl.labs import drill_state, drills
    with drill_state.store_tx(context.env()) as store:
        prog = drill_state.load_progress(store)
    errors: list[str] = []
    rows = [["CURRENT", "NAME", "DOMAIN", "WEIGHT", "ATTEMPTS", "BEST", "TITLE"]]
    for d in drills.list_drills(errors):
        if domain and not d.domain.lower().startswith(domain.lower()):
            continue
        p = prog["drills"].get(d.name) or {}
        best = f"{round(100 * p['best'])}%" if p else "-"
        rows.append(["*" if prog["current"] == d.name else "", d.name, drills.domain_name(d.domain, lang),
                     f"{d.weight}%", str(p.get("attempts", 0)), best + (" " + TICK if p.get("passed") else ""),
                     d.title_in(lang)])
    context.out(_render(rows))
    for e in errors:
        context.err(f"warning: {e}\n")
    return 0


def drill_stats(lang: str) -> int:
    """Per domain, weakest first: how many drills, tried, passed, the mean best score; then the
    drills due for review (spaced repetition: failed ones now, passed ones after 1, 3, 7, 21 days)."""
    from minikctl.labs import drill_state, drills
    env = context.env()
    with drill_state.store_tx(env) as store:
        prog = drill_state.load_progress(store)
    per: dict[str, list] = {}
    all_drills = drills.list_drills([])
    for d in all_drills:
        per.setdefault(d.domain, []).append(d)
    table = []
    for dom, ds in per.items():
        recs = [prog["drills"].get(d.name) for d in ds]
        tried = [r for r in recs if r]
        mean = sum(r["best"] for r in tried) / len(ds) if ds else 0.0
        table.append((mean, dom, len(ds), len(tried), sum(1 for r in tried if r["passed"]),
                      sum(r["attempts"] for r in tried)))
    table.sort(key=lambda t: (t[0], -drills.DOMAINS.get(t[1], (0,))[0]))
    rows = [["DOMAIN", "EXAM", "DRILLS", "TRIED", "PASSED", "ATTEMPTS", "SCORE"]]
    for mean, dom, n, tried, passed, attempts in table:
        rows.append([drills.domain_name(dom, lang), f"{drills.DOMAINS.get(dom, (0,))[0]}%", str(n), str(tried),
                     str(passed), str(attempts), f"{round(100 * mean)}%"])
    context.out(_render(rows))
    due = drill_state_due(prog, env.clock())
    if due:
        context.out(("\n需要复习:\n" if lang == "zh" else "\nDue for review:\n") +
                    "".join(f"  {n}\n" for n in due[:10]))
    nxt = pick_next(prog, all_drills, env.clock())
    if nxt:
        context.out(("\n下一个:" if lang == "zh" else "\nNext: ") + f"minikctl drill start {nxt}\n")
    return 0


def drill_state_due(prog: dict, now: float) -> list[str]:
    """Tried drills whose review time has come, most overdue first (failed ones are due at once)."""
    from minikctl.labs import drill_state
    due = [(drill_state.due_at(r), n) for n, r in prog["drills"].items() if drill_state.due_at(r) <= now]
    return [n for _, n in sorted(due)]


def pick_next(prog: dict, all_drills: list, now: float) -> str | None:
    """What to practise next: a drill due for review, else an untried drill of the weakest domain
    (by mean best score, the heavier exam domain first on a tie), else the one due soonest."""
    from minikctl.labs import drill_state, drills
    known = {d.name for d in all_drills}
    due = [n for n in drill_state_due(prog, now) if n in known and n != prog.get("current")]
    if due:
        return due[0]
    untried = [d for d in all_drills if d.name not in prog["drills"]]
    if untried:
        def weakness(dom):
            ds = [d for d in all_drills if d.domain == dom]
            return sum((prog["drills"].get(d.name) or {}).get("best", 0.0) for d in ds) / len(ds)
        doms = sorted({d.domain for d in untried}, key=lambda dm: (weakness(dm), -drills.DOMAINS.get(dm, (0,))[0]))
        return next(d.name for d in untried if d.domain == doms[0])
    tried = sorted((drill_state.due_at(r), n) for n, r in prog["drills"].items() if n in known)
    return tried[0][1] if tried else None


def drill_next(lang: str) -> int:
    from minikctl.labs import drill_state, drills
    env = context.env()
    with drill_state.store_tx(env) as store:
        prog = drill_state.load_progress(store)
    name = pick_next(prog, drills.list_drills([]), env.clock())
    if name is None:
        raise CliError("no drills found")
    return drill_start(name, lang)


def drill_start(name: str, lang: str) -> int:
    from minikctl.labs import drill_state, drills
    drill = drills.load_drill(name)
    _no_exam("drill start")
    _prepare(drill)
    with drill_state.store_tx(context.env()) as store:
        drill_state.set_current(store, name)
    _print_task(drill, lang, f"Drill {name} \u00b7 {drill.domain} \u00b7 Task weight: {drill.weight}%")
    context.out("Solve it with minikctl (kubectl) commands, then run 'minikctl drill check'.\n"
                "Stuck? 'minikctl drill hint', 'minikctl drill solution'. Start over: 'minikctl drill reset'.\n")
    return 0


def drill_task(lang: str) -> int:
    from minikctl.labs import drill_state, drills
    with drill_state.store_tx(context.env()) as store:
        name = _current(store)
    drill = drills.load_drill(name)
    _print_task(drill, lang, f"Drill {name} \u00b7 {drill.domain} \u00b7 Task weight: {drill.weight}%")
    return 0


def grade(drill):
    """Evaluate the drill's checks on the live cluster: (results, earned, total)."""
    from minikctl.labs import drill_checks
    from minikctl.sim.cluster import open_cluster
    with open_cluster(context.env()) as cluster:
        results = drill_checks.evaluate_all(cluster, drill.checks)
    got, total = drill_checks.score(results)
    return results, got, total


def render_checklist(results) -> str:
    lines = []
    for r in results:
        mark = TICK if r.passed else CROSS
        line = f"  {mark} {r.name} ({r.earned}/{r.weight})"
        if not r.passed and r.detail:
            line += f"\n      {r.detail}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def drill_check() -> int:
    from minikctl.labs import drill_state, drills
    _no_exam("drill check")
    env = context.env()
    with drill_state.store_tx(env) as store:
        name = _current(store)
    drill = drills.load_drill(name)
    results, got, total = grade(drill)
    passed = got == total
    with drill_state.store_tx(env) as store:
        rec = drill_state.record_attempt(store, name, got, total, passed, env.clock())
    context.out(f"Drill {name}: {drill.title}\n{render_checklist(results)}\n"
                f"Score: {got}/{total} ({round(100 * got / total) if total else 0}%)   "
                f"attempts: {rec['attempts']}   best: {round(100 * rec['best'])}%\n")
    if passed:
        context.out("All checks pass. Well done!\n")
    return 0 if passed else 1


def drill_hint(lang: str) -> int:
    from minikctl.labs import drill_state, drills
    _no_exam("drill hint")
    with drill_state.store_tx(context.env()) as store:
        name = _current(store)
    drill = drills.load_drill(name)
    context.out((drill.text("hint", lang) or "No hint for this drill.") + "\n")
    return 0


def drill_solution(apply: bool) -> int:
    from minikctl.labs import drill_state, drill_steps, drills
    _no_exam("drill solution")
    env = context.env()
    with drill_state.store_tx(env) as store:
        name = _current(store)
    drill = drills.load_drill(name)
    values = drill_steps.values_of(env)
    for step in drill.solution:
        context.out(drill_steps.step_text(step, drill.path, values) + "\n")
    if apply:
        drill_steps.run_steps(env, drill.solution, drill.path, "solution")
        context.out("\nSolution applied; give the pods a few seconds, then run 'minikctl drill check'.\n")
    return 0


def drill_reset() -> int:
    from minikctl.labs import drill_state, drills
    _no_exam("drill reset")
    with drill_state.store_tx(context.env()) as store:
        name = _current(store)
    drill = drills.load_drill(name)
    _prepare(drill)
    context.out(f"Drill {name} prepared again; 'minikctl drill task' shows the task.\n")
    return 0


# --- exam -------------------------------------------------------------------------------------

def _exam_header(exam: dict, drill, now: float) -> str:
    from minikctl.labs import drill_exam
    left = max(0.0, drill_exam.time_left(exam, now))
    return (f"Question {exam['index'] + 1} of {len(exam['drills'])} \u00b7 Task weight: {drill.weight}% "
            f"\u00b7 Time left: {drill_exam.fmt_time(left)}")


def _exam_show(exam: dict, lang: str) -> None:
    from minikctl.labs import drill_exam, drills
    name = drill_exam.current(exam)
    drill = drills.load_drill(name)
    _print_task(drill, lang, _exam_header(exam, drill, context.env().clock()))
    last = exam["index"] + 1 == len(exam["drills"])
    context.out("When done: 'minikctl exam submit'.\n" if last else
                "When done: 'minikctl exam next' (or 'minikctl exam submit' to finish now).\n")


def exam_start(n: int, minutes: Optional[float], seed: Optional[int], lang: str) -> int:
    from minikctl.labs import drill_exam, drill_state, drills
    env = context.env()
    if n < 1:
        raise CliError("--drills must be at least 1")
    with drill_state.store_tx(env) as store:
        if _exam_active(store):
            raise CliError("an exam is already in progress; 'minikctl exam status' shows it, "
                           "'minikctl exam submit' ends it")
    seed = seed if seed is not None else (env.seed if env.seed is not None else random.SystemRandom().randrange(10 ** 6))
    exam = drill_exam.new_exam(drills.names(), n, minutes, seed, env.clock())
    if not exam["drills"]:
        raise CliError("no drills found")
    _prepare(drills.load_drill(exam["drills"][0]))
    exam["started"] = exam["taskStarted"] = env.clock()
    exam["deadline"] = exam["started"] + exam["minutes"] * 60
    with drill_state.store_tx(env) as store:
        store.set_meta(drill_state.EXAM_KEY, exam)
    context.out(f"Exam started: {len(exam['drills'])} questions, {drill_exam.fmt_time(exam['minutes'] * 60)} "
                f"(seed {seed}).\n\n")
    _exam_show(exam, lang)
    return 0


def _load_active():
    from minikctl.labs import drill_state
    with drill_state.store_tx(context.env()) as store:
        exam = _exam_active(store)
    if exam is None:
        raise CliError("no exam in progress; start one with 'minikctl exam [--drills N] [--minutes M] [--seed S]'")
    return exam


def _save(exam: dict) -> None:
    from minikctl.labs import drill_state
    with drill_state.store_tx(context.env()) as store:
        store.set_meta(drill_state.EXAM_KEY, exam)


def _grade_current(exam: dict, now: float, note: str = "") -> None:
    from minikctl.labs import drill_exam, drills
    drill = drills.load_drill(drill_exam.current(exam))
    _results, got, total = grade(drill)
    drill_exam.record(exam, drill.name, drill.weight, got, total, now, note)


def _finish(exam: dict, now: float) -> int:
    from minikctl.labs import drill_exam, drills
    weights = {}
    for n in exam["drills"]:
        try:
            weights[n] = drills.load_drill(n).weight
        except CliError:
            weights[n] = 4
    drill_exam.close(exam, weights, now)
    _save(exam)
    context.out(drill_exam.report(exam))
    earned, total = drill_exam.totals(exam)
    return 0 if total and 100 * earned / total >= drill_exam.PASS_MARK else 1


def exam_next(lang: str) -> int:
    from minikctl.labs import drill_exam, drills
    exam = _load_active()
    now = context.env().clock()
    _grade_current(exam, now)
    if drill_exam.time_left(exam, now) <= 0:
        context.out("Time is up.\n\n")
        return _finish(exam, now)
    if drill_exam.current(exam) is None:
        return _finish(exam, now)
    _save(exam)
    _prepare(drills.load_drill(drill_exam.current(exam)))
    exam["taskStarted"] = context.env().clock()
    _save(exam)
    _exam_show(exam, lang)
    return 0


def exam_submit() -> int:
    exam = _load_active()
    now = context.env().clock()
    _grade_current(exam, now)
    return _finish(exam, now)


def exam_status(lang: str) -> int:
    from minikctl.labs import drill_exam
    exam = _load_active()
    if drill_exam.time_left(exam, context.env().clock()) <= 0:
        context.out("Time is up: run 'minikctl exam submit' to see your score.\n")
        return 1
    _exam_show(exam, lang)
    return 0


def exam_report() -> int:
    from minikctl.labs import drill_exam, drill_state
    with drill_state.store_tx(context.env()) as store:
        exam = drill_state.load_exam(store)
    if not exam or not exam.get("done"):
        raise CliError("no finished exam yet")
    context.out(drill_exam.report(exam))
    return 0


def register(app: typer.Typer) -> None:
    lang_opt = typer.Option("en", "--lang", help="Task language: en or zh.")

    @drill_app.command("list", help="List the drills with your attempts and best scores.")
    def list_cmd(lang: str = lang_opt,
                 domain: Optional[str] = typer.Option(None, "--domain", help="Only this domain (a prefix).")) -> int:
        return drill_list(lang, domain)

    @drill_app.command("stats", help="Your scores by domain, weakest first, and the drills due for review.")
    def stats_cmd(lang: str = lang_opt) -> int:
        return drill_stats(lang)

    @drill_app.command("next", help="Start the drill to practise next (due for review, or your weakest domain).")
    def next_cmd(lang: str = lang_opt) -> int:
        return drill_next(lang)

    @drill_app.command("start", help="Reset the cluster, prepare a drill and print its task.")
    def start_cmd(name: str = typer.Argument(..., metavar="NAME"), lang: str = lang_opt) -> int:
        return drill_start(name, lang)

    @drill_app.command("task", help="Print the current drill's task again.")
    def task_cmd(lang: str = lang_opt) -> int:
        return drill_task(lang)

    @drill_app.command("check", help="Check the current drill against the cluster (exit 0 when all pass).")
    def check_cmd() -> int:
        return drill_check()

    @drill_app.command("hint", help="A hint for the current drill.")
    def hint_cmd(lang: str = lang_opt) -> int:
        return drill_hint(lang)

    @drill_app.command("solution", help="The commands that solve the current drill.")
    def solution_cmd(apply: bool = typer.Option(False, "--apply", help="Also run them.")) -> int:
        return drill_solution(apply)

    @drill_app.command("reset", help="Reset the cluster and prepare the current drill again.")
    def reset_cmd() -> int:
        return drill_reset()

    app.add_typer(drill_app, name="drill")

    @exam_app.callback()
    def exam_cb(ctx: typer.Context, drills_n: int = typer.Option(5, "--drills", help="How many questions."),
                minutes: Optional[float] = typer.Option(None, "--minutes", help="Time allowed (default 8 per question)."),
                seed: Optional[int] = typer.Option(None, "--seed", help="Pick the same questions again."),
                lang: str = lang_opt):
        if ctx.invoked_subcommand is None:
            code = exam_start(drills_n, minutes, seed, lang)
            raise typer.Exit(code)

    @exam_app.command("start", help="Start an exam (same as 'exam' alone).")
    def exam_start_cmd(drills_n: int = typer.Option(5, "--drills", help="How many questions."), minutes: Optional[float] = typer.Option(None, "--minutes", help="Time allowed (default 8 per question)."),
                       seed: Optional[int] = typer.Option(None, "--seed", help="Pick the same questions again."), lang: str = lang_opt) -> int:
        return exam_start(drills_n, minutes, seed, lang)

    @exam_app.command("next", help="Grade this question and go to the next one.")
    def exam_next_cmd(lang: str = lang_opt) -> int:
        return exam_next(lang)

    @exam_app.command("submit", help="Grade this question, end the exam and print the score report.")
    def exam_submit_cmd() -> int:
        return exam_submit()

    @exam_app.command("status", help="The current question and the time left.")
    def exam_status_cmd(lang: str = lang_opt) -> int:
        return exam_status(lang)

    @exam_app.command("report", help="The score report of the last finished exam.")
    def exam_report_cmd() -> int:
        return exam_report()

    app.add_typer(exam_app, name="exam")
