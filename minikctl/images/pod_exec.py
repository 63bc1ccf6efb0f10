"""Running a command inside a pod's container, with the refusals the kubelet and containerd give.

Why its own module: `minikctl exec`, `minikctl run --rm -it` and `kubectl exec` against
`minikctl serve` (apiserver/exec_stream.py) must refuse and fail with the same texts, so the
checks and the OCI error live here, below both front ends.
"""
from __future__ import annotations

from minikctl.api.errors import CliError
from minikctl import lazy

ExecContext = lazy.function("minikctl.images.context", "ExecContext")
registry = lazy.module("minikctl.images.registry")
short_id = lazy.function("minikctl.sim.names", "short_id")

OCI_NOT_FOUND = ('Internal error occurred: error executing command in container: failed to exec in container: '
                 'failed to start exec "{id}": OCI runtime exec failed: exec failed: unable to start container '
                 'process: exec: "{cmd}": executable file not found in $PATH: unknown')


def exec_context(view, pod: dict, container: str, stdin: str = ""):
    """What a process started in `container` sees (minikctl/images/context.py)."""
    return ExecContext(view=view, pod=pod, container=container, node=pod["spec"].get("nodeName"), stdin=stdin)


def check_runnable(pod: dict) -> None:
    """Completed pods and containers that are not running cannot be exec'd into (kubectl's texts)."""
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise CliError(f"cannot exec into a container in a completed pod; current phase is {phase}")
    cs = (pod.get("status") or {}).get("containerStatuses") or []
    if phase != "Running" or not any("running" in c.get("state", {}) for c in cs):
        raise CliError(f"unable to upgrade connection: container not found (\"{pod['spec']['containers'][0]['name']}\")")


def run_in_pod(view, pod: dict, container: str, argv: list[str], stdin: str = "") -> tuple[str, str, int]:
    """(stdout, stderr, code) of argv inside the container; raises CliError for the OCI failure."""
    ctx = exec_context(view, pod, container, stdin)
    try:
        return registry.run(ctx, argv)
    except registry.ExecutableNotFound as e:
        exec_id = short_id(pod["metadata"]["uid"] + " ".join(argv) + str(view.now))
        raise CliError(OCI_NOT_FOUND.format(id=exec_id, cmd=getattr(e, "name", argv[0])))
