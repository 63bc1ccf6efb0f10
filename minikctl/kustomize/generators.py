"""configMapGenerator and secretGenerator: key/value pairs from env files, literals and files (in
kustomize's order), the object they make, and the content hash kustomize suffixes names with."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re

from minikctl.kustomize import KustomizeError
from minikctl.kustomize.resource import Res
from minikctl import lazy

in_root = lazy.function("minikctl.kustomize", "in_root")

_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


def _remove_quotes(s: str) -> str:
    if len(s) < 2 or s[0] != s[-1]:
        return s
    return s[1:-1] if s[0] in "\"'" else s


def _read(root: str, path: str) -> bytes:
    full = os.path.normpath(os.path.join(root, path))
    if not in_root(root, full):
        raise KustomizeError(f"security; file '{full}' is not in or below '{root}'")
    try:
        with open(full, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise KustomizeError(f"evalsymlink failure on '{full}' : lstat {full}: no such file or directory") from None
    except IsADirectoryError:
        raise KustomizeError(f"read {full}: is a directory") from None


def _env_pairs(root: str, sources: list[str]) -> list[tuple[str, str]]:
    out = []
    for src in sources:
        text = _read(root, src)
        for i, raw in enumerate(text.split(b"\n")):
            if i == 0 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            line = raw.decode("utf-8", errors="replace").rstrip("\r").lstrip()
            if not line or line.startswith("#"):
                continue
            key, _, value = line.partition("=")
            if not _ENV_NAME.match(key):
                raise KustomizeError(f"env source files: {_go_list(sources)}: invalid env var name {key!r}")
            out.append((key, value))
    return out


def _go_list(xs: list[str]) -> str:
    return "[" + " ".join(xs) + "]"


def pairs(root: str, args: dict) -> list[tuple[str, str]]:
    out = _env_pairs(root, list(args.get("envs") or []))
    lits = list(args.get("literals") or [])
    for lit in lits:
        if lit.startswith("=") or "=" not in lit:
            raise KustomizeError(f"literal sources {_go_list(lits)}: invalid literal source {lit}, expected key=value")
        k, v = lit.split("=", 1)
        out.append((k, _remove_quotes(v)))
    files = list(args.get("files") or [])
    for src in files:
        n = src.count("=")
        if n == 0:
            key, path = os.path.basename(src.rstrip("/")) or src, src
        elif n == 1 and src.startswith("="):
            raise KustomizeError(f"file sources: {_go_list(files)}: missing key name for file path "
                                 f"\"{src[1:]}\" in source \"{src}\"")
        elif n == 1 and src.endswith("="):
            raise KustomizeError(f"file sources: {_go_list(files)}: missing file path for key name "
                                 f"\"{src[:-1]}\" in source \"{src}\"")
        elif n > 1:
            raise KustomizeError(f"file sources: {_go_list(files)}: source \"{src}\" key name or file path contains '='")
        else:
            key, path = src.split("=")
        try:
            content = _read(root, path)
        except KustomizeError as e:
            raise KustomizeError(f"file sources: {_go_list(files)}: {e.message}") from None
        out.append((key, content.decode("utf-8", errors="surrogateescape")))
    return out


def _data(name: str, kvs: list[tuple[str, str]], what: str = "configmap") -> dict:
    seen: dict[str, str] = {}
    for k, v in kvs:
        if not _KEY.match(k):
            raise KustomizeError(f"\"{k}\" is not a valid key name for a ConfigMap: a valid config key must "
                                 "consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
                                 "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
        if k in seen:
            raise KustomizeError(f"{what} {name} illegally repeats the key `{k}`")
        seen[k] = v
    return seen


def _base(kind: str, args: dict) -> dict:
    name = args.get("name") or ""
    if not name:
        raise KustomizeError("a configmap must have a name")
    meta: dict = {"name": name}
    if args.get("namespace"):
        meta["namespace"] = args["namespace"]
    opts = args.get("options") or {}
    if opts.get("labels"):
        meta["labels"] = {k: str(v) for k, v in opts["labels"].items()}
    if opts.get("annotations"):
        meta["annotations"] = {k: str(v) for k, v in opts["annotations"].items()}
    return {"apiVersion": "v1", "kind": kind, "metadata": meta}


def _merge_options(local: dict | None, glob: dict | None) -> dict:
    """types.MergeGlobalOptionsIntoLocal."""
    if not glob:
        return dict(local or {})
    out = dict(local or {})
    for f in ("labels", "annotations"):
        if glob.get(f):
            merged = dict(glob[f])
            merged.update(out.get(f) or {})
            out[f] = merged
    for f in ("disableNameSuffixHash", "immutable"):
        if glob.get(f):
            out[f] = True
    return out


def make(root: str, kind: str, args: dict, global_opts: dict | None) -> Res:
    if not isinstance(args, dict):
        raise KustomizeError("invalid Kustomization: generator arguments must be a map")
    args = dict(args)
    args["options"] = _merge_options(args.get("options"), global_opts)
    obj = _base(kind, args)
    try:
        kvs = pairs(root, args)
    except KustomizeError as e:
        raise KustomizeError(f"loading KV pairs: {e.message}") from None
    data = _data(args.get("name", ""), kvs)
    if kind == "ConfigMap":
        text, binary = {}, {}
        for k, v in data.items():
            try:
                v.encode("utf-8")
                text[k] = v
            except UnicodeEncodeError:
                binary[k] = base64.b64encode(v.encode("utf-8", errors="surrogateescape")).decode()
        if text:
            obj["data"] = text
        if binary:
            obj["binaryData"] = binary
    else:
        if data:
            obj["data"] = {k: _b64(v.encode("utf-8", errors="surrogateescape")) for k, v in data.items()}
        obj["type"] = args.get("type") or "Opaque"
    if args["options"].get("immutable"):
        obj["immutable"] = True
    behavior = args.get("behavior") or "create"
    if behavior not in ("create", "merge", "replace"):
        raise KustomizeError(f"invalid generator behavior: {behavior}")
    return Res(obj, needs_hash=not args["options"].get("disableNameSuffixHash"), behavior=behavior, generated=True)


def _b64(raw: bytes) -> str:
    """kyaml's encodeBase64: past 70 characters, lines of 70 each ended by a newline."""
    enc = base64.b64encode(raw).decode()
    if len(enc) // 70 + 1 <= 1:
        return enc
    return "".join(enc[i:i + 70] + "\n" for i in range(0, len(enc), 70))


def _go_json(v) -> str:
    """encoding/json: sorted keys, no spaces, <>& escaped."""
    s = json.dumps(v, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def content_hash(obj: dict) -> str:
    """kustomize's hasher: sha256 of the JSON of kind, name, data (and binaryData / type,
    stringData), first ten hex digits with 0,1,3,a,e swapped for letters. The name it reads
    is always "" (it looks up the field 'metadata/name' as one key)."""
    kind = obj.get("kind")
    if kind == "ConfigMap":
        m = {"kind": "ConfigMap", "name": "", "data": obj.get("data") if isinstance(obj.get("data"), dict) else ""}
        if isinstance(obj.get("binaryData"), dict):
            m["binaryData"] = obj["binaryData"]
    elif kind == "Secret":
        m = {"kind": "Secret", "type": obj.get("type", ""), "name": "",
             "data": obj.get("data") if isinstance(obj.get("data"), dict) else ""}
        if isinstance(obj.get("stringData"), dict):
            m["stringData"] = obj["stringData"]
    else:
        m = obj
    digest = hashlib.sha256(_go_json(m).encode("utf-8", errors="surrogateescape")).hexdigest()
    return digest[:10].translate(str.maketrans("013ae", "ghkmt"))
