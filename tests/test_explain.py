"""explain in kubectl 1.32's plaintext layout (OpenAPI v3 template) over Kubernetes' own schemas
(api/openapi; tests/test_openapi.py compares it byte for byte with kubectl through serve), and
api-resources from api/kinds.py."""
from __future__ import annotations

from minikctl.api import kinds


def test_explain_field_layout(mk):
    r = mk("explain", "pods.spec.containers")
    assert r.code == 0
    head = ("KIND:       Pod\nVERSION:    v1\n\nFIELD: containers <[]Container>\n\n\nDESCRIPTION:\n"
            "    List of containers belonging to the pod.")
    assert r.out.startswith(head)
    body = r.out[r.out.index("FIELDS:\n"):]
    names = [l.split("\t")[0].strip() for l in body.splitlines() if "\t" in l]
    assert names == sorted(names) and {"name", "image", "ports", "env", "resources"} <= set(names)
    assert "  name\t<string> -required-\n" in body
    assert "  image\t<string>\n    " in body
    assert r.out.endswith("\n\n\n")  # each field ends with a blank line, then the template's final newline


def test_explain_kind_with_group_and_wrapping(mk):
    r = mk("explain", "deploy")
    assert r.out.startswith("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nDESCRIPTION:\n")
    for line in r.out.splitlines():
        if line.startswith("    ") and " " in line.strip():   # a single long word (a URL) is never split
            assert len(line) <= 4 + 76
    r = mk("explain", "svc.spec.ports.targetPort")
    assert "FIELD: targetPort <IntOrString>\n" in r.out and "FIELDS:" not in r.out


def test_wordwrap():
    from minikctl.api.openapi.explain import wordwrap
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
    assert r.out.startswith("namespaces\nnodes\n")        # core first, then groups, as resource.group
    assert sorted(r.out.splitlines()) == sorted(k.plural if not k.group else f"{k.plural}.{k.group}"
                                                for k in kinds.KINDS if not k.namespaced)
    r = mk("api-resources", "-o", "wide", "--api-group=apps")
    rows = r.out.splitlines()
    assert rows[0].split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS", "CATEGORIES"]
    assert rows[2].split() == ["deployments", "deploy", "apps/v1", "true", "Deployment",
                               "create,delete,deletecollection,get,list,patch,update,watch", "all"]
    assert "deployments.apps" in mk("api-resources", "-o", "name").out.split()
