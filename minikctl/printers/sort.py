"""`--sort-by=<jsonpath>`: kubectl's RuntimeSort / TableSorter ordering (kubectl get/sorter.go).

Why copy the quirks: the first value of the path decides; an object without it counts as "less"
than anything (so, through Go's sort, such objects gather at the front); ties keep no stable
order but the one Go's pdqsort leaves (printers/gosort.py); ints and floats compare numerically only with their own type; strings that both parse
as resource quantities compare by amount (`"80"` < `"443"`, `"500Mi"` < `"1Gi"`), other strings
bytewise (`web-10` < `web-2`, as kubectl prints), which also orders RFC 3339 timestamps in time.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from minikctl.api.errors import CliError
from minikctl.printers.jsonpath import JsonPathError, find_results, relaxed_expression
from minikctl.printers.serialize import go_quote, go_type
from minikctl import lazy

sort_order = lazy.function("minikctl.printers.gosort", "sort_order")


def string_less(a: str, b: str) -> bool:
    """kubectl v1.32 orders non-quantity strings bytewise: observed `web-1 < web-10 < web-2`,
    `x10 < x9`, `B < a` against a real kubectl (its sorter calls a "natural" less, but the
    bytes it produces are plain lexical order)."""
    return a.encode() < b.encode()


_QTY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$")
_SUFFIX = {"": 1, "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"),
           "k": 10 ** 3, "M": 10 ** 6, "G": 10 ** 9, "T": 10 ** 12, "P": 10 ** 15, "E": 10 ** 18,
           "Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "Pi": 2 ** 50, "Ei": 2 ** 60}


def parse_quantity(s: str) -> Decimal | None:
    """resource.ParseQuantity's accepted forms, as an amount (None if not a quantity)."""
    m = _QTY.match(s)
    if not m:
        return None
    try:
        num = Decimal(m.group(1))
    except InvalidOperation:
        return None
    suf = m.group(2) or ""
    if suf[:1] in ("e", "E"):
        return num * (Decimal(10) ** int(suf[1:]))
    return num * Decimal(_SUFFIX[suf])


def _is_less(a: Any, b: Any, field: str) -> bool:
    if a is None and b is None:
        return False
    if a is None:
        return True
    if b is None:
        return False
    if type(a) is type(b) and isinstance(a, (int, float)) and not isinstance(a, bool):
        return a < b
    if isinstance(a, str) and isinstance(b, str):
        qa, qb = parse_quantity(a), parse_quantity(b)
        if qa is None or qb is None:
            return string_less(a, b)
        return qa < qb
    if isinstance(a, (dict, list, bool)) or not isinstance(a, (int, float, str)):
        err = f"unsortable type: {go_type(a)}"
    else:
        err = "unsortable interface: interface"
    raise CliError(f"Field {field} in *unstructured.Unstructured is an unsortable type: "
                   f"interface, err: {err}")


def _first(field: str, obj: Any):
    try:
        res = find_results(field, obj, allow_missing=True)
    except JsonPathError as e:
        raise CliError(str(e)) from None
    return (True, res[0][0]) if res and res[0] else (False, None)


def sort_objects(objects: list[dict], sort_by: str) -> list[dict]:
    """kubectl get --sort-by: a new list in kubectl's order, or CliError."""
    field = relaxed_expression(sort_by)
    firsts = [_first(field, o) for o in objects]
    if objects and not any(found for found, _ in firsts):
        raise CliError(f"couldn't find any field with path {go_quote(field)} in the list of objects")

    def less(i: int, j: int) -> bool:
        if not firsts[i][0]:
            return True
        if not firsts[j][0]:
            return False
        return _is_less(firsts[i][1], firsts[j][1], field)

    # Go's sort.Sort is not stable: ties come out as its pdqsort leaves them (printers/gosort).
    return [objects[i] for i in sort_order(len(objects), less)]
