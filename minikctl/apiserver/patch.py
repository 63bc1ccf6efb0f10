"""PATCH request bodies by content type, applied with the same engine as `kubectl patch`
(minikctl/api/patch.py), so the CLI and the API server patch alike."""
from __future__ import annotations

from minikctl.api import patch as engine

MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"
APPLY = "application/apply-patch+yaml"
TYPES = (MERGE, STRATEGIC, JSON_PATCH)
_ENGINE_NAMES = {MERGE: "merge", STRATEGIC: "strategic", JSON_PATCH: "json"}


class PatchError(ValueError):
    """A patch that cannot be applied; the apiserver answers 422 (or 400 for bad JSON patch)."""


def apply_patch(obj: dict, patch, patch_type: str) -> dict:
    """obj patched by a PATCH body of the given content type; PatchError when it cannot be."""
    if patch_type not in TYPES:
        raise PatchError(f"unknown patch type {patch_type}")
    if patch_type != JSON_PATCH and not isinstance(patch, dict):
        raise PatchError("json: cannot unmarshal array into Go value of type map[string]interface {}")
    try:
        return engine.apply_patch(obj, patch, _ENGINE_NAMES[patch_type])
    except engine.PatchError as e:
        raise PatchError(str(e)) from None
