"""NGINX Gateway Fabric 1.6, installed as its NodePort manifest (deploy/nodeport/deploy.yaml) with
the Gateway API v1.2.1 standard CRDs: the nginx-gateway namespace, one Deployment whose pod runs
the controller and the nginx data plane, the NodePort Service in front of it, and GatewayClass
`nginx`. A cluster profile opts in with `addons: [gateway-api]`.

The four standard-channel CustomResourceDefinitions are installed as objects (names, scope,
versions, short names, categories, printer columns and bundle annotations as v1.2.1 ships them;
their schemas stand in as preserve-unknown-fields: the Gateway API rules are api/gateway_api.py's,
and the kinds stay served by minikctl whether or not the CRDs exist).
Not installed (minikctl does not model the kinds): ServiceAccount, RBAC, the
NginxGateway/NginxProxy configuration CRs.
The controller's status writes live in sim/controllers/gateway.py, its routing in net/gateway.py.
"""
from __future__ import annotations
from minikctl import lazy

server = lazy.module("minikctl.api.server")

NS = "nginx-gateway"
VERSION = "1.6.2"
CONTROLLER = "gateway.nginx.org/nginx-gateway-controller"
IMAGE = f"ghcr.io/nginx/nginx-gateway-fabric:{VERSION}"
NGINX_IMAGE = f"ghcr.io/nginx/nginx-gateway-fabric/nginx:{VERSION}"
_LABELS = {"app.kubernetes.io/instance": "nginx-gateway", "app.kubernetes.io/name": "nginx-gateway"}


GATEWAY_API = "v1.2.1"
_AGE = {"jsonPath": ".metadata.creationTimestamp", "name": "Age", "type": "date"}


def _crd(plural: str, kind: str, scope: str, versions: list[tuple[str, bool, bool]], columns: list[dict],
         short: list[str] | None = None) -> dict:
    names = {"categories": ["gateway-api"], "kind": kind, "listKind": f"{kind}List", "plural": plural,
             "singular": kind.lower()}
    if short:
        names["shortNames"] = list(short)
    vs = []
    for name, served, storage in versions:
        vs.append({"name": name, "served": served, "storage": storage, "additionalPrinterColumns": list(columns),
                   "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                   "subresources": {"status": {}}})
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.gateway.networking.k8s.io",
                         "annotations": {"api-approved.kubernetes.io": "https://github.com/kubernetes-sigs/gateway-api/pull/3328",
                                         "gateway.networking.k8s.io/bundle-version": GATEWAY_API,
                                         "gateway.networking.k8s.io/channel": "standard"}},
            "spec": {"group": "gateway.networking.k8s.io", "names": names, "scope": scope, "versions": vs}}


def crds() -> list[dict]:
    """The Gateway API v1.2.1 standard CRDs (the standard-install.yaml the NGF install applies)."""
    def cond(t):
        return {"jsonPath": f'.status.conditions[?(@.type=="{t}")].status', "name": t, "type": "string"}
    both = [("v1", True, True), ("v1beta1", True, False)]
    return [
        _crd("gatewayclasses", "GatewayClass", "Cluster", both,
             [{"jsonPath": ".spec.controllerName", "name": "Controller", "type": "string"}, cond("Accepted"), _AGE,
              {"jsonPath": ".spec.description", "name": "Description", "priority": 1, "type": "string"}], ["gc"]),
        _crd("gateways", "Gateway", "Namespaced", both,
             [{"jsonPath": ".spec.gatewayClassName", "name": "Class", "type": "string"},
              {"jsonPath": ".status.addresses[*].value", "name": "Address", "type": "string"}, cond("Programmed"),
              _AGE], ["gtw"]),
        _crd("httproutes", "HTTPRoute", "Namespaced", both,
             [{"jsonPath": ".spec.hostnames", "name": "Hostnames", "type": "string"}, _AGE]),
        _crd("referencegrants", "ReferenceGrant", "Namespaced", [("v1beta1", True, True)], [_AGE], ["refgrant"]),
    ]


def objects() -> list[dict]:
    labels = {**_LABELS, "app.kubernetes.io/version": VERSION}
    return crds() + [
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
    for obj in objects():
        server.create_internal(cluster, obj)
