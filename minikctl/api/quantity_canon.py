"""resource.Quantity's canonical String(): how the apiserver and kubectl print a quantity after
parsing it (`1024Mi` -> `1Gi`, `2000m` -> `2`, `0.5` -> `500m`), and sums (quota usage) in the
format of their first term.

A quantity keeps the format of its suffix: binary (Ki..Ei), decimal SI (n u m k M G T P E, or
none) or decimal exponent (e3). Binary amounts below 1024 or not whole print as decimal SI.
"""
from __future__ import annotations

from fractions import Fraction

from minikctl.api.resources import parse

_BIN = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
_DEC = {-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"}


def format_of(q) -> str:
    text = str(q).strip()
    if text.endswith(("Ki", "Mi", "Gi", "Ti", "Pi", "Ei")):
        return "BinarySI"
    if len(text) > 1 and ("e" in text[1:] or "E" in text[1:]) and not text.endswith("E"):
        return "DecimalExponent"
    return "DecimalSI"


def _ceil_nano(v: Fraction) -> Fraction:
    scaled = v * 10**9
    if scaled.denominator != 1:
        scaled = Fraction(-((-scaled.numerator) // scaled.denominator))
    return scaled / 10**9


def render(value: Fraction, fmt: str = "DecimalSI") -> str:
    """The canonical text of an amount in a format."""
    value = _ceil_nano(Fraction(value))
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    v = abs(value)
    if fmt == "BinarySI" and v.denominator == 1 and v >= 1024:
        n, i = v.numerator, 0
        while i < len(_BIN) - 1 and n % 1024 == 0:
            n //= 1024
            i += 1
        return f"{sign}{n}{_BIN[i]}"
    exp = -9
    while exp < 18 and (v / Fraction(10) ** (exp + 3)).denominator == 1:
        exp += 3
    mant = v / Fraction(10) ** exp
    if fmt == "DecimalExponent":
        return f"{sign}{mant.numerator}" + (f"e{exp}" if exp else "")
    return f"{sign}{mant.numerator}{_DEC[exp]}"


def canonical(q) -> str:
    """A quantity string as the apiserver stores and prints it."""
    v = parse(q)
    if v is None:
        return str(q)
    return render(v, format_of(q))
