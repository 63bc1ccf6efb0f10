"""taint / cordon / uncordon / drain / version: kubectl v1.32's texts (cmd/taint, cmd/drain,
pkg/drain/filters.go) and the cluster's behaviour behind them (scheduling, eviction, NoExecute)."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

W1 = "k8s-worker-01"


def _pods(mk, *args):
    r = mk("get", "po", *args, "-o", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)["items"]


def _node(mk, name=W1):
    return json.loads(mk("get", "node", name, "-o", "json").out)


def _on(mk, node, ns_args=("-A",)):
    return [p for p in _pods(mk, *ns_args) if p["spec"].get("nodeName") == node]


# --- taint -----------------------------------------------------------------------------------


def test_taint_add_overwrite_remove_messages(mk):
    assert mk("taint", "nodes", W1, "dedicated=special:NoSchedule").out == f"node/{W1} tainted\n"
    t = _node(mk)["spec"]["taints"]
    assert t == [{"effect": "NoSchedule", "key": "dedicated", "value": "special"}]
    r = mk("taint", "nodes", W1, "dedicated=other:NoSchedule")
    assert r.code == 1
    assert r.err == (f"error: node {W1} already has dedicated taint(s) with same effect(s) and --overwrite is false\n")
    r = mk("taint", "nodes", W1, "dedicated=other:NoSchedule", "--overwrite")
    assert r.out == f"node/{W1} modified\n"
    assert _node(mk)["spec"]["taints"][0]["value"] == "other"
    assert mk("taint", "nodes", W1, "dedicated:NoSchedule-").out == f"node/{W1} untainted\n"
    assert "taints" not in _node(mk)["spec"]
    r = mk("taint", "nodes", W1, "dedicated-")
    assert (r.code, r.err) == (1, 'error: taint "dedicated" not found\n')


def test_taint_parse_errors(mk):
    r = mk("taint", "nodes", W1, "dedicated=x:Foo")
    assert r.code == 1
    assert r.err == ("error: invalid taint effect: Foo, unsupported taint effect\n"
                     "See 'kubectl taint -h' for help and examples\n")
    assert mk("taint", "nodes", W1).err == "error: at least one taint update is required\n"
    assert mk("taint", "nodes", "a=b:NoSchedule").err == \
        "error: at least one resource name must be specified since 'all' parameter is not set\n"
    assert mk("taint", "pods", "x", "a=b:NoSchedule").err == \
        "error: invalid resource type pods, only node types are supported\n"
    assert "can not both modify and remove the following taint(s) in the same command: " \
           '{"a":"NoSchedule"}' in mk("taint", "no", W1, "a=b:NoSchedule", "a:NoSchedule-").err
    assert mk("taint", "no", "nope", "a=b:NoSchedule").err == 'Error from server (NotFound): nodes "nope" not found\n'


def test_taint_all_and_selector(mk):
    r = mk("taint", "nodes", "--all", "maint=yes:PreferNoSchedule")
    assert r.out.splitlines() == [f"node/{n} tainted" for n in ("k8s-master", W1, "k8s-worker-02", "k8s-worker-03")]
    mk("label", "node", "k8s-worker-02", "pool=blue")
    r = mk("taint", "nodes", "-l", "pool=blue", "maint-")
    assert r.out == "node/k8s-worker-02 untainted\n"
    assert mk("taint", "nodes", "-l", "pool=blue", "--all", "x=y:NoSchedule").err == \
        "error: setting 'all' parameter with a non empty selector is prohibited\n"


def test_noschedule_taint_keeps_new_pods_off(mk):
    for n in (W1, "k8s-worker-02"):
        mk("taint", "nodes", n, "dedicated=db:NoSchedule")
    mk("create", "deployment", "web", "--image=nginx", "--replicas=4")
    mk.advance(10)
    assert {p["spec"]["nodeName"] for p in _pods(mk, "-l", "app=web")} == {"k8s-worker-03"}


def test_noexecute_evicts_untolerating_pods_and_honours_toleration_seconds(mk):
    mk("create", "deployment", "web", "--image=nginx", "--replicas=6")
    mk("run", "tol", "--image=nginx", "--overrides", json.dumps({"spec": {"nodeName": W1, "tolerations": [
        {"key": "gpu", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60}]}}))
    mk.advance(10)
    assert any(p["spec"]["nodeName"] == W1 for p in _pods(mk, "-l", "app=web"))
    assert mk("taint", "nodes", W1, "gpu=yes:NoExecute").out == f"node/{W1} tainted\n"
    assert "timeAdded" in _node(mk)["spec"]["taints"][0]
    mk.advance(40)
    web = [p for p in _pods(mk, "-l", "app=web")]
    assert len(web) == 6 and all(p["spec"]["nodeName"] != W1 for p in web)
    assert mk("get", "po", "tol").code == 0  # tolerated for 60 s
    ev = mk("get", "events", "--field-selector", "reason=TaintManagerEviction").out
    assert "Marking for deletion Pod default/web-" in ev
    mk.advance(60)
    assert mk("get", "po", "tol").code == 1
    # kube-proxy tolerates everything and stays on the node
    assert any(p["metadata"]["name"].startswith("kube-proxy") for p in _on(mk, W1))


# --- cordon / uncordon -----------------------------------------------------------------------


def test_cordon_uncordon(mk, ):
    from tests.conftest import table_check
    assert mk("cordon", W1).out == f"node/{W1} cordoned\n"
    assert mk("cordon", W1).out == f"node/{W1} already cordoned\n"
    out = mk("get", "nodes").out
    assert table_check(out)[0] == 0
    row = next(l for l in out.splitlines() if l.startswith(W1))
    assert row.split()[1] == "Ready,SchedulingDisabled"
    node = _node(mk)
    assert node["spec"]["unschedulable"] is True
    assert {"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable"}.items() <= node["spec"]["taints"][0].items()
    mk("create", "deployment", "web", "--image=nginx", "--replicas=6")
    mk.advance(10)
    assert W1 not in {p["spec"]["nodeName"] for p in _pods(mk, "-l", "app=web")}
    assert mk("uncordon", W1).out == f"node/{W1} uncordoned\n"
    assert mk("uncordon", W1).out == f"node/{W1} already uncordoned\n"
    assert "unschedulable" not in _node(mk)["spec"] and "taints" not in _node(mk)["spec"]
    mk("scale", "deployment", "web", "--replicas=9")
    mk.advance(10)
    assert W1 in {p["spec"]["nodeName"] for p in _pods(mk, "-l", "app=web")}


def test_cordon_usage_and_not_found(mk):
    assert mk("cordon").err == "error: USAGE: cordon NODE [flags]\nSee 'kubectl cordon -h' for help and examples\n"
    assert mk("uncordon", "nope").err == 'Error from server (NotFound): nodes "nope" not found\n'
    assert mk("cordon", W1, "--dry-run=client").out == f"node/{W1} cordoned (dry run)\n"
    assert not _node(mk)["spec"].get("unschedulable")


# --- drain -----------------------------------------------------------------------------------


def test_drain_refuses_daemonset_pods_without_flag(mk):
    mk.advance(5)
    proxy = next(p["metadata"]["name"] for p in _on(mk, W1) if p["metadata"]["name"].startswith("kube-proxy"))
    r = mk("drain", W1)
    assert r.code == 1
    assert r.out == f"node/{W1} cordoned\n"
    msg = f"cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/{proxy}"
    assert r.err == (f'error: unable to drain node "{W1}" due to error: {msg}, continuing command...\n'
                     f"There are pending nodes to be drained:\n {W1}\n{msg}\n")


def test_drain_moves_pods_and_waits_until_they_are_gone(mk):
    mk("create", "deployment", "web", "--image=nginx", "--replicas=6")
    mk.advance(10)
    before = [p for p in _pods(mk, "-l", "app=web") if p["spec"]["nodeName"] == W1]
    assert before
    proxy = next(p["metadata"]["name"] for p in _on(mk, W1) if p["metadata"]["name"].startswith("kube-proxy"))
    r = mk("drain", W1, "--ignore-daemonsets")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == f"node/{W1} cordoned" and lines[-1] == f"node/{W1} drained"
    evicting = [l for l in lines if l.startswith("evicting pod ")]
    evicted = [l for l in lines if l.endswith(" evicted")]
    on_node = {f"default/{p['metadata']['name']}" for p in before}
    assert on_node <= {l.split()[-1] for l in evicting}
    assert {f"pod/{p['metadata']['name']} evicted" for p in before} <= set(evicted)
    assert len(evicting) == len(evicted)
    assert r.err == f"Warning: ignoring DaemonSet-managed Pods: kube-system/{proxy}\n"
    # drain returned after the pods were gone: nothing but the DaemonSet pod is left on the node
    assert [p["metadata"]["name"] for p in _on(mk, W1)] == [proxy]
    mk.advance(10)
    web = _pods(mk, "-l", "app=web")
    assert len(web) == 6 and all(p["spec"]["nodeName"] != W1 for p in web)
    assert all(p["status"]["phase"] == "Running" for p in web)


def test_drain_bare_pod_needs_force(mk):
    mk("run", "bare", "--image=nginx", "--overrides", json.dumps({"spec": {"nodeName": W1}}))
    mk.advance(5)
    r = mk("drain", W1, "--ignore-daemonsets")
    assert r.code == 1
    # kubectl's drain/filters.go prefixes unmanagedFatal, which already starts "cannot delete"
    msg = "cannot delete cannot delete Pods that declare no controller (use --force to override): default/bare"
    assert f"due to error: {msg}, continuing command..." in r.err
    assert r.err.endswith(f"{msg}\n")
    assert mk("get", "po", "bare").code == 0
    r = mk("drain", W1, "--ignore-daemonsets", "--force")
    assert r.code == 0
    assert "Warning: deleting Pods that declare no controller: default/bare" in r.err
    assert "evicting pod default/bare\npod/bare evicted\n" in r.out or "pod/bare evicted" in r.out
    assert mk("get", "po", "bare").code == 1


def test_drain_emptydir_needs_flag(mk):
    mk("apply", "-f", "-", stdin=json.dumps({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "cache"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "cache"}}, "template": {
            "metadata": {"labels": {"app": "cache"}},
            "spec": {"volumes": [{"name": "tmp", "emptyDir": {}}],
                     "containers": [{"name": "c", "image": "nginx"}]}}}}))
    mk.advance(10)
    assert any(p["spec"]["nodeName"] == W1 for p in _pods(mk, "-l", "app=cache"))
    r = mk("drain", W1, "--ignore-daemonsets")
    assert "cannot delete Pods with local storage (use --delete-emptydir-data to override): default/cache-" in r.err
    assert mk("drain", W1, "--ignore-daemonsets", "--delete-emptydir-data").code == 0


def test_drain_timeout_with_a_slow_pod(mk):
    mk("create", "deployment", "sleeper", "--image=busybox", "--replicas=3", "--", "sleep", "3600")
    mk.advance(10)
    r = mk("drain", W1, "--ignore-daemonsets", "--timeout=5s")
    assert r.code == 1
    assert "global timeout reached: 5s" in r.err
    assert f'There are pending pods in node "{W1}" when an error occurred' not in r.err or "pod/sleeper-" in r.err
    assert "There are pending nodes to be drained:\n" in r.err


def test_drain_pod_selector_and_dry_run(mk):
    mk("create", "deployment", "web", "--image=nginx", "--replicas=6")
    mk.advance(10)
    r = mk("drain", W1, "--ignore-daemonsets", "--dry-run=client")
    assert r.out.startswith(f"node/{W1} cordoned (dry run)\n")
    assert "(dry run)\n" in r.out and f"node/{W1} drained (dry run)\n" in r.out
    assert not _node(mk)["spec"].get("unschedulable")
    r = mk("drain", W1, "--pod-selector", "app=web")
    assert r.code == 0, r.err  # kube-proxy is not selected, so no DaemonSet error
    assert all("default/web-" in l for l in r.out.splitlines() if l.startswith("evicting"))


# --- version ---------------------------------------------------------------------------------


def test_version_texts(mk):
    r = mk("version")
    assert r.out.splitlines() == ["Client Version: v1.32.4", "Kustomize Version: v5.5.0", "Server Version: v1.32.0"]
    assert mk("version", "--client").out.splitlines() == ["Client Version: v1.32.4", "Kustomize Version: v5.5.0"]
    doc = json.loads(mk("version", "-o", "json").out)
    assert doc["serverVersion"]["gitVersion"] == "v1.32.0" and doc["kustomizeVersion"] == "v5.5.0"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="no kubectl")
def test_version_layout_matches_real_kubectl(mk):
    """Same keys in the same places as the installed kubectl's `version --client -o yaml|json`."""
    import re
    for fmt in ("yaml", "json"):
        real = subprocess.run(["kubectl", "version", "--client", "-o", fmt], capture_output=True, text=True).stdout
        ours = mk("version", "--client", "-o", fmt).out
        shape = lambda t: [re.sub(r'(:\s*).*$', r"\1", l) for l in t.splitlines()]
        assert shape(ours) == shape(real)
