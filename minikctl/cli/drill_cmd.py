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
from minikctl import lazy

context_values = lazy.function("minikctl.labs.exam_run", "context_values")
drill_checks = lazy.module("minikctl.labs.drill_checks")
drill_exam = lazy.module("minikctl.labs.drill_exam")
drill_real = lazy.module("minikctl.labs.drill_real")
drill_state = lazy.module("minikctl.labs.drill_state")
drill_steps = lazy.module("minikctl.labs.drill_steps")
drills = lazy.module("minikctl.labs.drills")
exam_clock = lazy.module("minikctl.labs.exam_clock")
exam_now = lazy.function("minikctl.labs.exam_clock", "exam_now")
exam_run = lazy.module("minikctl.labs.exam_run")
fill = lazy.function("minikctl.labs.drill_checks", "fill")
on_cluster = lazy.function("minikctl.labs.exam_run", "on_cluster")
t = lazy.function("minikctl.labs.messages_drill", "t")
tabwriter = lazy.module("minikctl.printers.tabwriter")
w = lazy.function("minikctl.labs.render", "cell_width")
why_not_real = lazy.function("minikctl.labs.drill_real", "why_not_real")

drill_app = typer.Typer(add_completion=False, rich_markup_mode=None, no_args_is_help=True,
                        help="CKA-style drills with automatic checks.",
                        context_settings={"help_option_names": ["-h", "--help"]})
exam_app = typer.Typer(add_completion=False, rich_markup_mode=None, invoke_without_command=True,
                       help="A timed exam: exam [--tasks N] [--minutes M] [--seed S], or exam simulator.",
                       context_settings={"help_option_names": ["-h", "--help"]})

TICK, CROSS = "\u2714", "\u2718"


def _indent(text: str) -> str:
    return "".join(("  " + line if line else line) + "\n" for line in text.split("\n"))


def _exam_active(store) -> dict | None:
    exam = drill_state.load_exam(store)
    return exam if exam and not exam.get("done") else None


def _no_exam(what: str) -> None:
    with drill_state.store_tx(context.env()) as store:
        exam = _exam_active(store)
    if exam:
        raise CliError(f"'{what}' is not available during an exam (task {exam['index'] + 1} of "
                       f"{len(exam['tasks'])}); use 'minikctl exam status' or 'minikctl exam submit'")


def _current(store) -> str:
    name = store.get_meta(drill_state.PROGRESS_KEY + ".current")
    if not name:
        raise CliError("no drill started; run 'minikctl drill list' and 'minikctl drill start NAME'")
    return name


def _prepare(drill) -> None:
    """Reset the learner's cluster and run the drill's setup steps."""
    env = context.env()
    context.err(f"Warning: this resets the cluster in {env.home}: every object you created is deleted.")
    drill_state.reset_cluster(env, drill.profile)
    values = exam_run.context_values(drill, exam_run.current_context(env), home=env.home)
    exam_run.stage_files(env.home, drill)
    if drill.clusters:
        context.err(f"Warning: this also creates the cluster(s) {', '.join(drill.clusters)} (and their contexts).")
        exam_run.make_clusters(env, drill, values)
    drill_steps.run_steps(env, drill.setup, drill.path, "setup", values)


def _print_task(drill, lang: str, header: str) -> None:
    env = context.env()
    values = {**drill_steps.values_of(env), **exam_run.context_values(drill, exam_run.current_context(env),
                                                                               home=env.home)}
    text = fill(drill.text("task", lang), values)
    context.out(f"{header}\n\n{drill.title_in(lang)}\n\n{_indent(text).rstrip()}\n\n")


def _drill_header(drill, lang: str) -> str:
    return t("Drill {name} \u00b7 {domain} \u00b7 Task weight: {w}%", lang).format(
        name=drill.name, domain=drills.domain_name(drill.domain, lang), w=drill.weight)


# --- drill ------------------------------------------------------------------------------------

def _render(rows: list[list[str]]) -> str:
    """A tabwriter table whose cells are measured in terminal columns (CJK characters are two)."""
    return tabwriter.render(rows, width=cell_width)


def cell_width(text: str) -> int:
    return w(text)


def drill_list(lang: str = "en", domain: Optional[str] = None, real: bool = False) -> int:
    with drill_state.store_tx(context.env()) as store:
        prog = drill_state.load_progress(store)
    errors: list[str] = []
    rows = [["CURRENT", "NAME", "DOMAIN", "WEIGHT", "ATTEMPTS", "BEST", "TITLE"]]
    if real:
        pass
    for d in drills.list_drills(errors):
        if domain and not d.domain.lower().startswith(domain.lower()):
            continue
        if real and why_not_real(d):
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
    due = [(drill_state.due_at(r), n) for n, r in prog["drills"].items() if drill_state.due_at(r) <= now]
    return [n for _, n in sorted(due)]


def pick_next(prog: dict, all_drills: list, now: float) -> str | None:
    """What to practise next: a drill due for review, else an untried drill of the weakest domain
    (by mean best score, the heavier exam domain first on a tie), else the one due soonest."""
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
    env = context.env()
    with drill_state.store_tx(env) as store:
        prog = drill_state.load_progress(store)
    name = pick_next(prog, drills.list_drills([]), env.clock())
    if name is None:
        raise CliError("no drills found")
    return drill_start(name, lang)


def drill_start(name: str, lang: str, real: bool = False) -> int:
    drill = drills.load_drill(name)
    _no_exam("drill start")
    if real:
        return _start_real(drill, lang)
    _prepare(drill)
    with drill_state.store_tx(context.env()) as store:
        drill_state.set_current(store, name)
        store.set_meta(REAL_KEY, None)
    _print_task(drill, lang, _drill_header(drill, lang))
    context.out(_t("Solve it with minikctl (kubectl) commands, then run 'minikctl drill check'.", lang) + "\n" +
                _t("Stuck? 'minikctl drill hint', 'minikctl drill solution'. Start over: 'minikctl drill reset'.", lang)
                + "\n")
    return 0


REAL_KEY = "drill.real"    # {"drill": NAME, "context": CTX} while the current drill runs on a real cluster


def _real_of(store, name: str) -> dict | None:
    real = store.get_meta(REAL_KEY)
    return real if isinstance(real, dict) and real.get("drill") == name else None


def _real_values(drill, real: dict) -> dict:
    env = context.env()
    return {**drill_real.values(drill_real.Kubectl(real.get("context"))),
            **exam_run.context_values(drill, real.get("context") or "", home=env.home)}


def _start_real(drill, lang: str) -> int:
    """`drill start NAME --real`: the setup through the real kubectl on its current context."""
    why = drill_real.why_not_real(drill)
    if why:
        raise CliError(f"minikctl: drill {drill.name} runs on the simulation only: " + "; ".join(why) +
                       "\nSee 'minikctl drill list --real' for the drills a real cluster can run.")
    k = drill_real.Kubectl()
    r = k("config", "current-context")
    ctx = r.stdout.strip() if r.returncode == 0 else ""
    if not ctx:
        raise CliError(f"drill --real: kubectl has no current context: {r.stderr.strip()}")
    env = context.env()
    context.err(f"Warning: this runs drill {drill.name}'s setup with {k.path} on context {ctx}: "
                f"use a cluster you can throw away.")
    real = {"drill": drill.name, "context": ctx}
    exam_run.stage_files(env.home, drill)
    values = _real_values(drill, real)
    drill_real.run_steps(drill_real.Kubectl(ctx), drill, drill.setup, values, "setup")
    with drill_state.store_tx(env) as store:
        drill_state.set_current(store, drill.name)
        store.set_meta(REAL_KEY, real)
    context.out(f"{_drill_header(drill, lang)}\n\n{drill.title_in(lang)}\n\n"
                f"{_indent(fill(drill.text('task', lang), values)).rstrip()}\n\n")
    context.out(_t("Solve it with kubectl on context {ctx}, then run 'minikctl drill check'.", lang).format(ctx=ctx)
                + "\n")
    return 0


def drill_task(lang: str) -> int:
    with drill_state.store_tx(context.env()) as store:
        name = _current(store)
        real = _real_of(store, name)
    drill = drills.load_drill(name)
    if real:
        context.out(f"{_drill_header(drill, lang)}\n\n{drill.title_in(lang)}\n\n"
                    f"{_indent(fill(drill.text('task', lang), _real_values(drill, real))).rstrip()}\n\n")
        return 0
    _print_task(drill, lang, _drill_header(drill, lang))
    return 0


def grade(drill, lang: str = "en"):
    """Evaluate the drill's checks on the live cluster(s): (results, earned, total); a drill
    started with --real on the real cluster it was prepared on."""
    env = context.env()
    with drill_state.store_tx(env) as store:
        real = _real_of(store, drill.name)
    if real:
        results = drill_real.grade(drill, real.get("context"), lang)
        got, total = drill_checks.score(results)
        return results, got, total
    results = exam_run.grade_checks(env, drill, exam_run.context_values(drill, exam_run.current_context(env),
                                                                        home=env.home), lang)
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


def drill_check(lang: str = "en") -> int:
    _no_exam("drill check")
    env = context.env()
    with drill_state.store_tx(env) as store:
        name = _current(store)
    drill = drills.load_drill(name)
    results, got, total = grade(drill, lang)
    passed = got == total
    with drill_state.store_tx(env) as store:
        rec = drill_state.record_attempt(store, name, got, total, passed, env.clock())
    context.out(f"{_t('Drill', lang)} {name}: {drill.title_in(lang)}\n{render_checklist(results)}\n"
                + _t("Score: {got}/{total} ({pct}%)   attempts: {n}   best: {best}%", lang).format(
                    got=got, total=total, pct=round(100 * got / total) if total else 0, n=rec["attempts"],
                    best=round(100 * rec["best"])) + "\n")
    if passed:
        context.out(_t("All checks pass. Well done!", lang) + "\n")
    return 0 if passed else 1


def drill_hint(lang: str) -> int:
    _no_exam("drill hint")
    with drill_state.store_tx(context.env()) as store:
        name = _current(store)
        real = _real_of(store, name)
    drill = drills.load_drill(name)
    env = context.env()
    values = _real_values(drill, real) if real else \
        {**drill_steps.values_of(env), **exam_run.context_values(drill, exam_run.current_context(env), home=env.home)}
    hint = fill(drill.text("hint", lang), values)
    context.out((hint or _t("No hint for this drill.", lang)) + "\n")
    return 0


def drill_solution(apply: bool) -> int:
    _no_exam("drill solution")
    env = context.env()
    with drill_state.store_tx(env) as store:
        name = _current(store)
        real = _real_of(store, name)
    drill = drills.load_drill(name)
    extra = exam_run.context_values(drill, exam_run.current_context(env), home=env.home)
    values = _real_values(drill, real) if real else {**drill_steps.values_of(env), **extra}
    for step in drill.solution:
        context.out(drill_steps.step_text(step, drill.path, values) + "\n")
    if apply and real:
        drill_real.run_steps(drill_real.Kubectl(real.get("context")), drill, drill.solution, values, "solution")
        context.out("\nSolution applied; give the pods a few seconds, then run 'minikctl drill check'.\n")
    elif apply:
        drill_steps.run_steps(env, drill.solution, drill.path, "solution", extra)
        context.out("\nSolution applied; give the pods a few seconds, then run 'minikctl drill check'.\n")
    return 0


def drill_reset() -> int:
    _no_exam("drill reset")
    with drill_state.store_tx(context.env()) as store:
        name = _current(store)
        real = _real_of(store, name)
    if real:
        raise CliError(f"drill reset cannot reset the real cluster of context {real.get('context')}: delete what "
                       f"the drill made there, then run 'minikctl drill start {name} --real' again")
    drill = drills.load_drill(name)
    _prepare(drill)
    context.out(f"Drill {name} prepared again; 'minikctl drill task' shows the task.\n")
    return 0


# --- exam -------------------------------------------------------------------------------------

def _t(text: str, lang: str) -> str:
    return t(text, lang)


def _load_active(env=None):
    env = env or context.env()
    with drill_state.store_tx(env) as store:
        exam = _exam_active(store)
    if exam is None:
        raise CliError("no exam in progress; start one with 'minikctl exam [--tasks N] [--minutes M] [--seed S]' "
                       "or 'minikctl exam simulator'")
    return exam


def _save(exam: dict) -> None:
    with drill_state.store_tx(context.env()) as store:
        store.set_meta(drill_state.EXAM_KEY, exam)


def _now(exam: dict) -> float:
    return exam_now(context.env(), [t["cluster"] for t in exam["tasks"]])


def _exam_show(exam: dict, lang: str) -> None:
    """The current task as the exam shows it: no title (it would give the topic away), the
    use-context line first, the weight, the time left on the clusters' clock."""
    env = context.env()
    i = exam["index"]
    task = exam["tasks"][i]
    drill = drills.load_drill(task["drill"])
    left = drill_exam.time_left(exam, _now(exam))
    flag = " \u00b7 " + _t("flagged", lang) if task.get("flagged") else ""
    head = _t("Task {i} of {n} \u00b7 Task weight: {w}% \u00b7 Time left: {left}", lang).format(
        i=i + 1, n=len(exam["tasks"]), w=task["weight"], left=drill_exam.fmt_time(left)) + flag
    values = {**drill_steps.values_of(on_cluster(env, task["cluster"])),
              **context_values(drill, task["context"], task["cluster"], env.home)}
    text = fill(drill.text("task", lang), values)
    context.out(f"{head}\n\n" + _t("Use context:", lang) + f" kubectl config use-context {task['context']}\n\n"
                f"{_indent(text).rstrip()}\n\n")
    context.out(_t("Move: 'minikctl exam next|prev|goto N', flag it: 'minikctl exam flag', all tasks: "
                   "'minikctl exam list'; when done: 'minikctl exam submit'.", lang) + "\n")


def _fresh_seed(seed: Optional[int]) -> int:
    env = context.env()
    return seed if seed is not None else (env.seed if env.seed is not None else random.SystemRandom().randrange(10 ** 6))


def exam_start(n: int, minutes: Optional[float], seed: Optional[int], lang: str, mode: str = "exam",
               names: Optional[list] = None, session: int = 1) -> int:
    env = context.env()
    if n < 1:
        raise CliError("--tasks must be at least 1")
    with drill_state.store_tx(env) as store:
        if _exam_active(store):
            raise CliError("an exam is already in progress; 'minikctl exam status' shows it, "
                           "'minikctl exam submit' ends it")
    seed = _fresh_seed(seed)
    all_drills = drills.list_drills([])
    names = names or drill_exam.pick(all_drills, n, seed)
    if not names:
        raise CliError("no drills found")
    weights = {d.name: d.weight for d in all_drills}
    minutes = minutes if minutes is not None else drill_exam.DEFAULT_MINUTES
    exam = drill_exam.new_exam(names, weights, minutes, seed, env.clock(), mode, session)
    context.err(f"Warning: this creates {len(names)} clusters in {env.home} (contexts "
                f"{exam['tasks'][0]['context']}..{exam['tasks'][-1]['context']}), one per task.\n")
    exam_run.prepare(env, exam)
    clusters = [t["cluster"] for t in exam["tasks"]]
    exam["started"] = exam_clock.exam_now(env, clusters)
    exam["deadline"] = exam["started"] + minutes * 60
    with drill_state.store_tx(env) as store:
        store.set_meta(drill_state.EXAM_KEY, exam)
    exam_clock.write_marker(env, exam["deadline"], clusters)
    what = _t("Simulator session {s} of 2", lang).format(s=session) if mode == "simulator" else _t("Exam", lang)
    context.out(_t("{what} started: {n} tasks, {time} (seed {seed}). Every task names its context: "
                   "run its use-context line first.", lang).format(
        what=what, n=len(names), time=drill_exam.fmt_time(minutes * 60), seed=seed) + "\n\n")
    _exam_show(exam, lang)
    return 0


def exam_simulator(seed: Optional[int], n: int, minutes: Optional[float], lang: str) -> int:
    """killer.sh's model: two sessions of the same tasks; the first call starts session 1, the
    next (after session 1 ended) session 2 on fresh clusters."""
    with drill_state.store_tx(context.env()) as store:
        last = drill_state.load_exam(store)
    if last and last.get("done") and last.get("mode") == "simulator" and last.get("session") == 1 and seed is None:
        return exam_start(len(last["tasks"]), minutes if minutes is not None else last["minutes"], last["seed"], lang,
                          "simulator", [t["drill"] for t in last["tasks"]], session=2)
    return exam_start(n, minutes, seed, lang, "simulator")


def _move(to: int | None, delta: int, lang: str) -> int:
    exam = _load_active()
    n = len(exam["tasks"])
    i = (to - 1) if to is not None else exam["index"] + delta
    if not 0 <= i < n:
        raise CliError(f"there is no task {i + 1}: tasks are 1..{n}")
    exam["index"] = i
    exam["tasks"][i]["visited"] = True
    _save(exam)
    _exam_show(exam, lang)
    return 0


def exam_flag(task: Optional[int], lang: str) -> int:
    exam = _load_active()
    i = (task - 1) if task else exam["index"]
    if not 0 <= i < len(exam["tasks"]):
        raise CliError(f"there is no task {i + 1}: tasks are 1..{len(exam['tasks'])}")
    t = exam["tasks"][i]
    t["flagged"] = not t.get("flagged")
    _save(exam)
    context.out((_t("Task {i} flagged.", lang) if t["flagged"] else _t("Task {i} unflagged.", lang)).format(i=i + 1) + "\n")
    return 0


def exam_list(lang: str) -> int:
    exam = _load_active()
    rows = [[_t(h, lang) for h in ("CURRENT", "TASK", "CONTEXT", "WEIGHT", "FLAGGED", "VISITED")]]
    for i, t in enumerate(exam["tasks"]):
        rows.append(["*" if i == exam["index"] else "", str(i + 1), t["context"], f"{t['weight']}%",
                     _t("yes", lang) if t.get("flagged") else "", _t("yes", lang) if t.get("visited") else ""])
    context.out(_render(rows))
    context.out(_t("Time left: {left}", lang).format(left=drill_exam.fmt_time(drill_exam.time_left(exam, _now(exam)))) + "\n")
    return 0


def _report_and_code(exam: dict, lang: str) -> int:
    context.out(drill_exam.report(exam, lang))
    return 0 if drill_exam.percent(exam) >= drill_exam.PASS_MARK else 1


def exam_submit(lang: str) -> int:
    _load_active()
    exam = exam_run.finish(context.env())
    return _report_and_code(exam, lang)


def exam_status(lang: str) -> int:
    exam = _load_active()
    _exam_show(exam, lang)
    return 0


def exam_report(lang: str) -> int:
    with drill_state.store_tx(context.env()) as store:
        exam = drill_state.load_exam(store)
    if not exam or not exam.get("done"):
        raise CliError("no finished exam yet")
    return _report_and_code(exam, lang)


def register(app: typer.Typer) -> None:
    lang_opt = typer.Option("en", "--lang", help="Task language: en or zh.")

    @drill_app.command("list", help="List the drills with your attempts and best scores.")
    def list_cmd(lang: str = lang_opt,
                 domain: Optional[str] = typer.Option(None, "--domain", help="Only this domain (a prefix)."),
                 real: bool = typer.Option(False, "--real", help="Only the drills a real cluster can run "
                                           "(drill start --real).")) -> int:
        return drill_list(lang, domain, real)

    @drill_app.command("stats", help="Your scores by domain, weakest first, and the drills due for review.")
    def stats_cmd(lang: str = lang_opt) -> int:
        return drill_stats(lang)

    @drill_app.command("next", help="Start the drill to practise next (due for review, or your weakest domain).")
    def next_cmd(lang: str = lang_opt) -> int:
        return drill_next(lang)

    @drill_app.command("start", help="Reset the cluster, prepare a drill and print its task.")
    def start_cmd(name: str = typer.Argument(..., metavar="NAME"), lang: str = lang_opt,
                  real: bool = typer.Option(False, "--real", help="Prepare it on a real cluster through the real "
                                            "kubectl's current context (drill check grades it there).")) -> int:
        return drill_start(name, lang, real)

    @drill_app.command("task", help="Print the current drill's task again.")
    def task_cmd(lang: str = lang_opt) -> int:
        return drill_task(lang)

    @drill_app.command("check", help="Check the current drill against the cluster (exit 0 when all pass).")
    def check_cmd(lang: str = lang_opt) -> int:
        return drill_check(lang)

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

    tasks_opt = typer.Option(17, "--tasks", "--drills", help="How many tasks (the exam has 15-20).")
    minutes_opt = typer.Option(None, "--minutes", help="Time allowed (default 120).")
    seed_opt = typer.Option(None, "--seed", help="Pick the same tasks again.")

    only_opt = typer.Option(None, "--only", help="These drills (comma-separated), in this order, instead of a draw.")

    def _only(only: Optional[str]) -> Optional[list]:
        if not only:
            return None
        names = [n.strip() for n in only.split(",") if n.strip()]
        for n in names:
            drills.load_drill(n)            # an unknown name: the error with close names
        return names

    @exam_app.callback()
    def exam_cb(ctx: typer.Context, tasks: int = tasks_opt, minutes: Optional[float] = minutes_opt,
                seed: Optional[int] = seed_opt, lang: str = lang_opt, only: Optional[str] = only_opt):
        if ctx.invoked_subcommand is None:
            code = exam_start(tasks, minutes, seed, lang, names=_only(only))
            raise typer.Exit(code)

    @exam_app.command("start", help="Start an exam (same as 'exam' alone).")
    def exam_start_cmd(tasks: int = tasks_opt, minutes: Optional[float] = minutes_opt,
                       seed: Optional[int] = seed_opt, lang: str = lang_opt, only: Optional[str] = only_opt) -> int:
        return exam_start(tasks, minutes, seed, lang, names=_only(only))

    @exam_app.command("simulator", help="A killer.sh-style simulator: two sessions of 2 hours with the same tasks.")
    def exam_sim_cmd(tasks: int = tasks_opt, minutes: Optional[float] = minutes_opt,
                     seed: Optional[int] = seed_opt, lang: str = lang_opt) -> int:
        return exam_simulator(seed, tasks, minutes, lang)

    @exam_app.command("next", help="Go to the next task (nothing is graded before submit or the deadline).")
    def exam_next_cmd(lang: str = lang_opt) -> int:
        return _move(None, 1, lang)

    @exam_app.command("prev", help="Go back to the previous task.")
    def exam_prev_cmd(lang: str = lang_opt) -> int:
        return _move(None, -1, lang)

    @exam_app.command("goto", help="Go to task N.")
    def exam_goto_cmd(n: int = typer.Argument(..., metavar="N"), lang: str = lang_opt) -> int:
        return _move(n, 0, lang)

    @exam_app.command("flag", help="Flag (or unflag) this task, or task N, to come back to it.")
    def exam_flag_cmd(n: Optional[int] = typer.Argument(None, metavar="[N]"), lang: str = lang_opt) -> int:
        return exam_flag(n, lang)

    @exam_app.command("list", help="Every task with its context, weight and flag.")
    def exam_list_cmd(lang: str = lang_opt) -> int:
        return exam_list(lang)

    @exam_app.command("status", help="The current task and the time left.")
    def exam_status_cmd(lang: str = lang_opt) -> int:
        return exam_status(lang)

    @exam_app.command("task", help="The current task again (same as status).")
    def exam_task_cmd(lang: str = lang_opt) -> int:
        return exam_status(lang)

    @exam_app.command("submit", help="Grade every task, end the exam and print the report.")
    def exam_submit_cmd(lang: str = lang_opt) -> int:
        return exam_submit(lang)

    @exam_app.command("report", help="The report of the last finished exam.")
    def exam_report_cmd(lang: str = lang_opt) -> int:
        return exam_report(lang)

    app.add_typer(exam_app, name="exam")
