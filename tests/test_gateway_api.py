"""Gateway API (v1.2.1 CRDs): the CRDs' defaults and printer columns, kubectl's generic describer
(compared with the real kubectl through serve), and NGINX Gateway Fabric's status conditions and
routing in the `gateway-api` profile.
"""
from __future__ import annotations

import json
import shutil

import pytest

DOCS = """\
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata:
  name: example-class
spec:
  controllerName: example.com/gateway-controller
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: example-gateway
spec:
  gatewayClassName: example-class
  listeners:
  - name: http
    protocol: HTTP
    port: 80
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: example-httproute
spec:
  parentRefs:
  - name: example-gateway
  hostnames:
  - "www.example.com"
  rules:
  - matches:
    - path:
        type: PathPrefix
        value: /login
    backendRefs:
    - name: example-svc
      port: 8080
"""


def test_without_a_controller_the_crd_defaults_show(mk):
    """kubernetes.io's Gateway API page, on a cluster whose class has no controller."""
    r = mk("apply", "-f", "-", stdin=DOCS)
    assert r.out == ("gatewayclass.gateway.networking.k8s.io/example-class created\n"
                     "gateway.gateway.networking.k8s.io/example-gateway created\n"
                     "httproute.gateway.networking.k8s.io/example-httproute created\n"), r.err
    mk.advance(5)
    assert mk("get", "gc").out.splitlines() == [
        "NAME            CONTROLLER                       ACCEPTED   AGE",
        "example-class   example.com/gateway-controller   Unknown    5s"]
    assert mk("get", "gtw").out.splitlines() == [
        "NAME              CLASS           ADDRESS   PROGRAMMED   AGE",
        "example-gateway   example-class             Unknown      5s"]
    assert mk("get", "httproute").out.splitlines() == [
        "NAME                HOSTNAMES             AGE",
        'example-httproute   ["www.example.com"]   5s']
    route = json.loads(mk("get", "httproute", "example-httproute", "-o", "json").out)
    assert route["spec"]["parentRefs"] == [{"group": "gateway.networking.k8s.io", "kind": "Gateway",
                                            "name": "example-gateway"}]
    assert route["spec"]["rules"][0]["backendRefs"] == [{"group": "", "kind": "Service", "name": "example-svc",
                                                         "port": 8080, "weight": 1}]
    assert "status" not in route
    gw = json.loads(mk("get", "gtw", "example-gateway", "-o", "json").out)
    assert gw["spec"]["listeners"][0]["allowedRoutes"] == {"namespaces": {"from": "Same"}}
    assert [c["message"] for c in gw["status"]["conditions"]] == ["Waiting for controller"] * 2


def test_validation(mk):
    body = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "g"},
            "spec": {"listeners": [{"name": "http", "port": 80}]}}
    r = mk("create", "-f", "-", stdin=json.dumps(body))
    assert r.code == 1 and r.err == ('The Gateway "g" is invalid: \n* spec.gatewayClassName: Required value\n'
                                     "* spec.listeners[0].protocol: Required value\n")
    gc = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass", "metadata": {"name": "c"},
          "spec": {"controllerName": "a.io/x"}}
    assert mk("create", "-f", "-", stdin=json.dumps(gc)).code == 0
    gc["spec"]["controllerName"] = "b.io/y"
    r = mk("apply", "-f", "-", stdin=json.dumps(gc))
    assert r.code == 1 and 'spec.controllerName: Invalid value: "b.io/y": Value is immutable' in r.err


try:
    from tests.test_serve_kubectl import Served
except Exception:  # pragma: no cover
    Served = None


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if Served is None or not shutil.which("kubectl"):
        pytest.skip("no kubectl")
    s = Served(tmp_path_factory.mktemp("gateway"))
    r = s.kubectl("apply", "-f", "-", stdin=DOCS)
    assert r.returncode == 0, r.stderr
    yield s
    s.close()


@pytest.mark.parametrize("args", [("describe", "gatewayclass", "example-class"),
                                  ("describe", "gateway", "example-gateway"),
                                  ("describe", "httproute", "example-httproute")])
def test_generic_describe_matches_kubectl(served, args):
    k = served.kubectl(*args)
    assert k.returncode == 0, k.stderr
    assert served.mk(*args).out == k.stdout


@pytest.mark.parametrize("args", [("get", "gatewayclasses"), ("get", "gateways"), ("get", "httproutes"),
                                  ("get", "gc", "-o", "wide")])
def test_tables_match_kubectl(served, args):
    k = served.kubectl(*args)
    m = served.mk(*args)
    assert k.returncode == 0, k.stderr
    assert m.out.splitlines()[0] == k.stdout.splitlines()[0]
    assert [line.split()[:-1] for line in m.out.splitlines()[1:]] == \
        [line.split()[:-1] for line in k.stdout.splitlines()[1:]]


# ---- NGINX Gateway Fabric --------------------------------------------------------------------

NGF = """\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: cafe
spec:
  gatewayClassName: nginx
  listeners:
  - name: http
    port: 80
    protocol: HTTP
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: coffee
spec:
  parentRefs:
  - name: cafe
  hostnames: ["cafe.example.com"]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /coffee}
    backendRefs:
    - {name: coffee-v1, port: 80, weight: 80}
    - {name: coffee-v2, port: 80, weight: 20}
  - matches:
    - path: {type: Exact, value: /tea}
    backendRefs:
    - {name: tea, port: 80}
    filters:
    - type: URLRewrite
      urlRewrite:
        path: {type: ReplaceFullPath, replaceFullPath: /}
"""


@pytest.fixture
def ngf(mk):
    assert mk("cluster", "init", "--profile", "gateway-api").code == 0
    for name in ("coffee-v1", "coffee-v2", "tea"):
        assert mk("create", "deployment", name, "--image=gcr.io/google-samples/hello-app:1.0").code == 0
        assert mk("expose", "deployment", name, "--port=80", "--target-port=8080").code == 0
    r = mk("apply", "-f", "-", stdin=NGF)
    assert r.code == 0, r.err
    mk.advance(60)
    return mk


def test_ngf_status_conditions(ngf):
    mk = ngf
    assert mk("get", "gc", "nginx").out.splitlines()[1].split()[:3] == \
        ["nginx", "gateway.nginx.org/nginx-gateway-controller", "True"]
    gw = json.loads(mk("get", "gtw", "cafe", "-o", "json").out)
    assert [(c["type"], c["status"], c["message"]) for c in gw["status"]["conditions"]] == [
        ("Accepted", "True", "Gateway is accepted"), ("Programmed", "True", "Gateway is programmed")]
    assert gw["status"]["listeners"][0]["attachedRoutes"] == 1
    pod_ip = json.loads(mk("get", "po", "-n", "nginx-gateway", "-o", "json").out)["items"][0]["status"]["podIP"]
    assert gw["status"]["addresses"] == [{"type": "IPAddress", "value": pod_ip}]
    assert mk("get", "gtw").out.splitlines()[1].split()[:4] == ["cafe", "nginx", pod_ip, "True"]
    route = json.loads(mk("get", "httproute", "coffee", "-o", "json").out)
    parent = route["status"]["parents"][0]
    assert parent["controllerName"] == "gateway.nginx.org/nginx-gateway-controller"
    assert [(c["type"], c["status"], c["reason"], c["message"]) for c in parent["conditions"]] == [
        ("Accepted", "True", "Accepted", "The route is accepted"),
        ("ResolvedRefs", "True", "ResolvedRefs", "All references are resolved")]
    out = mk("describe", "httproute", "coffee").out
    assert "Controller Name:         gateway.nginx.org/nginx-gateway-controller" in out


def test_routing_through_the_gateway_address(ngf):
    mk = ngf
    addr = json.loads(mk("get", "gtw", "cafe", "-o", "json").out)["status"]["addresses"][0]["value"]
    assert mk("run", "client", "--image=busybox:1.36", "--", "sleep", "3600").code == 0
    mk.advance(10)

    def get(host, path):
        return mk("exec", "client", "--", "wget", "-q", "-O-", "--header", f"Host: {host}", f"http://{addr}{path}")

    def who(r):
        return r.out.split("Hostname: ")[1].split("-")[1]

    seen = {who(get("cafe.example.com", "/coffee")) for _ in range(40)}
    assert seen == {"v1", "v2"}                           # the 80/20 weights reach both versions
    assert "Hostname: tea-" in get("cafe.example.com", "/tea").out
    r = get("cafe.example.com", "/tea/cup")                # Exact: /tea/cup matches nothing
    assert r.code == 1 and "404 Not Found" in r.err
    r = get("other.example.com", "/coffee")                # hostname not in the route
    assert r.code == 1 and "404 Not Found" in r.err


def test_missing_backend_and_missing_gateway(ngf):
    mk = ngf
    bad = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "bad"},
           "spec": {"parentRefs": [{"name": "cafe"}], "hostnames": ["bad.example.com"],
                    "rules": [{"backendRefs": [{"name": "nope", "port": 80}]}]}}
    orphan = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "orphan"},
              "spec": {"parentRefs": [{"name": "no-such-gateway"}], "rules": [{"backendRefs": [{"name": "tea", "port": 80}]}]}}
    assert mk("apply", "-f", "-", stdin=json.dumps(bad) + "\n---\n" + json.dumps(orphan)).code == 0
    mk.advance(5)
    route = json.loads(mk("get", "httproute", "bad", "-o", "json").out)
    resolved = route["status"]["parents"][0]["conditions"][1]
    assert (resolved["status"], resolved["reason"], resolved["message"]) == (
        "False", "BackendNotFound", 'spec.rules[0].backendRefs[0].name: Not found: "nope"')
    assert "status" not in json.loads(mk("get", "httproute", "orphan", "-o", "json").out)
    addr = json.loads(mk("get", "gtw", "cafe", "-o", "json").out)["status"]["addresses"][0]["value"]
    assert mk("run", "client", "--image=busybox:1.36", "--", "sleep", "3600").code == 0
    mk.advance(10)
    r = mk("exec", "client", "--", "wget", "-q", "-O-", "--header", "Host: bad.example.com", f"http://{addr}/")
    assert r.code == 1 and "500 Internal Server Error" in r.err


# NGF 1.6's bindRouteToListeners, case by case (internal/mode/static/state/graph/route_common.go),
# with the condition texts of its state/conditions package; the failed Accepted comes after
# ResolvedRefs as DeduplicateConditions (last one wins, order kept) leaves them.

def _route(name, parent_refs, hostnames=None, ns=None):
    meta = {"name": name, **({"namespace": ns} if ns else {})}
    spec = {"parentRefs": parent_refs, "rules": [{"backendRefs": [{"name": "tea", "port": 80}]}]}
    if hostnames:
        spec["hostnames"] = hostnames
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": meta, "spec": spec}


def _parents(mk, name, ns="default"):
    route = json.loads(mk("get", "httproute", name, "-n", ns, "-o", "json").out)
    return [(p["parentRef"], [(c["type"], c["status"], c["reason"], c["message"]) for c in p["conditions"]])
            for p in (route.get("status") or {}).get("parents") or []]


RESOLVED = ("ResolvedRefs", "True", "ResolvedRefs", "All references are resolved")
CAFE = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "cafe", "namespace": "default"}


def test_route_attachment_failures_as_ngf_words_them(ngf):
    mk = ngf
    routes = [
        _route("no-section", [{"name": "cafe", "sectionName": "https"}]),
        _route("with-port", [{"name": "cafe", "port": 80}]),
        _route("other-host", [{"name": "cafe"}], hostnames=["www.example.org"]),
        _route("wild-host", [{"name": "cafe"}], hostnames=["*.example.com"]),
        _route("two-parents", [{"name": "no-such-gateway"}, {"name": "cafe", "sectionName": "http"}]),
    ]
    assert mk("create", "ns", "team").code == 0
    r = mk("patch", "gtw", "cafe", "--type=json", "-p",
           '[{"op": "add", "path": "/spec/listeners/0/hostname", "value": "*.example.com"}]')
    assert r.code == 0, r.err
    routes.append(_route("elsewhere", [{"name": "cafe", "namespace": "default"}], ns="team"))
    assert mk("apply", "-f", "-", stdin="\n---\n".join(json.dumps(r) for r in routes)).code == 0
    mk.advance(5)
    assert _parents(mk, "no-section") == [({**CAFE, "sectionName": "https"}, [
        RESOLVED, ("Accepted", "False", "NoMatchingParent", "Listener is not found for this parent ref")])]
    assert _parents(mk, "with-port") == [(CAFE, [
        RESOLVED, ("Accepted", "False", "UnsupportedValue", "spec.parentRefs[0].port: Forbidden: cannot be set")])]
    assert _parents(mk, "other-host") == [(CAFE, [
        RESOLVED, ("Accepted", "False", "NoMatchingListenerHostname",
                   "Listener hostname does not match the Route hostnames")])]
    # the missing Gateway gets no entry; the second parentRef does
    assert _parents(mk, "two-parents") == [({**CAFE, "sectionName": "http"}, [
        ("Accepted", "True", "Accepted", "The route is accepted"), RESOLVED])]
    assert _parents(mk, "elsewhere", ns="team") == [(CAFE, [
        ("ResolvedRefs", "False", "BackendNotFound", 'spec.rules[0].backendRefs[0].name: Not found: "tea"'),
        ("Accepted", "False", "NotAllowedByListeners", "Route is not allowed by any listener")])]
    gw = json.loads(mk("get", "gtw", "cafe", "-o", "json").out)
    assert _parents(mk, "wild-host")[0][1][0] == ("Accepted", "True", "Accepted", "The route is accepted")
    gw = json.loads(mk("get", "gtw", "cafe", "-o", "json").out)
    assert gw["status"]["listeners"][0]["attachedRoutes"] == 3       # coffee, wild-host, two-parents


def test_a_second_gateway_is_ignored_and_so_are_its_routes(ngf):
    mk = ngf
    second = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "second"},
              "spec": {"gatewayClassName": "nginx", "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]}}
    other_class = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "foreign"},
                   "spec": {"gatewayClassName": "istio", "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]}}
    routes = [_route("to-second", [{"name": "second"}], hostnames=["second.example.com"]),
              _route("to-foreign", [{"name": "foreign"}])]
    mk.advance(2)                         # younger than cafe: cafe stays the winner
    docs = [second, other_class, *routes]
    assert mk("apply", "-f", "-", stdin="\n---\n".join(json.dumps(d) for d in docs)).code == 0
    mk.advance(5)
    gw = json.loads(mk("get", "gtw", "second", "-o", "json").out)
    msg = "The resource is ignored due to a conflicting Gateway resource"
    assert [(c["type"], c["status"], c["reason"], c["message"]) for c in gw["status"]["conditions"]] == [
        ("Accepted", "False", "GatewayConflict", msg), ("Programmed", "False", "GatewayConflict", msg)]
    assert "addresses" not in gw["status"] and "listeners" not in gw["status"]
    assert mk("get", "gtw", "cafe", "-o", "jsonpath={.status.conditions[0].status}").out == "True"
    assert _parents(mk, "to-second") == [({**CAFE, "name": "second"}, [
        RESOLVED, ("Accepted", "False", "GatewayIgnored", "The Gateway is ignored by the controller")])]
    assert _parents(mk, "to-foreign") == []          # another controller's Gateway: NGF writes nothing
    addr = json.loads(mk("get", "gtw", "cafe", "-o", "json").out)["status"]["addresses"][0]["value"]
    assert mk("run", "client", "--image=busybox:1.36", "--", "sleep", "3600").code == 0
    mk.advance(10)
    r = mk("exec", "client", "--", "wget", "-q", "-O-", "--header", "Host: second.example.com", f"http://{addr}/")
    assert r.code == 1 and "404 Not Found" in r.err    # the ignored Gateway's route is not programmed


# ---- NGINX Gateway Fabric's getting-started "cafe example" (examples/cafe-example, 1.6) ----------
# cafe.yaml: coffee and tea Deployments of nginxdemos/nginx-hello:plain-text (port 8080) behind
# Services on 80; gateway.yaml: Gateway `gateway`, listener http on 80 for *.example.com;
# cafe-routes.yaml: /coffee and /tea for cafe.example.com. The README's curls print the
# hello-plain-text.conf answer: `Server address: <pod IP>:8080`, `Server name: <pod name>`, then
# the Date, URI and Request ID lines of the same `return 200`.

CAFE_APP = "".join(f"""---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
      - name: {name}
        image: nginxdemos/nginx-hello:plain-text
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  ports:
  - port: 80
    targetPort: 8080
    protocol: TCP
    name: http
  selector:
    app: {name}
""" for name in ("coffee", "tea"))

CAFE_GATEWAY = """\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: gateway
spec:
  gatewayClassName: nginx
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    hostname: "*.example.com"
"""

CAFE_ROUTES = "".join(f"""---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {name}
spec:
  parentRefs:
  - name: gateway
    sectionName: http
  hostnames:
  - "cafe.example.com"
  rules:
  - matches:
    - path:
        type: {ptype}
        value: /{name}
    backendRefs:
    - name: {name}
      port: 80
""" for name, ptype in (("coffee", "PathPrefix"), ("tea", "Exact")))


def test_ngf_cafe_example_replays(mk):
    assert mk("cluster", "init", "--profile", "gateway-api").code == 0
    r = mk("apply", "-f", "-", stdin=CAFE_APP)
    assert r.out == ("deployment.apps/coffee created\nservice/coffee created\n"
                     "deployment.apps/tea created\nservice/tea created\n"), r.err
    mk.advance(30)
    pods = mk("-n", "default", "get", "pods").out.splitlines()
    assert pods[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert [(p.split()[0].split("-")[0], p.split()[1:4]) for p in pods[1:]] == [
        ("coffee", ["1/1", "Running", "0"]), ("tea", ["1/1", "Running", "0"])]
    assert mk("apply", "-f", "-", stdin=CAFE_GATEWAY).out == "gateway.gateway.networking.k8s.io/gateway created\n"
    assert mk("apply", "-f", "-", stdin=CAFE_ROUTES).out == (
        "httproute.gateway.networking.k8s.io/coffee created\nhttproute.gateway.networking.k8s.io/tea created\n")
    mk.advance(5)
    svc = json.loads(mk("get", "svc", "-n", "nginx-gateway", "nginx-gateway", "-o", "json").out)
    gw_port = next(p["nodePort"] for p in svc["spec"]["ports"] if p["name"] == "http")
    gw_ip = json.loads(mk("get", "no", "k8s-worker-01", "-o", "json").out)["status"]["addresses"][0]["address"]
    pods = {p["metadata"]["labels"]["app"]: p for p in json.loads(mk("get", "po", "-o", "json").out)["items"]}
    for name, path in (("coffee", "/coffee"), ("tea", "/tea")):
        r = mk("ssh", "k8s-worker-01", "--", "curl", "--resolve", f"cafe.example.com:{gw_port}:{gw_ip}",
               f"http://cafe.example.com:{gw_port}{path}")
        lines = r.out.splitlines()
        assert lines[:2] == [f"Server address: {pods[name]['status']['podIP']}:8080",
                             f"Server name: {pods[name]['metadata']['name']}"], r.out + r.err
        assert lines[2].startswith("Date: ") and lines[3] == f"URI: {path}"
        assert len(lines) == 5 and len(lines[4].removeprefix("Request ID: ")) == 32
    r = mk("ssh", "k8s-worker-01", "--", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--resolve",
           f"cafe.example.com:{gw_port}:{gw_ip}", f"http://cafe.example.com:{gw_port}/tea/cup")
    assert r.out == "404"                                   # Exact /tea: nothing else under it


def test_nginx_hello_html_page_is_not_simulated(mk):
    assert mk("run", "hello", "--image=nginxdemos/nginx-hello", "--port=8080").code == 0
    assert mk("run", "client", "--image=busybox:1.36", "--", "sleep", "3600").code == 0
    mk.advance(20)
    ip = mk("get", "po", "hello", "-o", "jsonpath={.status.podIP}").out
    r = mk("exec", "client", "--", "wget", "-q", "-O-", f"http://{ip}:8080/")
    assert "minikctl: the HTML page of nginxdemos/nginx-hello is not simulated" in r.out + r.err


def test_explain_of_a_gateway_kind_says_it_is_not_simulated(mk):
    """On a real cluster these kinds exist through their CRDs, and explain reads the CRDs' schemas;
    minikctl serves them without those schemas, and says so rather than print kubectl's
    `GVK ... not found in OpenAPI schema`, which a real cluster never prints for them."""
    for target in ("gateway", "httproute.spec.rules", "gatewayclasses"):
        r = mk("explain", target)
        plural = {"gateway": "gateways", "httproute.spec.rules": "httproutes"}.get(target, target)
        assert (r.code, r.out) == (1, "")
        assert r.err == (f"minikctl: explain of {plural}.gateway.networking.k8s.io is not simulated (the Gateway "
                         "API CRDs' schemas are not modelled)\n")
