"""`minikctl run NAME --image=IMG [-- ARGS]`: a pod as kubectl run generates it."""
from __future__ import annotations

from typing import List, Optional

import typer

from minikctl.api import generators
from minikctl.api.errors import CliError
from minikctl.cli import context, output
from minikctl.cli.writes import print_typed
import json
from minikctl import lazy

_interactive = lazy.function("minikctl.cli.exec_cmd", "_interactive")
_json_type = lazy.function("minikctl.api.manifests", "_json_type")
clock = lazy.module("minikctl.sim.clock")
is_interactive_shell = lazy.function("minikctl.images.shell", "is_interactive_shell")
kubelet = lazy.module("minikctl.sim.controllers.kubelet")
merge_patch = lazy.function("minikctl.api.patch", "merge_patch")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
process = lazy.function("minikctl.images.behaviours", "process")
run_in_pod = lazy.function("minikctl.images.pod_exec", "run_in_pod")
server = lazy.module("minikctl.api.server")
registry = lazy.module("minikctl.sim.registry")


def run(name: str | None, image: str | None, args: list[str], restart: str, labels: str | None, port: int | None,
        env_: list[str], command: bool, namespace: str | None, dry_run: str | None, output_fmt: str | None,
        rm: bool, stdin: bool, tty: bool, annotations: list[str], pull_policy: str | None = None,
        overrides: str | None = None, expose: bool = False) -> int:
    if not name:
        raise CliError("NAME is required for run\nSee 'kubectl run -h' for help and examples")
    if not image:
        raise CliError("--image is required")
    if not registry.REFERENCE.match(image):
        raise CliError(f'Invalid image name "{image}": invalid reference format')
    if restart not in ("Always", "OnFailure", "Never"):
        raise CliError(f"invalid restart policy: {restart}\nSee 'kubectl run -h' for help and examples")
    if tty and not stdin:
        raise CliError("-i/--stdin is required for containers with -t/--tty=true\nSee 'kubectl run -h' for help and examples")
    if stdin and dry_run in ("client", "server"):
        raise CliError("--dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, "
                       "or --tty)\nSee 'kubectl run -h' for help and examples")
    if rm and not stdin:
        raise CliError("--rm should only be used for attached containers\nSee 'kubectl run -h' for help and examples")
    if pull_policy not in (None, "", "Always", "IfNotPresent", "Never"):
        raise CliError(f"invalid image pull policy: {pull_policy}\nSee 'kubectl run -h' for help and examples")
    for e in env_:
        if "=" not in e:
            raise CliError(f"invalid env: {e}")
    if expose and not port:
        raise CliError("--port must be set when exposing a service\nSee 'kubectl run -h' for help and examples")
    if output_fmt:
        output.check_format(output_fmt)
    ns = context.namespace(namespace)
    pod = generators.pod(name, image, labels=generators.parse_labels(labels) if labels else None, restart=restart, port=port,
                         env=env_, command=command, args=args, annotations=annotations, pull_policy=pull_policy,
                         namespace=namespace if dry_run == "client" else None, stdin=stdin, tty=tty)
    if overrides:
        pod = _override(pod, overrides)
    svc = _service_for(pod, labels, port) if expose else None
    if dry_run == "client":     # typed, as kubectl prints it (namespace only when -n was given)
        if svc is not None:
            print_typed(svc, output_fmt, "created", "client")
            if output_fmt == "yaml":
                context.out("---\n---\n")    # kubectl run's two printers each separate (sic)
        print_typed(pod, output_fmt, "created", "client")
        return 0
    env = context.env()
    body = dict(pod)
    body["metadata"] = {k: v for k, v in pod["metadata"].items() if k != "creationTimestamp"}
    body["metadata"]["namespace"] = ns
    body.pop("status")
    with open_cluster(env) as cluster:
        if svc is not None:
            sbody = {k: v for k, v in svc.items() if k != "status"}
            sbody["metadata"] = {k: v for k, v in svc["metadata"].items() if k != "creationTimestamp"}
            sbody["metadata"]["namespace"] = ns
            screated = server.create(cluster, sbody, dry_run=dry_run == "server")
            if output_fmt:
                output.emit(output.render([screated], output_fmt, single=True))
            else:
                context.out(f"service/{name} created{' (server dry run)' if dry_run == 'server' else ''}\n")
        created = server.create(cluster, body, dry_run=dry_run == "server")
    if stdin:
        return _attach(created, ns, rm, tty)
    if output_fmt:
        output.emit(output.render([created], output_fmt, single=True))
    else:
        context.out(f"pod/{name} created{' (server dry run)' if dry_run == 'server' else ''}\n")
    return 0


def _service_for(pod: dict, labels: str | None, port: int) -> dict:
    """kubectl run --expose: the service/v2 generator over the pod's labels (metadata labels only
    when -l gave them), ClusterIP, port and targetPort = --port."""
    meta: dict = {"name": pod["metadata"]["name"]}
    if pod["metadata"].get("namespace"):
        meta["namespace"] = pod["metadata"]["namespace"]
    meta["creationTimestamp"] = None
    sel = dict(pod["metadata"].get("labels") or {})
    if labels:
        meta["labels"] = dict(sel)
    return {"kind": "Service", "apiVersion": "v1", "metadata": meta,
            "spec": {"ports": [{"protocol": "TCP", "port": int(port), "targetPort": int(port)}], "selector": sel},
            "status": {"loadBalancer": {}}}


def _override(pod: dict, overrides: str) -> dict:
    """--overrides: a JSON merge patch over the generated pod (kubectl's default --override-type=merge)."""
    try:
        patch = json.loads(overrides)
    except ValueError:
        raise CliError("Invalid JSON Patch")
    if not isinstance(patch, dict):  # kubectl reads the patched pod's apiVersion/kind into a struct
        raise CliError("couldn't get version/kind; json parse error: json: cannot unmarshal "
                       f"{_json_type(patch)} into Go value of type struct {{ APIVersion string "
                       r'"json:\"apiVersion,omitempty\""; Kind string "json:\"kind,omitempty\"" }')
    return merge_patch(pod, patch)


def _attach(pod: dict, ns: str, rm: bool, tty: bool) -> int:
    """`run -i [--rm]`: wait for the container, run its command in the simulation, show the output."""
    env = context.env()
    name = pod["metadata"]["name"]
    code = 0
    with open_cluster(env) as cluster:
        live = cluster.get("Pod", ns, name)
        deadline = cluster.now + 120
        while live is not None and (live.get("status") or {}).get("phase") != "Running" and cluster.timers \
                and cluster.timers[0][0] <= deadline:
            clock.advance(cluster, cluster.timers[0][0])
            live = cluster.get("Pod", ns, name)
        c = live["spec"]["containers"][0]
        argv = (c.get("command") or []) + (c.get("args") or [])
        if tty:
            env.stdout.write("If you don't see a command prompt, try pressing enter.\n")
        main = process(c).argv
        if tty and (live.get("status") or {}).get("phase") == "Running" and is_interactive_shell(main):
            # the container's main process is a shell reading this terminal: the learner drives it
            # line by line; when it exits, so does the container (the kubelet applies the policy)
            code = _interactive(cluster, live, c["name"], main[0], report=False)
            kubelet.on_exit(cluster, {"namespace": ns, "name": name, "uid": live["metadata"]["uid"],
                                      "container": c["name"]}, code=code)
            argv = []
            if live["spec"].get("restartPolicy", "Always") == "Always":
                code = 0                     # kubectl waits for an exit code only without restarts
        if argv:
            out, err, code = run_in_pod(cluster, live, c["name"], argv)
            context.out(out)
            if err:
                env.stderr.write(err)
        if rm:
            server.delete(cluster, "Pod", ns, name)
    if rm:
        context.out(f'pod "{name}" deleted\n')
    if code:
        context.err(f"pod {ns}/{name} terminated (Error)")
    return code


def register(app: typer.Typer) -> None:
    @app.command("run", help="Create and run a particular image in a pod.")
    def run_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        image: Optional[str] = typer.Option(None, "--image"),
        pull_policy: Optional[str] = typer.Option(None, "--image-pull-policy"),
        overrides: Optional[str] = typer.Option(None, "--overrides"),
        restart: str = typer.Option("Always", "--restart"),
        labels: Optional[str] = typer.Option(None, "-l", "--labels"),
        port: Optional[int] = typer.Option(None, "--port"),
        env_: List[str] = typer.Option([], "--env"),
        annotations: List[str] = typer.Option([], "--annotations"),
        command: bool = typer.Option(False, "--command"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        rm: bool = typer.Option(False, "--rm"),
        stdin: bool = typer.Option(False, "-i", "--stdin"),
        tty: bool = typer.Option(False, "-t", "--tty"),
        it: bool = typer.Option(False, "-it", "-ti", hidden=True),
        expose: bool = typer.Option(False, "--expose", help="Create a ClusterIP service with the same name as the pod."),
    ) -> int:
        args = list(args or [])
        if it:
            stdin = tty = True
        name = args[0] if args else None
        return run(name, image, args[1:], restart, labels, port, env_, command, namespace, dry_run, output_fmt,
                   rm, stdin, tty, annotations, pull_policy, overrides, expose)
