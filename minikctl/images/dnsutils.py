"""The dnsutils test image (registry.k8s.io/e2e-test-images/jessie-dnsutils): BIND 9.9.5 tools.

Why: the Kubernetes DNS-debugging page tells learners to run this image; its `nslookup`, `dig`
and `host` print BIND's formats (reference dns-proxy.md 4c; dig record lines use BIND's
masterdump column rule: ttl/class/type/rdata columns 24/32/40/48, tab width 8).
"""
from __future__ import annotations

import ipaddress
import time

from minikctl.images.base import base_tools, files
from minikctl.images.shell import make_sh
from minikctl.net.dns import records
from minikctl.net.dns.resolver import Dns, parse_resolv_conf, search_candidates
import hashlib

DIG_VERSION = "9.9.5-9+deb8u19-Debian"
DEBIAN_ROOT = ["bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc", "root", "run",
               "sbin", "srv", "sys", "tmp", "usr", "var"]


def _indent(col: int, to: int) -> tuple[str, int]:
    """BIND masterdump indent(): tabs then spaces from column `col` to `to` (at least one)."""
    if to < col + 1:
        to = col + 1
    ntabs = max(0, to // 8 - col // 8)
    s = "\t" * ntabs
    frm = (to // 8) * 8 if ntabs else col
    return s + " " * (to - frm), to


def rdata_text(rr) -> str:
    t = rr.rtype
    d = rr.rdata
    if t in (records.T_CNAME, records.T_PTR, records.T_NS):
        return str(d.label)
    if t == records.T_SRV:
        return f"{d.priority} {d.weight} {d.port} {d.target}"
    if t == records.T_SOA:
        return f"{d.mname} {d.rname} " + " ".join(str(x) for x in d.times)
    if t == records.T_TXT:
        return " ".join('"' + x.decode() + '"' for x in d.data)
    return str(d)


def rr_line(rr) -> str:
    owner = str(rr.rname)
    out, col = owner, len(owner)
    for value, to in ((str(rr.ttl), 24), ("IN", 32), (records.qtype_name(rr.rtype), 40), (rdata_text(rr), 48)):
        pad, col = _indent(col, to)
        out += pad + value
        col += len(value)
    return out


def question_line(qname: str, qtype: str) -> str:
    out, col = qname, len(qname)
    for value, to in (("IN", 32), (qtype, 40)):
        pad, col = _indent(col, to)
        out += pad + value
        col += len(value)
    return ";" + out


def _rc(ctx):
    return parse_resolv_conf(files(ctx)["/etc/resolv.conf"])


def _fqdn(n: str) -> str:
    return n if n.endswith(".") else n + "."


def _walk(dns, servers, rc, name, qtype):
    """BIND nslookup/host search: next suffix on NXDOMAIN only. -> (server, qname, answer)."""
    last = (None, name, None)
    for cand in search_candidates(name, rc.search, rc.ndots):
        server, ans = dns.first_answer(servers, cand, qtype)
        if ans is None:
            return None, cand, None
        last = (server, cand, ans)
        if ans.rcode != records.NXDOMAIN:
            return last
    return last


def nslookup(ctx, argv):
    qtype = "A"
    args = []
    for a in argv[1:]:
        if a.startswith(("-type=", "-query=", "-q=", "-t=")):
            qtype = a.split("=", 1)[1].upper()
        elif not a.startswith("-"):
            args.append(a)
    if not args:
        return "", "", 1     # interactive mode is not simulated
    name = args[0]
    rc = _rc(ctx)
    servers = [args[1]] if len(args) > 1 else rc.nameservers
    dns = Dns(ctx.view, ctx.pod)
    try:
        ip = ipaddress.ip_address(name)
        server, ans = dns.first_answer(servers, records.reverse_name(str(ip)), "PTR")
        if ans is None:
            return ";; connection timed out; no servers could be reached\n\n", "", 1
        if ans.rcode != records.NOERROR:
            return (f"Server:\t\t{server}\nAddress:\t{server}#53\n\n"
                    f"** server can't find {records.reverse_name(str(ip)).rstrip('.')}: {ans.rcode_name}\n\n"), "", 1
        body = "".join(f"{str(rr.rname).rstrip('.')}\tname = {rr.rdata.label}\n" for rr in ans.records(records.T_PTR))
        return f"Server:\t\t{server}\nAddress:\t{server}#53\n\n" + body + "\n", "", 0
    except ValueError:
        pass
    server, qname, ans = _walk(dns, servers, rc, name, qtype)
    if ans is None:
        return ";; connection timed out; no servers could be reached\n\n", "", 1
    head = f"Server:\t\t{server}\nAddress:\t{server}#53\n\n"
    if ans.rcode != records.NOERROR:
        return head + f"** server can't find {name}: {ans.rcode_name}\n\n", "", 1
    if not ans.answer:
        return head + f"*** Can't find {name}: No answer\n\n", "", 0
    body = "Non-authoritative answer:\n" if not ans.aa else ""
    for rr in ans.answer:
        owner = str(rr.rname).rstrip(".")
        if rr.rtype in (records.T_A, records.T_AAAA):
            body += f"Name:\t{owner}\nAddress: {rr.rdata}\n"
        elif rr.rtype == records.T_CNAME:
            body += f"{owner}\tcanonical name = {rr.rdata.label}\n"
        elif rr.rtype == records.T_SRV:
            d = rr.rdata
            body += f"{owner}\tservice = {d.priority} {d.weight} {d.port} {d.target}\n"
        elif rr.rtype == records.T_PTR:
            body += f"{owner}\tname = {rr.rdata.label}\n"
        elif rr.rtype == records.T_TXT:
            body += f"{owner}\ttext = {rdata_text(rr)}\n"
    return head + body + "\n", "", 0


def host(ctx, argv):
    args = [a for a in argv[1:] if not a.startswith("-")]
    qtype = None
    if "-t" in argv:
        i = argv.index("-t")
        qtype = argv[i + 1].upper() if i + 1 < len(argv) else None
        args = [a for a in args if a != argv[i + 1]]
    if not args:
        return "", "Usage: host [-aCdlriTwv] [-c class] [-N ndots] [-t type] [-W time]\n", 1
    name = args[0]
    rc = _rc(ctx)
    servers = [args[1]] if len(args) > 1 else rc.nameservers
    dns = Dns(ctx.view, ctx.pod)
    timeout = ";; connection timed out; no servers could be reached\n"
    using = (f"Using domain server:\nName: {args[1]}\nAddress: {args[1]}#53\nAliases: \n\n"
             if len(args) > 1 else "")
    if any(a.startswith("-") and "v" in a for a in argv[1:]):
        return _host_verbose(ctx, dns, servers, rc, name, qtype, using)
    out, err, code = _host_short(ctx, dns, servers, rc, name, qtype, timeout)
    return (using + out if out != timeout else out), err, code


def _host_block(ctx, qname: str, qtype: str, ans, server: str) -> str:
    """One reply as `host -v` prints it (dig's sections without EDNS, the size without OPT)."""
    qid = int.from_bytes(hashlib.sha256(f"{qname}{qtype}{ctx.view.now}".encode()).digest()[:2], "big")
    lines = [f";; ->>HEADER<<- opcode: QUERY, status: {ans.rcode_name}, id: {qid}",
             f";; flags: {ans.flags}; QUERY: 1, ANSWER: {len(ans.answer)}, AUTHORITY: {len(ans.authority)}, "
             f"ADDITIONAL: {len(ans.additional)}", "", ";; QUESTION SECTION:", question_line(qname, qtype)]
    for title, sect in (("ANSWER", ans.answer), ("AUTHORITY", ans.authority), ("ADDITIONAL", ans.additional)):
        if sect:
            lines += ["", f";; {title} SECTION:"] + [rr_line(rr) for rr in sect]
    wire = len(records.to_message(ans, qname, qtype).pack())
    return "\n".join(lines) + f"\n\nReceived {wire} bytes from {server}#53 in 0 ms\n"


def _host_verbose(ctx, dns, servers, rc, name, qtype, using):
    """host -v: for each query (A, AAAA, MX, or -t's), `Trying "NAME"` and the whole reply."""
    out = []
    first = True
    for qt in [qtype] if qtype else ["A", "AAAA", "MX"]:
        for cand in search_candidates(name, rc.search, rc.ndots):
            server, ans = dns.first_answer(servers, _fqdn(cand), qt)
            out.append(f'Trying "{cand.rstrip(".")}"\n' + (using if first else ""))
            first = False
            if ans is None:
                return "".join(out) + ";; connection timed out; no servers could be reached\n", "", 1
            if ans.rcode == records.NXDOMAIN and cand == search_candidates(name, rc.search, rc.ndots)[-1]:
                wire = len(records.to_message(ans, _fqdn(cand), qt).pack())
                out.append(f"Host {name} not found: {ans.rcode}({ans.rcode_name})\n"
                           f"Received {wire} bytes from {server}#53 in 0 ms\n")
                return "".join(out), "", 1
            out.append(_host_block(ctx, _fqdn(cand), qt, ans, server))
            if ans.rcode != records.NXDOMAIN:
                break
    return "".join(out), "", 0


def _host_short(ctx, dns, servers, rc, name, qtype, timeout):
    try:
        ip = ipaddress.ip_address(name)
        _s, ans = dns.first_answer(servers, records.reverse_name(str(ip)), "PTR")
        if ans is None:
            return timeout, "", 1
        if ans.rcode != records.NOERROR:
            return f"Host {records.reverse_name(str(ip)).rstrip('.')} not found: {ans.rcode}({ans.rcode_name})\n", "", 1
        return "".join(f"{str(rr.rname).rstrip('.')} domain name pointer {rr.rdata.label}\n"
                       for rr in ans.records(records.T_PTR)), "", 0
    except ValueError:
        pass
    out = []
    for i, qt in enumerate([qtype] if qtype else ["A", "AAAA", "MX"]):
        server, qname, ans = _walk(dns, servers, rc, name, qt)
        if ans is None:
            return timeout, "", 1
        if ans.rcode != records.NOERROR:
            if i == 0:
                return f"Host {name} not found: {ans.rcode}({ans.rcode_name})\n", "", 1
            continue
        for rr in ans.answer:
            owner = str(rr.rname).rstrip(".")
            if rr.rtype == records.T_CNAME and i == 0:
                out.append(f"{owner} is an alias for {rr.rdata.label}\n")
            elif rr.rtype == records.T_A:
                out.append(f"{owner} has address {rr.rdata}\n")
            elif rr.rtype == records.T_AAAA:
                out.append(f"{owner} has IPv6 address {rr.rdata}\n")
            elif rr.rtype == records.T_SRV:
                d = rr.rdata
                out.append(f"{owner} has SRV record {d.priority} {d.weight} {d.port} {d.target}\n")
    return "".join(out), "", 0


def dig(ctx, argv):
    rc = _rc(ctx)
    server = None
    qtype = "A"
    name = None
    opts = {"cmd": True, "comments": True, "question": True, "answer": True, "authority": True,
            "additional": True, "stats": True, "short": False, "search": False}
    reverse = False
    words = argv[1:]
    i = 0
    while i < len(words):
        a = words[i]
        if a.startswith("@"):
            server = a[1:]
        elif a.startswith("+"):
            key = a[1:].split("=")[0]
            val = not key.startswith("no")
            key = key[2:] if key.startswith("no") else key
            if key == "all":
                for k in ("cmd", "comments", "question", "answer", "authority", "additional", "stats"):
                    opts[k] = val
            elif key in opts:
                opts[key] = val
        elif a == "-x" and i + 1 < len(words):
            reverse = True
            name = records.reverse_name(words[i + 1])
            qtype = "PTR"
            i += 1
        elif a == "-t" and i + 1 < len(words):
            qtype = words[i + 1].upper()
            i += 1
        elif a.upper() in ("A", "AAAA", "SRV", "PTR", "CNAME", "TXT", "SOA", "NS", "MX", "ANY"):
            qtype = a.upper()
        elif a.upper() == "IN":
            pass
        elif name is None:
            name = a
        i += 1
    if name is None:
        name, qtype = ".", "NS"
    servers = [server] if server else rc.nameservers
    dns = Dns(ctx.view, ctx.pod)
    qname = _fqdn(name)
    if opts["search"] and not reverse:
        _s, cand, _a = _walk(dns, servers, rc, name, qtype)
        qname = _fqdn(cand)
    used, ans = dns.first_answer(servers, qname, qtype)
    lines = []
    if opts["cmd"] and not opts["short"]:
        lines += ["", f"; <<>> DiG {DIG_VERSION} <<>> " + " ".join(argv[1:])]
        if server:
            lines.append("; (1 server found)")
        lines.append(";; global options: +cmd")
    if ans is None:
        lines.append(";; connection timed out; no servers could be reached")
        return "\n".join(lines) + "\n", "", 9
    if opts["short"]:
        return "".join(rdata_text(rr) + "\n" for rr in ans.answer), "", 0
    wire = len(records.to_message(ans, qname, qtype, udp_len=4096).pack())
    qid = ctx.view.rng.randrange(65536)
    if opts["comments"]:
        lines += [";; Got answer:",
                  f";; ->>HEADER<<- opcode: QUERY, status: {ans.rcode_name}, id: {qid}",
                  f";; flags: {ans.flags}; QUERY: 1, ANSWER: {len(ans.answer)}, "
                  f"AUTHORITY: {len(ans.authority)}, ADDITIONAL: {len(ans.additional) + 1}"]
        if not ans.ra:
            lines.append(";; WARNING: recursion requested but not available")
        lines += ["", ";; OPT PSEUDOSECTION:", "; EDNS: version: 0, flags:; udp: 4096"]
    if opts["question"]:
        lines += [";; QUESTION SECTION:" if opts["comments"] else None, question_line(qname, qtype)]
    for key, title, sect in (("answer", "ANSWER", ans.answer), ("authority", "AUTHORITY", ans.authority),
                             ("additional", "ADDITIONAL", ans.additional)):
        if opts[key] and sect:
            lines += ["", f";; {title} SECTION:" if opts["comments"] else None] + [rr_line(rr) for rr in sect]
    if opts["stats"]:
        when = time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(ctx.view.now))
        lines += ["", f";; Query time: {ctx.view.rng.randrange(0, 3)} msec",
                  f";; SERVER: {used}#53({used})", f";; WHEN: {when}", f";; MSG SIZE  rcvd: {wire}", ""]
    return "\n".join(x for x in lines if x is not None) + "\n", "", 0


def tools() -> dict:
    t = base_tools("coreutils", None, DEBIAN_ROOT)
    t["sh"] = make_sh("dash")
    t.update({"nslookup": nslookup, "dig": dig, "host": host})
    return t
