"""The imperative verbs through the CLI: kubectl's success lines and error texts
(reference kubectl-formats.md sections 5-6), and the state each leaves behind."""
from __future__ import annotations

import json

import pytest


@pytest.fixture
def web(mk):
    r = mk("create", "deployment", "web", "--image=nginx", "--replicas=2", "--port=80")
    assert (r.code, r.out) == (0, "deployment.apps/web created\n"), r.err
    mk.advance(30)
    return mk


def _get(mk, *args):
    r = mk("get", *args, "-o", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def _pods(mk, app="web"):
    return [p for p in _get(mk, "pods", "-l", f"app={app}")["items"] if not p["metadata"].get("deletionTimestamp")]


# ----------------------------------------------------------------------- create <kind>

def test_create_deployment_runs_pods(web):
    d = _get(web, "deploy", "web")
    assert d["spec"]["template"]["spec"]["containers"][0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert d["metadata"]["labels"] == {"app": "web"}
    assert len(_pods(web)) == 2


def test_create_wrapped_already_exists(web):
    r = web("create", "deployment", "web", "--image=nginx")
    assert (r.code, r.out) == (1, "")
    assert r.err == 'error: failed to create deployment: deployments.apps "web" already exists\n'
    r = web("create", "service", "clusterip", "web", "--tcp=80")
    assert web("create", "service", "clusterip", "web", "--tcp=80").err == \
        'error: failed to create ClusterIP service: services "web" already exists\n'
    assert r.out == "service/web created\n"
    web("create", "configmap", "cfg", "--from-literal=a=1")
    assert web("create", "configmap", "cfg", "--from-literal=a=1").err == \
        'error: failed to create configmap: configmaps "cfg" already exists\n'


def test_create_namespace_is_not_wrapped(mk):
    assert mk("create", "namespace", "dev").out == "namespace/dev created\n"
    r = mk("create", "namespace", "dev")
    assert r.err == 'Error from server (AlreadyExists): namespaces "dev" already exists\n'


def test_create_invalid_name_is_the_apiservers_error_wrapped(mk):
    r = mk("create", "deployment", "Web", "--image=nginx")
    assert r.code == 1
    assert r.err.startswith('error: failed to create deployment: Deployment.apps "Web" is invalid: metadata.name: '
                            'Invalid value: "Web": a lowercase RFC 1123 subdomain')


def test_create_dry_run_server_does_not_persist(mk):
    r = mk("create", "deployment", "web", "--image=nginx", "--dry-run=server")
    assert r.out == "deployment.apps/web created (server dry run)\n"
    assert mk("get", "deploy", "web").code == 1
    r = mk("create", "service", "nodeport", "np", "--tcp=80:8080", "--node-port=30080", "--dry-run=server", "-o", "yaml")
    assert "nodePort: 30080" in r.out and "clusterIP: 10." in r.out


def test_create_with_namespace_and_name_output(mk):
    mk("create", "namespace", "team-a")
    r = mk("create", "configmap", "cfg", "--from-literal=a=1", "-n", "team-a", "-o", "name")
    assert r.out == "configmap/cfg\n"
    assert _get(mk, "cm", "cfg", "-n", "team-a")["data"] == {"a": "1"}
    r = mk("create", "deployment", "x", "--image=nginx", "-n", "nope")
    assert r.err == 'error: failed to create deployment: namespaces "nope" not found\n'


def test_create_secret_generic(mk):
    assert mk("create", "secret", "generic", "s", "--from-literal=a=1").out == "secret/s created\n"
    assert mk("create", "secret", "generic", "s", "--from-literal=a=1").err == \
        'error: failed to create secret secrets "s" already exists\n'


# ----------------------------------------------------------------------- expose

def test_expose_deployment_introspects_selector_and_port(web):
    r = web("expose", "deployment", "web")
    assert (r.code, r.out) == (0, "service/web exposed\n")
    svc = _get(web, "svc", "web")
    assert svc["spec"]["selector"] == {"app": "web"}
    assert svc["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    assert svc["metadata"]["labels"] == {"app": "web"}
    web.advance(5)
    ep = _get(web, "endpoints", "web")
    assert len(ep["subsets"][0]["addresses"]) == 2
    r = web("expose", "deployment", "web")
    assert r.err == 'Error from server (AlreadyExists): services "web" already exists\n'


def test_expose_flags(web):
    r = web("expose", "deploy/web", "--name=web-np", "--port=8080", "--target-port=80", "--type=NodePort",
            "--protocol=TCP", "--external-ip=192.168.1.10")
    assert r.out == "service/web-np exposed\n", r.err
    spec = _get(web, "svc", "web-np")["spec"]
    assert spec["type"] == "NodePort" and spec["externalIPs"] == ["192.168.1.10"]
    assert spec["ports"][0]["port"] == 8080 and spec["ports"][0]["targetPort"] == 80
    assert 30000 <= spec["ports"][0]["nodePort"] <= 32767
    r = web("expose", "deployment", "web", "--name=sel", "--port=80", "--selector=tier=x")
    assert _get(web, "svc", "sel")["spec"]["selector"] == {"tier": "x"}


def test_expose_dry_run_client_matches_reference_shape(web):
    r = web("expose", "deployment", "web", "--port=80", "--target-port=8080", "--dry-run=client", "-o", "yaml")
    assert r.out == ("apiVersion: v1\nkind: Service\nmetadata:\n  creationTimestamp: null\n  labels:\n    app: web\n"
                     "  name: web\nspec:\n  ports:\n  - port: 80\n    protocol: TCP\n    targetPort: 8080\n"
                     "  selector:\n    app: web\nstatus:\n  loadBalancer: {}\n")
    assert web("expose", "deployment", "web", "--dry-run=client").out == "service/web exposed (dry run)\n"


def test_expose_errors(mk):
    mk("run", "bare", "--image=nginx")
    r = mk("expose", "pod", "bare")
    assert r.err == "error: couldn't find port via --port flag or introspection\n"
    r = mk("expose", "deployment", "nope", "--port=80")
    assert r.err == 'Error from server (NotFound): deployments.apps "nope" not found\n'
    mk("apply", "-f", "-", stdin="apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n"
       "  serviceName: db\n  replicas: 1\n  selector:\n    matchLabels:\n      app: db\n  template:\n"
       "    metadata:\n      labels:\n        app: db\n    spec:\n      containers:\n      - name: db\n"
       "        image: nginx\n")
    r = mk("expose", "statefulset", "db", "--port=80")
    assert r.err == "error: cannot expose a StatefulSet.apps\n"


def test_expose_pod_uses_its_labels(mk):
    mk("run", "p", "--image=nginx", "--port=8080")
    assert mk("expose", "pod", "p", "--port=80", "--target-port=8080").out == "service/p exposed\n"
    assert _get(mk, "svc", "p")["spec"]["selector"] == {"run": "p"}


# ----------------------------------------------------------------------- scale

def test_scale_creates_and_removes_pods(web):
    r = web("scale", "deploy/web", "--replicas=4")
    assert (r.code, r.out) == (0, "deployment.apps/web scaled\n")
    web.advance(10)
    assert len(_pods(web)) == 4
    assert web("scale", "deployment", "web", "--replicas=1", "--current-replicas=4").out == "deployment.apps/web scaled\n"
    web.advance(60)
    assert len(_pods(web)) == 1


def test_scale_errors(web):
    r = web("scale", "deploy/web", "--replicas=3", "--current-replicas=5")
    assert (r.code, r.err) == (1, "error: Expected replicas to be 5, was 2\n")
    assert _get(web, "deploy", "web")["spec"]["replicas"] == 2
    r = web("scale", "deploy/web")
    assert r.err == "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n"
    r = web("scale", "deploy/nope", "--replicas=1")
    # kubectl wraps the builder's error when nothing is left to scale (checked through serve)
    assert r.err == 'error: no objects passed to scale deployments.apps "nope" not found\n'


def test_scale_dry_run_and_by_file(web, tmp_path):
    assert web("scale", "deploy/web", "--replicas=9", "--dry-run=client").out == "deployment.apps/web scaled (dry run)\n"
    assert _get(web, "deploy", "web")["spec"]["replicas"] == 2
    f = tmp_path / "d.yaml"
    f.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n")
    assert web("scale", "-f", str(f), "--replicas=3").out == "deployment.apps/web scaled\n"
    assert _get(web, "deploy", "web")["spec"]["replicas"] == 3


def test_scale_statefulset(mk):
    mk("apply", "-f", "-", stdin="apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n"
       "  serviceName: db\n  replicas: 1\n  selector:\n    matchLabels:\n      app: db\n  template:\n"
       "    metadata:\n      labels:\n        app: db\n    spec:\n      containers:\n      - name: db\n"
       "        image: nginx\n")
    assert mk("scale", "sts", "db", "--replicas=2").out == "statefulset.apps/db scaled\n"
    mk.advance(120)
    assert sorted(p["metadata"]["name"] for p in _pods(mk, "db")) == ["db-0", "db-1"]


# ----------------------------------------------------------------------- label / annotate

def test_label_messages(web):
    assert web("label", "deploy", "web", "tier=fe").out == "deployment.apps/web labeled\n"
    assert web("label", "deploy", "web", "tier=fe").out == "deployment.apps/web not labeled\n"
    r = web("label", "deploy", "web", "tier=be")
    assert (r.code, r.err) == (1, "error: 'tier' already has a value (fe), and --overwrite is false\n")
    assert web("label", "deploy", "web", "tier=be", "--overwrite").out == "deployment.apps/web labeled\n"
    assert web("label", "deploy", "web", "tier-").out == "deployment.apps/web unlabeled\n"
    assert "tier" not in _get(web, "deploy", "web")["metadata"]["labels"]
    assert web("label", "deploy", "web").err == "error: at least one label update is required\n"


def test_label_by_selector_and_all(web):
    r = web("label", "pods", "-l", "app=web", "checked=yes")
    lines = r.out.splitlines()
    assert len(lines) == 2 and all(l.startswith("pod/web-") and l.endswith(" labeled") for l in lines)
    assert all(p["metadata"]["labels"]["checked"] == "yes" for p in _pods(web))
    r = web("label", "pods", "--all", "checked-")
    assert r.out.count("unlabeled") == 2


def test_annotate(web):
    assert web("annotate", "deploy/web", "owner=team").out == "deployment.apps/web annotated\n"
    r = web("annotate", "deploy/web", "owner=other")
    assert r.err == "error: --overwrite is false but found the following declared annotation(s): 'owner' already has a value (team)\n"
    assert web("annotate", "deploy/web", "owner=other", "--overwrite").code == 0
    assert _get(web, "deploy", "web")["metadata"]["annotations"]["owner"] == "other"
    assert web("annotate", "deploy/web", "owner-").out == "deployment.apps/web annotated\n"
    assert "owner" not in (_get(web, "deploy", "web")["metadata"].get("annotations") or {})


# ----------------------------------------------------------------------- set image / env

def test_set_image_rolls_out(web):
    r = web("set", "image", "deployment/web", "nginx=nginx:1.25")
    assert (r.code, r.out) == (0, "deployment.apps/web image updated\n")
    web.advance(120)
    assert {p["spec"]["containers"][0]["image"] for p in _pods(web)} == {"nginx:1.25"}
    assert web("set", "image", "deployment/web", "*=nginx:1.26").out == "deployment.apps/web image updated\n"
    r = web("set", "image", "deployment/web", "app=nginx:1.25")
    assert (r.code, r.err) == (1, 'error: unable to find container named "app"\n')


def test_set_env(web):
    assert web("set", "env", "deployment/web", "MODE=prod", "LEVEL=1").out == "deployment.apps/web env updated\n"
    env = _get(web, "deploy", "web")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "MODE", "value": "prod"}, {"name": "LEVEL", "value": "1"}]
    web("set", "env", "deployment/web", "MODE-")
    env = _get(web, "deploy", "web")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "LEVEL", "value": "1"}]


# ----------------------------------------------------------------------- patch / replace

def test_patch_strategic_merge_json(web):
    r = web("patch", "deployment", "web", "-p", '{"spec":{"replicas":3}}')
    assert (r.code, r.out) == (0, "deployment.apps/web patched\n")
    assert web("patch", "deployment", "web", "-p", '{"spec":{"replicas":3}}').out == \
        "deployment.apps/web patched (no change)\n"
    web("patch", "deploy", "web", "-p",
        '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}}}')
    c = _get(web, "deploy", "web")["spec"]["template"]["spec"]["containers"]
    assert len(c) == 1 and c[0]["image"] == "nginx:1.25" and c[0]["ports"]
    r = web("patch", "deploy/web", "--type=json", "-p", '[{"op":"replace","path":"/spec/replicas","value":1}]')
    assert r.out == "deployment.apps/web patched\n"
    assert _get(web, "deploy", "web")["spec"]["replicas"] == 1
    r = web("patch", "deploy/web", "--type", "merge", "-p", '{"metadata":{"labels":{"x":"y"}}}')
    assert _get(web, "deploy", "web")["metadata"]["labels"] == {"app": "web", "x": "y"}


def test_patch_errors_are_the_apiservers(web):
    r = web("patch", "deploy", "nope", "-p", '{"spec":{}}')
    assert r.err == 'Error from server (NotFound): deployments.apps "nope" not found\n'
    r = web("patch", "deploy", "web", "-p", '{"spec":{"selector":{"matchLabels":{"app":"other"}}}}')
    assert r.code == 1 and r.err.startswith('The Deployment "web" is invalid:')
    assert "spec.selector" in r.err
    web("expose", "deploy", "web")
    r = web("patch", "svc", "web", "-p", '{"spec":{"clusterIP":"10.96.9.9"}}')
    assert r.code == 1 and "may not change once set" in r.err


def test_replace(web, tmp_path):
    d = _get(web, "deploy", "web")
    d["spec"]["replicas"] = 3
    f = tmp_path / "d.json"
    f.write_text(json.dumps(d))
    r = web("replace", "-f", str(f))
    assert (r.code, r.out) == (0, "deployment.apps/web replaced\n"), r.err
    assert _get(web, "deploy", "web")["spec"]["replicas"] == 3
    r = web("replace", "-f", str(f))  # stale resourceVersion now
    assert "the object has been modified" in r.err and r.code == 1
    del d["metadata"]["resourceVersion"]
    f.write_text(json.dumps(d))
    r = web("replace", "--force", "-f", str(f))
    assert r.out == 'deployment.apps "web" deleted\ndeployment.apps/web replaced\n', r.err
    g = tmp_path / "missing.yaml"
    g.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nope\n")
    r = web("replace", "-f", str(g))
    assert r.err == f'Error from server (NotFound): error when replacing "{g}": configmaps "nope" not found\n'
