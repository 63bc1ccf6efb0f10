"""--set parse failures in helm's words."""
from __future__ import annotations

from minikctl.helm import HelmError


def wrap_set(parse, expr: str, vals: dict, as_string: bool) -> dict:
    try:
        return parse(expr, vals, as_string)
    except HelmError as e:
        raise HelmError(e.message) from None
