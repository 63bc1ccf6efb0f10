"""The data plane verbs: `ssh NODE [-- CMD]`, `traffic TARGET`, and the readiness knob `sim unready|ready POD`.

Why here: these are the commands that let a learner *watch* traffic, not just read tables.
They stay thin: the node's shell and tools (minikctl/images/nodetools.py), the connection model
(minikctl/net/proxy/traffic.py), the experiment around it (client, target, what decided the
spread: minikctl/net/proxy/experiment.py) and the chart (minikctl/printers/traffic_chart.py) do
the work.

* `ssh` runs a command line on a node the way sshd does: the words are joined with spaces and
  handed to the login shell (bash on the profile's CentOS nodes), so pipes and `$?` work. No
  command (or `-it`) opens an interactive shell with the `[root@k8s-worker-01 ~]# ` prompt.
* `traffic` opens N new connections from a client pod and counts which pod answered; one state
  dict (ClientIP affinity memory, IPVS round-robin counters) lives through the whole run.
* `sim unready|ready` sets/removes the annotation `sim.minikctl.io/ready: "false"` through the
  apiserver; the kubelet treats it as a failing readiness probe, so Endpoints, EndpointSlices,
  DNS and kube-proxy follow within the same command.
"""
from __future__ import annotations

from typing import List, Optional

import typer

from minikctl.api.errors import CliError
from minikctl.cli import context
from collections import Counter
import copy
from minikctl import lazy

NodeShell = lazy.function("minikctl.images.nodetools", "NodeShell")
builder = lazy.module("minikctl.api.builder")
clock = lazy.module("minikctl.sim.clock")
clusters = lazy.module("minikctl.clusters")
control_plane = lazy.function("minikctl.sim.profile", "control_plane")
datadir = lazy.module("minikctl.sim.etcd.datadir")
experiment = lazy.module("minikctl.net.proxy.experiment")
metrics = lazy.module("minikctl.sim.metrics")
node_context = lazy.function("minikctl.images.nodetools", "node_context")
nodehost = lazy.module("minikctl.sim.nodehost")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
prompt = lazy.function("minikctl.images.nodetools", "prompt")
render_chart = lazy.function("minikctl.printers.traffic_chart", "render_chart")
resources = lazy.module("minikctl.api.resources")
rules = lazy.module("minikctl.net.proxy.rules")
server = lazy.module("minikctl.api.server")
sh_parser = lazy.module("minikctl.sh.parser")
shell_tools = lazy.function("minikctl.images.nodetools", "shell_tools")
spare = lazy.module("minikctl.sim.nodehost.spare")
timeutil = lazy.module("minikctl.timeutil")
traffic = lazy.module("minikctl.net.proxy.traffic")
why_lines = lazy.function("minikctl.net.policy", "why_lines")

READY_ANNOTATION = "sim.minikctl.io/ready"

# --- time ----------------------------------------------------------------------------------

MAX_ADVANCE = 366 * 86400.0


def sim_advance(text: str) -> int:
    """Move the simulated clock; print one line saying how far, to when, and what fired."""
    try:
        secs = timeutil.parse_go_duration(text)
    except ValueError as e:
        raise CliError(f'invalid argument "{text}" for "sim advance": {e}')
    if secs < 0:
        raise CliError(f"minikctl: the simulated clock only moves forward (got {text})")
    if secs > MAX_ADVANCE:
        raise CliError(f"minikctl: sim advance moves at most 8784h0m0s (a leap year) at a time (got {text})")
    with open_cluster(context.env(), direct=True) as cluster:
        got = clock.advance_by(cluster, secs)
    evs = got["events"]
    what = f"{got['fired']} timer{'s' if got['fired'] != 1 else ''} fired"
    if evs:
        total = sum(evs.values())
        parts = ", ".join(f"{r} x{n}" for r, n in sorted(evs.items(), key=lambda kv: (-kv[1], kv[0])))
        what += f", {total} event{'s' if total != 1 else ''} ({parts})"
    context.out(f"minikctl: clock advanced {timeutil.go_duration_string(secs)} to {timeutil.fmt(got['to'])}: {what}\n")
    return 0


# --- nodes ---------------------------------------------------------------------------------


def find_node(view, host: str) -> str:
    """The node an ssh destination names: `k8s-worker-01`, `root@k8s-worker-01` or its IP."""
    name = host.rsplit("@", 1)[-1]
    for n in rules.node_names(view):
        if name in (n, rules.node_ip(view, n)):
            return n
    # a machine that has not joined (yet)
    e = spare.entry(view, name)
    if e is not None:
        return e["name"]
    raise CliError(f"ssh: Could not resolve hostname {name}: Name or service not known", code=255, raw=True)


def _cluster_of_host(env, host: str) -> str | None:
    """The cluster whose node the ssh destination names: the current context's first, then the
    others (minikctl/clusters.py); None leaves the choice to the current context."""
    if not clusters.named(clusters.config(env.home)):
        return env.cluster
    current = clusters.selected(env) or clusters.DEFAULT
    for name in [current] + [n for n in clusters.all_names(env.home) if n != current]:
        if not clusters.db_path(env.home, name).exists():
            continue
        old = env.cluster
        env.cluster = name
        try:
            with open_cluster(env, direct=True) as cluster:
                find_node(cluster, host)
            return name
        except CliError:
            continue
        finally:
            env.cluster = old
    return env.cluster


def do_ssh(host: str, command: list[str], interactive: bool) -> int:
    env = context.env()
    env.cluster = _cluster_of_host(env, host)  # the exam's terminal reaches every cluster's nodes
    with open_cluster(env, direct=True) as cluster:
        node = find_node(cluster, host)
        ctx = node_context(cluster, node)
        if interactive or not command:
            return _interactive(ctx, node)
        shell = NodeShell(ctx, shell_tools(), argv0="bash", dialect="ash")
        shell.vars["PWD"] = "/root"
        out, err, code, _ = shell.run(" ".join(command))
        err += _etcd_follows_manifest(cluster, node)
        _node_changed(cluster, node)
    if out:
        context.out(out)
    if err:
        env.stderr.write(err)
    return code


def _etcd_follows_manifest(cluster, node: str) -> str:
    """The etcd static pod restarted on the data directory its manifest now names (an etcd
    restore: sim/etcd/datadir.py); a note when minikctl cannot follow. Before the kubelet's own
    sync, so that it sees the restored objects."""
    if node != control_plane(cluster.profile).get("name"):
        return ""
    note = datadir.sync(cluster, node)
    return note + "\n" if note else ""


def _node_changed(cluster, node: str) -> None:
    """What the learner did on the node may matter to its kubelet (static pods, a restart)."""
    if getattr(cluster, "meta", None) is not None:
        nodehost.changed(cluster, node)


def _interactive(ctx, node: str) -> int:
    env = context.env()
    shell = NodeShell(ctx, shell_tools(), argv0="-bash", dialect="ash")
    shell.vars["PWD"] = "/root"
    code, pending = 0, ""
    while True:
        env.stdout.write("> " if pending else prompt(node, shell.vars.get("PWD", "/root")))
        env.stdout.flush()
        line = env.stdin.readline()
        if not line:
            code = shell.status
            break
        text = pending + line.rstrip("\n")
        try:                       # `for ...; do` typed over several lines: bash's `> ` until complete
            sh_parser.parse(text, "bash", interactive=True)
        except sh_parser.ShSyntaxError as e:
            if e.kind in ("eof", "quote", "eofmatch", "brace", "heredoc") and line.strip():
                pending = text + "\n"
                continue
        pending = ""
        out, err, code, exited = shell.run(text)
        err += _etcd_follows_manifest(ctx.view, node)
        _node_changed(ctx.view, node)
        env.stdout.write(out)
        env.stderr.write(err)
        if exited:
            break
    env.stdout.write("logout\n")
    env.stderr.write(f"Connection to {node} closed.\n")
    return code


# --- traffic -------------------------------------------------------------------------------

def do_traffic(target: str, from_pod: str | None, n: int, port: int | None, path: str,
               namespace: str | None, why: bool = False) -> int:
    env = context.env()
    if n < 1:
        raise CliError(f"-n must be at least 1, got {n}")
    ns = context.namespace(namespace)
    with open_cluster(env, direct=True) as cluster:
        client = experiment.pick_client(cluster, ns, from_pod)
        host, port = experiment.resolve_target(cluster, client, ns, target, port)
        state: dict = {}
        outcomes = [traffic.connect(cluster, client, host, port, path, state=state, agent="Wget", explain=why)
                    for _ in range(n)]
        counts = Counter(o.label for o in outcomes)
        svc = cluster.get("Service", ns, target.split("/", 1)[-1]) if ":" not in target else None
        how = experiment.explain_spread(cluster, outcomes, svc)
    cm, st = client["metadata"], client.get("status") or {}
    ips = list(dict.fromkeys(o.ip for o in outcomes if o.ip and o.ip != host))
    shown = ", ".join(ips) if len(ips) <= 3 else f"{len(ips)} addresses"
    dest = f"{host}:{port}" + (f" ({shown})" if ips else "")
    title = (f"{n} new connections to {dest}{path if path != '/' else ''} from {cm['name']} "
             f"({st.get('podIP')} on {client['spec'].get('nodeName')})")
    context.out(render_chart(counts, n, title, env.colour))
    failed = {k: v for k, v in counts.items() if k.startswith("(")}
    if failed:
        context.out("failed: " + ", ".join(f"{v} {k.strip('()')}" for k, v in sorted(failed.items())) + "\n")
    if how:
        context.out(how + "\n")
    _policy_report(outcomes, why)
    note = next((o for o in outcomes if o.note), None)
    if note:
        context.out(f"\nNote: {host} is an ExternalName for {note.cname}: the client sent Host: {host}.\n"
                    f"{note.note}\n")
    return 0


def _policy_report(outcomes, why: bool) -> None:
    """Which NetworkPolicy allowed or dropped the connections: one line per distinct verdict
    (when any policy isolates either end), or with --why every rule of every isolating policy."""
    verdicts = [o.policy for o in outcomes if o.policy is not None]
    if not verdicts or not (why or any(v.involved for v in verdicts)):
        return
    seen: Counter = Counter()
    first: dict = {}
    for v in verdicts:
        key = (v.flow, v.summary())
        seen[key] += 1
        first.setdefault(key, v)
    context.out("NetworkPolicy:\n")
    for key, count in sorted(seen.items(), key=lambda kv: kv[0]):
        v = first[key]
        if why:
            lines = why_lines(v)
            context.out(f"  {count}x " + lines[0] + "\n" + "".join(f"  {line}\n" for line in lines[1:]))
        else:
            context.out(f"  {count}x {v.flow}: {v.summary()}\n")


# --- the readiness knob ----------------------------------------------------------------------

def set_ready(pod_name: str, ready: bool, namespace: str | None) -> int:
    ns = context.namespace(namespace)
    name = pod_name.split("/", 1)[1] if "/" in pod_name else pod_name
    with open_cluster(context.env(), direct=True) as cluster:
        old = server.get(cluster, "Pod", ns, name)
        new = copy.deepcopy(old)
        ann = new["metadata"].setdefault("annotations", {})
        if ready:
            ann.pop(READY_ANNOTATION, None)
            if not ann:
                new["metadata"].pop("annotations")
        else:
            ann[READY_ANNOTATION] = "false"
        if new != old:
            server.update(cluster, new, old)
    state = "passing" if ready else "failing"
    context.out(f"pod/{name} readiness probe {state}\n")
    return 0


def set_load(target: str, cpu: str | None, memory: str | None, clear: bool, namespace: str | None) -> int:
    """The metrics knob (sim/metrics.py): usage annotations on a pod, its controller or a Service."""
    if not clear and cpu is None and memory is None:
        raise CliError("minikctl: sim load needs --cpu, --memory or --clear")
    for flag, v in (("--cpu", cpu), ("--memory", memory)):
        if v is not None and (resources.parse(v) is None or resources.parse(v) < 0):
            raise CliError(f'invalid argument "{v}" for "{flag}" flag: quantities must match the regular expression '
                           "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    reqs = builder.parse([target])
    if len(reqs) != 1 or len(reqs[0].names) != 1:
        raise CliError("minikctl: sim load takes one TYPE/NAME (pod/x, deploy/x, sts/x, svc/x)")
    r = reqs[0]
    if r.kind.kind not in ("Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Service"):
        raise CliError(f"minikctl: sim load on a {r.kind.kind} is not simulated (pods, their controllers or a Service)")
    ns = context.namespace(namespace)
    with open_cluster(context.env(), direct=True) as cluster:
        old = server.get(cluster, r.kind.kind, ns, r.names[0])
        new = copy.deepcopy(old)
        ann = new["metadata"].setdefault("annotations", {})
        for key, v in ((metrics.CPU_KNOB, cpu), (metrics.MEMORY_KNOB, memory)):
            if clear:
                ann.pop(key, None)
            elif v is not None:
                ann[key] = v
        if not ann:
            new["metadata"].pop("annotations")
        if new != old:
            server.update(cluster, new, old)
    what = "cleared" if clear else ", ".join(f"{k}={v}" for k, v in (("cpu", cpu), ("memory", memory)) if v is not None)
    share = " (a total shared by its ready endpoints)" if r.kind.kind == "Service" and not clear else \
        (" (each pod)" if r.kind.kind != "Pod" and not clear else "")
    context.out(f"{r.kind.ref}/{r.names[0]} load {what}{share}\n")
    return 0


def _after_dashdash(args: list[str]) -> tuple[list[str], list[str] | None]:
    argv = list(getattr(context.env(), "argv", []))
    if "--" not in argv:
        return args, None
    after = argv[argv.index("--") + 1:]
    return (args[: len(args) - len(after)] if after else args), after


def register(app: typer.Typer) -> None:
    @app.command("ssh", help="Run a command on a node (ssh NODE -- CMD), or open a shell there.",
                 context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def ssh_cmd(args: Optional[List[str]] = typer.Argument(None),
                stdin: bool = typer.Option(False, "-i", hidden=True),
                tty: bool = typer.Option(False, "-t", help="Force a terminal (interactive shell)."),
                it: bool = typer.Option(False, "-it", "-ti", hidden=True)) -> int:
        before, after = _after_dashdash(list(args or []))
        if not before:
            raise CliError("usage: minikctl ssh NODE [-- COMMAND...]", code=255, raw=True)
        command = after if after is not None else before[1:]
        return do_ssh(before[0], command, interactive=(it or tty) and not command)

    @app.command("traffic", help="Send N requests to a service, pod or host:port and chart which pod answered.")
    def traffic_cmd(target: str = typer.Argument(..., metavar="SVC|POD|HOST:PORT"),
                    from_pod: Optional[str] = typer.Option(None, "--from", help="Client pod (default: busybox)."),
                    requests: int = typer.Option(100, "-n", "--requests", help="Number of new connections."),
                    port: Optional[int] = typer.Option(None, "--port", help="Port to connect to (default: the target's first port)."),
                    path: str = typer.Option("/", "--path", help="HTTP path of each request."),
                    namespace: Optional[str] = typer.Option(None, "--namespace"),
                    why: bool = typer.Option(False, "--why", help="Show every NetworkPolicy rule that decided.")) -> int:
        return do_traffic(target, from_pod, requests, port, path, namespace, why)

    sim_app = typer.Typer(add_completion=False, rich_markup_mode=None, no_args_is_help=True,
                          help="Simulation knobs for drills (readiness).",
                          context_settings={"help_option_names": ["-h", "--help"]})

    @sim_app.command("unready", help="Make a pod's readiness probe fail (annotation sim.minikctl.io/ready=false).")
    def unready_cmd(pod: str, namespace: Optional[str] = typer.Option(None, "-n", "--namespace")) -> int:
        return set_ready(pod, False, namespace)

    @sim_app.command("ready", help="Let a pod's readiness probe pass again.")
    def ready_cmd(pod: str, namespace: Optional[str] = typer.Option(None, "-n", "--namespace")) -> int:
        return set_ready(pod, True, namespace)

    @sim_app.command("advance", help="Move the cluster's clock on by a Go duration (90s, 5m, 1h30m), "
                                     "firing what falls due (pod starts, exits, Jobs, CronJobs) in order.")
    def advance_cmd(duration: str = typer.Argument(..., metavar="DURATION")) -> int:
        return sim_advance(duration)

    @sim_app.command("load", help="Set the CPU/memory a pod, its controller's pods, or a Service's endpoints use "
                                  "(what `top` and the HPA read); --clear removes it.")
    def load_cmd(target: str = typer.Argument(..., metavar="TYPE/NAME"),
                 cpu: Optional[str] = typer.Option(None, "--cpu", help="CPU in use, e.g. 250m or 1."),
                 memory: Optional[str] = typer.Option(None, "--memory", help="Memory in use, e.g. 100Mi."),
                 clear: bool = typer.Option(False, "--clear", help="Remove the load setting."),
                 namespace: Optional[str] = typer.Option(None, "-n", "--namespace")) -> int:
        return set_load(target, cpu, memory, clear, namespace)

    app.add_typer(sim_app, name="sim")
