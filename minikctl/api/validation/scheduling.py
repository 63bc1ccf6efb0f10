"""PriorityClass validation (pkg/apis/scheduling/validation): `system-` names are reserved for
the two system classes, user classes go up to one billion, preemptionPolicy is Never or
PreemptLowerPriority."""
from __future__ import annotations

from minikctl.api.validation.fields import forbidden, not_supported
from minikctl.api.validation.meta import validate_object_meta
from minikctl import lazy

priority = lazy.module("minikctl.sim.priority")


def validate_priority_class(pc: dict) -> list[tuple[str, str]]:
    errs = validate_object_meta(pc, False)
    name = (pc.get("metadata") or {}).get("name") or ""
    value = pc.get("value") or 0
    if name.startswith("system-"):
        known = {n: v for n, v, _ in priority.SYSTEM}
        if name not in known:
            errs.append(forbidden("metadata.name", "priority class names with 'system-' prefix are reserved for system "
                                                   f"use only. error: {name} is not a known system priority class"))
    elif value > priority.MAX_USER:
        errs.append(forbidden("value", f"maximum allowed value of a user defined priority is {priority.MAX_USER}"))
    policy = pc.get("preemptionPolicy")
    if policy is not None and policy not in ("Never", "PreemptLowerPriority"):
        errs.append(not_supported("preemptionPolicy", policy, ["Never", "PreemptLowerPriority"]))
    return errs
