"""tar: create (-c), extract (-x) and list (-t) real tar streams over the container's files, as
`kubectl cp` drives it (`tar cf - PATH` out of a container, `tar -xmf - -C DIR` into one) and as
a learner types it (`tar czf /tmp/etc.tgz /etc`, `tar tvf`).

Why real tar: kubectl unpacks what `tar cf -` prints with Go's archive/tar and packs what it sends
with it, so the stream must be POSIX ustar (GNU long names when needed), byte for byte; Python's
tarfile writes and reads exactly that. A simulated process's output is text, so bytes travel as
UTF-8 with surrogate escapes (`to_text` / `to_bytes`): file contents that are UTF-8 stay readable
text in the container, and anything else still round-trips unchanged.
"""
from __future__ import annotations

import io
import posixpath
import tarfile

from minikctl.images.applets.common import fs, path
import datetime
from minikctl import lazy

common = lazy.module("minikctl.images.applets.common")


def to_bytes(text: str) -> bytes:
    return (text or "").encode("utf-8", errors="surrogateescape")


def to_text(data: bytes) -> str:
    return data.decode("utf-8", errors="surrogateescape")


def _usage(style: str) -> tuple[str, str, int]:
    if style == "gnu":
        return "", ("tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\n"
                    "Try 'tar --help' or 'tar --usage' for more information.\n"), 2
    return "", "tar: need to specify one of -c, -t, -x\n", 1


def _parse(argv: list[str]):
    args = argv[1:]
    if args and not args[0].startswith("-"):
        args = ["-" + args[0]] + args[1:]
    o = {"mode": None, "archive": None, "cdir": None, "names": [], "verbose": False, "gzip": False,
         "stdout": False}
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-C" and i + 1 < len(args):
            o["cdir"] = args[i + 1]
            i += 2
            continue
        if a.startswith("--"):
            if a in ("--gzip", "--gunzip"):
                o["gzip"] = True
            elif a.startswith("--file="):
                o["archive"] = a.split("=", 1)[1]
            elif a.startswith("--directory="):
                o["cdir"] = a.split("=", 1)[1]
            elif a in ("--create", "--extract", "--list"):
                o["mode"] = {"--create": "c", "--extract": "x", "--list": "t"}[a]
        elif a.startswith("-") and len(a) > 1:
            flags = a[1:]
            for k, ch in enumerate(flags):
                if ch in "cxt":
                    o["mode"] = ch
                elif ch == "v":
                    o["verbose"] = True
                elif ch == "z":
                    o["gzip"] = True
                elif ch == "O":
                    o["stdout"] = True
                elif ch == "C":
                    rest = flags[k + 1:]
                    if rest:
                        o["cdir"] = rest
                    elif i + 1 < len(args):
                        o["cdir"] = args[i + 1]
                        i += 1
                    break
                elif ch == "f":
                    rest = flags[k + 1:]
                    if rest:
                        o["archive"] = rest
                    elif i + 1 < len(args):
                        o["archive"] = args[i + 1]
                        i += 1
                    break
        else:
            o["names"].append(a)
        i += 1
    return o


def _mtime(ctx) -> int:
    """Members are stamped with the cluster's clock (a view without one: the epoch)."""
    return int(getattr(getattr(ctx, "view", None), "now", None) or 0)


def _add(tf: tarfile.TarFile, f, p: str, name: str, mtime: int) -> None:
    info = tarfile.TarInfo(name)
    info.mtime, info.uname, info.gname = mtime, "root", "root"
    if f.kind(p) == "dir":
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        info.name = name.rstrip("/") + "/"
        tf.addfile(info)
        for n in sorted(f.listdir(p) or []):
            _add(tf, f, p.rstrip("/") + "/" + n, name.rstrip("/") + "/" + n, mtime)
        return
    data = to_bytes(f.read(p) or "")
    info.size, info.mode = len(data), 0o755 if f.executable(p) else 0o644
    tf.addfile(info, io.BytesIO(data))


def _listing(m: tarfile.TarInfo, verbose: bool, style: str) -> str:
    if not verbose:
        return m.name + "\n"
    kind = "d" if m.isdir() else ("l" if m.issym() else "-")
    perms = "".join(c if m.mode & (1 << (8 - i)) else "-" for i, c in enumerate("rwxrwxrwx"))
    t = datetime.datetime.fromtimestamp(m.mtime, datetime.timezone.utc)
    when = t.strftime("%Y-%m-%d %H:%M") + (t.strftime(":%S") if style != "gnu" else "")
    owner = f"{m.uname or m.uid}/{m.gname or m.gid}"
    width = 19 if style == "gnu" else 9
    return f"{kind}{perms} {owner} {m.size:>{max(1, width - len(owner))}} {when} {m.name}\n"


def tar(ctx, argv, style):
    o = _parse(argv)
    f = fs(ctx)
    base = path(ctx, o["cdir"]) if o["cdir"] else ctx.cwd or "/"
    mode, archive = o["mode"], o["archive"]
    if mode is None:
        return _usage(style)
    if mode == "c":
        if not o["names"]:
            return "", ("tar: Cowardly refusing to create an empty archive\nTry 'tar --help' or 'tar --usage' for "
                        "more information.\n") if style == "gnu" else "tar: empty archive\n", 2 if style == "gnu" else 1
        buf, err, code = io.BytesIO(), [], 0
        mtime = _mtime(ctx)
        with tarfile.open(fileobj=buf, mode="w:gz" if o["gzip"] else "w", format=tarfile.GNU_FORMAT) as tf:
            for n in o["names"]:
                p = n if n.startswith("/") else posixpath.normpath(posixpath.join(base, n))
                if f is None or f.kind(p) is None:
                    err.append(f"tar: {n}: Cannot stat: No such file or directory\n" if style == "gnu"
                               else f"tar: can't open '{n}': No such file or directory\n")
                    code = 2 if style == "gnu" else 1
                    continue
                _add(tf, f, p, n.lstrip("/") or ".", mtime)
        if any(n.startswith("/") for n in o["names"]):
            err.insert(0, "tar: Removing leading `/' from member names\n" if style == "gnu"
                       else "tar: removing leading '/' from member names\n")
        if code and style == "gnu":
            err.append("tar: Exiting with failure status due to previous errors\n")
        data = to_text(buf.getvalue())
        listing = ""
        if o["verbose"]:
            buf.seek(0)
            with tarfile.open(fileobj=buf, mode="r:*") as tf:
                listing = "".join(m.name + "\n" for m in tf.getmembers())
        if archive not in (None, "-"):
            why = f.write(path(ctx, archive), data)
            if why:
                return "", f"tar: {archive}: Cannot open: {why}\n", 2
            return listing, "".join(err), code
        return data, listing + "".join(err), code
    raw = to_bytes(ctx.stdin if archive in (None, "-") else ((f.read(path(ctx, archive)) if f else None) or ""))
    try:
        tf = tarfile.open(fileobj=io.BytesIO(raw), mode="r:*")
        members = tf.getmembers()
    except (tarfile.TarError, EOFError, OSError):
        if style == "gnu":
            return "", "tar: This does not look like a tar archive\ntar: Exiting with failure status due to " \
                       "previous errors\n", 2
        return "", ("tar: short read\n" if len(raw) < 512 else "tar: invalid tar magic\n"), 1
    if mode == "t":
        wanted = [n.rstrip("/") for n in o["names"]]
        return "".join(_listing(m, o["verbose"], style) for m in members
                       if not wanted or m.name.rstrip("/") in wanted), "", 0
    out, err, code = [], [], 0
    for m in members:
        name = posixpath.normpath(m.name.lstrip("/"))
        if name.startswith("..") or name == ".":
            if name != ".":
                err.append(f"tar: {m.name}: Member name contains '..'\n")
            continue
        if o["verbose"]:
            out.append(m.name + "\n")
        if o["stdout"]:
            if m.isfile():
                out.append(to_text(tf.extractfile(m).read()))
            continue
        p = base.rstrip("/") + "/" + name
        if m.isdir():
            why = f.mkdir(p, parents=True)
        elif m.isfile():
            data = to_text(tf.extractfile(m).read())
            why = f.write(p, data)
            if why == "ENOENT":
                f.mkdir(posixpath.dirname(p), parents=True)
                why = f.write(p, data)
            if not why and m.mode & 0o111:
                f.chmod_exec(p)
        else:
            err.append(f"minikctl: tar: {m.name}: links and special files are not simulated\n")
            continue
        if why and why != "EEXIST":
            err.append(f"tar: {m.name}: Cannot open: {common.ERRNO.get(why, why)}\n" if style == "gnu"
                       else f"tar: can't open '{name}': {common.ERRNO.get(why, why)}\n")
            code = 2 if style == "gnu" else 1
    if err and style == "gnu" and code:
        err.append("tar: Exiting with failure status due to previous errors\n")
    return "".join(out), "".join(err), code


TABLE = {"tar": tar}
