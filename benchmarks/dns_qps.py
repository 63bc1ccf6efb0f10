"""Queries per second: minikctl's DNS server vs nsd on the equivalent zone, both driven by dnsperf.

Usage: .venv/bin/python benchmarks/dns_qps.py [seconds]
Uses benchmarks/data/dns-benchmark (zone, nsd.conf, q.txt). nsd is skipped if missing.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
REF = os.path.join(HERE, "data", "dns-benchmark")


def dnsperf(port: int, seconds: int) -> str:
    out = subprocess.run(["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", f"{REF}/q.txt", "-l", str(seconds),
                          "-t", "1", "-q", "50"], capture_output=True, text=True).stdout
    m = re.search(r"Queries per second:\s+([\d.]+)", out)
    return m.group(1) if m else "n/a"


def ours(seconds: int) -> str:
    from test_dns_state import lab_view
    from minikctl.net.dns.server import serve
    ready, stop = threading.Event(), threading.Event()
    port = 5398
    t = threading.Thread(target=serve, args=(lambda: lab_view(), lambda: 1),
                         kwargs={"port": port, "ready": ready, "stop": stop}, daemon=True)
    t.start()
    ready.wait(5)
    try:
        return dnsperf(port, seconds)
    finally:
        stop.set()
        t.join(3)


def nsd(seconds: int) -> str:
    if shutil.which("nsd") is None:
        return "skipped (nsd not installed)"
    d = tempfile.mkdtemp()
    shutil.copy(f"{REF}/cluster.local.zone", d)
    conf = open(f"{REF}/nsd.conf").read().replace("NSD_DIR", d)
    with open(os.path.join(d, "nsd.conf"), "w") as f:
        f.write(conf)
    p = subprocess.Popen(["nsd", "-c", os.path.join(d, "nsd.conf"), "-d"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        if p.poll() is not None:
            return "skipped (nsd did not start)"
        return dnsperf(5399, seconds)
    finally:
        p.terminate()
        p.wait(5)
        shutil.rmtree(d, ignore_errors=True)


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    if shutil.which("dnsperf") is None:
        print("dnsperf not installed (apt-get install dnsperf)")
        return
    a = ours(seconds)
    b = nsd(seconds)
    print(f"{'server':<10} {'queries/s':>12}")
    print(f"{'minikctl':<10} {a:>12}")
    print(f"{'nsd':<10} {b:>12}")


if __name__ == "__main__":
    main()
