"""Helm 3 releases over the simulated apiserver: rendering a chart into a release, storing it as
Helm 3's secrets driver does (Secret `sh.helm.release.v1.NAME.vN`, type helm.sh/release.v1,
labels name/owner/status/version, data.release = base64(gzip(JSON))), and the install / upgrade
/ rollback / uninstall actions that create, patch and delete the release's objects."""
from __future__ import annotations

import base64
import copy
import datetime
import gzip
import json
import re

from minikctl.helm import HelmError
from minikctl.api.errors import ApiError, CliError
from minikctl import lazy

Engine = lazy.function("minikctl.helm.engine", "Engine")
coalesce = lazy.function("minikctl.helm.values", "coalesce")
kinds = lazy.module("minikctl.api.kinds")
merge = lazy.function("minikctl.api.apply", "merge")
server = lazy.module("minikctl.api.server")
yaml = lazy.module("yaml")
_go_yaml_message = lazy.function("minikctl.api.manifests", "_go_yaml_message")

INSTALL_ORDER = ["PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
                 "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
                 "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
                 "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding",
                 "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet",
                 "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
                 "APIService"]
KUBE_VERSION = "v1.32.4"


# ------------------------------------------------------------------ time, as Go prints it

def go_time_json(t: float) -> str:
    """time.Time's JSON: RFC 3339 with nanoseconds, trailing zeros dropped."""
    dt = datetime.datetime.fromtimestamp(t, tz=datetime.timezone.utc)
    frac = f"{dt.microsecond:06d}000".rstrip("0")
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (("." + frac) if frac else "") + "Z"


def parse_go_time(s: str) -> float:
    if not s or s.startswith("0001-"):
        return 0.0
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z", s)
    base = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return base.timestamp() + (float("0." + m.group(2)) if m.group(2) else 0.0)


def go_time_string(t: float) -> str:
    """time.Time.String() in UTC: 2026-12-05 23:10:00.123456789 +0000 UTC."""
    dt = datetime.datetime.fromtimestamp(t, tz=datetime.timezone.utc)
    frac = f"{dt.microsecond:06d}000".rstrip("0")
    return dt.strftime("%Y-%m-%d %H:%M:%S") + (("." + frac) if frac else "") + " +0000 UTC"


def ansic(t: float) -> str:
    dt = datetime.datetime.fromtimestamp(t, tz=datetime.timezone.utc)
    return f"{dt:%a %b} {dt.day:2d} {dt:%H:%M:%S %Y}"


# ------------------------------------------------------------------ storage

def secret_name(name: str, version: int) -> str:
    return f"sh.helm.release.v1.{name}.v{version}"


def encode(rel: dict) -> str:
    raw = json.dumps(rel, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode()


def decode(data: str) -> dict:
    raw = base64.b64decode(data)
    if raw[:3] == b"\x1f\x8b\x08":
        raw = gzip.decompress(raw)
    return json.loads(raw)


def releases(cluster, namespace: str | None, name: str | None = None) -> list[dict]:
    """Every stored revision (all namespaces when namespace is None), oldest first."""
    out = []
    for s in cluster.list("Secret", namespace):
        if s.get("type") != "helm.sh/release.v1":
            continue
        labels = s["metadata"].get("labels") or {}
        if labels.get("owner") != "helm" or (name and labels.get("name") != name):
            continue
        try:
            rel = decode(base64.b64decode(s["data"]["release"]).decode())
        except (KeyError, ValueError):
            continue
        out.append(rel)
    out.sort(key=lambda r: (r.get("namespace", ""), r.get("name", ""), r.get("version", 0)))
    return out


def history(cluster, namespace: str, name: str) -> list[dict]:
    return [r for r in releases(cluster, namespace, name)]


def last(cluster, namespace: str, name: str) -> dict | None:
    h = history(cluster, namespace, name)
    return h[-1] if h else None


def _secret(rel: dict, now: float, created: str | None = None, modified: bool = False) -> dict:
    labels = {"name": rel["name"], "owner": "helm", "status": rel["info"]["status"],
              "version": str(rel["version"]), "createdAt": created or str(int(now))}
    if modified:
        labels["modifiedAt"] = str(int(now))
    return {"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": secret_name(rel["name"], rel["version"]), "namespace": rel["namespace"],
                         "labels": labels},
            "type": "helm.sh/release.v1",
            "data": {"release": base64.b64encode(encode(rel).encode()).decode()}}


def store(cluster, rel: dict, now: float) -> None:
    name = secret_name(rel["name"], rel["version"])
    live = cluster.get("Secret", rel["namespace"], name)
    if live is None:
        server.create(cluster, _secret(rel, now))
    else:
        new = _secret(rel, now, (live["metadata"].get("labels") or {}).get("createdAt"), modified=True)
        obj = copy.deepcopy(live)
        obj["metadata"]["labels"] = new["metadata"]["labels"]
        obj["data"] = new["data"]
        server.update(cluster, obj, live)


# ------------------------------------------------------------------ rendering

def split_manifests(text: str) -> list[str]:
    docs = re.split(r"(?:^|\s*\n)---\s*", text.strip())
    return [d.strip() for d in docs if d.strip()]


def render(chart, user_values: dict, name: str, namespace: str, revision: int, is_upgrade: bool, rng=None):
    """(manifest text as helm stores it, notes, [(source path, object)] in install order)."""
    values = coalesce(chart.values, user_values)
    ctx = {
        "Values": values,
        "Release": {"Name": name, "Namespace": namespace, "IsUpgrade": is_upgrade, "IsInstall": not is_upgrade,
                    "Revision": revision, "Service": "Helm"},
        "Chart": {_cap(k): v for k, v in chart.metadata.items()},
        "Capabilities": {"KubeVersion": {"Version": KUBE_VERSION, "Major": "1", "Minor": "32",
                                         "GitVersion": KUBE_VERSION},
                         "HelmVersion": {"Version": "v3.16.4"}},
        "Files": {},
    }
    files = Engine(chart.templates, rng).render(ctx)
    notes = ""
    docs: list[tuple[str, str]] = []
    for path in sorted(files):
        if path.endswith("NOTES.txt"):
            if path == f"{chart.name}/templates/NOTES.txt":
                notes = files[path]
            continue
        for doc in split_manifests(files[path]):
            docs.append((path, doc))
    parsed = []
    for path, doc in docs:
        try:
            obj = yaml.safe_load(doc)
        except yaml.YAMLError as e:
            raise HelmError(f"YAML parse error on {path}: error converting YAML to JSON: {_go_yaml_message(e)}") \
                from None
        if obj is None:
            continue
        if not isinstance(obj, dict):
            raise HelmError(f"YAML parse error on {path}: error unmarshaling JSON: json: cannot unmarshal "
                            "array into Go value of type releaseutil.SimpleHead")
        parsed.append((path, doc, obj))

    def rank(item):
        kind = item[2].get("kind", "")
        return INSTALL_ORDER.index(kind) if kind in INSTALL_ORDER else len(INSTALL_ORDER)
    ordered = sorted(parsed, key=rank)  # stable: file order within a kind
    # unknown kinds sort among themselves by kind name (helm's lessByKind)
    known = [p for p in ordered if p[2].get("kind") in INSTALL_ORDER]
    unknown = sorted([p for p in ordered if p[2].get("kind") not in INSTALL_ORDER], key=lambda p: p[2].get("kind", ""))
    ordered = known + unknown
    manifest = "".join(f"---\n# Source: {path}\n{doc}\n" for path, doc, _ in ordered)
    return manifest, notes, [(path, obj) for path, _, obj in ordered], values


def _cap(k: str) -> str:
    return k[:1].upper() + k[1:]


def chart_json(chart) -> dict:
    return {"metadata": chart.metadata, "lock": None,
            "templates": [{"name": n.split("/", 1)[1], "data": base64.b64encode(t.encode()).decode()}
                          for n, t in sorted(chart.templates.items())],
            "values": chart.values, "schema": None, "files": []}


def new_release(name: str, namespace: str, chart, config: dict, manifest: str, notes: str, version: int,
                now: float, description: str, first: float | None = None) -> dict:
    return {"name": name,
            "info": {"first_deployed": go_time_json(first or now), "last_deployed": go_time_json(now),
                     "deleted": "0001-01-01T00:00:00Z", "description": description, "status": "deployed",
                     "notes": notes},
            "chart": chart_json(chart), "config": config, "manifest": manifest, "version": version,
            "namespace": namespace}


# ------------------------------------------------------------------ objects on the cluster

def _own(obj: dict, name: str, namespace: str) -> dict:
    meta = obj.setdefault("metadata", {})
    meta.setdefault("labels", {})
    if meta["labels"] is None:
        meta["labels"] = {}
    meta["labels"]["app.kubernetes.io/managed-by"] = "Helm"
    ann = meta.get("annotations") or {}
    ann["meta.helm.sh/release-name"] = name
    ann["meta.helm.sh/release-namespace"] = namespace
    meta["annotations"] = ann
    return obj


def _scope(cluster_kind, obj: dict, namespace: str) -> str | None:
    if cluster_kind is not None and not cluster_kind.namespaced:
        obj["metadata"].pop("namespace", None)
        return None
    obj["metadata"]["namespace"] = obj["metadata"].get("namespace") or namespace
    return obj["metadata"]["namespace"]


def _api_error(e) -> str:
    if isinstance(e, ApiError):
        return e.message if not (e.reason == "Invalid" and e.causes) else e.render().split(": ", 1)[-1]
    return getattr(e, "message", str(e))


def create_objects(cluster, objs, name: str, namespace: str) -> None:
    for path, obj in objs:
        k = kinds.by_kind(obj.get("kind", ""), obj.get("apiVersion"))
        if k is None:
            raise HelmError(f"unable to build kubernetes objects from release manifest: resource mapping not found "
                            f"for name: \"{obj.get('metadata', {}).get('name', '')}\" namespace: \"\" from \"\": no "
                            f"matches for kind \"{obj.get('kind')}\" in version \"{obj.get('apiVersion')}\"\n"
                            "ensure CRDs are installed first")
        ns = _scope(k, obj, namespace)
        if cluster.get(k.kind, ns, obj["metadata"].get("name", "")) is not None:
            raise HelmError("rendered manifests contain a resource that already exists. Unable to continue with "
                            f"install: {k.kind} \"{obj['metadata']['name']}\" in namespace \"{ns or ''}\" exists and "
                            "cannot be imported into the current release: invalid ownership metadata; label "
                            "validation error: missing key \"app.kubernetes.io/managed-by\": must be set to \"Helm\"; "
                            "annotation validation error: missing key \"meta.helm.sh/release-name\": must be set to "
                            f"\"{name}\"; annotation validation error: missing key \"meta.helm.sh/release-namespace\": "
                            f"must be set to \"{namespace}\"")
    for path, obj in objs:
        try:
            server.create(cluster, _own(copy.deepcopy(obj), name, namespace))
        except (ApiError, CliError) as e:
            raise HelmError(_api_error(e)) from None


def _key(cluster_kinds, obj: dict, namespace: str):
    k = kinds.by_kind(obj.get("kind", ""), obj.get("apiVersion"))
    if k is None:
        return None
    ns = (obj.get("metadata", {}).get("namespace") or namespace) if k.namespaced else None
    return (k.kind, ns, obj.get("metadata", {}).get("name", ""))


def objects_of(manifest: str) -> list[dict]:
    out = []
    for doc in split_manifests(manifest):
        obj = yaml.safe_load(doc)
        if isinstance(obj, dict):
            out.append(obj)
    return out


def update_objects(cluster, old_manifest: str, objs, name: str, namespace: str) -> None:
    """helm's three-way update: new objects created, changed ones patched with the change from
    the old manifest to the new (live-only fields kept), ones no longer rendered deleted."""
    old = {}
    for o in objects_of(old_manifest):
        key = _key(None, o, namespace)
        if key:
            old[key] = o
    seen = set()
    try:
        for path, obj in objs:
            k = kinds.by_kind(obj.get("kind", ""), obj.get("apiVersion"))
            if k is None:
                raise HelmError(f"unable to build kubernetes objects from new release manifest: resource mapping "
                                f"not found for name: \"{obj['metadata'].get('name', '')}\" namespace: \"\" from "
                                f"\"\": no matches for kind \"{obj.get('kind')}\" in version "
                                f"\"{obj.get('apiVersion')}\"\nensure CRDs are installed first")
            ns = _scope(k, obj, namespace)
            key = (k.kind, ns, obj["metadata"].get("name", ""))
            seen.add(key)
            new = _own(copy.deepcopy(obj), name, namespace)
            live = cluster.get(*key)
            if live is None:
                server.create(cluster, new)
                continue
            before = _own(copy.deepcopy(old.get(key, {})), name, namespace) if key in old else {}
            # the three-way strategic merge: what the old manifest had and the new one drops goes,
            # list items by their merge key (a Service port whose number changed is replaced)
            merged = merge(live, before, new)
            if merged != live:
                server.update(cluster, merged, live)
        for key, o in old.items():
            if key not in seen and cluster.get(*key) is not None:
                server.delete(cluster, key[0], key[1], key[2])
    except (ApiError, CliError) as e:
        raise HelmError(_api_error(e)) from None


def delete_objects(cluster, manifest: str, namespace: str) -> None:
    objs = objects_of(manifest)
    for o in reversed(objs):
        key = _key(None, o, namespace)
        if key and cluster.get(*key) is not None:
            try:
                server.delete(cluster, key[0], key[1], key[2])
            except ApiError:
                pass
