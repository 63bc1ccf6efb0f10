"""Several clusters as the exam sets them up: each named cluster has its own state, a context of
its own in one kubeconfig, and ssh reaches every cluster's nodes."""
from __future__ import annotations

import yaml

from conftest import table_check


def _names(out: str) -> list[str]:
    return [line.split()[0] for line in out.splitlines()[1:]]


def test_named_clusters_keep_their_own_state(mk):
    assert mk("create", "deployment", "web", "--image=nginx").code == 0
    r = mk("cluster", "create", "c2")
    assert r.code == 0, r.err
    # the new cluster is not current: the default one still answers
    assert _names(mk("get", "no").out) == ["k8s-master", "k8s-worker-01", "k8s-worker-02", "k8s-worker-03"]
    assert mk("config", "use-context", "c2").out == 'Switched to context "c2".\n'
    assert mk("config", "current-context").out == "c2\n"
    assert _names(mk("get", "no").out) == ["c2-master", "c2-worker-01", "c2-worker-02", "c2-worker-03"]
    assert "192.168.2.10" in mk("get", "no", "-o", "wide").out
    # the Deployment lives in the default cluster only
    r = mk("get", "deploy", "web")
    assert r.code == 1 and r.err == 'Error from server (NotFound): deployments.apps "web" not found\n'
    assert mk("--context", "kubernetes-admin@kubernetes", "get", "deploy", "web").code == 0
    assert mk("create", "cm", "only-c2").code == 0
    assert mk("config", "use-context", "kubernetes-admin@kubernetes").code == 0
    assert mk("get", "cm", "only-c2").code == 1
    assert mk("--context=c2", "get", "cm", "only-c2").code == 0


def test_get_contexts_and_view_list_every_cluster(mk):
    mk("get", "no")
    assert mk("cluster", "create", "k8s-c2").code == 0
    r = mk("config", "get-contexts")
    assert table_check(r.out)[0] == 0
    rows = [line.split() for line in r.out.splitlines()]
    assert rows[0] == ["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"]
    assert ["k8s-c2", "k8s-c2", "k8s-c2-admin"] in rows
    assert ["*", "kubernetes-admin@kubernetes", "kubernetes", "kubernetes-admin"] in rows
    cfg = yaml.safe_load(mk("config", "view").out)
    assert {c["name"]: c["cluster"]["server"] for c in cfg["clusters"]} == {
        "k8s-c2": "https://192.168.2.10:6443", "kubernetes": "https://192.168.1.10:6443"}
    assert {u["name"] for u in cfg["users"]} == {"k8s-c2-admin", "kubernetes-admin"}
    mini = yaml.safe_load(mk("--context", "k8s-c2", "config", "view", "--minify").out)
    assert [c["name"] for c in mini["clusters"]] == ["k8s-c2"]


def test_ssh_reaches_every_clusters_nodes(mk):
    mk("get", "no")
    mk("cluster", "create", "c2")
    assert mk("ssh", "c2-worker-01", "--", "hostname").out == "c2-worker-01\n"
    assert mk("ssh", "k8s-master", "--", "hostname").out == "k8s-master\n"
    r = mk("ssh", "nowhere", "--", "hostname")
    assert r.code == 255 and "Could not resolve hostname nowhere" in r.err


def test_unknown_context_and_foreign_credentials(mk):
    mk("get", "no")
    mk("cluster", "create", "c2")
    r = mk("--context", "nope", "get", "po")
    assert r.code == 1 and r.err == "error: context was not found for specified context: nope\n"
    # c2's admin certificate means nothing to the default cluster's apiserver
    mk("config", "set-context", "mixed", "--cluster=kubernetes", "--user=c2-admin")
    r = mk("--context", "mixed", "get", "po")
    assert r.code == 1 and r.err == "error: You must be logged in to the server (Unauthorized)\n"


def test_delete_and_bad_names(mk):
    mk("get", "no")
    assert mk("cluster", "create", "c2").code == 0
    r = mk("cluster", "create", "c2")
    assert r.code == 1 and "already exists" in r.err
    assert mk("cluster", "create", "Bad_Name").code == 1
    assert mk("config", "use-context", "c2").code == 0
    assert mk("cluster", "delete", "c2").code == 0
    assert mk("config", "current-context").out == "kubernetes-admin@kubernetes\n"
    assert not (mk.home / "clusters" / "c2").exists()
    assert mk("get", "no").code == 0
