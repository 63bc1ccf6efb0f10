"""`ss` on a node: the TCP sockets the node's processes listen on, from what runs there - sshd,
the kubelet and containerd while their units run (sim/nodehost/units.py), kube-proxy, and on the
control plane the components whose static pods are up (sim/nodehost/controlplane.py) on the ports
their manifests give them. Columns as iproute2's ss lays them out for `-tlnp`.
"""
from __future__ import annotations
from minikctl import lazy

control_plane = lazy.function("minikctl.sim.profile", "control_plane")
controlplane = lazy.module("minikctl.sim.nodehost.controlplane")
units = lazy.module("minikctl.sim.nodehost.units")


def listeners(view, node: str) -> list[tuple[str, str, str, int]]:
    """(local address, port, process, pid) of each listening TCP socket."""
    out = [("0.0.0.0", "22", "sshd", 1021), ("[::]", "22", "sshd", 1021)]
    if units.state(view, node, "containerd")["active"] == "active":
        pid = units.last_pid(view, node, "containerd")
        out.append(("127.0.0.1", str(33000 + pid % 2000), "containerd", pid))
    if units.state(view, node, "kubelet")["active"] == "active":
        pid = units.last_pid(view, node, "kubelet")
        out += [("127.0.0.1", "10248", "kubelet", pid), ("*", "10250", "kubelet", pid)]
    kp = 2000 + sum(map(ord, node)) % 500
    out += [("127.0.0.1", "10249", "kube-proxy", kp), ("*", "10256", "kube-proxy", kp)]
    prof = getattr(view, "profile", None) or {}
    cp = control_plane(prof)
    if cp.get("name") == node:
        ip = cp.get("internalIP", "127.0.0.1")
        port = str(prof.get("apiServerPort") or 6443)
        comps = {"etcd": [("127.0.0.1", "2379"), (ip, "2379"), (ip, "2380"), ("127.0.0.1", "2381")],
                 "kube-apiserver": [("*", port)],
                 "kube-controller-manager": [("127.0.0.1", "10257")], "kube-scheduler": [("127.0.0.1", "10259")]}
        for i, (comp, socks) in enumerate(comps.items()):
            if controlplane.down(view, comp):
                continue
            out += [(a, p, comp, 1500 + 37 * i) for a, p in socks]
    return out


def ss(ctx, argv):
    flags = "".join(a[1:] for a in argv[1:] if a.startswith("-") and not a.startswith("--"))
    if any(a.startswith("--") for a in argv[1:]) or not set(flags) <= set("tlnpu4") or "l" not in flags:
        return "", "minikctl: ss is simulated for listening sockets only (ss -tlnp)\n", 126
    rows = []
    for addr, port, proc, pid in listeners(ctx.view, ctx.node):
        users = f'users:(("{proc}",pid={pid},fd={3 + pid % 20}))' if "p" in flags else ""
        rows.append(("LISTEN", "0", "4096" if proc != "sshd" else "128", f"{addr}:{port}",
                     "[::]:*" if addr.startswith("[") else ("*:*" if addr == "*" else "0.0.0.0:*"), users))
    head = ("State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port", "Process")
    w = [max(len(r[i]) for r in rows + [head]) for i in range(5)]
    lines = []
    for r in [head] + rows:
        lines.append(f"{r[0]:<{w[0]}} {r[1]:<{w[1]}} {r[2]:<{w[2]}} {r[3]:>{w[3]}} {r[4]:>{w[4]}} {r[5]}".rstrip())
    return "\n".join(lines) + "\n", "", 0
