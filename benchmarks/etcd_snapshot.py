"""etcd backup and restore of the lab cluster; prints figures (no assertions).

The flagship lab's workloads (labs/three-services) applied on a fresh cluster, then, each as its
own `python -m minikctl` process as a user would type it:
1. `minikctl ssh k8s-master -- etcdctl ... snapshot save /opt/snapshot.db`  (target: under 1 s)
2. `minikctl ssh k8s-master -- etcdutl snapshot restore /opt/snapshot.db --data-dir
   /var/lib/etcd-from-backup && sed -i ... etcd.yaml` (restore and etcd pointed at it; target:
   under 1 s)
The wall time of each includes starting Python; the in-process part is printed beside it. A
first `ssh k8s-master -- true` lays down the node's files (its keys and certificates) first and
is timed on its own.

Usage: python benchmarks/etcd_snapshot.py
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKI = "/etc/kubernetes/pki/etcd"
SAVE = (f"ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 --cacert={PKI}/ca.crt --cert={PKI}/server.crt "
        f"--key={PKI}/server.key snapshot save /opt/snapshot.db")
RESTORE = ("etcdutl snapshot restore /opt/snapshot.db --data-dir /var/lib/etcd-from-backup && "
           "sed -i 's#path: /var/lib/etcd$#path: /var/lib/etcd-from-backup#' /etc/kubernetes/manifests/etcd.yaml")


def cli(home: str, *argv: str) -> tuple[float, subprocess.CompletedProcess]:
    env = dict(os.environ, MINIKCTL_HOME=home, NO_COLOR="1", PYTHONPATH=str(ROOT))
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "minikctl", *argv], capture_output=True, text=True, env=env,
                       cwd=str(ROOT))
    return time.perf_counter() - t, p


def in_process(home: str, *argv: str) -> float:
    sys.path.insert(0, str(ROOT))
    from minikctl.cli.main import run
    from minikctl.env import Env
    t = time.perf_counter()
    run(list(argv), Env(stdout=io.StringIO(), stderr=io.StringIO(), home=Path(home), no_color=True))
    return time.perf_counter() - t


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        for f in sorted((ROOT / "labs" / "three-services").glob("*.yaml")):
            if f.name != "lab.yaml":
                cli(home, "apply", "-f", str(f))
        _, p = cli(home, "get", "all", "-A", "--no-headers")
        objects = len(p.stdout.splitlines())
        first, _ = cli(home, "ssh", "k8s-master", "--", "true")
        print(f"first ssh to k8s-master (kubeadm's files laid down, keys made): {first:6.3f} s wall")
        wall, p = cli(home, "ssh", "k8s-master", "--", SAVE)
        assert p.returncode == 0, p.stderr
        _, st = cli(home, "ssh", "k8s-master", "--", "etcdutl snapshot status /opt/snapshot.db")
        print(f"lab cluster: {objects} workload objects; snapshot status: {st.stdout.strip()}")
        print(f"etcdctl snapshot save:                 {wall:6.3f} s wall (process)")
        inner = in_process(home, "ssh", "k8s-master", "--", SAVE.replace("/opt/snapshot.db", "/opt/s2.db"))
        print(f"etcdctl snapshot save (in-process):    {inner:6.3f} s")
        wall, p = cli(home, "ssh", "k8s-master", "--", RESTORE)
        assert p.returncode == 0, p.stderr
        print(f"etcdutl restore + etcd pointed at it:  {wall:6.3f} s wall (process)")
        back = ("sed -i 's#path: /var/lib/etcd-from-backup$#path: /var/lib/etcd#' /etc/kubernetes/manifests/etcd.yaml")
        inner = in_process(home, "ssh", "k8s-master", "--", back)
        print(f"etcd pointed back (in-process swap):   {inner:6.3f} s")
        print("targets: each under 1 s")


if __name__ == "__main__":
    main()
