"""tar: create (-c) and extract (-x) and list (-t) over the container's files, as `kubectl cp`
drives it (`tar cf - PATH` / `tar xmf - -C DIR`).

The archive travels as text inside the simulation: a POSIX ustar stream would need bytes, so the
stream is a JSON document of paths, contents and modes (what kubectl cp carries is the same
information); `tar tvf` lists it in GNU/busybox format.
"""
from __future__ import annotations

import json

from minikctl.images.applets.common import fs, path

MAGIC = "minikctl-tar/1\n"


def _walk(f, p: str, name: str, out: list):
    if f.kind(p) == "dir":
        out.append({"name": name.rstrip("/") + "/", "dir": True})
        for n in f.listdir(p) or []:
            _walk(f, p.rstrip("/") + "/" + n, name.rstrip("/") + "/" + n, out)
    else:
        out.append({"name": name, "data": f.read(p) or "", "exec": f.executable(p)})


def tar(ctx, argv, style):
    args = argv[1:]
    if args and not args[0].startswith("-"):
        args = ["-" + args[0]] + args[1:]
    mode, archive, cdir, names, verbose = None, None, None, [], False
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-C" and i + 1 < len(args):
            cdir = args[i + 1]
            i += 2
            continue
        if a.startswith("-") and len(a) > 1 and not a.startswith("--"):
            flags = a[1:]
            for k, ch in enumerate(flags):
                if ch in "cxt":
                    mode = ch
                elif ch == "v":
                    verbose = True
                elif ch == "f":
                    rest = flags[k + 1:]
                    if rest:
                        archive = rest
                    elif i + 1 < len(args):
                        archive = args[i + 1]
                        i += 1
                    break
        elif a.startswith("--"):
            pass
        else:
            names.append(a)
        i += 1
    f = fs(ctx)
    base = path(ctx, cdir) if cdir else ctx.cwd or "/"
    if mode is None:
        return "", ("tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\n"
                    "Try 'tar --help' or 'tar --usage' for more information.\n") if style == "gnu" else \
            "tar: need to specify one of -c, -t, -x\n", 2 if style == "gnu" else 1
    if mode == "c":
        entries, err, code = [], [], 0
        for n in names:
            p = path(type("C", (), {"cwd": base})(), n) if not n.startswith("/") else n
            if f.kind(p) is None:
                err.append(f"tar: {n}: Cannot stat: No such file or directory\n" if style == "gnu"
                           else f"tar: can't open '{n}': No such file or directory\n")
                code = 2 if style == "gnu" else 1
                continue
            _walk(f, p, n.lstrip("/") if style == "gnu" else n.lstrip("/"), entries)
        if style == "gnu" and any(n.startswith("/") for n in names):
            err.insert(0, "tar: Removing leading `/' from member names\n")
        if code and style == "gnu":
            err.append("tar: Exiting with failure status due to previous errors\n")
        data = MAGIC + json.dumps(entries)
        if archive not in (None, "-"):
            f.write(path(ctx, archive), data)
            data = ""
        listing = "".join(e["name"] + "\n" for e in entries) if verbose else ""
        return data, listing + "".join(err), code
    text = ctx.stdin if archive in (None, "-") else (f.read(path(ctx, archive)) or "")
    if not text.startswith(MAGIC):
        return "", "tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n" \
            if style == "gnu" else "tar: invalid tar magic\n", 2 if style == "gnu" else 1
    entries = json.loads(text[len(MAGIC):])
    if mode == "t":
        return "".join(e["name"] + "\n" for e in entries), "", 0
    err, code = [], 0
    for e in entries:
        p = base.rstrip("/") + "/" + e["name"].lstrip("/")
        why = f.mkdir(p.rstrip("/"), parents=True) if e.get("dir") else f.write(p, e["data"])
        if why == "ENOENT" and not e.get("dir"):
            f.mkdir(p.rsplit("/", 1)[0], parents=True)
            why = f.write(p, e["data"])
        if why:
            err.append(f"tar: {e['name']}: Cannot open: {why}\n")
            code = 2
        elif e.get("exec"):
            f.chmod_exec(p)
    return ("".join(e["name"] + "\n" for e in entries) if verbose else ""), "".join(err), code


TABLE = {"tar": tar}
