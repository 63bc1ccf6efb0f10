"""Drills as data: load `labs/drills/<name>/drill.yaml` into a `Drill`.

Why data: a drill is a task text, a way to break or prepare the cluster, a list of named checks
over cluster state, a hint and a solution. Keeping them as YAML lets anyone add a drill without
touching the engine (format: labs/drills/README.md). The engine parts are split by idea:
drill_checks.py (the check vocabulary), drill_steps.py (running setup/solution steps through the
CLI in-process), drill_state.py (progress and exam state in the store), drill_exam.py (timed sets).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from minikctl.api.errors import CliError


def drills_root() -> Path:
    """MINIKCTL_DRILLS overrides the repository's labs/drills (for tests and custom sets)."""
    override = os.environ.get("MINIKCTL_DRILLS")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent.parent / "labs" / "drills"


@dataclass
class Drill:
    name: str
    title: str
    domain: str
    weight: int
    task: dict            # lang -> text
    setup: list
    checks: list
    hint: dict            # lang -> text
    solution: list
    path: Path
    tags: list = field(default_factory=list)

    def text(self, what: str, lang: str = "en") -> str:
        d = getattr(self, what)
        return (d.get(lang) or d.get("en") or "").rstrip("\n")


def _lang_map(v) -> dict:
    if v is None:
        return {}
    if isinstance(v, str):
        return {"en": v}
    return {str(k): str(t) for k, t in v.items()}


NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def load_drill(name: str) -> Drill:
    if not NAME_RE.match(name or ""):
        raise CliError(f'drill "{name}" not found; see \'minikctl drill list\'')
    path = drills_root() / name / "drill.yaml"
    if not path.is_file():
        raise CliError(f'drill "{name}" not found; see \'minikctl drill list\'')
    from minikctl.labs.drill_steps import check_step
    from minikctl.labs.lab import _load_yaml
    data = _load_yaml(path, f"drill {name}")
    for key in ("title", "task", "checks", "solution"):
        if not data.get(key):
            raise CliError(f"drill {name}: {path} has no '{key}'")
    try:
        for key in ("checks", "solution"):
            if not isinstance(data[key], list):
                raise ValueError(f"'{key}' is a list")
        if not isinstance(data.get("setup") or [], list):
            raise ValueError("'setup' is a list")
        for what in ("setup", "solution"):
            for i, step in enumerate(data.get(what) or []):
                check_step(step, f"{what} step {i + 1}")
        for i, check in enumerate(data["checks"]):
            if not isinstance(check, dict):
                raise ValueError(f"check {i + 1} is a mapping, got {check!r}")
        return Drill(name=name, title=str(data["title"]), domain=str(data.get("domain", "Services & Networking")),
                     weight=int(data.get("weight", 4)), task=_lang_map(data["task"]),
                     setup=list(data.get("setup") or []), checks=list(data["checks"]), hint=_lang_map(data.get("hint")),
                     solution=list(data["solution"]), path=path.parent, tags=list(data.get("tags") or []))
    except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as e:
        raise CliError(f"drill {name}: {path}: {e}") from None


def list_drills() -> list[Drill]:
    root = drills_root()
    if not root.is_dir():
        return []
    return [load_drill(p.name) for p in sorted(root.iterdir()) if (p / "drill.yaml").is_file()]


def names() -> list[str]:
    root = drills_root()
    return sorted(p.name for p in root.iterdir() if (p / "drill.yaml").is_file()) if root.is_dir() else []
