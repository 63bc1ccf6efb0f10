"""kubectl get tables: literals from get_test.go, the flagship spec's three tables, and the
per-kind cell rules of kubectl-formats.md section 3. Every rendered table goes through
tests/tablecheck.py."""
import subprocess
import sys

import pytest

from minikctl.printers.table import columns_for, pod_summary, render_tables
from minikctl.sim.view import StaticView
from minikctl.timeutil import fmt
from conftest import ROOT, table_check as layout

NOW = 1_700_000_000.0


def table_check(text: str) -> None:
    code, report = layout(text)
    assert code == 0, report


def ago(seconds: float) -> str:
    return fmt(NOW - seconds)


def pod(name, *, ns="default", age=780, ip=None, node=None, labels=None, statuses=None, phase="Running",
        containers=("web",), conditions=None, **extra):
    p = {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": name, "namespace": ns, "creationTimestamp": ago(age), "labels": labels or {},
                      "uid": f"uid-{name}"},
         "spec": {"containers": [{"name": c, "image": "nginx"} for c in containers]},
         "status": {"phase": phase}}
    if node:
        p["spec"]["nodeName"] = node
        p["status"]["hostIP"] = "192.168.1.13"
    if ip:
        p["status"]["podIP"] = ip
        p["status"]["podIPs"] = [{"ip": ip}]
    if statuses is None and phase == "Running":
        statuses = [{"name": c, "ready": True, "restartCount": 0, "state": {"running": {"startedAt": ago(age)}}}
                    for c in containers]
    if statuses is not None:
        p["status"]["containerStatuses"] = statuses
    if conditions is not None:
        p["status"]["conditions"] = conditions
    for k, v in extra.items():
        p[k] = v
    return p


def service(name, *, cluster_ip, selector, labels=None, age=780, typ="ClusterIP", ports=None, **spec):
    s = {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": name, "namespace": "default", "creationTimestamp": ago(age), "labels": labels or {}},
         "spec": {"type": typ, "clusterIP": cluster_ip, "clusterIPs": [cluster_ip] if cluster_ip else [],
                  "selector": selector,
                  "ports": ports if ports is not None else [{"port": 80, "protocol": "TCP", "targetPort": 80}]}}
    s["spec"].update(spec)
    return s


def view(*objs):
    return StaticView(objs, now=NOW)


# ---- literals from get_test.go ---------------------------------------------------------

def test_get_test_literal_pods_and_services_groups():
    foo = {"kind": "Pod", "metadata": {"name": "foo", "namespace": "test"}, "spec": {"containers": []}, "status": {}}
    bar = {"kind": "Pod", "metadata": {"name": "bar", "namespace": "test"}, "spec": {"containers": []}, "status": {}}
    baz = {"kind": "Service", "metadata": {"name": "baz", "namespace": "test"}, "spec": {"type": "ClusterIP"}}
    out = render_tables([("Pod", [foo, bar]), ("Service", [baz])], view())
    assert out == ("NAME      READY   STATUS   RESTARTS   AGE\n"
                   "pod/foo   0/0              0          <unknown>\n"
                   "pod/bar   0/0              0          <unknown>\n"
                   "\n"
                   "NAME          TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n"
                   "service/baz   ClusterIP   <none>       <none>        <none>    <unknown>\n")
    table_check(out)


def test_get_test_literal_show_labels():
    foo = {"kind": "Pod", "metadata": {"name": "foo", "namespace": "test"}, "spec": {"containers": []}, "status": {}}
    out = render_tables([("Pod", [foo])], view(), show_labels=True)
    assert out == ("NAME   READY   STATUS   RESTARTS   AGE         LABELS\n"
                   "foo    0/0              0          <unknown>   <none>\n")
    table_check(out)


def test_get_test_literal_node_show_kind_trailing_padding():
    node = {"kind": "Node", "metadata": {"name": "foo"}, "status": {}}
    out = render_tables([("Node", [node])], view(), show_kind=True)
    assert out == ("NAME       STATUS    ROLES    AGE         VERSION\n"
                   "node/foo   Unknown   <none>   <unknown>   \n")
    table_check(out)


# ---- the flagship spec's three tables ---------------------------------------------------

def _server_pod(name, ip, node, age, app):
    return pod(name, ip=ip, node=node, age=age, labels={"app": app})


def test_spec_table_headless_deployment():
    svc = service("headless-svc", cluster_ip="None", selector={"app": "headless-server"},
                  labels={"app": "headless-server"})
    pods = [_server_pod("pod-server-698fc7fb58-8mbsf", "10.100.7.159", "k8s-worker-03", 780, "headless-server"),
            _server_pod("pod-server-698fc7fb58-cnqrn", "10.100.7.160", "k8s-worker-03", 780, "headless-server"),
            _server_pod("pod-server-698fc7fb58-nqd4w", "10.100.7.158", "k8s-worker-03", 780, "headless-server")]
    out = render_tables([("Service", [svc]), ("Pod", pods)], view(svc, *pods), wide=True)
    assert out == """\
NAME                   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE   SELECTOR
service/headless-svc   ClusterIP   None         <none>        80/TCP    13m   app=headless-server

NAME                              READY   STATUS    RESTARTS   AGE   IP             NODE            NOMINATED NODE   READINESS GATES
pod/pod-server-698fc7fb58-8mbsf   1/1     Running   0          13m   10.100.7.159   k8s-worker-03   <none>           <none>
pod/pod-server-698fc7fb58-cnqrn   1/1     Running   0          13m   10.100.7.160   k8s-worker-03   <none>           <none>
pod/pod-server-698fc7fb58-nqd4w   1/1     Running   0          13m   10.100.7.158   k8s-worker-03   <none>           <none>
"""
    table_check(out)


def test_spec_table_clusterip_service():
    svc = service("web-server-svc", cluster_ip="10.96.254.166", selector={"app": "web-server"}, age=481)
    pods = [_server_pod("web-server-pod-7b69fcf97c-bzrrt", "10.100.118.91", "k8s-worker-02", 481, "web-server"),
            _server_pod("web-server-pod-7b69fcf97c-p5mbg", "10.100.7.164", "k8s-worker-03", 481, "web-server"),
            _server_pod("web-server-pod-7b69fcf97c-qdx7j", "10.100.7.163", "k8s-worker-03", 481, "web-server")]
    out = render_tables([("Service", [svc]), ("Pod", pods)], view(), wide=True)
    assert out == """\
NAME                     TYPE        CLUSTER-IP      EXTERNAL-IP   PORT(S)   AGE    SELECTOR
service/web-server-svc   ClusterIP   10.96.254.166   <none>        80/TCP    8m1s   app=web-server

NAME                                  READY   STATUS    RESTARTS   AGE    IP              NODE            NOMINATED NODE   READINESS GATES
pod/web-server-pod-7b69fcf97c-bzrrt   1/1     Running   0          8m1s   10.100.118.91   k8s-worker-02   <none>           <none>
pod/web-server-pod-7b69fcf97c-p5mbg   1/1     Running   0          8m1s   10.100.7.164    k8s-worker-03   <none>           <none>
pod/web-server-pod-7b69fcf97c-qdx7j   1/1     Running   0          8m1s   10.100.7.163    k8s-worker-03   <none>           <none>
"""
    table_check(out)


def test_spec_table_statefulset():
    svc = service("headless-web-server-svc", cluster_ip="None", selector={"app": "headless-web-server"}, age=35)
    pods = [_server_pod("web-server-0", "10.100.36.233", "k8s-worker-01", 32, "headless-web-server"),
            _server_pod("web-server-1", "10.100.7.170", "k8s-worker-03", 28, "headless-web-server"),
            _server_pod("web-server-2", "10.100.118.97", "k8s-worker-02", 26, "headless-web-server")]
    out = render_tables([("Service", [svc]), ("Pod", pods)], view(), wide=True)
    lines = out.splitlines()
    assert lines[1] == ("service/headless-web-server-svc   ClusterIP   None         <none>        80/TCP    35s   "
                        "app=headless-web-server")
    assert lines[3] == ("NAME               READY   STATUS    RESTARTS   AGE   IP              NODE            "
                        "NOMINATED NODE   READINESS GATES")
    assert lines[4] == ("pod/web-server-0   1/1     Running   0          32s   10.100.36.233   k8s-worker-01   "
                        "<none>           <none>")
    table_check(out)


# ---- rules ------------------------------------------------------------------------------

def test_single_kind_no_prefix_and_empty_groups_skipped():
    p = pod("a", ip="10.0.0.1")
    assert render_tables([("Service", []), ("Pod", [p])], view()).startswith("NAME   READY")
    assert render_tables([("Pod", []), ("Service", [])], view()) == ""


def test_deployment_prefix_uses_group():
    d = {"kind": "Deployment", "metadata": {"name": "web", "namespace": "default", "creationTimestamp": ago(120)},
         "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                  "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}},
         "status": {"readyReplicas": 3, "updatedReplicas": 3, "availableReplicas": 3}}
    p = pod("a")
    out = render_tables([("Pod", [p]), ("Deployment", [d])], view(), wide=True)
    assert "deployment.apps/web   3/3     3            3           2m    nginx        nginx:1.25   app=web" in out
    table_check(out)


def test_all_namespaces_labels_columns_and_no_headers():
    p = pod("a", ns="kube-system", labels={"app": "dns", "k8s-app": "kube-dns"})
    n = {"kind": "Node", "metadata": {"name": "n1", "creationTimestamp": ago(864000)}, "status": {}}
    out = render_tables([("Pod", [p])], view(), all_namespaces=True, label_columns=["k8s-app", "x/app"])
    assert out.splitlines()[0] == "NAMESPACE     NAME   READY   STATUS    RESTARTS   AGE   K8S-APP    APP"
    assert out.splitlines()[1] == "kube-system   a      1/1     Running   0          13m   kube-dns   "
    table_check(out)
    # cluster-scoped kinds never get NAMESPACE
    assert render_tables([("Node", [n])], view(), all_namespaces=True).startswith("NAME ")
    assert render_tables([("Pod", [p])], view(), no_headers=True) == "a     1/1   Running   0     13m\n"


def test_pod_status_rules():
    creating = pod("c", phase="Pending", statuses=[
        {"name": "web", "ready": False, "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}])
    assert pod_summary(creating)[:3] == (0, 1, "ContainerCreating")
    crash = pod("c", statuses=[
        {"name": "web", "ready": False, "restartCount": 4,
         "state": {"waiting": {"reason": "CrashLoopBackOff"}},
         "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(130)}}}])
    cols = {c.name: c for c in columns_for("Pod")}
    assert cols["Status"].cell(crash, view()) == "CrashLoopBackOff"
    assert cols["Restarts"].cell(crash, view()) == "4 (2m10s ago)"
    done = pod("d", phase="Succeeded", statuses=[
        {"name": "web", "ready": False, "restartCount": 0,
         "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}])
    assert cols["Status"].cell(done, view()) == "Completed"
    # lowest-index non-running container wins (iterated last to first)
    two = pod("t", containers=("a", "b"), statuses=[
        {"name": "a", "ready": False, "state": {"waiting": {"reason": "ErrImagePull"}}},
        {"name": "b", "ready": False, "state": {"waiting": {"reason": "ImagePullBackOff"}}}])
    assert cols["Status"].cell(two, view()) == "ErrImagePull"
    # Completed with a running container: Running if Ready, else NotReady
    mixed = [{"name": "a", "ready": True, "state": {"running": {}}},
             {"name": "b", "ready": False, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]
    assert cols["Status"].cell(pod("m", containers=("a", "b"), statuses=mixed), view()) == "NotReady"
    ready = pod("m", containers=("a", "b"), statuses=mixed, conditions=[{"type": "Ready", "status": "True"}])
    assert cols["Status"].cell(ready, view()) == "Running"
    term = pod("x")
    term["metadata"]["deletionTimestamp"] = ago(1)
    assert cols["Status"].cell(term, view()) == "Terminating"
    init = pod("i", phase="Pending", statuses=[])
    init["spec"]["initContainers"] = [{"name": "init", "image": "busybox"}]
    init["status"]["initContainerStatuses"] = [{"name": "init", "state": {"running": {}}}]
    assert cols["Status"].cell(init, view()) == "Init:0/1"


def test_service_cells():
    cols = {c.name: c for c in columns_for("Service")}
    np = service("web", cluster_ip="10.104.35.12", selector={"app": "web"}, typ="NodePort",
                 ports=[{"port": 80, "nodePort": 30080, "protocol": "TCP"},
                        {"port": 443, "nodePort": 31443, "protocol": "TCP"}])
    assert cols["Port(s)"].cell(np, view()) == "80:30080/TCP,443:31443/TCP"
    lb = service("lb", cluster_ip="10.99.7.201", selector={}, typ="LoadBalancer")
    assert cols["External-IP"].cell(lb, view()) == "<pending>"
    assert cols["Selector"].cell(lb, view()) == "<none>"
    lb["status"] = {"loadBalancer": {"ingress": [{"ip": "192.168.100.200"}, {"ip": "192.168.100.201"}]}}
    assert cols["External-IP"].cell(lb, view()) == "192.168.100.2..."  # first 13 chars + "..."
    assert columns_for("Service", wide=True)[3].cell(lb, view()) == "192.168.100.200,192.168.100.201"
    ext = service("ext", cluster_ip="", selector={}, typ="ExternalName", ports=[], externalName="example.com")
    assert [cols[n].cell(ext, view()) for n in ("Cluster-IP", "External-IP", "Port(s)")] == \
        ["<none>", "example.com", "<none>"]


def test_endpoints_and_slices_more():
    ep = {"kind": "Endpoints", "metadata": {"name": "web", "namespace": "default", "creationTimestamp": ago(120)},
          "subsets": [{"addresses": [{"ip": f"10.244.{i}.5"} for i in (1, 2, 3, 4)],
                       "notReadyAddresses": [{"ip": "10.244.9.9"}], "ports": [{"port": 80, "protocol": "TCP"}]}]}
    none = {"kind": "Endpoints", "metadata": {"name": "nosel", "namespace": "default", "creationTimestamp": ago(60)}}
    out = render_tables([("Endpoints", [none, ep])], view())
    assert out == ("NAME    ENDPOINTS                                               AGE\n"
                   "nosel   <none>                                                  60s\n"
                   "web     10.244.1.5:80,10.244.2.5:80,10.244.3.5:80 + 1 more...   2m\n")
    table_check(out)
    es = {"kind": "EndpointSlice", "addressType": "IPv4",
          "metadata": {"name": "my-nginx-7vzhx", "namespace": "default", "creationTimestamp": ago(21)},
          "ports": [{"name": "", "port": 80, "protocol": "TCP"}],
          "endpoints": [{"addresses": ["10.244.2.5"], "conditions": {"ready": True}},
                        {"addresses": ["10.244.3.4"], "conditions": {"ready": False}}]}
    out = render_tables([("EndpointSlice", [es])], view())
    assert out == ("NAME             ADDRESSTYPE   PORTS   ENDPOINTS               AGE\n"
                   "my-nginx-7vzhx   IPv4          80      10.244.2.5,10.244.3.4   21s\n")
    table_check(out)


def test_nodes_roles_and_scheduling_disabled():
    def node(name, labels, unsched=False, ready="True"):
        return {"kind": "Node", "metadata": {"name": name, "labels": labels, "creationTimestamp": ago(864000)},
                "spec": {"unschedulable": unsched} if unsched else {},
                "status": {"conditions": [{"type": "MemoryPressure", "status": "False"},
                                          {"type": "Ready", "status": ready}],
                           "addresses": [{"type": "InternalIP", "address": "192.168.1.10"},
                                         {"type": "Hostname", "address": name}],
                           "nodeInfo": {"kubeletVersion": "v1.32.0", "osImage": "CentOS Linux 7 (Core)",
                                        "kernelVersion": "3.10.0", "containerRuntimeVersion": "containerd://1.6.8"}}}
    nodes = [node("control-plane", {"node-role.kubernetes.io/control-plane": ""}),
             node("node-1", {"kubernetes.io/role": "worker", "node-role.kubernetes.io/": "x"}, unsched=True),
             node("node-2", {}, ready="Unknown")]
    out = render_tables([("Node", nodes)], view())
    assert out == ("NAME            STATUS                     ROLES           AGE   VERSION\n"
                   "control-plane   Ready                      control-plane   10d   v1.32.0\n"
                   "node-1          Ready,SchedulingDisabled   worker          10d   v1.32.0\n"
                   "node-2          NotReady                   <none>          10d   v1.32.0\n")
    table_check(out)
    wide = render_tables([("Node", nodes[:1])], view(), wide=True)
    assert wide.splitlines()[1].endswith("192.168.1.10   <none>        CentOS Linux 7 (Core)   3.10.0           "
                                         "containerd://1.6.8")
    table_check(wide)


def test_replicaset_statefulset_namespace_configmap_event():
    rs = {"kind": "ReplicaSet", "metadata": {"name": "nginx-7854ff8877", "namespace": "default",
                                             "creationTimestamp": ago(120)},
          "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx", "pod-template-hash": "7854ff8877"}},
                   "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}},
          "status": {"replicas": 3, "readyReplicas": 3}}
    out = render_tables([("ReplicaSet", [rs])], view(), wide=True)
    assert out.splitlines()[1] == ("nginx-7854ff8877   3         3         3       2m    nginx        nginx:1.25   "
                                   "app=nginx,pod-template-hash=7854ff8877")
    table_check(out)
    sts = {"kind": "StatefulSet", "metadata": {"name": "web", "namespace": "default", "creationTimestamp": ago(300)},
           "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}},
           "status": {"readyReplicas": 3}}
    out = render_tables([("StatefulSet", [sts])], view(), wide=True)
    assert out == "NAME   READY   AGE   CONTAINERS   IMAGES\nweb    3/3     5m    nginx        nginx:1.25\n"
    ns = {"kind": "Namespace", "metadata": {"name": "default", "creationTimestamp": ago(864000)},
          "status": {"phase": "Active"}}
    assert render_tables([("Namespace", [ns])], view()) == "NAME      STATUS   AGE\ndefault   Active   10d\n"
    cm = {"kind": "ConfigMap", "metadata": {"name": "kube-root-ca.crt", "namespace": "default",
                                            "creationTimestamp": ago(864000)}, "data": {"ca.crt": "x"}}
    assert render_tables([("ConfigMap", [cm])], view()) == ("NAME               DATA   AGE\n"
                                                             "kube-root-ca.crt   1      10d\n")
    ev = {"kind": "Event", "metadata": {"name": "web-0.17a", "namespace": "default"},
          "involvedObject": {"kind": "Pod", "name": "web-0", "namespace": "default"},
          "type": "Normal", "reason": "Scheduled", "message": "Successfully assigned default/web-0 to node-1",
          "firstTimestamp": ago(12), "lastTimestamp": ago(12), "count": 1,
          "source": {"component": "default-scheduler"}}
    out = render_tables([("Event", [ev])], view())
    assert out == ("LAST SEEN   TYPE     REASON      OBJECT      MESSAGE\n"
                   "12s         Normal   Scheduled   pod/web-0   Successfully assigned default/web-0 to node-1\n")
    table_check(out)


def test_fallback_and_multiline_cell():
    x = {"kind": "Lease", "metadata": {"name": "s", "namespace": "default", "creationTimestamp": ago(5)}}
    assert render_tables([("Lease", [x])], view()) == "NAME   AGE\ns      5s\n"
    ev = {"kind": "Event", "metadata": {"name": "e", "namespace": "default"}, "involvedObject": {"kind": "Pod"},
          "message": "line one\nline two", "firstTimestamp": ago(3)}
    assert "line one...\n" in render_tables([("Event", [ev])], view())


def test_colour_pads_on_plain_text_and_plain_path_skips_rich():
    code = ("import sys; from minikctl.printers.table import render_tables; from minikctl.sim.view import StaticView;"
            "render_tables([('Namespace', [{'kind': 'Namespace', 'metadata': {'name': 'a'}, 'status': {}}])],"
            " StaticView([], profile={})); print('rich' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT))
    assert r.stdout.strip() == "False", r.stderr
    import re
    p = pod("a")
    coloured = render_tables([("Pod", [p])], view(), colour=True)
    assert "\x1b[32mRunning\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render_tables([("Pod", [p])], view())


@pytest.mark.parametrize("kind", ["Pod", "Service", "Endpoints", "EndpointSlice", "Deployment", "ReplicaSet",
                                  "StatefulSet", "Node", "Namespace", "ConfigMap", "Event", "DaemonSet"])
def test_every_kind_has_name_first_and_uppercase_headers(kind):
    cols = columns_for(kind, wide=True)
    assert cols and all(c.name for c in cols)
    assert (cols[0].name == "Name") != (kind == "Event")
