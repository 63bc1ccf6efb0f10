"""How long `exec` of a 1,000-iteration shell loop takes (issue 10: under 1 s), whole command
line included, and the interpreter's own share; prints figures (no assertions).

Usage: python benchmarks/sh_loop.py [--runs 5] [--n 1000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--n", type=int, default=1000)
    a = ap.parse_args()
    script = f"for i in $(seq {a.n}); do echo $i; done"
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, MINIKCTL_HOME=home, NO_COLOR="1", MINIKCTL_SEED="1", PYTHONPATH=str(ROOT))
        mk = [sys.executable, "-m", "minikctl"]
        subprocess.run(mk + ["run", "bb", "--image=busybox:1.36", "--", "sleep", "36000"], env=env,
                       capture_output=True, check=True, cwd=ROOT)
        subprocess.run(mk + ["sim", "advance", "60s"], env=env, capture_output=True, cwd=ROOT)
        times = []
        for _ in range(a.runs):
            t = time.perf_counter()
            p = subprocess.run(mk + ["exec", "bb", "--", "sh", "-c", script], env=env, capture_output=True,
                               text=True, cwd=ROOT)
            times.append(time.perf_counter() - t)
            assert p.returncode == 0 and p.stdout.count("\n") == a.n, p.stderr
        t = time.perf_counter()
        subprocess.run(mk + ["exec", "bb", "--", "true"], env=env, capture_output=True, cwd=ROOT)
        base = time.perf_counter() - t
    sys.path.insert(0, str(ROOT))
    from minikctl.images.context import ExecContext
    from minikctl.images.registry import toolset
    from minikctl.sh.interp import Shell
    from minikctl.sim.view import StaticView
    tools = toolset("busybox:1.36").tools
    sh = Shell(ExecContext(view=StaticView([]), pod=None, container=None), tools, env={"HOME": "/root"})
    t = time.perf_counter()
    sh.run(script)
    interp = time.perf_counter() - t
    print(f"exec -- sh -c '{script}'  median {statistics.median(times):.3f} s  (min {min(times):.3f} s, "
          f"{a.runs} runs)")
    print(f"exec -- true (start-up, for comparison)             {base:.3f} s")
    print(f"interpreter alone, {a.n} iterations                  {interp * 1000:.1f} ms")


if __name__ == "__main__":
    main()
