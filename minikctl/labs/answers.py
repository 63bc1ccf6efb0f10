"""Read the nslookup answers a lab captured, and compare them.

Why parse the transcript: the lab's claims ("the order changed", "the Deployment's names changed,
the StatefulSet's stayed") must be about what the learner saw on screen, so they are computed from
the captured output of the very commands the lab printed, never typed into the narration.
busybox 1.28 prints `Name:      NAME` then `Address N: IP [REVERSE-NAME]`; newer busybox prints
`Name:\tNAME` / `Address: IP`. Both are read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

ADDR_RE = re.compile(r"^Address(?: \d+)?:\s+(\S+)(?:\s+(\S+))?\s*$")


@dataclass
class Answer:
    query: str = ""
    server: str = ""
    server_name: str = ""
    addresses: list = field(default_factory=list)   # [(ip, reverse name or "")]

    @property
    def ok(self) -> bool:
        return bool(self.addresses)

    @property
    def ips(self) -> list[str]:
        return [ip for ip, _ in self.addresses]

    @property
    def names(self) -> list[str]:
        return [n for _, n in self.addresses]

    @property
    def domain(self) -> str:
        """The cluster domain, read off the server's own name (kube-dns.kube-system.svc.DOMAIN)."""
        _, sep, dom = self.server_name.partition(".svc.")
        return dom if sep else "cluster.local"

    def short(self, name: str) -> str:
        """A reverse name without `.svc.<domain>` (fits a side-by-side table)."""
        suffix = f".svc.{self.domain}"
        return name[: -len(suffix)] if name.endswith(suffix) else name

    def kind_of(self, ip: str, name: str) -> str:
        """What a record's name says about where it comes from."""
        if not name:
            return "address"
        first = name.split(".", 1)[0]
        if first == ip.replace(".", "-").replace(":", "-"):
            return "ip-derived"
        if first == self.query.split(".", 1)[0] and len(self.addresses) == 1 and "." not in self.query:
            return "service"
        return "pod-name"


def parse_nslookup(text: str) -> Answer:
    a = Answer()
    in_answer = False
    for line in text.splitlines():
        if line.startswith("Server:"):
            a.server = line.split(None, 1)[1].strip() if len(line.split()) > 1 else ""
            continue
        if line.startswith("Name:"):
            in_answer = True
            a.query = line.split(None, 1)[1].strip() if len(line.split()) > 1 else ""
            continue
        m = ADDR_RE.match(line)
        if not m:
            continue
        if in_answer:
            a.addresses.append((m.group(1), m.group(2) or ""))
        elif not a.server_name:
            a.server_name = m.group(2) or ""
    return a


def order_changed(first: Answer, second: Answer) -> bool:
    """Same records, another order: what CoreDNS's loadbalance plugin does between queries."""
    return sorted(first.addresses) == sorted(second.addresses) and first.addresses != second.addresses


@dataclass
class NameDiff:
    kept: list
    gone: list
    new: list

    @property
    def changed(self) -> bool:
        return bool(self.gone or self.new)


def diff_names(before: Answer, after: Answer) -> NameDiff:
    """Which per-pod DNS names survived a pod replacement, in the order first seen."""
    b, a = before.names, after.names
    return NameDiff(kept=sorted(n for n in b if n in a), gone=sorted(n for n in b if n not in a),
                    new=sorted(n for n in a if n not in b))
