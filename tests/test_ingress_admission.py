"""ingress-nginx's admission webhook and the apiserver's ValidatingAdmissionWebhook plugin: the
ValidatingWebhookConfiguration the manifest installs, the controller's denials, and the calls that
fail while its pods are not ready. The expected texts are the ones real clusters print (recorded
in CKA lab notes and issue threads: `host "_" and path "/pay" is already defined in ingress
app-space/ingress-wear-watch`, `dial tcp 10.96.246.94:443: connect: connection refused`)."""
from __future__ import annotations

import json

import pytest

from test_ingress import install_nginx_profile


@pytest.fixture
def nginx(mk):
    return install_nginx_profile(mk)


def _svc_ip(mk):
    return json.loads(mk("get", "svc", "-n", "ingress-nginx", "ingress-nginx-controller-admission", "-o",
                         "json").out)["spec"]["clusterIP"]


def test_the_manifest_installs_the_webhook(nginx):
    mk = nginx
    out = mk("get", "validatingwebhookconfigurations").out.splitlines()
    assert out[0].split() == ["NAME", "WEBHOOKS", "AGE"]
    assert out[1].split()[:2] == ["ingress-nginx-admission", "1"]
    vwc = json.loads(mk("get", "validatingwebhookconfiguration", "ingress-nginx-admission", "-o", "json").out)
    wh = vwc["webhooks"][0]
    assert wh["name"] == "validate.nginx.ingress.kubernetes.io"
    assert (wh["failurePolicy"], wh["matchPolicy"], wh["timeoutSeconds"], wh["sideEffects"]) == \
        ("Fail", "Equivalent", 10, "None")
    assert wh["namespaceSelector"] == {} and wh["objectSelector"] == {} and wh["rules"][0]["scope"] == "*"
    assert mk("get", "sa", "-n", "ingress-nginx", "ingress-nginx-admission").code == 0


def test_denials(nginx, tmp_path):
    mk = nginx
    assert mk("create", "ingress", "ingress-wear-watch", "-n", "default", "--class=nginx",
              "--rule=/pay=pay-service:8282").code == 0
    f = tmp_path / "ingress.yaml"
    f.write_text(mk("create", "ingress", "pay", "-n", "kube-system", "--class=nginx", "--rule=/pay=pay-service:8282",
                    "--dry-run=client", "-o", "yaml").out)
    r = mk("apply", "-f", str(f))
    assert (r.code, r.err) == (1, f'Error from server (BadRequest): error when creating "{f}": admission webhook '
                                  '"validate.nginx.ingress.kubernetes.io" denied the request: host "_" and path "/pay" '
                                  "is already defined in ingress default/ingress-wear-watch\n")
    assert mk("get", "ing", "-n", "kube-system", "pay").code == 1
    # the same Ingress may be updated; another host or path is fine; another class is not judged
    assert mk("label", "ing", "ingress-wear-watch", "x=y").code == 0
    assert mk("create", "ingress", "pay2", "--class=nginx", "--rule=pay.example.com/pay=pay-service:8282").code == 0
    assert mk("create", "ingress", "pay3", "--class=other", "--rule=/pay=pay-service:8282").code == 0
    r = mk("annotate", "ing", "pay2", "nginx.ingress.kubernetes.io/configuration-snippet=more_set_headers x;")
    assert (r.code, r.err) == (1, 'Error from server (BadRequest): admission webhook "validate.nginx.ingress.kubernetes.io" '
                                  "denied the request: nginx.ingress.kubernetes.io/configuration-snippet annotation "
                                  "cannot be used. Snippet directives are disabled by the Ingress administrator\n")


def test_a_controller_that_is_not_ready_refuses_every_ingress(nginx, tmp_path):
    mk = nginx
    assert mk("scale", "deploy", "-n", "ingress-nginx", "ingress-nginx-controller", "--replicas=0").code == 0
    mk.advance(60)
    f = tmp_path / "ingress.yaml"
    f.write_text(mk("create", "ingress", "web", "--class=nginx", "--rule=hello.example/=web:8080", "--dry-run=client",
                    "-o", "yaml").out)
    r = mk("apply", "-f", str(f))
    assert (r.code, r.err) == (1, f'Error from server (InternalError): error when creating "{f}": Internal error '
                                  'occurred: failed calling webhook "validate.nginx.ingress.kubernetes.io": failed to '
                                  'call webhook: Post "https://ingress-nginx-controller-admission.ingress-nginx.svc:443'
                                  f'/networking/v1/ingresses?timeout=10s": dial tcp {_svc_ip(mk)}:443: connect: '
                                  "connection refused\n")
    # back up: accepted again
    mk("scale", "deploy", "-n", "ingress-nginx", "ingress-nginx-controller", "--replicas=1")
    mk.advance(60)
    assert mk("apply", "-f", str(f)).code == 0
    # the usual workaround: delete the configuration
    mk("scale", "deploy", "-n", "ingress-nginx", "ingress-nginx-controller", "--replicas=0")
    mk.advance(60)
    assert mk("delete", "validatingwebhookconfiguration", "ingress-nginx-admission").code == 0
    assert mk("create", "ingress", "web2", "--class=nginx", "--rule=x.example/=web:8080").code == 0


def test_hand_written_webhooks(mk, tmp_path):
    f = tmp_path / "vwc.yaml"
    f.write_text("apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\n"
                 "metadata: {name: demo}\nwebhooks:\n- name: demo\n  clientConfig: {}\n")
    r = mk("apply", "-f", str(f))
    assert r.code == 1
    for cause in ('webhooks[0].name: Invalid value: "demo": should be a domain with at least three segments '
                  "separated by dots",
                  "webhooks[0].clientConfig: Required value: exactly one of url or service is required",
                  "webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun",
                  "webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1"):
        assert cause in r.err
    doc = {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
           "metadata": {"name": "demo"},
           "webhooks": [{"name": "pods.demo.example.com", "sideEffects": "None", "admissionReviewVersions": ["v1"],
                         "clientConfig": {"service": {"namespace": "default", "name": "guard", "path": "/validate"}},
                         "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                                    "resources": ["configmaps"]}],
                         "namespaceSelector": {"matchLabels": {"guarded": "yes"}}}]}
    f.write_text(json.dumps(doc))
    assert mk("apply", "-f", str(f)).code == 0
    assert mk("create", "cm", "free").code == 0                 # namespace not selected
    mk("label", "ns", "default", "guarded=yes")
    r = mk("create", "cm", "guarded")
    assert (r.code, r.err) == (1, 'error: failed to create configmap: Internal error occurred: failed calling webhook '
                                  '"pods.demo.example.com": failed to call webhook: Post '
                                  '"https://guard.default.svc:443/validate?timeout=10s": service "guard" not found\n')
    # a server minikctl cannot run says so
    mk("create", "deployment", "guard", "--image=nginx")
    mk("expose", "deployment", "guard", "--port=443", "--target-port=80")
    mk.advance(30)
    r = mk("create", "cm", "guarded")
    assert (r.code, r.err) == (1, "minikctl: the admission webhook served by image nginx is not simulated\n")
    # failurePolicy Ignore lets writes through a failed call
    doc["webhooks"][0]["failurePolicy"] = "Ignore"
    doc["webhooks"][0]["clientConfig"]["service"]["name"] = "nobody"
    f.write_text(json.dumps(doc))
    assert mk("apply", "-f", str(f)).code == 0
    assert mk("create", "cm", "guarded").code == 0


def test_redirect_annotations(nginx):
    """app-root, permanent-redirect (and its code), temporal-redirect: nginx's redirect pages."""
    mk = nginx
    mk("create", "ingress", "root", "--class=nginx", "--rule=app.example/*=web:8080",
       "--annotation", "nginx.ingress.kubernetes.io/app-root=/app1")
    mk("create", "ingress", "moved", "--class=nginx", "--rule=old.example/*=web:8080",
       "--annotation", "nginx.ingress.kubernetes.io/permanent-redirect=https://new.example/")
    mk("create", "ingress", "moved2", "--class=nginx", "--rule=old2.example/*=web:8080",
       "--annotation", "nginx.ingress.kubernetes.io/permanent-redirect=https://new.example/",
       "--annotation", "nginx.ingress.kubernetes.io/permanent-redirect-code=308")
    mk("create", "ingress", "tmp", "--class=nginx", "--rule=tmp.example/*=web:8080",
       "--annotation", "nginx.ingress.kubernetes.io/temporal-redirect=https://elsewhere.example/x")
    mk.advance(5)
    svc = json.loads(mk("get", "svc", "-n", "ingress-nginx", "ingress-nginx-controller", "-o", "json").out)
    port = next(p["nodePort"] for p in svc["spec"]["ports"] if p["name"] == "http")

    def head(host, path="/"):
        out = mk("ssh", "k8s-worker-01", "--", f"curl -si -H 'Host: {host}' http://192.168.1.11:{port}{path}").out
        lines = out.split("\r\n\r\n")[0].splitlines()
        return lines[0], next((x for x in lines if x.startswith("Location: ")), None), out

    assert head("app.example")[:2] == ("HTTP/1.1 302 Found", "Location: http://app.example/app1")
    assert head("app.example", "/app1")[0] == "HTTP/1.1 200 OK"
    status, loc, out = head("old.example", "/any")
    assert (status, loc) == ("HTTP/1.1 301 Moved Permanently", "Location: https://new.example/")
    assert "<center><h1>301 Moved Permanently</h1></center>" in out
    assert head("old2.example")[0] == "HTTP/1.1 308 Permanent Redirect"
    assert head("tmp.example")[:2] == ("HTTP/1.1 302 Found", "Location: https://elsewhere.example/x")
