"""systemd on the nodes: the kubelet stopped or broken, and what the control plane makes of it."""
from __future__ import annotations

import json


def ssh(mk, node, line):
    return mk("ssh", node, "--", line)


def node(mk, name):
    return json.loads(mk("get", "node", name, "-o", "json").out)


def ready(n):
    return next(c for c in n["status"]["conditions"] if c["type"] == "Ready")


def test_stopped_kubelet_makes_the_node_notready_within_the_grace_period(mk):
    mk("create", "deploy", "web", "--image=nginx", "--replicas=3")
    mk.advance(30)
    assert ssh(mk, "k8s-worker-01", "systemctl stop kubelet").code == 0
    r = ssh(mk, "k8s-worker-01", "systemctl status kubelet")
    assert r.code == 3
    assert "   Active: inactive (dead) since " in r.out
    assert "systemd[1]: Stopped kubelet: The Kubernetes Node Agent.\n" in r.out
    mk.advance(40)                         # within nodeMonitorGracePeriod (50 s): still Ready
    assert ready(node(mk, "k8s-worker-01"))["status"] == "True"
    mk.advance(20)                         # past it, at the next 5 s monitor period
    n = node(mk, "k8s-worker-01")
    assert {c["status"] for c in n["status"]["conditions"]} == {"Unknown"}
    assert ready(n)["reason"] == "NodeStatusUnknown" and ready(n)["message"] == "Kubelet stopped posting node status."
    taints = {(t["key"], t["effect"]) for t in n["spec"]["taints"]}
    assert taints == {("node.kubernetes.io/unreachable", "NoSchedule"), ("node.kubernetes.io/unreachable", "NoExecute")}
    table = mk("get", "nodes").out
    assert any(ln.split()[:2] == ["k8s-worker-01", "NotReady"] for ln in table.splitlines())
    # the pods there: not Ready now, evicted after DefaultTolerationSeconds (300 s), replaced elsewhere
    pods = json.loads(mk("get", "po", "-o", "json").out)["items"]
    there = [p for p in pods if p["spec"]["nodeName"] == "k8s-worker-01"]
    assert there and all(next(c for c in p["status"]["conditions"] if c["type"] == "Ready")["status"] == "False"
                         for p in there)
    mk.advance(200)
    pods = json.loads(mk("get", "po", "-o", "json").out)["items"]
    assert not any(p["metadata"].get("deletionTimestamp") for p in pods)
    mk.advance(120)
    pods = json.loads(mk("get", "po", "-o", "json").out)["items"]
    gone = [p for p in pods if p["spec"]["nodeName"] == "k8s-worker-01"]
    assert gone and all(p["metadata"].get("deletionTimestamp") for p in gone)   # Terminating: no kubelet to confirm
    live = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
    assert len(live) == 3 and all(p["spec"]["nodeName"] != "k8s-worker-01" for p in live)
    # back: the kubelet posts again, the taints go
    assert ssh(mk, "k8s-worker-01", "systemctl start kubelet").code == 0
    mk.advance(5)
    n = node(mk, "k8s-worker-01")
    assert ready(n)["status"] == "True" and not any(
        t["key"] == "node.kubernetes.io/unreachable" for t in n["spec"].get("taints") or [])


def test_kubelet_config_path_typo_crash_loops_with_the_kubelets_message(mk):
    r = ssh(mk, "k8s-worker-02", "sed -i 's#config.yaml#config.yml#' "
                                 "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf; systemctl restart kubelet")
    assert r.err == ("Warning: kubelet.service changed on disk. Run 'systemctl daemon-reload' to reload units.\n")
    mk.advance(2)
    r = ssh(mk, "k8s-worker-02", "systemctl is-active kubelet")
    assert r.out == "active\n"                 # the unit systemd still holds read the right file
    assert ssh(mk, "k8s-worker-02", "systemctl daemon-reload; systemctl restart kubelet").code == 0
    mk.advance(1)
    r = ssh(mk, "k8s-worker-02", "systemctl status kubelet")
    assert r.code == 3 and "   Active: activating (auto-restart) (Result: exit-code) since " in r.out
    assert "(code=exited, status=1/FAILURE)" in r.out
    r = ssh(mk, "k8s-worker-02", "journalctl -u kubelet --no-pager | tail -4")
    assert ('run.go:72] "command failed" err="failed to load kubelet config file, path: /var/lib/kubelet/config.yml, '
            'error: failed to load Kubelet config file /var/lib/kubelet/config.yml, error failed to read kubelet '
            'config file \\"/var/lib/kubelet/config.yml\\", error: open /var/lib/kubelet/config.yml: no such file or '
            'directory"') in r.out
    mk.advance(60)
    assert ready(node(mk, "k8s-worker-02"))["status"] == "Unknown"
    # fixed: the next automatic restart (RestartSec=10) finds the file
    ssh(mk, "k8s-worker-02", "sed -i 's#config.yml#config.yaml#' /etc/systemd/system/kubelet.service.d/10-kubeadm.conf;"
                             " systemctl daemon-reload")
    mk.advance(11)
    assert ssh(mk, "k8s-worker-02", "systemctl is-active kubelet").out == "active\n"
    mk.advance(1)
    assert ready(node(mk, "k8s-worker-02"))["status"] == "True"


def test_wrong_client_ca_path_and_stopped_runtime(mk):
    ssh(mk, "k8s-worker-03", "sed -i 's#/etc/kubernetes/pki/ca.crt#/etc/kubernetes/pki/ca.pem#' "
                             "/var/lib/kubelet/config.yaml; systemctl restart kubelet")
    mk.advance(2)
    r = ssh(mk, "k8s-worker-03", "journalctl -u kubelet -n 20")
    assert ('"command failed" err="failed to construct kubelet dependencies: unable to load client CA file '
            '/etc/kubernetes/pki/ca.pem: open /etc/kubernetes/pki/ca.pem: no such file or directory"') in r.out
    assert r.out.startswith("-- Logs begin at ")
    ssh(mk, "k8s-worker-03", "sed -i 's#ca.pem#ca.crt#' /var/lib/kubelet/config.yaml")
    mk.advance(11)
    assert ssh(mk, "k8s-worker-03", "systemctl is-active kubelet").code == 0
    # containerd stopped under a running kubelet: Ready=False, the runtime is down
    assert ssh(mk, "k8s-worker-03", "systemctl stop containerd").code == 0
    mk.advance(1)
    n = node(mk, "k8s-worker-03")
    assert (ready(n)["status"], ready(n)["reason"]) == ("False", "KubeletNotReady")
    assert ("node.kubernetes.io/not-ready", "NoExecute") in {(t["key"], t["effect"]) for t in n["spec"]["taints"]}
    r = ssh(mk, "k8s-worker-03", "crictl ps")
    assert r.code == 1 and "connect: no such file or directory" in r.err
    # and a kubelet restarted without its runtime does not start at all
    ssh(mk, "k8s-worker-03", "systemctl restart kubelet")
    mk.advance(1)
    r = ssh(mk, "k8s-worker-03", "journalctl -u kubelet | grep 'command failed' | tail -1")
    assert 'validate CRI v1 runtime API for endpoint \\"unix:///var/run/containerd/containerd.sock\\"' in r.out
    ssh(mk, "k8s-worker-03", "systemctl start containerd")
    mk.advance(11)
    assert ssh(mk, "k8s-worker-03", "systemctl is-active kubelet containerd").out == "active\nactive\n"


def test_systemctl_messages_for_enable_disable_and_unknown_units(mk):
    r = ssh(mk, "k8s-worker-01", "systemctl disable kubelet")
    assert r.err == "Removed symlink /etc/systemd/system/multi-user.target.wants/kubelet.service.\n"
    r = ssh(mk, "k8s-worker-01", "systemctl is-enabled kubelet")
    assert (r.out, r.code) == ("disabled\n", 1)
    r = ssh(mk, "k8s-worker-01", "systemctl enable kubelet")
    assert r.err == ("Created symlink from /etc/systemd/system/multi-user.target.wants/kubelet.service to "
                     "/usr/lib/systemd/system/kubelet.service.\n")
    r = ssh(mk, "k8s-worker-01", "systemctl status kubelt")
    assert (r.err, r.code) == ("Unit kubelt.service could not be found.\n", 4)
    r = ssh(mk, "k8s-worker-01", "systemctl start kubelt")
    assert (r.err, r.code) == ("Failed to start kubelt.service: Unit not found.\n", 5)
    r = ssh(mk, "k8s-worker-01", "systemctl restart sshd")
    assert r.code == 126 and "is not simulated" in r.err


def test_a_misspelt_kubelet_flag_fails_and_an_unlisted_real_one_does_not(mk):
    ssh(mk, "k8s-worker-01", "echo 'KUBELET_EXTRA_ARGS=--node-ipp=192.168.1.11' > /etc/sysconfig/kubelet; "
                             "systemctl restart kubelet")
    mk.advance(1)
    r = ssh(mk, "k8s-worker-01", "journalctl -u kubelet -n 5")
    assert '"command failed" err="failed to parse kubelet flag: unknown flag: --node-ipp"' in r.out
    ssh(mk, "k8s-worker-01", "echo 'KUBELET_EXTRA_ARGS=--node-status-max-images=25' > /etc/sysconfig/kubelet; "
                             "systemctl restart kubelet")
    mk.advance(1)
    assert ssh(mk, "k8s-worker-01", "systemctl is-active kubelet").out == "active\n"


def test_describe_node_lists_the_nodes_events(mk):
    """A node's events live in `default` but name a cluster-scoped object: their reference has no
    namespace, so `describe node` finds them (it printed `Events: <none>` while `get events`
    listed NodeNotReady)."""
    assert ssh(mk, "k8s-worker-01", "systemctl stop kubelet").code == 0
    mk.advance(60)
    events = json.loads(mk("get", "events", "-n", "default", "-o", "json").out)["items"]
    ev = next(e for e in events if e["involvedObject"]["kind"] == "Node" and e["reason"] == "NodeNotReady")
    assert "namespace" not in ev["involvedObject"] and ev["metadata"]["namespace"] == "default"
    out = mk("describe", "node", "k8s-worker-01").out
    events_block = out[out.index("\nEvents:"):]
    assert "NodeNotReady" in events_block and "Node k8s-worker-01 status is now: NodeNotReady" in events_block
    assert "Events:  <none>" not in out and "NodeNotReady" not in mk("describe", "node", "k8s-worker-02").out
