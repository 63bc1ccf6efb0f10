"""`Did you mean this?` for a mistyped verb, as cobra (and so kubectl) suggests it.

cobra's SuggestionsFor walks the root's commands in the order they were added and offers each
available one whose name is within Levenshtein distance 2 of what was typed (case-insensitive)
or starts with it. kubectl adds its commands group by group (cmd.go: Basic, Deploy, Cluster
Management, Troubleshooting, Advanced, Settings, then config, plugin, version, api-versions,
api-resources, options); minikctl's verbs take kubectl's places, its own verbs come after.
"""
from __future__ import annotations

# kubectl v1.32's root commands in the order cmd.go adds them (alpha and help are not available
# commands, so never suggested).
KUBECTL_ORDER = (
    "create", "expose", "run", "set", "explain", "get", "edit", "delete", "rollout", "scale", "autoscale",
    "certificate", "cluster-info", "top", "cordon", "uncordon", "drain", "taint", "describe", "logs", "attach",
    "exec", "port-forward", "proxy", "cp", "auth", "debug", "events", "diff", "apply", "patch", "replace", "wait",
    "kustomize", "label", "annotate", "completion", "config", "plugin", "version", "api-versions",
    "api-resources", "options")
MIN_DISTANCE = 2  # cobra's SuggestionsMinimumDistance default


def levenshtein(a: str, b: str) -> int:
    a, b = a.lower(), b.lower()
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def ordered(names) -> list[str]:
    """The verbs in the order a cobra root would hold them: kubectl's first, then ours."""
    names = list(dict.fromkeys(names))
    known = [n for n in KUBECTL_ORDER if n in names]
    return known + [n for n in names if n not in KUBECTL_ORDER]


def suggestions(typed: str, names) -> list[str]:
    return [n for n in ordered(names)
            if levenshtein(typed, n) <= MIN_DISTANCE or n.lower().startswith(typed.lower())]


def unknown_command(typed: str, root: str, names) -> str:
    """cobra's `unknown command %q for %q` error with its suggestion block, as kubectl prints it
    (the block ends in a newline and kubectl adds its own: a blank line closes it). Ends in '\n'."""
    found = suggestions(typed, names)
    text = f'Error: unknown command "{typed}" for "{root}"'
    if found:
        text += "\n\nDid you mean this?\n" + "".join(f"\t{n}\n" for n in found)
    return text + "\n"
