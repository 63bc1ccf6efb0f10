"""Kustomize as kubectl v1.32 embeds it (Kustomize v5.5.0): `kubectl kustomize DIR` and the `-k`
flag of apply / create / delete / get.

build(path) walks a kustomization directory the way kustomize's KustTarget does: resources
(files and directories, recursively), generators, components, then the builtin transformers in
kustomize's fixed order; at the top only, hash suffixes, name back-references and the legacy sort.
Output is byte-identical to the real tool's (tests/test_kustomize_parity.py compares with it).
Not simulated: remote resources (URLs), helmCharts, replacements, vars, configurations, crds,
openapi, generators/transformers/validators plugins: each says so in a `minikctl: ... is not
simulated` error.
"""
from __future__ import annotations


class KustomizeError(Exception):
    """What kustomize returns as its error (kubectl prints it: klog's line for `kustomize`,
    `error: ...` for `-k`)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotSimulated(KustomizeError):
    """A kustomization feature minikctl does not model."""


def build(path: str):
    """(resources as JSON-shaped dicts in output order, warnings for stderr)."""
    from minikctl.kustomize.target import run
    return run(path)


def to_yaml(resources: list[dict]) -> str:
    """resmap.AsYaml: each resource through JSON to YAML (sigs.k8s.io/yaml), joined by '---'."""
    from minikctl.printers.serialize import to_yaml as one
    return "---\n".join(one(r) for r in resources)
