"""busybox >= 1.29 (`busybox`, `busybox:latest`, `busybox:1.36`): the new nslookup applet.

Why: its output and exit status differ from 1.28 in ways learners trip over (reference
dns-proxy.md 4b): own resolver, search only for names without a dot, one query per search domain
per type (A then AAAA) all sent at once, a block per reply, exit 1 if any reply was not NOERROR.
We print replies in the deterministic order: A replies per search domain, then AAAA replies.
"""
from __future__ import annotations

import ipaddress

from minikctl.images.base import base_tools, files
from minikctl.images.shell import make_sh
from minikctl.net.dns import records
from minikctl.net.dns.resolver import Dns, parse_resolv_conf

TYPES = {"a": "A", "aaaa": "AAAA", "cname": "CNAME", "mx": "MX", "ns": "NS", "ptr": "PTR", "soa": "SOA",
         "srv": "SRV", "txt": "TXT", "any": "ANY"}


def format_rr(rr) -> str:
    owner = str(rr.rname).rstrip(".")
    t = rr.rtype
    if t in (records.T_A, records.T_AAAA):
        return f"Name:\t{owner}\nAddress: {rr.rdata}\n"
    if t == records.T_CNAME:
        return f"{owner}\tcanonical name = {str(rr.rdata.label).rstrip('.')}\n"
    if t == records.T_PTR:
        return f"{owner}\tname = {str(rr.rdata.label).rstrip('.')}\n"
    if t == records.T_NS:
        return f"{owner}\tnameserver = {str(rr.rdata.label).rstrip('.')}\n"
    if t == records.T_SRV:
        d = rr.rdata
        return f"{owner}\tservice = {d.priority} {d.weight} {d.port} {str(d.target).rstrip('.')}\n"
    if t == records.T_TXT:
        return f"{owner}\ttext = \"{''.join(x.decode() for x in rr.rdata.data)}\"\n"
    if t == records.T_SOA:
        d = rr.rdata
        return (f"{owner}\n\torigin = {str(d.mname).rstrip('.')}\n\tmail addr = {str(d.rname).rstrip('.')}\n"
                f"\tserial = {d.times[0]}\n\trefresh = {d.times[1]}\n\tretry = {d.times[2]}\n"
                f"\texpire = {d.times[3]}\n\tminimum = {d.times[4]}\n")
    return f"{owner}\t{rr.rdata}\n"


def nslookup(ctx, argv):
    qtypes = ["A", "AAAA"]
    port = 53
    args = []
    for a in argv[1:]:
        if a.startswith(("-type=", "-query=", "-q=", "-t=")) and not a.startswith("-timeout"):
            t = TYPES.get(a.split("=", 1)[1].lower())
            if t is None:
                return "", f"nslookup: invalid query type '{a.split('=', 1)[1]}'\n", 1
            qtypes = [t]
        elif a.startswith("-port="):
            port = int(a.split("=", 1)[1])
        elif a.startswith("-"):
            continue
        else:
            args.append(a)
    if not args:
        return "", "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any\n", 1
    name = args[0]
    rc = parse_resolv_conf(files(ctx)["/etc/resolv.conf"])
    server = args[1] if len(args) > 1 else (rc.nameservers[0] if rc.nameservers else "127.0.0.1")
    queries: list[tuple[str, str]] = []
    try:
        ip = ipaddress.ip_address(name)
        queries = [(records.reverse_name(str(ip)).rstrip("."), "PTR")]
    except ValueError:
        if "." in name.rstrip(".") or not rc.search:
            names = [name.rstrip(".")]
        else:
            names = [f"{name}.{s}" for s in rc.search]
        queries = [(n, t) for t in qtypes for n in names]
    dns = Dns(ctx.view, ctx.pod)
    out = []
    code = 0
    header = False
    for qname, qt in queries:
        ans = dns.query(server, qname, qt) if port == 53 else None
        if ans is None:
            continue
        if not header:
            out.append(f"Server:\t\t{server}\nAddress:\t{server}:{port}\n\n")
            header = True
        if ans.rcode != records.NOERROR:
            out.append(f"** server can't find {qname}: {ans.rcode_name}\n\n")
            code = 1
            continue
        block = []
        if not ans.aa and ans.answer:
            block.append("Non-authoritative answer:\n")
        block += [format_rr(rr) for rr in ans.answer if rr.rtype in (records.qtype_int(qt), records.T_CNAME)
                  or qt == "ANY"]
        out.append("".join(block) + "\n")
    if not header:
        return ";; connection timed out; no servers could be reached\n\n", "", 1
    return "".join(out), "", code


def tools() -> dict:
    t = base_tools("busybox")
    t["sh"] = make_sh("ash")
    t["nslookup"] = nslookup
    return t
