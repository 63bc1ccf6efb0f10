"""`kubeadm certs check-expiration`: the expiry of each certificate kubeadm manages on the
control plane, read from the node's real PEM files (and the client certificates embedded in
its kubeconfigs), laid out as kubeadm prints them."""
from __future__ import annotations

import base64
import re

STACK_HINT = "To see the stack trace of this error execute with --v=5 or higher\n"
PKI = "/etc/kubernetes/pki"
# name -> (file, CA name); kubeconfigs hold their certificate in client-certificate-data
LEAVES = (("admin.conf", "/etc/kubernetes/admin.conf", "ca"),
          ("apiserver", f"{PKI}/apiserver.crt", "ca"),
          ("apiserver-etcd-client", f"{PKI}/apiserver-etcd-client.crt", "etcd-ca"),
          ("apiserver-kubelet-client", f"{PKI}/apiserver-kubelet-client.crt", "ca"),
          ("controller-manager.conf", "/etc/kubernetes/controller-manager.conf", "ca"),
          ("etcd-healthcheck-client", f"{PKI}/etcd/healthcheck-client.crt", "etcd-ca"),
          ("etcd-peer", f"{PKI}/etcd/peer.crt", "etcd-ca"),
          ("etcd-server", f"{PKI}/etcd/server.crt", "etcd-ca"),
          ("front-proxy-client", f"{PKI}/front-proxy-client.crt", "front-proxy-ca"),
          ("scheduler.conf", "/etc/kubernetes/scheduler.conf", "ca"),
          ("super-admin.conf", "/etc/kubernetes/super-admin.conf", "ca"))
CAS = (("ca", f"{PKI}/ca.crt"), ("etcd-ca", f"{PKI}/etcd/ca.crt"), ("front-proxy-ca", f"{PKI}/front-proxy-ca.crt"))


def _not_after(text: str | None, kubeconfig: bool):
    from cryptography import x509
    if text is None:
        return None
    if kubeconfig:
        m = re.search(r"client-certificate-data:\s*(\S+)", text)
        if not m:
            return None
        text = base64.b64decode(m.group(1)).decode(errors="replace")
    try:
        cert = x509.load_pem_x509_certificate(text.encode())
    except ValueError:
        return None
    return cert.not_valid_after_utc.timestamp()


def certs(ctx, words, args):
    from minikctl.images.fs import fs_of
    from minikctl.printers import tabwriter
    from minikctl.sim.kubeadm.tokens import _short
    import datetime
    sub = words[0] if words else ""
    if sub == "renew":
        return "", ("minikctl: kubeadm certs renew is not simulated (check-expiration is; `kubeadm upgrade apply` "
                    "renews as it goes)\n"), 126
    if sub != "check-expiration":
        if sub in ("certificate-key", "generate-csr"):
            return "", f"minikctl: kubeadm certs {sub} is not simulated\n", 126
        return "", "missing subcommand; \"certs\" is not meant to be run on its own\n" + STACK_HINT, 1
    fs = fs_of(ctx)
    if fs.read("/etc/kubernetes/admin.conf") is None:
        return "", ('failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory\n'
                    + STACK_HINT), 1
    now = ctx.view.now

    def when(t):
        return datetime.datetime.fromtimestamp(t, tz=datetime.timezone.utc).strftime("%b %d, %Y %H:%M UTC")

    out = ('[check-expiration] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...\n'
           "[check-expiration] Use 'kubeadm init phase upload-config --config your-config-file' to re-upload it.\n\n")
    rows = [["CERTIFICATE", "EXPIRES", "RESIDUAL TIME", "CERTIFICATE AUTHORITY", "EXTERNALLY MANAGED"]]
    err = ""
    for name, path, ca in LEAVES:
        t = _not_after(fs.read(path), path.endswith(".conf"))
        if t is None:
            err += f"!MISSING! {name}\n"
            continue
        rows.append([name, when(t), _short(t - now) if t > now else "<invalid>", ca, "no"])
    out += tabwriter.render(rows, minwidth=10, padding=3) + "\n"
    rows = [["CERTIFICATE AUTHORITY", "EXPIRES", "RESIDUAL TIME", "EXTERNALLY MANAGED"]]
    for name, path in CAS:
        t = _not_after(fs.read(path), False)
        if t is None:
            continue
        rows.append([name, when(t), _short(t - now) if t > now else "<invalid>", "no"])
    out += tabwriter.render(rows, minwidth=10, padding=3)
    return out, err, 0
