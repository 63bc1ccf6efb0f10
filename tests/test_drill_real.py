"""`drill start --real`: a drill prepared and graded through the real kubectl against its current
context, proven here against `minikctl serve` (the real cluster, as far as kubectl can tell).

For each drill below: the setup reaches the served cluster through kubectl, `drill check` earns
nothing before, the drill's solution typed into the real kubectl passes, one of its common
mistakes does not get full marks - graded from what kubectl reads back (can-i through the real
`kubectl auth can-i`). The learner's own simulated cluster is never touched. A drill that needs
the simulation is refused at start, saying what of it needs it. The kustomize drill has the real
kubectl build the learner's overlay (its own embedded Kustomize) and the exec check runs through
the real `kubectl exec`."""
from __future__ import annotations

import re

import pytest

from minikctl.labs import drill_proof, drill_real, drills
from tests.test_serve_kubectl import KUBECTL, Served, pytestmark  # noqa: F401  (skips without kubectl)

DRILLS = ["rbac-role-pod-reader", "triage-image-typo", "deploy-scale-image", "secret-env", "kustomize-overlay"]


@pytest.fixture
def served(tmp_path, monkeypatch):
    s = Served(tmp_path / "served")
    monkeypatch.setenv("KUBECONFIG", str(s.kubeconfig))
    monkeypatch.setenv("HOME", str(s.home))
    monkeypatch.setenv("MINIKCTL_KUBECTL", KUBECTL)
    yield s
    s.close()


def _score(out: str) -> tuple[int, int]:
    m = re.search(r"Score: (\d+)/(\d+)", out)
    assert m, out
    return int(m.group(1)), int(m.group(2))


def _type_into_kubectl(mk, served, drill, steps) -> None:
    from minikctl.labs import drill_steps, exam_run
    vals = {**drill_real.values(drill_real.Kubectl()), **exam_run.context_values(drill, "", home=mk.home)}
    for step in steps:
        if "write" in step:                 # a file the learner writes (a kustomization)
            drill_steps.write_file(step, vals)
            continue
        args, stdin = drill_real.step_args(step, drill, vals)
        r = served.kubectl(*args, stdin=stdin)
        assert r.returncode == 0, (args, r.stderr)
    served.mk.advance(90)


@pytest.mark.parametrize("name,kind", [(n, k) for n in DRILLS for k in ("solution", "mistake")])
def test_a_drill_on_a_real_cluster(mk, served, name, kind):
    drill = drills.load_drill(name)
    before = mk("get", "ns").out
    r = mk("drill", "start", name, "--real")
    assert r.code == 0, r.err
    assert "Warning: this runs drill" in r.err and "on context" in r.err
    served.mk.advance(30)
    assert mk("drill", "task").out.splitlines()[2] == drill.title
    assert mk("drill", "hint").code == 0
    r = mk("drill", "check")
    assert r.code == 1 and _score(r.out)[0] == 0, r.out
    if kind == "mistake":
        _type_into_kubectl(mk, served, drill, drill_proof.load_proof(drill)["mistakes"][0]["steps"])
        got, total = _score(mk("drill", "check").out)
        assert got < total
    else:
        _type_into_kubectl(mk, served, drill, drill.solution)
        r = mk("drill", "check")
        assert r.code == 0 and "All checks pass" in r.out, r.out
    assert mk("get", "ns").out == before                 # the learner's simulated cluster: untouched
    assert mk("drill", "reset").code == 1                # a real cluster is not reset for you


def test_simulation_only_drills_are_refused_and_listed_apart(mk, served):
    r = mk("drill", "start", "etcd-snapshot-save", "--real")
    assert r.code == 1
    assert "drill etcd-snapshot-save runs on the simulation only: its solution runs `minikctl ssh`" in r.err
    assert "a check reads the simulated nodes' files and services (node)" in r.err
    listed = [line.split()[0] for line in mk("drill", "list", "--real").out.splitlines()[1:]]
    assert set(DRILLS) <= set(listed) and "etcd-snapshot-save" not in listed and "coredns-stub-domain" not in listed
    assert len(listed) >= 80
