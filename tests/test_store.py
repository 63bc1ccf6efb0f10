"""The state store: one transaction per command, concurrent commands lose nothing, a killed
command leaves the store as it was, a corrupt or foreign file gets a clear error, never a traceback."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time

from conftest import ROOT, cli


def _configmaps(n: int, prefix: str) -> str:
    return "\n---\n".join(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {prefix}-{i}\ndata:\n  k: v{i}"
                          for i in range(n))


def _count(home, prefix: str) -> int:
    r = cli("get", "cm", "-o", "name", home=home)
    return sum(1 for line in r.out.splitlines() if line.startswith(f"configmap/{prefix}-"))


def test_eight_concurrent_applies_all_land(tmp_path):
    home = tmp_path / "state"
    assert cli("cluster", "init", home=home).code == 0
    files = []
    for i in range(8):
        f = tmp_path / f"cm{i}.yaml"
        f.write_text(_configmaps(5, f"p{i}"))
        files.append(f)
    env = dict(os.environ, MINIKCTL_HOME=str(home), NO_COLOR="1")
    procs = [subprocess.Popen([sys.executable, "-m", "minikctl", "apply", "-f", str(f)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f in files]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert all(code == 0 for _o, _e, code in results), results
    for i in range(8):
        assert _count(home, f"p{i}") == 5


def test_a_killed_command_leaves_the_store_consistent(tmp_path):
    home = tmp_path / "state"
    assert cli("cluster", "init", home=home).code == 0
    f = tmp_path / "many.yaml"
    f.write_text(_configmaps(400, "bulk"))
    env = dict(os.environ, MINIKCTL_HOME=str(home), NO_COLOR="1")
    seen = set()
    for delay in (0.05, 0.15, 0.3, 0.45, 0.6, 0.8):
        p = subprocess.Popen([sys.executable, "-m", "minikctl", "apply", "-f", str(f)], env=env, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        n = _count(home, "bulk")
        assert n in (0, 400), f"partial apply survived a kill: {n} of 400"
        seen.add(n)
        if n == 400:
            assert cli("delete", "cm", "--all", home=home).code == 0
    r = cli("get", "po", "-A", home=home)
    assert r.code == 0 and "coredns" in r.out


def test_state_file_is_private(tmp_path):
    home = tmp_path / "state"
    assert cli("cluster", "init", home=home).code == 0
    mode = stat.S_IMODE(os.stat(home / "cluster.db").st_mode)
    assert mode == 0o600, oct(mode)


def test_corrupt_state_file_gets_a_clear_error(tmp_path):
    home = tmp_path / "state"
    home.mkdir()
    (home / "cluster.db").write_bytes(b"this is not a database at all" * 100)
    r = cli("get", "po", home=home)
    assert r.code == 1
    assert r.err.startswith("error: the state file ") and "minikctl cluster reset" in r.err
    assert "Traceback" not in r.err
    r = cli("cluster", "reset", home=home)
    assert r.code == 0, r.err
    assert cli("get", "ns", home=home).code == 0


def test_foreign_sqlite_file_is_refused(tmp_path):
    home = tmp_path / "state"
    home.mkdir()
    con = sqlite3.connect(home / "cluster.db")
    con.execute("CREATE TABLE songs (title TEXT)")
    con.commit()
    con.close()
    r = cli("get", "po", home=home)
    assert r.code == 1 and "belongs to another program" in r.err and "Traceback" not in r.err
    # and nothing was written into it
    con = sqlite3.connect(home / "cluster.db")
    assert [t for (t,) in con.execute("SELECT name FROM sqlite_master")] == ["songs"]


def test_revision_counts_every_write(tmp_path):
    home = tmp_path / "state"
    cli("cluster", "init", home=home)
    con = sqlite3.connect(home / "cluster.db")
    rev = json.loads(con.execute("SELECT value FROM meta WHERE key='revision'").fetchone()[0])
    rvs = [int(r) for (r,) in con.execute("SELECT rv FROM objects")]
    assert rvs and max(rvs) <= rev and len(set(rvs)) == len(rvs)
