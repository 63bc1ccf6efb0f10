"""policy/v1 PodDisruptionBudget validation (pkg/apis/policy/validation, 1.32): minAvailable and
maxUnavailable each a non-negative int or a percent up to 100%, never both; the selector; the
unhealthy pod eviction policy."""
from __future__ import annotations

from minikctl.api.validation.fields import GoRaw, invalid, not_supported
from minikctl.api.validation.meta import validate_label_selector, validate_object_meta
from minikctl.api.validation.workloads import _int_or_percent


def _not_over_100(value, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit() and int(value[:-1]) > 100:
        return [invalid(path, value, "must not be greater than 100%")]
    return []


def _spec_dump(spec: dict, rng) -> GoRaw:
    """%#v of a PodDisruptionBudgetSpec: its pointer fields print as addresses (random per process)."""
    def ptr(go: str, present) -> str:
        if not present:
            return f"({go})(nil)"
        return f"({go})(0xc{(rng.getrandbits(36) if rng else 0x0001a2b3c):09x})"
    return GoRaw("policy.PodDisruptionBudgetSpec{"
                 f"MinAvailable:{ptr('*intstr.IntOrString', spec.get('minAvailable') is not None)}, "
                 f"Selector:{ptr('*v1.LabelSelector', spec.get('selector') is not None)}, "
                 f"MaxUnavailable:{ptr('*intstr.IntOrString', spec.get('maxUnavailable') is not None)}, "
                 f"UnhealthyPodEvictionPolicy:{ptr('*policy.UnhealthyPodEvictionPolicyType', spec.get('unhealthyPodEvictionPolicy') is not None)}}}")


def validate_pdb(pdb: dict, rng=None) -> list[tuple[str, str]]:
    errs = validate_object_meta(pdb, True)
    spec = pdb.get("spec") or {}
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        errs.append(invalid("spec", _spec_dump(spec, rng), "minAvailable and maxUnavailable cannot be both set"))
    for key in ("minAvailable", "maxUnavailable"):
        if spec.get(key) is not None:
            errs += _int_or_percent(spec[key], f"spec.{key}")
            errs += _not_over_100(spec[key], f"spec.{key}")
    if spec.get("selector") is not None:
        errs += validate_label_selector(spec["selector"], "spec.selector")
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in ("AlwaysAllow", "IfHealthyBudget"):
        errs.append(not_supported("spec.unhealthyPodEvictionPolicy", policy, ["AlwaysAllow", "IfHealthyBudget"]))
    return errs
