"""Container file systems (minikctl/images/fs.py) through `exec`: writes last for the container's
life, emptyDir is shared by the pod's containers, configMap/secret/downwardAPI mounts are
computed from the objects and read-only, hostPath lands on the node."""
from __future__ import annotations

import pytest

POD = """
apiVersion: v1
kind: Pod
metadata: {name: two, labels: {app: two}}
spec:
  volumes:
  - {name: shared, emptyDir: {}}
  - {name: cfg, configMap: {name: site}}
  - {name: info, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}},
                                       {path: name, fieldRef: {fieldPath: metadata.name}}]}}
  - {name: host, hostPath: {path: /var/data}}
  containers:
  - name: a
    image: busybox:1.36
    command: [sleep, "3600"]
    volumeMounts:
    - {name: shared, mountPath: /shared}
    - {name: cfg, mountPath: /etc/site}
    - {name: info, mountPath: /etc/info}
    - {name: host, mountPath: /host}
  - name: b
    image: nginx
    volumeMounts:
    - {name: shared, mountPath: /usr/share/nginx/html}
"""


@pytest.fixture
def pod(mk, tmp_path):
    f = tmp_path / "pod.yaml"
    f.write_text(POD)
    assert mk("create", "configmap", "site", "--from-literal=index.html=hello from a configmap").code == 0
    r = mk("apply", "-f", str(f))
    assert r.code == 0, r.err
    mk.advance(30)
    return mk


def sh(mk, container, script):
    return mk("exec", "two", "-c", container, "--", "sh", "-c", script)


def test_writes_last_between_execs_and_emptydir_is_shared(pod):
    r = sh(pod, "a", "echo kept > /tmp/note; echo shared > /shared/index.html; mkdir -p /tmp/d/e")
    assert (r.code, r.err) == (0, "")
    r = sh(pod, "a", "read x < /tmp/note; echo $x; [ -d /tmp/d/e ] && echo dir")
    assert r.out == "kept\ndir\n"
    r = sh(pod, "b", "read x < /usr/share/nginx/html/index.html; echo $x; [ -e /tmp/note ] || echo private")
    assert r.out == "shared\nprivate\n"
    from minikctl.images.fs import read_file
    from minikctl.sim.cluster import open_cluster
    from minikctl.env import Env
    import io
    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdin=io.StringIO(), home=pod.home, clock=lambda: pod.clock)
    with open_cluster(env) as c:
        p = c.get("Pod", "default", "two")
        assert read_file(c, p, "b", "/usr/share/nginx/html/index.html") == "shared\n"


def test_configmap_and_downward_api_mounts_are_read_only(pod):
    r = sh(pod, "a", "read x < /etc/site/index.html; echo $x; echo no > /etc/site/index.html")
    assert r.out == "hello from a configmap\n"
    assert (r.err, r.code) == ("sh: can't create /etc/site/index.html: Read-only file system\n"
                               "command terminated with exit code 1\n", 1)
    r = sh(pod, "a", "cat /etc/info/labels; echo; cat /etc/info/name")    # kubelet writes no final newline
    assert r.out == 'app="two"\ntwo'


def test_hostpath_lands_on_the_node(pod):
    assert sh(pod, "a", "echo from-pod > /host/f").code == 0
    r = pod("get", "pod", "two", "-o", "jsonpath={.spec.nodeName}")
    node = r.out
    r = pod("ssh", node, "--", "read x < /var/data/f; echo $x")
    assert r.out == "from-pod\n", r.err


def test_kubectl_cp_round_trip_through_tar(pod, tmp_path):
    local = tmp_path / "local.txt"
    local.write_text("from the laptop\n")
    r = pod("cp", str(local), "two:/tmp/in.txt", "-c", "a")
    assert (r.code, r.err) == (0, ""), r.err
    assert sh(pod, "a", "cat /tmp/in.txt").out == "from the laptop\n"
    back = tmp_path / "back.txt"
    r = pod("cp", "two:/tmp/in.txt", str(back), "-c", "a")
    assert r.code == 0, r.err
    assert back.read_text() == "from the laptop\n"
    r = pod("cp", "two:/etc/hostname", str(tmp_path / "h"), "-c", "b")   # nginx: GNU tar's note
    assert (r.code, r.err) == (0, "tar: Removing leading `/' from member names\n")
    assert (tmp_path / "h").read_text() == "two\n"


def test_honest_limits_and_real_not_found(pod):
    """A command the image has but minikctl does not simulate says so (126); one the image lacks
    keeps the real texts: the shell's `not found`, containerd's OCI error for exec."""
    r = pod("exec", "two", "-c", "a", "--", "telnet", "x", "23")
    assert (r.code, r.err) == (126, "minikctl: telnet is not simulated\ncommand terminated with exit code 126\n")
    r = sh(pod, "b", "ps")                        # the nginx image has no procps
    assert (r.code, r.err) == (127, "sh: 1: ps: not found\ncommand terminated with exit code 127\n")
    r = pod("exec", "two", "-c", "a", "--", "bash")
    assert r.code == 1 and 'exec: "bash": executable file not found in $PATH: unknown' in r.err
    r = sh(pod, "b", "printenv NGINX_VERSION; env | grep -c ^HOSTNAME=; bash -c 'echo ${BASH_VERSION%%.*}'")
    assert (r.code, r.out) == (0, "1.27.3\n1\n5\n")


def test_sleep_moves_the_scripts_clock_and_endless_loops_stop(pod):
    r = sh(pod, "a", "date +%s > /tmp/t0; sleep 90; echo $(( $(date +%s) - $(cat /tmp/t0) ))")
    assert r.out == "90\n"
    r = sh(pod, "a", "while true; do sleep 1; done")
    assert r.code == 124 and r.err.startswith("minikctl: a script running longer than 3600 s of simulated time")


def test_run_script_up_to_a_deadline_for_container_commands():
    """The seam for container commands: a quiet SimClock stops the script at its deadline, with
    the output so far and no message (the caller knows the container is still running)."""
    from minikctl.images.context import ExecContext
    from minikctl.images.registry import run
    from minikctl.sh.interp import SimClock
    from minikctl.sim.view import StaticView
    pod = {"metadata": {"name": "p", "namespace": "default", "uid": "u1"},
           "spec": {"containers": [{"name": "c", "image": "busybox"}]}, "status": {}}
    clock = SimClock(0.0, deadline=25.0, quiet=True)
    ctx = ExecContext(view=StaticView([]), pod=pod, container="c", clock=clock)
    out, err, code = run(ctx, ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 10; done"])
    assert (out, err, clock.stopped) == ("tick 1\ntick 2\ntick 3\n", "", True)


def test_timeout_runs_a_command_on_the_simulated_clock(pod):
    r = sh(pod, "a", "timeout 5 sh -c 'while true; do sleep 1; done'; echo rc=$?; timeout 5 echo quick; "
                     "echo aGVsbG8= | base64 -d; echo; find /etc/site -name '*.html'")
    assert (r.code, r.out, r.err) == (0, "rc=124\nquick\nhello\n/etc/site/index.html\n", "")


def test_a_deleted_pods_files_go_with_it(pod):
    assert sh(pod, "a", "echo x > /tmp/x; echo y > /shared/y").code == 0
    uid = pod("get", "pod", "two", "-o", "jsonpath={.metadata.uid}").out
    import sqlite3

    def keys():
        db = next(pod.home.rglob("*.db"))
        with sqlite3.connect(db) as c:
            return [k for (k,) in c.execute("SELECT key FROM meta WHERE key LIKE 'files/%'") if uid in k]
    assert len(keys()) == 2
    assert pod("delete", "pod", "two", "--grace-period=0", "--force").code == 0
    pod.advance(60)
    pod("get", "po")
    assert keys() == []
