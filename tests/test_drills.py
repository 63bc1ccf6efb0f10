"""Drills: well-formed files, progress across drills and processes, partial credit with reasons,
the check vocabulary (the proving tests are tests/test_drill_proofs.py)."""
from __future__ import annotations

import pytest

from conftest import table_check
from minikctl.labs import drill_checks, drills, drill_steps

ALL = drills.names()
TICK, CROSS = "\u2714", "\u2718"


def _apply_solution(mk, drill) -> None:
    from minikctl.env import Env
    values = drill_steps.values_of(Env(home=mk.home))
    for step in drill.solution:
        argv, stdin = drill_steps.step_argv(step, drill.path, values)
        r = mk(*argv, stdin=stdin)
        assert r.code == 0, (drill_steps.step_text(step, drill.path), r.err)


def test_at_least_120_drills_in_the_exam_proportions():
    """Issue 17's bar: 120 drills, each domain within 5 points of its share of the exam."""
    ds = drills.list_drills()
    assert len(ds) >= 120
    for dom, (share, _zh) in drills.DOMAINS.items():
        got = 100 * sum(1 for d in ds if d.domain == dom) / len(ds)
        assert abs(got - share) <= 5, (dom, round(got, 1), share)


def test_every_drill_well_formed():
    for name in ALL:
        d = drills.load_drill(name)
        assert d.task.get("en") and d.checks and d.solution, name
        for c in d.checks:
            drill_checks.kind_of(c)   # exactly one kind key
            assert c.get("name"), name


def test_progress_survives_other_drills_and_a_new_process(mk, tmp_path):
    from conftest import cli
    assert mk("drill", "start", "svc-externalname").code == 0
    assert mk("drill", "check").code == 1
    _apply_solution(mk, drills.load_drill("svc-externalname"))
    assert mk("drill", "check").code == 0
    assert mk("drill", "start", "kube-proxy-mode").code == 0      # resets the cluster...
    assert mk("get", "svc", "db", "-n", "apps").code == 1            # ...the learner's objects are gone
    r = cli("drill", "list", home=mk.home)                           # ...but not the record, in a new process
    assert r.code == 0, r.err
    assert table_check(r.out)[0] == 0, r.out
    ext = next(l for l in r.out.splitlines() if " svc-externalname " in l)
    assert "2" in ext.split() and "100%" in ext.split() and TICK in ext, ext
    cur = next(l for l in r.out.splitlines() if " kube-proxy-mode " in l)
    assert cur.startswith("*"), cur


def test_partial_credit_and_reasons(mk):
    mk("drill", "start", "kube-proxy-mode")
    mk("apply", "-f", "-", stdin="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: proxy-info, namespace: default}\n"
                                  "data: {mode: ipvs}\n")
    r = mk("drill", "check")
    assert r.code == 1
    assert f"{TICK} ConfigMap proxy-info exists in default (1/1)" in r.out
    assert f"{CROSS} its key mode holds kube-proxy's actual mode (0/2)" in r.out
    assert "data.mode is 'ipvs', expected 'iptables'" in r.out       # the default profile's mode
    assert "Score: 1/3 (33%)" in r.out


def test_check_vocabulary_reads_state_not_text():
    from minikctl.sim.view import StaticView
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a", "namespace": "x"},
           "spec": {"ports": [{"name": "http", "port": 80, "targetPort": "80"}]}}
    v = StaticView([svc])
    ok = drill_checks.evaluate(v, {"name": "n", "object": {"kind": "Service", "namespace": "x", "name": "a"},
                                   "fields": {"spec.ports[name=http].port": 80}})
    assert ok.passed
    # a string "80" is a port NAME, not the number 80
    bad = drill_checks.evaluate(v, {"name": "n", "object": {"kind": "Service", "namespace": "x", "name": "a"},
                                    "fields": {"spec.ports[0].targetPort": 80}})
    assert not bad.passed and "expected 80" in bad.detail
    none = drill_checks.evaluate(v, {"name": "n", "object": {"kind": "Service", "namespace": "x", "name": "a"},
                                     "fields": {"spec.selector": None}})
    assert none.passed
    with pytest.raises(ValueError):
        drill_checks.kind_of({"name": "two kinds", "object": {}, "dns": {}})


def test_node_checks_read_the_nodes_files_and_components(mk):
    """The node check reads what is on the node: an etcd snapshot's bytes (etcdutl's checksum), the
    etcd data directory the manifest makes it serve, a control-plane component's state, the
    kubelet's flags, a command's status in the node's shell. Never what was typed."""
    from minikctl.env import Env
    from minikctl.sim.cluster import open_cluster

    def check(spec):
        with open_cluster(Env(home=mk.home), direct=True) as cluster:
            return drill_checks.evaluate(cluster, {"name": "n", "node": spec})

    pki = "/etc/kubernetes/pki/etcd"
    snap = {"path": "/opt/s.db", "snapshot": {"keys": ["/registry/deployments/default/web"]}}
    assert "not found on k8s-master" in check(snap).detail
    assert mk("create", "deployment", "web", "--image=nginx").code == 0
    r = mk("ssh", "k8s-master", "--", f"etcdctl --cacert={pki}/ca.crt --cert={pki}/server.crt "
                                       f"--key={pki}/server.key snapshot save /opt/s.db")
    assert r.code == 0, r.err
    assert check(snap).passed
    assert "holds no /registry/configmaps/default/x" in check(
        {"path": "/opt/s.db", "snapshot": {"keys": ["/registry/configmaps/default/x"]}}).detail
    mk("ssh", "k8s-master", "--", "sed -i 's/default/defaulx/' /opt/s.db")       # a damaged file
    assert "expected sha256 [" in check(snap).detail
    # the data directory etcd serves follows its manifest, not a file merely restored
    mk("ssh", "k8s-master", "--", f"etcdctl --cacert={pki}/ca.crt --cert={pki}/server.crt "
                                  f"--key={pki}/server.key snapshot save /opt/t.db")
    mk("ssh", "k8s-master", "--", "etcdutl snapshot restore /opt/t.db --data-dir /var/lib/etcd-new")
    assert check({"data_dir": "/var/lib/etcd-new"}).detail == "etcd serves /var/lib/etcd, expected /var/lib/etcd-new"
    mk("ssh", "k8s-master", "--", "sed -i 's#path: /var/lib/etcd#path: /var/lib/etcd-new#' "
                                  "/etc/kubernetes/manifests/etcd.yaml")
    assert check({"data_dir": "/var/lib/etcd-new"}).passed
    # a component taken down by its manifest; the kubelet's flags as systemd starts it
    assert check({"component": "kube-scheduler"}).passed
    mk("ssh", "k8s-master", "--", "sed -i 's/--kubeconfig=/--kubeconfg=/' /etc/kubernetes/manifests/kube-scheduler.yaml")
    r = check({"component": "kube-scheduler"})
    assert not r.passed and "unknown flag: --kubeconfg" in r.detail
    assert check({"component": "kube-scheduler", "up": False}).passed
    w = {"name": "k8s-worker-01"}
    assert check({**w, "kubelet_flags": {"config": "/var/lib/kubelet/config.yaml"}}).passed
    assert check({**w, "command": "systemctl is-active kubelet"}).passed
    mk("ssh", "k8s-worker-01", "--", "systemctl stop kubelet")
    assert check({**w, "command": "systemctl is-active kubelet"}).detail == \
        "'systemctl is-active kubelet' on k8s-worker-01 exited 3, expected 0"
    assert check({"name": "k8s-nope", "command": "true"}).detail == "no node k8s-nope"


def test_malformed_proof_and_write_steps_name_the_file_and_field(mk, tmp_path, monkeypatch):
    import textwrap

    from minikctl.api.errors import CliError
    from minikctl.labs import drill_proof
    root = tmp_path / "drills"
    d = root / "bad"
    d.mkdir(parents=True)
    monkeypatch.setenv("MINIKCTL_DRILLS", str(root))
    f = d / "drill.yaml"
    f.write_text(textwrap.dedent("""\
        title: t
        domain: Storage
        task: do it
        checks:
          - {name: one, object: {kind: Namespace, name: x}}
        solution:
          - {write: ../../etc/passwd, text: x}
        """))
    r = mk("drill", "start", "bad")
    assert r.code == 1 and str(f) in r.err and "field 'solution[0]': write is a path inside the drill's files" in r.err
    f.write_text(f.read_text().replace("{write: ../../etc/passwd, text: x}", "{run: kubectl create ns x}"))
    p = d / "proof.yaml"
    p.write_text("alternatives:\n  - name: no steps\nmistakes: []\n")
    with pytest.raises(CliError) as e:
        drill_proof.load_proof(drills.load_drill("bad"))
    assert str(p) in str(e.value) and "alternatives[0] needs a name and a list of steps" in str(e.value)
    p.write_text("alternatives:\n  - name: a\n    steps: [{run: minikctl shell}]\n")
    with pytest.raises(CliError) as e:
        drill_proof.load_proof(drills.load_drill("bad"))
    assert str(p) in str(e.value) and "alternatives[0].steps[0]: `shell` waits at a prompt" in str(e.value)
