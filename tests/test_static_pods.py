"""Static pods from files (the kubernetes.io "Create static Pods" task) and a broken control plane."""
from __future__ import annotations

import json

STATIC_WEB = """cat <<EOF >/etc/kubernetes/manifests/static-web.yaml
apiVersion: v1
kind: Pod
metadata:
  name: static-web
  labels:
    role: myrole
spec:
  containers:
    - name: web
      image: nginx
      ports:
        - name: web
          containerPort: 80
          protocol: TCP
EOF"""

REFUSED = "The connection to the server 192.168.1.10:6443 was refused - did you specify the right host or port?\n"


def ssh(mk, node, line):
    return mk("ssh", node, "--", line)


def test_the_static_pods_page_replays(mk):
    # "Filesystem-hosted static Pod manifest": on the node, write the manifest
    r = ssh(mk, "k8s-worker-01", "mkdir -p /etc/kubernetes/manifests/ && " + STATIC_WEB)
    assert r.code == 0, r.err
    mk.advance(30)
    # "kubectl get pods" shows the mirror pod NAME-NODENAME, Running
    r = mk("get", "pods")
    lines = r.out.splitlines()
    assert lines[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert lines[1].split()[:4] == ["static-web-k8s-worker-01", "1/1", "Running", "0"]
    pod = json.loads(mk("get", "pod", "static-web-k8s-worker-01", "-o", "json").out)
    ann = pod["metadata"]["annotations"]
    assert ann["kubernetes.io/config.source"] == "file"
    assert ann["kubernetes.io/config.mirror"] == ann["kubernetes.io/config.hash"]
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "Node"
    assert pod["metadata"]["labels"] == {"role": "myrole"}
    # "crictl ps" on the node lists the container
    r = ssh(mk, "k8s-worker-01", "crictl ps")
    assert any(" web " in ln and ln.split()[-1] == "static-web-k8s-worker-01" for ln in r.out.splitlines()[1:])
    # deleting the mirror pod through the API does not remove the static pod: it comes back
    r = mk("delete", "pod", "static-web-k8s-worker-01")
    assert r.out == 'pod "static-web-k8s-worker-01" deleted\n'
    mk.advance(30)
    r = mk("get", "pods")
    assert r.out.splitlines()[1].split()[:3] == ["static-web-k8s-worker-01", "1/1", "Running"]
    # "Dynamic addition and removal of static pods"
    ssh(mk, "k8s-worker-01", "mv /etc/kubernetes/manifests/static-web.yaml /tmp")
    mk.advance(20)
    r = ssh(mk, "k8s-worker-01", "crictl ps")
    assert "static-web" not in r.out
    assert "static-web" not in mk("get", "pods").out + mk("get", "pods").err
    ssh(mk, "k8s-worker-01", "mv /tmp/static-web.yaml /etc/kubernetes/manifests/")
    mk.advance(20)
    r = ssh(mk, "k8s-worker-01", "crictl ps")
    assert any(ln.split()[-1] == "static-web-k8s-worker-01" for ln in r.out.splitlines()[1:])


def test_a_malformed_manifest_is_logged_and_ignored(mk):
    r = ssh(mk, "k8s-worker-02", "printf 'apiVersion: v1\\nkind: Pod\\nmetadata:\\n  name: bad\\n spec: [\\n' "
                                 "> /etc/kubernetes/manifests/bad.yaml")
    assert r.code == 0
    mk.advance(5)
    r = ssh(mk, "k8s-worker-02", "journalctl -u kubelet | grep 'Could not process manifest file'")
    assert r.code == 0 and 'path="/etc/kubernetes/manifests/bad.yaml"' in r.out
    assert "bad-k8s-worker-02" not in mk("get", "pods", "-A").out


def test_broken_apiserver_manifest_refuses_every_command_until_fixed(mk):
    assert mk("get", "pods", "-A").code == 0
    r = ssh(mk, "k8s-master", "sed -i 's#/etc/kubernetes/pki/apiserver.crt#/etc/kubernetes/pki/apiserver.crtx#' "
                              "/etc/kubernetes/manifests/kube-apiserver.yaml")
    assert r.code == 0
    for argv in (["get", "pods"], ["get", "nodes"], ["describe", "node", "k8s-master"],
                 ["create", "deploy", "x", "--image=nginx"], ["delete", "pod", "x"], ["run", "x", "--image=nginx"],
                 ["apply", "-f", "-"], ["logs", "x"], ["scale", "deploy/x", "--replicas=2"]):
        r = mk(*argv, stdin="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
        assert (r.code, r.out, r.err) == (1, "", REFUSED), argv
    # the node is still reachable: the learner reads and fixes the manifest there
    r = ssh(mk, "k8s-master", "grep apiserver.crtx /etc/kubernetes/manifests/kube-apiserver.yaml")
    assert r.code == 0
    ssh(mk, "k8s-master", "sed -i 's#apiserver.crtx#apiserver.crt#' /etc/kubernetes/manifests/kube-apiserver.yaml")
    assert mk("get", "pods", "-A").code == 0
    assert mk("create", "deploy", "x", "--image=nginx").code == 0


def test_a_misspelt_apiserver_flag_and_a_wrong_etcd_address(mk):
    ssh(mk, "k8s-master", "sed -i 's#--authorization-mode=#--authorisation-mode=#' "
                          "/etc/kubernetes/manifests/kube-apiserver.yaml")
    assert mk("get", "ns").err == REFUSED
    ssh(mk, "k8s-master", "sed -i 's#--authorisation-mode=#--authorization-mode=#; s#127.0.0.1:2379#127.0.0.1:2380#' "
                          "/etc/kubernetes/manifests/kube-apiserver.yaml")
    assert mk("get", "ns").err == REFUSED
    ssh(mk, "k8s-master", "sed -i 's#127.0.0.1:2380#127.0.0.1:2379#' /etc/kubernetes/manifests/kube-apiserver.yaml")
    assert mk("get", "ns").code == 0
    # etcd's own manifest broken: the API server cannot reach it
    ssh(mk, "k8s-master", "sed -i 's#--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt#--trusted-ca-file=/nope#' "
                          "/etc/kubernetes/manifests/etcd.yaml")
    assert mk("get", "ns").err == REFUSED


def test_broken_scheduler_leaves_new_pods_pending(mk):
    ssh(mk, "k8s-master", "mv /etc/kubernetes/manifests/kube-scheduler.yaml /root/")
    assert mk("run", "p", "--image=nginx").code == 0
    mk.advance(30)
    pod = json.loads(mk("get", "pod", "p", "-o", "json").out)
    assert pod["status"]["phase"] == "Pending" and not pod["spec"].get("nodeName")
    ssh(mk, "k8s-master", "mv /root/kube-scheduler.yaml /etc/kubernetes/manifests/")
    mk.advance(30)
    pod = json.loads(mk("get", "pod", "p", "-o", "json").out)
    assert pod["status"]["phase"] == "Running"


def test_broken_controller_manager_reconciles_nothing(mk):
    ssh(mk, "k8s-master", "sed -i 's#controller-manager.conf#controller-manager.cnf#g' "
                          "/etc/kubernetes/manifests/kube-controller-manager.yaml")
    assert mk("create", "deploy", "d", "--image=nginx").code == 0
    mk.advance(30)
    assert json.loads(mk("get", "rs", "-o", "json").out)["items"] == []
    ssh(mk, "k8s-master", "sed -i 's#controller-manager.cnf#controller-manager.conf#g' "
                          "/etc/kubernetes/manifests/kube-controller-manager.yaml")
    mk.advance(30)
    assert len(json.loads(mk("get", "rs", "-o", "json").out)["items"]) == 1


def test_crictl_and_ss_show_the_crash_looping_apiserver(mk):
    ssh(mk, "k8s-master", "sed -i 's#--authorization-mode=#--authorisation-mode=#' "
                          "/etc/kubernetes/manifests/kube-apiserver.yaml")
    mk.advance(45)
    r = ssh(mk, "k8s-master", "crictl ps --name kube-apiserver")
    assert r.out.count("\n") == 1                              # header only: not running
    r = ssh(mk, "k8s-master", "crictl ps -a | grep kube-apiserver")
    assert "Exited" in r.out
    r = ssh(mk, "k8s-master", "crictl logs $(crictl ps -a -q --name kube-apiserver | head -1)")
    assert r.err == "Error: unknown flag: --authorisation-mode\n"      # its stderr stream
    r = ssh(mk, "k8s-master", "ss -tlnp")
    assert ":6443 " not in r.out and "127.0.0.1:2379 " in r.out
    ssh(mk, "k8s-master", "sed -i 's#--authorisation-mode=#--authorization-mode=#' "
                          "/etc/kubernetes/manifests/kube-apiserver.yaml")
    assert '"kube-apiserver"' in ssh(mk, "k8s-master", "ss -tlnp | grep 6443").out


def test_a_deleted_control_plane_mirror_pod_comes_back_from_its_manifest(mk):
    r = mk("delete", "pod", "-n", "kube-system", "kube-scheduler-k8s-master")
    assert r.out == 'pod "kube-scheduler-k8s-master" deleted\n'
    mk.advance(20)
    pod = json.loads(mk("get", "pod", "-n", "kube-system", "kube-scheduler-k8s-master", "-o", "json").out)
    assert pod["status"]["phase"] == "Running"
    assert pod["spec"]["containers"][0]["command"][0] == "kube-scheduler"          # the manifest's pod
    assert pod["metadata"]["annotations"]["kubernetes.io/config.source"] == "file"


def _page(name: str) -> dict[str, list[str]]:
    """tests/data/k8s_pages/NAME: `## command` sections of a page's printed outputs."""
    from pathlib import Path
    out, key = {}, None
    for line in (Path(__file__).parent / "data" / "k8s_pages" / name).read_text().splitlines():
        if line.startswith("## "):
            key = line[3:]
            out[key] = []
        elif key is not None and not line.startswith("#"):
            out[key].append(line)
    return out


def test_the_static_pods_page_replays_with_its_printed_outputs(mk):
    """The page's own command lines, `sleep 20` included (a node's sleep lets the cluster's time
    pass), `crictl stop` of the static pod's container, and its printed outputs with the page's
    node my-node1 as k8s-worker-01."""
    page = _page("static-pod.txt")
    node = "k8s-worker-01"
    r = ssh(mk, node, "mkdir -p /etc/kubernetes/manifests/\n" + STATIC_WEB)
    assert r.code == 0, r.err
    assert ssh(mk, node, "systemctl restart kubelet").code == 0
    assert ssh(mk, node, "sleep 20").code == 0

    def pods():
        return [ln.split()[:4] for ln in mk("get", "pods").out.splitlines()]

    want = [ln.split()[:4] for ln in page["kubectl get pods"]]
    assert pods() == [[w.replace("my-node1", node) for w in row] for row in want]
    r = mk("delete", "pod", "static-web-k8s-worker-01")
    assert r.out.splitlines() == [ln.replace("my-node1", node) for ln in page["kubectl delete pod static-web-my-node1"]]
    want = [ln.split()[:4] for ln in page["kubectl get pods (after the delete)"]]
    assert pods() == [[w.replace("my-node1", node) for w in row] for row in want]
    # "stop the container manually ... the kubelet will notice and will restart the Pod"
    cid = ssh(mk, node, "crictl ps --name web -q").out.split()[0]
    r = ssh(mk, node, f"crictl stop {cid[:13]} # replace with the ID of your container\nsleep 20\ncrictl ps")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == cid[:13]
    assert lines[1].split()[:7] == ["CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD"]
    web = [ln.split() for ln in lines[2:] if ln.split()[-1] == "static-web-k8s-worker-01"]
    assert len(web) == 1 and web[0][0] != cid[:13]
    assert web[0][2] in ("19", "20") and web[0][3:8] == ["seconds", "ago", "Running", "web", "1"]
    # "Dynamic addition and removal of static pods", as the page types it
    r = ssh(mk, node, "mv /etc/kubernetes/manifests/static-web.yaml /tmp\nsleep 20\ncrictl ps")
    assert "static-web" not in r.out
    r = ssh(mk, node, "mv /tmp/static-web.yaml  /etc/kubernetes/manifests/\nsleep 20\ncrictl ps")
    web = [ln.split() for ln in r.out.splitlines()[1:] if ln.split()[-1] == "static-web-k8s-worker-01"]
    assert len(web) == 1 and web[0][2] in ("19", "20") and web[0][3:7] == ["seconds", "ago", "Running", "web"]
