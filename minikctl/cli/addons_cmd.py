"""`minikctl addons list|enable|disable NAME`: install what a kubeadm cluster does not come with.

A kubeadm cluster has no metrics-server, so `kubectl top` says `Metrics API not available` until
one is installed - usually `kubectl apply -f` of metrics-server's components.yaml, which needs the
Internet (minikube's `addons enable metrics-server` does the same offline). This verb creates
the objects that manifest creates, through the API door like an apply would, with the
`--kubelet-insecure-tls` argument a kubeadm cluster needs (its kubelets serve self-signed
certificates). Kinds minikctl does not model yet are left out and named.
"""
from __future__ import annotations

import typer

from minikctl.api.errors import CliError
from minikctl.cli import context
from minikctl import lazy

kinds = lazy.module("minikctl.api.kinds")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
server = lazy.module("minikctl.api.server")
tabwriter = lazy.module("minikctl.printers.tabwriter")

METRICS_SERVER_IMAGE = "registry.k8s.io/metrics-server/metrics-server:v0.7.2"


def _metrics_server() -> list[dict]:
    labels = {"k8s-app": "metrics-server"}
    meta = {"name": "metrics-server", "namespace": "kube-system", "labels": dict(labels)}
    container = {
        "name": "metrics-server", "image": METRICS_SERVER_IMAGE, "imagePullPolicy": "IfNotPresent",
        "args": ["--cert-dir=/tmp", "--secure-port=10250",
                 "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
                 "--kubelet-use-node-status-port", "--metric-resolution=15s", "--kubelet-insecure-tls"],
        "ports": [{"containerPort": 10250, "name": "https", "protocol": "TCP"}],
        "livenessProbe": {"failureThreshold": 3, "periodSeconds": 10,
                          "httpGet": {"path": "/livez", "port": "https", "scheme": "HTTPS"}},
        "readinessProbe": {"failureThreshold": 3, "initialDelaySeconds": 20, "periodSeconds": 10,
                           "httpGet": {"path": "/readyz", "port": "https", "scheme": "HTTPS"}},
        "resources": {"requests": {"cpu": "100m", "memory": "200Mi"}},
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                            "readOnlyRootFilesystem": True, "runAsNonRoot": True, "runAsUser": 1000,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "volumeMounts": [{"mountPath": "/tmp", "name": "tmp-dir"}],
    }
    objs = [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": dict(meta)},
        {"apiVersion": "v1", "kind": "Service", "metadata": dict(meta),
         "spec": {"ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": "https"}],
                  "selector": dict(labels)}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": dict(meta),
         "spec": {"selector": {"matchLabels": dict(labels)},
                  "strategy": {"rollingUpdate": {"maxUnavailable": 0}},
                  "template": {"metadata": {"labels": dict(labels)},
                               "spec": {"containers": [container], "nodeSelector": {"kubernetes.io/os": "linux"},
                                        "priorityClassName": "system-cluster-critical",
                                        "serviceAccountName": "metrics-server",
                                        "volumes": [{"emptyDir": {}, "name": "tmp-dir"}]}}}},
    ]
    return objs


ADDONS = {"metrics-server": _metrics_server}
# What the real manifests add that minikctl does not model (kinds not served yet).
NOT_MODELLED = {"metrics-server": "the APIService v1beta1.metrics.k8s.io and its RBAC objects"}


def _name(name: str) -> str:
    if name not in ADDONS:
        raise CliError(f'minikctl: addon "{name}" is not simulated (known addons: {", ".join(sorted(ADDONS))})')
    return name


def _installed(cluster, name: str) -> bool:
    return cluster.get("Deployment", "kube-system", name) is not None


def do_list() -> int:
    with open_cluster(context.env()) as cluster:
        rows = [["NAME", "STATUS"]] + [[n, "enabled" if _installed(cluster, n) else "disabled"] for n in sorted(ADDONS)]
    context.out(tabwriter.render(rows))
    return 0


def do_enable(name: str) -> int:
    name = _name(name)
    lines = []
    with open_cluster(context.env()) as cluster:
        if _installed(cluster, name):
            context.out(f"minikctl: addon {name} is already enabled\n")
            return 0
        for obj in ADDONS[name]():
            k = kinds.by_kind(obj["kind"])
            if k is None:
                continue
            if cluster.get(obj["kind"], obj["metadata"].get("namespace"), obj["metadata"]["name"]) is None:
                server.create(cluster, obj)
            lines.append(f"{k.ref}/{obj['metadata']['name']} created\n")
    context.out("".join(lines))
    if name in NOT_MODELLED:
        context.out(f"minikctl: {NOT_MODELLED[name]} are not simulated; the Metrics API is served once the "
                    f"{name} Deployment is available\n")
    return 0


def do_disable(name: str) -> int:
    name = _name(name)
    lines = []
    with open_cluster(context.env()) as cluster:
        for obj in reversed(ADDONS[name]()):
            k = kinds.by_kind(obj["kind"])
            if k is None or cluster.get(obj["kind"], obj["metadata"].get("namespace"), obj["metadata"]["name"]) is None:
                continue
            server.delete(cluster, obj["kind"], obj["metadata"].get("namespace"), obj["metadata"]["name"])
            lines.append(f'{k.ref} "{obj["metadata"]["name"]}" deleted\n')
    context.out("".join(lines) or f"minikctl: addon {name} is not enabled\n")
    return 0


def register(app: typer.Typer) -> None:
    addons = typer.Typer(add_completion=False, rich_markup_mode=None, no_args_is_help=True,
                         help="Install or remove cluster add-ons a kubeadm cluster lacks (metrics-server).")

    @addons.command("list", help="List the add-ons and whether each is enabled.")
    def list_cmd() -> int:
        return do_list()

    @addons.command("enable", help="Install an add-on as its manifest would.")
    def enable_cmd(name: str = typer.Argument(..., metavar="NAME")) -> int:
        return do_enable(name)

    @addons.command("disable", help="Remove an add-on's objects.")
    def disable_cmd(name: str = typer.Argument(..., metavar="NAME")) -> int:
        return do_disable(name)

    app.add_typer(addons, name="addons")
