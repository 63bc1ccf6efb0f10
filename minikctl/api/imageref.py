"""Container image references, `[registry[:port]/]path[:tag][@digest]`, taken apart once.

Why one module: the kubelet (which images serve which ports), kube-proxy's backends (nginx's
version header), kubectl's generators (container names), the defaulting (imagePullPolicy) and the
simulated images (busybox's applet set) all read the same parts of the same string.
"""
from __future__ import annotations


def base_name(ref: str) -> str:
    """The last path segment without tag or digest: 'nginx' of 'docker.io/library/nginx:1.27@sha256:...'."""
    last = ref.rsplit("/", 1)[-1]
    return last.split("@", 1)[0].split(":", 1)[0]


def tag(ref: str) -> str:
    """The tag ('' when there is none); a registry's port is not a tag and a digest is dropped."""
    last = ref.split("@", 1)[0].rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else ""


def version(tag_: str) -> tuple[int, ...]:
    """The leading numeric release of a tag: (1, 28) of '1.28', (1, 36, 1) of '1.36.1-glibc'."""
    out = []
    for part in tag_.split("-")[0].split("."):
        if not part.isdigit():
            break
        out.append(int(part))
    return tuple(out)
