"""`minikctl cp POD:PATH LOCAL` and `minikctl cp LOCAL POD:PATH`: kubectl cp, through tar.

As kubectl does it: copying out runs `tar cf - PATH` in the container and unpacks the stream
locally; copying in packs the local file and runs `tar xmf - -C DIR` in the container. The
container therefore needs tar (busybox and Debian images have it); without it, the exec fails
with containerd's `executable file not found` text, as on a real cluster. The local side is
the learner's own file, read or written where they asked, as kubectl does.
"""
from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import List, Optional

import typer

from minikctl.api.errors import CliError, not_found
from minikctl.cli import context


def _split(spec: str):
    if ":" in spec and not spec.startswith(("/", ".")):
        pod, _, path = spec.partition(":")
        ns = None
        if "/" in pod:
            ns, _, pod = pod.partition("/")
        return ns, pod, path
    return None


def do_cp(src: str, dst: str, container: str | None, namespace: str | None) -> int:
    from minikctl.images.applets.archive import MAGIC
    from minikctl.images.pod_exec import check_runnable, run_in_pod
    from minikctl.sim.cluster import open_cluster
    s, d = _split(src), _split(dst)
    if (s is None) == (d is None):
        raise CliError("one of src or dest must be a local file specification" if s is None else
                       "one of src or dest must be a remote file specification")
    remote = s or d
    ns = remote[0] or context.namespace(namespace)
    env = context.env()
    with open_cluster(env) as cluster:
        pod = cluster.get("Pod", ns, remote[1])
        if pod is None:
            raise not_found("pods", remote[1])
        from minikctl.cli.exec_cmd import pick_container
        cname = pick_container(pod, container)
        check_runnable(pod)
        if s is not None:
            path = s[2]
            out, err, code = run_in_pod(cluster, pod, cname, ["tar", "cf", "-", path])
            if err:
                env.stderr.write(err)
            if code or not out.startswith(MAGIC):
                raise CliError(f"command terminated with exit code {code or 1}", code=1) if code else \
                    CliError("minikctl: copying a non-simulated archive is not simulated")
            entries = json.loads(out[len(MAGIC):])
            target = Path(dst)
            root = path.lstrip("/").rstrip("/")
            for e in entries:
                rel = e["name"].rstrip("/")
                rel = rel[len(root):].lstrip("/") if rel.startswith(root) else posixpath.basename(rel)
                p = target / rel if rel else target
                if target.is_dir() and len(entries) == 1 and not e.get("dir"):
                    p = target / posixpath.basename(e["name"])
                if e.get("dir"):
                    p.mkdir(parents=True, exist_ok=True)
                else:
                    p.parent.mkdir(parents=True, exist_ok=True)
                    p.write_text(e["data"])
            return 0
        local = Path(src)
        if not local.exists():
            raise CliError(f"{src} doesn't exist in local filesystem")
        path = d[2] or "."
        entries = []
        if local.is_dir():
            for p in sorted(local.rglob("*")):
                rel = p.relative_to(local).as_posix()
                entries.append({"name": rel + "/", "dir": True} if p.is_dir() else
                               {"name": rel, "data": p.read_text(errors="replace")})
            dest_dir = path
        else:
            dest_dir, name = posixpath.split(path.rstrip("/")) if not path.endswith("/") else (path, local.name)
            entries.append({"name": name or local.name, "data": local.read_text(errors="replace")})
        stream = MAGIC + json.dumps(entries)
        out, err, code = run_in_pod(cluster, pod, cname, ["tar", "xmf", "-", "-C", dest_dir or "/"], stdin=stream)
        if err:
            env.stderr.write(err)
        if code:
            raise CliError(f"command terminated with exit code {code}", raw=False)
    return 0


def register(app: typer.Typer) -> None:
    @app.command("cp", help="Copy files and directories to and from containers.")
    def cp_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        container: Optional[str] = typer.Option(None, "-c", "--container"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
    ) -> int:
        args = list(args or [])
        if len(args) != 2:
            raise CliError("source and destination are required")
        return do_cp(args[0], args[1], container, namespace)
