"""`minikctl logs POD|TYPE/NAME [-c C] [--tail N] [-f] [-p] [--timestamps] [-l SEL] [--all-containers]`.

The container output is computed by minikctl/images/logs.py. kubectl's rules around it are here:
which pod a `deploy/web` means (ByLogging order, `Found N pods, using pod/x`) and which container
(`Defaulted container ...`). The apiserver's BadRequest texts for containers that have not
started or have no previous instance come with the lines (images/logs.py `container_lines`).

`-f` prints what the container has written so far, then follows it as kubectl does: every
second (real time) the cluster is brought to now and the lines written since are printed, until
the container instance ends (its pod gone or the container terminated) or Ctrl-C. SLEEP and
MAX_POLLS are injectable so tests follow on a virtual clock.
"""
from __future__ import annotations

import time
from typing import List, Optional

import typer

from minikctl.api.errors import CliError, not_found, ApiError
from minikctl.cli import context
from minikctl import lazy

container_lines = lazy.function("minikctl.images.logs", "container_lines")
kinds = lazy.module("minikctl.api.kinds")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
parse_duration = lazy.function("minikctl.cli.rollout_cmd", "parse_duration")
rfc3339_nano = lazy.function("minikctl.images.logs", "rfc3339_nano")
selectors = lazy.module("minikctl.api.selectors")
timeutil = lazy.module("minikctl.timeutil")

SLEEP = time.sleep          # injectable: tests move a virtual clock instead of sleeping
MAX_POLLS: int | None = None
POLL_SECONDS = 1.0

USAGE = ("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for "
         "the logs command\nSee 'kubectl logs -h' for help and examples")
DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"


def by_logging_key(pod: dict):
    """podutils.ByLogging as a sort key: assigned, Running<Unknown<Pending, ready, ready longest,
    most restarts, oldest first."""
    st = pod.get("status") or {}
    phase_rank = {"Running": 0, "Unknown": 1, "Pending": 2}.get(st.get("phase"), 3)
    ready = next((c for c in st.get("conditions") or [] if c.get("type") == "Ready"), None)
    is_ready = bool(ready and ready.get("status") == "True")
    ready_since = timeutil.parse(ready.get("lastTransitionTime")) if is_ready and ready else None
    restarts = max((c.get("restartCount", 0) for c in st.get("containerStatuses") or []), default=0)
    created = timeutil.parse(pod["metadata"].get("creationTimestamp"))
    return (not pod["spec"].get("nodeName"), phase_rank, not is_ready,
            ready_since if ready_since is not None else float("inf"), -restarts,
            created if created is not None else float("inf"), pod["metadata"]["name"])


def _selector_of(obj: dict) -> dict | None:
    spec = obj.get("spec") or {}
    if obj["kind"] == "Service":
        sel = spec.get("selector")
        return {"matchLabels": sel} if sel else None
    return spec.get("selector")


def pods_for(cluster, kind, ns: str, name: str) -> list[dict]:
    """The pods `logs TYPE/NAME` chooses from, best first."""
    obj = cluster.get(kind.kind, ns if kind.namespaced else None, name)
    if obj is None:
        raise not_found(kind.resource, name)
    if kind.kind == "Pod":
        return [obj]
    sel = _selector_of(obj)
    if not sel:
        raise CliError(f"cannot get the logs from {kind.ref}/{name}: selector for {kind.ref}/{name} not implemented")
    pods = [p for p in cluster.list("Pod", ns) if selectors.label_selector_matches(sel, p["metadata"].get("labels"))]
    return sorted(pods, key=by_logging_key)


def container_of(pod: dict, container: str | None) -> str:
    names = [c["name"] for c in pod["spec"]["containers"]]
    inits = [c["name"] for c in pod["spec"].get("initContainers") or []]
    if container:
        if container not in names + inits:
            raise CliError(f"container {container} is not valid for pod {pod['metadata']['name']}")
        return container
    default = (pod["metadata"].get("annotations") or {}).get(DEFAULT_CONTAINER)
    if default in names:
        return default
    if len(names) + len(inits) > 1:
        context.err(f'Defaulted container "{names[0]}" out of: {", ".join(names + [i + " (init)" for i in inits])}')
    return names[0]


def _since_seconds(since: str | None) -> float | None:
    """--since: a Go duration, more than zero (pflag rejects a bad one before the command runs)."""
    if since is None:
        return None
    try:
        secs = parse_duration(since, "--since")
    except CliError as e:
        raise CliError(f"Error: {e.message}\nSee 'minikctl logs --help' for usage.", raw=True)
    if secs <= 0:
        raise CliError("--since must be greater than 0")
    return secs


def logs(args: list[str], container: str | None, namespace: str | None, tail: int, follow: bool, previous: bool,
         timestamps: bool, selector: str | None, all_containers: bool, prefix: bool, since: str | None = None) -> int:
    since_secs = _since_seconds(since)
    if tail < -1:
        raise CliError("--tail must be greater than or equal to -1")
    if len(args) == 2:  # kubectl logs POD CONTAINER (the inline container form)
        if container:
            raise CliError("only one of -c or an inline [CONTAINER] arg is allowed")
        args, container = args[:1], args[1]
    if selector and tail == -1:
        tail = 10  # kubectl: all lines for one pod, the last 10 per container with a selector
    ns = context.namespace(namespace)
    if selector and args:
        raise CliError("only one of a selector or a resource name may be specified")
    if not selector and not args:
        raise CliError(USAGE)
    if len(args) > 2:
        raise CliError(USAGE)
    out: list[str] = []
    followed: list = []
    with open_cluster(context.env()) as cluster:
        if selector:
            sel = selectors.parse_selector(selector)
            pods = [p for p in cluster.list("Pod", ns) if selectors.matches(sel, p["metadata"].get("labels"))]
            if not pods:
                context.err(f"No resources found in {ns} namespace.")
                return 0
        else:
            if "/" in args[0]:
                kname, _, name = args[0].partition("/")
                kind = kinds.resolve(kname)
            else:
                kind, name = kinds.BY_KIND["Pod"], args[0]
            try:
                pods = pods_for(cluster, kind, ns, name)
            except ApiError as e:  # kubectl logs words the builder's NotFound itself
                if e.reason != "NotFound":
                    raise
                raise CliError(f'error from server (NotFound): {e.message} in namespace "{ns}"')
            if not pods:
                raise CliError("timed out waiting for the condition")
            if len(pods) > 1:
                context.err(f"Found {len(pods)} pods, using pod/{pods[0]['metadata']['name']}")
            pods = pods[:1]
        for pod in pods:
            if all_containers:
                cnames = [c["name"] for c in (pod["spec"].get("initContainers") or []) + pod["spec"]["containers"]]
            else:
                cnames = [container_of(pod, container)]
            for cname in cnames:
                lines = container_lines(cluster, pod, cname, previous)
                if since_secs is not None:
                    lines = [(t, text) for t, text in lines if t >= cluster.now - since_secs]
                if tail >= 0:
                    lines = lines[-tail:] if tail else []
                pre = f"[pod/{pod['metadata']['name']}/{cname}] " if prefix else ""
                for t, text in lines:
                    out.append(pre + (f"{rfc3339_nano(t)} " if timestamps else "") + text + "\n")
                followed.append((pod["metadata"]["namespace"], pod["metadata"]["name"], pod["metadata"]["uid"],
                                 cname, _instance(pod, cname), lines[-1][0] if lines else None, pre))
    context.out("".join(out))
    if follow and not previous:
        _follow(followed, timestamps)
    return 0


def _instance(pod: dict, cname: str) -> str | None:
    cs = next((c for c in (pod.get("status") or {}).get("containerStatuses") or [] if c.get("name") == cname), {})
    return cs.get("containerID")


def _follow(followed: list, timestamps: bool) -> None:
    """Stream what each followed container writes from now on, until it ends (or Ctrl-C)."""
    env = context.env()
    live = list(followed)
    polls = 0
    while live and (MAX_POLLS is None or polls < MAX_POLLS):
        try:
            env.stdout.flush()
        except (AttributeError, OSError, ValueError):
            pass
        SLEEP(POLL_SECONDS)
        polls += 1
        out: list[str] = []
        with open_cluster(env, write=False) as cluster:
            for i, (ns, name, uid, cname, inst, last, pre) in enumerate(list(live)):
                pod = cluster.get("Pod", ns, name)
                if pod is None or pod["metadata"]["uid"] != uid or _instance(pod, cname) != inst:
                    live.remove(live[live.index((ns, name, uid, cname, inst, last, pre))])
                    continue
                try:
                    lines = container_lines(cluster, pod, cname, False)
                except Exception:  # noqa: BLE001 - not started yet: nothing to stream this time
                    lines = []
                new = [(t, text) for t, text in lines if last is None or t > last]
                for t, text in new:
                    out.append(pre + (f"{rfc3339_nano(t)} " if timestamps else "") + text + "\n")
                entry = (ns, name, uid, cname, inst, new[-1][0] if new else last, pre)
                live[live.index((ns, name, uid, cname, inst, last, pre))] = entry
                cs = next((c for c in (pod.get("status") or {}).get("containerStatuses") or []
                           if c.get("name") == cname), {})
                if "terminated" in (cs.get("state") or {}):
                    live.remove(entry)
        context.out("".join(out))


def register(app: typer.Typer) -> None:
    @app.command("logs", help="Print the logs for a container in a pod.",
                 context_settings={"allow_interspersed_args": True})
    def logs_cmd(args: Optional[List[str]] = typer.Argument(None),
                 container: Optional[str] = typer.Option(None, "-c", "--container"),
                 namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
                 tail: int = typer.Option(-1, "--tail"),
                 follow: bool = typer.Option(False, "-f", "--follow"),
                 previous: bool = typer.Option(False, "-p", "--previous"),
                 timestamps: bool = typer.Option(False, "--timestamps"),
                 selector: Optional[str] = typer.Option(None, "-l", "--selector"),
                 all_containers: bool = typer.Option(False, "--all-containers"),
                 prefix: bool = typer.Option(False, "--prefix"),
                 since: Optional[str] = typer.Option(None, "--since")) -> int:
        return logs(list(args or []), container, namespace, tail, follow, previous, timestamps, selector,
                    all_containers, prefix, since)
