"""crictl on a node: the CRI's view of the pods and containers the kubelet runs there.

ps / pods / images lay out as crictl's tabwriter (min cell 20, padding 3); logs prints the
container's output (images/logs.py, as `kubectl logs` shows it); inspect prints the container's
status JSON (the fields crictl's `inspect` takes from the CRI ContainerStatus). IDs are stable
hashes of the pod uid and container name, as `kubectl get pod -o yaml` shows them in containerID.
"""
from __future__ import annotations

import hashlib
import json
import datetime
from minikctl import lazy

controlplane = lazy.module("minikctl.sim.nodehost.controlplane")
fmt = lazy.function("minikctl.timeutil", "fmt")
logs = lazy.module("minikctl.images.logs")
nodehost = lazy.module("minikctl.sim.nodehost")
parse = lazy.function("minikctl.timeutil", "parse")
size_bytes = lazy.function("minikctl.sim.registry", "size_bytes")
tabwriter = lazy.module("minikctl.printers.tabwriter")
units = lazy.module("minikctl.sim.nodehost.units")
configs = lazy.module("minikctl.sim.nodehost.configs")
kubelet = lazy.module("minikctl.sim.controllers.kubelet")
probes = lazy.module("minikctl.sim.controllers.probes")


def _cid(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def ago(seconds: float) -> str:
    """go-units HumanDuration + ' ago', as crictl prints CREATED."""
    s = int(seconds)
    if s < 1:
        return "Less than a second ago"
    if s == 1:
        return "1 second ago"
    if s < 60:
        return f"{s} seconds ago"
    m = s // 60
    if m == 1:
        return "About a minute ago"
    if m < 60:
        return f"{m} minutes ago"
    h = round(s / 3600)
    if h == 1:
        return "About an hour ago"
    if h < 48:
        return f"{h} hours ago"
    if h < 24 * 7 * 2:
        return f"{h // 24} days ago"
    return f"{h // 24 // 7} weeks ago"


def _render(rows) -> str:
    # crictl: tabwriter.NewWriter(os.Stdout, 20, 1, 3, ' ', 0): min cell 20, padding 3
    return tabwriter.render([list(r) for r in rows], minwidth=20, padding=3)


def _pods(ctx) -> list[dict]:
    return [p for p in ctx.view.list("Pod") if (p.get("spec") or {}).get("nodeName") == ctx.node
            and (p.get("status") or {}).get("phase") in ("Running", "Pending", "Succeeded", "Failed")
            and (p.get("status") or {}).get("containerStatuses") is not None]


def pod_id(p: dict) -> str:
    return _cid("sandbox", p["metadata"].get("uid") or p["metadata"]["name"])


def _crashing(ctx, p: dict):
    """A control-plane static pod whose component cannot start (sim/nodehost/controlplane.py):
    the API still shows its last status, the runtime shows the exited attempts."""
    comp = (p["metadata"].get("labels") or {}).get("component")
    ann = p["metadata"].get("annotations") or {}
    if not comp or ann.get("kubernetes.io/config.source") != "file":
        return None
    return controlplane.crash_attempts(ctx.view, comp)


def containers(ctx, all_states: bool = False) -> list[dict]:
    """Each container on the node: id, pod, name, state, image, created, attempt."""
    out = []
    for p in _pods(ctx):
        statuses = {s.get("name"): s for s in (p.get("status") or {}).get("containerStatuses") or []}
        crash = _crashing(ctx, p)
        for c in (p.get("spec") or {}).get("containers") or []:
            st = statuses.get(c["name"]) or {}
            state = st.get("state") or {}
            if crash is not None:
                n, started = crash
                base = int(st.get("restartCount", 0)) + 1
                if all_states:
                    for k in range(max(0, n - 1), n + 1):
                        out.append({"id": _cid(pod_id(p), c["name"], str(base + k)), "pod": p, "name": c["name"],
                                    "container": c, "running": False, "state": "Exited", "image": c.get("image") or "",
                                    "image_id": _cid("image", c.get("image") or ""), "attempt": base + k,
                                    "created": started - (0 if k == n else 10), "crash": True})
                continue
            running = "running" in state
            if not running and not all_states:
                continue
            cid = (st.get("containerID") or "").split("://")[-1] or _cid(pod_id(p), c["name"])
            started = parse((state.get("running") or state.get("terminated") or {}).get("startedAt")) \
                or parse(p["metadata"].get("creationTimestamp")) or ctx.view.now
            image_id = (st.get("imageID") or "").split(":")[-1] or _cid("image", c.get("image") or "")
            out.append({"id": cid, "pod": p, "name": c["name"], "container": c, "running": running,
                        "state": "Running" if running else ("Exited" if "terminated" in state else "Created"),
                        "image": c.get("image") or "", "image_id": image_id, "created": started,
                        "attempt": int(st.get("restartCount", 0))})
    return sorted(out, key=lambda x: -x["created"])


def _find(ctx, prefix: str):
    hits = [c for c in containers(ctx, True) if c["id"].startswith(prefix)]
    return hits[0] if len(hits) == 1 else None


def _ps(ctx, args):
    all_states = "-a" in args or "--all" in args
    name = _opt(args, "--name")
    rows = [("CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD")]
    quiet = "-q" in args or "--quiet" in args
    items = [c for c in containers(ctx, all_states) if name is None or name in c["name"]]
    if quiet:
        return "".join(c["id"] + "\n" for c in items), "", 0
    for c in items:
        rows.append((c["id"][:13], c["image_id"][:13], ago(ctx.view.now - c["created"]), c["state"], c["name"],
                     str(c["attempt"]), pod_id(c["pod"])[:13], c["pod"]["metadata"]["name"]))
    return _render(rows), "", 0


def _opt(args, flag):
    for i, a in enumerate(args):
        if a == flag and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(flag + "="):
            return a.split("=", 1)[1]
    return None


def _pods_cmd(ctx, args):
    name = _opt(args, "--name")
    rows = [("POD ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT", "RUNTIME")]
    items = []
    for p in _pods(ctx):
        if name is not None and name not in p["metadata"]["name"]:
            continue
        created = parse(p["metadata"].get("creationTimestamp")) or ctx.view.now
        ready = (p.get("status") or {}).get("phase") in ("Running", "Pending")
        items.append((created, (pod_id(p)[:13], ago(ctx.view.now - created), "Ready" if ready else "NotReady",
                                p["metadata"]["name"], p["metadata"].get("namespace", "default"), "0", "(default)")))
    rows += [r for _, r in sorted(items, key=lambda x: -x[0])]
    return _render(rows), "", 0


def _images(ctx, args):
    seen = {}
    for c in containers(ctx, True):
        ref = c["image"]
        repo, tag = _split(ref)
        seen[(repo, tag)] = c["image_id"]
    seen.setdefault(_split(configs.PAUSE_IMAGE), _cid("image", configs.PAUSE_IMAGE))
    rows = [("IMAGE", "TAG", "IMAGE ID", "SIZE")]
    for (repo, tag), iid in sorted(seen.items()):
        rows.append((repo, tag, iid[:13], _units_size(size_bytes(f"{repo}:{tag}"))))
    return _render(rows), "", 0


def _units_size(n: int) -> str:
    """go-units HumanSizeWithPrecision(n, 3) (`%.3g` and a decimal unit), as crictl images prints SIZE."""
    units = ["B", "kB", "MB", "GB", "TB"]
    size, i = float(n), 0
    while size >= 1000 and i < len(units) - 1:
        size /= 1000
        i += 1
    return f"{size:.3g}{units[i]}"


def _split(ref: str) -> tuple[str, str]:
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        repo, tag = ref.rsplit(":", 1)
    else:
        repo, tag = ref, "latest"
    if "/" not in repo.split("/")[0] or "." not in repo.split("/")[0]:
        if "." not in repo.split("/")[0] and ":" not in repo.split("/")[0]:
            repo = "docker.io/" + (repo if "/" in repo else "library/" + repo)
    return repo, tag


def _logs(ctx, args):
    ids = [a for a in args if not a.startswith("-")]
    if not ids:
        return "", 'time="" level=fatal msg="ID cannot be empty"\n', 1
    c = _find(ctx, ids[0])
    if c is None:
        return "", (f'E0000 00:00:00.000000    1 remote_runtime.go:432] "ContainerStatus from runtime service failed" '
                    f'err="rpc error: code = NotFound desc = an error occurred when try to find container '
                    f'\\"{ids[0]}\\": not found" containerID="{ids[0]}"\n'
                    f'time="" level=fatal msg="rpc error: code = NotFound desc = an error occurred when try to '
                    f'find container \\"{ids[0]}\\": not found"\n'), 1
    if c.get("crash"):
        comp = (c["pod"]["metadata"].get("labels") or {}).get("component")
        return "", controlplane.crash_log(ctx.view, comp, c["created"]), 0
    lines = logs.container_log(ctx.view, c["pod"], c["name"]) or []
    return "".join(text if text.endswith("\n") else text + "\n" for _, text in lines), "", 0


def _inspect(ctx, args):
    ids = [a for a in args if not a.startswith("-")]
    if not ids:
        return "", 'time="" level=fatal msg="ID cannot be empty"\n', 1
    c = _find(ctx, ids[0])
    if c is None:
        return "", f'time="" level=fatal msg="getting the status of the container \\"{ids[0]}\\": not found"\n', 1
    p = c["pod"]
    m = p["metadata"]
    status = {"status": {
        "id": c["id"], "metadata": {"attempt": c["attempt"], "name": c["name"]},
        "state": "CONTAINER_RUNNING" if c["running"] else "CONTAINER_EXITED",
        "createdAt": fmt(c["created"]).replace("Z", ".000000000Z"),
        "startedAt": fmt(c["created"]).replace("Z", ".000000000Z"),
        "image": {"annotations": {}, "image": c["image"], "runtimeHandler": "", "userSpecifiedImage": ""},
        "imageRef": "sha256:" + c["image_id"],
        "labels": {"io.kubernetes.container.name": c["name"], "io.kubernetes.pod.name": m["name"],
                   "io.kubernetes.pod.namespace": m.get("namespace", "default"), "io.kubernetes.pod.uid": m.get("uid", "")},
        "logPath": f"/var/log/pods/{m.get('namespace', 'default')}_{m['name']}_{m.get('uid', '')}/{c['name']}/{c['attempt']}.log",
    }, "info": {"sandboxID": pod_id(p), "runtimeType": "io.containerd.runc.v2"}}
    return json.dumps(status, indent=2) + "\n", "", 0


def _stop(ctx, args):
    """crictl stop ID...: the container's process is stopped (SIGTERM, then SIGKILL after
    --timeout); the kubelet sees it exit and, as the pod's restartPolicy says, starts it again
    (ATTEMPT + 1) - the static pods page's "the kubelet will notice and will restart the Pod"."""
    ids = [a for a in args if not a.startswith("-")]
    if not ids:
        return "", 'time="{}" level=fatal msg="ID cannot be empty"\n'.format(_now_iso(ctx)), 1
    if getattr(ctx.view, "meta", None) is None:
        return "", "minikctl: crictl stop on a read-only cluster view is not simulated\n", 126
    out = ""
    for prefix in ids:
        c = _find(ctx, prefix)
        if c is None:
            return out, (f'time="{_now_iso(ctx)}" level=fatal msg="stopping the container \\"{prefix}\\": rpc error: '
                         f'code = NotFound desc = an error occurred when try to find container \\"{prefix}\\": not '
                         'found"\n'), 1
        if c["running"] and not c.get("crash"):
            pod = c["pod"]
            st = next((s for s in pod["status"].get("containerStatuses") or [] if s.get("name") == c["name"]), {})
            ctx.view.meta.get(probes.STATE, {}).pop(probes._key(pod, c["name"]), None)
            kubelet.on_exit(ctx.view, {**kubelet._ref(pod), "container": c["name"], "cid": st.get("containerID")},
                            code=probes._killed_code(c["container"], pod))
        out += prefix + "\n"
    return out, "", 0


def _now_iso(ctx) -> str:
    return datetime.datetime.fromtimestamp(ctx.view.now, tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


SUB = {"ps": _ps, "pods": _pods_cmd, "images": _images, "img": _images, "logs": _logs, "inspect": _inspect,
       "stop": _stop}


def crictl(ctx, argv):
    args = argv[1:]
    while args and args[0].startswith("-"):
        args = args[2:] if args[0] in ("-r", "--runtime-endpoint", "-i", "--image-endpoint") else args[1:]
    if not args:
        return "", "minikctl: crictl without a subcommand is not simulated (try crictl ps, pods, images, logs, inspect, stop)\n", 126
    fn = SUB.get(args[0])
    if fn is None:
        return "", f"minikctl: crictl {args[0]} is not simulated\n", 126
    down = units.runtime_down_error(ctx.view, ctx.node)
    if down:
        return "", down, 1
    if getattr(ctx.view, "meta", None) is not None:     # the kubelet has caught up with the files
        nodehost.changed(ctx.view, ctx.node)
    return fn(ctx, args[1:])
