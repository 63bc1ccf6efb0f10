"""The simulated image registries: does a pull of this reference succeed, and if not, what does
containerd say?

Why data plus a small matcher: a typo'd tag (`nginx:1.277`) or repository (`ngnix`) is a classic
troubleshooting task, so some pulls must fail, and fail with containerd's exact words. The
repositories and their tags live in minikctl/data/registry.yaml; this module only matches.

Three failures, as containerd (CRI) reports them to the kubelet:
* a known repository without that tag -> NotFound, `<ref>: not found`;
* a repository missing on a host that asks for credentials first (docker.io, ghcr.io) -> the
  registry's `pull access denied ... insufficient_scope` (it cannot tell "missing" from "private");
  on the other known hosts (registry.k8s.io, quay.io...) -> NotFound as above;
* a host we do not know (`myregistry.example.com`) -> it does not resolve from the node: the HEAD of
  the manifest fails with `dial tcp: lookup <host> on 127.0.0.53:53: no such host` (the nodes run
  systemd-resolved). A learner's private registry is, in the simulation, unreachable: that is
  what a typo'd or unconfigured registry host does on a real cluster too.
Digests (`@sha256:...`) are not checked: a known repository serves any digest.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "registry.yaml"
NODE_RESOLVER = "127.0.0.53:53"
CRI = "rpc error: code = {code} desc = failed to pull and unpack image \"{ref}\": failed to resolve reference \"{ref}\": {why}"


@lru_cache(maxsize=1)
def _data() -> dict:
    import yaml
    return yaml.safe_load(DATA.read_text())


def parse(image: str) -> tuple[str, str, str, str]:
    """(host, path, tag, digest) as containerd normalizes a reference: `nginx` is
    docker.io/library/nginx:latest; a first segment with a dot or colon (or `localhost`) is a host."""
    ref, _, digest = image.partition("@")
    first, _, rest = ref.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        host, path = first, rest
    else:
        host, path = "docker.io", ref
        if "/" not in path:
            path = "library/" + path
    tag = ""
    if ":" in path.rsplit("/", 1)[-1]:
        path, tag = path.rsplit(":", 1)
    if not tag and not digest:
        tag = "latest"
    return host, path, tag, digest


def full_ref(image: str) -> str:
    """docker.io/library/nginx:1.27 for `nginx:1.27`: the name containerd prints."""
    host, path, tag, digest = parse(image)
    out = f"{host}/{path}"
    if tag:
        out += ":" + tag
    if digest:
        out += "@" + digest
    return out


def _nums(text: str) -> tuple[int, ...] | None:
    parts = text.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else None


def _in_series(version: tuple[int, ...], series: dict) -> bool:
    """Does a numeric version belong to a release series {minor: "A.B-C.D", patch: N, major: bool}?"""
    lo_s, _, hi_s = str(series["minor"]).partition("-")
    lo, hi = _nums(lo_s), _nums(hi_s or lo_s)
    patch = int(series.get("patch", 0))
    if lo is None or hi is None:
        return False
    if len(lo) == 1:                       # a series of majors: 35, 36, ... 41 (and 35.1 if patch >= 0)
        if len(version) == 1:
            return lo[0] <= version[0] <= hi[0]
        return len(version) == 2 and patch >= 0 and lo[0] <= version[0] <= hi[0] and version[1] <= patch
    if len(version) == 1:
        return bool(series.get("major")) and lo[0] <= version[0] <= hi[0]
    top_minor = max(lo[1], hi[1]) if lo[0] == hi[0] else 20
    if not (lo <= version[:2] <= hi and version[1] <= top_minor):
        return False
    if len(version) == 2:
        return True
    return len(version) == 3 and patch >= 0 and version[2] <= patch


def _has_tag(repo: dict, tag: str) -> bool:
    if repo.get("any_tag") or tag in (repo.get("tags") or []):
        return True
    variants = repo.get("variants") or []
    if tag in variants:
        return True
    for series in repo.get("versions") or []:
        t = tag
        prefix = series.get("prefix", "")
        if prefix:
            if not t.startswith(prefix):
                continue
            t = t[len(prefix):]
        ver, sep, variant = t.partition("-")
        if sep and variant not in variants:
            continue
        nums = _nums(ver)
        if nums and _in_series(nums, series):
            return True
    return False


def resolve(image: str) -> tuple[bool, str]:
    """(True, "") when the image pulls; else (False, containerd's error as the kubelet shows it)."""
    host, path, tag, digest = parse(image)
    data = _data()
    ref = full_ref(image)
    repo = (data.get("repositories") or {}).get(f"{host}/{path}")
    if repo is not None:
        if digest or _has_tag(repo, tag):
            return True, ""
        return False, CRI.format(code="NotFound", ref=ref, why=f"{ref}: not found")
    hinfo = (data.get("hosts") or {}).get(host)
    if hinfo is None:
        name = host.split(":")[0]
        url = f"https://{host}/v2/{path}/manifests/{digest or tag}"
        why = f"failed to do request: Head \"{url}\": dial tcp: lookup {name} on {NODE_RESOLVER}: no such host"
        return False, CRI.format(code="Unknown", ref=ref, why=why)
    if hinfo.get("missing") == "denied":
        why = ("pull access denied, repository does not exist or may require authorization: "
               "server message: insufficient_scope: authorization failed")
        return False, CRI.format(code="Unknown", ref=ref, why=why)
    return False, CRI.format(code="NotFound", ref=ref, why=f"{ref}: not found")
