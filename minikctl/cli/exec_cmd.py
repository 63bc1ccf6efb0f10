"""`minikctl exec POD [-c C] [-i] [-t] -- CMD...`: run a command in a simulated container.

Nothing runs on the host: the pod's image (minikctl/images) computes the output from the cluster
state. kubectl's rules and messages: `--` is required, the multi-container default notice, no exec
into completed pods, `command terminated with exit code N` and that exit code."""
from __future__ import annotations

from typing import List, Optional

import typer

from minikctl.api.errors import ApiError, CliError, not_found
from minikctl.cli import context
from minikctl.images.pod_exec import check_runnable, exec_context, run_in_pod
from minikctl import lazy

ShellSession = lazy.function("minikctl.images.shell", "ShellSession")
check_passthrough = lazy.function("minikctl.cli.unsimulated", "check_passthrough")
kinds = lazy.module("minikctl.api.kinds")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
pods_for = lazy.function("minikctl.cli.logs_cmd", "pods_for")


def pick_container(pod: dict, container: str | None) -> str:
    names = [c["name"] for c in pod["spec"]["containers"]]
    if container:
        if container not in names:
            # the apiserver's refusal of the exec subresource, as kubectl renders it
            raise ApiError("BadRequest", f"container {container} is not valid for pod {pod['metadata']['name']}", 400)
        return container
    if len(names) > 1:
        inits = [c["name"] + " (init)" for c in pod["spec"].get("initContainers") or []]
        context.err(f'Defaulted container "{names[0]}" out of: {", ".join(names + inits)}')
    return names[0]


def do_exec(pod_name: str, argv: list[str], container: str | None, namespace: str | None, stdin_flag: bool,
            tty: bool) -> int:
    env = context.env()
    ns = context.namespace(namespace)
    kind_text = None
    if "/" in pod_name:
        kind_text, _, pod_name = pod_name.partition("/")
    with open_cluster(env) as cluster:
        if kind_text is not None and kind_text not in ("pod", "pods", "po"):
            # exec deploy/web: the first pod of the controller, as AttachablePodForObject picks it
            kind = kinds.resolve(kind_text)
            pods = pods_for(cluster, kind, ns, pod_name)
            if not pods:
                raise CliError("timed out waiting for the condition")
            pod = pods[0]
        else:
            pod = cluster.get("Pod", ns, pod_name)
        if pod is None:
            raise not_found("pods", pod_name)
        cname = pick_container(pod, container)
        check_runnable(pod)
        if tty and stdin_flag and len(argv) == 1 and argv[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash"):
            return _interactive(cluster, pod, cname, argv[0])
        stdin = env.stdin.read() if stdin_flag and not env.stdin.isatty() else ""
        out, err, code = run_in_pod(cluster, pod, cname, argv, stdin)
    if out:
        context.out(out)
    if err:
        env.stderr.write(err)
    if code:
        context.err(f"command terminated with exit code {code}")
    return code


def _interactive(cluster, pod, container, argv0, report: bool = True) -> int:
    """Prompt, read a line, run it, until the shell exits or stdin ends; the shell's status.
    `report`: say `command terminated with exit code N` (exec does, run -it does not)."""
    env = context.env()
    session = ShellSession(exec_context(cluster, pod, container), argv0=argv0)
    while not session.done:
        env.stdout.write(session.prompt)
        env.stdout.flush()
        line = env.stdin.readline()
        if not line:
            env.stdout.write("\n")
            break
        out, err, _done = session.feed(line.rstrip("\n"))
        env.stdout.write(out)
        env.stderr.write(err)
    code = session.exit_code if session.done else session.shell.status
    if code and report:
        context.err(f"command terminated with exit code {code}")
    return code


def register(app: typer.Typer) -> None:
    @app.command("exec", help="Execute a command in a container.",
                 context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def exec_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        container: Optional[str] = typer.Option(None, "-c", "--container"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        stdin: bool = typer.Option(False, "-i", "--stdin"),
        tty: bool = typer.Option(False, "-t", "--tty"),
        it: bool = typer.Option(False, "-it", "-ti", hidden=True),
    ) -> int:
        env = context.env()
        argv = list(getattr(env, "argv", []))
        args = list(args or [])
        check_passthrough(["exec"], args)
        if it:
            stdin = tty = True
        if not args:
            raise CliError("pod, type/name or --filename must be specified")
        if "--" not in argv:
            if len(args) > 1:
                raise CliError("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\n"
                               "See 'kubectl exec -h' for help and examples")
            raise CliError("you must specify at least one command for the container")
        after = argv[argv.index("--") + 1:]
        pod = args[0] if len(args) > len(after) else None
        if pod is None:
            raise CliError("pod, type/name or --filename must be specified")
        if not after:
            raise CliError("you must specify at least one command for the container")
        return do_exec(pod, after, container, namespace, stdin, tty)
