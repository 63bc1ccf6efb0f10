"""The kubectl commands and flags minikctl does not simulate, told apart from mistyped ones.

cobra's `unknown command "debug" for "kubectl"` and pflag's `unknown flag: --server-side` would
teach that kubectl has no such thing. minikctl/data/kubectl_commands.json lists every command path
and flag of the real kubectl (docs/gen_kubectl_commands.py); what is there but not here gets one
line that no one could mistake for a real error. Read only on those error paths.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from minikctl import lazy

CliError = lazy.function("minikctl.api.errors", "CliError")


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(resources.files("minikctl.data").joinpath("kubectl_commands.json").read_text())


def command_note(path: list[str]) -> str | None:
    """`minikctl: kubectl debug is not simulated` when `path` (`["debug"]`, `["config",
    "set-cluster"]`) is a kubectl command; None for a name kubectl does not have either."""
    name = " ".join(path)
    if name in _data() and not name.startswith("_") or name in ("options", "alpha"):
        return f"minikctl: kubectl {name} is not simulated"
    return None


def flag_note(path: list[str], flag: str) -> str | None:
    """`minikctl: the --server-side flag of kubectl apply is not simulated` when kubectl's
    command at `path` (or every kubectl command) has `flag`; None otherwise."""
    data = _data()
    name = " ".join(path)
    if flag in data.get(name, []) or flag in data.get("_global", []):
        return f"minikctl: the {flag} flag of kubectl {name} is not simulated"
    return None


def check_passthrough(path: list[str], args: list[str]) -> None:
    """For a verb that lets unknown options through to its own parser (label, annotate, set env):
    a kubectl flag among its arguments is refused as not simulated before it is read as data."""
    for a in args:
        if a == "--":
            return
        if a.startswith("--") and len(a) > 2:
            note = flag_note(path, a.split("=", 1)[0])
            if note:
                raise CliError(note)
