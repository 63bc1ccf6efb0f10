"""ingress-nginx, installed as its bare-metal manifest (controller-v1.12.0 deploy/static/provider/
baremetal/deploy.yaml) installs it: the ingress-nginx namespace, its two ServiceAccounts, the
controller ConfigMap, the controller Deployment, the NodePort Service in front of it, the
admission Service, IngressClass `nginx` and the ValidatingWebhookConfiguration
`ingress-nginx-admission` (its checks: net/ingress_nginx.admission_review, called by
api/admission_webhooks). A cluster profile opts in with `addons: [ingress-nginx]`.

Not installed: the Roles, ClusterRoles and bindings (the simulated controller reads the cluster
directly) and the kube-webhook-certgen Jobs that fill the webhook's caBundle (minikctl's
apiserver does not check the webhook's certificate). The controller's routing lives in
net/ingress_nginx.py, its status writes in sim/controllers/ingress_nginx.py.
"""
from __future__ import annotations
from minikctl import lazy

server = lazy.module("minikctl.api.server")
tls = lazy.module("minikctl.net.tls")

NS = "ingress-nginx"
VERSION = "1.12.0"
IMAGE = f"registry.k8s.io/ingress-nginx/controller:v{VERSION}"
_BASE = {"app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/name": "ingress-nginx"}


def _labels(component: str | None = None) -> dict:
    out = dict(_BASE)
    if component:
        out["app.kubernetes.io/component"] = component
    out["app.kubernetes.io/part-of"] = "ingress-nginx"
    out["app.kubernetes.io/version"] = VERSION
    return out


def objects() -> list[dict]:
    selector = {"app.kubernetes.io/component": "controller", **_BASE}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS, "labels": dict(_BASE)}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "automountServiceAccountToken": True,
         "metadata": {"name": "ingress-nginx", "namespace": NS, "labels": _labels("controller")}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "automountServiceAccountToken": True,
         "metadata": {"name": "ingress-nginx-admission", "namespace": NS, "labels": _labels("admission-webhook")}},
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "ingress-nginx-controller", "namespace": NS, "labels": _labels("controller")},
         "data": {}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "ingress-nginx-controller", "namespace": NS, "labels": _labels("controller")},
         "spec": {"type": "NodePort", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                  "selector": dict(selector),
                  "ports": [{"appProtocol": "http", "name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"},
                            {"appProtocol": "https", "name": "https", "port": 443, "protocol": "TCP",
                             "targetPort": "https"}]}},
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "ingress-nginx-controller-admission", "namespace": NS, "labels": _labels("controller")},
         "spec": {"type": "ClusterIP", "selector": dict(selector),
                  "ports": [{"appProtocol": "https", "name": "https-webhook", "port": 443, "targetPort": "webhook"}]}},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "ingress-nginx-controller", "namespace": NS, "labels": _labels("controller")},
         "spec": {"minReadySeconds": 0, "revisionHistoryLimit": 10,
                  "selector": {"matchLabels": dict(selector)},
                  "strategy": {"rollingUpdate": {"maxUnavailable": 1}, "type": "RollingUpdate"},
                  "template": {"metadata": {"labels": _labels("controller")},
                               "spec": {"dnsPolicy": "ClusterFirst", "nodeSelector": {"kubernetes.io/os": "linux"},
                                        "serviceAccountName": "ingress-nginx", "terminationGracePeriodSeconds": 300,
                                        "containers": [{
                                            "name": "controller", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
                                            "args": ["/nginx-ingress-controller", "--election-id=ingress-nginx-leader",
                                                     "--controller-class=k8s.io/ingress-nginx", "--ingress-class=nginx",
                                                     "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller",
                                                     "--validating-webhook=:8443",
                                                     "--validating-webhook-certificate=/usr/local/certificates/cert",
                                                     "--validating-webhook-key=/usr/local/certificates/key"],
                                            "ports": [{"containerPort": 80, "name": "http", "protocol": "TCP"},
                                                      {"containerPort": 443, "name": "https", "protocol": "TCP"},
                                                      {"containerPort": 8443, "name": "webhook", "protocol": "TCP"}],
                                            "resources": {"requests": {"cpu": "100m", "memory": "90Mi"}}}]}}}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
         "metadata": {"name": "nginx", "labels": _labels("controller")},
         "spec": {"controller": "k8s.io/ingress-nginx"}},
        {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
         "metadata": {"name": "ingress-nginx-admission", "labels": _labels("admission-webhook")},
         "webhooks": [{"admissionReviewVersions": ["v1"],
                       "clientConfig": {"service": {"name": "ingress-nginx-controller-admission", "namespace": NS,
                                                    "path": "/networking/v1/ingresses", "port": 443}},
                       "failurePolicy": "Fail", "matchPolicy": "Equivalent",
                       "name": "validate.nginx.ingress.kubernetes.io",
                       "rules": [{"apiGroups": ["networking.k8s.io"], "apiVersions": ["v1"],
                                  "operations": ["CREATE", "UPDATE"], "resources": ["ingresses"]}],
                       "sideEffects": "None"}]},
    ]


def install(cluster) -> None:
    for obj in objects():
        server.create_internal(cluster, obj)
    tls.ensure_fake_cert(cluster)     # the controller makes its fake certificate once, at start
