"""resource.Quantity as apimachinery parses, compares and prints it (exact arithmetic).

A PV's CAPACITY, a claim's requests and the binder's size comparisons all go through here, so
`1Gi` vs `1024Mi` compare equal and print as Go's Quantity.String() prints them: the canonical
form keeps the parsed format (binary Ki/Mi/Gi..., decimal k/M/G..., or exponent) and picks the
largest suffix that still gives an integer (`2048Mi` -> `2Gi`, `1500M` stays, `5000` -> `5k`).
"""
from __future__ import annotations

import re
from fractions import Fraction

FORMAT_ERROR = ("quantities must match the regular expression "
                "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
SUFFIX_ERROR = "unable to parse quantity's suffix"

_RE = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DEC_BY_EXP = {v: k for k, v in _DECIMAL.items()}
_BIN_BY_EXP = {v: k for k, v in _BINARY.items()}


class QuantityError(ValueError):
    pass


def parse(text) -> tuple[Fraction, str]:
    """'10Gi' -> (value in base units, format 'BinarySI' | 'DecimalSI' | 'DecimalExponent')."""
    if isinstance(text, bool):
        raise QuantityError(FORMAT_ERROR)
    if isinstance(text, (int, float)):
        text = repr(text) if isinstance(text, float) else str(text)
    s = str(text).strip()
    m = _RE.match(s)
    if not m or s.count(".") > 1 or m.group(1) in (".", "+.", "-.", "+", "-"):
        raise QuantityError(FORMAT_ERROR)
    num, suf = m.group(1), m.group(2)
    try:
        value = Fraction(num)
    except (ValueError, ZeroDivisionError):
        raise QuantityError(FORMAT_ERROR) from None
    if suf in _BINARY:
        return value * (1 << _BINARY[suf]), "BinarySI"
    if suf in _DECIMAL:
        return value * Fraction(10) ** _DECIMAL[suf], "DecimalSI"
    em = re.fullmatch(r"[eE]([-+]?[0-9]+)", suf)
    if em:
        return value * Fraction(10) ** int(em.group(1)), "DecimalExponent"
    raise QuantityError(SUFFIX_ERROR)


def value(text) -> Fraction:
    return parse(text)[0]


def valid(text) -> bool:
    try:
        parse(text)
        return True
    except QuantityError:
        return False


def canonical(text) -> str:
    """Quantity.String() of a parsed quantity; unparsable text is returned as is."""
    try:
        v, fmt = parse(text)
    except QuantityError:
        return str(text)
    return format_value(v, fmt)


def format_value(v: Fraction, fmt: str = "BinarySI") -> str:
    if v == 0:
        return "0"
    sign = "-" if v < 0 else ""
    a = abs(v)
    if fmt == "BinarySI" and (a < 1024 or a.denominator != 1):
        fmt = "DecimalSI"  # small or fractional binary amounts print in decimal
    if fmt == "BinarySI":
        n, exp = int(a), 0
        while exp < 60 and n % 1024 == 0 and n:
            n //= 1024
            exp += 10
        return f"{sign}{n}{_BIN_BY_EXP.get(exp, '')}"
    # decimal: the smallest exponent (multiple of 3, from -9) that keeps an integer mantissa,
    # then the largest one that still does
    exp = -9
    while exp < 18 and (a * Fraction(10) ** -exp).denominator != 1:
        exp += 3
    mant = a * Fraction(10) ** -exp
    if mant.denominator != 1:  # finer than nano: Go rounds up to the nano
        mant = Fraction(-(-mant.numerator // mant.denominator))
    n = int(mant)
    while exp < 18 and n and n % 1000 == 0:
        n //= 1000
        exp += 3
    if fmt == "DecimalExponent":
        return f"{sign}{n}" + (f"e{exp}" if exp else "")
    return f"{sign}{n}{_DEC_BY_EXP[exp]}"
