"""get -w: the initial table, then a row per change without the header, on a virtual clock with a
bounded loop (watch_cmd.SLEEP / MAX_POLLS)."""
from __future__ import annotations

import pytest

from test_rollout import DEPLOY


@pytest.fixture
def virtual(mk, monkeypatch):
    from minikctl.cli import watch_cmd
    actions: dict[int, callable] = {}
    state = {"n": 0}

    def sleep(seconds):
        mk.advance(seconds)
        state["n"] += 1
        if state["n"] in actions:
            actions[state["n"]]()

    monkeypatch.setattr(watch_cmd, "SLEEP", sleep)
    monkeypatch.setattr(watch_cmd, "MAX_POLLS", 10)
    return actions


def test_watch_prints_changes(mk, virtual):
    from conftest import table_check
    mk("run", "x", "--image=nginx")
    r = mk("get", "po", "-w")
    assert r.code == 0
    lines = r.out.splitlines()
    assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert lines.count(lines[0]) == 1  # header once
    assert lines[1].split()[:3] == ["x", "0/1", "ContainerCreating"]
    assert lines[-1].split()[:3] == ["x", "1/1", "Running"]
    code, report = table_check(r.out)
    assert code == 0, report


def test_watch_new_and_deleted_objects(mk, virtual):
    virtual[2] = lambda: mk("apply", "-f", "-", stdin=DEPLOY)
    virtual[6] = lambda: mk("delete", "deploy", "web")
    r = mk("get", "deploy", "-w")
    assert r.err == "No resources found in default namespace.\n"
    lines = r.out.splitlines()
    assert lines[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]  # header with the first row
    assert lines[1].split()[0] == "web"
    assert lines[-1].split()[:2] == ["web", "3/3"]  # the delete shows the last state
    assert sum(l.startswith("NAME") for l in lines) == 1


def test_remember_widths_only_grow():
    from minikctl.cli.watch_cmd import Widths
    w = Widths()
    assert w.table([["NAME", "STATUS", "AGE"], ["x", "Pending", "0s"]]) == "NAME   STATUS    AGE\nx      Pending   0s\n"
    assert w.line(["x", "ContainerCreating", "1s"]) == "x      ContainerCreating   1s\n"
    assert w.line(["x", "Running", "2s"]) == "x      Running             2s\n"


def test_request_timeout_ends_the_watch(mk, monkeypatch):
    from minikctl.cli import watch_cmd
    calls = []
    monkeypatch.setattr(watch_cmd, "SLEEP", lambda s: (calls.append(s), mk.advance(s)))
    monkeypatch.setattr(watch_cmd, "MAX_POLLS", 1000)
    r = mk("get", "ns", "-w", "--request-timeout=3s")
    assert r.code == 0 and r.out.splitlines()[0].split() == ["NAME", "STATUS", "AGE"]
    assert len(calls) == 6  # 3 s of 0.5 s polls


def test_watch_name_output(mk, virtual):
    mk("run", "x", "--image=nginx")
    r = mk("get", "po", "-w", "-o", "name")
    assert set(r.out.splitlines()) == {"pod/x"}
