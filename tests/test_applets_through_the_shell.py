"""The applets whose output depends on the host, or that start other commands (date with a
fixed -d, env -i, xargs, timeout, nice, id, uname), run inside the shell: ours (minikctl/sh over
minikctl/images/applets) against the real busybox sh with busybox's applets first in PATH, and
dash with GNU coreutils. stdout, stderr and the exit status must match byte for byte."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from minikctl.images import applets
from minikctl.images.context import ExecContext
from minikctl.sh.dialect import Dialect
from minikctl.sh.interp import Shell
from minikctl.sim.view import StaticView
from test_applets_differential import _fs

BUSYBOX = shutil.which("busybox")
DASH = shutil.which("dash")

SCRIPTS = [
    "date -u -d @0",
    "date -u -d @86400 '+%Y-%m-%d %H:%M:%S'",
    "date -u -d @1700000000 '+%s %j %a %b %d'",
    "date -u -d '2024-02-29 13:45' '+%F %T'",
    "date -d bogus; echo rc=$?",
    "printf 'a b\\nc\\n' | xargs echo",
    "printf 'a b\\nc\\n' | xargs -n 1 echo",
    "printf 'a b\\nc\\n' | xargs -I {} echo '<{}>'",
    "printf 'x\\ny\\n' | xargs -n 1 false; echo rc=$?",
    "env -i A=1 env",
    "env -i A=1 B=2 printenv B",
    "A=outer; export A; env A=inner printenv A; printenv A",
    "timeout 1 true; echo rc=$?",
    "nice true; echo rc=$?",
    "id -u; id -g; id -un",
    "uname -s; uname -m",
    "printenv NOPE; echo rc=$?",
]


def _busybox_applets() -> set[str]:
    return set(subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True).stdout.split())


def _ours(style: str, script: str):
    fam = "busybox" if style == "busybox" else "generic"
    tools = applets.merge(fam, {})
    ctx = ExecContext(view=StaticView([]), pod=None, container=None, cwd="/work", fs=_fs())
    dialect = Dialect("ash" if style == "busybox" else "dash", "sh")
    sh = Shell(ctx, tools, dialect, env={"HOME": "/root", "PATH": "/usr/bin:/bin"})
    out, err, code, _ = sh.run(script)
    return out, err, code


def _real(style: str, script: str, tmp_path):
    if style == "busybox":
        bindir = tmp_path / "bin"
        bindir.mkdir()
        names = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True).stdout.split()
        for n in names:
            os.symlink(BUSYBOX, bindir / n)
        argv, exe, path = ["sh", "-c", script], str(bindir / "sh"), str(bindir)
    else:
        argv, exe, path = ["sh", "-c", script], DASH, "/usr/bin:/bin"
    p = subprocess.run(argv, executable=exe, capture_output=True, text=True, cwd=tmp_path, timeout=10,
                       env={"HOME": "/root", "PATH": path, "LC_ALL": "C", "TZ": "UTC"})
    return p.stdout, p.stderr, p.returncode


@pytest.mark.parametrize("style", ["busybox", "gnu"])
@pytest.mark.parametrize("script", SCRIPTS)
def test_same_as_the_real_tools(style, script, tmp_path):
    if style == "busybox" and not BUSYBOX or style == "gnu" and not DASH:
        pytest.skip("the real shell is not installed")
    if os.geteuid() != 0 and "id " in script:
        pytest.skip("id's answers are root's in a container")
    if style == "busybox" and "printenv" in script and "printenv" not in _busybox_applets():
        pytest.skip("this machine's busybox is built without printenv")
    assert _ours(style, script) == _real(style, script, tmp_path)
