"""nginx (Debian-based) and generic images: coreutils-style basics and dash, no DNS tools.

Why: `kubectl exec nginx -- nslookup x` fails on a real cluster (no such executable); learners
must meet that message rather than a made-up answer.
"""
from __future__ import annotations

from minikctl.images.base import base_tools
from minikctl.images.shell import make_sh

NGINX_ENV = [("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
             ("NGINX_VERSION", "1.27.3"), ("NJS_VERSION", "0.8.7"), ("NJS_RELEASE", "1~bookworm"),
             ("PKG_RELEASE", "1~bookworm")]
DEBIAN_ROOT = ["bin", "boot", "dev", "docker-entrypoint.d", "docker-entrypoint.sh", "etc", "home", "lib",
               "lib64", "media", "mnt", "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var"]


def tools() -> dict:
    t = base_tools("coreutils", NGINX_ENV, DEBIAN_ROOT)
    t["sh"] = make_sh("dash")
    return t


def generic_tools() -> dict:
    t = base_tools("coreutils", None, [d for d in DEBIAN_ROOT if not d.startswith("docker")])
    t["sh"] = make_sh("dash")
    return t
