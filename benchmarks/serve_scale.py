"""Two figures for `minikctl serve` at scale (issue 16):

1. GET of 3,000 pods as a Table (what `kubectl get pods -A --chunk-size=0` asks for), wall time
   per request over HTTPS, from a client in another process; target < 0.5 s.
2. 50 concurrent watchers on configmaps: every event each one receives, timed from the moment
   the write that caused it was sent; target: each watcher sees every event within 100 ms.
3. 200 idle watchers: the server's CPU (issue 18 measured a whole core under 0.5 s polling).

Usage: .venv/bin/python benchmarks/serve_scale.py [pods] [watchers] [events]
Prints figures; asserts nothing (no timed tests: see GUIDE.md).
"""
from __future__ import annotations

import http.client
import json
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

ROOT = Path(__file__).resolve().parent.parent
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"


def minikctl(home: Path, *args: str) -> None:
    env = dict(os.environ, MINIKCTL_HOME=str(home), PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "minikctl", *args], check=True, env=env, cwd=str(ROOT),
                   stdout=subprocess.DEVNULL)


def start_server(home: Path) -> tuple[subprocess.Popen, int, str]:
    env = dict(os.environ, MINIKCTL_HOME=str(home), PYTHONPATH=str(ROOT))
    kc = home / "kubeconfig"
    p = subprocess.Popen([sys.executable, "-m", "minikctl", "serve", "--port", "0", "--write-kubeconfig", str(kc)],
                         stderr=subprocess.PIPE, text=True, env=env, cwd=str(ROOT))
    for _ in range(5):
        m = re.search(r"https://127\.0\.0\.1:(\d+)", p.stderr.readline())
        if m:
            token = re.search(r"token: (\S+)", kc.read_text()).group(1)
            # the rest of its stderr is drained (a full pipe would stall the server) and shown
            threading.Thread(target=lambda: [sys.stderr.write("server: " + line) for line in p.stderr],
                             daemon=True).start()
            return p, int(m.group(1)), token
    p.kill()
    raise SystemExit("server did not start")


def connect(port: int, home: Path) -> http.client.HTTPSConnection:
    ctx = ssl.create_default_context(cafile=str(home / "pki" / "apiserver.crt"))
    return http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=60)


def table_get(port: int, token: str, home: Path, pods: int, rounds: int = 7) -> None:
    times, size = [], 0
    conn = connect(port, home)
    for _ in range(rounds):
        t0 = time.perf_counter()
        conn.request("GET", "/api/v1/pods", headers={"Authorization": f"Bearer {token}", "Accept": TABLE})
        r = conn.getresponse()
        body = r.read()
        times.append(time.perf_counter() - t0)
        size = len(body)
        assert r.status == 200, body[:200]
    rows = len(json.loads(body)["rows"])
    print(f"GET /api/v1/pods as a Table: {rows} rows, {size / 1e6:.1f} MB; "
          f"best {min(times):.3f} s, median {statistics.median(times):.3f} s over {rounds} requests "
          f"(target < 0.5 s for {pods} pods)")


def watchers(port: int, token: str, home: Path, n: int, events: int) -> None:
    """n watch streams read by one asyncio loop (a thread per stream would measure the client's
    GIL, not the server); writes sent one at a time, 20 ms apart."""
    import asyncio

    sent: dict[str, float] = {}
    got: list[dict[str, float]] = [dict() for _ in range(n)]
    ctx = ssl.create_default_context(cafile=str(home / "pki" / "apiserver.crt"))

    conn = connect(port, home)
    conn.request("GET", "/api/v1/namespaces/default/configmaps", headers={"Authorization": f"Bearer {token}"})
    start_rv = json.loads(conn.getresponse().read())["metadata"]["resourceVersion"]

    async def watch(i: int, ready: asyncio.Event, opened: list) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
        writer.write((f"GET /api/v1/namespaces/default/configmaps?watch=true&resourceVersion={start_rv} HTTP/1.1\r\n"
                      f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nAccept: application/json\r\n\r\n").encode())
        await writer.drain()
        while (await reader.readline()) not in (b"\r\n", b""):
            pass                                   # status line and headers
        opened.append(i)
        if len(opened) == n:
            ready.set()
        while len(got[i]) < events:
            size = int((await reader.readline()).strip() or b"0", 16)
            if size == 0:
                break
            data = await reader.readexactly(size + 2)
            ev = json.loads(data)
            name = ev["object"]["metadata"]["name"]
            if ev["type"] == "ADDED" and name.startswith("bench-"):
                got[i][name] = time.perf_counter()
        writer.close()

    def write_all(loop, ready) -> None:
        asyncio.run_coroutine_threadsafe(ready.wait(), loop).result(timeout=30)
        time.sleep(0.5)
        c = connect(port, home)
        for k in range(events):
            name = f"bench-{k}"
            body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": str(k)}})
            sent[name] = time.perf_counter()
            c.request("POST", "/api/v1/namespaces/default/configmaps", body=body,
                      headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            assert r.status == 201
            time.sleep(0.02)

    async def run() -> None:
        ready, opened = asyncio.Event(), []
        tasks = [asyncio.create_task(watch(i, ready, opened)) for i in range(n)]
        writer = threading.Thread(target=write_all, args=(asyncio.get_running_loop(), ready))
        writer.start()
        await asyncio.wait(tasks, timeout=events * 0.2 + 30)
        writer.join()

    asyncio.run(run())
    conn.close()
    lat = sorted(got[i][name] - sent[name] for i in range(n) for name in got[i])
    missed = n * events - len(lat)
    print(f"{n} watchers x {events} events: {len(lat)} delivered, {missed} missed; latency from the write "
          f"being sent: median {statistics.median(lat) * 1000:.1f} ms, p99 {lat[int(len(lat) * 0.99) - 1] * 1000:.1f} ms, "
          f"max {lat[-1] * 1000:.1f} ms (target: every event within 100 ms)")
    # the fan-out alone: from the first watcher's receipt of an event to the last's (the part of
    # the latency above that is not the write's own request: decode, admission, the controllers'
    # pass, the commit)
    spread = sorted(max(got[i][name] for i in range(n) if name in got[i]) -
                    min(got[i][name] for i in range(n) if name in got[i]) for name in sent
                    if any(name in g for g in got))
    print(f"  first to last watcher per event: median {statistics.median(spread) * 1000:.1f} ms, "
          f"max {spread[-1] * 1000:.1f} ms")


def idle(port: int, token: str, home: Path, pid: int, n: int = 200, seconds: float = 10.0) -> None:
    """Issue 18: n idle watchers used a core under the old 0.5 s polling; the server's CPU now."""
    socks = []
    for _ in range(n):
        c = connect(port, home)
        c.request("GET", "/api/v1/namespaces/default/pods?watch=true", headers={"Authorization": f"Bearer {token}"})
        c.getresponse()
        socks.append(c)

    def cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    time.sleep(1.0)
    c0, t0 = cpu(), time.monotonic()
    time.sleep(seconds)
    used = (cpu() - c0) / (time.monotonic() - t0)
    print(f"{n} idle watchers: the server uses {used * 100:.1f}% of a core")
    for c in socks:
        c.close()


def main() -> None:
    pods = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    events = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    for part in ("table", "watch"):
        home = Path(tempfile.mkdtemp(prefix="minikctl-scale-"))
        try:
            if part == "table":   # the large profile's 30 workers run 3,000 pods
                minikctl(home, "cluster", "init", "--profile", "large")
                minikctl(home, "create", "deployment", "big", "--image=nginx", f"--replicas={pods}")
            else:                 # the default cluster: a write costs milliseconds, not a 3,000-pod settle
                minikctl(home, "get", "ns")
            p, port, token = start_server(home)
            try:
                if part == "table":
                    table_get(port, token, home, pods)
                else:
                    watchers(port, token, home, n, events)
                    time.sleep(2.0)   # the server frees a closed watch's connection within a second
                    idle(port, token, home, p.pid)
            finally:
                p.terminate()
                p.wait(timeout=10)
        finally:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
