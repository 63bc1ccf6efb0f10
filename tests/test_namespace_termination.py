"""Namespace deletion: Terminating while its content goes (pods with their grace period), new
content refused with the apiserver's Forbidden, then gone; `delete ns` returns once it is gone."""
from __future__ import annotations

import json
import re

from tests.conftest import table_check

FORBIDDEN = ('pods "q" is forbidden: unable to create new content in namespace x because it is being '
             "terminated")


def _setup(mk):
    mk("create", "ns", "x")
    mk("run", "p", "--image=busybox", "-n", "x", "--", "sleep", "3600")   # ignores SIGTERM: 30 s grace
    mk("create", "deploy", "d", "--image=nginx", "-n", "x")
    mk.advance(10)


def test_terminating_then_gone(mk):
    _setup(mk)
    r = mk("delete", "ns", "x", "--wait=false")
    assert r.code == 0 and r.out == 'namespace "x" deleted\n'
    r = mk("get", "ns")
    assert table_check(r.out)[0] == 0
    assert re.search(r"^x\s+Terminating\s+\d+s$", r.out, re.M), r.out
    ns = json.loads(mk("get", "ns", "x", "-o", "json").out)
    assert ns["status"]["phase"] == "Terminating" and ns["metadata"]["deletionTimestamp"]
    remaining = next(c for c in ns["status"]["conditions"] if c["type"] == "NamespaceContentRemaining")
    assert remaining["status"] == "True" and remaining["reason"] == "SomeResourcesRemain"
    npods = len(json.loads(mk("get", "po", "-n", "x", "-o", "json").out)["items"])
    assert npods >= 1
    assert remaining["message"] == f"Some resources are remaining: pods. has {npods} resource instances"
    # the deployment went at once; the busybox pod terminates gracefully
    assert mk("get", "deploy", "-n", "x").out == ""
    pod = json.loads(mk("get", "po", "p", "-n", "x", "-o", "json").out)
    assert pod["metadata"]["deletionTimestamp"]
    assert re.search(r"^p\s+1/1\s+Terminating\s", mk("get", "po", "-n", "x").out, re.M)
    mk.advance(31)
    r = mk("get", "ns", "x")
    assert r.code == 1 and r.err.strip() == 'Error from server (NotFound): namespaces "x" not found'


def test_create_in_terminating_namespace_is_forbidden(mk, tmp_path):
    _setup(mk)
    mk("delete", "ns", "x", "--wait=false")
    r = mk("run", "q", "--image=nginx", "-n", "x")
    assert r.code == 1 and r.err.strip() == f"Error from server (Forbidden): {FORBIDDEN}"
    f = tmp_path / "x.yaml"
    f.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: q\n  namespace: x\nspec:\n  containers:\n"
                 "  - name: q\n    image: nginx\n")
    r = mk("create", "-f", str(f))
    assert r.code == 1
    assert r.err.strip() == f'Error from server (Forbidden): error when creating "{f}": {FORBIDDEN}'


def test_delete_ns_waits_until_gone(mk):
    _setup(mk)
    r = mk("delete", "ns", "x")
    assert r.code == 0 and r.out == 'namespace "x" deleted\n'
    assert mk("get", "ns", "x").code == 1
    assert mk("get", "all", "-n", "x").err.strip() == "No resources found in x namespace."
    # the name is free again
    assert mk("create", "ns", "x").code == 0
    assert re.search(r"^x\s+Active\s", mk("get", "ns").out, re.M)


def test_system_namespaces_still_refused(mk):
    r = mk("delete", "ns", "default")
    assert r.err.strip() == 'Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted'
