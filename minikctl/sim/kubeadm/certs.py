"""`kubeadm certs check-expiration` and `kubeadm certs renew <name>|all`: the certificates kubeadm
manages on the control plane, read from the node's real PEM files (and the client certificates
embedded in its kubeconfigs), laid out as kubeadm's cmd/certs.go prints them. Renewal is the
renewal manager's: a new key and certificate with the old one's subject, SANs and extended key
usages, signed by the CA files in /etc/kubernetes/pki, valid from now (backdated 5 minutes) for
a year (capped by the CA's expiry). The running components keep the certificates they loaded
until they restart - hence kubeadm's "You must restart" line."""
from __future__ import annotations

import base64
import datetime
import re
from minikctl import lazy

_short = lazy.function("minikctl.sim.kubeadm.tokens", "_short")
controlplane = lazy.module("minikctl.sim.nodehost.controlplane")
fs_of = lazy.function("minikctl.images.fs", "fs_of")
pki = lazy.module("minikctl.sim.nodehost.pki")
tabwriter = lazy.module("minikctl.printers.tabwriter")
x509 = lazy.module("cryptography.x509")
oid = lazy.module("cryptography.x509.oid")

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
LONG_NAMES = {
    "admin.conf": "certificate embedded in the kubeconfig file for the admin to use and for kubeadm itself",
    "apiserver": "certificate for serving the Kubernetes API",
    "apiserver-etcd-client": "certificate the apiserver uses to access etcd",
    "apiserver-kubelet-client": "certificate for the API server to connect to kubelet",
    "controller-manager.conf": "certificate embedded in the kubeconfig file for the controller manager to use",
    "etcd-healthcheck-client": "certificate for liveness probes to healthcheck etcd",
    "etcd-peer": "certificate for etcd nodes to communicate with each other",
    "etcd-server": "certificate for serving etcd",
    "front-proxy-client": "certificate for the front proxy client",
    "scheduler.conf": "certificate embedded in the kubeconfig file for the scheduler manager to use",
    "super-admin.conf": "certificate embedded in the kubeconfig file for the super-admin"}
CA_FILES = {"ca": f"{PKI}/ca", "etcd-ca": f"{PKI}/etcd/ca", "front-proxy-ca": f"{PKI}/front-proxy-ca"}
DONE = ("\nDone renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler "
        "and etcd, so that they can use the new certificates.\n")
CAS = (("ca", f"{PKI}/ca.crt"), ("etcd-ca", f"{PKI}/etcd/ca.crt"), ("front-proxy-ca", f"{PKI}/front-proxy-ca.crt"))


def _not_after(text: str | None, kubeconfig: bool):
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
    sub = words[0] if words else ""
    if sub == "renew":
        return _renew(ctx, words[1:], args)
    if sub != "check-expiration":
        if sub in ("certificate-key", "generate-csr"):
            return "", f"minikctl: kubeadm certs {sub} is not simulated\n", 126
        return "", "missing subcommand; \"certs\" is not meant to be run on its own\n" + STACK_HINT, 1
    fs = fs_of(ctx)
    now = ctx.view.now

    def when(t):
        return datetime.datetime.fromtimestamp(t, tz=datetime.timezone.utc).strftime("%b %d, %Y %H:%M UTC")

    out = _config_lines(ctx, fs, "check-expiration")
    rows = [["CERTIFICATE", "EXPIRES", "RESIDUAL TIME", "CERTIFICATE AUTHORITY", "EXTERNALLY MANAGED"]]
    for name, path, ca in LEAVES:
        t = _not_after(fs.read(path), path.endswith(".conf"))
        if t is None:
            rows.append([f"!MISSING! {name}", "", "", "", ""])
            continue
        rows.append([name, when(t), _short(t - now) if t > now else "<invalid>", ca, f"{_external(fs, ca):<8}"])
    out += tabwriter.render(rows, minwidth=10, padding=3) + "\n"
    rows = [["CERTIFICATE AUTHORITY", "EXPIRES", "RESIDUAL TIME", "EXTERNALLY MANAGED"]]
    for name, path in CAS:
        t = _not_after(fs.read(path), False)
        if t is None:
            rows.append([f"!MISSING! {name}", "", "", ""])
            continue
        rows.append([name, when(t), _short(t - now) if t > now else "<invalid>", f"{_external(fs, name):<8}"])
    out += tabwriter.render(rows, minwidth=10, padding=3)
    return out, "", 0


def _external(fs, ca: str) -> str:
    """ExternallyManaged: the CA's certificate without its key (etcd's CA never counts)."""
    if ca == "etcd-ca":
        return "no"
    base = CA_FILES[ca]
    return "yes" if fs.read(base + ".crt") is not None and fs.read(base + ".key") is None else "no"


def _config_lines(ctx, fs, prefix: str) -> str:
    """getInternalCfg: the kubeadm-config ConfigMap read with admin.conf (a blank line after), a
    fall back to the defaults when the API server does not answer, nothing without admin.conf."""
    if fs.read("/etc/kubernetes/admin.conf") is None:
        return ""
    out = (f'[{prefix}] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...\n'
           f"[{prefix}] Use 'kubeadm init phase upload-config --config your-config-file' to re-upload it.\n")
    if controlplane.apiserver_down(ctx.view):
        return out + f"[{prefix}] Error reading configuration from the Cluster. Falling back to default configuration\n\n"
    return out + "\n"


def _renew(ctx, words, args):
    names = [n for n, _, _ in LEAVES]
    if not words:
        return "", 'missing subcommand; "renew" is not meant to be run on its own\n' + STACK_HINT, 1
    which = words[0]
    if which != "all" and which not in names:
        return "", f'invalid subcommand: "{which}"\n' + STACK_HINT, 1
    if len(words) > 1:
        return "", f'unknown command "{words[1]}" for "kubeadm certs renew {which}"\n' + STACK_HINT, 1
    for a in args:
        if a.startswith(("--config", "--cert-dir", "--kubeconfig")):
            return "", f"minikctl: kubeadm certs renew {a.split('=', 1)[0]} is not simulated\n", 126
    fs = fs_of(ctx)
    out = _config_lines(ctx, fs, "renew")
    for name, path, ca in LEAVES:
        if which not in ("all", name):
            continue
        out += _renew_one(ctx, fs, name, path, ca)
    if which == "all":
        out += DONE
    return out, "", 0


def _renew_one(ctx, fs, name: str, path: str, ca: str) -> str:
    """RenewUsingLocalCA for one certificate: its line of output."""
    long_name = LONG_NAMES[name]
    kubeconfig = path.endswith(".conf")
    text = fs.read(path)
    pem = text
    if text is not None and kubeconfig:
        m = re.search(r"client-certificate-data:\s*(\S+)", text)
        pem = base64.b64decode(m.group(1)).decode(errors="replace") if m else None
    try:
        old = x509.load_pem_x509_certificate(pem.encode()) if pem else None
    except ValueError:
        old = None
    if old is None:
        return f"MISSING! {long_name}\n"
    base = CA_FILES[ca]
    ca_pem, ca_key_pem = fs.read(base + ".crt"), fs.read(base + ".key")
    if ca_key_pem is None and ca != "etcd-ca":
        return f"Detected external {base.rsplit('/', 1)[-1]}, {long_name} can't be renewed\n"
    if ca_pem is None or ca_key_pem is None:
        return f"MISSING! {long_name}\n"
    ca_cert, ca_key = pki._load(ca_pem, ca_key_pem)
    cn = old.subject.get_attributes_for_oid(oid.NameOID.COMMON_NAME)
    orgs = [a.value for a in old.subject.get_attributes_for_oid(oid.NameOID.ORGANIZATION_NAME)]
    try:
        san = old.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns, ips = san.get_values_for_type(x509.DNSName), [str(i) for i in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        dns, ips = [], []
    try:
        ekus = list(old.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        ekus = []
    now = datetime.datetime.fromtimestamp(int(ctx.view.now), tz=datetime.timezone.utc)
    cert, key = pki.sign_leaf(ctx.view, ca_cert, ca_key, cn[0].value if cn else "", orgs=orgs,
                              server=oid.ExtendedKeyUsageOID.SERVER_AUTH in ekus,
                              client=oid.ExtendedKeyUsageOID.CLIENT_AUTH in ekus, dns=dns, ips=ips,
                              not_before=now - datetime.timedelta(minutes=5), not_after=now + pki.ONE_YEAR)
    cert_pem, key_pem = pki._pem_cert(cert), pki._pem_key(key)
    if kubeconfig:
        enc = base64.b64encode
        text = re.sub(r"(client-certificate-data:\s*)\S+", lambda m: m.group(1) + enc(cert_pem.encode()).decode(), text)
        text = re.sub(r"(client-key-data:\s*)\S+", lambda m: m.group(1) + enc(key_pem.encode()).decode(), text)
        fs.write(path, text)
    else:
        fs.write(path, cert_pem)
        fs.write(path[:-len(".crt")] + ".key", key_pem)
    return f"{long_name} renewed\n"
