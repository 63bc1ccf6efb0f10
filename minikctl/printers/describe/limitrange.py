"""describe limitrange (describeLimitRange) and the namespace's Resource Limits section
(DescribeLimitRanges): a row per item and resource, `-` where the item sets nothing."""
from __future__ import annotations

from minikctl.printers.describe import Writer

_HEAD = "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n"
_RULE = "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n"


def _rows(lr: dict) -> list[str]:
    out = []
    for item in (lr.get("spec") or {}).get("limits") or []:
        fields = ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")
        names: list[str] = []
        for f in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
            for k in item.get(f) or {}:
                if k not in names:
                    names.append(k)
        for k in names:       # Go ranges over a set: any order; minikctl keeps first-seen order
            cells = [str((item.get(f) or {}).get(k, "-")) for f in fields]
            out.append(f"{item.get('type', '')}\t{k}\t" + "\t".join(cells) + "\n")
    return out


def describe(lr: dict, view) -> str:
    meta = lr.get("metadata") or {}
    w = Writer()
    w.write(0, f"Name:\t{meta.get('name')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace') or ''}\n")
    w.write(0, _HEAD)
    w.write(0, _RULE)
    for row in _rows(lr):
        w.write(0, row)
    return w.render()


def namespace_section(w: Writer, ranges: list[dict]) -> None:
    if not ranges:
        w.write(0, "No LimitRange resource.\n")
        return
    w.write(0, "Resource Limits\n " + _HEAD)
    w.write(0, " " + _RULE)
    for lr in ranges:
        for row in _rows(lr):
            w.write(0, " " + row)
