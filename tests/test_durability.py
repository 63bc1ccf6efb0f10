"""kill -9 at random points of apply, delete and scale (issue 18): the store that is left is one
every command reads, holding either all of a command's work or none of it, and the killed
command printed nothing it did not commit (output waits for the commit). Each command line is a
process of its own, forked from one that has imported minikctl already (tests/forkcli.py)."""
from __future__ import annotations

import json
import os
import random
import signal
import time

import pytest

from tests import forkcli
from tests.conftest import ROOT, Minikctl

N_BULK = 300


def _bulk(prefix: str) -> str:
    return "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {prefix}-{i}\ndata:\n  i: \"{i}\"\n"
                   for i in range(N_BULK))


def test_kill_9_at_random_points_leaves_a_store_every_command_reads(tmp_path):
    home = tmp_path / "state"
    mk = Minikctl(home)
    assert mk("create", "deploy", "web", "--image=nginx", "--replicas=2").code == 0
    f = tmp_path / "bulk.yaml"
    f.write_text(_bulk("bulk"))
    env = dict(os.environ, MINIKCTL_HOME=str(home), NO_COLOR="1", PYTHONPATH=str(ROOT))
    rng = random.Random(99)
    outcomes = set()
    for point in range(12):
        present = len(mk("get", "cm", "-o", "name").out.split())
        op = ("apply", "delete", "scale")[point % 3]
        argv = {"apply": ["apply", "-f", str(f)],
                "delete": ["delete", "cm", "-l", "bulk!=keep", "--wait=false"],
                "scale": ["scale", "deploy", "web", f"--replicas={rng.randint(0, 60)}"]}[op]
        p = forkcli.server().start(argv, env)          # a process of its own, started without Python's start-up
        time.sleep(rng.uniform(0.0, 0.12))            # these commands take 30-90 ms once started
        try:
            os.kill(p.pid, signal.SIGKILL)
        except ProcessLookupError:                     # finished already
            pass
        code = forkcli.server().wait(p).returncode
        out = p.out
        outcomes.add("killed" if code == -signal.SIGKILL else "finished")
        # every command reads what is left
        for check in (("get", "po", "-A"), ("get", "cm"), ("get", "deploy,rs"), ("get", "events", "-A")):
            r = mk(*check)
            assert r.code == 0 and r.err in ("", "No resources found in default namespace.\n"), (op, check, r.err)
        now = len(mk("get", "cm", "-o", "name").out.split())
        if op == "apply":  # one transaction: all the ConfigMaps or none
            assert now - present in (0, N_BULK) or present - 1 >= N_BULK, (present, now)
            if now == present and code == -signal.SIGKILL:
                assert b"created" not in out.read_bytes()  # nothing reported that was not kept
        mk.advance(5)
    assert "killed" in outcomes
    assert mk("delete", "deploy", "web").code == 0


# The store kills its own process as SQLite starts the N-th statement (minikctl/store/db.py,
# MINIKCTL_FAULT_KILL_AT_SQL), so these points land inside the transactions, where a wall-clock
# kill mostly lands in Python's start-up. The statement counts of the three commands here are
# about 340 (apply), 380 (delete) and 190 (scale); N is drawn a little beyond them, so some
# commands finish.
SQL_POINTS = {"apply": 360, "delete": 400, "scale": 210}


@pytest.mark.parametrize("chunk", range(4))
def test_kill_9_at_100_points_inside_the_transactions(tmp_path, chunk):
    from minikctl.store.db import FAULT_ENV
    home = tmp_path / "state"
    mk = Minikctl(home)
    assert mk("create", "deploy", "web", "--image=nginx", "--replicas=2").code == 0
    f = tmp_path / "bulk.yaml"
    f.write_text(_bulk("bulk"))
    rng = random.Random(1000 + chunk)
    killed = 0
    for point in range(25):
        present = len(mk("get", "cm", "-o", "name").out.split())
        replicas = json.loads(mk("get", "deploy", "web", "-o", "json").out)["spec"]["replicas"]
        op = ("apply", "delete", "scale")[(point + chunk) % 3]
        argv = {"apply": ["apply", "-f", str(f)],
                "delete": ["delete", "cm", "-l", "bulk!=keep", "--wait=false"],
                "scale": ["scale", "deploy", "web", f"--replicas={rng.randint(0, 40)}"]}[op]
        at = rng.randint(1, SQL_POINTS[op])
        env = dict(os.environ, MINIKCTL_HOME=str(home), NO_COLOR="1", PYTHONPATH=str(ROOT), **{FAULT_ENV: str(at)})
        p = forkcli.server().run(argv, env)
        killed += p.returncode == -signal.SIGKILL
        for check in (("get", "po", "-A"), ("get", "cm"), ("get", "deploy,rs"), ("get", "events", "-A")):
            r = mk(*check)
            assert r.code == 0 and r.err in ("", "No resources found in default namespace.\n"), (op, at, check, r.err)
        now = len(mk("get", "cm", "-o", "name").out.split())
        if op == "apply":
            assert now - present in (0, N_BULK) or present - 1 >= N_BULK, (at, present, now)
        if op == "delete":
            assert now in (present, 0) or present == 0, (at, present, now)
        if op == "scale":
            after = json.loads(mk("get", "deploy", "web", "-o", "json").out)["spec"]["replicas"]
            assert after in (replicas, int(argv[-1].split("=")[1])), (at, replicas, after)
        if p.returncode == -signal.SIGKILL:
            # killed at a statement: the output waits for the commit, so nothing was reported
            assert p.stdout == b"", (op, at, p.stdout[:200])
        mk.advance(5)
    assert killed >= 5


def test_a_command_that_fails_and_rolls_back_reports_nothing_of_what_it_did(mk, monkeypatch):
    """Output waits for the commit: `configmap/good-first created`, then a failure that rolls the
    transaction back, prints no `created` (only the failure)."""
    from minikctl.api import apply as apply_mod
    real = apply_mod.apply
    calls = {"n": 0}

    def second_fails(cluster, manifest, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("simulated bug")
        return real(cluster, manifest, **kw)
    monkeypatch.setattr(apply_mod, "apply", second_fails)
    docs = "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {n}\n" for n in ("good-first", "second"))
    r = mk("apply", "-f", "-", stdin=docs)
    assert r.code == 1 and r.out == "", r.out
    assert "minikctl: internal error (RuntimeError: simulated bug)" in r.err
    assert mk("get", "cm", "good-first").code == 1  # rolled back, and nothing said it was created
    monkeypatch.setattr(apply_mod, "apply", real)
    r = mk("apply", "-f", "-", stdin=docs)
    assert r.out == "configmap/good-first created\nconfigmap/second created\n"
