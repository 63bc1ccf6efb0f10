"""apt on a node, over the Kubernetes packages (sim/kubeadm/packages.py): `apt-get update`,
`apt-get install [-y] PKG[=VERSION]` (versions may be globs: kubeadm='1.33.1-*'), `apt-mark
hold|unhold|showhold`, `apt-cache madison|policy`, and `apt` as their front end. Texts are apt
2.4's (Ubuntu 22.04). Only pkgs.k8s.io's packages are modelled; others say so."""
from __future__ import annotations

import fnmatch

from minikctl.sim.kubeadm import packages as pk
from minikctl import lazy

fs_of = lazy.function("minikctl.images.fs", "fs_of")

CDN = "https://prod-cdn.packages.k8s.io/repositories/isv:/kubernetes:/core:/stable:/{minor}/deb"
SRC = "https://pkgs.k8s.io/core:/stable:/{minor}/deb"
OTHER_NOTE = "minikctl: packages other than kubeadm, kubelet, kubectl, cri-tools and kubernetes-cni are not simulated\n"


def _fs(ctx):
    return fs_of(ctx)


def _kb(n: int) -> str:
    """apt's sizes: `12.2 MB`, `68.5 MB`, `1,186 B`."""
    if n >= 1000:
        return f"{n / 1000:.1f} MB"
    return f"{n} kB"


def _available(ctx, package: str) -> list[tuple[str, str]]:
    """(version, minor) apt knows from its lists, newest first."""
    st = pk.state(ctx.view, ctx.node)
    out = []
    for minor in st["lists"]:
        out += [(v, minor) for v in pk.repo_versions(minor, package)]
    return sorted(out, key=lambda x: pk.version_key(x[0]), reverse=True)


# -- apt-get ------------------------------------------------------------------------------------
def apt_get(ctx, argv):
    args = [a for a in argv[1:] if not a.startswith("-")]
    opts = {a for a in argv[1:] if a.startswith("-")}
    if not args:
        return "apt 2.4.13 (amd64)\nUsage: apt-get [options] command\n", "", 0
    cmd = args[0]
    if cmd == "update":
        return _update(ctx)
    if cmd == "install":
        return _install(ctx, args[1:], opts)
    if cmd in ("remove", "purge", "upgrade", "dist-upgrade", "autoremove", "download", "source", "clean"):
        return "", f"minikctl: apt-get {cmd} is not simulated (update and install are)\n", 126
    return "", f"E: Invalid operation {cmd}\n", 100


def _update(ctx):
    st = pk.state(ctx.view, ctx.node)
    minors = pk.sources(_fs(ctx))
    out, n, fetched = [], 0, 0
    for minor in minors:
        n += 1
        if minor in st["lists"]:
            out.append(f"Hit:{n} {CDN.format(minor=minor)}  InRelease\n")
            continue
        size_rel = 1186
        size_pkgs = 4000 + 180 * len(pk.repo_versions(minor, "kubeadm"))
        out.append(f"Get:{n} {CDN.format(minor=minor)}  InRelease [{size_rel:,} B]\n")
        n += 1
        out.append(f"Get:{n} {CDN.format(minor=minor)}  Packages [{size_pkgs:,} B]\n")
        fetched += size_rel + size_pkgs
    if fetched:
        out.append(f"Fetched {fetched:,} B in 1s ({fetched:,} B/s)\n")
    st["lists"] = minors
    out.append("Reading package lists... Done\n")
    return "".join(out), "", 0


def _pick(ctx, spec: str):
    """'kubeadm=1.33.1-*' -> (package, version) or an apt error."""
    name, eq, want = spec.partition("=")
    if name not in pk.ALL:
        return None, f"E: Unable to locate package {name}\n"
    avail = _available(ctx, name)
    if not eq:
        if not avail:
            return None, f"E: Unable to locate package {name}\n"
        return (name, avail[0][0]), None
    for v, _ in avail:
        if fnmatch.fnmatchcase(v, want):
            return (name, v), None
    return None, f"E: Version '{want}' for '{name}' was not found\n"


def _install(ctx, specs, opts):
    yes = bool(opts & {"-y", "--yes", "--assume-yes", "-qy", "-yq"})
    if not specs:
        return ("Reading package lists... Done\nBuilding dependency tree... Done\nReading state information... Done\n"
                "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n"), "", 0
    st = pk.state(ctx.view, ctx.node)
    head = "Reading package lists... Done\nBuilding dependency tree... Done\nReading state information... Done\n"
    picks, errs = [], ""
    for s in specs:
        got, err = _pick(ctx, s)
        if err:
            errs += err
        else:
            picks.append(got)
    if errs:
        return head, errs, 100
    changes = [(p, v) for p, v in picks if st["installed"].get(p) != v]
    same = [(p, v) for p, v in picks if st["installed"].get(p) == v]
    out = head + "".join(f"{p} is already the newest version ({v}).\n" for p, v in same)
    if not changes:
        return out + "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n", "", 0
    held = [p for p, _ in changes if p in st["held"]]
    down = [p for p, v in changes if p in st["installed"] and pk.version_key(v) < pk.version_key(st["installed"][p])]
    up = [p for p, v in changes if p in st["installed"] and p not in down]
    new = [p for p, v in changes if p not in st["installed"]]
    if held:
        out += "The following held packages will be changed:\n  " + " ".join(sorted(held)) + "\n"
    if up:
        out += "The following packages will be upgraded:\n  " + " ".join(sorted(up)) + "\n"
    if down:
        out += "The following packages will be DOWNGRADED:\n  " + " ".join(sorted(down)) + "\n"
    if new:
        out += "The following NEW packages will be installed:\n  " + " ".join(sorted(new)) + "\n"
    out += (f"{len(up)} upgraded, {len(new)} newly installed, {len(down)} downgraded, 0 to remove and "
            f"{0} not upgraded.\n") if down else \
        f"{len(up)} upgraded, {len(new)} newly installed, 0 to remove and 0 not upgraded.\n"
    if held and "--allow-change-held-packages" not in opts:
        if not yes:
            return out + "Do you want to continue? [Y/n] Abort.\n", "", 1
        return out, "E: Held packages were changed and -y was used without --allow-change-held-packages.\n", 100
    if down and "--allow-downgrades" not in opts:
        return out, "E: Packages were downgraded and -y was used without --allow-downgrades.\n", 100
    d = pk.data()
    need = sum(d["deb_kb"].get(p, 10000) for p, _ in changes)
    out += f"Need to get {_kb(need)} of archives.\n"
    out += "After this operation, 0 B of additional disk space will be used.\n" if not new else \
        f"After this operation, {_kb(sum(d['installed_kb'].get(p, 50000) for p in new))} of additional disk space will be used.\n"
    for i, (p, v) in enumerate(changes, 1):
        minor = pk.minor_of(v)
        out += f"Get:{i} {CDN.format(minor=minor)}  {p} {v} [{_kb(d['deb_kb'].get(p, 10000))}]\n"
    out += f"Fetched {_kb(need)} in 1s ({_kb(need)}/s)\n"
    out += "(Reading database ... 72012 files and directories currently installed.)\n"
    for p, v in changes:
        old = st["installed"].get(p)
        out += f"Preparing to unpack .../{p}_{v}_amd64.deb ...\n"
        out += f"Unpacking {p} ({v}) over ({old}) ...\n" if old else f"Unpacking {p} ({v}) ...\n"
    for p, v in changes:
        out += f"Setting up {p} ({v}) ...\n"
        st["installed"][p] = v
    return out, "", 0


# -- apt-mark -----------------------------------------------------------------------------------
def apt_mark(ctx, argv):
    args = [a for a in argv[1:] if not a.startswith("-")]
    if not args:
        return "", "E: No command given\n", 100
    cmd, names = args[0], args[1:]
    st = pk.state(ctx.view, ctx.node)
    if cmd == "showhold":
        return "".join(f"{p}\n" for p in sorted(st["held"])), "", 0
    if cmd not in ("hold", "unhold"):
        return "", f"minikctl: apt-mark {cmd} is not simulated (hold, unhold and showhold are)\n", 126
    if not names:
        return "", "E: No packages found\n", 100
    out = ""
    for p in names:
        if p not in st["installed"]:
            return out, f"E: Unable to locate package {p}\n", 100
        if cmd == "hold":
            if p in st["held"]:
                out += f"{p} was already set on hold.\n"
            else:
                st["held"].append(p)
                out += f"{p} set on hold.\n"
        else:
            if p not in st["held"]:
                out += f"{p} was already not on hold.\n"
            else:
                st["held"].remove(p)
                out += f"Canceled hold on {p}.\n"
    st["held"].sort()
    return out, "", 0


# -- apt-cache ----------------------------------------------------------------------------------
def apt_cache(ctx, argv):
    args = [a for a in argv[1:] if not a.startswith("-")]
    if not args:
        return "", "E: No packages found\n", 100
    cmd, names = args[0], args[1:]
    if cmd == "madison":
        out = ""
        for p in names:
            if p not in pk.ALL:
                return out, f"N: Unable to locate package {p}\n", 0
            for v, minor in _available(ctx, p):
                out += f"{p:>10} | {v} | {SRC.format(minor=minor)}  Packages\n"
        return out, "", 0
    if cmd == "policy":
        st = pk.state(ctx.view, ctx.node)
        out = ""
        for p in names:
            if p not in pk.ALL:
                return out, f"N: Unable to locate package {p}\n", 0
            avail = _available(ctx, p)
            inst = st["installed"].get(p)
            out += f"{p}:\n  Installed: {inst or '(none)'}\n  Candidate: {avail[0][0] if avail else '(none)'}\n"
            out += "  Version table:\n"
            for v, minor in avail:
                mark = " *** " if v == inst else "     "
                out += f" {mark}{v} 500\n        500 {SRC.format(minor=minor)}  Packages\n"
                if v == inst:
                    out += "        100 /var/lib/dpkg/status\n"
        return out, "", 0
    return "", f"minikctl: apt-cache {cmd} is not simulated (madison and policy are)\n", 126


def apt(ctx, argv):
    """`apt`: apt-get's operations, with its warning that its CLI is not stable when piped."""
    warn = "\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n"
    sub = next((a for a in argv[1:] if not a.startswith("-")), "")
    if sub in ("update", "install"):
        out, err, code = apt_get(ctx, ["apt-get"] + argv[1:])
        return out, warn + err, code
    if sub in ("policy", "madison"):
        out, err, code = apt_cache(ctx, ["apt-cache"] + argv[1:])
        return out, warn + err, code
    return "", f"minikctl: apt {sub} is not simulated (update, install and policy are)\n", 126
