"""Ingress and IngressClass: `create ingress` against the real kubectl's dry run, the apiserver's
validation texts, `get ingress` / describe against the real kubectl through serve, and the
ingress-nginx profile routing real requests (curl/wget from pods and nodes) by host and path.
"""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from tests.conftest import GO_SPEED

KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"


def _kubectl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([KUBECTL, *args], capture_output=True, text=True, timeout=60,
                          env={**GO_SPEED, "PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "KUBECONFIG": "/dev/null"})


CREATE_CASES = [
    ["simple", "--rule=foo.com/bar=svc1:8080,tls=my-cert"],
    ["catch-all", "--class=otheringress", "--rule=/path=svc:port"],
    ["annotated", "--class=default", "--rule=foo.com/bar=svc:port", "--annotation", "ingress.annotation1=foo",
     "--annotation", "ingress.annotation2=bla"],
    ["multipath", "--class=default", "--rule=foo.com/=svc:port", "--rule=foo.com/admin/=svcadmin:portadmin"],
    ["ingress1", "--class=default", "--rule=foo.com/path*=svc:8080", "--rule=bar.com/admin*=svc2:http"],
    ["ingtls", "--class=default", "--rule=foo.com/=svc:https,tls", "--rule=foo.com/path/subpath*=othersvc:8080"],
    ["ingsecret", "--class=default", "--rule=foo.com/*=svc:8080,tls=secret1"],
    ["ingdefault", "--class=default", "--default-backend=defaultsvc:http", "--rule=foo.com/*=svc:8080,tls=secret1"],
    ["two-secrets", "--rule=a.com/=s:80,tls=one", "--rule=b.com/=s:80,tls=one", "--rule=c.com/=s:80,tls=two",
     "--rule=/x=s:80,tls"],
    ["ns", "-n", "team-a", "--rule=/=web:80"],
]


@pytest.mark.parametrize("args", CREATE_CASES, ids=[c[0] for c in CREATE_CASES])
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_create_ingress_dry_run_is_byte_identical_to_kubectl(mk, args, fmt):
    k = _kubectl("create", "ingress", *args, "--dry-run=client", "-o", fmt)
    assert k.returncode == 0, k.stderr
    m = mk("create", "ingress", *args, "--dry-run=client", "-o", fmt)
    assert (m.code, m.err) == (0, "")
    assert m.out == k.stdout


@pytest.mark.parametrize("args", [
    ["x", "--rule=bad"],
    ["x"],
    ["x", "--rule=/=a:1", "--annotation", "novalue"],
    ["x", "--default-backend=a:b:c"],
])
def test_create_ingress_errors_are_kubectls(mk, args):
    k = _kubectl("create", "ingress", *args, "--dry-run=client")
    m = mk("create", "ingress", *args, "--dry-run=client")
    assert k.returncode == m.code == 1
    assert m.err == k.stderr


def test_create_ingress_creates_it(mk):
    r = mk("create", "ingress", "web", "--class=nginx", "--rule=foo.com/*=web:80")
    assert (r.code, r.out) == (0, "ingress.networking.k8s.io/web created\n")
    got = json.loads(mk("get", "ing", "web", "-o", "json").out)
    assert got["spec"]["rules"][0]["http"]["paths"][0]["pathType"] == "Prefix"
    assert got["status"] == {"loadBalancer": {}}
    assert got["metadata"]["generation"] == 1


# ---- validation ------------------------------------------------------------------------------

def _ing(name: str, spec: dict) -> str:
    return json.dumps({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name},
                       "spec": spec})


def _rule(host: str | None, paths: list[dict]) -> dict:
    r: dict = {"http": {"paths": paths}}
    if host is not None:
        r["host"] = host
    return r


def _path(p: str, ptype: str | None = "Prefix", svc: str = "web", port: dict | None = None) -> dict:
    out: dict = {"path": p, "backend": {"service": {"name": svc, "port": {"number": 80} if port is None else port}}}
    if ptype is not None:
        out["pathType"] = ptype
    return out


BAD = [
    ({"rules": [_rule("foo.com", [_path("/", None)])]},
     "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"),
    ({"rules": [_rule("foo.com", [_path("/", "Regex")])]},
     'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", '
     '"ImplementationSpecific", "Prefix"'),
    ({"rules": [_rule("foo.com", [_path("api", "Prefix")])]},
     'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path'),
    ({"rules": [_rule("foo.com", [_path("/a//b", "Exact")])]},
     "spec.rules[0].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'"),
    ({"rules": [_rule("Foo_Bar.com", [_path("/")])]},
     'spec.rules[0].host: Invalid value: "Foo_Bar.com": a lowercase RFC 1123 subdomain must consist of lower '
     "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
     "(e.g. 'example.com', regex used for validation is "
     "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
    ({"rules": [_rule("10.0.0.1", [_path("/")])]},
     'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address'),
    ({"rules": [_rule("foo.*.com", [_path("/")])]},
     'spec.rules[0].host: Invalid value: "foo.*.com": a wildcard DNS-1123 subdomain must start with \'*.\', '
     "followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and "
     "end with an alphanumeric character (e.g. '*.example.com', regex used for validation is "
     "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
    ({"rules": [_rule("foo.com", [_path("/", port={})])]},
     "spec.rules[0].http.paths[0].backend: Required value: port name or number is required"),
    ({"rules": [_rule("foo.com", [_path("/", port={"name": "http", "number": 80})])]},
     'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number'),
    ({"rules": [_rule("foo.com", [])]}, "spec.rules[0].http.paths: Required value"),
    ({}, "spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"),
]


@pytest.mark.parametrize("spec,cause", BAD, ids=[str(i) for i in range(len(BAD))])
def test_invalid_ingress_texts(mk, spec, cause):
    r = mk("create", "-f", "-", stdin=_ing("bad", spec))
    assert r.code == 1
    assert r.err == f'The Ingress "bad" is invalid: {cause}\n'
    assert mk("get", "ing").err == "No resources found in default namespace.\n"


def test_overlapping_paths_are_accepted_as_the_apiserver_accepts_them(mk):
    spec = {"rules": [_rule("foo.com", [_path("/app"), _path("/app"), _path("/app", "Exact")]),
                      _rule("foo.com", [_path("/app", "ImplementationSpecific")])]}
    assert mk("create", "-f", "-", stdin=_ing("dup", spec)).code == 0
    other = {"rules": [_rule("foo.com", [_path("/app")])]}
    assert mk("create", "-f", "-", stdin=_ing("dup2", other)).code == 0


def test_ingress_class_validation(mk):
    body = json.dumps({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "x"},
                       "spec": {"controller": "nginx"}})
    r = mk("create", "-f", "-", stdin=body)
    assert r.err == 'The IngressClass "x" is invalid: spec.controller: Invalid value: "nginx": must be a ' \
                    'domain-prefixed path (such as "acme.io/foo")\n'
    body = json.dumps({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "x"},
                       "spec": {}})
    assert mk("create", "-f", "-", stdin=body).err == 'The IngressClass "x" is invalid: spec.controller: Required value\n'


# ---- get / describe against the real kubectl ---------------------------------------------

try:
    from tests.test_serve_kubectl import Served
except Exception:  # pragma: no cover
    Served = None

DOCS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: hello-app
        image: gcr.io/google-samples/hello-app:1.0
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: {app: web}
  ports:
  - port: 8080
    targetPort: 8080
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: example
spec:
  controller: example.com/ingress-controller
  parameters:
    apiGroup: k8s.example.com
    kind: IngressParameters
    name: external-lb
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: minimal-ingress
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  ingressClassName: nginx-example
  rules:
  - http:
      paths:
      - path: /testpath
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 8080
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: simple-fanout-example
spec:
  tls:
  - hosts: [foo.bar.com]
    secretName: testsecret-tls
  rules:
  - host: foo.bar.com
    http:
      paths:
      - path: /foo
        pathType: Prefix
        backend:
          service:
            name: service1
            port:
              number: 4200
      - path: /bar
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 8080
  - host: "*.foo.com"
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              name: http
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ingress-resource-backend
spec:
  defaultBackend:
    resource:
      apiGroup: k8s.example.com
      kind: StorageBucket
      name: static-assets
  rules:
    - http:
        paths:
          - path: /icons
            pathType: ImplementationSpecific
            backend:
              resource:
                apiGroup: k8s.example.com
                kind: StorageBucket
                name: icon-assets
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if Served is None or not shutil.which("kubectl"):
        pytest.skip("no kubectl")
    s = Served(tmp_path_factory.mktemp("ingress"))
    r = s.kubectl("apply", "-f", "-", stdin=DOCS)
    assert r.returncode == 0, r.stderr
    s.mk.advance(30)
    s.mk("get", "po")
    yield s
    s.close()


@pytest.mark.parametrize("args", [("get", "ingress"), ("get", "ing", "-o", "wide"), ("get", "ingressclass"),
                                  ("describe", "ingress", "minimal-ingress"),
                                  ("describe", "ingress", "simple-fanout-example"),
                                  ("describe", "ingress", "ingress-resource-backend"),
                                  ("describe", "ingressclass", "example")])
def test_get_and_describe_match_kubectl(served, args):
    k = served.kubectl(*args)
    m = served.mk(*args)
    assert k.returncode == 0, k.stderr
    if args[0] == "get":       # AGE is computed from kubectl's wall clock: compare all other cells
        assert [line.split()[:-1] for line in m.out.splitlines()] == [line.split()[:-1] for line in k.stdout.splitlines()]
        assert m.out.splitlines()[0] == k.stdout.splitlines()[0]
    else:
        assert m.out == k.stdout


# ---- the ingress-nginx profile ---------------------------------------------------------------

@pytest.fixture
def nginx(mk):
    return install_nginx_profile(mk)


def install_nginx_profile(mk):
    """The ingress-nginx profile, the docs' web Deployment and Service, and web2 (nginx:1.27)."""
    assert mk("cluster", "init", "--profile", "ingress-nginx").code == 0
    r = mk("apply", "-f", "-", stdin=DOCS.split("---\napiVersion: networking.k8s.io/v1\nkind: IngressClass")[0])
    assert r.code == 0, r.err
    assert mk("create", "deployment", "web2", "--image=nginx:1.27", "--port=80").code == 0
    assert mk("expose", "deployment", "web2", "--port=80").code == 0
    mk.advance(60)
    return mk


def _node_port(mk) -> int:
    svc = json.loads(mk("get", "svc", "-n", "ingress-nginx", "ingress-nginx-controller", "-o", "json").out)
    return next(p["nodePort"] for p in svc["spec"]["ports"] if p["name"] == "http")


def test_the_controller_is_installed_as_its_manifest_installs_it(nginx):
    mk = nginx
    r = mk("get", "pods", "-n", "ingress-nginx", "-l", "app.kubernetes.io/component=controller")
    assert "1/1     Running" in r.out
    assert mk("get", "ingressclass").out.splitlines()[1].split()[:3] == ["nginx", "k8s.io/ingress-nginx", "<none>"]
    svc = mk("get", "svc", "-n", "ingress-nginx").out
    assert "ingress-nginx-controller             NodePort" in svc and "80:3" in svc
    assert "ingress-nginx-controller-admission   ClusterIP" in svc


def test_hello_world_page_replays(nginx):
    """kubernetes.io 'Set up Ingress on Minikube with the NGINX Ingress Controller'."""
    mk = nginx
    r = mk("create", "ingress", "example-ingress", "--class=nginx", "--rule=hello-world.example/*=web:8080")
    assert r.code == 0
    mk.advance(5)
    out = mk("get", "ingress").out.splitlines()
    node_ip = json.loads(mk("get", "no", "k8s-worker-01", "-o", "json").out)["status"]["addresses"][0]["address"]
    cells = out[1].split()
    assert out[0].split() == ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]
    assert cells[:3] == ["example-ingress", "nginx", "hello-world.example"] and cells[4] == "80"
    assert cells[3].startswith("192.168.1.")
    port = _node_port(mk)
    r = mk("ssh", "k8s-worker-01", "--", f"curl -s -H 'Host: hello-world.example' http://{node_ip}:{port}/")
    assert r.code == 0 and r.out.startswith("Hello, world!\nVersion: 1.0.0\nHostname: web-"), r.out + r.err
    r = mk("ssh", "k8s-worker-01", "--", "curl", "-s", "--resolve", f"hello-world.example:{port}:{node_ip}",
           f"http://hello-world.example:{port}/")
    assert r.out.startswith("Hello, world!"), r.out + r.err
    # an unknown host falls to the controller's default backend
    r = mk("ssh", "k8s-worker-01", "--", f"curl -s -H 'Host: other.example' http://{node_ip}:{port}/")
    assert r.out == ("<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
                     "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
    assert "Sync" in mk("describe", "ingress", "example-ingress").out


def test_paths_by_type_and_rewrite_target(nginx):
    mk = nginx
    docs = [{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "fanout"},
             "spec": {"ingressClassName": "nginx", "rules": [{"host": "foo.com", "http": {"paths": [
                 {"path": "/hello", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 8080}}}},
                 {"path": "/exact", "pathType": "Exact", "backend": {"service": {"name": "web2", "port": {"number": 80}}}},
                 {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web2", "port": {"number": 80}}}},
             ]}}]}},
            {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
             "metadata": {"name": "rewrite", "annotations": {"nginx.ingress.kubernetes.io/rewrite-target": "/$2"}},
             "spec": {"ingressClassName": "nginx", "rules": [{"host": "rw.com", "http": {"paths": [
                 {"path": "/something(/|$)(.*)", "pathType": "ImplementationSpecific",
                  "backend": {"service": {"name": "web2", "port": {"number": 80}}}}]}}]}}]
    r = mk("apply", "-f", "-", stdin="\n---\n".join(json.dumps(d) for d in docs))
    assert r.code == 0, r.err
    mk.advance(5)
    svc = json.loads(mk("get", "svc", "-n", "ingress-nginx", "ingress-nginx-controller", "-o", "json").out)
    cip = svc["spec"]["clusterIP"]

    def get(host: str, path: str):
        return mk("exec", "busybox-client", "--", "wget", "-q", "-O-", "--header", f"Host: {host}", f"http://{cip}{path}")

    assert mk("run", "busybox-client", "--image=busybox:1.36", "--", "sleep", "3600").code == 0
    mk.advance(10)
    assert get("foo.com", "/hello").out.startswith("Hello, world!")
    assert get("foo.com", "/hello/there").out.startswith("Hello, world!")
    assert "Welcome to nginx!" in get("foo.com", "/hellothere").out or get("foo.com", "/hellothere").code == 1
    assert "Welcome to nginx!" in get("foo.com", "/").out
    r = get("foo.com", "/exact")         # Exact wins; nginx has no /exact file: its own 404
    assert r.code == 1 and "404 Not Found" in r.err
    assert "Welcome to nginx!" in get("rw.com", "/something").out          # rewritten to /
    assert "Welcome to nginx!" in get("rw.com", "/something/").out
    r = get("rw.com", "/something/nope")                                    # rewritten to /nope: 404 from nginx
    assert r.code == 1 and "404 Not Found" in r.err
    r = get("unknown.com", "/")
    assert r.code == 1 and r.err.endswith("wget: server returned error: HTTP/1.1 404 Not Found\n"
                                          "command terminated with exit code 1\n")


# ---- kubernetes.io "Ingress Controllers": the default IngressClass ------------------------------
# The DefaultIngressClass admission plugin (plugin/pkg/admission/network/defaultingressclass):
# an Ingress created with neither ingressClassName nor the kubernetes.io/ingress.class annotation
# gets the class annotated ingressclass.kubernetes.io/is-default-class: "true"; two such classes
# refuse it (getDefaultClass's InternalError wrapped in admission.NewForbidden).

DEFAULT_CLASS = """\
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  labels:
    app.kubernetes.io/component: controller
  name: {name}
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: k8s.io/ingress-nginx
"""


def test_the_default_ingress_class_is_given_to_ingresses_without_one(mk):
    assert mk("apply", "-f", "-", stdin=DEFAULT_CLASS.format(name="nginx-example")).code == 0
    assert mk("create", "-f", "-", stdin=_ing("plain", {"rules": [_rule("foo.com", [_path("/")])]})).code == 0
    got = json.loads(mk("get", "ing", "plain", "-o", "json").out)["spec"]
    assert got["ingressClassName"] == "nginx-example"
    annotated = json.loads(_ing("old-style", {"rules": [_rule("foo.com", [_path("/")])]}))
    annotated["metadata"]["annotations"] = {"kubernetes.io/ingress.class": "nginx"}
    assert mk("create", "-f", "-", stdin=json.dumps(annotated)).code == 0
    assert "ingressClassName" not in json.loads(mk("get", "ing", "old-style", "-o", "json").out)["spec"]
    assert mk("create", "ingress", "explicit", "--class=other", "--rule=foo.com/=web:80").code == 0
    assert mk("get", "ing", "explicit", "-o", "jsonpath={.spec.ingressClassName}").out == "other"
    assert mk("apply", "-f", "-", stdin=DEFAULT_CLASS.format(name="second")).code == 0
    r = mk("create", "-f", "-", stdin=_ing("refused", {"rules": [_rule("foo.com", [_path("/")])]}))
    assert r.code == 1
    assert r.err == ('Error from server (Forbidden): error when creating "STDIN": ingresses.networking.k8s.io '
                     '"refused" is forbidden: Internal error occurred: 2 default IngressClasses were found, only 1 '
                     'allowed\n')
    assert mk("get", "ing", "refused").code == 1
