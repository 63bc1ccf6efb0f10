"""NGINX Gateway Fabric 1.6, installed as its NodePort manifest (deploy/nodeport/deploy.yaml) with
the Gateway API v1.2.1 standard CRDs: the nginx-gateway namespace, one Deployment whose pod runs
the controller and the nginx data plane, the NodePort Service in front of it, and GatewayClass
`nginx`. A cluster profile opts in with `addons: [gateway-api]`.

Not installed (minikctl does not model the kinds): the CRD objects themselves (the Gateway API
kinds are always served), ServiceAccount, RBAC, the NginxGateway/NginxProxy configuration CRs.
The controller's status writes live in sim/controllers/gateway.py, its routing in net/gateway.py.
"""
from __future__ import annotations

NS = "nginx-gateway"
VERSION = "1.6.2"
CONTROLLER = "gateway.nginx.org/nginx-gateway-controller"
IMAGE = f"ghcr.io/nginx/nginx-gateway-fabric:{VERSION}"
NGINX_IMAGE = f"ghcr.io/nginx/nginx-gateway-fabric/nginx:{VERSION}"
_LABELS = {"app.kubernetes.io/instance": "nginx-gateway", "app.kubernetes.io/name": "nginx-gateway"}


def objects() -> list[dict]:
    labels = {**_LABELS, "app.kubernetes.io/version": VERSION}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "nginx-gateway", "namespace": NS, "labels": dict(labels)},
         "spec": {"type": "NodePort", "selector": dict(_LABELS), "externalTrafficPolicy": "Local",
                  "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 80},
                            {"name": "https", "port": 443, "protocol": "TCP", "targetPort": 443}]}},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "nginx-gateway", "namespace": NS, "labels": dict(labels)},
         "spec": {"replicas": 1, "selector": {"matchLabels": dict(_LABELS)},
                  "template": {"metadata": {"labels": dict(_LABELS)},
                               "spec": {"serviceAccountName": "nginx-gateway", "terminationGracePeriodSeconds": 30,
                                        "containers": [
                                            {"name": "nginx-gateway", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
                                             "args": ["static-mode", f"--gateway-ctlr-name={CONTROLLER}",
                                                      "--gatewayclass=nginx", "--config=nginx-gateway-config",
                                                      "--service=nginx-gateway", "--health-port=8081",
                                                      "--leader-election-lock-name=nginx-gateway-leader-election"],
                                             "ports": [{"containerPort": 9113, "name": "metrics"},
                                                       {"containerPort": 8081, "name": "health"}]},
                                            {"name": "nginx", "image": NGINX_IMAGE, "imagePullPolicy": "IfNotPresent",
                                             "ports": [{"containerPort": 80, "name": "http"},
                                                       {"containerPort": 443, "name": "https"}]}]}}}},
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
         "metadata": {"name": "nginx", "labels": dict(labels)}, "spec": {"controllerName": CONTROLLER}},
    ]


def install(cluster) -> None:
    from minikctl.api import server
    for obj in objects():
        server.create_internal(cluster, obj)
