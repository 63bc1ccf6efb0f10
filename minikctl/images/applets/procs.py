"""A container's processes and the node's memory and load, and the applets that show them:
busybox `ps` (its DESKTOP build: -o fields with their widths, default pid,user,time,args as the
busybox image's FEATURE_PS_TIME build prints), GNU procps `ps` (nodes), busybox `top -b`, `free`
and `uptime`.

The processes are what the container runs: its main process as PID 1 (the image's ENTRYPOINT and
CMD after the pod's overrides, images/behaviours), then the command `kubectl exec` started.
Memory and load are the node's (a container reads the host's /proc/meminfo and /proc/loadavg):
its capacity, and sim/metrics' usage. Layouts follow busybox's procps/ps.c, top.c, free.c and
uptime.c; tests/test_applet_layouts.py compares them with recorded real output.
"""
from __future__ import annotations

import time as _time
from dataclasses import dataclass
from minikctl import lazy

bb_human = lazy.function("minikctl.images.applets.mounts", "bb_human")
behaviours = lazy.module("minikctl.images.behaviours")
metrics = lazy.module("minikctl.sim.metrics")
node_memory_kib = lazy.function("minikctl.images.applets.mounts", "node_memory_kib")
timeutil = lazy.module("minikctl.timeutil")

VSZ = {"nginx": 11404, "sh": 4400, "ash": 4400, "bash": 4364, "sleep": 4400, "pause": 1020, "agnhost": 743536,
       "redis-server": 53464, "postgres": 219708, "mysqld": 1765568}


@dataclass
class Proc:
    pid: int
    ppid: int
    args: str
    stat: str = "S"
    user: str = "root"
    started: float = 0.0

    @property
    def comm(self) -> str:
        first = self.args.split(" ", 1)[0]
        if first.startswith("nginx:"):
            return "nginx"
        return first.rsplit("/", 1)[-1][:15]

    @property
    def vsz(self) -> int:
        return VSZ.get(self.comm, 4400)


def _container(ctx) -> dict:
    pod = ctx.pod or {}
    cs = (pod.get("spec") or {}).get("containers") or [{}]
    return next((c for c in cs if c.get("name") == ctx.container), cs[0])


def _started(ctx) -> float:
    for cs in ((ctx.pod or {}).get("status") or {}).get("containerStatuses") or []:
        if cs.get("name") == _container(ctx).get("name"):
            t = timeutil.parse(((cs.get("state") or {}).get("running") or {}).get("startedAt"))
            if t is not None:
                return t
    return float(getattr(ctx.view, "now", 0.0))


def processes(ctx, argv: list[str]) -> list[Proc]:
    c = _container(ctx)
    main = " ".join(behaviours.process(c).argv) or "sh"
    if main.split(" ", 1)[0].rsplit("/", 1)[-1] == "nginx" or main.startswith("/docker-entrypoint.sh nginx"):
        main = "nginx: master process nginx -g daemon off;"
    return [Proc(1, 0, main, "S", started=_started(ctx)),
            Proc(7, 0, " ".join(argv), "R", started=float(getattr(ctx.view, "now", 0.0)))]


def format_time(secs: int) -> str:
    """busybox's 5-character TIME / ELAPSED: mm:ss, then hhHmm, then ddDhh."""
    mins, s = divmod(max(0, int(secs)), 60)
    if mins < 60:
        return f"{mins:2d}:{s:02d}"
    hours, m = divmod(mins, 60)
    if hours < 24:
        return f"{hours:2d}h{m:02d}"
    days, h = divmod(hours, 24)
    return f"{days:2d}d{h:02d}" if days < 100 else f"{days:4d}d"


# busybox ps -o: name -> (width, header, value)
def _fields(now: float):
    return {
        "user": (8, "USER", lambda p: p.user), "group": (8, "GROUP", lambda p: "root"),
        "comm": (16, "COMMAND", lambda p: p.comm), "args": (0, "COMMAND", lambda p: p.args),
        "pid": (5, "PID", lambda p: f"{p.pid:5d}"), "ppid": (5, "PPID", lambda p: f"{p.ppid:5d}"),
        "pgid": (5, "PGID", lambda p: f"{p.pid:5d}"),
        "etime": (7, "ELAPSED", lambda p: format_time(now - p.started)),
        "nice": (5, "NI", lambda p: f"{0:5d}"), "rgroup": (8, "RGROUP", lambda p: "root"),
        "ruser": (8, "RUSER", lambda p: p.user), "time": (5, "TIME", lambda p: format_time(0)),
        "tty": (6, "TT", lambda p: "?"), "vsz": (4, "VSZ", lambda p: str(p.vsz)),
        "sid": (5, "SID", lambda p: f"{p.pid:5d}"), "stat": (4, "STAT", lambda p: p.stat),
        "rss": (4, "RSS", lambda p: str(p.vsz // 4)),
    }


ORDER = "user,group,comm,args,pid,ppid,pgid,etime,nice,rgroup,ruser,time,tty,vsz,sid,stat,rss"


def ps(ctx, argv, style):
    procs = processes(ctx, argv)
    if style != "busybox":
        return ("    PID TTY          TIME CMD\n" + "".join(
            f"{p.pid:7d} ?        00:00:00 {p.comm}\n" for p in procs)), "", 0
    now = float(getattr(ctx.view, "now", 0.0))
    fields = _fields(now)
    specs = []
    args = argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-o" or (a.startswith("-o") and len(a) > 2):
            val = args[i + 1] if a == "-o" and i + 1 < len(args) else a[2:]
            i += 1 if a == "-o" else 0
            for part in val.split(","):
                name, _, header = part.partition("=")
                if name.strip() not in fields:
                    return "", (f"ps: bad -o argument '{name}', supported arguments: "
                                f"{ORDER}\n"), 1
                w, h, f = fields[name.strip()]
                if "=" in part:
                    h = header
                    w = max(w, len(header)) if header else w
                specs.append((w, h, f))
        elif a.startswith("-") and set(a[1:]) <= set("ZaAdeflT"):
            pass
        else:
            return "", ("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\n"
                        "Usage: ps [-o COL1,COL2=HEADER] [-T]\n"), 1
        i += 1
    if not specs:
        specs = [fields[n] for n in ("pid", "user", "time", "args")]

    def line(cells):
        out = ""
        for k, ((w, _, _), cell) in enumerate(zip(specs, cells)):
            cell = cell or "-"
            out += cell if k == len(specs) - 1 else cell + " " * max(1, w - len(cell) + 1)
        return out.rstrip(" ") if False else out

    text = ""
    if any(h for _, h, _ in specs):
        text += line([h for _, h, _ in specs]) + "\n"
    for p in procs:
        text += line([f(p)[:w] if w else f(p) for w, _, f in specs]) + "\n"
    return text, "", 0


# --- memory and load -----------------------------------------------------------------------------

@dataclass
class Memory:
    total: int       # KiB
    used: int
    free: int
    shared: int
    buffers: int
    cached: int
    available: int


def memory(ctx) -> Memory:
    """The node's memory as /proc/meminfo would show it: capacity, and what sim/metrics says the
    node uses; the page cache and buffers a stable share of the rest."""
    total = node_memory_kib(ctx.view, ctx.pod or {})
    node = ctx.view.get("Node", None, (ctx.pod or {}).get("spec", {}).get("nodeName") or ctx.node or "") \
        if hasattr(ctx.view, "get") else None
    used = total // 5
    if node:
        try:
            used = metrics.node_usage(ctx.view, node)[1] // 1024
        except Exception:
            pass
    used = min(used, total * 9 // 10)
    buffers = total // 60
    cached = (total - used) // 4
    shared = total // 400
    free = max(0, total - used - buffers - cached)
    return Memory(total, used, free, shared, buffers, cached, free + cached * 9 // 10)


def load(ctx) -> tuple[float, float, float]:
    node = ctx.view.get("Node", None, (ctx.pod or {}).get("spec", {}).get("nodeName") or ctx.node or "") \
        if hasattr(ctx.view, "get") else None
    cores = 0.1
    if node:
        try:
            cores = metrics.node_usage(ctx.view, node)[0] / 1000
        except Exception:
            pass
    return round(cores * 1.1, 2), round(cores * 0.95, 2), round(cores * 0.9, 2)


def free(ctx, argv, style):
    """busybox free [-b|-k|-m|-g|-h]: the node's memory (containers read the host's /proc/meminfo)."""
    unit = "k"
    for a in argv[1:]:
        if a.startswith("-") and len(a) > 1 and set(a[1:]) <= set("bkmght"):
            unit = a[-1]
        else:
            return "", ("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\n"
                        "Usage: free [-bkmgh]\n"), 1
    m = memory(ctx)

    def v(kib: int) -> str:
        if unit == "h":
            return bb_human(kib)
        return str({"b": kib * 1024, "k": kib, "m": kib >> 10, "g": kib >> 20}.get(unit, kib))
    head = " " * 7 + "".join(f"{h:>12}" for h in ("total", "used", "free", "shared", "buff/cache", "available"))
    mem = f"{'Mem:':<7}" + "".join(f"{v(x):>12}" for x in (m.total, m.used, m.free, m.shared,
                                                            m.buffers + m.cached, m.available))
    swap = f"{'Swap:':<7}" + "".join(f"{v(0):>12}" for _ in range(3))
    return f"{head}\n{mem}\n{swap}\n", "", 0


def _uptime_secs(ctx) -> float:
    node = ctx.view.get("Node", None, (ctx.pod or {}).get("spec", {}).get("nodeName") or ctx.node or "") \
        if hasattr(ctx.view, "get") else None
    born = timeutil.parse(((node or {}).get("metadata") or {}).get("creationTimestamp")) if node else None
    now = float(getattr(ctx.view, "now", 0.0))
    return max(0.0, now - (born if born is not None else now - 3600)) + 95     # the VM booted before kubeadm


def uptime(ctx, argv, style):
    """busybox uptime: the time, the node's uptime, users, and its load averages."""
    now = float(getattr(ctx.view, "now", 0.0))
    t = _time.gmtime(now)
    up = int(_uptime_secs(ctx))
    days, rest = divmod(up // 60, 1440)
    hours, mins = divmod(rest, 60)
    text = f" {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} up "
    if days:
        text += f"{days} day{'s' if days != 1 else ''}, "
    text += f"{hours:2d}:{mins:02d}" if hours else f"{mins} min"
    a, b, c = load(ctx)
    users = "0 users" if style == "busybox" else "0 user"        # procps-ng 4 counts in the singular
    text += f",  {users},  load average: {a:.2f}, {b:.2f}, {c:.2f}\n"
    return text, "", 0


def top(ctx, argv, style):
    """busybox top -b [-n N]: one frame (a batch run prints each frame; time does not pass here)."""
    args = argv[1:]
    if "-b" not in args and not any(a.startswith("-") and "b" in a for a in args):
        return "", "minikctl: top without -b (the interactive screen) is not simulated\n", 126
    frames = 1
    for i, a in enumerate(args):
        if a == "-n" and i + 1 < len(args) and args[i + 1].isdigit():
            frames = int(args[i + 1])
        elif a.startswith("-n") and a[2:].isdigit():
            frames = int(a[2:])
    m = memory(ctx)
    a, b, c = load(ctx)
    procs = processes(ctx, argv)
    frame = (f"Mem: {m.total - m.free}K used, {m.free}K free, {m.shared}K shrd, {m.buffers}K buff, "
             f"{m.cached}K cached\n"
             f"CPU:{0:4d}% usr{0:4d}% sys{0:4d}% nic{100:4d}% idle{0:4d}% io{0:4d}% irq{0:4d}% sirq\n"
             f"Load average: {a:.2f} {b:.2f} {c:.2f} 1/{len(procs)} {procs[-1].pid}\n"
             f"{'PID':>5}{'PPID':>6} {'USER':<8} {'STAT':<4}{'VSZ':>6}{'%VSZ':>5}{'%CPU':>5} COMMAND\n")
    for p in procs:
        frame += (f"{p.pid:5d}{p.ppid:6d} {p.user:<8.8} {p.stat:<4}{p.vsz:>6}{p.vsz * 100 // max(m.total, 1):4d}%"
                  f"{0:4d}% {p.args}\n")
    return frame * max(frames, 1), "", 0


TABLE = {"ps": ps, "free": free, "uptime": uptime, "top": top}
