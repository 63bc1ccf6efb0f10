"""Bad input gets kubectl's message on stderr, exit code 1, and the store exactly as before."""
from __future__ import annotations

import sqlite3

import pytest

from conftest import SPEC


def snapshot(mk) -> list:
    """Every stored object (events aside), for 'the state is untouched' checks."""
    mk("get", "ns")  # make sure the cluster exists and is settled
    con = sqlite3.connect(mk.home / "cluster.db")
    rows = con.execute("SELECT kind, namespace, name, rv, body FROM objects WHERE kind != 'Event' ORDER BY 1,2,3").fetchall()
    con.close()
    return rows


def write(tmp_path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


CASES = {
    "invalid-yaml": ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n spec: 1\n",
                     "error: error parsing {f}: error converting YAML to JSON: yaml: line 5: "),
    "unknown-kind": ("apiVersion: v1\nkind: Foo\nmetadata:\n  name: x\n",
                     'error: resource mapping not found for name: "x" namespace: "" from "{f}": no matches for kind "Foo" in version "v1"\nensure CRDs are installed first'),
    "wrong-version": ("apiVersion: apps/v2\nkind: Deployment\nmetadata:\n  name: x\n",
                      'error: resource mapping not found for name: "x" namespace: "" from "{f}": no matches for kind "Deployment" in version "apps/v2"'),
    "kind-not-set": ("apiVersion: v1\nmetadata:\n  name: x\n",
                     'error: error validating "{f}": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false'),
    "invalid-name": ("apiVersion: v1\nkind: Service\nmetadata:\n  name: My-Svc\nspec:\n  ports:\n  - port: 80\n",
                     """The Service "My-Svc" is invalid: metadata.name: Invalid value: "My-Svc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"""),
    "unknown-field": ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    image: nginx\n    imagee: x\n",
                      'Error from server (BadRequest): error when creating "{f}": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagee"'),
    "missing-namespace": ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: nowhere\n",
                          'Error from server (NotFound): error when creating "{f}": namespaces "nowhere" not found'),
    "clusterip-out-of-range": ("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  clusterIP: 1.1.1.1\n  ports:\n  - port: 80\n",
                               'The Service "s" is invalid: spec.clusterIPs: Invalid value: []string{"1.1.1.1"}: failed to allocate IP 1.1.1.1: the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12'),
    "clusterip-taken": ("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  clusterIP: 10.96.0.10\n  ports:\n  - port: 80\n",
                        'The Service "s" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated'),
    "nodeport-range": ("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 80\n",
                       'The Service "s" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767'),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_manifest(mk, tmp_path, case):
    text, want = CASES[case]
    f = write(tmp_path, f"{case}.yaml", text)
    before = snapshot(mk)
    r = mk("apply", "-f", f)
    assert r.code == 1
    assert r.out == ""
    assert r.err.startswith(want.replace("{f}", f)), r.err
    assert "Traceback" not in r.err
    assert snapshot(mk) == before


def test_missing_file(mk):
    r = mk("apply", "-f", "/nonexistent/x.yaml")
    assert (r.code, r.err) == (1, 'error: the path "/nonexistent/x.yaml" does not exist\n')


def test_nodeport_clash(mk, tmp_path):
    svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {n}\nspec:\n  type: NodePort\n  selector: {{app: x}}\n  ports:\n  - port: 80\n    nodePort: 30080\n"
    assert mk("apply", "-f", write(tmp_path, "a.yaml", svc.format(n="a"))).code == 0
    before = snapshot(mk)
    r = mk("apply", "-f", write(tmp_path, "b.yaml", svc.format(n="b")))
    assert r.code == 1
    assert r.err == 'The Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated\n'
    assert snapshot(mk) == before


def test_create_twice_is_already_exists(mk):
    f = str(SPEC / "busybox.yaml")
    assert mk("create", "-f", f).out == "pod/busybox created\n"
    before = snapshot(mk)
    r = mk("create", "-f", f)
    assert r.code == 1
    assert r.err == f'Error from server (AlreadyExists): error when creating "{f}": pods "busybox" already exists\n'
    assert snapshot(mk) == before


def test_immutable_selector(mk, tmp_path):
    mk.apply_spec("web-server")
    text = (SPEC / "web-server.yaml").read_text().replace("matchLabels:\n      app: web-server",
                                                           "matchLabels:\n      app: web-server\n      tier: x", 1)
    text = text.replace("labels:\n        app: web-server", "labels:\n        app: web-server\n        tier: x", 1)
    before = snapshot(mk)
    r = mk("apply", "-f", write(tmp_path, "w.yaml", text))
    assert r.code == 1
    assert 'The Deployment "web-server-pod" is invalid: spec.selector: Invalid value: ' in r.err
    assert "field is immutable" in r.err
    assert "service/web-server-svc unchanged" in r.out
    assert snapshot(mk) == before


def test_multi_document_applies_the_good_and_reports_the_bad(mk, tmp_path):
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good-1\n---\n"
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: Bad_Name\nspec:\n  ports:\n  - port: 80\n---\n"
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good-2\n")
    f = write(tmp_path, "mixed.yaml", text)
    r = mk("apply", "-f", f)
    assert r.code == 1
    assert r.out == "configmap/good-1 created\nconfigmap/good-2 created\n"
    assert r.err.startswith('The Service "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"')
    assert mk("get", "cm", "good-1", "good-2", "-o", "name").out == "configmap/good-1\nconfigmap/good-2\n"


def test_get_missing_and_unknown(mk):
    r = mk("get", "po", "nope")
    assert (r.code, r.err) == (1, 'Error from server (NotFound): pods "nope" not found\n')
    r = mk("get", "deploy", "nope")
    assert r.err == 'Error from server (NotFound): deployments.apps "nope" not found\n'
    r = mk("get", "foo")
    assert (r.code, r.err) == (1, 'error: the server doesn\'t have a resource type "foo"\n')
    r = mk("delete", "svc", "nope")
    assert (r.code, r.err) == (1, 'Error from server (NotFound): services "nope" not found\n')
    r = mk("delete")
    assert r.code == 1 and r.err.startswith("error: You must provide one or more resources by argument or filename.")
    r = mk("delete", "pods")
    assert r.err == "error: resource(s) were provided, but no name was specified\n"


def test_unknown_flag_is_an_error_not_a_traceback(mk):
    r = mk("get", "po", "--bogus")
    assert r.code == 1 and r.err.startswith("Error: unknown flag: --bogus")  # cobra's capital E
