"""The three patch dialects against the rules of their specs (strategic merge keys, RFC 7386, RFC 6902)."""
from __future__ import annotations

import pytest

from minikctl.api.patch import PatchError, apply_patch, json_patch, merge_patch, strategic_merge

DEPLOY = {
    "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web", "tier": "fe"}},
    "spec": {"replicas": 1, "template": {"spec": {"containers": [
        {"name": "nginx", "image": "nginx:1.24", "ports": [{"containerPort": 80, "protocol": "TCP"}],
         "env": [{"name": "A", "value": "1"}]},
        {"name": "side", "image": "busybox"}]}}},
}


def _containers(obj):
    return obj["spec"]["template"]["spec"]["containers"]


def test_strategic_merges_containers_by_name():
    out = strategic_merge(DEPLOY, {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}}})
    assert [c["name"] for c in _containers(out)] == ["nginx", "side"]
    assert _containers(out)[0]["image"] == "nginx:1.25"
    assert _containers(out)[0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert _containers(DEPLOY)[0]["image"] == "nginx:1.24"  # input untouched


def test_merge_patch_replaces_lists_where_strategic_merges_them():
    p = {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}}}
    assert _containers(merge_patch(DEPLOY, p)) == [{"name": "nginx", "image": "nginx:1.25"}]
    assert len(_containers(strategic_merge(DEPLOY, p))) == 2


def test_container_ports_merge_on_container_port_and_env_on_name():
    p = {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "ports": [{"containerPort": 443}],
                                                         "env": [{"name": "B", "value": "2"}]}]}}}}
    c = _containers(strategic_merge(DEPLOY, p))[0]
    assert [x["containerPort"] for x in c["ports"]] == [80, 443]
    assert [e["name"] for e in c["env"]] == ["A", "B"]


def test_service_ports_merge_on_port():
    svc = {"spec": {"ports": [{"port": 80, "targetPort": 8080}]}}
    out = strategic_merge(svc, {"spec": {"ports": [{"port": 80, "targetPort": 9090}, {"port": 443}]}})
    assert out["spec"]["ports"] == [{"port": 80, "targetPort": 9090}, {"port": 443}]


def test_null_deletes_and_patch_directives():
    out = strategic_merge(DEPLOY, {"metadata": {"labels": {"tier": None}}})
    assert out["metadata"]["labels"] == {"app": "web"}
    out = strategic_merge(DEPLOY, {"spec": {"template": {"spec": {"containers": [{"name": "side", "$patch": "delete"}]}}}})
    assert [c["name"] for c in _containers(out)] == ["nginx"]
    out = strategic_merge(DEPLOY, {"metadata": {"labels": {"$patch": "replace", "only": "me"}}})
    assert out["metadata"]["labels"] == {"only": "me"}


def test_missing_merge_key_is_an_error():
    with pytest.raises(PatchError, match="does not contain declared merge key: name"):
        strategic_merge(DEPLOY, {"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}})


def test_rfc7386_examples():
    # RFC 7386 section 3 example
    target = {"title": "Goodbye!", "author": {"givenName": "John", "familyName": "Doe"},
              "tags": ["example", "sample"], "content": "This will be unchanged"}
    patch = {"title": "Hello!", "phoneNumber": "+01-123-456-7890", "author": {"familyName": None}, "tags": ["example"]}
    assert merge_patch(target, patch) == {"title": "Hello!", "author": {"givenName": "John"}, "tags": ["example"],
                                          "content": "This will be unchanged", "phoneNumber": "+01-123-456-7890"}


def test_rfc6902_operations():
    doc = {"foo": ["bar", "baz"], "a": {"b": 1}}
    out = json_patch(doc, [{"op": "add", "path": "/foo/1", "value": "qux"},
                           {"op": "add", "path": "/foo/-", "value": "end"},
                           {"op": "replace", "path": "/a/b", "value": 2},
                           {"op": "copy", "from": "/a/b", "path": "/c"},
                           {"op": "move", "from": "/c", "path": "/d"},
                           {"op": "remove", "path": "/foo/0"},
                           {"op": "test", "path": "/d", "value": 2},
                           {"op": "add", "path": "/a~1b", "value": "slash"}])
    assert out == {"foo": ["qux", "baz", "end"], "a": {"b": 2}, "d": 2, "a/b": "slash"}
    with pytest.raises(PatchError, match="test failed"):
        json_patch(doc, [{"op": "test", "path": "/a/b", "value": 9}])
    with pytest.raises(PatchError, match="missing"):
        json_patch(doc, [{"op": "replace", "path": "/nope/x", "value": 1}])


def test_apply_patch_type_checks():
    with pytest.raises(PatchError):
        apply_patch(DEPLOY, [{"op": "add"}], "merge")
    with pytest.raises(PatchError):
        apply_patch(DEPLOY, {"spec": {}}, "json")
