"""`minikctl dns serve|explain`: the cluster DNS as a real server, and why it answered so."""
from __future__ import annotations

from typing import Optional

import typer

from minikctl.api.errors import CliError, not_found
from minikctl.cli import context
import threading
from minikctl import lazy

Store = lazy.function("minikctl.store.db", "Store")
check_port = lazy.function("minikctl.cli.serve_cmd", "check_port")
explain = lazy.module("minikctl.net.dns.explain")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
server = lazy.module("minikctl.net.dns.server")
dnslib = lazy.module("dnslib")

dns_app = typer.Typer(add_completion=False, rich_markup_mode=None, no_args_is_help=True,
                      help="Cluster DNS: serve it on a real port, or explain an answer.",
                      context_settings={"help_option_names": ["-h", "--help"]})


def load_snapshot(env):
    """A read-only snapshot of the live cluster (advanced to now, nothing written)."""
    with open_cluster(env, write=False) as cluster:
        cluster.load_everything()  # the snapshot outlives the transaction: read every kind now
        return cluster


def serve(address: str, port: int) -> int:
    check_port(port)
    env = context.env()
    load_snapshot(env)  # create the cluster if needed, fail early on a bad state file
    store = Store(env.db_path)

    def revision():
        try:
            return store.revision(), int(env.clock() // 1)
        except Exception:  # a locked or busy store: keep the last snapshot
            return None

    ready = threading.Event()
    context.err(f"serving cluster DNS on {address}:{port} (udp and tcp); Ctrl-C to stop")
    try:
        server.serve(lambda: load_snapshot(env), revision, address=address, port=port, ready=ready)
    except OSError as e:
        raise CliError(f"listen {address}:{port}: {e.strerror or e}")
    except KeyboardInterrupt:
        return 0
    return 0


def register(app: typer.Typer) -> None:
    @dns_app.command("serve", help="Answer DNS queries over UDP and TCP from the live cluster state.")
    def serve_cmd(port: int = typer.Option(5353, "--port", "-p", help="UDP and TCP port to answer on (0 = any free port)."),
                  address: str = typer.Option("127.0.0.1", "--address", help="Address to listen on (loopback by default).")) -> int:
        return serve(address, port)

    @dns_app.command("explain", help="Show how a name resolves from a pod, and which objects made each record.")
    def explain_cmd(name: str = typer.Argument(...), from_pod: Optional[str] = typer.Option(None, "--from", help="The pod (NAME or NS/NAME) whose resolver asks: its resolv.conf and search walk (default: a default-namespace pod)."),
                    qtype: str = typer.Option("A", "--type", help="Query type: A, AAAA, SRV, PTR, CNAME, ..."), namespace: Optional[str] = typer.Option(None, "-n", "--namespace")) -> int:
        if qtype.upper() not in dnslib.QTYPE.reverse:  # dig's own refusal of a type it does not know
            raise CliError(f'unknown DNS record type "{qtype}" for --type (try A, AAAA, SRV, PTR, CNAME, TXT or ANY)')
        qtype = qtype.upper()
        ns = context.namespace(namespace)
        with open_cluster(context.env()) as cluster:
            pod = None
            if from_pod:
                pod = cluster.get("Pod", ns, from_pod)
                if pod is None:
                    raise not_found("pods", from_pod)
            text = explain.explain(cluster, name, from_pod=pod, qtype=qtype)
        context.out(text if text.endswith("\n") else text + "\n")
        return 0

    app.add_typer(dns_app, name="dns")
