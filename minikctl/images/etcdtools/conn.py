"""How etcdctl's connection to an endpoint goes: the client's TLS configuration read from the
node's files (etcdctl exits before dialling when a file is missing or a pair does not match),
then the dial: is etcd listening there, does its serving certificate verify against --cacert,
does it accept the client certificate (signed by its --trusted-ca-file, for client auth).

Every answer is computed from the node's files and the etcd static pod's manifest: the
certificates are real PEM files, checked with `cryptography` as Go's crypto/tls would check them.
"""
from __future__ import annotations

import posixpath
import base64
import re
import zlib
from minikctl import lazy

fs_of = lazy.function("minikctl.images.fs", "fs_of")
json_log = lazy.function("minikctl.images.etcdtools.flags", "json_log")
members = lazy.module("minikctl.sim.etcd.members")
nodehost = lazy.module("minikctl.sim.nodehost")
serialization = lazy.module("cryptography.hazmat.primitives.serialization")
x509 = lazy.module("cryptography.x509")
yaml = lazy.module("yaml")
oid = lazy.module("cryptography.x509.oid")

ETCD_MANIFEST = "/etc/kubernetes/manifests/etcd.yaml"
CLIENT_PORT = 2379
PEER_PORT = 2380


class ConfigError(Exception):
    """An error before any dial (etcdctl exits 128 with `Error: ...`)."""


def abspath(cwd: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(cwd or "/", path))


def _read(ctx, path: str) -> str:
    p = abspath(ctx.cwd, path)
    fs = fs_of(ctx)
    kind = fs.kind(p)
    if kind == "dir":
        raise ConfigError(f"read {path}: is a directory")
    text = fs.read(p) if kind == "file" else None
    if text is None:
        raise ConfigError(f"open {path}: no such file or directory")
    return text


def _pem_blocks(text: str) -> list[tuple[str, bytes]]:
    out = []
    for m in re.finditer(r"-----BEGIN ([A-Z0-9 ]+)-----\s*(.*?)-----END \1-----", text, re.S):
        try:
            out.append((m.group(1), base64.b64decode("".join(m.group(2).split()))))
        except ValueError:
            continue
    return out


def load_certs(text: str, what: str = "cert"):
    certs = []
    for typ, der in _pem_blocks(text):
        if typ != "CERTIFICATE":
            continue
        try:
            certs.append(x509.load_der_x509_certificate(der))
        except ValueError:
            raise ConfigError("x509: malformed certificate") from None
    return certs


def key_pair(cert_text: str, key_text: str):
    """Go's tls.X509KeyPair: its errors, its check that the key is the certificate's."""
    cblocks = _pem_blocks(cert_text)
    if not any(t == "CERTIFICATE" for t, _ in cblocks):
        if any(t.endswith("PRIVATE KEY") for t, _ in cblocks):
            raise ConfigError("tls: failed to find certificate PEM data in certificate input, but did find a "
                              "private key; PEM inputs may have been switched")
        raise ConfigError("tls: failed to find any PEM data in certificate input")
    kblocks = _pem_blocks(key_text)
    keys = [(t, d) for t, d in kblocks if t == "PRIVATE KEY" or t.endswith(" PRIVATE KEY")]
    if not keys:
        if any(t == "CERTIFICATE" for t, _ in kblocks):
            raise ConfigError("tls: found a certificate rather than a key in the PEM for the private key")
        raise ConfigError("tls: failed to find any PEM data in key input")
    certs = load_certs(cert_text)
    try:
        key = serialization.load_der_private_key(keys[0][1], password=None)
    except (ValueError, TypeError):
        raise ConfigError("tls: failed to parse private key") from None
    if key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != \
            certs[0].public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo):
        raise ConfigError("tls: private key does not match public key")
    return certs[0]


def client_config(ctx, opts: dict) -> dict:
    """newClientCfg: the files named by --cert/--key/--cacert, read and checked now."""
    for flag in ("cert", "key", "cacert"):
        if flag in opts and opts[flag] == "":
            raise ConfigError(f"empty string is passed to --{flag} option")
    cert, key, cacert = opts.get("cert") or "", opts.get("key") or "", opts.get("cacert") or ""
    out = {"tls": bool(cert or key or cacert), "client": None, "roots": None,
           "skip_verify": bool(opts.get("insecure-skip-tls-verify"))}
    if cert or key:
        if not (cert and key):
            raise ConfigError(f"KeyFile and CertFile must both be present[key: {key}, cert: {cert}]")
        ctext = _read(ctx, cert)
        ktext = _read(ctx, key)
        out["client"] = key_pair(ctext, ktext)
    if cacert:
        out["roots"] = load_certs(_read(ctx, cacert))
    return out


def _signed_by(cert, cas) -> bool:
    for ca in cas or []:
        try:
            cert.verify_directly_issued_by(ca)
            return True
        except Exception:  # noqa: BLE001 - any failure is "not this issuer"
            continue
    return False


def _client_auth(cert) -> bool:
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return oid.ExtendedKeyUsageOID.CLIENT_AUTH in eku


def node_read(ctx, node: str, path: str) -> str | None:
    """A file of `node` as this command line sees it (its own node's through the shell's files)."""
    if node == ctx.node and ctx.pod is None:
        return fs_of(ctx).read(path)
    return nodehost.read(ctx.view, node, path)


def etcd_server(ctx) -> dict | None:
    """Where the etcd static pod listens and with which files, from its manifest; None when the
    etcd pod is not running."""
    view = ctx.view
    m = members.control_plane_member(view)
    node = m["name"]
    pod = view.get("Pod", "kube-system", f"etcd-{node}")
    if pod is None or (pod.get("status") or {}).get("phase") != "Running":
        return None
    try:
        spec = yaml.safe_load(node_read(ctx, node, ETCD_MANIFEST) or "") or {}
        c = (spec.get("spec") or {}).get("containers")[0]
    except (yaml.YAMLError, AttributeError, TypeError, IndexError):
        return None
    args = {}
    for a in list(c.get("command") or []) + list(c.get("args") or []):
        if isinstance(a, str) and a.startswith("--") and "=" in a:
            k, v = a[2:].split("=", 1)
            args[k] = v
    return {"node": node, "ip": m["ip"], "cert": args.get("cert-file", ""), "trusted": args.get("trusted-ca-file", ""),
            "client_auth": args.get("client-cert-auth") == "true",
            "listen": args.get("listen-client-urls", f"https://127.0.0.1:{CLIENT_PORT},https://{m['ip']}:{CLIENT_PORT}")}


def split_endpoint(ep: str) -> tuple[str, str, int]:
    scheme = ""
    rest = ep
    if "://" in ep:
        scheme, rest = ep.split("://", 1)
    rest = rest.split("/", 1)[0]
    host, _, port = rest.rpartition(":")
    if not _:
        host, port = rest, "2379"
    host = host.strip("[]")
    try:
        p = int(port)
    except ValueError:
        p = 0
    return scheme, host, p


def dial(ctx, cfg: dict, ep: str) -> str | None:
    """None when the endpoint answers; else the transport error gRPC keeps as the last
    connection error (etcdctl then reports `context deadline exceeded`)."""
    scheme, host, port = split_endpoint(ep)
    srv = etcd_server(ctx)
    local = host in ("127.0.0.1", "localhost", "::1", "0.0.0.0")
    on_etcd_node = srv is not None and ((local and ctx.node == srv["node"]) or host == srv["ip"])
    if not on_etcd_node or port not in (CLIENT_PORT, PEER_PORT):
        addr = "127.0.0.1" if host == "localhost" else host
        return f'connection error: desc = "transport: Error while dialing: dial tcp {addr}:{port}: connect: connection refused"'
    use_tls = scheme == "https" or (scheme in ("", "unix") and cfg["tls"])
    if not use_tls:
        return 'connection error: desc = "error reading server preface: EOF"'
    if port == PEER_PORT:
        return 'connection error: desc = "error reading server preface: remote error: tls: bad certificate"'
    if not cfg["skip_verify"]:
        try:
            server_certs = load_certs(node_read(ctx, srv["node"], srv["cert"]) or "")
        except ConfigError:
            server_certs = []
        if not server_certs or not _signed_by(server_certs[0], cfg["roots"]):
            return ('connection error: desc = "transport: authentication handshake failed: tls: failed to verify '
                    'certificate: x509: certificate signed by unknown authority"')
    if srv["client_auth"]:
        if cfg["client"] is None:
            return 'connection error: desc = "error reading server preface: remote error: tls: certificate required"'
        try:
            trusted = load_certs(node_read(ctx, srv["node"], srv["trusted"]) or "")
        except ConfigError:
            trusted = []
        if not _signed_by(cfg["client"], trusted) or not _client_auth(cfg["client"]):
            return 'connection error: desc = "error reading server preface: remote error: tls: bad certificate"'
    return None


def target(ep: str) -> str:
    """grpc's target as etcd's client names it: etcd-endpoints://0xc...//host:port."""
    _, host, port = split_endpoint(ep)
    return f"etcd-endpoints://0xc000{zlib.crc32(ep.encode()) % 0xFFFFFF:06x}/{host}:{port}"


def retry_warning(now: float, ep: str, detail: str) -> str:
    return json_log(now + 5, "warn", "v3/retry_interceptor.go:63", "retrying of unary invoker failed",
                    logger="etcd-client", target=target(ep), attempt=0,
                    error=f"rpc error: code = DeadlineExceeded desc = latest balancer error: last connection error: {detail}")
