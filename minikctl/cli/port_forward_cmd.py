"""`port-forward TYPE/NAME [LOCAL_PORT:]REMOTE_PORT...`: kubectl's lines over a real loopback
listener (minikctl/net/portforward.py). Runs until interrupted, or until the pod refuses a
forwarded connection (kubectl then exits with `error: lost connection to pod`).
"""
from __future__ import annotations

import os
import threading
from typing import List, Optional

import typer

from minikctl.api.errors import CliError
from minikctl.cli import context
from minikctl import lazy

open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
portforward = lazy.module("minikctl.net.portforward")
traffic = lazy.module("minikctl.net.proxy.traffic")


def forward(env, target: str, ports: list[str], namespace: str, address: str = "localhost",
            stop: threading.Event | None = None, ready: threading.Event | None = None) -> int:
    """The whole verb on an Env; `stop` ends it (tests), `ready` is set once it listens."""
    pairs = portforward.parse_ports(ports)
    with open_cluster(env, write=False) as cluster:
        pod = portforward.resolve(cluster, namespace, target, pairs)
    ns, name = pod["metadata"].get("namespace") or "default", pod["metadata"]["name"]
    lock = threading.Lock()
    stop = stop or threading.Event()
    lost: list = []

    def out(text: str) -> None:
        with lock:
            env.stdout.write(text)
            env.stdout.flush()

    def err(text: str) -> None:
        with lock:
            env.stderr.write(text)
            env.stderr.flush()

    def answer(pp, method, path, host):
        with open_cluster(env, write=False) as cluster:
            live = cluster.get("Pod", ns, name)
            if live is None:
                return None
            resp = traffic.serve(cluster, live, pp.container, path, host or f"localhost:{pp.local}", method=method)
        if isinstance(resp, str):          # not HTTP (a plain TCP server) or a process minikctl does not model
            if isinstance(resp, traffic.NotSimulated):
                err(f"{resp}\n")
            return False
        return resp

    def on_lost(pp):
        with open_cluster(env, write=False) as cluster:
            now = cluster.now
        err(portforward.lost_message(pod, pp, now, os.getpid()))
        lost.append(pp)
        stop.set()

    fwd = portforward.Forwarder(address, pairs, answer, out, err, on_lost)
    fwd.start()
    if ready is not None:
        ready.set()
    try:
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        fwd.stop()
    if lost:
        raise CliError("lost connection to pod")
    return 0


def register(app: typer.Typer) -> None:
    @app.command("port-forward", help="Forward one or more local ports to a pod.",
                 context_settings={"allow_extra_args": True, "ignore_unknown_options": False})
    def port_forward_cmd(args: Optional[List[str]] = typer.Argument(None, metavar="TYPE/NAME [LOCAL_PORT:]REMOTE_PORT..."),
                         address: str = typer.Option("localhost", "--address",
                                                     help="Addresses to listen on (comma separated)."),
                         namespace: Optional[str] = typer.Option(None, "-n", "--namespace")) -> int:
        args = list(args or [])
        if len(args) < 2:
            raise CliError("TYPE/NAME and list of ports are required for port-forward\n"
                           "See 'kubectl port-forward -h' for help and examples")
        for a in address.split(","):
            if a not in ("localhost", "127.0.0.1", "::1"):
                raise CliError(f"minikctl: port-forward --address {a} is not simulated (only loopback listeners)",
                               raw=True)
        return forward(context.env(), args[0], args[1:], context.namespace(namespace), address)
