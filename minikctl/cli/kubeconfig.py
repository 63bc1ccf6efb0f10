"""The few kubeconfig facts minikctl keeps: the current context's namespace (`config
set-context --current --namespace`), stored with the cluster state."""
from __future__ import annotations

import json


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


def current_namespace(env) -> str | None:
    return load(env).get("namespace")
