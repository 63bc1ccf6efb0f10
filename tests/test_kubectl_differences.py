"""Outputs that once differed from the real kubectl (issue 18, item 13), each now run through both:
the machine's kubectl pointed at `minikctl serve` and minikctl's own CLI on the same cluster at
the same instant (tests/test_serve_kubectl.py's Served), or kubectl alone where it needs no server.
"""
from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.conftest import GO_SPEED
from tests.test_serve_kubectl import KUBECTL, Served

pytestmark = pytest.mark.skipif(KUBECTL is None, reason="no kubectl installed on this machine: no oracle")


@pytest.fixture(scope="module")
def rolled(tmp_path_factory):
    """A Deployment rolled out twice and scaled, a Service without selector (so no Endpoints), a
    pod in CrashLoopBackOff."""
    s = Served(tmp_path_factory.mktemp("diff"))
    m = s.mk
    assert m("create", "deploy", "web", "--image=nginx", "--replicas=3").code == 0
    m.advance(10)
    assert m("set", "image", "deploy/web", "nginx=nginx:1.25").code == 0
    m.advance(20)
    assert m("scale", "deploy", "web", "--replicas=4").code == 0
    m.advance(3)
    assert m("apply", "-f", "-", stdin="apiVersion: v1\nkind: Service\nmetadata:\n  name: nosel\n  labels: {z: '1'}\n"
                                        "spec:\n  ports: [{port: 80}]\n").code == 0
    assert m("run", "crash", "--image=busybox", "--", "sh", "-c", "echo hello from the last run; exit 1").code == 0
    m.advance(60)
    yield s
    s.close()


def both(s: Served, *args: str):
    k = s.kubectl(*args)
    r = s.mk(*args)
    return (k.returncode, k.stdout, k.stderr), (r.code, r.out, r.err)


@pytest.mark.parametrize("args", [
    ("get", "all", "-l", "z=1"),              # one kind found, `all` asked: kubectl still says service/nosel
    ("get", "svc,ep", "-l", "z=1"),           # the second kind empty: the prefix stays
    ("get", "svc,ep", "-l", "z=1", "--no-headers"),
    ("get", "svc/nosel", "svc/kubernetes"),   # one type: no prefix
    ("get", "svc/nosel", "ep/kubernetes"),
    ("get", "svc,svc"),                       # the same type twice is one type
])
def test_kind_prefix_follows_the_types_asked_for(rolled, args):
    k, m = both(rolled, *args)
    assert k == m


@pytest.mark.parametrize("field", [".lastTimestamp", ".metadata.creationTimestamp", ".reason", ".type"])
def test_event_sort_ties_come_out_in_kubectls_order(rolled, field):
    k, m = both(rolled, "get", "events", f"--sort-by={field}")
    assert k[0] == 0 and k == m
    assert len(k[1].splitlines()) > 40  # many rows with equal keys: the tie order is exercised


def test_pod_sort_by_node_ties(rolled):
    k, m = both(rolled, "get", "po", "-A", "--sort-by=.spec.nodeName")
    assert k == m


def test_rollout_history_revision_is_kubectls_print_template(rolled):
    k, m = both(rolled, "rollout", "history", "deploy/web", "--revision=2")
    assert k[0] == 0 and k == m
    assert "\tpod-template-hash=" in m[1] and "Image:\tnginx:1.25\n" in m[1]


def block(text: str, title: str) -> str:
    """One top-level section of describe output (ages elsewhere follow each tool's own clock:
    kubectl's is the wall clock, the tests' cluster runs on a virtual one)."""
    return re.split(r"\n(?=\S)", text.split(f"\n{title}:\n", 1)[1], maxsplit=1)[0]


def test_describe_node_conditions_carry_times(rolled):
    k, m = both(rolled, "describe", "node", "k8s-worker-01")
    assert k[0] == m[0] == 0
    assert block(k[1], "Conditions") == block(m[1], "Conditions")
    assert "0001" not in block(m[1], "Conditions")
    created = rolled.mk("get", "node", "k8s-worker-01", "-o", "jsonpath={.metadata.creationTimestamp}").out
    beats = rolled.mk("get", "node", "k8s-worker-01", "-o",
                      "jsonpath={range .status.conditions[*]}{.lastHeartbeatTime} {.lastTransitionTime} {end}").out
    assert set(beats.split()) == {created}  # reported when the kubelet registered the node


def test_scaling_event_said_once_per_scale(rolled):
    """The deployment controller creates a new ReplicaSet at its first size and records that once;
    no event of a rollout is an aggregate (x2) of itself."""
    out = rolled.mk("get", "events", "--field-selector", "reason=ScalingReplicaSet", "-o",
                    "jsonpath={range .items[*]}{.count} {.message}{'\\n'}{end}").out
    lines = out.splitlines()
    assert any(re.fullmatch(r"1 Scaled up replica set web-\w+ from 0 to 3", l) for l in lines), lines
    assert all(l.startswith("1 ") for l in lines), lines
    k, m = both(rolled, "describe", "deploy", "web")

    def rows(text):  # the events table without its Age column
        return [(lambda c: c[:2] + c[3:])(re.split(r"\s{2,}", l.strip()))
                for l in text.split("\nEvents:\n", 1)[1].splitlines()[2:]]
    assert rows(k[1]) == rows(m[1]) and len(rows(m[1])) == 8
    assert "(x2 over" not in m[1]


@pytest.mark.parametrize("args", [("scale", "deploy", "nope", "--replicas=2"),
                                  ("scale", "deploy/nope", "--replicas=2"),
                                  ("scale", "deploy", "nope", "web2", "--replicas=2")])
def test_scale_of_a_missing_object(rolled, args):
    k, m = both(rolled, *args)
    assert k == m and k[0] == 1


def test_logs_of_a_crashlooping_pod_print_the_last_run(rolled):
    st = rolled.mk("get", "po", "crash", "-o", "jsonpath={.status.containerStatuses[0].state.waiting.reason}").out
    assert st == "CrashLoopBackOff"
    k, m = both(rolled, "logs", "crash")
    assert k == m == (0, "hello from the last run\n", "")
    k, m = both(rolled, "logs", "crash", "--previous")
    assert k == m == (0, "hello from the last run\n", "")


@pytest.mark.parametrize("typed", ["gte", "delet", "conf", "lgos", "aply", "describ", "scael", "rollot", "xyzzy",
                                   "de", "ap", "e", "a", "c", "hel", "alph", "opt"])
def test_did_you_mean_follows_cobra(typed):
    """minikctl's suggestion rule over kubectl's own command list gives kubectl's text."""
    from minikctl.cli.suggest import KUBECTL_ORDER, unknown_command
    k = subprocess.run([KUBECTL, typed], capture_output=True, text=True,
                       env={**GO_SPEED, "PATH": os.environ.get("PATH", "/usr/bin"), "HOME": "/nonexistent"})
    assert k.returncode == 1
    assert unknown_command(typed, "kubectl", KUBECTL_ORDER) == k.stderr


@pytest.mark.parametrize("typed", ["gte", "delet", "conf", "lgos", "aply", "describ", "xyzzy"])
def test_mistyped_verb_in_minikctl(mk, typed):
    """Where kubectl's suggestions are verbs minikctl has, minikctl says the same (its own name)."""
    k = subprocess.run([KUBECTL, typed], capture_output=True, text=True,
                       env={**GO_SPEED, "PATH": os.environ.get("PATH", "/usr/bin"), "HOME": "/nonexistent"})
    r = mk(typed)
    assert (r.code, r.out, r.err) == (1, "", k.stderr.replace('for "kubectl"', 'for "minikctl"'))


def test_apply_from_a_pipe_path(mk):
    """`apply -f <(...)`: bash hands over /dev/fd/N, a pipe, which kubectl reads as a file."""
    r, w = os.pipe()
    os.write(w, b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: piped\ndata:\n  a: b\n")
    os.close(w)
    try:
        res = mk("apply", "-f", f"/dev/fd/{r}")
    finally:
        os.close(r)
    assert (res.code, res.out, res.err) == (0, "configmap/piped created\n", "")
    assert mk("get", "cm", "piped", "-o", "jsonpath={.data.a}").out == "b"


def test_process_substitution_through_bash(tmp_path):
    from tests.conftest import cli
    line = ("python3 -m minikctl apply -f <(printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: ps\\n')")
    env = dict(os.environ, MINIKCTL_HOME=str(tmp_path / "s"), NO_COLOR="1")
    from tests.conftest import ROOT
    p = subprocess.run(["bash", "-c", line.replace("python3", __import__("sys").executable)], capture_output=True,
                       text=True, env=env, cwd=str(ROOT), timeout=60)
    assert (p.returncode, p.stdout) == (0, "configmap/ps created\n"), p.stderr
    assert cli("get", "cm", "ps", "-o", "name", home=tmp_path / "s").out == "configmap/ps\n"


def test_cluster_info_and_config_name_the_clusters_apiserver(rolled):
    """Both from the profile's control plane (the address the `kubernetes` Endpoints carry), and
    cluster-info is laid out as kubectl lays out the same facts."""
    m = rolled.mk
    ep = m("get", "ep", "kubernetes", "-o", "jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}").out
    server = f"https://{ep}"
    info = m("cluster-info")
    assert info.code == 0
    assert info.out.startswith(f"Kubernetes control plane is running at {server}\n")
    assert m("config", "view", "-o", "jsonpath={.clusters[0].cluster.server}").out == server
    k = rolled.kubectl("cluster-info")
    kserver = f"https://127.0.0.1:{rolled.port}"
    assert k.stdout.replace(kserver, server) == info.out


def test_apiserver_url_follows_the_profile():
    from minikctl.sim.profile import apiserver_url, load_profile
    p = load_profile("default")
    p["nodes"] = [{"name": "w", "internalIP": "10.0.0.9"}, {"name": "cp", "internalIP": "10.0.0.2",
                                                            "roles": ["control-plane"]}]
    assert apiserver_url(p) == "https://10.0.0.2:6443"
    p["apiServerPort"] = 8443
    assert apiserver_url(p) == "https://10.0.0.2:8443"
