"""The everyday verbs with kubectl's flags: get, describe, delete, run, create -f, cluster."""
from __future__ import annotations

import re

import pytest

from conftest import SPEC, table_check


@pytest.fixture
def lab(mk):
    mk.apply_spec()
    return mk


def names(out: str) -> list[str]:
    return [l.split()[0] for l in out.splitlines()[1:] if l.strip()]


def test_short_names_and_aliases_agree(lab):
    outs = {a: lab("get", a).out for a in ("po", "pod", "pods", "Pod")}
    assert len(set(outs.values())) == 1
    assert lab("get", "deploy").out == lab("get", "deployments.apps").out == lab("get", "deployment").out
    assert lab("get", "svc").out == lab("get", "services").out


def test_get_all_lists_the_workload_kinds_in_order(lab):
    out = lab("get", "all").out
    assert table_check(out)[0] == 0
    heads = [g.splitlines()[1].split("/")[0] for g in out.strip().split("\n\n")]
    assert heads == ["pod", "service", "deployment.apps", "replicaset.apps", "statefulset.apps"]


def test_names_and_type_slash_name(lab):
    r = lab("get", "po", "busybox", "web-server-0")
    assert names(r.out) == ["busybox", "web-server-0"]
    r = lab("get", "po/busybox", "svc/headless-svc")
    assert [l.split()[0] for l in r.out.splitlines() if l and not l.startswith("NAME")] == ["pod/busybox", "service/headless-svc"]


def test_label_selectors(lab):
    assert len(names(lab("get", "po", "-l", "app in (web-server,headless-server)").out)) == 6
    assert "busybox" in names(lab("get", "po", "-l", "app notin (web-server)").out)
    assert names(lab("get", "po", "-l", "!app").out) == ["busybox"]
    assert names(lab("get", "po", "-l", "run").out) == ["busybox"]
    assert len(names(lab("get", "po", "-l", "app!=web-server").out)) == 7
    r = lab("get", "po", "-l", "app=nothing")
    assert (r.out, r.err) == ("", "No resources found in default namespace.\n")


def test_field_selectors(lab):
    node = lab("get", "po", "web-server-0", "-o", "jsonpath={.spec.nodeName}").out
    got = names(lab("get", "po", "--field-selector", f"spec.nodeName={node}").out)
    assert "web-server-0" in got and all(
        lab("get", "po", n, "-o", "jsonpath={.spec.nodeName}").out == node for n in got)
    assert names(lab("get", "po", "--field-selector", "metadata.name=busybox").out) == ["busybox"]
    assert len(names(lab("get", "po", "--field-selector", "status.phase=Running").out)) == 10
    r = lab("get", "po", "--field-selector", "spec.bogus=1")
    assert r.code == 1 and "field label not supported: spec.bogus" in r.err
    # each kind indexes its own fields: a Service's field is not a Pod's, and the message names
    # the resource with its group/version, as the apiserver's does
    r = lab("get", "po", "--field-selector", "spec.clusterIP=10.96.0.10")
    assert r.code == 1 and 'Unable to find "/v1, Resource=pods"' in r.err
    r = lab("get", "deploy", "--field-selector", "spec.replicas=1")
    assert r.code == 1 and 'Unable to find "apps/v1, Resource=deployments"' in r.err
    assert names(lab("get", "svc", "-n", "kube-system", "--field-selector", "spec.clusterIP=10.96.0.10").out) == ["kube-dns"]
    events = lab("get", "events", "-A", "--field-selector", "involvedObject.name=busybox").out.splitlines()[1:]
    assert events and all("pod/busybox " in e for e in events)


def test_namespaces_and_all_namespaces(lab):
    r = lab("get", "po", "-n", "kube-system")
    assert "coredns-" in r.out and "busybox" not in r.out
    r = lab("get", "po", "-A")
    assert r.out.startswith("NAMESPACE   ") and table_check(r.out)[0] == 0
    r = lab("get", "po", "-n", "kube-public")
    assert r.err == "No resources found in kube-public namespace.\n"
    r = lab("get", "nodes")
    assert names(r.out) == ["k8s-master", "k8s-worker-01", "k8s-worker-02", "k8s-worker-03"]
    assert re.search(r"k8s-master\s+Ready\s+control-plane\s+\S+\s+v1\.32\.0", r.out)


def test_output_variants(lab):
    assert lab("get", "svc", "-o", "name").out == ("service/headless-svc\nservice/headless-web-server-svc\n"
                                                   "service/kubernetes\nservice/web-server-svc\n")
    out = lab("get", "po", "busybox", "--show-labels").out
    assert out.splitlines()[0].endswith("LABELS") and out.splitlines()[1].endswith("run=busybox")
    out = lab("get", "po", "-L", "app", "-l", "app=web-server").out
    assert out.splitlines()[0].split()[-1] == "APP" and all(l.endswith("web-server") for l in out.splitlines()[1:])
    out = lab("get", "po", "--no-headers", "-l", "app=web-server").out
    assert len(out.splitlines()) == 3 and not out.startswith("NAME")
    out = lab("get", "po", "busybox", "--show-kind").out
    assert out.splitlines()[1].startswith("pod/busybox")
    r = lab("get", "po", "-o", "yaml", "--show-labels")
    assert r.code == 1 and r.err == "error: --show-labels option cannot be used with yaml printer\n"
    r = lab("get", "po", "-o", "bogus")
    assert r.code == 1 and r.err.startswith('error: unable to match a printer suitable for the output format "bogus"')
    y = lab("get", "po", "busybox", "-o", "yaml").out
    assert y.startswith("apiVersion: v1\nkind: Pod\nmetadata:\n") and "\nstatus:\n" in y
    y = lab("get", "po", "-o", "yaml").out
    assert y.startswith("apiVersion: v1\nitems:\n") and y.endswith("kind: List\nmetadata:\n  resourceVersion: \"\"\n")


def test_describe(lab):
    r = lab("describe", "svc", "web-server-svc")
    assert r.code == 0
    lines = r.out.splitlines()
    assert lines[0].startswith("Name:") and lines[0].endswith("web-server-svc")
    assert any(l.startswith("Endpoints:") and l.count(":80") == 3 for l in lines)
    assert lab("describe", "po", "busybox").out.startswith("Name:             busybox\nNamespace:        default\n")
    for kind, name in (("deploy", "web-server-pod"), ("sts", "web-server"), ("ep", "headless-svc"),
                       ("node", "k8s-worker-01"), ("rs", "")):
        r = lab("describe", kind, *([name] if name else []))
        assert r.code == 0 and r.out.startswith("Name:"), (kind, r.err)
    r = lab("describe", "po", "nope")
    assert (r.code, r.err) == (1, 'Error from server (NotFound): pods "nope" not found\n')
    events = lab("describe", "po", "web-server-0").out.split("Events:")[1]
    assert "Scheduled" in events and "Started" in events


def test_delete_variants(lab, tmp_path):
    assert lab("delete", "po", "busybox").out == 'pod "busybox" deleted\n'
    assert lab("delete", "-f", str(SPEC / "web-server.yaml")).out == \
        'deployment.apps "web-server-pod" deleted\nservice "web-server-svc" deleted\n'
    r = lab("delete", "svc", "-l", "app=headless-server")
    assert r.out == 'service "headless-svc" deleted\n'
    r = lab("delete", "svc", "-l", "app=nothing")
    assert r.out == "No resources found\n"
    r = lab("delete", "cm", "--all", "-n", "kube-public")
    assert r.out == 'configmap "kube-root-ca.crt" deleted\n'
    r = lab("delete", "po", "nope", "--ignore-not-found")
    assert (r.code, r.out, r.err) == (0, "", "")
    r = lab("delete", "po", "web-server-1", "--grace-period=0", "--force")
    assert r.out == 'pod "web-server-1" force deleted\n' and r.err.startswith("Warning: Immediate deletion")


def test_run(mk):
    r = mk("run", "nginx", "--image=nginx:1.25", "--port=80", "--labels=app=web,tier=fe", "--env=A=1")
    assert (r.code, r.out) == (0, "pod/nginx created\n")
    mk.advance(5)
    pod = mk("get", "po", "nginx", "-o", "yaml").out
    assert "app: web" in pod and "containerPort: 80" in pod and "name: A" in pod
    r = mk("run", "bb", "--image=busybox:1.28", "--restart=Never", "--", "sleep", "3600")
    assert r.out == "pod/bb created\n"
    spec = mk("get", "po", "bb", "-o", "jsonpath={.spec.containers[0].args}").out
    assert spec == '["sleep","3600"]'
    r = mk("run", "cmd", "--image=busybox", "--command", "--", "sleep", "10")
    assert mk("get", "po", "cmd", "-o", "jsonpath={.spec.containers[0].command}").out == '["sleep","10"]'
    assert mk("run", "x").err == "error: --image is required\n"
    assert mk("run", "--image=nginx").err.startswith("error: NAME is required for run")
    r = mk("run", "nginx", "--image=nginx")
    assert r.code == 1 and r.err == 'Error from server (AlreadyExists): pods "nginx" already exists\n'
    dry = mk("run", "d", "--image=nginx", "--dry-run=client", "-o", "yaml").out
    assert dry == ("apiVersion: v1\nkind: Pod\nmetadata:\n  creationTimestamp: null\n  labels:\n    run: d\n  name: d\n"
                   "spec:\n  containers:\n  - image: nginx\n    name: d\n    resources: {}\n  dnsPolicy: ClusterFirst\n"
                   "  restartPolicy: Always\nstatus: {}\n")


def test_run_rm_attached_prints_and_cleans_up(mk):
    mk("get", "ns")
    r = mk("run", "tmp", "--rm", "-i", "--image=busybox:1.28", "--restart=Never", "--", "nslookup", "kubernetes")
    assert r.code == 0, r.err
    assert "Name:      kubernetes\nAddress 1: 10.96.0.1 kubernetes.default.svc.cluster.local\n" in r.out
    assert r.out.endswith('pod "tmp" deleted\n')
    assert mk("get", "po", "tmp").code == 1


def test_cluster_verbs(mk):
    assert mk("cluster", "info").out.startswith("Kubernetes control plane is running at https://192.168.1.10:6443\n")
    r = mk("cluster", "init")
    assert r.code == 1 and "already exists" in r.err
    mk("run", "x", "--image=nginx")
    assert mk("cluster", "reset").code == 0
    assert mk("get", "po", "x").code == 1
    r = mk("cluster", "reset", "--profile", "nope")
    assert r.code == 1 and 'unknown cluster profile "nope"' in r.err


def test_exec_rules(lab):
    r = lab("exec", "busybox", "--", "hostname")
    assert (r.code, r.out) == (0, "busybox\n")
    r = lab("exec", "busybox", "--", "sh", "-c", "exit 3")
    assert (r.code, r.err) == (3, "command terminated with exit code 3\n")
    r = lab("exec", "nope", "--", "ls")
    assert (r.code, r.err) == (1, 'Error from server (NotFound): pods "nope" not found\n')
    r = lab("exec", "web-server-0", "--", "nslookup", "x")
    assert r.code == 1 and 'exec: "nslookup": executable file not found in $PATH: unknown' in r.err
    lab.advance(3600)
    r = lab("exec", "busybox", "--", "ls")
    assert r.err == "error: cannot exec into a container in a completed pod; current phase is Succeeded\n"


def test_dns_explain_names_the_objects_behind_each_record(lab):
    r = lab("dns", "explain", "web-server-0.headless-web-server-svc", "--from", "busybox")
    assert r.code == 0, r.err
    ip = lab("get", "po", "web-server-0", "-o", "jsonpath={.status.podIP}").out
    lines = r.out.splitlines()
    assert lines[0] == "Resolving web-server-0.headless-web-server-svc (A) from pod default/busybox"
    assert "1 dot(s) < ndots 5" in r.out
    assert re.search(r"1\. web-server-0\.headless-web-server-svc\.default\.svc\.cluster\.local\. A -> NOERROR", r.out)
    assert ip in r.out and "web-server-0" in r.out
    r = lab("dns", "explain", "headless-svc", "--from", "nope")
    assert (r.code, r.err) == (1, 'Error from server (NotFound): pods "nope" not found\n')


def test_namespace_flag_may_come_before_the_verb(lab):
    assert lab("-n", "kube-system", "get", "po").out == lab("get", "po", "-n", "kube-system").out
    assert lab("--namespace=kube-system", "get", "cm", "coredns", "-o", "name").out == "configmap/coredns\n"
    r = lab("-n", "kube-system", "exec", "nope", "--", "ls")
    assert r.err == 'Error from server (NotFound): pods "nope" not found\n'
