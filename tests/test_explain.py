"""explain in kubectl 1.32's plaintext layout (OpenAPI v3 template) from api/schema.py, and
api-resources from api/kinds.py."""
from __future__ import annotations

from minikctl.api import kinds, schema


def test_explain_field_layout(mk):
    r = mk("explain", "pods.spec.containers")
    assert r.code == 0
    info = schema.explain("Pod", "spec.containers")
    head = ("KIND:       Pod\nVERSION:    v1\n\nFIELD: containers <[]Container>\n\nDESCRIPTION:\n"
            f"    {info['description']}\n    \nFIELDS:\n")
    assert r.out.startswith(head)
    body = r.out[len(head):]
    names = [l.split("\t")[0].strip() for l in body.splitlines() if "\t" in l]
    assert names == [f["name"] for f in info["fields"]] == sorted(names)
    assert "  name\t<string> -required-\n" in body
    assert "  image\t<string>\n    " in body
    assert r.out.endswith("\n\n\n")  # each field ends with a blank line, then the template's final newline


def test_explain_kind_with_group_and_wrapping(mk):
    r = mk("explain", "deploy")
    assert r.out.startswith("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nDESCRIPTION:\n")
    for line in r.out.splitlines():
        if line.startswith("    "):
            assert len(line) <= 4 + 76
    r = mk("explain", "svc.spec.ports.targetPort")
    assert "FIELD: targetPort <IntOrString>\n" in r.out and "FIELDS:" not in r.out


def test_wordwrap():
    from minikctl.cli.explain_cmd import wordwrap
    text = "word " * 40
    lines = wordwrap(text.strip(), 76).split("\n")
    assert all(len(l) <= 76 for l in lines) and " ".join(lines) == text.strip()
    assert wordwrap("a\nb", 76) == "a\nb"


def test_explain_errors(mk):
    r = mk("explain", "pods.spec.containerz")
    assert (r.code, r.err) == (1, 'error: field "containerz" does not exist\n')
    r = mk("explain", "widgets")
    assert r.err == 'error: the server doesn\'t have a resource type "widgets"\n'


def test_explain_recursive(mk):
    r = mk("explain", "deploy.spec.strategy", "--recursive")
    assert "  rollingUpdate\t<RollingUpdateDeployment>\n    maxSurge\t<IntOrString>\n" in r.out


def test_api_resources(mk, table_check=None):
    from conftest import table_check
    r = mk("api-resources")
    assert r.code == 0
    code, report = table_check(r.out)
    assert code == 0, report
    lines = r.out.splitlines()
    assert lines[0].split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    assert len(lines) == 1 + len(kinds.KINDS)
    assert lines[1].split() == ["configmaps", "cm", "v1", "true", "ConfigMap"]
    groups = [l.split()[-3] for l in lines[1:]]
    assert groups.index("apps/v1") > max(i for i, g in enumerate(groups) if g == "v1")  # core first
    r = mk("api-resources", "--namespaced=false", "-o", "name")
    assert r.out == ("namespaces\nnodes\npersistentvolumes\ngatewayclasses.gateway.networking.k8s.io\n"
                     "ingressclasses.networking.k8s.io\nstorageclasses.storage.k8s.io\n")
    r = mk("api-resources", "-o", "wide", "--api-group=apps")
    rows = r.out.splitlines()
    assert rows[0].split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS", "CATEGORIES"]
    assert rows[2].split() == ["deployments", "deploy", "apps/v1", "true", "Deployment",
                               "create,delete,deletecollection,get,list,patch,update,watch", "all"]
    assert "deployments.apps" in mk("api-resources", "-o", "name").out.split()
