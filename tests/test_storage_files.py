"""Data that lives as long as its volume: files written from `exec` through a claim outlive the
pod, a hostPath volume is the node's own directory (`ssh NODE` sees it), an emptyDir dies with
its pod, and the StatefulSet tutorial's "Writing to Stable Storage" steps: each pod's nginx serves
the hostname written into its claim, before and after the pods are deleted and re-created."""
from __future__ import annotations

from pathlib import Path

from tests.test_storage import apply, claim, j, pod, volume

DATA = Path(__file__).parent / "data" / "storage"


def _sh(mk, pod_name, script):
    r = mk("exec", pod_name, "--", "sh", "-c", script)
    return r


def test_a_file_written_through_a_claim_survives_the_pod(mk):
    apply(mk, claim("data", cls="standard"))
    apply(mk, pod("writer", "data"))
    mk.advance(10)
    assert _sh(mk, "writer", "echo kept > /data/note.txt").code == 0
    assert mk("delete", "pod", "writer").code == 0
    mk.advance(40)
    apply(mk, pod("writer", "data"))
    mk.advance(10)
    r = mk("exec", "writer", "--", "cat", "/data/note.txt")
    assert (r.code, r.out) == (0, "kept\n")
    # another pod on the same claim sees it too; a pod on another claim does not
    apply(mk, claim("other", cls="standard"))
    apply(mk, pod("stranger", "other"))
    mk.advance(10)
    r = mk("exec", "stranger", "--", "cat", "/data/note.txt")
    assert r.code == 1 and "No such file or directory" in r.err


def test_an_emptydir_does_not_survive_the_pod(mk):
    spec = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: tmp\nspec:\n  volumes:\n  - name: scratch\n    emptyDir: {}\n"
            "  containers:\n  - name: c\n    image: nginx\n    volumeMounts:\n    - mountPath: /scratch\n      name: scratch\n")
    apply(mk, spec)
    mk.advance(10)
    assert _sh(mk, "tmp", "echo gone > /scratch/x").code == 0
    assert mk("exec", "tmp", "--", "cat", "/scratch/x").out == "gone\n"
    mk("delete", "pod", "tmp")
    mk.advance(40)
    apply(mk, spec)
    mk.advance(10)
    assert mk("exec", "tmp", "--", "cat", "/scratch/x").code == 1


def test_a_hostpath_volume_is_the_nodes_directory(mk):
    apply(mk, volume("host", path="/mnt/data"))
    apply(mk, claim("c", cls="manual"))
    apply(mk, pod("p", "c"))
    mk.advance(10)
    node = j(mk, "get", "pod", "p")["spec"]["nodeName"]
    assert _sh(mk, "p", "echo from-the-pod > /data/index.html").code == 0
    r = mk("ssh", node, "--", "cat /mnt/data/index.html")
    assert (r.code, r.out) == (0, "from-the-pod\n")
    others = [n for n in ("k8s-worker-01", "k8s-worker-02", "k8s-worker-03") if n != node]
    assert mk("ssh", others[0], "--", "cat /mnt/data/index.html").code != 0   # another node's disk


def test_statefulset_tutorial_writing_to_stable_storage(mk):
    apply(mk, (DATA / "web.yaml").read_text())
    mk.advance(60)
    for i in (0, 1):
        r = _sh(mk, f"web-{i}", 'echo "$(hostname)" > /usr/share/nginx/html/index.html')
        assert r.code == 0, r.err
    for i in (0, 1):
        r = mk("exec", "-i", "-t", f"web-{i}", "--", "curl", "http://localhost/")
        assert r.out == f"web-{i}\n", r.err
    mk("delete", "pod", "-l", "app=nginx")
    mk.advance(90)
    assert [l.split()[:3] for l in mk("get", "pods", "-l", "app=nginx").out.splitlines()[1:]] == [
        ["web-0", "1/1", "Running"], ["web-1", "1/1", "Running"]]
    for i in (0, 1):
        r = mk("exec", "-i", "-t", f"web-{i}", "--", "curl", "http://localhost/")
        assert r.out == f"web-{i}\n", r.err
