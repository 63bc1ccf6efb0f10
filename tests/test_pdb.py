"""PodDisruptionBudgets: `create pdb` against kubectl's dry run, the disruption controller's
status (pkg/controller/disruption rules), the eviction subresource's refusal, `drain` retrying
as kubectl does, and `get`/`describe pdb` against the real kubectl through `minikctl serve`."""
from __future__ import annotations

import json
import subprocess
import time

import pytest

from tests.test_serve_kubectl import KUBECTL, real_second, served_near_now

ZK_PDB = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: zk-pdb
spec:
  selector:
    matchLabels:
      app: zk
  maxUnavailable: 1
"""


@pytest.mark.skipif(KUBECTL is None, reason="no kubectl")
@pytest.mark.parametrize("argv", [
    ["create", "pdb", "zk-pdb", "--selector=app=zk", "--max-unavailable=1"],
    ["create", "poddisruptionbudget", "p", "--selector=app=zk,tier in (a,b)", "--min-available=50%", "-n", "x"],
    ["create", "pdb", "p", "--selector=app,!b", "--min-available=2"],
    ["create", "pdb", "p"],
    ["create", "pdb", "p", "--selector=app=zk"],
    ["create", "pdb", "p", "--selector=app=zk", "--min-available=1", "--max-unavailable=1"],
    ["create", "pdb", "p", "--selector=a!=b", "--min-available=1"],
])
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_create_pdb_dry_run_matches_kubectl(mk, argv, fmt):
    args = [*argv, "--dry-run=client", "-o", fmt]
    want = subprocess.run([KUBECTL, *args], capture_output=True, text=True)
    got = mk(*args)
    assert got.out == want.stdout
    assert got.err == want.stderr
    assert (got.code != 0) == (want.returncode != 0)


def _pdb(mk, name="web-pdb") -> dict:
    return json.loads(mk("get", "pdb", name, "-o", "json").out)


def _web(mk, replicas=3):
    assert mk("create", "deploy", "web", "--image=nginx", f"--replicas={replicas}").code == 0


def test_status_from_the_controller(mk):
    _web(mk)
    assert mk("create", "pdb", "web-pdb", "--selector=app=web", "--min-available=2").code == 0
    mk("sim", "advance", "10s")
    st = _pdb(mk)["status"]
    assert (st["currentHealthy"], st["desiredHealthy"], st["disruptionsAllowed"], st["expectedPods"]) == (3, 2, 1, 3)
    assert st["conditions"][0]["type"] == "DisruptionAllowed" and st["conditions"][0]["reason"] == "SufficientPods"
    # maxUnavailable and percentages scale with the controller's replicas
    assert mk("create", "pdb", "pct", "--selector=app=web", "--min-available=50%").code == 0
    assert mk("apply", "-f", "-", stdin=ZK_PDB.replace("app: zk", "app: web")).code == 0
    mk("sim", "advance", "1s")
    assert [_pdb(mk, n)["status"]["desiredHealthy"] for n in ("pct", "zk-pdb")] == [2, 2]
    out = mk("get", "pdb").out.splitlines()
    assert out[0].split("   ") and out[0].split() == ["NAME", "MIN", "AVAILABLE", "MAX", "UNAVAILABLE", "ALLOWED",
                                                       "DISRUPTIONS", "AGE"]
    assert [line.split()[:4] for line in out[1:]] == [["pct", "50%", "N/A", "1"], ["web-pdb", "2", "N/A", "1"],
                                                      ["zk-pdb", "N/A", "1", "1"]]


def test_zookeeper_tutorial_pdb_is_accepted(mk):
    r = mk("apply", "-f", "-", stdin=ZK_PDB)
    assert (r.code, r.out) == (0, "poddisruptionbudget.policy/zk-pdb created\n")
    r = mk("apply", "-f", "-", stdin=ZK_PDB.replace("maxUnavailable: 1", "maxUnavailable: 1\n  minAvailable: 1"))
    assert r.code == 1 and "minAvailable and maxUnavailable cannot be both set" in r.err
    r = mk("apply", "-f", "-", stdin=ZK_PDB.replace("maxUnavailable: 1", "maxUnavailable: 120%"))
    assert r.err == 'The PodDisruptionBudget "zk-pdb" is invalid: spec.maxUnavailable: Invalid value: "120%": ' \
                    'must not be greater than 100%\n'


def test_drain_is_refused_and_retried(mk):
    _web(mk)
    assert mk("create", "pdb", "web-pdb", "--selector=app=web", "--min-available=3").code == 0
    mk("sim", "advance", "10s")
    pods = json.loads(mk("get", "po", "-l", "app=web", "-o", "json").out)["items"]
    node = pods[0]["spec"]["nodeName"]
    victim = next(p["metadata"]["name"] for p in pods if p["spec"]["nodeName"] == node)
    r = mk("drain", node, "--ignore-daemonsets")
    assert r.code == 1
    assert (f'error when evicting pods/"{victim}" -n "default" (will retry after 5s): '
            "Cannot evict pod as it would violate the pod's disruption budget.\n") in r.err
    assert "minikctl: drain would retry" in r.err
    assert f"evicting pod default/{victim}\n" in r.out
    assert mk("get", "po", victim).code == 0                    # still there
    assert "SchedulingDisabled" in mk("get", "no", node).out    # cordoned all the same
    # with room in the budget the eviction goes through, and the budget is spent on it
    assert mk("patch", "pdb", "web-pdb", "--type=merge", "-p", '{"spec":{"minAvailable":2}}').code == 0
    r = mk("drain", node, "--ignore-daemonsets")
    assert r.code == 0, r.err
    assert f"pod/{victim} evicted\n" in r.out and f"node/{node} drained\n" in r.out


# ---- against the real kubectl --------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    yield from served_near_now(tmp_path_factory, "pdb")


def test_kubectl_get_and_describe_pdb(served):
    assert served.mk("create", "deploy", "web", "--image=nginx", "--replicas=3").code == 0
    r = served.kubectl("apply", "-f", "-", stdin=ZK_PDB.replace("app: zk", "app: web"))
    assert r.returncode == 0, r.stderr
    assert served.mk("create", "pdb", "min", "--selector=app=web", "--min-available=50%").code == 0
    for _ in range(3):
        served.mk.advance(10)
        served.mk("get", "ns")
    for args in (("get", "pdb"), ("get", "poddisruptionbudgets", "-o", "wide"), ("describe", "pdb", "zk-pdb"),
                 ("describe", "pdb", "min")):
        for _ in range(3):
            pinned = served.mk.clock = max(served.mk.clock, real_second())
            k = served.kubectl(*args)
            late = time.time() - pinned >= 1.0
            m = served.mk(*args)
            if m.out == k.stdout or not late:
                break
        assert k.returncode == 0, k.stderr
        assert m.out == k.stdout, args
