"""Labs as data: load `labs/<name>/lab.yaml` into a `Lab`, and check its shape once, up front.

Why data: a lab is a story (narration in English and Chinese) around command lines that the
simulated cluster answers live. Keeping the story in YAML lets anyone write a lab without touching
the engine (format: docs/writing-labs.md). A malformed lab fails here with a message naming the
file and the step, never halfway through a replay.

Step keys (one step may combine `say` with one action):
  say:     narration, a string or {en: ..., zh: ...}
  run:     a command line typed as `kubectl ...` (also `k ...`, `minikctl ...`); optional `id`
           (keeps the output for views), `expect: fail`, `repeat_until_changed: N`
  files:   manifests (paths relative to the lab folder) applied with `kubectl apply -f`
  wait:    advance the virtual clock (`30s`, `5m`, `7m26s`, `1h`)
  view:    a computed view: `answers` (ids: [...]) or `compare` (pairs: [{label, before, after}])
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from minikctl.api.errors import CliError
import shlex
from minikctl import lazy

_text = lazy.function("minikctl.api.manifests", "_text")
load_bounded = lazy.function("minikctl.api.manifests", "load_bounded")
refuse_host_effects = lazy.function("minikctl.labs.drill_steps", "refuse_host_effects")
yaml = lazy.module("yaml")
manifests = lazy.module("minikctl.api.manifests")

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ACTIONS = ("run", "files", "wait", "view")
VIEWS = ("answers", "compare")
LANGS = ("en", "zh")


def labs_root() -> Path:
    """MINIKCTL_LABS overrides the repository's labs/ folder (for tests and custom sets)."""
    override = os.environ.get("MINIKCTL_LABS")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent.parent / "labs"


def parse_duration(text) -> float:
    """'30s', '5m', '7m26s', '1h', '90' -> seconds (what a lab's `wait:` says)."""
    if isinstance(text, (int, float)):
        return float(text)
    s = str(text).strip()
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return float(s)
    m = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?", s)
    if not s or not m:
        raise ValueError(f"invalid duration {text!r} (use e.g. 30s, 5m, 7m26s, 1h)")
    h, mi, se = m.groups()
    return int(h or 0) * 3600 + int(mi or 0) * 60 + float(se or 0)


def lang_map(v) -> dict:
    if v is None:
        return {}
    if isinstance(v, str):
        return {"en": v}
    if isinstance(v, dict):
        return {str(k): str(t) for k, t in v.items()}
    raise ValueError(f"expected a string or {{en: ..., zh: ...}}, got {type(v).__name__}")


def pick(texts: dict, lang: str) -> str:
    """The text in lang, else English, else nothing."""
    return (texts.get(lang) or texts.get("en") or "").rstrip("\n")


@dataclass
class Step:
    index: int
    say: dict = field(default_factory=dict)
    run: str | None = None
    files: list = field(default_factory=list)
    wait: float | None = None
    view: str | None = None
    id: str | None = None
    expect: str = "ok"
    repeat_until_changed: int = 0
    raw: dict = field(default_factory=dict)

    @property
    def action(self) -> str | None:
        for a in ACTIONS:
            if getattr(self, a) not in (None, []):
                return a
        return None


@dataclass
class Lab:
    name: str
    title: dict
    summary: dict
    steps: list
    path: Path
    seed: int = 1
    start: str = "2022-09-01T09:40:00Z"
    tags: list = field(default_factory=list)

    def text(self, what: str, lang: str = "en") -> str:
        return pick(getattr(self, what), lang)

    @property
    def commands(self) -> list[str]:
        """Every command line the lab types, files expanded (what `lab show` lists)."""
        out = []
        for s in self.steps:
            if s.run:
                out.append(s.run)
            for f in s.files:
                out.append(f"kubectl apply -f {f}")
        return out


def _step(i: int, d, where: str) -> Step:
    if not isinstance(d, dict):
        raise ValueError(f"{where}: a step is a mapping, got {d!r}")
    unknown = set(d) - {"say", "run", "files", "wait", "view", "id", "expect", "repeat_until_changed",
                        "ids", "pairs", "title"}
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    s = Step(index=i, say=lang_map(d.get("say")), run=d.get("run"), id=d.get("id"), raw=d,
             expect=str(d.get("expect", "ok")), repeat_until_changed=int(d.get("repeat_until_changed") or 0))
    files = d.get("files")
    if files is not None:
        s.files = [files] if isinstance(files, str) else [str(f) for f in files]
    if d.get("wait") is not None:
        s.wait = parse_duration(d["wait"])
    if d.get("view") is not None:
        s.view = str(d["view"])
        if s.view not in VIEWS:
            raise ValueError(f"{where}: unknown view {s.view!r} (known: {', '.join(VIEWS)})")
    actions = [a for a in ACTIONS if d.get(a) is not None]
    if len(actions) > 1:
        raise ValueError(f"{where}: one action per step, got {', '.join(actions)}")
    if not actions and not s.say:
        raise ValueError(f"{where}: a step needs `say` or one of {', '.join(ACTIONS)}")
    if s.run is not None:
        if not isinstance(s.run, str) or not s.run.split() or s.run.split()[0] not in ("kubectl", "k", "minikctl"):
            raise ValueError(f"{where}: `run` must start with kubectl, k or minikctl: {s.run!r}")
        try:
            refuse_host_effects(shlex.split(s.run)[1:])
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from None
    for f in s.files:
        if not f or f.startswith("/") or ".." in Path(f).parts:
            raise ValueError(f"{where}: file {f!r} must be a path inside the lab's folder")
    if s.expect not in ("ok", "fail"):
        raise ValueError(f"{where}: expect is ok or fail")
    return s


def load_lab(name: str, root: Path | None = None) -> Lab:
    root = root or labs_root()
    path = root / (name or "") / "lab.yaml"
    if not NAME_RE.match(name or "") or name == "drills" or not path.is_file():
        raise CliError(f'lab "{name}" not found; see \'minikctl lab list\'')
    data = _load_yaml(path, f"lab {name}")
    try:
        if not isinstance(data.get("steps"), list):
            raise ValueError("'steps' is a list of steps")
        for key in ("title", "steps"):
            if not data.get(key):
                raise ValueError(f"no '{key}'")
        steps = [_step(i, d, f"step {i + 1}") for i, d in enumerate(data["steps"])]
        for s in steps:
            for f in s.files:
                if not (path.parent / f).is_file():
                    raise ValueError(f"step {s.index + 1}: file {f} not found in {path.parent}")
        lab = Lab(name=name, title=lang_map(data["title"]), summary=lang_map(data.get("summary")), steps=steps,
                  path=path.parent, seed=int(data.get("seed", 1)), start=str(data.get("start", Lab.start)),
                  tags=list(data.get("tags") or []))
    except (ValueError, TypeError, AttributeError, KeyError, OverflowError, OSError) as e:
        raise CliError(f"lab {name}: {path}: {e}")
    return lab


def _load_yaml(path: Path, what: str) -> dict:
    """A lab's or drill's YAML as a mapping, bounded like any manifest; a clear error otherwise."""
    try:
        data = load_bounded(_text(path.read_bytes()))
    except yaml.YAMLError as e:
        raise CliError(f"{what}: {path} is not valid YAML: {e}")
    except (manifests.TooLarge, manifests.TooDeep) as e:
        raise CliError(f"{what}: {path}: {e.message(str(path))}")
    except OSError as e:
        raise CliError(f"{what}: {path}: {e.strerror or e}")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CliError(f"{what}: {path} is not a mapping of title, steps ...")
    return data


def list_labs(root: Path | None = None) -> list[Lab]:
    """Every lab folder with a lab.yaml, by name (drills live in labs/drills and are not labs)."""
    root = root or labs_root()
    if not root.is_dir():
        return []
    return [load_lab(p.name, root) for p in sorted(root.iterdir())
            if p.is_dir() and p.name != "drills" and (p / "lab.yaml").is_file()]
