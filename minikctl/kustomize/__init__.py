"""Kustomize as kubectl v1.32 embeds it (Kustomize v5.5.0): `kubectl kustomize DIR` and the `-k`
flag of apply / create / delete / get.

build(path) walks a kustomization directory the way kustomize's KustTarget does: resources
(files and directories, recursively), generators, components, then the builtin transformers in
kustomize's fixed order; at the top only, hash suffixes, name back-references and the legacy sort.
Output is byte-identical to the real tool's (tests/test_kustomize_parity.py compares with it).
Not simulated: remote resources (URLs), helmCharts, configurations, crds, openapi,
generators/transformers/validators plugins: each says so in a `minikctl: ... is not simulated`
error (docs/helm-and-kustomize.md).
"""
from __future__ import annotations
from minikctl import lazy

one = lazy.function("minikctl.printers.serialize", "to_yaml")
run_target = lazy.function("minikctl.kustomize.target", "run")


class KustomizeError(Exception):
    """What kustomize returns as its error (kubectl prints it: klog's line for `kustomize`,
    `error: ...` for `-k`)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotSimulated(KustomizeError):
    """A kustomization feature minikctl does not model."""


# kubectl kustomize --load-restrictor: files must be in or below the kustomization's root
# (LoadRestrictionsRootOnly) unless LoadRestrictionsNone. Set for the length of one build.
ROOT_ONLY = [True]


def build(path: str, load_restrictor: str = "LoadRestrictionsRootOnly"):
    """(resources as JSON-shaped dicts in output order, warnings for stderr)."""
    if load_restrictor not in ("LoadRestrictionsRootOnly", "LoadRestrictionsNone"):
        raise KustomizeError(f"illegal flag value --load-restrictor {load_restrictor}; legal values: "
                             "[LoadRestrictionsRootOnly LoadRestrictionsNone]")
    ROOT_ONLY[0] = load_restrictor == "LoadRestrictionsRootOnly"
    try:
        return run_target(path)
    finally:
        ROOT_ONLY[0] = True


def in_root(root: str, full: str) -> bool:
    return not ROOT_ONLY[0] or full == root or full.startswith(root.rstrip("/") + "/")


def to_yaml(resources: list[dict]) -> str:
    """resmap.AsYaml: each resource through JSON to YAML (sigs.k8s.io/yaml), joined by '---'."""
    return "---\n".join(one(r) for r in resources)
