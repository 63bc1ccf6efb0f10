"""The `perl` of the perl images, for the one program Kubernetes' documentation runs with it: the
Job page's `perl -Mbignum=bpi -wle 'print bpi(2000)'`. The digits are computed (Machin's formula
in integers), rounded as Math::BigFloat rounds bpi(N) to N significant digits (half to even).
Any other perl program says, in one line, that perl is not simulated.
"""
from __future__ import annotations

import re

_PROGRAM = re.compile(r"^\s*print\s*\(?\s*bpi\s*\(\s*(\d+)\s*\)\s*\)?\s*;?\s*$")
MAX_DIGITS = 100_000          # beyond this a command would take seconds: not simulated


def _arctan_inv(x: int, unity: int) -> int:
    """arctan(1/x) * unity, by its Taylor series in integers."""
    total = term = unity // x
    x2, n, sign = x * x, 3, -1
    while term:
        term //= x2
        total += sign * (term // n)
        sign, n = -sign, n + 2
    return total


def pi_digits(n: int) -> str:
    """pi to n significant digits, rounded half to even: '3.1415...'."""
    guard = 12
    unity = 10 ** (n - 1 + guard)
    pi = 4 * (4 * _arctan_inv(5, unity) - _arctan_inv(239, unity))      # Machin
    q, r = divmod(pi, 10 ** guard)
    half = 10 ** guard // 2
    if r > half or (r == half and q % 2):
        q += 1
    s = str(q)
    return s[0] + ("." + s[1:] if n > 1 else "")


def _program(argv: list[str]) -> str | None:
    """The -e program of `perl [-Mbignum=bpi] -[w][l]e PROGRAM`, if bignum's bpi is loaded."""
    modules, program, i = set(), None, 1
    while i < len(argv):
        a = argv[i]
        if a.startswith("-M"):
            modules.add(a[2:].split("=", 1)[0])
            if "=" in a and "bpi" not in a.split("=", 1)[1].split(","):
                modules.discard("bignum")
        elif a.startswith("-") and "e" in a[1:] and set(a[1:]) <= set("wlsTe"):
            program = argv[i + 1] if i + 1 < len(argv) else ""
            i += 1
        elif a.startswith("-") and set(a[1:]) <= set("wlsT"):
            pass
        else:
            return None
        i += 1
    return program if "bignum" in modules else None


def perl(ctx, argv: list[str]) -> tuple[str, str, int]:
    program = _program(argv)
    m = _PROGRAM.match(program or "")
    if m and 0 < int(m.group(1)) <= MAX_DIGITS:
        newline = any(a.startswith("-") and "l" in a and not a.startswith("-M") for a in argv[1:])
        return pi_digits(int(m.group(1))) + ("\n" if newline else ""), "", 0
    return "", "minikctl: perl is not simulated (only the bignum bpi program of the Job documentation)\n", 1


def tools() -> dict:
    return {"perl": perl}
