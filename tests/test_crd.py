"""CustomResourceDefinitions: a CRD applied is Established and its kind served at once, on the
CLI and through `minikctl serve` to the real kubectl (discovery, tables, describe, scale, status);
custom objects are checked against the structural schema with the apiserver's texts; deleting the
CRD deletes its objects. The CronTab CRD and object are kubernetes.io's (Extend the Kubernetes API
with CustomResourceDefinitions)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "crd"


def _apply(mk, name):
    r = mk("apply", "-f", str(DATA / name))
    assert r.code == 0, r.err
    return r.out


def _doc(kind="Widget", api="shop.example.com/v1", name="w1", **spec):
    return json.dumps({"apiVersion": api, "kind": kind, "metadata": {"name": name}, "spec": spec})


def test_crd_established_and_served_at_once(mk):
    assert _apply(mk, "crontab-crd.yaml") == \
        "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\n"
    crd = json.loads(mk("get", "crd", "crontabs.stable.example.com", "-o", "json").out)
    assert [(c["type"], c["status"], c["reason"]) for c in crd["status"]["conditions"]] == [
        ("NamesAccepted", "True", "NoConflicts"), ("Established", "True", "InitialNamesAccepted")]
    assert crd["status"]["acceptedNames"] == {"kind": "CronTab", "listKind": "CronTabList", "plural": "crontabs",
                                              "shortNames": ["ct"], "singular": "crontab"}
    assert crd["status"]["storedVersions"] == ["v1"]
    assert crd["metadata"]["finalizers"] == ["customresourcecleanup.apiextensions.k8s.io"]
    assert mk("get", "crd").out.splitlines()[0].split() == ["NAME", "CREATED", "AT"]
    rows = [l.split() for l in mk("api-resources").out.splitlines()]
    assert ["crontabs", "ct", "stable.example.com/v1", "true", "CronTab"] in rows
    assert _apply(mk, "my-crontab.yaml") == "crontab.stable.example.com/my-new-cron-object created\n"
    mk.advance(7)
    # the page's table: the CRD's additionalPrinterColumns
    assert mk("get", "crontab").out == ("NAME                 SPEC          REPLICAS   AGE\n"
                                        "my-new-cron-object   * * * * */5   1          7s\n")
    for alias in ("ct", "crontabs", "crontab.stable.example.com", "crontabs.v1.stable.example.com"):
        assert mk("get", alias, "-o", "name").out == "crontab.stable.example.com/my-new-cron-object\n"
    obj = json.loads(mk("get", "ct", "my-new-cron-object", "-o", "json").out)
    assert obj["metadata"]["generation"] == 1 and obj["spec"]["cronSpec"] == "* * * * */5"


def test_schema_validation_texts(mk):
    _apply(mk, "crontab-crd.yaml")
    bad = {"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "my-new-cron-object"},
           "spec": {"cronSpec": "* * * *", "image": "my-awesome-cron-image", "replicas": 15}}
    r = mk("apply", "-f", "-", stdin=json.dumps(bad))
    assert r.code == 1
    assert r.err == ('The CronTab "my-new-cron-object" is invalid: \n'
                     "* spec.cronSpec: Invalid value: \"* * * *\": spec.cronSpec in body should match "
                     "'^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'\n"
                     "* spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10\n")
    bad["spec"] = {"cronSpec": "* * * * */5", "replicas": "two"}
    r = mk("create", "-f", "-", stdin=json.dumps(bad))
    assert r.err == ('The CronTab "my-new-cron-object" is invalid: spec.replicas: Invalid value: "string": '
                     'spec.replicas in body must be of type integer: "string"\n')
    bad["spec"] = {"cronSpec": "* * * * */5", "imagee": "x"}
    r = mk("create", "-f", "-", stdin=json.dumps(bad))
    assert r.err == ('Error from server (BadRequest): error when creating "STDIN": CronTab in version "v1" cannot be '
                     'handled as a CronTab: strict decoding error: unknown field "spec.imagee"\n')
    assert mk("get", "ct").err == "No resources found in default namespace.\n"


def test_cluster_scope_defaults_enum_required_and_preserved_fields(mk):
    _apply(mk, "widget-crd.yaml")
    r = mk("create", "-f", "-", stdin=_doc(size="XL"))
    assert r.err == 'The Widget "w1" is invalid: spec.size: Unsupported value: "XL": supported values: "S", "M", "L"\n'
    r = mk("create", "-f", "-", stdin=_doc(color="red"))
    assert r.err == 'The Widget "w1" is invalid: spec.size: Required value\n'
    r = mk("create", "-f", "-", stdin=_doc(size="S", tags=["a", "b", "c"], color="a" * 11, replicas=-1))
    assert r.err == ('The Widget "w1" is invalid: \n'
                     "* spec.color: Too long: may not be more than 10 bytes\n"
                     "* spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0\n"
                     "* spec.tags: Too many: 3: must have at most 2 items\n")
    r = mk("create", "-f", "-", stdin=_doc(size="S", extra={"anything": {"goes": [1, 2]}}))
    assert r.out == "widget.shop.example.com/w1 created\n", r.err
    w = json.loads(mk("get", "widget", "w1", "-o", "json").out)
    assert "namespace" not in w["metadata"]
    assert w["spec"] == {"size": "S", "replicas": 1, "color": "blue", "extra": {"anything": {"goes": [1, 2]}}}
    # a served non-storage version is accepted and stored in the storage version
    r = mk("create", "-f", "-", stdin=_doc(api="shop.example.com/v1beta1", name="w2", size="M"))
    assert r.out == "widget.shop.example.com/w2 created\n", r.err
    assert json.loads(mk("get", "wg", "w2", "-o", "json").out)["apiVersion"] == "shop.example.com/v1"
    # default NAME/AGE table; the categories it is in
    assert mk("get", "wg").out.splitlines()[0].split() == ["NAME", "AGE"]
    assert mk("get", "shop", "-o", "name").out == "widget.shop.example.com/w1\nwidget.shop.example.com/w2\n"
    assert "widget.shop.example.com/w1" in mk("get", "all", "-o", "name").out


def test_scale_subresource_and_generation(mk):
    _apply(mk, "widget-crd.yaml")
    assert mk("create", "-f", "-", stdin=_doc(size="S")).code == 0
    r = mk("scale", "widget", "w1", "--replicas=3")
    assert r.out == "widget.shop.example.com/w1 scaled\n", r.err
    w = json.loads(mk("get", "wg", "w1", "-o", "json").out)
    assert w["spec"]["replicas"] == 3 and w["metadata"]["generation"] == 2
    r = mk("scale", "widget", "w1", "--current-replicas=2", "--replicas=4")
    assert r.err == "error: Expected replicas to be 2, was 3\n"
    # label changes metadata only: no new generation
    assert mk("label", "wg", "w1", "tier=gold").code == 0
    assert json.loads(mk("get", "wg", "w1", "-o", "json").out)["metadata"]["generation"] == 2
    r = mk("patch", "wg", "w1", "--type=merge", "-p", '{"spec":{"size":"L"}}')
    assert r.out == "widget.shop.example.com/w1 patched\n", r.err
    r = mk("patch", "wg", "w1", "--type=merge", "-p", '{"spec":{"size":"XXL"}}')
    assert r.code == 1 and 'spec.size: Unsupported value: "XXL"' in r.err


def test_deleting_the_crd_deletes_its_objects(mk):
    _apply(mk, "crontab-crd.yaml")
    _apply(mk, "my-crontab.yaml")
    assert mk("delete", "crd", "crontabs.stable.example.com").out == \
        'customresourcedefinition.apiextensions.k8s.io "crontabs.stable.example.com" deleted\n'
    assert mk("get", "crd").err == "No resources found\n"
    r = mk("get", "ct")
    assert (r.code, r.err) == (1, 'error: the server doesn\'t have a resource type "ct"\n')
    # created again: empty, the old object went with the CRD
    _apply(mk, "crontab-crd.yaml")
    assert mk("get", "ct").err == "No resources found in default namespace.\n"


@pytest.mark.parametrize("spec,text", [
    ({"group": "example", "scope": "Namespaced"}, 'spec.group: Invalid value: "example": should be a domain with at '
                                                  'least one dot'),
    ({"group": "stable.example.com", "scope": "Global"}, 'spec.scope: Unsupported value: "Global": supported values: '
                                                         '"Cluster", "Namespaced"'),
    ({"group": "stable.example.com", "scope": "Namespaced", "storage2": True},
     ": must have exactly one version marked as storage version"),
    ({"group": "stable.example.com", "scope": "Namespaced", "noversions": True},
     "spec.versions: Invalid value: null: must have exactly one version marked as storage version"),
])
def test_crd_validation_texts(mk, spec, text):
    versions = [{"name": "v1", "served": True, "storage": True,
                 "schema": {"openAPIV3Schema": {"type": "object"}}}]
    if spec.pop("storage2", False):
        versions.append({"name": "v2", "served": True, "storage": True,
                         "schema": {"openAPIV3Schema": {"type": "object"}}})
    if spec.pop("noversions", False):
        versions = None
    doc = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": f"things.{spec['group']}"},
           "spec": {**spec, "names": {"plural": "things", "kind": "Thing"}, "versions": versions}}
    r = mk("create", "-f", "-", stdin=json.dumps(doc))
    assert r.code == 1 and text in r.err, r.err
    assert mk("get", "crd").err == "No resources found\n"


def test_crd_name_must_match(mk):
    doc = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "crontab.stable.example.com"},
           "spec": {"group": "stable.example.com", "scope": "Namespaced", "names": {"plural": "crontabs",
                                                                                   "kind": "CronTab"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"type": "object"}}}]}}
    r = mk("create", "-f", "-", stdin=json.dumps(doc))
    assert r.err == ('The CustomResourceDefinition "crontab.stable.example.com" is invalid: metadata.name: Invalid '
                     'value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group\n')


# ---------------------------------------------------------------- the real kubectl through serve

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from tests.test_serve_kubectl import served_near_now
    yield from served_near_now(tmp_path_factory, "crd")


def _both(served, *args, stdin=""):
    from tests.test_serve_kubectl import real_second
    served.mk.clock = max(served.mk.clock, real_second(latest=0))   # no retry below
    return served.kubectl(*args, stdin=stdin), served.mk(*args, stdin=stdin)


def test_served_to_the_real_kubectl(served):
    r = served.kubectl("apply", "-f", str(DATA / "crontab-crd.yaml"))
    assert r.stdout == "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\n", r.stderr
    r = served.kubectl("apply", "-f", str(DATA / "my-crontab.yaml"))
    assert r.stdout == "crontab.stable.example.com/my-new-cron-object created\n", r.stderr
    r = served.kubectl("apply", "-f", str(DATA / "widget-crd.yaml"))
    assert r.returncode == 0, r.stderr
    r = served.kubectl("create", "-f", "-", stdin=_doc(size="S"))
    assert r.stdout == "widget.shop.example.com/w1 created\n", r.stderr
    for args in (("get", "crontabs"), ("get", "ct", "-o", "wide"), ("get", "crd"), ("get", "wg"),
                 ("describe", "ct", "my-new-cron-object"), ("get", "ct", "my-new-cron-object", "-o", "yaml")):
        k, m = _both(served, *args)
        assert k.returncode == 0, k.stderr
        assert m.out == k.stdout, args
    rows = [l.split() for l in served.kubectl("api-resources", "--no-headers").stdout.splitlines()]
    assert ["crontabs", "ct", "stable.example.com/v1", "true", "CronTab"] in rows
    assert ["widgets", "wg", "shop.example.com/v1", "false", "Widget"] in rows
    # errors: the apiserver's texts, rendered by kubectl
    bad = {"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "bad"},
           "spec": {"cronSpec": "* * * *", "replicas": 15}}
    k, m = _both(served, "create", "-f", "-", stdin=json.dumps(bad))
    assert k.returncode == 1 and k.stderr == m.err
    assert "spec.replicas in body should be less than or equal to 10" in k.stderr


def test_scale_and_status_subresources_through_serve(served):
    if served.mk("get", "wg", "w1").code != 0:
        test_served_to_the_real_kubectl(served)
    r = served.kubectl("scale", "widget", "w1", "--replicas=4")
    assert r.stdout == "widget.shop.example.com/w1 scaled\n", r.stderr
    assert json.loads(served.mk("get", "wg", "w1", "-o", "json").out)["spec"]["replicas"] == 4
    r = served.kubectl("patch", "wg", "w1", "--subresource=status", "--type=merge", "-p",
                       '{"status":{"replicas":4,"phase":"Ready"}}')
    assert r.stdout == "widget.shop.example.com/w1 patched\n", r.stderr
    code, scale = served.http("GET", "/apis/shop.example.com/v1/widgets/w1/scale")
    assert code == 200 and (scale["spec"], scale["status"]) == ({"replicas": 4}, {"replicas": 4})
    # the status subresource: a main-resource write keeps it; its own write is checked by the schema
    r = served.kubectl("patch", "wg", "w1", "--type=merge", "-p", '{"status":{"phase":"Gone"}}')
    assert json.loads(served.mk("get", "wg", "w1", "-o", "json").out)["status"]["phase"] == "Ready"
    r = served.kubectl("patch", "wg", "w1", "--subresource=status", "--type=merge", "-p", '{"status":{"replicas":"x"}}')
    assert r.returncode == 1 and 'status.replicas in body must be of type integer: "string"' in r.stderr
    code, _ = served.http("GET", "/apis/stable.example.com/v1/namespaces/default/crontabs/my-new-cron-object/status")
    assert code == 404                # CronTab declares no status subresource


def test_deleting_the_crd_through_serve(served):
    if served.mk("get", "ct", "my-new-cron-object").code != 0:
        test_served_to_the_real_kubectl(served)
    r = served.kubectl("delete", "crd", "crontabs.stable.example.com")
    assert r.stdout == 'customresourcedefinition.apiextensions.k8s.io "crontabs.stable.example.com" deleted\n'
    code, body = served.http("GET", "/apis/stable.example.com/v1/namespaces/default/crontabs")
    assert code == 404
    r = served.kubectl("api-resources", "--api-group=stable.example.com", "--no-headers")
    assert r.stdout == ""


def test_openapi_hook_for_the_documents(mk):
    """api/crd.openapi_v3: what the OpenAPI documents publish for a served CRD kind."""
    from minikctl.api import crd, kinds
    _apply(mk, "widget-crd.yaml")
    mk("get", "crd")
    k = kinds.resolve("widgets")
    path, schema = crd.openapi_v3(k.crd)
    assert path == "apis/shop.example.com/v1"
    assert schema["x-kubernetes-group-version-kind"] == [{"group": "shop.example.com", "kind": "Widget",
                                                          "version": "v1"}]
    assert schema["properties"]["spec"]["properties"]["size"]["enum"] == ["S", "M", "L"]
    assert set(schema["properties"]) >= {"apiVersion", "kind", "metadata", "spec", "status"}


def test_gateway_api_profile_installs_the_crds(mk):
    """As the Gateway API project ships them: four standard-channel CRDs, Established, listing
    the kinds (which minikctl serves itself, with the Gateway API's own rules)."""
    assert mk("cluster", "init", "--profile", "gateway-api").code == 0
    names = mk("get", "crd", "-o", "name").out.split()
    assert names == [f"customresourcedefinition.apiextensions.k8s.io/{p}.gateway.networking.k8s.io"
                     for p in ("gatewayclasses", "gateways", "httproutes", "referencegrants")]
    crd = json.loads(mk("get", "crd", "gateways.gateway.networking.k8s.io", "-o", "json").out)
    assert crd["metadata"]["annotations"]["gateway.networking.k8s.io/bundle-version"] == "v1.2.1"
    assert crd["spec"]["names"]["shortNames"] == ["gtw"] and crd["spec"]["scope"] == "Namespaced"
    assert [c["type"] for c in crd["status"]["conditions"]] == ["NamesAccepted", "Established"]
    rows = [l.split() for l in mk("api-resources", "--api-group=gateway.networking.k8s.io").out.splitlines()]
    assert len(rows) == 5           # no kind listed twice
    assert mk("get", "gc").out.splitlines()[0].split() == ["NAME", "CONTROLLER", "ACCEPTED", "AGE"]


def test_edit_a_custom_object(mk, tmp_path, monkeypatch):
    _apply(mk, "widget-crd.yaml")
    assert mk("create", "-f", "-", stdin=_doc(size="S")).code == 0
    script = tmp_path / "ed.sh"
    script.write_text("#!/bin/sh\nsed -i 's/size: S/size: M/' \"$1\"\n")
    script.chmod(0o755)
    monkeypatch.delenv("KUBE_EDITOR", raising=False)
    monkeypatch.setenv("EDITOR", str(script))
    assert mk("edit", "widget", "w1").out == "widget.shop.example.com/w1 edited\n"
    assert json.loads(mk("get", "wg", "w1", "-o", "json").out)["spec"]["size"] == "M"
    script.write_text("#!/bin/sh\nsed -i 's/size: M/size: XL/' \"$1\"\n")
    r = mk("edit", "widget", "w1")
    assert r.code == 1 and 'error: widgets.shop.example.com "w1" is invalid' in r.err
    assert json.loads(mk("get", "wg", "w1", "-o", "json").out)["spec"]["size"] == "M"
