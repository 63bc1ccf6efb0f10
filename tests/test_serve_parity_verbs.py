"""The real kubectl, pointed at `minikctl serve`, as the oracle for verbs whose logic is kubectl's.

Generators (`run`/`expose --dry-run=client`) and the messages kubectl prints itself (label,
scale, rollout, delete, wait, taint, cordon, exec/logs errors, get's empty results) are computed
client-side by kubectl from what the server serves; minikctl computes them alone. Two clusters
built the same way (same seed, same virtual clock, same commands) are the "equivalent states":
kubectl drives one through the server, minikctl the other, step by step, and stdout, stderr and
exit code must be identical at every step.
"""
from __future__ import annotations

import shlex
import threading

import pytest

from tests.conftest import SPEC, Minikctl
from tests.test_serve_kubectl import KUBECTL, Served, pytestmark  # noqa: F401  (skips without kubectl/openssl)


class Twin:
    """A served cluster for kubectl and an identical one for minikctl, advanced together."""

    def __init__(self, root):
        self.served = Served(root / "k")
        self.mk = Minikctl(root / "m")
        self.mk("get", "ns")
        for m in (self.served.mk, self.mk):
            for name in ("test-headless-server", "web-server", "headless-web-server", "busybox"):
                assert m("apply", "-f", str(SPEC / f"{name}.yaml")).code == 0
            m.advance(30)

    def advance(self, seconds: float) -> None:
        self.served.mk.advance(seconds)
        self.mk.advance(seconds)

    def both(self, line: str):
        args = shlex.split(line)
        k = self.served.kubectl(*args)
        m = self.mk(*args)
        return (k.returncode, k.stdout, k.stderr), (m.code, m.out, m.err)

    def both_waiting(self, line: str):
        """Like both(), for a verb whose kubectl waits on the cluster's clock (drain's evictions
        terminate gracefully): minikctl runs first and moves its cluster's time on inside the
        command; kubectl then runs in a thread, and once every pod minikctl's command removed is
        terminating on the served cluster, that cluster's time is moved on to the same instant
        (never its environment clock, as minikctl's command never moved its own), so both
        clusters end in the same state."""
        import time
        from minikctl.env import Env
        from minikctl.sim import clock
        from minikctl.sim.cluster import open_cluster

        def cluster_of(mk):
            return open_cluster(Env(home=mk.home, clock=lambda: mk.clock, seed=mk.seed, no_color=True))

        def pods(c) -> set:      # a StatefulSet's pod comes back with its name: tell them apart
            return {(p["metadata"]["namespace"], p["metadata"]["name"], p["metadata"].get("creationTimestamp"))
                    for p in c.list("Pod")}
        args = shlex.split(line)
        with cluster_of(self.served.mk) as c:
            before = pods(c)
        m = self.mk(*args)
        with cluster_of(self.mk) as c:
            target, removed = c.now, before - pods(c)
        box = {}
        worker = threading.Thread(target=lambda: box.setdefault("k", self.served.kubectl(*args)))
        worker.start()
        moved = False
        while worker.is_alive():
            time.sleep(0.1)
            if moved:
                continue
            with cluster_of(self.served.mk) as c:
                if all((c.get("Pod", ns, n) or {"metadata": {"deletionTimestamp": "gone"}})["metadata"]
                       .get("deletionTimestamp") for ns, n, _ in removed):
                    clock.advance(c, target)
                    moved = True
        worker.join()
        k = box["k"]
        return (k.returncode, k.stdout, k.stderr), (m.code, m.out, m.err)

    def run(self, steps: list[str]) -> None:
        """Each step on both sides; `+N` advances both clocks by N seconds."""
        for line in steps:
            if line.startswith("+"):
                self.advance(float(line[1:]))
                continue
            k, m = self.both(line)
            assert m == k, line

    def close(self):
        self.served.close()


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    t = Twin(tmp_path_factory.mktemp("twin"))
    yield t
    t.close()


@pytest.fixture
def fresh(tmp_path):
    t = Twin(tmp_path)
    yield t
    t.close()


# ---------------------------------------------------------------- generators (no state change)

RUN = [
    "run nginx --image=nginx --dry-run=client -o yaml",
    "run nginx --image=nginx:1.25 --port=80 --labels=app=web,tier=fe --dry-run=client -o yaml",
    "run nginx --image=nginx --env=A=1 --env=B=two --restart=Never --dry-run=client -o json",
    "run bb --image=busybox --restart=OnFailure --command --dry-run=client -o yaml -- sleep 3600",
    "run bb --image=busybox --dry-run=client -o yaml -- echo hi there",
    "run bb --image=busybox --port=8080 --dry-run=client -o json -- sh -c 'echo hi'",
    "run bb --image=busybox --restart=Always --image-pull-policy=IfNotPresent --dry-run=client -o yaml",
    "run bb --image=busybox -n kube-system --dry-run=client -o yaml",
    "run bb --image=busybox -n default --dry-run=client -o json",
    "run bb --image=busybox --annotations=a=b --dry-run=client -o yaml",
    "run bb --image=busybox --restart=Never --port=80 --image-pull-policy=Never --annotations=x=y --env=A=1 "
    "-n ns1 --labels=a=b --command --dry-run=client -o json -- sleep 1",
    "run bb --image=busybox --overrides='{\"spec\":{\"hostNetwork\":true}}' --dry-run=client -o json",
    "run bb --image=busybox --dry-run=client -o name",
    "run bb --image=busybox --dry-run=client",
    "run bb --image=busybox --dry-run=server",
    "run bb --image=busybox -i -t --dry-run=client -o yaml",
    "run bb --image=busybox -t --dry-run=client -o yaml",
    "run bb --image=busybox --rm --dry-run=client -o yaml",
    "run bb --image=busybox --restart=Sometimes --dry-run=client -o yaml",
    "run --image=busybox --dry-run=client -o yaml",
]
EXPOSE = [
    "expose pod busybox --port=80 --dry-run=client -o yaml",
    "expose pod busybox --dry-run=client -o yaml",
    "expose deploy web-server-pod --port=8080 --target-port=80 --dry-run=client -o yaml",
    "expose deploy web-server-pod --port=8080 --type=NodePort --name=web-np --dry-run=client -o yaml",
    "expose deploy web-server-pod --port=53 --protocol=UDP --dry-run=client -o json",
    "expose deploy web-server-pod --port=80 --selector=app=x --dry-run=client -o yaml",
    "expose deploy web-server-pod --port=80 --labels=a=b --dry-run=client -o yaml",
    "expose deploy web-server-pod --dry-run=client -o yaml",
    "expose deploy web-server-pod --port=80 --type=LoadBalancer --dry-run=client -o yaml",
    "expose deploy web-server-pod --port=80 --cluster-ip=None --name=hl --dry-run=client -o yaml",
    "expose deploy web-server-pod --port=80 --dry-run=client",
    "expose deploy nope --port=80 --dry-run=client",
    "expose svc web-server-svc --port=81 --name=web2 --dry-run=client -o yaml",
    "expose rs -l app=web-server --port=82 --name=web-rs --dry-run=client -o json",
]


@pytest.mark.parametrize("line", RUN + EXPOSE)
def test_generators_match_kubectl(twin, line):
    k, m = twin.both(line)
    assert m == k
    if k[0] == 0 and ("-o yaml" in line or "-o json" in line):
        assert k[1].startswith(("apiVersion", "{"))   # the oracle really generated something


def test_run_json_is_go_field_order_not_sorted(twin):
    """-o json of a typed object: kind before apiVersion, name before labels (Go structs)."""
    k, m = twin.both("run nginx --image=nginx --port=80 --env=A=1 --dry-run=client -o json")
    assert m == k
    assert k[1].index('"kind"') < k[1].index('"apiVersion"')
    assert k[1].index('"image"') < k[1].index('"ports"') < k[1].index('"env"') < k[1].index('"resources"')


# ---------------------------------------------------------------- read-only messages

READS = [
    "get po nope", "get po nope nope2", "get po busybox nope", "get deploy -n kube-public",
    "get po -l app=zzz", "get po -l app=zzz -A", "get pods,svc -l app=zzz", "get svc -l app=zzz --ignore-not-found",
    "get svc -l app=zzz -o name", "get svc -l app=zzz -o yaml", "get svc -l app=zzz -o jsonpath={.items}",
    "get svc -l app=zzz -o custom-columns=N:.metadata.name", "get svc nope -o jsonpath={.metadata.name}",
    "get svc nope -o name --ignore-not-found", "get no -l app=zzz -o name",
    "exec busybox ls", "exec nope -- ls", "exec nope ls", "exec busybox -c nope -- ls",
    "logs nope", "logs busybox -c nope", "logs deploy/nope", "logs",
    "rollout history deploy/nope", "rollout status deploy/nope", "rollout history deploy/web-server-pod",
    "rollout status deploy/web-server-pod",
    "wait --for=condition=Ready pod/busybox --timeout=1s", "wait --for=condition=Ready pod/nope --timeout=1s",
    "wait --for=delete pod/nope --timeout=1s", "wait --for=delete pod -l app=zzz --timeout=1s",
    "wait --for=condition=Ready pod -l app=web-server --timeout=1s",
    "wait --for=condition=Available deploy/web-server-pod --timeout=1s",
    "wait --for=jsonpath={.status.phase}=Running pod/busybox --timeout=1s",
    "wait --for=condition=Ready pod -l app=zzz --timeout=1s",
    "label po nope a=b", "scale deploy -l app=zzz --replicas=1", "taint node nope a=b:NoSchedule", "cordon nope",
    "set image deploy/nope nginx=nginx:1.25", "set image deploy/web-server-pod nope=nginx:1.25",
    "delete deploy nope", "delete pod -l app=zzz", "delete pod --all -n kube-public",
]


@pytest.mark.parametrize("line", READS)
def test_messages_without_state_change_match(twin, line):
    k, m = twin.both(line)
    assert m == k


# ---------------------------------------------------------------- sequences on twin clusters


def test_label_and_annotate_sequence(fresh):
    fresh.run(["label po busybox tier=probe", "label po busybox tier=probe", "label po busybox tier=other",
               "label po busybox tier=other --overwrite", "label po busybox tier-", "label po busybox tier-",
               "label po -l app=web-server x=y", "label po -l app=web-server x-", "label deploy --all a=b",
               "label deploy web-server-pod a-", "label deploy --all a-", "annotate po busybox note=hi",
               "annotate po busybox note=ho", "annotate po busybox note=ho --overwrite", "annotate po busybox note-",
               "get po --show-labels"])


def test_scale_sequence(fresh):
    fresh.run(["scale deploy web-server-pod --replicas=3 --current-replicas=2",
               "scale deploy web-server-pod --replicas=2 --current-replicas=3", "+30",
               "scale deploy nope --replicas=1", "scale deploy nope nope2 --replicas=3",
               "scale deploy nope web-server-pod --replicas=3",
               "scale deploy --all --replicas=1 --current-replicas=2", "+30", "get deploy,rs"])


def test_rollout_sequence(fresh):
    fresh.run(["set image deploy/web-server-pod nginx=nginx:1.25",
               "rollout status deploy/web-server-pod --timeout=1s", "+60",
               "rollout status deploy/web-server-pod", "rollout history deploy/web-server-pod",
               "rollout history deploy/web-server-pod --revision=2", "rollout undo deploy/web-server-pod", "+60",
               "rollout history deploy/web-server-pod", "rollout undo deploy/web-server-pod --to-revision=1",
               "rollout undo deploy/web-server-pod --to-revision=9", "rollout status deploy/web-server-pod",
               "get po -o wide"])


def test_delete_and_wait_sequence(fresh):
    fresh.run(["run x --image=nginx", "+20", "delete pod x --wait=false", "wait --for=delete pod/x --timeout=60s",
               "run y --image=nginx", "+20", "delete pod y", "wait --for=delete pod/y",
               "delete pod busybox --wait=false", "delete svc -l app=headless-web-server", "get svc",
               "delete deploy --all", "+30", "get deploy,rs"])


def test_node_verbs_sequence(fresh):
    fresh.run(["taint node k8s-worker-01 a=b:NoSchedule", "taint node k8s-worker-01 a=b:NoSchedule",
               "taint node k8s-worker-01 a=c:NoSchedule", "taint node k8s-worker-01 a=c:NoSchedule --overwrite",
               "taint node k8s-worker-01 a:NoSchedule-", "taint node k8s-worker-01 a:NoSchedule-",
               "cordon k8s-worker-03", "cordon k8s-worker-03", "uncordon k8s-worker-03", "uncordon k8s-worker-03",
               "get nodes"])


def _drain_lines(text: str) -> list[str]:
    """drain's lines as a sorted list, the `[a, b]` error list and the `a; b` warnings inside a line
    sorted too: kubectl collects them in Go maps, so their order changes from run to run."""
    import re

    def sort_list(m):
        return "[" + ", ".join(sorted(re.split(r", (?=cannot delete )", m.group(1)))) + "]"
    def sort_warnings(line: str) -> str:     # PodDeleteList.Warnings: a Go map too
        return "Warning: " + "; ".join(sorted(line[9:].split("; "))) if line.startswith("Warning: ") else line
    return sorted(sort_warnings(re.sub(r"\[(cannot delete .*)\]", sort_list, line)) for line in text.splitlines())


def test_drain_lines_match_as_sets(fresh):
    """drain's eviction lines come in an order kubectl does not fix: compare them as sets."""
    for line in ["drain k8s-worker-02", "drain k8s-worker-02 --ignore-daemonsets --force --delete-emptydir-data"]:
        k, m = fresh.both_waiting(line)
        assert (m[0], _drain_lines(m[1]), _drain_lines(m[2])) == (k[0], _drain_lines(k[1]), _drain_lines(k[2])), line
    fresh.advance(60)
    # kubectl evicts concurrently, in no fixed order, and each replacement draws its name, address
    # and node in eviction order: compare the pods with those draws masked (their owners, state
    # and ages must still agree)
    import re
    k, m = fresh.both("get po -o wide")

    def masked(text: str) -> list[tuple]:
        return sorted((re.sub(r"-[a-z0-9]{5}$", "-xxxxx", f[0]), *f[1:5]) for f in map(str.split, text.splitlines()))
    assert (m[0], masked(m[1]), m[2]) == (k[0], masked(k[1]), k[2])
    fresh.run(["uncordon k8s-worker-02"])


def test_create_subcommands_really_create(fresh):
    fresh.run(["create deployment d1 --image=nginx --replicas=2", "create deployment d1 --image=nginx",
               "create service clusterip s1 --tcp=80:8080", "create configmap c1 --from-literal=a=b",
               "create secret generic s2 --from-literal=a=b", "create namespace n1", "create namespace n1",
               "create job j1 --image=busybox", "create serviceaccount sa1", "+30", "get deploy,svc,cm,secret,sa,job"])
