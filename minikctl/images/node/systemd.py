"""systemctl and journalctl on a node (systemd 219, the CentOS 7 of the profile's nodes), for the
two units the CKA touches: kubelet.service and containerd.service (sim/nodehost/units.py holds
their state; the kubelet's start is sim/nodehost/kubelet_host.py). Other units a CentOS node has
answer `minikctl: ... is not simulated`; a name no node has gets systemd's not-found message.
"""
from __future__ import annotations

import datetime

from minikctl.sim.nodehost import units
from minikctl import lazy

boot_time = lazy.function("minikctl.sim.nodehost.pki", "boot_time")
command_line = lazy.function("minikctl.sim.nodehost.kubelet_host", "command_line")
sim_cluster = lazy.module("minikctl.sim.cluster")

OTHER_UNITS = {"sshd", "firewalld", "NetworkManager", "crond", "chronyd", "systemd-journald", "rsyslog",
               "auditd", "tuned", "docker", "network", "systemd-logind", "dbus", "postfix", "irqbalance"}
SHOW_EXIT = {"active": 0, "inactive": 3, "failing": 3}


def _unit(name: str) -> str:
    return name[:-len(".service")] if name.endswith(".service") else name


def _ts(t: float) -> str:
    d = datetime.datetime.fromtimestamp(t, tz=datetime.timezone.utc)
    return d.strftime("%a %Y-%m-%d %H:%M:%S UTC")


def relative(seconds: float) -> str:
    """systemd's format_timestamp_relative (219)."""
    us = int(seconds * 1_000_000)
    S, M, H, D = 10 ** 6, 60 * 10 ** 6, 3600 * 10 ** 6, 86400 * 10 ** 6
    W, MO, Y = 7 * D, 2629800 * S, 31557600 * S
    if us >= Y:
        return f"{us // Y} years {(us % Y) // MO} months ago"
    if us >= MO:
        return f"{us // MO} months {(us % MO) // D} days ago"
    if us >= W:
        return f"{us // W} weeks {(us % W) // D} days ago"
    if us >= 2 * D:
        return f"{us // D} days ago"
    if us >= 25 * H:
        return f"1 day {(us - D) // H}h ago"
    if us >= 6 * H:
        return f"{us // H}h ago"
    if us >= H:
        return f"{us // H}h {(us % H) // M}min ago"
    if us >= 5 * M:
        return f"{us // M}min ago"
    if us >= M:
        return f"{us // M}min {(us % M) // S}s ago"
    if us >= S:
        return f"{us // S}s ago"
    if us >= 1000:
        return f"{us // 1000}ms ago"
    return f"{us}us ago" if us > 0 else "now"


def _journal_line(e, node: str) -> str:
    d = datetime.datetime.fromtimestamp(e[0], tz=datetime.timezone.utc)
    return f"{d:%b %d %H:%M:%S} {node} {e[1]}[{e[2]}]: {e[3]}\n"


def _unit_entries(view, node: str, unit: str) -> list:
    """A unit's journal: its own process's lines and systemd's lines about it."""
    desc = units.DESCRIPTION[unit]
    out = []
    for e in units.entries(view, node):
        if e[1] == unit or (e[1] == "systemd" and (desc in e[3] or f"{unit}.service" in e[3])):
            out.append(e)
    return out


def _drop_ins(view, node: str, unit: str) -> list[str]:
    return [p for p in units.loaded_files(view, node, unit) if not p.endswith(".service")]


def status(ctx, unit: str) -> tuple[str, str, int]:
    view, node = ctx.view, ctx.node
    st = units.state(view, node, unit)
    files = units.loaded_files(view, node, unit)
    unit_file = next((p for p in files if p.endswith(".service")), f"/usr/lib/systemd/system/{unit}.service")
    enabled = "enabled" if st["enabled"] else "disabled"
    o = [f"● {unit}.service - {units.DESCRIPTION[unit]}\n",
         f"   Loaded: loaded ({unit_file}; {enabled}; vendor preset: disabled)\n"]
    drops = _drop_ins(view, node, unit)
    if drops:
        dirs: dict[str, list[str]] = {}
        for p in drops:
            dirs.setdefault(p.rsplit("/", 1)[0], []).append(p.rsplit("/", 1)[1])
        for i, (d, names) in enumerate(sorted(dirs.items())):
            o.append(f"  Drop-In: {d}\n" if i == 0 else f"           {d}\n")
            o.append("           └─" + ", ".join(names) + "\n")
    pid = units.last_pid(view, node, unit)
    exec_start = "/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS " \
                 "$KUBELET_EXTRA_ARGS" if unit == "kubelet" else "/usr/bin/containerd"
    if st["active"] == "active":
        o.append(f"   Active: active (running) since {_ts(st['since'])}; {relative(view.now - st['since'])}\n")
    elif st["active"] == "failing":
        k = int((view.now - st["since"]) // units.RESTART["kubelet"])
        exited = st["since"] + k * units.RESTART["kubelet"] + 0.06
        if exited > view.now:
            exited -= units.RESTART["kubelet"]
        o.append(f"   Active: activating (auto-restart) (Result: exit-code) since {_ts(exited)}; "
                 f"{relative(max(0.0, view.now - exited))}\n")
    else:
        o.append(f"   Active: inactive (dead) since {_ts(st['since'])}; {relative(view.now - st['since'])}\n")
    o.append("     Docs: " + ("https://kubernetes.io/docs/\n" if unit == "kubelet" else "https://containerd.io\n"))
    if unit == "containerd" and st["active"] == "active":
        o.append("  Process: {} ExecStartPre=/sbin/modprobe overlay (code=exited, status=0/SUCCESS)\n".format(pid - 1))
    if st["active"] == "failing":
        o.append(f"  Process: {pid} ExecStart={exec_start} (code=exited, status=1/FAILURE)\n")
        o.append(f" Main PID: {pid} (code=exited, status=1/FAILURE)\n")
    elif st["active"] == "inactive":
        o.append(f"  Process: {pid} ExecStart={exec_start} (code=killed, signal=TERM)\n")
        o.append(f" Main PID: {pid} (code=killed, signal=TERM)\n")
    else:
        o.append(f" Main PID: {pid} ({unit})\n")
        o.append(f"    Tasks: {14 + pid % 7}\n")
        o.append(f"   Memory: {30 + pid % 40}.{pid % 10}M\n")
        o.append(f"   CGroup: /system.slice/{unit}.service\n")
        if unit == "kubelet":
            o.append(f"           └─{pid} " + " ".join(command_line(view, node)) + "\n")
        else:
            o.append(f"           └─{pid} /usr/bin/containerd\n")
    lines = _unit_entries(view, node, unit)[-10:]
    if lines:
        o.append("\n")
        o += [_journal_line(e, node) for e in lines]
    err = _changed_warning(view, node, unit)
    return "".join(o), err, SHOW_EXIT[st["active"]]


def _changed_warning(view, node: str, unit: str) -> str:
    if units.changed_on_disk(view, node, unit):
        return f"Warning: {unit}.service changed on disk. Run 'systemctl daemon-reload' to reload units.\n"
    return ""


def _needs(ctx):
    return isinstance(ctx.view, sim_cluster.Cluster)


def systemctl(ctx, argv):
    args = [a for a in argv[1:] if not a.startswith("-")]
    if not args:
        return "", "minikctl: systemctl without a verb (list-units) is not simulated\n", 126
    verb, names = args[0], args[1:]
    if verb == "daemon-reload":
        units.daemon_reload(ctx.view, ctx.node)
        return "", "", 0
    if verb not in ("status", "start", "stop", "restart", "enable", "disable", "is-active", "is-enabled", "reload",
                    "cat"):
        return "", f"minikctl: systemctl {verb} is not simulated\n", 126
    if not names:
        if verb == "status":
            return "", "minikctl: systemctl status without a unit is not simulated\n", 126
        return "", f"Too few arguments.\n", 1
    out, err, code = [], [], 0
    for raw in names:
        unit = _unit(raw)
        if unit not in units.UNITS:
            if unit in OTHER_UNITS:
                return "", f"minikctl: the {unit}.service unit is not simulated (only kubelet and containerd)\n", 126
            if verb == "status":
                err.append(f"Unit {unit}.service could not be found.\n")
                code = 4
            elif verb in ("is-active",):
                out.append("unknown\n")
                code = 3
            elif verb == "is-enabled":
                err.append(f"Failed to get unit file state for {unit}.service: No such file or directory\n")
                code = 1
            elif verb in ("enable", "disable"):
                err.append(f"Failed to execute operation: No such file or directory\n")
                code = 1
            else:
                err.append(f"Failed to {verb} {unit}.service: Unit not found.\n")
                code = 5
            continue
        if verb == "status":
            o, e, c = status(ctx, unit)
            out.append(o if not out else "\n" + o)
            err.append(e)
            code = code or c
        elif verb == "cat":
            for p, text in units.loaded_files(ctx.view, ctx.node, unit).items():
                out.append(("\n" if out else "") + f"# {p}\n{text}")
        elif verb == "is-active":
            a = units.state(ctx.view, ctx.node, unit)["active"]
            word = {"active": "active", "inactive": "inactive", "failing": "activating"}[a]
            out.append(word + "\n")
            code = code or (0 if a == "active" else 3)
        elif verb == "is-enabled":
            on = units.state(ctx.view, ctx.node, unit)["enabled"]
            out.append("enabled\n" if on else "disabled\n")
            code = code or (0 if on else 1)
        elif verb in ("enable", "disable"):
            if units.set_enabled(ctx.view, ctx.node, unit, verb == "enable"):
                link = f"/etc/systemd/system/multi-user.target.wants/{unit}.service"
                err.append(f"Created symlink from {link} to /usr/lib/systemd/system/{unit}.service.\n"
                           if verb == "enable" else f"Removed symlink {link}.\n")
        else:
            err.append(_changed_warning(ctx.view, ctx.node, unit))
            if verb == "start":
                if units.state(ctx.view, ctx.node, unit)["active"] == "inactive":
                    units.start(ctx.view, ctx.node, unit)
            elif verb == "stop":
                units.stop(ctx.view, ctx.node, unit)
            elif verb in ("restart", "reload"):
                units.restart(ctx.view, ctx.node, unit)
    return "".join(out), "".join(err), code


def journalctl(ctx, argv):
    args = argv[1:]
    want, lines, i, follow = [], None, 0, False
    while i < len(args):
        a = args[i]
        if a in ("-u", "--unit") and i + 1 < len(args):
            want.append(_unit(args[i + 1]))
            i += 1
        elif a.startswith("--unit="):
            want.append(_unit(a.split("=", 1)[1]))
        elif a.startswith("-u") and len(a) > 2:
            want.append(_unit(a[2:]))
        elif a in ("-n", "--lines") and i + 1 < len(args):
            lines = args[i + 1]
            i += 1
        elif a.startswith("--lines="):
            lines = a.split("=", 1)[1]
        elif a.startswith("-n") and len(a) > 2 and a[2:].isdigit():
            lines = a[2:]
        elif a in ("-f", "--follow"):
            follow = True
        elif a in ("--no-pager", "-x", "--catalog", "-l", "--full", "-a", "--all", "-q", "--quiet", "-b", "--boot"):
            pass
        elif a in ("-e", "--pager-end"):
            lines = lines or "1000"
        else:
            return "", f"minikctl: journalctl {a} is not simulated\n", 126
        i += 1
    for u in want:
        if u not in units.UNITS and u not in OTHER_UNITS:
            continue
        if u in OTHER_UNITS:
            return "", f"minikctl: the journal of {u}.service is not simulated (only kubelet and containerd)\n", 126
    every = units.entries(ctx.view, ctx.node)
    if want:
        sel = [e for u in want if u in units.UNITS for e in _unit_entries(ctx.view, ctx.node, u)]
        sel.sort(key=lambda e: e[0])
    else:
        sel = every
    if follow and lines is None:
        lines = "10"
    if lines is not None:
        try:
            n = int(lines)
        except ValueError:
            return "", f"Failed to parse lines '{lines}'\n", 1
        sel = sel[-n:] if n > 0 else []
    first = every[0][0] if every else boot_time(ctx.view)
    head = f"-- Logs begin at {_ts(first)}, end at {_ts(every[-1][0] if every else ctx.view.now)}. --\n"
    body = "".join(_journal_line(e, ctx.node) for e in sel) or "-- No entries --\n"
    err = "minikctl: journalctl -f prints what is there and returns (following is not simulated)\n" if follow else ""
    return head + body, err, 0
