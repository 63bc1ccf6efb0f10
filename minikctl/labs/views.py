"""Computed views of a lab: tables and verdicts built from the answers the replay captured.

`answers` puts several nslookup answers side by side and says, record by record, what kind of
name each one is (IP-derived, the Service's own, a pod's own). `compare` sets an answer before a
pod replacement against the one after and says which names changed. Both read only parsed output
(answers.py), so they are true for whatever seed the cluster ran with.
"""
from __future__ import annotations

from math import factorial

from minikctl.labs.answers import Answer, diff_names
from minikctl.labs.messages import msg


def answers_table(answers: dict[str, Answer], lang: str) -> tuple[list[str], list[list[str]]]:
    """Headers = the queried names; rows = record count, each record, and what the names are."""
    cols = list(answers.values())
    headers = [""] + [a.query or "?" for a in cols]
    rows = [[msg("row_records", lang)] + [str(len(a.addresses)) for a in cols]]
    depth = max((len(a.addresses) for a in cols), default=0)
    for i in range(depth):
        row = [f"Address {i + 1}"]
        for a in cols:
            if i < len(a.addresses):
                ip, name = a.addresses[i]
                row.append(f"{ip}\n{a.short(name)}" if name else ip)
            else:
                row.append("")
        rows.append(row)
    kinds = []
    for a in cols:
        ks = sorted({a.kind_of(ip, n) for ip, n in a.addresses}) or ["none"]
        kinds.append("\n".join(msg(f"kind_{k}", lang) for k in ks))
    rows.append([msg("row_names", lang)] + kinds)
    return headers, rows


def compare_table(pairs: list[tuple[str, Answer, Answer]], lang: str) -> tuple[list[str], list[list[str]], list]:
    """Rows per pair (label, names before, names after, verdict) and one (sentence, changed) each."""
    headers = [msg("col_service", lang), msg("col_before", lang), msg("col_after", lang), msg("col_verdict", lang)]
    rows, verdicts = [], []
    for label, before, after in pairs:
        d = diff_names(before, after)
        n = len(before.names)
        short_b = sorted(n.split(".")[0] for n in before.names)
        cell_b = [f"{n.split('.')[0]}  {ip}" for ip, n in sorted(before.addresses, key=lambda a: a[1])]
        cell_a = [f"{n.split('.')[0]}  {ip}" for ip, n in sorted(after.addresses, key=lambda a: a[1])]
        if d.changed:
            verdict = msg("names_changed", lang, c=len(d.gone), n=n)
            sentence = msg("verdict_changed", lang, label=label, gone=", ".join(x.split(".")[0] for x in d.gone),
                           new=", ".join(x.split(".")[0] for x in d.new))
        else:
            verdict = msg("names_kept", lang, n=n)
            sentence = msg("verdict_kept", lang, label=label, names=", ".join(short_b))
        rows.append([label, "\n".join(cell_b), "\n".join(cell_a), verdict])
        verdicts.append((sentence, d.changed))
    return headers, rows, verdicts


def permutations(n: int) -> int:
    return factorial(max(n, 0))
