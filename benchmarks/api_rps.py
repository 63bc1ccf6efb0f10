"""Requests per second for `GET pods` through `minikctl serve`, and end-to-end wall time of
`kubectl get svc,po -o wide` against it beside `minikctl get svc,po -o wide`.

Usage: .venv/bin/python benchmarks/api_rps.py [seconds] [clients]
The server runs in a subprocess (as a learner would run it) over a temp state directory holding
the flagship experiment. Each request is one store transaction (load, advance, commit), so
requests per second measure the whole simulated apiserver, not just HTTP.
"""
from __future__ import annotations

import os
import re
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = ROOT / "tests" / "data" / "three-services"  # the flagship spec's manifests


def start_server(home: Path, kc: Path) -> tuple[subprocess.Popen, int]:
    env = dict(os.environ, MINIKCTL_HOME=str(home))
    p = subprocess.Popen([sys.executable, "-m", "minikctl", "serve", "--port", "0", "--write-kubeconfig", str(kc)],
                         stderr=subprocess.PIPE, text=True, env=env, cwd=str(ROOT))
    for _ in range(5):
        m = re.search(r"https://127\.0\.0\.1:(\d+)", p.stderr.readline())
        if m:
            return p, int(m.group(1))
    p.kill()
    raise SystemExit("server did not start")


def hammer(port: int, token: str, ca: Path, seconds: float, clients: int, accept: str) -> tuple[int, list[float]]:
    ctx = ssl.create_default_context(cafile=str(ca))
    counts, lat = [0] * clients, []
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        import http.client
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            conn.request("GET", "/api/v1/namespaces/default/pods",
                         headers={"Authorization": f"Bearer {token}", "Accept": accept})
            r = conn.getresponse()
            r.read()
            if r.status == 200:
                counts[i] += 1
                lat.append(time.perf_counter() - t0)
        conn.close()

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(counts), lat


def timed(argv: list[str], env: dict, runs: int = 5) -> float:
    best = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, capture_output=True, env=env, cwd=str(ROOT), check=True)
        best.append(time.perf_counter() - t0)
    return statistics.median(best)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    kubectl = shutil.which("kubectl")
    with tempfile.TemporaryDirectory() as tmp:
        home, kc = Path(tmp) / "state", Path(tmp) / "kubeconfig"
        env = dict(os.environ, MINIKCTL_HOME=str(home), HOME=tmp, KUBECONFIG=str(kc), NO_COLOR="1")
        for f in sorted(SPEC.glob("*.yaml")):
            subprocess.run([sys.executable, "-m", "minikctl", "apply", "-f", str(f)], env=env, cwd=str(ROOT),
                           check=True, capture_output=True)
        proc, port = start_server(home, kc)
        try:
            import yaml
            token = yaml.safe_load(kc.read_text())["users"][0]["user"]["token"]
            ca = home / "pki" / "apiserver.crt"
            print(f"minikctl serve on 127.0.0.1:{port}, {clients} clients, {seconds:.0f}s each")
            for label, accept in (("JSON PodList", "application/json"),
                                  ("Table", "application/json;as=Table;v=v1;g=meta.k8s.io")):
                n, lat = hammer(port, token, ca, seconds, clients, accept)
                p50 = statistics.median(lat) * 1000 if lat else float("nan")
                print(f"  GET pods ({label:12s}): {n / seconds:8.1f} req/s   p50 {p50:6.1f} ms")
            mk = [sys.executable, "-m", "minikctl", "get", "svc,po", "-o", "wide"]
            print(f"  minikctl get svc,po -o wide : {timed(mk, env) * 1000:7.1f} ms (median of 5)")
            if kubectl:
                subprocess.run([kubectl, "get", "svc,po"], env=env, capture_output=True)  # warm discovery cache
                kt = timed([kubectl, "get", "svc,po", "-o", "wide"], env)
                print(f"  kubectl  get svc,po -o wide : {kt * 1000:7.1f} ms (median of 5, against minikctl serve)")
            else:
                print("  kubectl not installed: end-to-end kubectl time skipped")
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
