"""The proving tests: every drill is judged on its end state, not on the method.

Each drill folder holds `proof.yaml` beside `drill.yaml`: at least one alternative valid solution
and at least one common mistake, as step lists (the same run/apply/file steps as a drill's
solution). For every drill this module proves, in-process on a fresh cluster:
  * before anything is done, `drill check` fails and earns nothing (no credit for an untouched cluster);
  * the drill's own solution passes every check;
  * each alternative passes every check;
  * each mistake does not get full marks.
A drill without its proof file does not ship: test_every_drill_has_its_proofs fails.
"""
from __future__ import annotations

import re
import shutil

import pytest

from minikctl.labs import drill_proof, drills
from tests import conftest

ALL = drills.names()
CASES = [(n, kind, i) for n in ALL for kind, i in drill_proof.case_ids(n)]


def test_every_drill_has_its_proofs():
    missing = [n for n in ALL if not drill_proof.has_proof(n)]
    assert not missing, f"drills without proof.yaml (alternatives and mistakes): {missing}"
    for n in ALL:
        p = drill_proof.load_proof(drills.load_drill(n))
        assert p["alternatives"] and p["mistakes"], n


def _score(out: str) -> tuple[int, int]:
    m = re.search(r"Score: (\d+)/(\d+)", out)
    assert m, out
    return int(m.group(1)), int(m.group(2))


# `drill start NAME` on a fresh state directory is the same every time here (seed 7, the clock at
# T0, keys from the test pool, no path of the directory kept in it). Its first case on a worker
# runs it and keeps the directory it left; the drill's other cases start from a copy, with the
# key pool where the start left it. (tests/conftest.py's scheduler sends a drill's cases to one
# worker.) The start itself is proven by every drill's first case, and by tests/test_drills.py.
_STARTED: dict[str, tuple] = {}


def _drill_start(mk, name: str, tmp_path_factory) -> None:
    kept = _STARTED.get(name)
    if kept is not None:
        shutil.copytree(kept[0], mk.home)
        mk._templated = True
        conftest._KEY_CALLS[0] = kept[1]
        return
    r = mk("drill", "start", name)
    assert r.code == 0, r.err
    copy = tmp_path_factory.mktemp("started") / name
    shutil.copytree(mk.home, copy)
    _STARTED[name] = (copy, conftest._KEY_CALLS[0])


@pytest.mark.parametrize("name,kind,index", CASES, ids=[f"{n}:{k}{i}" for n, k, i in CASES])
def test_drill_proof(mk, tmp_path_factory, name, kind, index):
    drill = drills.load_drill(name)
    _drill_start(mk, name, tmp_path_factory)
    mk.advance(30)
    if kind == "solution":
        r = mk("drill", "check")
        assert r.code == 1, f"{name}: passes on an untouched cluster\n{r.out}"
        assert _score(r.out)[0] == 0, f"{name}: credit for an untouched cluster\n{r.out}"
    case = drill_proof.case(drill, kind, index)
    for step in case["steps"]:
        got = drill_proof.step_argv(mk.home, step, drill)
        if got is None:           # a `write` step: a file written, nothing to run
            continue
        argv, stdin = got
        r = mk(*argv, stdin=stdin)
        assert r.code == 0, (case["name"], argv, r.err)
        mk.advance(case.get("pause", 1))
    mk.advance(90)
    r = mk("drill", "check")
    got, total = _score(r.out)
    if kind == "mistake":
        assert got < total, f"{name}: the mistake '{case['name']}' gets full marks\n{r.out}"
        if "max_score" in case:
            assert got <= int(case["max_score"]), f"{name}: the mistake '{case['name']}' earns {got}\n{r.out}"
    else:
        assert r.code == 0 and got == total, f"{name}: {kind} '{case['name']}' fails\n{r.out}"


def test_check_vocabulary_judges_behaviour():
    from minikctl.labs import drill_checks as dc
    from minikctl.sim.view import StaticView
    assert dc.normal_image("nginx:1.25") == dc.normal_image("docker.io/library/nginx:1.25")
    assert dc.normal_image("nginx") == "docker.io/library/nginx:latest" != dc.normal_image("nginx:1.25")
    assert dc.normal_image("registry.k8s.io/pause:3.9") == "registry.k8s.io/pause:3.9"
    assert dc._upstream("dns://10.150.0.10:53") == dc._upstream("10.150.0.10") == "10.150.0.10"
    assert dc._upstream("10.150.0.10:5353") == "10.150.0.10:5353"
    # a guard earns nothing until something else passes
    g = dc.Result("kept", 1, True, guard=True)
    assert dc.score([g, dc.Result("done", 2, False)]) == (0, 3)
    assert dc.score([g, dc.Result("done", 2, True)]) == (3, 3)
    # can-i asks the RBAC authorizer: a ServiceAccount without a binding may not list pods
    v = StaticView([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}])
    r = dc.evaluate(v, {"name": "n", "can_i": {"as": "system:serviceaccount:x:robot", "verb": "list",
                                               "resource": "pods", "namespace": "x"}})
    assert not r.passed and "expected yes" in r.detail
    r = dc.evaluate(v, {"name": "n", "can_i": {"as": "system:serviceaccount:x:robot", "verb": "list",
                                               "resource": "pods", "namespace": "x", "allowed": False}})
    assert r.passed
