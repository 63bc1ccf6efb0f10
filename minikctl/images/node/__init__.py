"""The commands a kubeadm node has beyond coreutils, by name -> "module:function" (imported only
when typed). A tool is `tool(ctx, argv) -> (stdout, stderr, status)` (images/context.py): ctx.view
is the cluster, ctx.node the node, ctx.stdin the input; the node's files are
`minikctl.images.fs.fs_of(ctx)` (or minikctl.sim.nodehost.fs(view, node)). A tool that writes
the node's files the kubelet watches (manifests, kubelet config) needs nothing more: `ssh` tells
the kubelet after every command line (nodehost.changed).

To add a command (etcdctl, kubeadm, apt-get, ...): write the module, add one line to COMMANDS.
A command the node has but minikctl does not simulate stays in NOT_SIMULATED: it answers
`minikctl: NAME is not simulated` (status 126), never a fake `command not found`.
"""
from __future__ import annotations
import importlib

COMMANDS = {
    "openssl": "minikctl.images.node.openssl:openssl",
    "crictl": "minikctl.images.node.crictl:crictl",
    "systemctl": "minikctl.images.node.systemd:systemctl",
    "journalctl": "minikctl.images.node.systemd:journalctl",
    "etcdctl": "minikctl.images.etcdtools.etcdctl:etcdctl",
    "etcdutl": "minikctl.images.etcdtools.etcdutl:etcdutl",
    "kubeadm": "minikctl.sim.kubeadm.kubeadm:kubeadm",
    "apt-get": "minikctl.sim.kubeadm.apt_tool:apt_get",
    "apt-mark": "minikctl.sim.kubeadm.apt_tool:apt_mark",
    "apt-cache": "minikctl.sim.kubeadm.apt_tool:apt_cache",
    "apt": "minikctl.sim.kubeadm.apt_tool:apt",
    "ss": "minikctl.images.node.sockets:ss",
}

NOT_SIMULATED = ("vi", "vim", "nano", "emacs", "kubelet", "containerd", "ctr",
                 "yum", "dnf", "rpm", "reboot", "shutdown", "modprobe",
                 "sysctl", "swapoff", "netstat", "tcpdump", "helm", "kubectl")


def _lazy(ref: str):
    def tool(ctx, argv):
        mod, fn = ref.split(":")
        return getattr(importlib.import_module(mod), fn)(ctx, argv)
    tool.__name__ = ref.rsplit(":", 1)[-1]
    return tool


def _stub(ctx, argv):
    name = argv[0].rsplit("/", 1)[-1]
    hint = "; edit files with sed -i, cat > FILE or a heredoc" if name in ("vi", "vim", "nano", "emacs") else ""
    return "", f"minikctl: {name} is not simulated{hint}\n", 126


def tools() -> dict:
    out = {name: _stub for name in NOT_SIMULATED}
    out.update({name: _lazy(ref) for name, ref in COMMANDS.items()})
    return out
