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
from minikctl import lazy

_load_yaml = lazy.function("minikctl.labs.lab", "_load_yaml")
check_step = lazy.function("minikctl.labs.drill_steps", "check_step")
difflib = lazy.module("difflib")
kind_of = lazy.function("minikctl.labs.drill_checks", "kind_of")
load_profile = lazy.function("minikctl.sim.profile", "load_profile")


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
    titles: dict = field(default_factory=dict)
    profile: str | None = None     # the cluster profile the drill needs (ingress-nginx, gateway-api...)
    clusters: list = field(default_factory=list)   # other clusters the task spans (steps/checks `context:`)

    @property
    def has_files(self) -> bool:
        """The drill's folder holds files/ for the learner (copied to ${files} when it starts)."""
        return (self.path / "files").is_dir()

    def title_in(self, lang: str = "en") -> str:
        return self.titles.get(lang) or self.title

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

# The CKA curriculum's five domains and their share of the exam (percent), with their Chinese names.
DOMAINS = {
    "Troubleshooting": (30, "故障排查"),
    "Cluster Architecture": (25, "集群架构、安装与配置"),
    "Services & Networking": (20, "服务与网络"),
    "Workloads & Scheduling": (15, "工作负载与调度"),
    "Storage": (10, "存储"),
}


def domain_name(domain: str, lang: str = "en") -> str:
    return DOMAINS[domain][1] if lang == "zh" and domain in DOMAINS else domain


def not_found(name: str) -> CliError:
    """drill "x" not found, with the closest names (difflib, as cobra suggests verbs)."""
    known = names()
    close = difflib.get_close_matches(name or "", known, n=3, cutoff=0.6)
    if not close and name:
        close = [n for n in known if name in n or n in name][:3]
    msg = f'drill "{name}" not found'
    if close:
        msg += "\n\nDid you mean this?\n" + "".join(f"\t{c}\n" for c in close)
        return CliError(msg.rstrip("\n") + "\n\nSee 'minikctl drill list' for every drill.")
    nearest = difflib.get_close_matches(name or "", known, n=3, cutoff=0.3)
    if nearest:
        msg += "\n\nThe closest names:\n" + "".join(f"\t{c}\n" for c in nearest)
        return CliError(msg.rstrip("\n") + "\n\nSee 'minikctl drill list' for every drill.")
    return CliError(msg + "; see 'minikctl drill list'")


def _merge_zh(data: dict, zh_path: Path, name: str) -> None:
    """A drill may keep its Chinese texts beside it in zh.yaml (title, task, hint, and the check
    names in order); they fill the `zh` of drill.yaml's texts that have none."""
    if not zh_path.is_file():
        return
    zh = _load_yaml(zh_path, f"drill {name}") or {}
    if not isinstance(zh, dict):
        raise CliError(f"drill {name}: {zh_path}: expected a mapping of title, task, hint, checks")
    for key in ("title", "task", "hint"):
        if key in zh:
            v = data.get(key)
            v = {"en": v} if isinstance(v, str) else dict(v or {})
            v.setdefault("zh", str(zh[key]))
            data[key] = v
    names = zh.get("checks") or []
    checks = data.get("checks") or []
    if not isinstance(names, list) or (names and len(names) != len(checks)):
        raise CliError(f"drill {name}: {zh_path}: field 'checks' must list one name per check of drill.yaml "
                       f"({len(checks)})")
    for c, n in zip(checks, names):
        if isinstance(c, dict) and isinstance(c.get("name"), str):
            c["name"] = {"en": c["name"], "zh": str(n)}


def load_drill(name: str) -> Drill:
    if not NAME_RE.match(name or ""):
        raise not_found(name)
    path = drills_root() / name / "drill.yaml"
    if not path.is_file():
        raise not_found(name)
    data = _load_yaml(path, f"drill {name}")
    if not isinstance(data, dict):
        raise CliError(f"drill {name}: {path}: expected a mapping of title, domain, task, setup, checks, hint, solution")
    _merge_zh(data, path.parent / "zh.yaml", name)
    for key in ("title", "task", "checks", "solution"):
        if not data.get(key):
            raise CliError(f"drill {name}: {path}: field '{key}' is missing")
    try:
        for key in ("checks", "solution"):
            if not isinstance(data[key], list):
                raise ValueError(f"field '{key}' must be a list")
        if not isinstance(data.get("setup") or [], list):
            raise ValueError("field 'setup' must be a list")
        for what in ("setup", "solution"):
            for i, step in enumerate(data.get(what) or []):
                check_step(step, f"field '{what}[{i}]'")
        for i, check in enumerate(data["checks"]):
            if not isinstance(check, dict):
                raise ValueError(f"field 'checks[{i}]' must be a mapping, got {check!r}")
            if not check.get("name"):
                raise ValueError(f"field 'checks[{i}].name' is missing")
            try:
                kind_of(check)
            except ValueError as e:
                raise ValueError(f"field 'checks[{i}]': {e}") from None
            if not isinstance(check.get("weight", 1), int):
                raise ValueError(f"field 'checks[{i}].weight' must be an integer")
        domain = str(data.get("domain", "Services & Networking"))
        if domain not in DOMAINS:
            raise ValueError(f"field 'domain' is {domain!r}, expected one of: {', '.join(DOMAINS)}")
        if not isinstance(data.get("weight", 4), int):
            raise ValueError("field 'weight' must be an integer (percent)")
        for key in ("task", "hint", "title"):
            v = data.get(key)
            if v is not None and not isinstance(v, (str, dict)):
                raise ValueError(f"field '{key}' must be a text or a mapping of language to text")
        titles = _lang_map(data["title"])
        others = data.get("clusters") or []
        if not isinstance(others, list) or not all(isinstance(c, str) and NAME_RE.match(c) for c in others):
            raise ValueError("field 'clusters' is a list of cluster names (lower case letters, digits, '-')")
        for i, c in enumerate(data["checks"]):
            if "context" in c and c["context"] not in others:
                raise ValueError(f"field 'checks[{i}].context' names no cluster of field 'clusters'")
        profile = data.get("profile")
        if profile is not None:
            try:
                load_profile(str(profile))
            except Exception:  # noqa: BLE001 - any failure to load is "no such profile"
                raise ValueError(f"field 'profile' names no cluster profile: {profile!r}") from None
        return Drill(name=name, title=titles.get("en", ""), titles=titles, domain=domain,
                     weight=int(data.get("weight", 4)), task=_lang_map(data["task"]),
                     setup=list(data.get("setup") or []), checks=list(data["checks"]), hint=_lang_map(data.get("hint")),
                     solution=list(data["solution"]), path=path.parent, profile=profile, clusters=list(others), tags=list(data.get("tags") or []))
    except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as e:
        raise CliError(f"drill {name}: {path}: {e}") from None


def list_drills(errors: list | None = None) -> list[Drill]:
    """Every drill that loads; with `errors`, a broken one is reported there instead of raising."""
    out = []
    for n in names():
        try:
            out.append(load_drill(n))
        except CliError as e:
            if errors is None:
                raise
            errors.append(str(e))
    return out


def names() -> list[str]:
    root = drills_root()
    return sorted(p.name for p in root.iterdir() if (p / "drill.yaml").is_file()) if root.is_dir() else []
