"""describe resourcequota (describeQuota), and the quota section of describe namespace
(DescribeResourceQuotas): scopes with their help texts, then Resource / Used / Hard per resource."""
from __future__ import annotations

from minikctl.printers.describe import Writer

SCOPE_HELP = {
    "Terminating": "Matches all pods that have an active deadline. These pods have a limited lifespan on a node "
                   "before being actively terminated by the system.",
    "NotTerminating": "Matches all pods that do not have an active deadline. These pods usually include long "
                      "running pods whose container command is not expected to terminate.",
    "BestEffort": "Matches all pods that do not have resource requirements set. These pods have a best effort "
                  "quality of service.",
    "NotBestEffort": "Matches all pods that have at least one resource requirement set. These pods have a "
                     "burstable or guaranteed quality of service.",
}


def _rows(q: dict) -> list[tuple[str, str, str]]:
    status = q.get("status") or {}
    hard, used = status.get("hard") or {}, status.get("used") or {}
    return [(r, str(used.get(r, "0")), str(hard[r])) for r in sorted(hard)]


def describe(q: dict, view) -> str:
    meta = q.get("metadata") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    scopes = sorted((q.get("spec") or {}).get("scopes") or [])
    if scopes:
        w.write(0, f"Scopes:\t{', '.join(scopes)}\n")
        for s in scopes:
            if SCOPE_HELP.get(s):
                w.write(0, f" * {SCOPE_HELP[s]}\n")
    w.write(0, "Resource\tUsed\tHard\n")
    w.write(0, "--------\t----\t----\n")
    for r, used, hard in _rows(q):
        w.write(0, f"{r}\t{used}\t{hard}\n")
    return w.render()


def namespace_section(w: Writer, quotas: list[dict]) -> None:
    if not quotas:
        w.write(0, "No resource quota.\n")
        return
    w.write(0, "Resource Quotas\n")
    for q in sorted(quotas, key=lambda o: o["metadata"]["name"]):
        w.write(1, f"Name:\t{q['metadata']['name']}\n")
        scopes = sorted((q.get("spec") or {}).get("scopes") or [])
        if scopes:
            w.write(1, f"Scopes:\t{', '.join(scopes)}\n")
            for s in scopes:
                if SCOPE_HELP.get(s):
                    w.write(1, f"* {SCOPE_HELP[s]}\n")
        w.write(1, "Resource\tUsed\tHard\n")
        w.write(1, "--------\t---\t---\n")
        for r, used, hard in _rows(q):
            w.write(1, f"{r}\t{used}\t{hard}\n")
