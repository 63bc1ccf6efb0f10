"""The objects kubectl's imperative generators build, before any apiserver touches them.

Pure functions: flags in, a dict out. Each dict is built in Go struct field order (kind,
apiVersion, metadata{name, namespace, creationTimestamp, labels, annotations}, spec, status)
because `--dry-run=client -o json` prints typed objects in that order; maps (labels, data,
selectors) are sorted, as encoding/json sorts Go maps. `-o yaml` sorts everything anyway.
Validation errors are kubectl's own texts (raised as CliError), not the apiserver's.
"""
from __future__ import annotations

import base64
import os
import re

from minikctl.api import imageref
from minikctl.api.errors import CliError
import copy
import hashlib
import random
from minikctl import lazy

_json_scalar = lazy.function("minikctl.printers.serialize", "_json_scalar")
_json_str = lazy.function("minikctl.printers.serialize", "_json_str")
kinds = lazy.module("minikctl.api.kinds")
parse_selector = lazy.function("minikctl.api.selectors", "parse_selector")
x509_key_pair_error = lazy.function("minikctl.api.pki", "x509_key_pair_error")

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_PORT_NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_DNS1123_SUB = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_CONFIGMAP_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


def _sorted(d: dict) -> dict:
    return {k: d[k] for k in sorted(d, key=lambda k: k.encode())}


def _meta(name: str, namespace: str | None, labels: dict | None = None) -> dict:
    m: dict = {"name": name}
    if namespace:
        m["namespace"] = namespace
    m["creationTimestamp"] = None
    if labels:
        m["labels"] = _sorted(labels)
    return m


def container_name(image: str, rng=None) -> str:
    """The container name `create deployment` derives from an image reference.

    Last path segment with tag and digest dropped; a name with `_` or `.` has them turned into
    `-` and gets a random 5-character suffix (kubectl's sanitizeAndUniquify) — the only random
    part of these generators, drawn from `rng` when given so replays are exact.
    """
    name = imageref.base_name(image)
    if "_" not in name and "." not in name:
        return name
    rng = rng or random.Random()
    suffix = "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
    return name.replace("_", "-").replace(".", "-") + "-" + suffix


def deployment(name: str, images: list[str], *, replicas: int = 1, port: int = -1, command: list[str] = (),
               namespace: str | None = None, rng=None) -> dict:
    """`kubectl create deployment NAME --image=... [--replicas] [--port] [-- command]`."""
    if len(images) > 1 and command:
        raise CliError("cannot specify multiple --image options and command")
    labels = {"app": name}
    containers = []
    for image in images:
        c: dict = {"name": container_name(image, rng), "image": image}
        if command:
            c["command"] = list(command)
        c["resources"] = {}
        containers.append(c)
    if port >= 0 and containers:
        first = containers[0]
        res = first.pop("resources")
        first["ports"] = [{"containerPort": int(port)}]
        first["resources"] = res
    return {
        "kind": "Deployment", "apiVersion": "apps/v1",
        "metadata": _meta(name, namespace, labels),
        "spec": {
            "replicas": int(replicas),
            "selector": {"matchLabels": dict(labels)},
            "template": {"metadata": {"creationTimestamp": None, "labels": dict(labels)},
                         "spec": {"containers": containers}},
            "strategy": {},
        },
        "status": {},
    }


def pod(name: str, image: str, *, labels: dict | None = None, restart: str = "Always",
        port: int | None = None, env: list[str] = (), command: bool = False, args: list[str] = (),
        namespace: str | None = None, annotations: list[str] = (), pull_policy: str | None = None,
        stdin: bool = False, tty: bool = False) -> dict:
    """The object kubectl run's generator builds (before the apiserver defaults it).

    Go struct field order, as `run --dry-run=client -o json` prints it: container name, image,
    command, args, ports, env, resources, imagePullPolicy; spec containers, restartPolicy, dnsPolicy.
    """
    c: dict = {"name": name, "image": image}
    if args and command:
        c["command"] = list(args)
    if args and not command:
        c["args"] = list(args)
    if port:
        c["ports"] = [{"containerPort": int(port)}]
    if env:
        c["env"] = []
        for e in env:
            k, _, v = e.partition("=")
            c["env"].append({"name": k, "value": v})
    c["resources"] = {}
    if pull_policy:
        c["imagePullPolicy"] = pull_policy
    if stdin:                       # `run -i`: the container reads the attached client's stdin once
        c["stdin"], c["stdinOnce"] = True, True
        if tty:
            c["tty"] = True
    meta = _meta(name, namespace, labels or {"run": name})
    if annotations:
        meta["annotations"] = _sorted(dict(a.split("=", 1) for a in annotations))
    return {"kind": "Pod", "apiVersion": "v1", "metadata": meta,
            "spec": {"containers": [c], "restartPolicy": restart, "dnsPolicy": "ClusterFirst"}, "status": {}}


def _parse_port(text: str) -> int:
    """utilsnet.ParsePort(s, allowZero=true): strconv.ParseUint's error texts."""
    if not text or not text.isdigit():
        raise CliError(f'strconv.ParseUint: parsing "{text}": invalid syntax')
    n = int(text)
    if n >= 1 << 16:
        raise CliError(f'strconv.ParseUint: parsing "{text}": value out of range')
    return n


def _target(text: str):
    """The targetPort of a `--tcp=port:target` pair: a number 1-65535 or an IANA port name."""
    if re.fullmatch(r"[+-]?\d+", text):
        n = int(text)
        if not 1 <= n <= 65535:
            raise CliError("must be between 1 and 65535, inclusive")
        return n
    errs = []
    if len(text) > 15:
        errs.append("must be no more than 15 characters")
    if not re.fullmatch(r"[-a-z0-9]+", text):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search(r"[a-z]", text):
        errs.append("must contain at least one letter (a-z)")
    if "--" in text:
        errs.append("must not contain consecutive hyphens")
    if text and (text[0] == "-" or text[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    if errs:
        raise CliError(",".join(errs))
    return text


SERVICE_TYPES = {"clusterip": "ClusterIP", "nodeport": "NodePort", "loadbalancer": "LoadBalancer",
                 "externalname": "ExternalName"}


def service(name: str, stype: str, *, tcp: list[str] = (), cluster_ip: str = "", node_port: int = 0,
            external_name: str = "", namespace: str | None = None) -> dict:
    """`kubectl create service <type> NAME --tcp=port[:target] ...` (selector and label app=NAME)."""
    if cluster_ip == "None" and stype != "ClusterIP":
        raise CliError("ClusterIP=None can only be used with ClusterIP service type")
    if cluster_ip != "None" and not tcp and stype != "ExternalName":
        raise CliError("at least one tcp port specifier must be provided")
    if stype == "ExternalName" and (len(external_name) > 253 or not _DNS1123_SUB.match(external_name)):
        raise CliError(f"invalid service external name {external_name}")
    ports = []
    for spec in tcp:
        parts = spec.split(":")
        port = _parse_port(parts[0])
        target = port if len(parts) == 1 else _target(parts[1])
        p: dict = {"name": spec.replace(":", "-"), "protocol": "TCP", "port": port, "targetPort": target}
        if node_port:
            p["nodePort"] = int(node_port)
        ports.append(p)
    spec: dict = {}
    if ports:
        spec["ports"] = ports
    spec["selector"] = {"app": name}
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    spec["type"] = stype
    if external_name:
        spec["externalName"] = external_name
    return {"kind": "Service", "apiVersion": "v1", "metadata": _meta(name, namespace, {"app": name}),
            "spec": spec, "status": {"loadBalancer": {}}}


def namespace(name: str) -> dict:
    """`kubectl create namespace NAME`."""
    return {"kind": "Namespace", "apiVersion": "v1", "metadata": _meta(name, None), "spec": {}, "status": {}}


# ------------------------------------------------------------------ configmap / secret sources

_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_KEY_RULE = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  "
             "or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")


def _check_key(key: str, kind: str) -> None:
    """validation.IsConfigMapKey, worded as the configmap and secret generators word it."""
    if key and len(key) <= 253 and _CONFIGMAP_KEY.match(key) and key not in (".", ".."):
        return
    if kind == "Secret":
        raise CliError(f'"{key}" is not valid key name for a Secret {_KEY_RULE}')
    raise CliError(f'"{key}" is not a valid key name for a ConfigMap: {_KEY_RULE}')


def _add(data: dict, key: str, value: bytes, kind: str, name: str) -> None:
    _check_key(key, kind)
    if key in data:
        if kind == "Secret":
            raise CliError(f"cannot add key {key}, another key by that name already exists")
        raise CliError(f'cannot add key "{key}", another key by that name already exists in Data for {kind} "{name}"')
    data[key] = value


def read_sources(kind: str, name: str, literals: list[str], files: list[str], env_files: list[str]) -> dict[str, bytes]:
    """--from-file=[key=]path (a directory adds its regular files), --from-literal=k=v, --from-env-file.

    kind is "ConfigMap" or "Secret" (their error texts differ). Returns key -> raw bytes.
    """
    if env_files and (literals or files):
        raise CliError("from-env-file cannot be combined with from-file or from-literal")
    data: dict[str, bytes] = {}
    for src in files:
        key, sep, path = src.partition("=")
        if not sep:
            key, path = "", src
        elif not key:
            raise CliError(f"key name for file path {path} missing")
        elif not path:
            raise CliError(f"file path for key name {key} missing")
        if os.path.isdir(path):
            if key:
                raise CliError("cannot give a key name for a directory path")
            for entry in sorted(os.listdir(path)):
                full = os.path.join(path, entry)
                if os.path.isfile(full):
                    _add(data, entry, _read(full), kind, name)
            continue
        _add(data, key or os.path.basename(path), _read(path), kind, name)
    for lit in literals:
        k, sep, v = lit.partition("=")
        if not sep or not k:
            raise CliError(f"invalid literal source {lit}, expected key=value")
        _add(data, k, v.encode(), kind, name)
    for path in env_files:
        for raw in _read(path).decode().splitlines():
            line = raw.lstrip()
            if not line or line.startswith("#"):
                continue
            k, sep, v = line.partition("=")
            if not _ENV_NAME.match(k):
                raise CliError(f'"{k}" is not a valid key name: a valid environment variable name must consist of '
                               "alphabetic characters, digits, '_', '-', or '.', and must not start with a digit "
                               "(e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for "
                               "validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')")
            if not sep:
                if k not in os.environ:
                    continue
                v = os.environ[k]
            _add(data, k, v.encode(), kind, name)
    return data


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise CliError(f"error reading {path}: no such file or directory") from None
    except OSError as e:
        raise CliError(f"error reading {path}: {e.strerror.lower() if e.strerror else e}") from None


def configmap(name: str, data: dict[str, bytes], *, namespace: str | None = None, append_hash: bool = False) -> dict:
    """`kubectl create configmap NAME --from-...`: UTF-8 values go to data, others to binaryData."""
    text, binary = {}, {}
    for k, v in data.items():
        try:
            text[k] = v.decode("utf-8")
        except UnicodeDecodeError:
            binary[k] = base64.b64encode(v).decode()
    obj: dict = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": _meta(name, namespace)}
    if text:
        obj["data"] = _sorted(text)
    if binary:
        obj["binaryData"] = _sorted(binary)
    if append_hash:
        obj["metadata"]["name"] = f"{name}-{configmap_hash(obj)}"
    return obj


def secret_generic(name: str, data: dict[str, bytes], *, stype: str = "", namespace: str | None = None,
                   append_hash: bool = False) -> dict:
    """`kubectl create secret generic NAME --from-...` (data values base64, as the API carries them)."""
    obj: dict = {"kind": "Secret", "apiVersion": "v1", "metadata": _meta(name, namespace)}
    if data:
        obj["data"] = _sorted({k: base64.b64encode(v).decode() for k, v in data.items()})
    if stype:
        obj["type"] = stype
    if append_hash:
        obj["metadata"]["name"] = f"{name}-{secret_hash(obj)}"
    return obj


def _read_tls(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        reason = (e.strerror or str(e)).lower()
        raise CliError(f"Cannot read file {path}, open {path}: {reason}") from None


def secret_tls(name: str, cert: str, key: str, *, namespace: str | None = None, append_hash: bool = False) -> dict:
    """`kubectl create secret tls NAME --cert --key`: both files read, paired as tls.X509KeyPair
    pairs them (its error texts), stored under tls.crt and tls.key."""
    if not key or not cert:
        raise CliError("key and cert must be specified")
    cert_pem, key_pem = _read_tls(cert), _read_tls(key)
    err = x509_key_pair_error(cert_pem, key_pem)
    if err:
        raise CliError(err)
    return secret_generic(name, {"tls.crt": cert_pem, "tls.key": key_pem}, stype="kubernetes.io/tls",
                          namespace=namespace, append_hash=append_hash)


def secret_docker_registry(name: str, *, username: str, password: str, email: str, server: str,
                           files: list[str], namespace: str | None = None, append_hash: bool = False) -> dict:
    """`kubectl create secret docker-registry`: a .dockerconfigjson as json.Marshal writes it
    (auths.<server>.{username,password,email,auth}, empty fields left out), or --from-file."""
    if not files and (not username or not password or not server):
        raise CliError("either --from-file or the combination of --docker-username, --docker-password "
                       "and --docker-server is required")
    if files:  # a bare file path is given the key .dockerconfigjson
        files = [f if "=" in f or os.path.isdir(f) else f".dockerconfigjson={f}" for f in files]
        data = read_sources("Secret", name, [], files, [])
    else:
        entry = {k: v for k, v in (("username", username), ("password", password), ("email", email),
                                   ("auth", base64.b64encode(f"{username}:{password}".encode()).decode())) if v}
        data = {".dockerconfigjson": go_compact_json({"auths": {server: entry}}).encode()}
    return secret_generic(name, data, stype="kubernetes.io/dockerconfigjson", namespace=namespace,
                          append_hash=append_hash)


def _go_marshal_sorted(v) -> str:
    """json.Marshal of a map[string]interface{}: keys sorted, Go's escapes."""
    if isinstance(v, dict):
        return go_compact_json(_sorted({k: _sorted(x) if isinstance(x, dict) else x for k, x in v.items()}))
    return go_compact_json(v)


def _encode_hash(hexdigest: str) -> str:
    """kubectl's hash.encodeHash: ten hex digits with 0 1 3 a e swapped for consonants."""
    return hexdigest[:10].translate(str.maketrans("013ae", "ghkmt"))


def secret_hash(obj: dict) -> str:
    """hash.SecretHash: sha256 over {data, kind, name, type} (immutable when set)."""
    m = {"kind": "Secret", "type": obj.get("type", ""), "name": obj["metadata"]["name"],
         "data": obj.get("data") or {}}
    if "immutable" in obj:
        m["immutable"] = obj["immutable"]
    return _encode_hash(hashlib.sha256(_go_marshal_sorted(m).encode()).hexdigest())


def configmap_hash(obj: dict) -> str:
    """hash.ConfigMapHash: sha256 over {data, kind, name} (+ binaryData when there is some)."""
    m = {"kind": "ConfigMap", "name": obj["metadata"]["name"], "data": obj.get("data") or {}}
    if "immutable" in obj:
        m["immutable"] = obj["immutable"]
    if obj.get("binaryData"):
        m["binaryData"] = obj["binaryData"]
    return _encode_hash(hashlib.sha256(_go_marshal_sorted(m).encode()).hexdigest())


# ------------------------------------------------------------------ --save-config

def go_compact_json(v) -> str:
    """json.Marshal of a typed object: insertion order (our Go order), no spaces, Go's escapes."""
    # noqa: PLC2701 - same encoder rules
    if isinstance(v, dict):
        return "{" + ",".join(f"{_json_str(str(k))}:{go_compact_json(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(go_compact_json(x) for x in v) + "]"
    return _json_scalar(v)


def with_last_applied(obj: dict) -> dict:
    """--save-config: the annotation holds the object as json.Marshal wrote it, plus a newline.

    The annotation goes after labels in metadata (ObjectMeta field order)."""
    text = go_compact_json(obj) + "\n"
    meta = obj["metadata"]
    anns = dict(meta.get("annotations") or {})
    anns[LAST_APPLIED] = text
    meta["annotations"] = _sorted(anns)
    return obj


# ------------------------------------------------------------------ expose

EXPOSABLE = ("Pod", "Service", "Deployment", "ReplicaSet")


def _pod_spec(obj: dict) -> dict:
    if obj["kind"] == "Pod":
        return obj.get("spec") or {}
    return ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}


def selector_for(obj: dict) -> dict:
    """polymorphichelpers.MapBasedSelectorForObject: what the new Service selects."""
    kind = obj["kind"]
    spec = obj.get("spec") or {}
    if kind == "Pod":
        labels = (obj.get("metadata") or {}).get("labels") or {}
        if not labels:
            raise CliError("couldn't retrieve selectors via --selector flag or introspection: "
                           "the pod has no labels and cannot be exposed")
        return dict(labels)
    if kind == "Service":
        if not spec.get("selector"):
            raise CliError("couldn't retrieve selectors via --selector flag or introspection: "
                           "the service has no pod selector set")
        return dict(spec["selector"])
    sel = spec.get("selector") or {}
    if sel.get("matchExpressions"):
        raise CliError("couldn't retrieve selectors via --selector flag or introspection: "
                       f"couldn't convert expressions - \"{sel['matchExpressions']}\" to map-based selector format")
    return dict(sel.get("matchLabels") or {})


def ports_for(obj: dict) -> list[str]:
    """polymorphichelpers.PortsForObject: container ports of the pod (template), or the service's ports."""
    if obj["kind"] == "Service":
        return [str(p["port"]) for p in (obj.get("spec") or {}).get("ports") or []]
    return [str(p["containerPort"]) for c in _pod_spec(obj).get("containers") or [] for p in c.get("ports") or []]


def protocols_for(obj: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if obj["kind"] == "Service":
        for p in (obj.get("spec") or {}).get("ports") or []:
            out.setdefault(str(p["port"]), []).append(p.get("protocol") or "TCP")
        return out
    for c in _pod_spec(obj).get("containers") or []:
        for p in c.get("ports") or []:
            out.setdefault(str(p["containerPort"]), []).append(p.get("protocol") or "TCP")
    return out


def parse_labels(text: str) -> dict:
    """generate.ParseLabels (`run --labels`, `expose --labels/--selector`): each part exactly k=v."""
    labels = {}
    for part in text.split(","):
        kv = part.split("=")
        if len(kv) != 2:
            raise CliError(f"unexpected label spec: {part}")
        if not kv[0]:
            raise CliError("unexpected empty label key")
        labels[kv[0]] = kv[1]
    return labels


def expose(obj: dict, *, port: str = "", target_port: str = "", protocol: str = "", name: str = "",
           selector: str = "", stype: str = "", external_ip: str = "", labels: str = "", cluster_ip: str = "",
           port_name: str = "", session_affinity: str = "", load_balancer_ip: str = "") -> dict:
    """`kubectl expose KIND NAME`: the Service, with selector/ports/protocols/labels introspected."""
    kind = obj["kind"]
    if kind not in EXPOSABLE:
        k = kinds.by_kind(kind)
        raise CliError(f"cannot expose a {kind}{'.' + k.group if k and k.group else ''}")
    sel = parse_labels(selector) if selector else selector_for(obj)
    if not sel:
        raise CliError("selector must be specified")
    ports_str = ""
    if not port:
        found = ports_for(obj)
        if not found and cluster_ip != "None":
            raise CliError("couldn't find port via --port flag or introspection")
        if len(found) == 1:
            port = found[0]
        elif found:
            ports_str = ",".join(found)
    proto_map = protocols_for(obj)
    label_map = parse_labels(labels) if labels else dict((obj.get("metadata") or {}).get("labels") or {})
    svc_name = name or obj["metadata"]["name"][:63]
    port_list = (ports_str or port).split(",") if (ports_str or port) else []
    ports = []
    for i, ps in enumerate(port_list):
        if not re.fullmatch(r"[+-]?\d+", ps):
            raise CliError(f'strconv.Atoi: parsing "{ps}": invalid syntax')
        pname = f"port-{i + 1}" if len(port_list) > 1 else port_name
        proto = protocol
        if not proto:
            protos = proto_map.get(ps)
            if protos and len(protos) > 1:
                for pr in protos:
                    ports.append(_svc_port(f"port-{i + 1}-{pr.lower()}", int(ps), pr))
                continue
            proto = protos[0] if protos else "TCP"
        ports.append(_svc_port(pname, int(ps), proto))
    for p in ports:
        if target_port:
            p["targetPort"] = int(target_port) if re.fullmatch(r"\d+", target_port) else target_port
        else:
            p["targetPort"] = p["port"]
    spec: dict = {}
    if ports:
        spec["ports"] = ports
    spec["selector"] = _sorted(sel)
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    if stype:
        spec["type"] = stype
    if external_ip:
        spec["externalIPs"] = [external_ip]
    if session_affinity:
        if session_affinity not in ("None", "ClientIP"):
            raise CliError(f"unknown session affinity: {session_affinity}")
        spec["sessionAffinity"] = session_affinity
    if stype == "LoadBalancer" and load_balancer_ip:
        spec["loadBalancerIP"] = load_balancer_ip
    meta: dict = {"name": svc_name, "creationTimestamp": None}
    if label_map:
        meta["labels"] = _sorted(label_map)
    return {"kind": "Service", "apiVersion": "v1", "metadata": meta, "spec": spec,
            "status": {"loadBalancer": {}}}


def _svc_port(name: str, port: int, protocol: str) -> dict:
    p: dict = {}
    if name:
        p["name"] = name
    p["protocol"] = protocol
    p["port"] = port
    return p


def _container(name: str, image: str, command: list[str]) -> dict:
    c: dict = {"name": name, "image": image}
    if command:
        c["command"] = list(command)
    c["resources"] = {}
    return c


def job(name: str, image: str, command: list[str] = (), *, namespace: str | None = None) -> dict:
    """`kubectl create job NAME --image=... [-- command]` (createJob): restartPolicy Never."""
    return {
        "kind": "Job", "apiVersion": "batch/v1",
        "metadata": _meta(name, namespace),
        "spec": {"template": {"metadata": {"creationTimestamp": None},
                              "spec": {"containers": [_container(name, image, command)], "restartPolicy": "Never"}}},
        "status": {},
    }


def job_from_cronjob(name: str, cronjob: dict, *, namespace: str | None = None) -> dict:
    """`kubectl create job NAME --from=cronjob/X` (createJobFromCronJob): the job template's spec,
    labels and annotations plus `cronjob.kubernetes.io/instantiate: manual`, owned by the CronJob
    (controller, without blockOwnerDeletion)."""
    jt = (cronjob.get("spec") or {}).get("jobTemplate") or {}
    jmeta = jt.get("metadata") or {}
    meta: dict = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    meta["creationTimestamp"] = None
    if jmeta.get("labels"):
        meta["labels"] = dict(jmeta["labels"])
    meta["annotations"] = {"cronjob.kubernetes.io/instantiate": "manual", **(jmeta.get("annotations") or {})}
    cm = cronjob["metadata"]
    meta["ownerReferences"] = [{"apiVersion": "batch/v1", "kind": "CronJob", "name": cm["name"], "uid": cm.get("uid", ""),
                                "controller": True}]
    return {"kind": "Job", "apiVersion": "batch/v1", "metadata": meta,
            "spec": copy.deepcopy(jt.get("spec") or {}), "status": {}}


def cronjob(name: str, image: str, schedule: str, command: list[str] = (), *, restart: str = "OnFailure",
            namespace: str | None = None) -> dict:
    """`kubectl create cronjob NAME --image=... --schedule=... [--restart] [-- command]`."""
    return {
        "kind": "CronJob", "apiVersion": "batch/v1",
        "metadata": _meta(name, namespace),
        "spec": {
            "schedule": schedule,
            "jobTemplate": {
                "metadata": {"name": name, "creationTimestamp": None},
                "spec": {"template": {"metadata": {"creationTimestamp": None},
                                      "spec": {"containers": [_container(name, image, command)],
                                               "restartPolicy": restart}}},
            },
        },
        "status": {},
    }


def pdb(name: str, selector: str, *, min_available: str = "", max_unavailable: str = "",
        namespace: str | None = None) -> dict:
    """`kubectl create poddisruptionbudget NAME --selector=... --min-available=N|--max-unavailable=N`."""
    if not selector:
        raise CliError("a selector must be specified")
    if not min_available and not max_unavailable:
        raise CliError("one of min-available or max-unavailable must be specified")
    if min_available and max_unavailable:
        raise CliError("min-available and max-unavailable cannot be both specified")
    reqs = parse_selector(selector)
    match_labels, exprs = {}, []
    for key, op, values in reqs:
        if op == "=":
            match_labels[key] = values[0]
        elif op == "!=":
            raise CliError('"!=" is not a valid label selector operator')
        else:
            ops = { "in": "In", "notin": "NotIn", "exists": "Exists", "!": "DoesNotExist"}
            e = {"key": key, "operator": ops[op]}
            if values:
                e["values"] = list(values)
            exprs.append(e)
    sel: dict = {}
    if match_labels:
        sel["matchLabels"] = _sorted(match_labels)
    if exprs:
        sel["matchExpressions"] = exprs

    def ios(text: str):
        return int(text) if text.lstrip("-").isdigit() else text
    spec: dict = {}
    if min_available:
        spec["minAvailable"] = ios(min_available)
    spec["selector"] = sel
    if max_unavailable:
        spec["maxUnavailable"] = ios(max_unavailable)
    return {"kind": "PodDisruptionBudget", "apiVersion": "policy/v1", "metadata": _meta(name, namespace), "spec": spec,
            "status": {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}}
