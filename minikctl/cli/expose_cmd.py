"""`minikctl expose`: a Service for a Deployment, ReplicaSet, Pod or Service, as kubectl builds it.

The Service comes from minikctl.api.generators.expose (selector, ports and protocol taken from
the exposed object); a client dry run prints it typed, anything else is created through the
apiserver, which allocates the ClusterIP and says what is invalid.
"""
from __future__ import annotations

from typing import List, Optional

import typer

from minikctl.api import generators
from minikctl.cli import context, output
from minikctl.cli.targets import _targets
from minikctl.cli.writes import _body, dry_strategy, print_stored, print_typed
from minikctl import lazy

open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
server = lazy.module("minikctl.api.server")


def expose(args, filenames, namespace, port, target_port, protocol, name, selector, stype, external_ip,
           labels, cluster_ip, port_name, session_affinity, load_balancer_ip, dry_run, fmt) -> int:
    dry = dry_strategy(dry_run)
    if fmt:
        output.check_format(fmt)
    if stype and stype not in ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"):
        pass  # the apiserver's Unsupported value says it
    ns = context.namespace(namespace)
    with open_cluster(context.env()) as cluster:
        for live in _targets(cluster, args, filenames, ns):
            svc = generators.expose(live, port=str(port or ""), target_port=target_port or "", protocol=protocol or "",
                                    name=name or "", selector=selector or "", stype=stype or "",
                                    external_ip=external_ip or "", labels=labels or "", cluster_ip=cluster_ip or "",
                                    port_name=port_name or "", session_affinity=session_affinity or "",
                                    load_balancer_ip=load_balancer_ip or "")
            if dry == "client":
                if namespace:
                    m = svc["metadata"]
                    svc["metadata"] = {"name": m["name"], "namespace": namespace,
                                       **{k: v for k, v in m.items() if k != "name"}}
                print_typed(svc, fmt, "exposed", dry)
                continue
            created = server.create(cluster, _body(svc, ns), dry_run=dry == "server")
            print_stored(created, fmt, "exposed", dry)
    return 0


def register(app: typer.Typer) -> None:
    @app.command("expose", help="Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service.")
    def expose_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        filename: List[str] = typer.Option([], "-f", "--filename"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        port: Optional[str] = typer.Option(None, "--port"),
        target_port: Optional[str] = typer.Option(None, "--target-port"),
        protocol: Optional[str] = typer.Option(None, "--protocol"),
        name: Optional[str] = typer.Option(None, "--name"),
        selector: Optional[str] = typer.Option(None, "--selector"),
        stype: Optional[str] = typer.Option(None, "--type"),
        external_ip: Optional[str] = typer.Option(None, "--external-ip"),
        labels: Optional[str] = typer.Option(None, "-l", "--labels"),
        cluster_ip: Optional[str] = typer.Option(None, "--cluster-ip"),
        port_name: Optional[str] = typer.Option(None, "--port-name", help="minikctl: a name for the Service's port (kubectl has no such flag; edit the Service there)."),
        session_affinity: Optional[str] = typer.Option(None, "--session-affinity"),
        load_balancer_ip: Optional[str] = typer.Option(None, "--load-balancer-ip"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        return expose(list(args or []), filename, namespace, port, target_port, protocol, name, selector, stype,
                      external_ip, labels, cluster_ip, port_name, session_affinity, load_balancer_ip, dry_run, output_fmt)
