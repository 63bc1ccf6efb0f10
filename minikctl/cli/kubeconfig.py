"""The kubeconfig facts minikctl keeps, stored with the cluster state: the admin context's
namespace (`config set-context --current --namespace`), the users `config set-credentials` adds
(client certificate and key, as paths or embedded), the contexts `config set-context` makes, and
the current context (`config use-context`).

A context other than kubernetes-admin's acts as its user: the client certificate's CN and O are
the user and groups (when the cluster CA signed it), as the apiserver's x509 authenticator reads
them; RBAC then decides what that user may do.
"""
from __future__ import annotations

import json
import base64

ADMIN_CONTEXT = "kubernetes-admin@kubernetes"
ADMIN_USER = "kubernetes-admin"
CLUSTER = "kubernetes"


def _path(env):
    return env.home / "config.json"


def load(env) -> dict:
    try:
        return json.loads(_path(env).read_text())
    except (OSError, ValueError):
        return {}


def save(env, data: dict) -> None:
    env.home.mkdir(parents=True, exist_ok=True)
    _path(env).write_text(json.dumps(data))


def contexts(data: dict) -> dict[str, dict]:
    """name -> {cluster, user, namespace}: kubeadm's admin context first, then those made."""
    out = {ADMIN_CONTEXT: {"cluster": CLUSTER, "user": ADMIN_USER,
                           **({"namespace": data["namespace"]} if data.get("namespace") else {})}}
    out.update(data.get("contexts") or {})
    return out


def current_context(env) -> str:
    """--context wins over the kubeconfig's current-context."""
    return getattr(env, "context", None) or load(env).get("current") or ADMIN_CONTEXT


def current_namespace(env) -> str | None:
    data = load(env)
    return contexts(data).get(current_context(env), {}).get("namespace") or None


def current_user_name(env) -> str:
    data = load(env)
    return contexts(data).get(current_context(env), {}).get("user") or ""


def user_entry(env, name: str) -> dict | None:
    return (load(env).get("users") or {}).get(name)


def client_certificate(entry: dict) -> bytes | None:
    if entry.get("client-certificate-data"):
        return base64.b64decode(entry["client-certificate-data"])
    path = entry.get("client-certificate")
    if path:
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError:
            return None
    return None
