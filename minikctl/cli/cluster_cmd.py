"""`minikctl cluster init|reset|info|advance`: the simulated cluster's lifecycle."""
from __future__ import annotations

from typing import Optional

import typer

from minikctl.cli import context
import shutil
from minikctl import lazy

CliError = lazy.function("minikctl.api.errors", "CliError")
Cluster = lazy.function("minikctl.sim.cluster", "Cluster")
Store = lazy.function("minikctl.store.db", "Store")
apiserver_url = lazy.function("minikctl.sim.profile", "apiserver_url")
bootstrap = lazy.module("minikctl.sim.bootstrap")
clock = lazy.module("minikctl.sim.clock")
clusters = lazy.module("minikctl.clusters")
colour = lazy.module("minikctl.printers.colour")
kubeconfig = lazy.module("minikctl.cli.kubeconfig")
load_profile = lazy.function("minikctl.sim.profile", "load_profile")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
render = lazy.function("minikctl.printers.tabwriter", "render")

cluster_app = typer.Typer(add_completion=False, rich_markup_mode=None, no_args_is_help=True,
                          help="Create, reset and inspect the simulated cluster.",
                          context_settings={"help_option_names": ["-h", "--help"]})


def _remove_state(env) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = env.db_path.with_name(env.db_path.name + suffix)
        if p.exists():
            p.unlink()


def init(profile: str, seed: int | None, reset: bool) -> int:
    env = context.env()
    prof = load_profile(profile)  # unknown profile -> error before anything is touched
    name = clusters.selected(env)
    if name:  # a named cluster keeps its node names and subnet, with the profile asked for
        data = clusters.config(env.home)
        entry = clusters.named(data)[name]
        prof = clusters.named_profile(prof, name, int(entry.get("index") or 1))
        if entry.get("profile") != profile:
            entry["profile"] = profile
            kubeconfig.save(env, data)
    if reset:
        _remove_state(env)
    store = Store(env.db_path)
    try:
        store.begin()
        cluster = Cluster(store, env)
        cluster.load()
        if cluster.initialized:
            store.rollback()
            context.err(f"error: a cluster already exists in {env.home}; use 'minikctl cluster reset' to start over")
            return 1
        bootstrap.init_cluster(cluster, env, profile, seed if seed is not None else env.seed, profile=prof)
        clock.advance(cluster, env.clock())
        cluster.save()
        store.commit()
    finally:
        store.close()
    nodes = ", ".join(n["name"] for n in cluster.profile["nodes"])
    context.out(f"cluster created (profile {profile}, Kubernetes {cluster.profile['kubernetesVersion']}): {nodes}\n")
    return 0


def info(details_too: bool = True) -> int:
    """`cluster info`: kubectl's cluster-info text plus the simulation's facts; `cluster-info`:
    kubectl's text alone."""
    env = context.env()
    with open_cluster(env, direct=True) as cluster:
        cluster.load_everything()
        prof = cluster.profile
        server = apiserver_url(prof)
        dns = prof["dnsServiceIP"]
        text = (f"Kubernetes control plane is running at {server}\n"
                f"CoreDNS is running at {server}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n"
                f"\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n")
        details = (f"\nminikctl profile:   {prof.get('name', 'default')} (Kubernetes {prof['kubernetesVersion']})\n"
                   f"state:              {env.db_path}\n"
                   f"seed:               {cluster.meta.get('seed')}\n"
                   f"pod network:        {prof['podCIDR']} (/{prof.get('podBlockPrefix', 26)} blocks per node)\n"
                   f"service network:    {prof['serviceCIDR']} (kube-dns {dns})\n"
                   f"kube-proxy mode:    {prof.get('kubeProxyMode', 'iptables')}\n"
                   f"objects:            {sum(len(v) for v in cluster.kinds.values())} (revision {cluster.revision})\n")
    if env.colour:
        text = colour.cluster_info(text)
    context.out(text)
    if details_too:
        context.out(details)
    return 0


def create(name: str, profile: str, seed: int | None) -> int:
    """A named cluster as the exam's several clusters: own state file, nodes NAME-master,
    NAME-worker-01... on 192.168.K.0/24, a context NAME (cluster NAME, user NAME-admin) added to
    the kubeconfig. The current context stays what it was (kubectl config use-context NAME)."""
    env = context.env()
    if name == clusters.DEFAULT or not clusters.NAME_RE.match(name):
        raise CliError(f'minikctl: "{name}" cannot name a cluster: use lower case letters, digits and '
                       f"'-' (at most 40), and not \"{clusters.DEFAULT}\" (the default cluster's name)")
    data = kubeconfig.load(env)
    if name in clusters.named(data):
        raise CliError(f'minikctl: a cluster "{name}" already exists; use \'minikctl cluster delete {name}\' first')
    if name in kubeconfig.contexts(data):
        raise CliError(f'minikctl: a context "{name}" already exists in the kubeconfig')
    load_profile(profile)
    used = {int(c.get("index") or 0) for c in clusters.named(data).values()}
    index = next(i for i in range(1, 250) if i not in used)
    prof = clusters.named_profile(load_profile(profile), name, index)
    user = clusters.admin_user(name)
    data.setdefault("clusters", {})[name] = {"server": apiserver_url(prof), "user": user, "profile": profile,
                                             "index": index}
    data.setdefault("contexts", {})[name] = {"cluster": name, "user": user}
    kubeconfig.save(env, data)
    old = env.cluster
    env.cluster = name
    try:
        code = init(profile, seed, reset=True)  # on the named cluster: env is the running command's
    finally:
        env.cluster = old
    if code:
        return code
    context.out(f'Context "{name}" created (cluster {name}, user {user}); '
                f"use it: kubectl config use-context {name}\n")
    return 0


def delete(name: str) -> int:
    env = context.env()
    data = kubeconfig.load(env)
    if name not in clusters.named(data):
        raise CliError(f'minikctl: no cluster named "{name}" (the default cluster is removed by '
                       "'minikctl cluster reset')")
    del data["clusters"][name]
    for ctx in [c for c, e in (data.get("contexts") or {}).items() if e.get("cluster") == name]:
        del data["contexts"][ctx]
        if data.get("current") == ctx:
            data.pop("current", None)
    kubeconfig.save(env, data)
    shutil.rmtree(clusters.db_path(env.home, name).parent, ignore_errors=True)
    context.out(f'cluster "{name}" deleted (and its context)\n')
    return 0


def list_clusters() -> int:
    env = context.env()
    data = kubeconfig.load(env)
    cur = clusters.selected(env) or clusters.DEFAULT
    rows = [["CURRENT", "NAME", "SERVER", "STATE"]]
    for name in clusters.all_names(env.home):
        entry = clusters.named(data).get(name) or {}
        server = entry.get("server") or "https://192.168.1.10:6443"
        if name == clusters.DEFAULT:
            try:
                server = apiserver_url(load_profile("default"))
            except Exception:  # noqa: BLE001
                pass
        rows.append(["*" if name == cur else "", name, server, str(clusters.db_path(env.home, name))])
    context.out(render(rows))
    return 0


def register(app: typer.Typer) -> None:
    @cluster_app.command("init", help="Create the cluster of a profile (done on first use anyway).")
    def init_cmd(profile: str = typer.Option("default", "--profile"),
                 seed: Optional[int] = typer.Option(None, "--seed", help="Random seed of the new cluster (same seed, same names, IPs and DNS order).")) -> int:
        return init(profile, seed, reset=False)

    @cluster_app.command("reset", help="Throw the current cluster away and create a fresh one.")
    def reset_cmd(profile: str = typer.Option("default", "--profile"),
                  seed: Optional[int] = typer.Option(None, "--seed", help="Random seed of the new cluster (same seed, same names, IPs and DNS order).")) -> int:
        return init(profile, seed, reset=True)

    @cluster_app.command("info", help="Where the control plane and CoreDNS run, and the simulation's facts.")
    def info_cmd() -> int:
        return info()

    @cluster_app.command("create", help="Create another named cluster, with its own state and kubeconfig context.")
    def create_cmd(name: str = typer.Argument(..., help="The cluster's name (also its context's)."),
                   profile: str = typer.Option("default", "--profile"),
                   seed: Optional[int] = typer.Option(None, "--seed", help="Random seed of the new cluster.")) -> int:
        return create(name, profile, seed)

    @cluster_app.command("delete", help="Delete a named cluster, its state and its context.")
    def delete_cmd(name: str = typer.Argument(...)) -> int:
        return delete(name)

    @cluster_app.command("list", help="The clusters of this state directory and their contexts.")
    def list_cmd() -> int:
        return list_clusters()

    app.add_typer(cluster_app, name="cluster")

    @app.command("cluster-info", help="Display cluster information.")
    def cluster_info_cmd() -> int:
        return info(details_too=False)
