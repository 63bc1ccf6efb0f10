"""A drill's proving cases: its solution, alternative valid solutions and common mistakes.

Why a file of its own (labs/drills/<name>/proof.yaml): a checker is only as good as the answers it
was tried on. Every drill ships with at least one other correct way to solve it (which must pass)
and at least one plausible wrong answer (which must not get full marks); tests/test_drill_proofs.py
runs them all. Format:

    alternatives:
      - name: targetPort names the container port
        steps: [{apply: "..."}, {run: "kubectl ..."}]    # the steps of drill.yaml's solution
    mistakes:
      - name: the second port points at the wrong targetPort
        steps: [...]
"""
from __future__ import annotations

from minikctl.api.errors import CliError
from minikctl import lazy

Env = lazy.function("minikctl.env", "Env")
_load_yaml = lazy.function("minikctl.labs.lab", "_load_yaml")
check_step = lazy.function("minikctl.labs.drill_steps", "check_step")
drill_steps = lazy.module("minikctl.labs.drill_steps")
drills = lazy.module("minikctl.labs.drills")
exam_run = lazy.module("minikctl.labs.exam_run")

PROOF_FILE = "proof.yaml"


def has_proof(name: str) -> bool:
    return (drills.drills_root() / name / PROOF_FILE).is_file()


def load_proof(drill) -> dict:
    """{'alternatives': [...], 'mistakes': [...]} with every step checked; CliError names the file and field."""
    path = drill.path / PROOF_FILE
    if not path.is_file():
        return {"alternatives": [], "mistakes": []}
    data = _load_yaml(path, f"drill {drill.name} proof") or {}
    out = {}
    for key in ("alternatives", "mistakes"):
        cases = data.get(key) or []
        if not isinstance(cases, list):
            raise CliError(f"drill {drill.name}: {path}: '{key}' is a list")
        for i, c in enumerate(cases):
            where = f"{key}[{i}]"
            if not isinstance(c, dict) or not isinstance(c.get("steps"), list) or not c.get("name"):
                raise CliError(f"drill {drill.name}: {path}: {where} needs a name and a list of steps")
            for j, step in enumerate(c["steps"]):
                try:
                    check_step(step, f"{where}.steps[{j}]")
                except ValueError as e:
                    raise CliError(f"drill {drill.name}: {path}: {e}") from None
        out[key] = cases
    return out


def case_ids(name: str) -> list[tuple[str, int]]:
    """[('solution', 0), ('alternative', 0), ..., ('mistake', 0), ...] for one drill."""
    try:
        p = load_proof(drills.load_drill(name))
    except CliError:
        return [("solution", 0)]
    return ([("solution", 0)] + [("alternative", i) for i in range(len(p["alternatives"]))]
            + [("mistake", i) for i in range(len(p["mistakes"]))])


def case(drill, kind: str, index: int) -> dict:
    if kind == "solution":
        return {"name": "solution", "steps": drill.solution}
    return load_proof(drill)["alternatives" if kind == "alternative" else "mistakes"][index]


def step_values(home, drill) -> dict:
    """${...} for a drill started (`drill start`) on the cluster in `home`: its profile, its files."""
    env = Env(home=home)
    return {**drill_steps.values_of(env),
            **exam_run.context_values(drill, exam_run.current_context(env), home=home)}


def step_argv(home, step: dict, drill) -> tuple[list[str], str] | None:
    """(argv, stdin) of one step on the cluster in `home`, ${...} filled from its profile; a
    `write` step writes its file into the drill's files and gives None (no command to run)."""
    values = step_values(home, drill)
    if "write" in step:
        drill_steps.write_file(step, values)
        return None
    return drill_steps.step_argv(step, drill.path, values)
