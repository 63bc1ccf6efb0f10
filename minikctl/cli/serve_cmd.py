"""`minikctl serve` and `minikctl kubeconfig`: the simulated cluster as a Kubernetes API for
the real kubectl (minikctl/apiserver)."""
from __future__ import annotations

from typing import Optional

import typer

from minikctl.api.errors import CliError
from minikctl.cli import context
from minikctl import lazy

http = lazy.module("minikctl.apiserver.http")
kubeconfig = lazy.module("minikctl.apiserver.kubeconfig")
state = lazy.module("minikctl.apiserver.state")

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def check_port(port: int) -> None:
    """A TCP/UDP port is 16 bits; 0 asks the system for a free one."""
    if not 0 <= port <= 65535:
        raise CliError(f"invalid port {port}: a port is a number from 0 to 65535 (0 picks a free one)")


def serve(address: str, port: int, write_kubeconfig: Optional[str], verbose: bool) -> int:
    env = context.env()
    check_port(port)
    try:
        srv = http.make_server(env, address, port, verbose=verbose)
    except (OSError, OverflowError) as e:
        raise CliError(f"cannot listen on {address}:{port}: {e.strerror or e}")
    bound = srv.server_address[1]
    if write_kubeconfig:
        path = kubeconfig.write(env, write_kubeconfig, address, bound)
        context.err(f"Wrote context \"{kubeconfig.NAME}\" to {path}")
    context.err(f"Serving the minikctl cluster at {kubeconfig.server_url(address, bound)} (Ctrl-C to stop)")
    if address not in LOOPBACK:
        context.err(f"warning: listening on {address}: anyone who can reach it and holds the token controls the cluster")
    try:
        env.stderr.flush()
    except (AttributeError, ValueError):
        pass
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stopping.set()
        srv.server_close()
    return 0


def register(app: typer.Typer) -> None:
    @app.command("serve", help="Serve the simulated cluster as a Kubernetes API for the real kubectl.")
    def serve_cmd(
        port: int = typer.Option(6443, "--port", help="Port to listen on (0 = any free port)."),
        address: str = typer.Option("127.0.0.1", "--address", help="Address to listen on (loopback by default)."),
        write_kubeconfig: Optional[str] = typer.Option(None, "--write-kubeconfig",
                                                       help="Also write a kubeconfig with the minikctl context here."),
        verbose: bool = typer.Option(False, "-v", "--verbose", help="Log every request on stderr."),
    ) -> int:
        return serve(address, port, write_kubeconfig, verbose)

    @app.command("kubeconfig", help="Print (or write with -o) a kubeconfig whose context `minikctl` reaches `minikctl serve`.")
    def kubeconfig_cmd(
        port: int = typer.Option(6443, "--port", help="The port `minikctl serve` listens on."),
        address: str = typer.Option("127.0.0.1", "--address", help="The address `minikctl serve` listens on."),
        output: Optional[str] = typer.Option(None, "-o", "--output", help="Write (merge) into this kubeconfig file."),
        rotate: bool = typer.Option(False, "--rotate", help="Replace the serve token with a new random one first "
                                    "(the old token stops working, also for a running serve)."),
    ) -> int:
        env = context.env()
        if rotate:
            state.rotate_token(env)
        if output:
            path = kubeconfig.write(env, output, address, port)
            context.out(f'Context "{kubeconfig.NAME}" written to {path}.\n')
        else:
            context.out(kubeconfig.render(kubeconfig.document(env, address, port)))
        return 0
