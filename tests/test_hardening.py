"""Hardening (issue 18): what the apiserver refuses is refused, what it accepts never wedges the
cluster, and a failing controller reports and goes on."""
from __future__ import annotations

import pytest

NAME_ONLY_EVENT = "apiVersion: v1\nkind: Event\nmetadata:\n  name: e1\n"


def test_name_only_event_is_accepted_as_the_apiserver_does_and_never_wedges(mk):
    # legacyValidateEvent accepts an Event naming nothing in the default namespace; it is stored
    # with the struct's zero fields.
    r = mk("apply", "-f", "-", stdin=NAME_ONLY_EVENT)
    assert r.code == 0 and r.out == "event/e1 created\n", r.err
    r = mk("get", "ev", "e1", "-o", "jsonpath={.involvedObject}|{.source}|{.reportingComponent}")
    assert r.out == "{}|{}|"
    # A pod whose image cannot be pulled: the kubelet's repeating events aggregate with stored
    # events (the path that died on `KeyError: 'involvedObject'`).
    assert mk("run", "p", "--image=nginx:does-not-exist").code == 0
    for _ in range(6):
        mk.advance(20)
        r = mk("get", "po", "-A")
        assert r.code == 0 and "Traceback" not in r.err and r.err == "", r.err
    r = mk("describe", "po", "p")
    assert r.code == 0 and "BackOff" in r.out, r.err
    r = mk("get", "events")
    assert r.code == 0 and r.err == ""
    assert mk("delete", "ev", "e1").code == 0
    assert mk("delete", "po", "p").code == 0


@pytest.mark.parametrize("doc,message", [
    ("metadata:\n  name: e2\n  namespace: kube-system\n",
     'The Event "e2" is invalid: involvedObject.namespace: Invalid value: "": does not match event.namespace'),
    ("metadata:\n  name: e2\ninvolvedObject:\n  namespace: kube-system\n",
     'The Event "e2" is invalid: involvedObject.namespace: Invalid value: "kube-system": does not match '
     'event.namespace'),
    ("metadata:\n  name: e2\neventTime: \"2024-01-01T00:00:00.000000Z\"\nreportingComponent: x\n"
     "reportingInstance: y\naction: z\nreason: " + "r" * 129 + "\n",
     'The Event "e2" is invalid: reason: Invalid value: "": can have at most 128 characters'),
])
def test_event_validation_in_the_apiservers_words(mk, doc, message):
    r = mk("apply", "-f", "-", stdin="apiVersion: v1\nkind: Event\n" + doc)
    assert r.code == 1 and r.err.strip() == message, r.err
    assert mk("get", "ev", "e2").code == 1


def test_a_failing_controller_reports_and_the_cluster_goes_on(mk, monkeypatch):
    from minikctl.sim.controllers import deployment
    assert mk("run", "p", "--image=nginx").code == 0

    def broken(cluster):
        raise KeyError("boom")
    monkeypatch.setattr(deployment, "reconcile", broken)
    r = mk("create", "deployment", "d", "--image=nginx")
    assert r.code == 0 and r.out == "deployment.apps/d created\n"
    assert "minikctl: the simulated deployment controller failed (KeyError: 'boom')" in r.err
    assert r.err.count("\n") == 1  # once per command, not once per pass
    mk.advance(5)
    r = mk("get", "po", "-A")
    assert r.code == 0 and "p " in r.out
    assert mk("delete", "deploy", "d").code == 0
    assert mk("delete", "po", "p").code == 0


def test_a_stored_event_missing_fields_never_wedges_the_kubelet(mk):
    """An Event row with none of the fields a recorder writes (an older store, another client)
    is read past by the kubelet's event aggregation."""
    from minikctl.env import Env
    from minikctl.sim.cluster import open_cluster
    assert mk("run", "p", "--image=nginx:does-not-exist").code == 0
    env = Env(home=mk.home, clock=lambda: mk.clock, seed=mk.seed)
    with open_cluster(env) as cluster:
        cluster.store.put("Event", "default", "bare", 1, {"apiVersion": "v1", "kind": "Event",
                                                          "metadata": {"name": "bare", "namespace": "default"}})
        cluster.store.commit()
        cluster.store.begin()
    for _ in range(4):
        mk.advance(30)
        r = mk("get", "po", "-A")
        assert r.code == 0 and r.err == "", r.err
    assert mk("delete", "ev", "bare").code == 0


# ---------------------------------------------------------------------------------------------
# Item 7: each reproducer of a traceback, with the message the real kubectl printed for it
# (kubectl v1.32 against `minikctl serve`, or offline with --dry-run=client).

VALIDATE_TAIL = "; if you choose to ignore these errors, turn validation off with --validate=false"


@pytest.mark.parametrize("doc,message", [
    ("apiVersion: v1\nkind: 5\nmetadata:\n  name: x\n",
     'error: error validating "STDIN": error validating data: kind isn\'t string type' + VALIDATE_TAIL),
    ("apiVersion: 5\nkind: ConfigMap\nmetadata:\n  name: x\n",
     'error: error validating "STDIN": error validating data: apiVersion isn\'t string type' + VALIDATE_TAIL),
    ("apiVersion: v1\nkind: List\nitems:\n- 5\n- [1]\n",
     'error: error validating "STDIN": error validating data: invalid object to validate' + VALIDATE_TAIL),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: {a: b}\n",
     'error: unable to decode "STDIN": json: cannot unmarshal object into Go struct field '
     'ObjectMeta.metadata.namespace of type string'),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata: 5\n",
     'error: unable to decode "STDIN": json: cannot unmarshal number into Go struct field '
     'metadataOnlyObject.metadata of type v1.ObjectMeta'),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: q\n  labels: [1]\n",
     'error: unable to decode "STDIN": json: cannot unmarshal array into Go struct field '
     'ObjectMeta.metadata.labels of type map[string]string'),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: q\n  labels: {a: 5}\n",
     'error: unable to decode "STDIN": json: cannot unmarshal number into Go struct field '
     'ObjectMeta.metadata.labels of type string'),
    ("apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: {a: 1}\n",
     'Error from server (BadRequest): error when creating "STDIN": Service in version "v1" cannot be handled as a '
     'Service: json: cannot unmarshal object into Go struct field ServicePort.spec.ports.port of type int32'),
    ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: [null]\n",
     'The Pod "p" is invalid: \n* spec.containers[0].name: Required value\n* spec.containers[0].image: Required value'),
])
def test_bad_manifests_get_kubectls_message(mk, doc, message):
    r = mk("apply", "-f", "-", stdin=doc)
    assert r.code == 1 and r.err.rstrip("\n") == message, r.err
    assert mk("get", "po,cm,svc", "-A").code == 0


def test_a_bad_document_does_not_stop_the_others(mk):
    r = mk("apply", "-f", "-", stdin="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: q1\n  namespace: {a: b}\n"
                                  "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: q2\n")
    assert r.code == 1 and r.out == "configmap/q2 created\n"


def test_binary_and_invalid_utf8_become_text_as_kubectl_sends_them(mk, tmp_path):
    r = mk("apply", "-f", "-", stdin="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  x: !!binary aGVsbG8=\n")
    assert r.code == 0, r.err
    assert mk("get", "cm", "b", "-o", "jsonpath={.data.x}").out == "hello"
    f = tmp_path / "bad.yaml"
    f.write_bytes(b'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ab\ndata:\n  k: "\xc3\x28"\n')
    assert mk("apply", "-f", str(f)).code == 0
    assert mk("get", "cm", "ab", "-o", "jsonpath={.data.k}").out == "\ufffd("
    f.write_bytes(b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\x80b\n")
    r = mk("apply", "-f", str(f))
    assert r.err.startswith('The ConfigMap "a\ufffdb" is invalid: metadata.name: Invalid value: "a\ufffdb": a lowercase')


def test_non_utf8_stdin_through_the_console_script(tmp_path):
    from tests.conftest import ROOT
    import os
    import subprocess
    import sys
    env = dict(os.environ, MINIKCTL_HOME=str(tmp_path / "s"), NO_COLOR="1", PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-m", "minikctl", "apply", "-f", "-"], env=env, capture_output=True,
                       input=b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\xffb\n", timeout=60)
    assert p.returncode == 1 and b"Traceback" not in p.stderr
    assert p.stderr.startswith('The ConfigMap "a\ufffdb" is invalid'.encode()), p.stderr


@pytest.mark.parametrize("argv,message", [
    (("replace", "-f", "-"), 'error: error when replacing "STDIN": resource name may not be empty'),
    (("run", "x", "--image=nginx", "--overrides=[1]"),
     'error: couldn\'t get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct '
     '{ APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }'),
    (("dns", "explain", "kubernetes", "--type=BOGUS"),
     'error: unknown DNS record type "BOGUS" for --type (try A, AAAA, SRV, PTR, CNAME, TXT or ANY)'),
    (("serve", "--port", "99999"), "error: invalid port 99999: a port is a number from 0 to 65535 (0 picks a free one)"),
    (("dns", "serve", "--port", "99999"),
     "error: invalid port 99999: a port is a number from 0 to 65535 (0 picks a free one)"),
])
def test_cli_reproducers(mk, argv, message):
    r = mk(*argv, stdin="apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n")
    assert r.code == 1 and r.err.rstrip("\n") == message, r.err


# ---------------------------------------------------------------------------------------------
# Item 3: YAML bounded as go-yaml and the apiserver bound it

def _bomb(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join(["*" + prev] * 9) + "]")
    return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n" + "".join(f"  {x}\n" for x in lines)


def test_alias_bomb_is_refused_as_go_yaml_refuses_it(mk, monkeypatch):
    from minikctl.api import manifests

    def never(*a, **k):
        raise AssertionError("the bomb was expanded")
    doc = _bomb()
    assert len(doc) < 1024
    monkeypatch.setattr(manifests, "_json_safe", never)  # refused from the node graph, never expanded
    r = mk("apply", "-f", "-", stdin=doc)
    monkeypatch.undo()
    assert r.code == 1 and r.err == ("error: error parsing STDIN: error converting YAML to JSON: yaml: document "
                                     "contains excessive aliasing\n")
    r = mk("patch", "cm", "kube-root-ca.crt", "-p", _bomb().split("data:\n", 1)[1].replace("  ", "", 1))
    assert r.code == 1 and "Traceback" not in r.err


def test_a_few_aliases_are_fine_and_an_oversized_document_is_the_apiservers_413(mk):
    r = mk("apply", "-f", "-", stdin="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n  labels: &l {a: b}\n"
                                  "  annotations: *l\n")
    assert r.code == 0, r.err
    big = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  a: &x \"" + "y" * 100_000 + "\"\n"
           "  b: [" + ",".join(["*x"] * 40) + "]\n")
    r = mk("apply", "-f", "-", stdin=big)
    assert r.code == 1 and r.err == ('Error from server (RequestEntityTooLarge): error when creating "STDIN": '
                                     "Request entity too large: limit is 3145728\n")


@pytest.mark.parametrize("unit,close", [("a,", "a}"), ("a: \n", ""), ("-\n", ""), ("a,", "a]")])
def test_documents_that_skip_the_node_graph_walk_could_never_fail_it(unit, close, monkeypatch):
    """manifests._plainly_bounded lets a document without anchors or aliases skip
    check_node_graph: the densest such texts (an empty key in a flow mapping counts 9 for its 2
    bytes) just under its length bound pass the walk, while at the limit's length the same shape
    is the apiserver's 413. If the bound were loosened, the first half would fail. (With the
    limit scaled down to 16 KiB, as both read it, so the documents compose in milliseconds.)"""
    import yaml

    from minikctl.api import manifests
    monkeypatch.setattr(manifests, "MAX_REQUEST_BYTES", 16 * 1024)
    opener = {"a}": "{", "a]": "["}.get(close, "")

    def doc(length: int) -> str:
        return opener + unit * ((length - len(opener) - len(close)) // len(unit)) + close
    lo, hi = 0, manifests.MAX_REQUEST_BYTES        # the longest plain text the function lets skip
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if manifests._plainly_bounded("x" * mid) else (lo, mid - 1)
    under = doc(lo)
    assert manifests._plainly_bounded(under) and len(under) > lo - len(unit)
    manifests.check_node_graph(yaml.compose(under, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    over = doc(manifests.MAX_REQUEST_BYTES)
    assert not manifests._plainly_bounded(over)
    with pytest.raises(manifests.TooLarge):
        manifests.check_node_graph(yaml.compose(over, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


def test_recursive_anchor_is_an_error_not_a_hang(mk):
    r = mk("apply", "-f", "-", stdin="apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: x, labels: *m}\n")
    assert r.code == 1 and "Traceback" not in r.err and "internal error" not in r.err


# ---------------------------------------------------------------------------------------------
# Corrupted and empty state files

def test_a_zero_length_state_file_is_lost_state_not_a_fresh_cluster(mk):
    assert mk("get", "ns").code == 0
    db = mk.home / "cluster.db"
    import sqlite3
    c = sqlite3.connect(db)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    for suffix in ("-wal", "-shm"):
        p = db.with_name(db.name + suffix)
        if p.exists():
            p.unlink()
    db.write_bytes(b"")
    import os
    os.utime(db, (0, 0))
    r = mk("get", "po")
    assert r.code == 1 and "the file is empty: the cluster's state was lost" in r.err, r.err
    assert db.stat().st_size == 0  # untouched
    assert mk("cluster", "reset").code == 0 or mk("cluster", "init", "--reset").code == 0
    assert mk("get", "ns").code == 0


def test_a_damaged_state_file_is_one_clear_error(mk):
    assert mk("create", "cm", "c", "--from-literal=a=b").code == 0
    db = mk.home / "cluster.db"
    import sqlite3
    c = sqlite3.connect(db)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.execute("UPDATE objects SET body = 'not json' WHERE kind = 'ConfigMap'")
    c.commit()
    c.close()
    r = mk("get", "cm")
    assert r.code == 1 and r.err.startswith(f"error: the state file {db} is not a usable minikctl database"), r.err


@pytest.mark.parametrize("damage, kind", [
    # what the fuzzer's byte flips did (tests/test_fuzz.py, damaged state): valid JSON whose key
    # was renamed, a text cell turned into a blob, a body naming another object than its row
    ("""UPDATE objects SET body = replace(body, '"namespace"', '"namespacf"') WHERE kind = 'Event'""", "events"),
    ("UPDATE objects SET namespace = CAST(namespace AS BLOB) WHERE kind = 'ConfigMap'", "cm"),
    ("""UPDATE objects SET body = replace(body, '"name":"c"', '"name":"d"') WHERE kind = 'ConfigMap'""", "cm"),
    ("""UPDATE objects SET body = replace(body, '"kind":"ConfigMap"', '"kind":"ConfigMaq"')
        WHERE kind = 'ConfigMap'""", "cm"),
])
def test_a_row_that_does_not_match_its_key_is_damage_not_a_traceback(mk, damage, kind):
    assert mk("create", "cm", "c", "--from-literal=a=b").code == 0
    assert mk("run", "p", "--image=nginx").code == 0
    mk.advance(10)
    assert mk("get", "events").code == 0 and mk("get", "cm").code == 0
    db = mk.home / "cluster.db"
    import sqlite3
    c = sqlite3.connect(db)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = c.total_changes
    c.execute(damage)
    assert c.total_changes > before
    c.commit()
    c.close()
    r = mk("get", kind)
    assert r.code == 1 and r.err.startswith(f"error: the state file {db} is not a usable minikctl database"), r.err
    assert "does not match the key" in r.err or "is not text" in r.err, r.err


# ---------------------------------------------------------------------------------------------
# Item 10: every random draw from the cluster's seeded generator

def test_create_deployment_draws_the_container_suffix_from_the_seed(tmp_path):
    from tests.conftest import Minikctl
    names = []
    for run in ("a", "b"):
        m = Minikctl(tmp_path / run, seed=11)
        assert m("create", "deployment", "d", "--image=registry.local/my_app:1").code == 0
        names.append(m("get", "deploy", "d", "-o", "jsonpath={.spec.template.spec.containers[0].name}").out)
    other = Minikctl(tmp_path / "c", seed=12)
    other("create", "deployment", "d", "--image=registry.local/my_app:1")
    assert names[0] == names[1] and names[0].startswith("my-app-")
    assert other("get", "deploy", "d", "-o", "jsonpath={.spec.template.spec.containers[0].name}").out != names[0]


def test_dns_round_robin_is_the_same_in_every_process(tmp_path):
    """The DNS server's answer variants no longer come from hash() (salted per process)."""
    import os
    import subprocess
    import sys
    from tests.conftest import ROOT, Minikctl
    m = Minikctl(tmp_path / "s")
    assert m("create", "deployment", "web", "--image=nginx", "--replicas=4").code == 0
    assert m("expose", "deploy", "web", "--port=80", "--cluster-ip=None", "--name=web").code == 0
    m.advance(30)
    code = ("import sys; from minikctl.env import Env; from minikctl.cli.dns_cmd import load_snapshot;"
            "from minikctl.net.dns.server import DnsServer; from dnslib import DNSRecord;"
            f"env = Env(home=__import__('pathlib').Path({str(m.home)!r}), clock=lambda: {m.clock}, seed=7);"
            "s = DnsServer(lambda: load_snapshot(env), lambda: 1);"
            "q = DNSRecord.question('web.default.svc.cluster.local', 'A'); q.header.id = 7; q = bytes(q.pack());"
            "print([s.handle(q).hex() for _ in range(6)])")
    outs = set()
    for salt in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=salt, PYTHONPATH=str(ROOT))
        p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        outs.add(p.stdout)
    assert len(outs) == 1
    replies = eval(outs.pop())
    assert len(set(replies)) > 1  # the variants do rotate (4 endpoints, loadbalance)
    assert all(bytes.fromhex(r)[3] & 0x0F == 0 for r in replies)  # NOERROR


# ---------------------------------------------------------------------------------------------
# Labs and drills: scripted steps never touch the host or wait for a person

@pytest.mark.parametrize("run", ["kubectl kubeconfig -o /tmp/x", "minikctl serve", "kubectl edit po x",
                                 "kubectl get po -w", "minikctl dns serve", "kubectl exec -it p -- sh",
                                 "minikctl shell"])
def test_a_lab_step_that_would_touch_the_host_is_refused_at_load(tmp_path, run):
    from minikctl.api.errors import CliError
    from minikctl.labs.lab import load_lab
    d = tmp_path / "labs" / "x"
    d.mkdir(parents=True)
    (d / "lab.yaml").write_text(f"title: x\nsteps:\n- run: {run}\n")
    with pytest.raises(CliError, match="not allowed in a scripted step"):
        load_lab("x", tmp_path / "labs")


def test_a_drill_step_that_would_touch_the_host_is_refused_at_load(tmp_path, monkeypatch):
    from minikctl.api.errors import CliError
    from minikctl.labs.drills import load_drill
    d = tmp_path / "x"
    d.mkdir()
    (d / "drill.yaml").write_text("title: x\ntask: t\nchecks: [{kind: Pod}]\nsolution:\n- run: kubectl kubeconfig -o /tmp/k\n")
    monkeypatch.setenv("MINIKCTL_DRILLS", str(tmp_path))
    with pytest.raises(CliError, match="not allowed in a scripted step"):
        load_drill("x")
    (d / "drill.yaml").write_text("title: x\ntask: t\nchecks: [{kind: Pod}]\nsolution:\n- file: ../../etc/passwd\n")
    with pytest.raises(CliError, match="inside the drill's folder"):
        load_drill("x")


# ---------------------------------------------------------------------------------------------
# Item 8: runaway sizes

def test_scale_to_a_million_stops_at_the_simulations_pod_limit(mk, monkeypatch):
    from minikctl.sim.controllers import common
    monkeypatch.setattr(common, "MAX_PODS", 40)
    assert mk("create", "deploy", "d", "--image=nginx").code == 0
    r = mk("scale", "deploy", "d", "--replicas=1000000")
    assert r.code == 0 and r.out == "deployment.apps/d scaled\n"
    assert r.err == "minikctl: more than 40 pods in one cluster is not simulated; no more pods are created\n"
    assert len(mk("get", "po", "-A", "--no-headers").out.splitlines()) == 40
    r = mk("get", "rs", "-o", "jsonpath={.items[0].spec.replicas}")
    assert r.out == "1000000"  # the apiserver accepted it: only the simulation stops
    r = mk("run", "x", "--image=nginx")
    assert r.code == 1 and r.err == "minikctl: more than 40 pods in one cluster is not simulated\n"
    assert mk("scale", "deploy", "d", "--replicas=1").code == 0
    mk.advance(60)
    assert mk("run", "x", "--image=nginx").code == 0


def test_objects_of_a_kind_stop_at_the_simulations_limit(mk, monkeypatch):
    from minikctl.api import server
    assert mk("create", "cm", "a").code == 0
    n = len(mk("get", "cm", "-A", "-o", "name").out.split())
    monkeypatch.setattr(server, "MAX_OBJECTS_PER_KIND", n + 1)
    assert mk("create", "cm", "b").code == 0
    r = mk("create", "cm", "c")
    assert r.code == 1 and r.err == f"minikctl: more than {n + 1} configmaps in one cluster is not simulated\n", r.err
    assert mk("get", "cm", "c").code == 1  # nothing half-made
    assert mk("delete", "cm", "a").code == 0 and mk("create", "cm", "c").code == 0  # a delete makes room again


def test_an_object_over_etcds_request_limit_is_refused_in_etcds_words(mk):
    """Under the 3 MiB request limit, over etcd's 1.5 MiB: the apiserver passes etcd's words on."""
    def pod(size):
        return ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: busybox\n"
                "    args: [\"" + "x" * size + "\"]\n")
    r = mk("create", "-f", "-", stdin=pod(1_600_000))
    assert r.code == 1 and r.err == ('Error from server: error when creating "STDIN": etcdserver: request is too large\n'), r.err
    r = mk("create", "-f", "-", stdin=pod(1_400_000))
    assert r.code == 0, r.err


def test_a_controller_failing_on_one_object_goes_on_with_the_others(mk, monkeypatch):
    """Per-object guard: the ReplicaSet controller fails on one ReplicaSet only; the other gets
    its pods, the failing one carries a Warning event saying minikctl failed, and it can be
    deleted."""
    from minikctl.sim.controllers import replicaset
    real = replicaset._sync

    def fails_on_bad(cluster, rs, pods):
        if rs["metadata"]["name"].startswith("bad-"):
            raise KeyError("boom")
        return real(cluster, rs, pods)
    monkeypatch.setattr(replicaset, "_sync", fails_on_bad)
    assert mk("create", "deploy", "bad", "--image=nginx", "--replicas=2").code == 0
    r = mk("create", "deploy", "good", "--image=nginx", "--replicas=2")
    assert r.code == 0
    mk.advance(30)
    pods = mk("get", "po", "-o", "name").out.split()
    assert sum(p.startswith("pod/good-") for p in pods) == 2 and not any(p.startswith("pod/bad-") for p in pods)
    r = mk("get", "events", "--field-selector", "reason=MinikctlSimulationError", "-o",
           "jsonpath={.items[*].involvedObject.name}")
    assert r.out.startswith("bad-"), r.out
    assert mk("delete", "deploy", "bad").code == 0
