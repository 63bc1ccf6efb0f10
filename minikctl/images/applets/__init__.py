"""Applets per image, as the real image has them.

Why a table per family: `kubectl exec` must find exactly the commands the real image ships.
busybox images get busybox's applet list (minikctl/data/busybox_applets.txt, from `busybox
--list`), Debian-based images (nginx, httpd, debian, generic) GNU coreutils plus the base
system's tools. A command the image has and we simulate runs here (files.py, text.py,
system.py, archive.py); a command the image has and we do not simulate answers
`minikctl: NAME is not simulated` with status 126 (never a fake "not found"); a command the image
does not have keeps the shell's / containerd's real not-found messages.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from minikctl import lazy

make_sh = lazy.function("minikctl.images.shell", "make_sh")
nettools = lazy.module("minikctl.images.nettools")
archive = lazy.module("minikctl.images.applets.archive")
files = lazy.module("minikctl.images.applets.files")
mounts = lazy.module("minikctl.images.applets.mounts")
procs = lazy.module("minikctl.images.applets.procs")
system = lazy.module("minikctl.images.applets.system")
text = lazy.module("minikctl.images.applets.text")

COREUTILS = """[ arch b2sum base32 base64 basename basenc cat chcon chgrp chmod chown chroot cksum comm cp csplit cut
date dd df dir dircolors dirname du echo env expand expr factor false fmt fold groups head hostid id install join
link ln logname ls md5sum mkdir mkfifo mknod mktemp mv nice nl nohup nproc numfmt od paste pathchk pinky pr
printenv printf ptx pwd readlink realpath rm rmdir runcon seq sha1sum sha224sum sha256sum sha384sum sha512sum
shred shuf sleep sort split stat stdbuf stty sum sync tac tail tee test timeout touch tr true truncate tsort tty
uname unexpand uniq unlink users vdir wc who whoami yes""".split()
DEBIAN_BASE = """bash dash sh rbash grep egrep fgrep sed tar gzip gunzip zcat hostname mawk awk find xargs which
login su mount umount more getent ldd apt apt-get apt-cache dpkg dpkg-query perl tzselect zgrep uptime
mountpoint findmnt lsblk mkfifo kill""".split()
NEVER_STUB = {"sh", "ash", "bash", "dash", "rbash", "nslookup", "dig", "host", "wget", "curl", "ping", "ping6", "nc"}
SHELLS = {"ash": "ash", "bash": "bash", "dash": "dash", "rbash": "bash"}


@lru_cache(maxsize=1)
def busybox_names() -> tuple[str, ...]:
    p = Path(__file__).resolve().parent.parent.parent / "data" / "busybox_applets.txt"
    return tuple(p.read_text().split())


@lru_cache(maxsize=1)
def _simulated() -> dict:
    t = {}
    for mod in (files, text, system, archive, mounts, procs):
        t.update(mod.TABLE)
    return t


def _bind(fn, style):
    def tool(ctx, argv):
        return fn(ctx, argv, style)
    tool.__name__ = getattr(fn, "__name__", "applet")
    return tool


def _stub(ctx, argv):
    return "", f"minikctl: {argv[0].rsplit('/', 1)[-1]} is not simulated\n", 126


def _env_tool(image_env, applet, style):
    """The image's `env` (its ENV lines and the kubelet's variables) when run alone outside a
    shell; otherwise env's full behaviour (`env VAR=x CMD`) over the same environment."""
    def tool(ctx, argv):
        if len(argv) == 1 and getattr(ctx, "environ", None) is None:
            return image_env(ctx, argv)
        return applet(ctx, argv, style)
    return tool


def _busybox_based(family: str) -> bool:
    """busybox images, and Alpine (whose userland is busybox)."""
    return family.startswith("busybox") or family == "alpine"


def names_for(family: str) -> tuple[str, ...]:
    if _busybox_based(family):
        return busybox_names()
    if family == "dnsutils":
        return tuple(COREUTILS + DEBIAN_BASE)
    return tuple(COREUTILS + DEBIAN_BASE)


@lru_cache(maxsize=None)
def _applets_of(family: str) -> dict:
    """The family's command names bound to our applets or to honest stubs: the same for every
    container of the family, made once per process (merge copies it)."""
    style = "busybox" if _busybox_based(family) else "gnu"
    sim = _simulated()
    out = {}
    for name in names_for(family):
        if name in sim:
            out[name] = _bind(sim[name], style)
        elif name not in NEVER_STUB:
            out[name] = _stub
    return out


def merge(family: str, tools: dict) -> dict:
    """The family's own tools (nslookup, wget, the shell...) over our applets, over honest stubs."""
    style = "busybox" if _busybox_based(family) else "gnu"
    sim = _simulated()
    out = dict(_applets_of(family))
    for k, v in tools.items():
        if k == "env":
            out[k] = _env_tool(v, sim["env"], style)
            continue
        if k in out and k not in NEVER_STUB and k in sim:
            continue
        out[k] = v
    names = set(names_for(family))
    for name, dialect in SHELLS.items():
        if name in names and name not in out:
            out[name] = make_sh(dialect)
    if _busybox_based(family) and "nc" not in out:
        out["nc"] = nettools.nc
    return out


def node_tools(tools: dict) -> dict:
    """A node's (CentOS/Ubuntu host) commands: GNU coreutils over its files, then the node tools."""
    sim = _simulated()
    out = {n: _bind(sim[n], "gnu") for n in COREUTILS + DEBIAN_BASE if n in sim}
    out.update({k: v for k, v in tools.items() if k not in ("cat", "grep")})
    return out
