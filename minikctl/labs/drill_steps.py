"""Setup and solution steps, run through the minikctl CLI in-process.

Why the CLI and not the API: a drill's setup and its solution must behave exactly as the
learner's own commands would (defaulting, validation, apply's merge), so each step is a command
line handed to `minikctl.cli.main.run`, with its output captured instead of printed.

A step is one of:
  run: "kubectl scale deploy web --replicas=3"   (kubectl / k / minikctl prefix optional)
  apply: |                                        (a manifest, applied with `apply -f -`)
    apiVersion: v1 ...
  file: manifest.yaml                             (relative to the drill's folder)
"""
from __future__ import annotations

import io
import shlex
from pathlib import Path

from minikctl.api.errors import CliError

PREFIXES = ("kubectl", "k", "minikctl")


def step_argv(step: dict, drill_dir: Path, values: dict | None = None) -> tuple[list[str], str]:
    """(argv, stdin) for one step; ${domain}, ${proxyMode}... filled from `values` (the profile)."""
    if values:
        from minikctl.labs.drill_checks import fill
        step = fill(step, values)
    if "run" in step:
        argv = shlex.split(str(step["run"]))
        if argv and argv[0] in PREFIXES:
            argv = argv[1:]
        return argv, ""
    if "apply" in step:
        return ["apply", "-f", "-"], str(step["apply"])
    if "file" in step:
        return ["apply", "-f", str(drill_dir / step["file"])], ""
    raise CliError(f"drill step {step!r}: expected one of run, apply, file")


def step_text(step: dict, drill_dir: Path, values: dict | None = None) -> str:
    """How the step reads at the exam prompt."""
    if values:
        from minikctl.labs.drill_checks import fill
        step = fill(step, values)
    if "run" in step:
        argv = shlex.split(str(step["run"]))
        return step["run"] if argv and argv[0] in PREFIXES else "kubectl " + str(step["run"])
    if "apply" in step:
        return "cat <<EOF | kubectl apply -f -\n" + str(step["apply"]).rstrip("\n") + "\nEOF"
    if "file" in step:
        return f"kubectl apply -f {step['file']}\n# {step['file']}:\n" + (drill_dir / step["file"]).read_text().rstrip("\n")
    return str(step)


def values_of(env) -> dict:
    """${...} values from the profile of the cluster in env's state dir."""
    from minikctl.labs.drill_checks import profile_values
    from minikctl.labs.drill_state import store_tx
    with store_tx(env) as store:
        meta = store.get_meta("cluster") or {}
    return profile_values(meta.get("profile") or {})


def run_step(env, step: dict, drill_dir: Path) -> tuple[int, str, str]:
    """Run one step with env's state dir and clock; returns (code, stdout, stderr)."""
    from minikctl.cli import context
    from minikctl.cli.main import run
    from minikctl.env import Env
    argv, stdin = step_argv(step, drill_dir, values_of(env))
    out, err = io.StringIO(), io.StringIO()
    sub = Env(stdout=out, stderr=err, stdin=io.StringIO(stdin), home=env.home, clock=env.clock, seed=env.seed,
              no_color=True, namespace=None)
    try:
        code = run(argv, sub)
    finally:
        context.set_env(env)
    return code, out.getvalue(), err.getvalue()


def run_steps(env, steps: list, drill_dir: Path, what: str) -> None:
    for step in steps:
        code, _out, err = run_step(env, step, drill_dir)
        if code != 0:
            first = step_text(step, drill_dir).splitlines()[0]
            raise CliError(f"drill {what} step failed: {first}\n{err.rstrip()}")
