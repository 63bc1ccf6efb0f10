"""The serving certificate. kubectl sends a bearer token only over TLS (client-go drops
credentials on plain http://), so the server speaks HTTPS with a self-signed certificate that
the kubeconfig trusts as its certificate-authority-data.

The standard library cannot make certificates; the `openssl` command does, once per state
directory (kept in <home>/pki, regenerated when the served address is not in its SANs).
"""
from __future__ import annotations

import ipaddress
import shutil
import subprocess
from pathlib import Path

from minikctl.api.errors import CliError
from minikctl import lazy

ca = lazy.module("minikctl.sim.ca")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
ssl = lazy.module("ssl")


def _sans(address: str) -> list[str]:
    out = ["IP:127.0.0.1", "DNS:localhost"]
    for a in (address,):
        if a in ("", "0.0.0.0", "::", "127.0.0.1", "localhost"):
            continue
        try:
            ipaddress.ip_address(a)
            out.append(f"IP:{a}")
        except ValueError:
            out.append(f"DNS:{a}")
    return out


def ensure_cert(home: Path, address: str = "127.0.0.1") -> tuple[Path, Path]:
    """(certificate, key) paths, made if missing or if they do not name `address`."""
    pki = Path(home) / "pki"
    crt, key, sans_file = pki / "apiserver.crt", pki / "apiserver.key", pki / "apiserver.sans"
    sans = ",".join(_sans(address))
    if crt.exists() and key.exists() and sans_file.exists() and sans_file.read_text() == sans:
        return crt, key
    openssl = shutil.which("openssl")
    if openssl is None:
        raise CliError("serve needs the openssl command to make its TLS certificate (kubectl sends tokens only "
                       "over https); install openssl")
    pki.mkdir(parents=True, exist_ok=True, mode=0o700)
    cmd = [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
           "-keyout", str(key), "-out", str(crt), "-days", "3650", "-subj", "/CN=minikctl-apiserver",
           "-addext", f"subjectAltName={sans}", "-addext", "basicConstraints=critical,CA:TRUE",
           "-addext", "keyUsage=critical,digitalSignature,keyCertSign",
           "-addext", "extendedKeyUsage=serverAuth"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise CliError(f"openssl could not make the serving certificate: {r.stderr.strip()}")
    key.chmod(0o600)
    sans_file.write_text(sans)
    return crt, key


def client_ca(env) -> str | None:
    """The cluster CA (sim/ca.py, made now if the cluster has none) that client certificates
    are verified against: a user whose CSR was approved authenticates with its certificate."""
    with open_cluster(env) as cluster:
        ca.ensure(cluster)
        return cluster.meta[ca.META]["cert"]


def context(crt: Path, key: Path, client_ca: str | None = None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(crt), str(key))
    if client_ca:
        ctx.load_verify_locations(cadata=client_ca)
        ctx.verify_mode = ssl.CERT_OPTIONAL
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx
