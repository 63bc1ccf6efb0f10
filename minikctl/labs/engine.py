"""Replay a lab: each command line runs through minikctl in-process, on a cluster of its own.

Why it works this way:
* isolated: the lab gets a fresh state directory (MINIKCTL_HOME/labs/<name>, wiped first, or a
  directory the caller gives), so a replay never touches the learner's own cluster;
* live: every output is what the simulated cluster computes (`minikctl.cli.main.run(argv, env)`
  with captured stdout/stderr), nothing is stored in the lab;
* on a virtual clock: time only moves on `wait:` steps, so ages read as in the note (13m, 8m1s);
* seeded: the seed fixes the cluster's random source (names, IPs, DNS shuffles), so the same
  seed gives the same transcript byte for byte.

`run_lab(lab, home=..., lang=..., seed=..., renderer=...)` returns a `Replay` holding every
record; the CLI (minikctl/cli/lab_cmd.py) only chooses the renderer and the directory.
"""
from __future__ import annotations

import io
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from minikctl.api.errors import CliError
from minikctl.labs import answers as ans_mod
from minikctl.labs import views
from minikctl.labs.lab import Lab, pick
from minikctl.labs.messages import msg
import sys
from minikctl import lazy

Env = lazy.function("minikctl.env", "Env")
PlainRenderer = lazy.function("minikctl.labs.render", "PlainRenderer")
human_duration = lazy.function("minikctl.printers.duration", "human_duration")
lang_map = lazy.function("minikctl.labs.lab", "lang_map")
run = lazy.function("minikctl.cli.main", "run")
timeutil = lazy.module("minikctl.timeutil")

PLACEHOLDER = re.compile(r"\{pod:([^}#]+)(?:#(\d+))?\}")
FILE_FLAGS = ("-f", "--filename")


@dataclass
class Record:
    step: int
    command: str             # as printed (kubectl ...)
    argv: list
    stdout: str
    stderr: str
    code: int
    at: float                # virtual time the command ran
    id: str | None = None


@dataclass
class Replay:
    lab: Lab
    home: Path
    seed: int
    lang: str
    now: float
    records: list = field(default_factory=list)
    outputs: dict = field(default_factory=dict)    # step id -> Record (the latest)
    verdicts: list = field(default_factory=list)   # (sentence, flag) from views and repeats
    stopped_at: int | None = None

    def answer(self, rid: str) -> ans_mod.Answer:
        rec = self.outputs.get(rid)
        if rec is None:
            raise CliError(f"lab {self.lab.name}: no command with id '{rid}' ran before this view")
        return ans_mod.parse_nslookup(rec.stdout)


def pretty_path(path) -> str:
    """A path as the learner would type it: their home directory shown as ~."""
    p, home = str(path), str(Path.home())
    return "~" + p[len(home):] if home != "/" and (p == home or p.startswith(home + "/")) else p


def fresh_home(base: Path, name: str) -> Path:
    """<base>/labs/<name>, emptied: only a directory the lab engine owns is ever removed."""
    home = Path(base) / "labs" / name
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    return home


def _invoke(replay: Replay, argv: list[str]) -> tuple[int, str, str]:
    """One command line through the real CLI, captured (run leaves the caller's CLI environment)."""
    out, err = io.StringIO(), io.StringIO()
    env = Env(stdout=out, stderr=err, stdin=io.StringIO(""), home=replay.home, clock=lambda: replay.now,
              seed=replay.seed, no_color=True)
    code = run(list(argv), env)
    return code, out.getvalue(), err.getvalue()


def _resolve(replay: Replay, line: str) -> str:
    """`{pod:app=x}` / `{pod:app=x#1}` -> the name of that pod now (sorted by name), as a learner
    would copy it from `kubectl get po -l app=x`."""
    def sub(m):
        code, out, err = _invoke(replay, ["get", "pods", "-l", m.group(1), "-o", "name"])
        names = [n.split("/", 1)[-1] for n in out.split()]
        idx = int(m.group(2) or 0)
        if code or idx >= len(names):
            raise CliError(f"lab {replay.lab.name}: no pod #{idx} matches {m.group(1)} ({err.strip() or 'none'})")
        return names[idx]
    return PLACEHOLDER.sub(sub, line)


def _argv(lab: Lab, line: str) -> list[str]:
    """Split a typed line; drop the kubectl/k/minikctl word; make -f paths absolute in the lab folder."""
    words = shlex.split(line)[1:]
    out = []
    for i, w in enumerate(words):
        prev = words[i - 1] if i else ""
        if prev in FILE_FLAGS and not Path(w).is_absolute() and w != "-" and (lab.path / w).exists():
            w = str(lab.path / w)
        elif w.startswith("--filename=") and (lab.path / w.split("=", 1)[1]).exists():
            w = "--filename=" + str(lab.path / w.split("=", 1)[1])
        out.append(w)
    return out


def _run_line(replay: Replay, step, line: str, r) -> Record:
    shown = _resolve(replay, line)
    r.command(shown)
    code, out, err = _invoke(replay, _argv(replay.lab, shown))
    r.output(out, err)
    rec = Record(step.index, shown, _argv(replay.lab, shown), out, err, code, replay.now, step.id)
    replay.records.append(rec)
    if step.id:
        replay.outputs[step.id] = rec
    want_fail = step.expect == "fail"
    if bool(code) != want_fail:
        key = "unexpected_ok" if want_fail else "unexpected_fail"
        raise CliError(msg(key, replay.lang, i=step.index + 1, cmd=shown, code=code))
    return rec


def _repeat(replay: Replay, step, first: Record, r) -> None:
    """Ask again (up to N times) until the same records come back in another order."""
    prev = [x for x in replay.records[:-1] if x.command == first.command]
    if not prev:
        return
    before = ans_mod.parse_nslookup(prev[-1].stdout)
    now = ans_mod.parse_nslookup(first.stdout)
    lang = replay.lang
    n = len(now.addresses)
    for k in range(step.repeat_until_changed + 1):
        if ans_mod.order_changed(before, now):
            r.note(msg("order_changed", lang, n=n), ok=True)
            replay.verdicts.append(("order_changed", True))
            return
        if k == step.repeat_until_changed:
            break
        r.note(msg("order_same", lang, n=n, perms=views.permutations(n)))
        rec = _run_line(replay, step, step.run, r)
        now = ans_mod.parse_nslookup(rec.stdout)
    r.note(msg("order_never", lang, k=step.repeat_until_changed + 1), ok=False)
    replay.verdicts.append(("order_changed", False))


def _view(replay: Replay, step, r) -> None:
    lang = replay.lang
    title = pick(_lm(step.raw.get("title")), lang)
    if step.view == "answers":
        got = {rid: replay.answer(rid) for rid in step.raw.get("ids") or []}
        headers, rows = views.answers_table(got, lang)
        r.table(title or msg("answers_title", lang), headers, rows)
    elif step.view == "compare":
        pairs = [(pick(_lm(p.get("label")), lang) or p["before"], replay.answer(p["before"]), replay.answer(p["after"]))
                 for p in step.raw.get("pairs") or []]
        headers, rows, verdicts = views.compare_table(pairs, lang)
        r.table(title or msg("compare_title", lang), headers, rows)
        for sentence, changed in verdicts:
            r.note(sentence, ok=None)
            replay.verdicts.append((sentence, changed))


def _lm(v) -> dict:
    return lang_map(v)


def _pause(replay: Replay, stdin, prompt) -> bool:
    """--step: wait for Enter (the hint goes to stderr, so a piped transcript stays clean);
    'q' stops the replay, end of input lets it run on."""
    prompt = prompt or sys.stderr
    prompt.write(msg("step_pause", replay.lang) + "\n")
    prompt.flush()
    line = stdin.readline() if stdin is not None else ""
    return line.strip().lower() not in ("q", "quit", "exit")


def run_lab(lab: Lab, home: Path, *, lang: str = "en", seed: int | None = None, renderer=None,
            step_mode: bool = False, stdin=None, prompt=None) -> Replay:
    """Replay `lab` on the (fresh) state directory `home`; returns what ran and what was seen."""
    r = renderer or PlainRenderer(io.StringIO())
    seed = lab.seed if seed is None else seed
    replay = Replay(lab=lab, home=Path(home), seed=seed, lang=lang, now=timeutil.parse(lab.start) or 0.0)
    r.header(lab.text("title", lang), lab.text("summary", lang),
             msg("info", lang, home=pretty_path(home), start=lab.start, seed=seed))
    for step in lab.steps:
        if step_mode and step.action in ("run", "files") and not _pause(replay, stdin, prompt):
            replay.stopped_at = step.index
            r.footer(msg("stopped", lang, i=step.index + 1, n=len(lab.steps)))
            return replay
        text = pick(step.say, lang)
        if text:
            r.narrate(text)
        if step.wait is not None:
            replay.now += step.wait
            r.wait(msg("later", lang, d=human_duration(step.wait)))
        for f in step.files:
            _run_line(replay, step, f"kubectl apply -f {f}", r)
        if step.run:
            rec = _run_line(replay, step, step.run, r)
            if step.repeat_until_changed:
                _repeat(replay, step, rec, r)
        if step.view:
            _view(replay, step, r)
    r.footer(msg("done", lang, home=pretty_path(home)))
    return replay
