"""`kubeadm token create [--print-join-command] | list | delete`: bootstrap tokens as kubeadm
keeps them, Secrets `bootstrap-token-<id>` (type bootstrap.kubernetes.io/token) in kube-system;
the join command's CA hash is the SHA-256 of the cluster CA's public key (SubjectPublicKeyInfo),
computed from /etc/kubernetes/pki/ca.crt as kubeadm computes it."""
from __future__ import annotations

import base64
import re
import hashlib
from minikctl import lazy

apiserver_url = lazy.function("minikctl.sim.profile", "apiserver_url")
fmt = lazy.function("minikctl.timeutil", "fmt")
fs_of = lazy.function("minikctl.images.fs", "fs_of")
parse = lazy.function("minikctl.timeutil", "parse")
serialization = lazy.module("cryptography.hazmat.primitives.serialization")
server = lazy.module("minikctl.api.server")
tabwriter = lazy.module("minikctl.printers.tabwriter")
timeutil = lazy.module("minikctl.timeutil")
x509 = lazy.module("cryptography.x509")

STACK_HINT = "To see the stack trace of this error execute with --v=5 or higher\n"
TOKEN_RE = re.compile(r"^([a-z0-9]{6})\.([a-z0-9]{16})$")
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
GROUP = "system:bootstrappers:kubeadm:default-node-token"


def _fs(ctx):
    return fs_of(ctx)


def _flag(args, name, default=None):
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return default


def ca_hash(pem: str) -> str:
    cert = x509.load_pem_x509_certificate(pem.encode())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "sha256:" + hashlib.sha256(spki).hexdigest()


def _b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def _secrets(view):
    for s in view.list("Secret", "kube-system"):
        if s.get("type") == "bootstrap.kubernetes.io/token":
            d = {k: base64.b64decode(v).decode(errors="replace") for k, v in (s.get("data") or {}).items()}
            yield s, d


def token(ctx, words, args):
    fs = _fs(ctx)
    if fs.read("/etc/kubernetes/admin.conf") is None:
        return "", ('failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory\n'
                    + STACK_HINT), 1
    value_flags = {"--ttl", "--description", "--usages", "--groups", "--config", "--certificate-key",
                   "--kubeconfig", "-o", "--output"}
    words = [a for i, a in enumerate(args) if not a.startswith("-")
             and not (i > 0 and args[i - 1] in value_flags)]
    words = words[words.index("token") + 1:] if "token" in words else words
    sub = words[0] if words else ""
    cluster = ctx.view
    if sub == "create":
        given = words[1] if len(words) > 1 else None
        if given and not TOKEN_RE.match(given):
            return "", (f'the bootstrap token "{given}" was not of the form "[a-z0-9]{{6}}.[a-z0-9]{{16}}"\n'
                        + STACK_HINT), 1
        tok = given or ("".join(cluster.rng.choice(ALPHABET) for _ in range(6)) + "." +
                        "".join(cluster.rng.choice(ALPHABET) for _ in range(16)))
        tid, secret = tok.split(".")
        ttl = _flag(args, "--ttl", "24h0m0s")
        try:
            secs = timeutil.parse_go_duration(ttl)
        except ValueError:
            return "", f'invalid argument "{ttl}" for "--ttl" flag: time: invalid duration "{ttl}"\n', 1
        data = {"token-id": _b64(tid), "token-secret": _b64(secret), "usage-bootstrap-authentication": _b64("true"),
                "usage-bootstrap-signing": _b64("true"), "auth-extra-groups": _b64(GROUP)}
        if secs > 0:
            data["expiration"] = _b64(fmt(cluster.now + secs))
        desc = _flag(args, "--description")
        if desc:
            data["description"] = _b64(desc)
        name = f"bootstrap-token-{tid}"
        if cluster.get("Secret", "kube-system", name) is not None:
            return "", f'a token with id "{tid}" already exists\n' + STACK_HINT, 1
        server.create_internal(cluster, {"apiVersion": "v1", "kind": "Secret", "type": "bootstrap.kubernetes.io/token",
                                         "metadata": {"name": name, "namespace": "kube-system"}, "data": data})
        if "--print-join-command" in args:
            ca = fs.read("/etc/kubernetes/pki/ca.crt")
            if ca is None:
                return "", "failed to load CA certificate: open /etc/kubernetes/pki/ca.crt: no such file or directory\n", 1
            ep = apiserver_url(cluster.profile).split("://", 1)[-1]
            return f"kubeadm join {ep} --token {tok} --discovery-token-ca-cert-hash {ca_hash(ca)} \n", "", 0
        return tok + "\n", "", 0
    if sub == "list":
        return _list(cluster), "", 0
    if sub == "delete":
        if len(words) < 2:
            return "", "missing subcommand; 'token delete' is missing token of form \"[a-z0-9]{6}\" or \"[a-z0-9]{6}.[a-z0-9]{16}\"\n" + STACK_HINT, 1
        out = ""
        for t in words[1:]:
            if re.match(r"^[a-z0-9]{6}$", t):
                tid = t
            elif TOKEN_RE.match(t):
                tid = t.split(".")[0]
            else:
                return out, ('given token didn\'t match pattern "^([a-z0-9]{6})\\.([a-z0-9]{16})$" or '
                             '"^([a-z0-9]{6})$"\n' + STACK_HINT), 1
            s = cluster.get("Secret", "kube-system", f"bootstrap-token-{tid}")
            if s is None:
                return out, (f'failed to delete bootstrap token "{tid}": secrets "bootstrap-token-{tid}" not found\n'
                             + STACK_HINT), 1
            server.delete_internal(cluster, s)
            out += f'bootstrap token "{tid}" deleted\n'
        return out, "", 0
    if sub == "generate":
        tok = ("".join(cluster.rng.choice(ALPHABET) for _ in range(6)) + "." +
               "".join(cluster.rng.choice(ALPHABET) for _ in range(16)))
        return tok + "\n", "", 0
    return "", "missing subcommand; \"token\" is not meant to be run on its own\n" + STACK_HINT, 1


def _list(cluster) -> str:
    """RunListTokens with kubeadm's text printer: the header with the first token only, and each
    token through a tabwriter of its own (minwidth 10, padding 3), TTL padded to 9, USAGES to 22
    and DESCRIPTION to 56 characters first (formatBootstrapToken). Expired tokens are gone: the
    controller-manager's tokencleaner deletes them."""
    out, header = "", ["TOKEN", "TTL", "EXPIRES", "USAGES", "DESCRIPTION", "EXTRA GROUPS"]
    for s, d in sorted(_secrets(cluster), key=lambda x: x[0]["metadata"]["name"]):
        exp = d.get("expiration")
        t = parse(exp) if exp else None
        if t is not None and t <= cluster.now:
            continue
        ttl = _short(t - cluster.now) if t is not None else "<forever>"
        usages = ",".join(u for u in ("authentication", "signing") if d.get(f"usage-bootstrap-{u}") == "true")
        row = [f"{d.get('token-id')}.{d.get('token-secret')}", f"{ttl:<9}", exp or "<never>",
               f"{usages or '<none>':<22}", f"{d.get('description') or '<none>':<56}",
               d.get("auth-extra-groups") or "<none>"]
        rows = [row] if out else [header, row]
        out += tabwriter.render(rows, minwidth=10, padding=3)
    return out


def _short(seconds: float) -> str:
    """apimachinery's duration.ShortHumanDuration."""
    s = int(seconds)
    if s < 0:
        return "0s"
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    h = s // 3600
    if h < 24:
        return f"{h}h"
    if h < 24 * 365:
        return f"{h // 24}d"
    return f"{h // 24 // 365}y"
