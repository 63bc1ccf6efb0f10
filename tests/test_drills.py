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
