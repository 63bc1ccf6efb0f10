"""A kubeconfig for the real kubectl: cluster, user and context all named `minikctl`, the
server's self-signed certificate as the trusted CA and the cluster's bearer token."""
from __future__ import annotations

import base64
import os
from pathlib import Path
from minikctl import lazy

state = lazy.module("minikctl.apiserver.state")
tls = lazy.module("minikctl.apiserver.tls")
yaml = lazy.module("yaml")

NAME = "minikctl"


def server_url(address: str, port: int) -> str:
    host = "127.0.0.1" if address in ("0.0.0.0", "") else address
    host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"https://{host}:{port}"


def document(env, address: str = "127.0.0.1", port: int = 6443) -> dict:
    crt, _key = tls.ensure_cert(env.home, address)
    ca = base64.b64encode(Path(crt).read_bytes()).decode()
    return {"apiVersion": "v1", "kind": "Config", "preferences": {},
            "clusters": [{"name": NAME, "cluster": {"server": server_url(address, port),
                                                    "certificate-authority-data": ca}}],
            "users": [{"name": NAME, "user": {"token": state.token(env)}}],
            "contexts": [{"name": NAME, "context": {"cluster": NAME, "user": NAME}}],
            "current-context": NAME}


def _merge(old: dict, new: dict) -> dict:
    out = dict(old) if isinstance(old, dict) else {}
    for key in ("clusters", "users", "contexts"):
        kept = [e for e in out.get(key) or [] if isinstance(e, dict) and e.get("name") != NAME]
        ctx_ns = None
        if key == "contexts":
            prev = next((e for e in out.get(key) or [] if isinstance(e, dict) and e.get("name") == NAME), None)
            ctx_ns = ((prev or {}).get("context") or {}).get("namespace")
        entries = [dict(e) for e in new[key]]
        if ctx_ns:
            entries[0]["context"] = dict(entries[0]["context"], namespace=ctx_ns)
        out[key] = kept + entries
    for key in ("apiVersion", "kind"):
        out[key] = new[key]
    out.setdefault("preferences", {})
    out["current-context"] = NAME
    return out


def render(doc: dict) -> str:
    return yaml.safe_dump(doc, default_flow_style=False, sort_keys=True)


def write(env, path: Path, address: str = "127.0.0.1", port: int = 6443) -> Path:
    """Write (or merge into) the kubeconfig at path, 0600, with minikctl as current context."""
    path = Path(path).expanduser()
    new = document(env, address, port)
    try:
        old = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError):
        old = {}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(render(_merge(old, new)))
    return path
