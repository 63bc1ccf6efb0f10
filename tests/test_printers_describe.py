"""kubectl describe: literals from describe_test.go and the rendered samples of
kubectl-formats.md section 4, plus the version deltas of section 9."""
from minikctl.printers.describe import describe
from minikctl.sim.view import StaticView
from minikctl.timeutil import fmt, parse

NOW = parse("2024-05-01T10:00:43Z")


def view(*objs, version="v1.32.0"):
    return StaticView(objs, now=NOW, profile={"kubernetesVersion": version})


def slice_(svc, addrs, *, port=9527, pname="port-tcp", ready=True, name=None):
    return {"kind": "EndpointSlice", "addressType": "IPv4",
            "metadata": {"name": name or f"{svc}-abcde", "namespace": "foo",
                         "labels": {"kubernetes.io/service-name": svc}},
            "ports": [{"name": pname, "port": port, "protocol": "TCP"}],
            "endpoints": [{"addresses": [a], "conditions": {"ready": ready}} for a in addrs]}


def lb_service():
    return {"kind": "Service", "metadata": {"name": "bar", "namespace": "foo"},
            "spec": {"type": "LoadBalancer", "selector": {"blah": "heh"}, "clusterIP": "1.2.3.4",
                     "ipFamilies": ["IPv4"], "loadBalancerIP": "5.6.7.8", "sessionAffinity": "None",
                     "externalTrafficPolicy": "Local", "internalTrafficPolicy": "Cluster",
                     "healthCheckNodePort": 32222,
                     "ports": [{"name": "port-tcp", "port": 8080, "protocol": "TCP", "targetPort": 9527,
                                "nodePort": 31111}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "5.6.7.8", "ipMode": "VIP"}]}}}


def test_describe_service_literal_test1():
    v = view(lb_service(), slice_("bar", ["10.244.0.1", "10.244.0.2", "10.244.0.3"]))
    assert describe(lb_service(), v) == """\
Name:                     bar
Namespace:                foo
Labels:                   <none>
Annotations:              <none>
Selector:                 blah=heh
Type:                     LoadBalancer
IP Families:              IPv4
IP:                       1.2.3.4
IPs:                      <none>
Desired LoadBalancer IP:  5.6.7.8
LoadBalancer Ingress:     5.6.7.8 (VIP)
Port:                     port-tcp  8080/TCP
TargetPort:               9527/TCP
NodePort:                 port-tcp  31111/TCP
Endpoints:                10.244.0.1:9527,10.244.0.2:9527,10.244.0.3:9527
Session Affinity:         None
External Traffic Policy:  Local
Internal Traffic Policy:  Cluster
HealthCheck NodePort:     32222
Events:                   <none>
"""


def clusterip_service():
    return {"kind": "Service", "metadata": {"name": "web", "namespace": "foo", "labels": {"app": "web"}},
            "spec": {"type": "ClusterIP", "selector": {"app": "web"}, "clusterIP": "10.96.5.5",
                     "clusterIPs": ["10.96.5.5"], "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                     "sessionAffinity": "None", "internalTrafficPolicy": "Cluster",
                     "ports": [{"port": 80, "protocol": "TCP", "targetPort": 8080}]}}


def test_describe_service_version_deltas():
    svc = clusterip_service()
    slices = [slice_("web", ["10.0.0.1", "10.0.0.2"], port=8080, pname=""),
              slice_("web", ["10.0.0.3"], port=8080, pname="", ready=False, name="web-zzzzz")]
    ep = {"kind": "Endpoints", "metadata": {"name": "web", "namespace": "foo"},
          "subsets": [{"addresses": [{"ip": "10.0.0.9"}], "ports": [{"port": 8080, "protocol": "TCP"}]}]}
    new = describe(svc, view(svc, ep, *slices)).splitlines()
    # 1.31+: 'Internal Traffic Policy:' (24 chars) sets the value column at 26
    assert new[6] == "IP Family Policy:         SingleStack"
    assert new[10] == "Port:                     <unset>  80/TCP"
    assert new[12] == "Endpoints:                10.0.0.1:8080,10.0.0.2:8080"   # 1.32: ready only
    assert new[14] == "Internal Traffic Policy:  Cluster"
    assert describe(svc, view(svc, ep, *slices, version="v1.31.0")).splitlines()[12] == \
        "Endpoints:                10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080"
    old = describe(svc, view(svc, ep, *slices, version="v1.30.2")).splitlines()
    assert old[6] == "IP Family Policy:  SingleStack"          # value column at 19 without ITP
    assert old[12] == "Endpoints:         10.0.0.9:8080"       # from the Endpoints object
    assert not any(line.startswith("Internal Traffic Policy") for line in old)
    assert describe(svc, view(svc)).splitlines()[12] == "Endpoints:                <none>"


def test_describe_endpoints_rendered():
    ep = {"kind": "Endpoints", "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"},
                                            "annotations": {"endpoints.kubernetes.io/last-change-trigger-time":
                                                            "2024-05-01T10:00:00Z"}},
          "subsets": [{"addresses": [{"ip": "10.244.1.5"}, {"ip": "10.244.2.7"}],
                       "ports": [{"port": 8080, "protocol": "TCP"}]}]}
    assert describe(ep, view(ep)) == """\
Name:         web
Namespace:    default
Labels:       app=web
Annotations:  endpoints.kubernetes.io/last-change-trigger-time: 2024-05-01T10:00:00Z
Subsets:
  Addresses:          10.244.1.5,10.244.2.7
  NotReadyAddresses:  <none>
  Ports:
    Name     Port  Protocol
    ----     ----  --------
    <unset>  8080  TCP

Events:  <none>
"""


def nginx_pod():
    return {
        "kind": "Pod",
        "metadata": {"name": "nginx-7854ff8877-2xkqp", "namespace": "default", "uid": "u1",
                     "creationTimestamp": "2024-05-01T10:00:00Z",
                     "labels": {"app": "nginx", "pod-template-hash": "7854ff8877"},
                     "ownerReferences": [{"kind": "ReplicaSet", "name": "nginx-7854ff8877", "controller": True,
                                          "uid": "rs1", "apiVersion": "apps/v1"}]},
        "spec": {"priority": 0, "serviceAccountName": "default", "nodeName": "node-1",
                 "containers": [{"name": "nginx", "image": "nginx:1.25",
                                 "ports": [{"containerPort": 80, "protocol": "TCP"}],
                                 "volumeMounts": [{"name": "kube-api-access-5x2kq", "readOnly": True,
                                                   "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}],
                 "volumes": [{"name": "kube-api-access-5x2kq", "projected": {"sources": [
                     {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                     {"configMap": {"name": "kube-root-ca.crt"}},
                     {"downwardAPI": {"items": []}}]}}],
                 "tolerations": [{"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                                  "effect": "NoExecute", "tolerationSeconds": 300},
                                 {"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                                  "effect": "NoExecute", "tolerationSeconds": 300}]},
        "status": {"phase": "Running", "hostIP": "192.168.49.3", "podIP": "10.244.1.5",
                   "podIPs": [{"ip": "10.244.1.5"}], "startTime": "2024-05-01T10:00:00Z", "qosClass": "BestEffort",
                   "conditions": [{"type": t, "status": "True"} for t in
                                  ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                                   "PodScheduled")],
                   "containerStatuses": [{"name": "nginx", "ready": True, "restartCount": 0,
                                          "containerID": "containerd://0123abcd",
                                          "imageID": "docker.io/library/nginx@sha256:0123",
                                          "state": {"running": {"startedAt": "2024-05-01T10:00:03Z"}}}]}}


def scheduled_event(pod, **extra):
    e = {"kind": "Event", "metadata": {"name": "nginx.1", "namespace": "default"},
         "involvedObject": {"kind": "Pod", "name": pod["metadata"]["name"], "namespace": "default", "uid": "u1"},
         "type": "Normal", "reason": "Scheduled",
         "message": "Successfully assigned default/nginx-7854ff8877-2xkqp to node-1",
         "firstTimestamp": fmt(NOW - 40), "lastTimestamp": fmt(NOW - 40), "count": 1,
         "source": {"component": "default-scheduler"}}
    e.update(extra)
    return e


def test_describe_pod_rendered():
    p = nginx_pod()
    out = describe(p, view(p, scheduled_event(p)))
    assert out == """\
Name:             nginx-7854ff8877-2xkqp
Namespace:        default
Priority:         0
Service Account:  default
Node:             node-1/192.168.49.3
Start Time:       Wed, 01 May 2024 10:00:00 +0000
Labels:           app=nginx
                  pod-template-hash=7854ff8877
Annotations:      <none>
Status:           Running
IP:               10.244.1.5
IPs:
  IP:           10.244.1.5
Controlled By:  ReplicaSet/nginx-7854ff8877
Containers:
  nginx:
    Container ID:   containerd://0123abcd
    Image:          nginx:1.25
    Image ID:       docker.io/library/nginx@sha256:0123
    Port:           80/TCP
    Host Port:      0/TCP
    State:          Running
      Started:      Wed, 01 May 2024 10:00:03 +0000
    Ready:          True
    Restart Count:  0
    Environment:    <none>
    Mounts:
      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-5x2kq (ro)
Conditions:
  Type                        Status
  PodReadyToStartContainers   True 
  Initialized                 True 
  Ready                       True 
  ContainersReady             True 
  PodScheduled                True 
Volumes:
  kube-api-access-5x2kq:
    Type:                    Projected (a volume that contains injected data from multiple sources)
    TokenExpirationSeconds:  3607
    ConfigMapName:           kube-root-ca.crt
    ConfigMapOptional:       <nil>
    DownwardAPI:             true
QoS Class:                   BestEffort
Node-Selectors:              <none>
Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                             node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
Events:
  Type    Reason     Age   From               Message
  ----    ------     ----  ----               -------
  Normal  Scheduled  40s   default-scheduler  Successfully assigned default/nginx-7854ff8877-2xkqp to node-1
"""


def test_events_repeat_and_matching():
    p = nginx_pod()
    ev = scheduled_event(p, type="Warning", reason="BackOff", message="Back-off restarting failed container",
                         firstTimestamp=fmt(NOW - 300), lastTimestamp=fmt(NOW - 180), count=4,
                         source={"component": "kubelet"})
    other = scheduled_event(p, involvedObject={"kind": "Pod", "name": "other", "namespace": "default"})
    other["metadata"] = {"name": "other.1", "namespace": "default"}
    tail = describe(p, view(p, ev, other)).splitlines()[-3:]
    assert tail[2] == "  Warning  BackOff  3m (x4 over 5m)  kubelet  Back-off restarting failed container"


def test_describe_pod_pending_without_status():
    p = {"kind": "Pod", "metadata": {"name": "bar", "namespace": "foo"}, "spec": {"containers": []}, "status": {}}
    assert describe(p, view(p)) == ("Name:         bar\nNamespace:    foo\nNode:         <none>\nLabels:       <none>\n"
                                    "Annotations:  <none>\nStatus:       \nIP:           \nIPs:          <none>\n"
                                    "Containers: <none>\nVolumes:         <none>\nQoS Class:       BestEffort\n"
                                    "Node-Selectors:  <none>\nTolerations:     <none>\nEvents:          <none>\n")


def _deployment():
    tmpl = {"metadata": {"labels": {"app": "nginx"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25",
                                     "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}}
    dep = {"kind": "Deployment", "metadata": {"name": "nginx", "namespace": "default", "uid": "d1",
                                              "creationTimestamp": "2024-05-01T10:00:00Z", "labels": {"app": "nginx"},
                                              "annotations": {"deployment.kubernetes.io/revision": "1"}},
           "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx"}}, "template": tmpl,
                    "strategy": {"type": "RollingUpdate",
                                 "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}},
           "status": {"replicas": 3, "updatedReplicas": 3, "availableReplicas": 3, "readyReplicas": 3,
                      "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                                     {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]}}
    import copy
    rs_tmpl = copy.deepcopy(tmpl)
    rs_tmpl["metadata"]["labels"]["pod-template-hash"] = "7854ff8877"
    rs = {"kind": "ReplicaSet", "metadata": {"name": "nginx-7854ff8877", "namespace": "default", "uid": "rs1",
                                             "creationTimestamp": "2024-05-01T10:00:00Z",
                                             "ownerReferences": [{"kind": "Deployment", "name": "nginx",
                                                                  "uid": "d1", "controller": True}]},
          "spec": {"replicas": 3, "template": rs_tmpl,
                   "selector": {"matchLabels": {"app": "nginx", "pod-template-hash": "7854ff8877"}}},
          "status": {"replicas": 3}}
    return dep, rs


def test_describe_deployment():
    dep, rs = _deployment()
    assert describe(dep, view(dep, rs)) == """\
Name:                   nginx
Namespace:              default
CreationTimestamp:      Wed, 01 May 2024 10:00:00 +0000
Labels:                 app=nginx
Annotations:            deployment.kubernetes.io/revision: 1
Selector:               app=nginx
Replicas:               3 desired | 3 updated | 3 total | 3 available | 0 unavailable
StrategyType:           RollingUpdate
MinReadySeconds:        0
RollingUpdateStrategy:  25% max unavailable, 25% max surge
Pod Template:
  Labels:  app=nginx
  Containers:
   nginx:
    Image:         nginx:1.25
    Port:          80/TCP
    Host Port:     0/TCP
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Conditions:
  Type           Status  Reason
  ----           ------  ------
  Available      True    MinimumReplicasAvailable
  Progressing    True    NewReplicaSetAvailable
OldReplicaSets:  <none>
NewReplicaSet:   nginx-7854ff8877 (3/3 replicas created)
Events:          <none>
"""


def test_describe_replicaset_counts_owned_pods():
    dep, rs = _deployment()
    p = nginx_pod()
    out = describe(rs, view(dep, rs, p)).splitlines()
    assert out[:2] == ["Name:           nginx-7854ff8877", "Namespace:      default"]
    assert "Controlled By:  Deployment/nginx" in out
    assert "Replicas:       3 current / 3 desired" in out
    assert "Pods Status:    1 Running / 0 Waiting / 0 Succeeded / 0 Failed" in out


def test_describe_statefulset_node_namespace_configmap():
    sts = {"kind": "StatefulSet", "metadata": {"name": "web", "namespace": "default", "uid": "s1",
                                               "creationTimestamp": "2024-05-01T10:00:00Z"},
           "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "serviceName": "web",
                    "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                                 "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}},
           "status": {"replicas": 3}}
    out = describe(sts, view(sts)).splitlines()
    assert out[3:10] == ["Selector:           app=web", "Labels:             <none>", "Annotations:        <none>",
                         "Replicas:           3 desired | 3 total", "Update Strategy:    RollingUpdate",
                         "  Partition:        0", "Pods Status:        0 Running / 0 Waiting / 0 Succeeded / 0 Failed"]
    assert out[-2:] == ["Volume Claims:     <none>", "Events:            <none>"]

    node = {"kind": "Node", "metadata": {"name": "k8s-master", "uid": "n1", "creationTimestamp": "2024-04-21T10:00:00Z",
                                         "labels": {"node-role.kubernetes.io/control-plane": "",
                                                    "kubernetes.io/hostname": "k8s-master"}},
            "spec": {"podCIDR": "10.100.0.0/24", "podCIDRs": ["10.100.0.0/24"],
                     "taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]},
            "status": {"capacity": {"cpu": "4", "memory": "8008Mi", "pods": "110"},
                       "allocatable": {"cpu": "4", "memory": "8008Mi", "pods": "110"},
                       "addresses": [{"type": "InternalIP", "address": "192.168.1.10"},
                                     {"type": "Hostname", "address": "k8s-master"}],
                       "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                       "message": "kubelet is posting ready status",
                                       "lastHeartbeatTime": "2024-05-01T10:00:40Z",
                                       "lastTransitionTime": "2024-04-21T10:00:30Z"}],
                       "nodeInfo": {"kubeletVersion": "v1.32.0", "osImage": "CentOS Linux 7 (Core)"}}}
    p = nginx_pod()
    p["spec"]["nodeName"] = "k8s-master"
    p["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "100m", "memory": "70Mi"},
                                               "limits": {"memory": "170Mi"}}
    out = describe(node, view(node, p))
    lines = out.splitlines()
    assert lines[:2] == ["Name:               k8s-master", "Roles:              control-plane"]
    assert "Taints:             node-role.kubernetes.io/control-plane:NoSchedule" in lines
    assert "Unschedulable:      false" in lines
    # condition rows are written "%v \t%v \t..." so each padded cell carries a trailing space
    assert "  Ready   True    Wed, 01 May 2024 10:00:40 +0000   Sun, 21 Apr 2024 10:00:30 +0000   " \
           "KubeletReady   kubelet is posting ready status" in lines
    assert "  RenewTime:       Wed, 01 May 2024 10:00:40 +0000" in lines
    assert "PodCIDRs:                     10.100.0.0/24" in lines   # joins the System Info block
    assert lines[-1] == "Events:              <none>"
    assert "Non-terminated Pods:          (1 in total)" in lines
    assert any(line.startswith("  default                     nginx-7854ff8877-2xkqp    100m (2%)     0 (0%)")
               for line in lines), out
    assert "  cpu                100m (2%)  0 (0%)" in lines
    assert "  memory             70Mi (0%)  170Mi (2%)" in lines

    ns = {"kind": "Namespace", "metadata": {"name": "default", "labels": {"kubernetes.io/metadata.name": "default"}},
          "status": {"phase": "Active"}}
    assert describe(ns, view(ns)) == ("Name:         default\nLabels:       kubernetes.io/metadata.name=default\n"
                                      "Annotations:  <none>\nStatus:       Active\n\nNo resource quota.\n\n"
                                      "No LimitRange resource.\n")
    cm = {"kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"}, "data": {"a": "1"}}
    assert describe(cm, view(cm)) == ("Name:         cfg\nNamespace:    default\nLabels:       <none>\n"
                                      "Annotations:  <none>\n\nData\n====\na:\n----\n1\n\n\nBinaryData\n====\n\n"
                                      "Events:  <none>\n")
