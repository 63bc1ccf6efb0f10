"""The flagship lab's cluster state, built as the controllers would write it (shared by DNS and
image tests), plus sanity tests of the builder itself."""
from __future__ import annotations

import random

from minikctl.net.dns.corefile import KUBEADM_COREFILE
from minikctl.sim.view import StaticView

TS = "2022-09-20T08:00:00Z"


def ns_obj(name):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "creationTimestamp": TS},
            "status": {"phase": "Active"}}


def svc(name, ns="default", cluster_ip="10.96.0.100", selector=None, ports=None, labels=None, **spec):
    s = {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": name, "namespace": ns, "labels": labels or {}, "creationTimestamp": TS},
         "spec": {"type": "ClusterIP", "clusterIP": cluster_ip,
                  "clusterIPs": [cluster_ip] if cluster_ip else None,
                  "selector": selector, "ports": ports if ports is not None
                  else [{"port": 80, "protocol": "TCP", "targetPort": 80}], **spec}}
    if s["spec"]["type"] == "ExternalName":
        s["spec"].pop("clusterIP"), s["spec"].pop("clusterIPs"), s["spec"].pop("ports")
    return s


def pod(name, ip, ns="default", labels=None, node="k8s-worker-03", ready=True, image="nginx",
        hostname=None, subdomain=None, **spec):
    p = {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": name, "namespace": ns, "labels": labels or {}, "creationTimestamp": TS,
                      "uid": f"uid-{name}"},
         "spec": {"containers": [{"name": name.split("-")[0], "image": image}], "nodeName": node,
                  "dnsPolicy": "ClusterFirst", "enableServiceLinks": True, **spec},
         "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}], "hostIP": "192.168.1.13",
                    "startTime": "2022-09-20T08:01:00Z",
                    "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
                    "containerStatuses": [{"name": name.split("-")[0], "ready": ready,
                                           "state": {"running": {"startedAt": "2022-09-20T08:01:00Z"}}}]}}
    if hostname:
        p["spec"]["hostname"] = hostname
    if subdomain:
        p["spec"]["subdomain"] = subdomain
    return p


def _sel_match(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def slice_for(service, pods):
    """What the EndpointSlice controller writes for `service` over `pods` (podToEndpoint)."""
    m, spec = service["metadata"], service["spec"]
    pnr = bool(spec.get("publishNotReadyAddresses"))
    eps = []
    for p in pods:
        if p["metadata"]["namespace"] != m["namespace"] or not _sel_match(spec.get("selector"), p["metadata"]["labels"]):
            continue
        ready = any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"]["conditions"])
        ep = {"addresses": [p["status"]["podIP"]],
              "conditions": {"ready": pnr or ready, "serving": ready, "terminating": False},
              "nodeName": p["spec"]["nodeName"],
              "targetRef": {"kind": "Pod", "namespace": m["namespace"], "name": p["metadata"]["name"],
                            "uid": p["metadata"]["uid"]}}
        if p["spec"].get("hostname") and p["spec"].get("subdomain") == m["name"]:
            ep["hostname"] = p["spec"]["hostname"]
        eps.append(ep)
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
            "metadata": {"name": m["name"] + "-abcde", "namespace": m["namespace"], "creationTimestamp": TS,
                         "labels": {"kubernetes.io/service-name": m["name"],
                                    "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}},
            "endpoints": eps,
            "ports": [{"name": p.get("name", ""), "port": p.get("targetPort", p["port"]),
                       "protocol": p.get("protocol", "TCP")} for p in spec.get("ports") or []]}


def lab_objects(corefile=None, coredns_ready=True, extra=()):
    objs = [ns_obj(n) for n in ("default", "kube-system", "kube-public", "kube-node-lease", "prod")]
    kubernetes = svc("kubernetes", cluster_ip="10.96.0.1", selector=None,
                     ports=[{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}])
    kube_dns = svc("kube-dns", ns="kube-system", cluster_ip="10.96.0.10", selector={"k8s-app": "kube-dns"},
                   labels={"k8s-app": "kube-dns"},
                   ports=[{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                          {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                          {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}])
    coredns = [pod(f"coredns-565d847f94-{s}", ip, ns="kube-system", labels={"k8s-app": "kube-dns"},
                   node="k8s-master", ready=coredns_ready, image="registry.k8s.io/coredns/coredns:v1.9.3",
                   dnsPolicy="Default") for s, ip in (("8xk2p", "10.100.235.193"), ("qw9tz", "10.100.235.194"))]
    headless = svc("headless-svc", cluster_ip="None", selector={"app": "headless-server"},
                   labels={"app": "headless-server"})
    servers = [pod(f"pod-server-698fc7fb58-{s}", ip, labels={"app": "headless-server", "pod-template-hash": "698fc7fb58"})
               for s, ip in (("8mbsf", "10.100.7.159"), ("cnqrn", "10.100.7.160"), ("nqd4w", "10.100.7.158"))]
    web = svc("web-server-svc", cluster_ip="10.96.254.166", selector={"app": "web-server"},
              labels={"app": "web-server"})
    webs = [pod(f"web-server-pod-7b69fcf97c-{s}", ip, labels={"app": "web-server"}, node=node)
            for s, ip, node in (("bzrrt", "10.100.118.91", "k8s-worker-02"), ("p5mbg", "10.100.7.164", "k8s-worker-03"),
                                ("qdx7j", "10.100.7.163", "k8s-worker-03"))]
    sts_svc = svc("headless-web-server-svc", cluster_ip="None", selector={"app": "headless-web-server"},
                  labels={"app": "headless-web-server"}, ports=[{"name": "web", "port": 80, "protocol": "TCP", "targetPort": 80}])
    sts = [pod(f"web-server-{i}", ip, labels={"app": "headless-web-server"}, node=node,
               hostname=f"web-server-{i}", subdomain="headless-web-server-svc")
           for i, ip, node in ((0, "10.100.36.233", "k8s-worker-01"), (1, "10.100.7.170", "k8s-worker-03"),
                               (2, "10.100.118.97", "k8s-worker-02"))]
    empty = svc("empty-headless", cluster_ip="None", selector={"app": "nothing"})
    ext = svc("my-service", ns="prod", cluster_ip=None, type="ExternalName", externalName="my.database.example.com")
    busybox = pod("busybox", "10.100.7.171", labels={"run": "busybox"}, image="busybox:1.28",
                  command=None)
    busybox["spec"]["containers"][0]["name"] = "busybox"
    busybox["status"]["containerStatuses"][0]["name"] = "busybox"
    pods = coredns + servers + webs + sts + [busybox]
    services = [kubernetes, kube_dns, headless, web, sts_svc, empty, ext]
    objs += services + pods
    k8s_slice = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
                 "metadata": {"name": "kubernetes", "namespace": "default", "creationTimestamp": TS,
                              "labels": {"kubernetes.io/service-name": "kubernetes"}},
                 "endpoints": [{"addresses": ["192.168.1.10"], "conditions": {"ready": True}}],
                 "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}
    objs.append(k8s_slice)
    objs += [slice_for(s, pods) for s in services if s["spec"].get("selector")]
    objs.append({"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "coredns", "namespace": "kube-system", "creationTimestamp": TS},
                 "data": {"Corefile": corefile if corefile is not None else KUBEADM_COREFILE % {"domain": "cluster.local"}}})
    objs += list(extra)
    return objs


def lab_view(seed=0, **kw):
    return StaticView(lab_objects(**kw), now=1663661400.0, rng=random.Random(seed))


def test_builder_writes_hostnames_only_for_matching_subdomain():
    objs = lab_objects()
    sl = next(o for o in objs if o["kind"] == "EndpointSlice" and o["metadata"]["name"].startswith("headless-web"))
    assert [e.get("hostname") for e in sl["endpoints"]] == ["web-server-0", "web-server-1", "web-server-2"]
    sl2 = next(o for o in objs if o["kind"] == "EndpointSlice" and o["metadata"]["name"].startswith("headless-svc"))
    assert all("hostname" not in e for e in sl2["endpoints"])
