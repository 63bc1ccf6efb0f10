"""What a simulated command sees when it runs 'inside' a pod or on a node.

A tool is a function `tool(ctx: ExecContext, argv: list[str]) -> tuple[str, str, int]`
returning (stdout, stderr, exit code). Nothing here ever starts a host process or reads a host
file: every answer is computed from the cluster state behind `ctx.view`.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ExecContext:
    view: object                 # minikctl.sim.view.View
    pod: dict | None             # the pod we are in; None on a node (`minikctl ssh`)
    container: str | None        # container name inside the pod
    node: str | None = None      # node name (for `ssh`, or the pod's node)
    stdin: str = ""
    env: dict = field(default_factory=dict)   # environment variables of the process
    cwd: str = "/"
    fs: object = None            # the container's files (minikctl.images.fs.FileSystem), None: none modelled
    environ: dict | None = None  # the full environment when a shell started the process (else built from the pod)
    runner: object = None        # runner(argv, stdin) -> (out, err, code): how applets like xargs start commands
    clock: object = None         # minikctl.sh.interp.SimClock: simulated time spent (sleep), deadline
