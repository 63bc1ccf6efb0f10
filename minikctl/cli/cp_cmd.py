"""`minikctl cp POD:PATH LOCAL` and `minikctl cp LOCAL POD:PATH`: kubectl cp, through tar.

As kubectl does it: copying out runs `tar cf - PATH` in the container and unpacks the stream
locally; copying in packs the local files into a tar stream and runs `tar -xmf - -C DIR` in the
container (after `test -d DEST`, to copy into a directory under the source's name). The stream is
real tar (images/applets/archive.py), so the container therefore needs tar (busybox and Debian
images have it); without it, the exec fails with containerd's `executable file not found` text,
as on a real cluster. The local side is the learner's own file, read or written where they
asked, as kubectl does; members that would land outside the destination are skipped, as
kubectl skips them.
"""
from __future__ import annotations

import io
import posixpath
import tarfile
from pathlib import Path
from typing import List, Optional

import typer

from minikctl.api.errors import CliError, not_found
from minikctl.cli import context
from minikctl import lazy

check_runnable = lazy.function("minikctl.images.pod_exec", "check_runnable")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
pick_container = lazy.function("minikctl.cli.exec_cmd", "pick_container")
run_in_pod = lazy.function("minikctl.images.pod_exec", "run_in_pod")
to_bytes = lazy.function("minikctl.images.applets.archive", "to_bytes")
to_text = lazy.function("minikctl.images.applets.archive", "to_text")


def _split(spec: str):
    if ":" in spec and not spec.startswith(("/", ".")):
        pod, _, path = spec.partition(":")
        ns = None
        if "/" in pod:
            ns, _, pod = pod.partition("/")
        return ns, pod, path
    return None


def _pack(local: Path, name: str) -> bytes:
    """kubectl's makeTar: the local file or tree under `name`."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        def add(p: Path, arc: str) -> None:
            info = tarfile.TarInfo(arc)
            st = p.stat()
            info.mtime, info.mode = int(st.st_mtime), st.st_mode & 0o777
            if p.is_dir():
                info.type = tarfile.DIRTYPE
                tf.addfile(info)
                for c in sorted(p.iterdir()):
                    add(c, arc.rstrip("/") + "/" + c.name)
            elif p.is_file():
                data = p.read_bytes()
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
        add(local, name)
    return buf.getvalue()


def _unpack(data: bytes, prefix: str, dest: Path) -> None:
    """kubectl's untarAll: members under `prefix` land under `dest`; others, links and names that
    climb out of `dest` are skipped."""
    prefix = prefix.strip("/")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tf:
        for m in tf.getmembers():
            name = posixpath.normpath(m.name.strip("/"))
            if prefix and name != prefix and not name.startswith(prefix + "/") and prefix != ".":
                continue
            rel = name[len(prefix):].lstrip("/") if prefix and prefix != "." else name
            if rel.startswith("..") or posixpath.isabs(rel):
                continue
            target = dest / rel if rel and rel != "." else dest
            if m.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif m.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tf.extractfile(m).read())
                if m.mode & 0o111:
                    target.chmod(0o755)


def do_cp(src: str, dst: str, container: str | None, namespace: str | None) -> int:
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
        cname = pick_container(pod, container)
        check_runnable(pod)
        if s is not None:
            path = s[2]
            out, err, code = run_in_pod(cluster, pod, cname, ["tar", "cf", "-", path])
            if err:
                env.stderr.write(err)
            if code:
                raise CliError(f"command terminated with exit code {code}", code=1)
            target = Path(dst)
            try:
                _unpack(to_bytes(out), posixpath.normpath(path), target)
            except tarfile.TarError as e:
                raise CliError(f"{e}") from None
            return 0
        local = Path(src)
        if not local.exists():
            raise CliError(f"{src} doesn't exist in local filesystem")
        path = d[2] or "."
        _, _, is_dir = run_in_pod(cluster, pod, cname, ["test", "-d", path])
        if is_dir == 0:
            path = posixpath.join(path, local.name)
        dest_dir, name = posixpath.split(path.rstrip("/") or "/")
        stream = to_text(_pack(local, name or local.name))
        out, err, code = run_in_pod(cluster, pod, cname, ["tar", "-xmf", "-", "-C", dest_dir or "/"] if dest_dir
                                    else ["tar", "-xmf", "-"], stdin=stream)
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
