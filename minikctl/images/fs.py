"""A container's file system: the image's files, the kubelet's files, the pod's volume mounts and
the container's own writes, as one tree the shell and the applets read and write.

Why layered like the real thing: a write must land where it would on a node, so that it lasts
exactly as long: the container's writable layer (gone when the container restarts), an
emptyDir (shared by the pod's containers, gone with the pod), a hostPath (the node's own
files, seen by every pod mounting it and by `minikctl ssh NODE`), a persistent volume (its
data key, see `volume_data_key`). configMap, secret, downwardAPI and projected mounts are
computed from the objects and read-only, as kubelet mounts them.

Persistence: each writable layer is a small JSON overlay (files written, directories made,
paths removed) stored under a key through `view.files_get` / `view.files_put` (the store's
meta table, one transaction per command like everything else); a view without them (tests'
StaticView) keeps the overlays in memory.

Seams:
  container_fs(view, pod, container) -> FileSystem       what exec, `sh -c` and `kubectl cp` see
  read_file(view, pod, container, path) -> str | None   e.g. nginx serving /usr/share/nginx/html
  volume_data_key(view, pod, volume) -> str | None      where a volume's data lives; claims follow
      their bound PersistentVolume (images/volume_data.py)
  node_fs(view, node) -> FileSystem                     a node's files (hostPath, ssh)
"""
from __future__ import annotations

import base64
import posixpath
import hashlib
import json
from minikctl import lazy

fs_images = lazy.module("minikctl.images.fs_images")
nodehost = lazy.module("minikctl.sim.nodehost")
volume_location = lazy.function("minikctl.images.volume_data", "volume_location")

DIR = None          # marker value in FileSystem.entries for a directory


def _norm(path: str) -> str:
    p = posixpath.normpath("/" + path.lstrip("/")) if path else "/"
    return "/" if p in ("//", "") else p.replace("//", "/")


def _parents(path: str):
    while path not in ("/", ""):
        path = posixpath.dirname(path)
        yield path


# -- persistence of writable layers -------------------------------------------------------------

def _load(view, key: str) -> dict:
    get = getattr(view, "files_get", None)
    if get is not None:
        data = get(key)
    else:
        data = getattr(view, "_minikctl_files", {}).get(key)
    data = data or {}
    data.setdefault("files", {})
    data.setdefault("dirs", [])
    data.setdefault("gone", [])
    data.setdefault("exec", [])
    return data


def _save(view, key: str, data: dict) -> None:
    put = getattr(view, "files_put", None)
    if put is not None:
        put(key, data)
        return
    store = getattr(view, "_minikctl_files", None)
    if store is None:
        try:
            store = {}
            view._minikctl_files = store
        except AttributeError:
            return
    store[key] = data


class Layer:
    """A writable overlay mounted at `mount` (relative paths inside it), persisted under `key`."""

    def __init__(self, view, key: str, mount: str = "/", base: str = "/"):
        self.view, self.key, self.mount, self.base = view, key, mount, base
        self.data = _load(view, key)

    def rel(self, path: str) -> str:
        inner = path[len(self.mount):] if self.mount != "/" else path
        return _norm(self.base + "/" + inner)

    def write(self, path: str, text: str | None, executable: bool = False) -> None:
        r = self.rel(path)
        d = self.data
        if r in d["gone"]:
            d["gone"].remove(r)
        if text is None:
            if r not in d["dirs"]:
                d["dirs"].append(r)
        else:
            d["files"][r] = text
            if executable and r not in d["exec"]:
                d["exec"].append(r)
        _save(self.view, self.key, d)

    def remove(self, path: str) -> None:
        r = self.rel(path)
        d = self.data
        d["files"].pop(r, None)
        if r in d["dirs"]:
            d["dirs"].remove(r)
        for k in [k for k in d["files"] if k.startswith(r + "/")]:
            del d["files"][k]
        d["dirs"] = [x for x in d["dirs"] if not x.startswith(r + "/")]
        if r not in d["gone"]:
            d["gone"].append(r)
        _save(self.view, self.key, d)

    def apply(self, entries: dict, execs: set) -> None:
        """Lay this overlay's changes over the merged tree, and the parent directories of what it
        adds (the tree's other entries have theirs already)."""
        added: list[str] = []
        self._lay(entries, execs, added)
        for p in added:
            for parent in _parents(p):
                if parent in entries:
                    break
                entries[parent] = DIR

    def _lay(self, entries: dict, execs: set, added: list) -> None:
        d = self.data
        base = self.base.rstrip("/")
        for r in d["gone"]:
            if r.startswith(base + "/") or base == "":
                p = self.outer(r)
                for k in [k for k in entries if k == p or k.startswith(p + "/")]:
                    del entries[k]
        for r in d["dirs"]:
            if base == "" or r == self.base or r.startswith(base + "/"):
                p = self.outer(r)
                entries[p] = DIR
                added.append(p)
        for r, text in d["files"].items():
            if base == "" or r.startswith(base + "/"):
                p = self.outer(r)
                entries[p] = text
                added.append(p)
                if r in d["exec"]:
                    execs.add(p)

    def outer(self, r: str) -> str:
        inner = r[len(self.base.rstrip("/")):] if self.base != "/" else r
        return _norm(self.mount + "/" + inner)


class FileSystem:
    """The merged tree: `entries` maps an absolute path to its text, or DIR for a directory."""

    def __init__(self):
        self.entries: dict[str, str | None] = {"/": DIR}
        self.execs: set[str] = set()
        self.readonly: list[str] = []           # mount points of read-only volumes
        self.layers: list[Layer] = []           # longest mount first; the last is "/"

    # -- building ----------------------------------------------------------------------------------
    def add_file(self, path: str, text: str, executable: bool = False) -> None:
        path = _norm(path)
        for parent in _parents(path):
            if parent in self.entries and self.entries[parent] is not DIR:
                return
            self.entries.setdefault(parent, DIR)
        self.entries[path] = text
        if executable:
            self.execs.add(path)

    def add_dir(self, path: str) -> None:
        path = _norm(path)
        for parent in _parents(path):
            self.entries.setdefault(parent, DIR)
        self.entries[path] = DIR

    def mount_tree(self, mount: str, files: dict[str, str], readonly: bool = True) -> None:
        """A volume's files (relative names) at `mount`, hiding what the image had there."""
        mount = _norm(mount)
        for k in [k for k in self.entries if k.startswith(mount + "/")]:
            del self.entries[k]
        self.add_dir(mount)
        for rel, text in files.items():
            self.add_file(mount + "/" + rel, text)
        if readonly:
            self.readonly.append(mount)

    def mount_layer(self, layer: Layer, single_file: bool = False) -> None:
        if not single_file:
            for k in [k for k in self.entries if k.startswith(layer.mount.rstrip("/") + "/")]:
                del self.entries[k]
            self.add_dir(layer.mount)
        layer.apply(self.entries, self.execs)
        self.layers.append(layer)
        self.layers.sort(key=lambda lay: -len(lay.mount))

    # -- reading -------------------------------------------------------------------------------------
    def kind(self, path: str) -> str | None:
        path = _norm(path)
        if path not in self.entries:
            return None
        return "dir" if self.entries[path] is DIR else "file"

    def exists(self, path: str) -> bool:
        return _norm(path) in self.entries

    def read(self, path: str) -> str | None:
        v = self.entries.get(_norm(path))
        return v if isinstance(v, str) else None

    def listdir(self, path: str) -> list[str] | None:
        path = _norm(path)
        if self.entries.get(path, 0) is not DIR:
            return None
        prefix = path.rstrip("/") + "/"
        return sorted({k[len(prefix):].split("/", 1)[0] for k in self.entries if k.startswith(prefix) and k != prefix})

    def executable(self, path: str) -> bool:
        return _norm(path) in self.execs

    def writable(self, path: str) -> bool:
        path = _norm(path)
        return not any(path == m or path.startswith(m + "/") for m in self.readonly)

    def size(self, path: str) -> int:
        v = self.read(path)
        return len(v.encode("utf-8", "surrogateescape")) if v is not None else 4096

    # -- writing (each returns None, or an errno name: ENOENT, EISDIR, ENOTDIR, EROFS, EEXIST, ENOTEMPTY) --
    def _layer(self, path: str) -> Layer | None:
        for lay in self.layers:
            if path == lay.mount or path.startswith(lay.mount.rstrip("/") + "/"):
                return lay
        return None

    def _check_parent(self, path: str) -> str | None:
        parent = posixpath.dirname(path)
        k = self.kind(parent)
        if k is None:
            return "ENOENT"
        if k != "dir":
            return "ENOTDIR"
        if not self.writable(path):
            return "EROFS"
        return None

    def write(self, path: str, text: str, append: bool = False) -> str | None:
        path = _norm(path)
        if self.entries.get(path, "") is DIR:
            return "EISDIR"
        why = self._check_parent(path)
        if why:
            return why
        if append:
            if not text and path in self.entries:
                return None
            text = (self.read(path) or "") + text
        self.entries[path] = text
        lay = self._layer(path)
        if lay is not None:
            lay.write(path, text, path in self.execs)
        return None

    def mkdir(self, path: str, parents: bool = False) -> str | None:
        path = _norm(path)
        if path in self.entries:
            return None if parents and self.entries[path] is DIR else "EEXIST"
        if parents:
            for parent in reversed(list(_parents(path))):
                if parent not in self.entries:
                    why = self.mkdir(parent)
                    if why:
                        return why
                elif self.entries[parent] is not DIR:
                    return "ENOTDIR"
        why = self._check_parent(path)
        if why:
            return why
        self.entries[path] = DIR
        lay = self._layer(path)
        if lay is not None:
            lay.write(path, None)
        return None

    def remove(self, path: str, recursive: bool = False, directory: bool = False) -> str | None:
        path = _norm(path)
        if path not in self.entries:
            return "ENOENT"
        is_dir = self.entries[path] is DIR
        if is_dir and not (recursive or directory):
            return "EISDIR"
        if is_dir and directory and not recursive and self.listdir(path):
            return "ENOTEMPTY"
        if not self.writable(path) or any(path == lay.mount for lay in self.layers if lay.mount != "/"):
            return "EROFS" if not self.writable(path) else "EBUSY"
        for k in [k for k in self.entries if k == path or k.startswith(path.rstrip("/") + "/")]:
            del self.entries[k]
            self.execs.discard(k)
        lay = self._layer(path)
        if lay is not None:
            lay.remove(path)
        return None

    def chmod_exec(self, path: str, on: bool = True) -> None:
        path = _norm(path)
        if path in self.entries and self.entries[path] is not DIR:
            (self.execs.add if on else self.execs.discard)(path)
            lay = self._layer(path)
            if lay is not None and self.writable(path):
                lay.write(path, self.entries[path], on)


# -- volumes ----------------------------------------------------------------------------------------

def _b64(s: str) -> str:
    try:
        return base64.b64decode(s).decode("utf-8", "replace")
    except ValueError:
        return ""


def _keys(data: dict, items: list | None) -> dict[str, str]:
    if not items:
        return dict(data)
    return {i["path"]: data[i["key"]] for i in items if i.get("key") in data}


def _field(pod: dict, path: str) -> str:
    meta = pod.get("metadata") or {}
    if path in ("metadata.labels", "metadata.annotations"):
        d = meta.get(path.split(".")[1]) or {}
        return "\n".join(f'{k}="{v}"' for k, v in sorted(d.items()))
    if path.startswith(("metadata.labels['", "metadata.annotations['")):
        which, key = path.split("['", 1)
        return str((meta.get(which.split(".")[1]) or {}).get(key.rstrip("']"), ""))
    cur = pod
    for part in path.split("."):
        cur = (cur or {}).get(part) if isinstance(cur, dict) else None
    return "" if cur is None else str(cur)


def _downward(pod: dict, items: list) -> dict[str, str]:
    out = {}
    for it in items or []:
        if it.get("fieldRef"):
            out[it["path"]] = _field(pod, it["fieldRef"].get("fieldPath", ""))
        elif it.get("resourceFieldRef"):
            out[it["path"]] = "0"
    return out


def _configmap(view, ns: str, src: dict) -> dict[str, str] | None:
    cm = view.get("ConfigMap", ns, src.get("name", ""))
    if cm is None:
        return None
    data = dict(cm.get("data") or {})
    data.update({k: _b64(v) for k, v in (cm.get("binaryData") or {}).items()})
    return _keys(data, src.get("items"))


def _secret(view, ns: str, src: dict) -> dict[str, str] | None:
    sec = view.get("Secret", ns, src.get("secretName") or src.get("name", ""))
    if sec is None:
        return None
    data = {k: _b64(v) for k, v in (sec.get("data") or {}).items()}
    data.update(sec.get("stringData") or {})
    return _keys(data, src.get("items"))


def sa_token(view, pod: dict) -> str:
    """A projected service-account token: a JWT-shaped string, stable per pod (not a real signature)."""
    meta = pod.get("metadata") or {}
    claims = {"aud": ["https://kubernetes.default.svc.cluster.local"], "iss": "https://kubernetes.default.svc.cluster.local",
              "kubernetes.io": {"namespace": meta.get("namespace", "default"),
                                "pod": {"name": meta.get("name"), "uid": meta.get("uid")},
                                "serviceaccount": {"name": (pod.get("spec") or {}).get("serviceAccountName", "default")}},
              "sub": f"system:serviceaccount:{meta.get('namespace', 'default')}:"
                     f"{(pod.get('spec') or {}).get('serviceAccountName', 'default')}"}

    def enc(obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")
    sig = base64.urlsafe_b64encode(hashlib.sha256(str(meta.get("uid")).encode()).digest()).decode().rstrip("=")
    return enc({"alg": "RS256", "kid": "minikctl"}) + "." + enc(claims) + "." + sig


CA_CRT = ("-----BEGIN CERTIFICATE-----\n(minikctl: the cluster CA is not simulated)\n-----END CERTIFICATE-----\n")


def _projected(view, pod: dict, ns: str, vol: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for s in vol.get("sources") or []:
        if "configMap" in s:
            out.update(_configmap(view, ns, s["configMap"]) or {})
        elif "secret" in s:
            out.update(_secret(view, ns, s["secret"]) or {})
        elif "downwardAPI" in s:
            out.update(_downward(pod, s["downwardAPI"].get("items")))
        elif "serviceAccountToken" in s:
            out[s["serviceAccountToken"].get("path", "token")] = sa_token(view, pod)
    return out


def volume_data_key(view, pod: dict, volume: dict) -> tuple[str, str] | None:
    """(store key, path inside it) of a writable volume's data; None for computed volumes."""
    uid = (pod.get("metadata") or {}).get("uid") or (pod.get("metadata") or {}).get("name")
    if "emptyDir" in volume:
        return f"vol/{uid}/{volume.get('name')}", "/"
    if "hostPath" in volume:
        node = (pod.get("spec") or {}).get("nodeName") or "node"
        return f"node/{node}", _norm((volume.get("hostPath") or {}).get("path") or "/")
    if "persistentVolumeClaim" in volume:
        # the claim's bound volume decides: its node directory (hostPath, local), NFS export or itself
        return volume_location(view, pod, volume)
    return None


def _restart_count(pod: dict, container: str) -> int:
    for s in (pod.get("status") or {}).get("containerStatuses") or []:
        if s.get("name") == container:
            return int(s.get("restartCount") or 0)
    return 0


def container_fs(view, pod: dict, container: str | None) -> FileSystem:
    """The merged file system a process in `container` sees."""
    spec = pod.get("spec") or {}
    cs = spec.get("containers") or [{}]
    c = next((x for x in cs + (spec.get("initContainers") or []) if x.get("name") == container), cs[0])
    name = c.get("name") or container or "c"
    ns = (pod.get("metadata") or {}).get("namespace", "default")
    uid = (pod.get("metadata") or {}).get("uid") or (pod.get("metadata") or {}).get("name")
    fs = FileSystem()
    fs_images.populate(fs, view, pod, c)
    layer = Layer(view, f"ctr/{uid}/{name}/{_restart_count(pod, name)}")
    vols = {v.get("name"): v for v in spec.get("volumes") or []}
    mounts = list(c.get("volumeMounts") or [])
    if spec.get("automountServiceAccountToken", True) is not False and not any(
            m.get("mountPath") == "/var/run/secrets/kubernetes.io/serviceaccount" for m in mounts):
        fs.mount_tree("/var/run/secrets/kubernetes.io/serviceaccount",
                      {"ca.crt": CA_CRT, "namespace": ns, "token": sa_token(view, pod)})
    fs.layers.append(layer)
    layer.apply(fs.entries, fs.execs)
    for m in sorted(mounts, key=lambda m: len(m.get("mountPath") or "")):
        vol = vols.get(m.get("name"))
        if vol is None:
            continue
        mount = _norm(m.get("mountPath") or "/")
        sub = m.get("subPath")
        files = None
        if "configMap" in vol:
            files = _configmap(view, ns, vol["configMap"]) or {}
        elif "secret" in vol:
            files = _secret(view, ns, vol["secret"]) or {}
        elif "downwardAPI" in vol:
            files = _downward(pod, vol["downwardAPI"].get("items"))
        elif "projected" in vol:
            files = _projected(view, pod, ns, vol["projected"])
        if files is not None:
            if sub:
                if sub in files:
                    fs.add_file(mount, files[sub])
                    fs.readonly.append(mount)
                continue
            fs.mount_tree(mount, files, readonly=True)
            continue
        where = volume_data_key(view, pod, vol)
        if where is None:
            fs.add_dir(mount)
            continue
        key, base = where
        if sub:
            base = _norm(base + "/" + sub)
        fs.mount_layer(Layer(view, key, mount, base))
        if m.get("readOnly"):
            fs.readonly.append(mount)
    return fs


def read_file(view, pod: dict, container: str | None, path: str) -> str | None:
    """The text of a file as the container sees it (None when absent or a directory)."""
    return container_fs(view, pod, container).read(path)


def node_fs(view, node: str) -> FileSystem:
    """A node's root file system: its own files, what kubeadm wrote (laid down on first use,
    sim/nodehost), plus everything written there since (hostPath volumes too)."""
    nodehost.seed(view, node)
    fs = FileSystem()
    fs_images.populate_node(fs, view, node)
    layer = Layer(view, f"node/{node}")
    fs.layers.append(layer)
    layer.apply(fs.entries, fs.execs)
    return fs


def fs_of(ctx) -> FileSystem | None:
    """The file system behind an ExecContext, built on first use (a pod's container, or a node)."""
    fs = getattr(ctx, "fs", None)
    if fs is not None:
        return fs
    if ctx.pod is not None:
        fs = container_fs(ctx.view, ctx.pod, ctx.container)
    elif ctx.node:
        fs = node_fs(ctx.view, ctx.node)
    else:
        return None
    try:
        ctx.fs = fs
    except AttributeError:
        pass
    return fs
