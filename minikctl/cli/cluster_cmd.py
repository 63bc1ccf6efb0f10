"""`minikctl cluster init|reset|info|advance`: the simulated cluster's lifecycle."""
from __future__ import annotations

from typing import Optional

import typer

from minikctl.cli import context

cluster_app = typer.Typer(add_completion=False, rich_markup_mode=None, no_args_is_help=True,
                          help="Create, reset and inspect the simulated cluster.",
                          context_settings={"help_option_names": ["-h", "--help"]})


def _remove_state(env) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = env.db_path.with_name(env.db_path.name + suffix)
        if p.exists():
            p.unlink()


def init(profile: str, seed: int | None, reset: bool) -> int:
    from minikctl.sim import bootstrap, clock
    from minikctl.sim.cluster import Cluster
    from minikctl.sim.profile import load_profile
    from minikctl.store.db import Store
    env = context.env()
    load_profile(profile)  # unknown profile -> error before anything is touched
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
        bootstrap.init_cluster(cluster, env, profile, seed if seed is not None else env.seed)
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
    from minikctl.sim.cluster import open_cluster
    env = context.env()
    with open_cluster(env) as cluster:
        cluster.load_everything()
        prof = cluster.profile
        from minikctl.sim.profile import apiserver_url
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
        from minikctl.printers import colour
        text = colour.cluster_info(text)
    context.out(text)
    if details_too:
        context.out(details)
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

    app.add_typer(cluster_app, name="cluster")

    @app.command("cluster-info", help="Display cluster information.")
    def cluster_info_cmd() -> int:
        return info(details_too=False)
