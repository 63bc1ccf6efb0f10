"""The simulated image registries: does a pull of this reference succeed, how big is the image,
what is its digest, and if the pull fails, what does containerd say?

Why data plus a small matcher: a typo'd tag (`nginx:1.277`) or repository (`ngnix`) is a classic
troubleshooting task, so some pulls must fail, and fail with containerd's exact words, while any
other image a learner copies from a tutorial must pull. The knowledge lives in
minikctl/data/registry.yaml (hosts, well-known repositories with their real tags and sizes) and
minikctl/data/internet.yaml (which registry hosts resolve); this module only matches.

The decisions, in order (containerd 1.6's resolver as the kubelet reports it, CRI.format):
* the reference does not parse (distribution/reference's grammar) -> InvalidImageName (the
  kubelet refuses it before containerd sees it: `invalid_reference`);
* a well-known repository without that tag -> NotFound, `<ref>: not found`;
* on a public host, a repository within `typo_distance` edits of a well-known one is missing:
  Docker Hub answers `pull access denied ... insufficient_scope` (it cannot tell missing from
  private), the others NotFound; any other repository on a public host pulls, with any tag;
* a private registry (`private` patterns) without credentials for it: the anonymous token
  request's 401/403, or the manifest HEAD's 401;
* any other host: it must resolve from the node (127.0.0.53, systemd-resolved, over the
  simulated Internet): else `no such host`; a host that resolves but runs no registry we know
  asks for credentials like the catch-all private entry; localhost refuses the connection.
Digests (`@sha256:...`) are not checked: a repository that exists serves any digest.
Sizes and digests are derived from the reference (sha256), so one reference always reports the
same size and imageID, on every node, in every run.
"""
from __future__ import annotations

import fnmatch
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote
from minikctl import lazy

internet = lazy.module("minikctl.net.internet")
yaml = lazy.module("yaml")

DATA = Path(__file__).resolve().parent.parent / "data" / "registry.yaml"
NODE_RESOLVER = "127.0.0.53:53"
CRI = "rpc error: code = {code} desc = failed to pull and unpack image \"{ref}\": failed to resolve reference \"{ref}\": {why}"
DENIED = ("pull access denied, repository does not exist or may require authorization: server message: "
          "insufficient_scope: authorization failed")

# distribution/reference (reference/regexp.go), anchored
_ALNUM = r"[a-z0-9]+"
_SEP = r"(?:[._]|__|[-]+)"
_COMPONENT = rf"{_ALNUM}(?:{_SEP}{_ALNUM})*"
_DOMAIN_COMP = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMP}(?:\.{_DOMAIN_COMP})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
REFERENCE = re.compile(rf"^((?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*)(?::({_TAG}))?(?:@({_DIGEST}))?$")
IDENTIFIER = re.compile(r"^[a-f0-9]{64}$")


@lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.load(DATA.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# --- parsing ----------------------------------------------------------------------------------

def parse_error(image: str) -> str | None:
    """Why the kubelet cannot parse the reference (reference.ParseNormalizedNamed's error), or None."""
    if IDENTIFIER.match(image):
        return f"invalid repository name ({image}), cannot specify 64-byte hexadecimal strings"
    m = REFERENCE.match(image)
    if m is None:
        if REFERENCE.match(image.lower()):
            return "invalid reference format: repository name must be lowercase"
        return "invalid reference format"
    if len(m.group(1)) > 255:
        return "repository name must not be more than 255 characters"
    return None


def invalid_message(image: str) -> str | None:
    """The kubelet's text for an image it cannot parse (image_manager.go applyDefaultImageTag)."""
    why = parse_error(image)
    if why is None:
        return None
    return f'Failed to apply default image tag "{image}": couldn\'t parse image name "{image}": {why}'


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
    if host == "index.docker.io":
        host = "docker.io"
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


def repository(image: str) -> str:
    host, path, _, _ = parse(image)
    return f"{host}/{path}"


# --- tags of well-known repositories -----------------------------------------------------------

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


# --- typos --------------------------------------------------------------------------------------

def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
    neighbours (`ngnix` is one swap from `nginx`)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def near_miss(repo: str) -> str | None:
    """The well-known repository `repo` (host/path) is probably a typo of, or None."""
    data = _data()
    known = data.get("repositories") or {}
    if repo in known:
        return None
    host, _, path = repo.partition("/")
    limit = int(data.get("typo_distance", 2))
    best = None
    for k in known:
        khost, _, kpath = k.partition("/")
        if khost != host:
            continue
        last, klast = path.rsplit("/", 1)[-1], kpath.rsplit("/", 1)[-1]
        lim = 1 if min(len(last), len(klast)) <= 4 else limit
        d = edit_distance(path, kpath)
        if 0 < d <= lim and (best is None or d < best[0]):
            best = (d, k)
    return best[1] if best else None


# --- hosts --------------------------------------------------------------------------------------

def private_entry(host: str) -> dict | None:
    name = host.split(":")[0]
    for entry in _data().get("private") or []:
        if entry.get("match") != "*" and fnmatch.fnmatch(name, entry["match"]):
            return entry
    return None


def _catch_all() -> dict:
    return next((e for e in _data().get("private") or [] if e.get("match") == "*"),
                {"status": "401 Unauthorized"})


def _unauthorized(entry: dict, host: str, path: str, tag: str, digest: str, ref: str) -> str:
    if entry.get("token"):
        url = entry["token"].format(host=host, repo=quote(path, safe=""))
        why = f"failed to authorize: failed to fetch anonymous token: unexpected status from GET request to {url}: {entry['status']}"
    else:
        why = f"pulling from host {host} failed with status code [manifests {digest or tag}]: {entry['status']}"
    return CRI.format(code="Unknown", ref=ref, why=why)


def _host_resolves(host: str, upstream: dict | None) -> bool:
    name = host.split(":")[0].lower()
    if name in {k.lower().rstrip(".") for k in (upstream or {})}:
        return True
    return internet.exists(name)


# --- the pull -------------------------------------------------------------------------------------

def resolve(image: str, *, auth_hosts=(), upstream: dict | None = None) -> tuple[bool, str]:
    """(True, "") when the image pulls; else (False, containerd's error as the kubelet shows it).

    auth_hosts: the registry hosts the pod's imagePullSecrets hold credentials for;
    upstream: the profile's pinned upstream records (names the nodes' resolver knows)."""
    host, path, tag, digest = parse(image)
    data = _data()
    ref = full_ref(image)
    repo = (data.get("repositories") or {}).get(f"{host}/{path}")
    if repo is not None:
        if digest or _has_tag(repo, tag):
            return True, ""
        return False, CRI.format(code="NotFound", ref=ref, why=f"{ref}: not found")
    hinfo = (data.get("hosts") or {}).get(host)
    if hinfo is not None:
        if near_miss(f"{host}/{path}") is None:
            return True, ""
        if hinfo.get("missing") == "denied":
            return False, CRI.format(code="Unknown", ref=ref, why=DENIED)
        return False, CRI.format(code="NotFound", ref=ref, why=f"{ref}: not found")
    name = host.split(":")[0]
    authed = host in auth_hosts or name in auth_hosts
    entry = private_entry(host)
    if entry is not None:
        return (True, "") if authed else (False, _unauthorized(entry, host, path, tag, digest, ref))
    url = f"https://{host}/v2/{path}/manifests/{digest or tag}"
    if name in ("localhost", "127.0.0.1") or name.startswith("127."):
        port = host.split(":")[1] if ":" in host else "443"
        url = url.replace("https://", "http://", 1)
        why = f"failed to do request: Head \"{url}\": dial tcp 127.0.0.1:{port}: connect: connection refused"
        return False, CRI.format(code="Unknown", ref=ref, why=why)
    if not _host_resolves(host, upstream):
        why = f"failed to do request: Head \"{url}\": dial tcp: lookup {name} on {NODE_RESOLVER}: no such host"
        return False, CRI.format(code="Unknown", ref=ref, why=why)
    if authed:
        return True, ""
    return False, _unauthorized(_catch_all(), host, path, tag, digest, ref)


def _hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


def size_bytes(image: str) -> int:
    """The image's size as the kubelet reports it ("Image size: N bytes"): the repository's size
    from the data (MB) varied by up to +-8% per tag, or 4-180 MB from the reference alone."""
    repo_name = repository(image)
    ref = full_ref(image)
    h = _hash("size:" + ref)
    repo = (_data().get("repositories") or {}).get(repo_name) or {}
    if repo.get("size") is not None:
        base = float(repo["size"]) * 1_000_000
        return max(1_000, int(base * (1 + ((h % 1601) - 800) / 10_000)))
    return 4_000_000 + h % 176_000_000


def digest(image: str) -> str:
    """sha256:<64 hex>, the repo digest of the reference (stable per reference)."""
    host, path, tag, dg = parse(image)
    if dg.startswith("sha256:") and len(dg) == 71:
        return dg
    return "sha256:" + hashlib.sha256(f"minikctl-image:{host}/{path}:{tag}".encode()).hexdigest()


def image_id(image: str) -> str:
    """The container status's imageID: docker.io/library/nginx@sha256:..."""
    return f"{repository(image)}@{digest(image)}"
