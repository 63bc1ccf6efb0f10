"""describe poddisruptionbudget (describePodDisruptionBudgetV1): the budget, the selector, the
status counts the disruption controller keeps, events."""
from __future__ import annotations

from minikctl.api.selectors import format_label_selector
from minikctl.printers.describe import Writer, describe_events, events_for


def describe(pdb: dict, view) -> str:
    meta, spec, st = pdb.get("metadata") or {}, pdb.get("spec") or {}, pdb.get("status") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    if spec.get("minAvailable") is not None:
        w.write(0, f"Min available:\t{spec['minAvailable']}\n")
    elif spec.get("maxUnavailable") is not None:
        w.write(0, f"Max unavailable:\t{spec['maxUnavailable']}\n")
    if spec.get("selector") is not None:
        w.write(0, f"Selector:\t{format_label_selector(spec['selector'])}\n")
    else:
        w.write(0, "Selector:\t<unset>\n")
    w.write(0, "Status:\n")
    w.write(2, f"Allowed disruptions:\t{int(st.get('disruptionsAllowed') or 0)}\n")
    w.write(2, f"Current:\t{int(st.get('currentHealthy') or 0)}\n")
    w.write(2, f"Desired:\t{int(st.get('desiredHealthy') or 0)}\n")
    w.write(2, f"Total:\t{int(st.get('expectedPods') or 0)}\n")
    describe_events(w, events_for(pdb, view), view.now)
    return w.render()
