"""The simulated chart repositories (minikctl/data/helm): which repository URL serves which
charts and versions, loading a chart version's files, and helm's search over them."""
from __future__ import annotations

import functools
import os

from minikctl.helm import HelmError
import io
import re
import tarfile
from minikctl import lazy

helm_numbers = lazy.function("minikctl.helm.values", "helm_numbers")
semver_compare = lazy.function("minikctl.helm.funcs", "semver_compare")
tempfile = lazy.module("tempfile")
to_yaml = lazy.function("minikctl.printers.serialize", "to_yaml")
yaml = lazy.module("yaml")

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "helm")


@functools.lru_cache(maxsize=1)
def catalogue() -> dict:
    with open(os.path.join(DATA, "repositories.yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


def repo_for_url(url: str) -> str | None:
    for name, repo in catalogue().items():
        if repo["url"].rstrip("/") == url.rstrip("/"):
            return name
    return None


def versions(url: str, chart: str) -> list[dict]:
    for repo in catalogue().values():
        if repo["url"].rstrip("/") == url.rstrip("/"):
            return list((repo["charts"].get(chart) or {}).get("versions") or [])
    return []


def description(url: str, chart: str) -> str:
    for repo in catalogue().values():
        if repo["url"].rstrip("/") == url.rstrip("/"):
            return (repo["charts"].get(chart) or {}).get("description", "")
    return ""


def chart_names(url: str) -> list[str]:
    for repo in catalogue().values():
        if repo["url"].rstrip("/") == url.rstrip("/"):
            return sorted(repo["charts"])
    return []


class Chart:
    """A chart version: metadata (Chart.yaml), default values, and template files by
    chart-relative path (`nginx/templates/deployment.yaml`)."""

    def __init__(self, metadata: dict, values: dict, templates: dict[str, str], raw_values: str):
        self.metadata = metadata
        self.values = values
        self.templates = templates
        self.raw_values = raw_values

    @property
    def name(self) -> str:
        return self.metadata["name"]

    @property
    def version(self) -> str:
        return str(self.metadata["version"])

    @property
    def app_version(self) -> str:
        return str(self.metadata.get("appVersion", ""))


def _deep_merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _deep_merge(out[k], v) if isinstance(out.get(k), dict) and isinstance(v, dict) else v
    return out


def load_dir(path: str, entry: dict | None = None) -> Chart:
    """A chart directory on disk (the simulated repository's, or a learner's own `helm create`d
    chart) as helm loads it."""
    try:
        with open(os.path.join(path, "Chart.yaml"), encoding="utf-8") as f:
            meta = yaml.safe_load(f) or {}
    except FileNotFoundError:
        raise HelmError(f"Chart.yaml file is missing") from None
    raw = ""
    vpath = os.path.join(path, "values.yaml")
    if os.path.exists(vpath):
        with open(vpath, encoding="utf-8") as f:
            raw = f.read()
    values = helm_numbers(yaml.safe_load(raw) or {})
    if entry:
        meta = dict(meta, version=str(entry["version"]), appVersion=str(entry.get("appVersion", meta.get("appVersion"))))
        if entry.get("values"):
            values = _deep_merge(values, helm_numbers(entry["values"]))
            raw = _patch_raw_values(raw, entry["values"])
    meta["version"] = str(meta.get("version", ""))
    if "appVersion" in meta:
        meta["appVersion"] = str(meta["appVersion"])
    templates: dict[str, str] = {}
    tdir = os.path.join(path, "templates")
    for root, dirs, files in os.walk(tdir):
        dirs.sort()
        for fn in sorted(files):
            full = os.path.join(root, fn)
            rel = os.path.relpath(full, path).replace(os.sep, "/")
            with open(full, encoding="utf-8") as f:
                templates[f"{meta['name']}/{rel}"] = f.read()
    return Chart(meta, values, templates, raw)


def _patch_raw_values(raw: str, over: dict) -> str:
    """The values.yaml text of a version whose image tag differs: the changed scalar lines."""
    out = raw
    for k, v in over.items():
        if isinstance(v, dict):
            for k2, v2 in v.items():
                out = re.sub(rf"(?m)^(\s+{re.escape(k2)}:\s*).*$", lambda m: m.group(1) + str(v2), out, count=1)
    return out


def load(url: str, chart: str, version: str | None, repo_name: str) -> Chart:
    vs = versions(url, chart)
    if not vs:
        raise HelmError(f"chart \"{chart}\" matching {version or ''} not found in {repo_name} index. "
                        "(try 'helm repo update'): no chart name found")
    entry = vs[0]
    if version:
        hits = [v for v in vs if _version_matches(version, str(v["version"]))]
        if not hits:
            raise HelmError(f"chart \"{chart}\" matching {version} not found in {repo_name} index. "
                            f"(try 'helm repo update'): no chart version found for {chart}-{version}")
        entry = hits[0]
    return load_dir(os.path.join(DATA, "charts", entry["dir"]), entry)


def _version_matches(constraint: str, version: str) -> bool:
    c = constraint.strip()
    if c[:1].isdigit() or c.startswith("v"):
        return c.lstrip("v") == version
    try:
        return semver_compare(c, version)
    except Exception:  # noqa: BLE001 - an unreadable constraint matches nothing
        return False


def to_files(chart: Chart) -> dict[str, bytes]:
    """The chart as the files of its directory (`nginx/Chart.yaml`, `nginx/templates/...`), as
    `helm pull` writes them."""
    out = {f"{chart.name}/Chart.yaml": to_yaml(chart.metadata).encode(),
           f"{chart.name}/values.yaml": chart.raw_values.encode()}
    for path, text in chart.templates.items():
        out[path] = text.encode()
    return out


def to_tgz(chart: Chart, mtime: float) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for path, data in sorted(to_files(chart).items()):
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(data), int(mtime), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def load_tgz(path: str) -> Chart:
    """A packaged chart (`helm pull` without --untar): unpacked in memory, loaded as a directory."""
    try:
        with tarfile.open(path, "r:gz") as tar, tempfile.TemporaryDirectory() as tmp:
            names = [m for m in tar.getmembers() if m.isfile() and not m.name.startswith(("/", "..")) and
                     ".." not in m.name.split("/")]
            for m in names:
                dest = os.path.join(tmp, m.name)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with open(dest, "wb") as f:
                    f.write(tar.extractfile(m).read())
            tops = sorted({m.name.split("/", 1)[0] for m in names})
            if not tops:
                raise HelmError("chart archive is empty")
            return load_dir(os.path.join(tmp, tops[0]))
    except (tarfile.TarError, OSError, EOFError) as e:
        raise HelmError(f"file '{path}' does not appear to be a gzipped archive; got '{e}'") from None
