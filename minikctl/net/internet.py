"""The simulated Internet: which public names exist, their addresses, and the page a web server
out there sends back.

Why its own module: the cluster's upstream resolver (net/dns/records.forward, which CoreDNS's
`forward . /etc/resolv.conf` reaches), the nodes' container runtime resolving a registry host
(sim/registry.py) and a pod's wget/curl to example.com (net/proxy/traffic.py) must agree on one
Internet. The knowledge is data (minikctl/data/internet.yaml); this module only derives:

* a listed name (or any name under a listed zone) has one A record, an address derived from the
  name's sha256 inside the declared range (198.18.0.0/15, reserved for benchmarking, so it can
  never be mistaken for a real host); an alias is a CNAME to its target;
* a reserved TLD (.invalid, .test, .example, .local ...) or an unlisted name is NXDOMAIN;
* an HTTP request to such an address gets a short page that says it is simulated.
"""
from __future__ import annotations

import hashlib
import ipaddress
from functools import lru_cache
from pathlib import Path
from minikctl import lazy

yaml = lazy.module("yaml")

DATA = Path(__file__).resolve().parent.parent / "data" / "internet.yaml"


@lru_cache(maxsize=1)
def _data() -> dict:
    d = yaml.safe_load(DATA.read_text())
    d["_names"] = {n.lower() for n in d.get("names") or []}
    d["_aliases"] = {k.lower(): v.lower() for k, v in (d.get("aliases") or {}).items()}
    d["_net"] = ipaddress.ip_network(d.get("range", "198.18.0.0/15"))
    return d


def _clean(name: str) -> str:
    return name.lower().rstrip(".")


def address_of(name: str) -> str:
    """The stable address of a public name: sha256(name) into the declared range, skipping the
    range's network and broadcast addresses and any .0 / .255 (they look wrong to people)."""
    net = _data()["_net"]
    size = net.num_addresses
    h = int(hashlib.sha256(_clean(name).encode()).hexdigest(), 16)
    for i in range(64):
        ip = net.network_address + ((h + i * 7919) % size)
        if not str(ip).endswith((".0", ".255")):
            return str(ip)
    return str(net.network_address + 1)


def exists(name: str) -> bool:
    return record(name) is not None


def record(name: str) -> dict | None:
    """The upstream record of a name, in the profile's `upstream.records` shape ({"A": [ip]} or
    {"CNAME": target}); None for NXDOMAIN."""
    d = _data()
    n = _clean(name)
    if not n or n.rsplit(".", 1)[-1] in (d.get("reserved_tlds") or []):
        return None
    if n in d["_aliases"]:
        return {"CNAME": d["_aliases"][n], "ttl": d.get("ttl", 300)}
    if n in d["_names"] or any(n.endswith("." + z) for z in d.get("zones") or []):
        return {"A": [address_of(n)], "ttl": d.get("ttl", 300)}
    return None


def names_at(ip: str) -> list[str]:
    """The public names whose address is ip (for a web server that knows which Hosts it serves)."""
    d = _data()
    try:
        if ipaddress.ip_address(ip) not in d["_net"]:
            return []
    except ValueError:
        return []
    names = sorted(n for n in d["_names"] if address_of(n) == ip)
    return names + sorted(a for a, t in d["_aliases"].items() if t in names)


def in_range(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip) in _data()["_net"]
    except ValueError:
        return False


def page(host: str, path: str = "/") -> str:
    """The page a public web server sends: a real-looking HTML document whose text says plainly
    that minikctl simulated it (nothing was fetched from the Internet)."""
    host = _clean(host.split(":")[0])
    return ("<!doctype html>\n<html>\n<head>\n"
            f"    <title>{host}</title>\n"
            '    <meta charset="utf-8" />\n'
            "</head>\n\n<body>\n<div>\n"
            f"    <h1>{host}</h1>\n"
            f"    <p>minikctl: this is a simulated page for http://{host}{path}. The Internet is not "
            "simulated beyond this page: no request left this machine.</p>\n"
            "</div>\n</body>\n</html>\n")
