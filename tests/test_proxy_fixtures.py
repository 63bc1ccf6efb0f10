"""Objects of the spec's cluster (three-services.md) in apiserver shape, for the proxy tests.

Builders only (no tests here): a Service, its pods, and the EndpointSlice the controller would
write, so the proxy code is exercised against the same shapes the live cluster produces.
"""
from __future__ import annotations

import random

from minikctl.sim.view import StaticView

NOW = 1714557600.0   # 2024-05-01T10:00:00Z


def pod(name, ip, node, labels, image="nginx", ns="default", ports=None, args=None,
        ready=True, hostname=None, subdomain=None, command=None):
    c = {"name": "c", "image": image}
    if ports:
        c["ports"] = ports
    if args:
        c["args"] = args
    if command:
        c["command"] = command
    spec = {"nodeName": node, "containers": [c]}
    if hostname:
        spec["hostname"] = hostname
    if subdomain:
        spec["subdomain"] = subdomain
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": dict(labels), "uid": "uid-" + name},
            "spec": spec,
            "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                       "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
                       "containerStatuses": [{"name": "c", "ready": ready, "restartCount": 0,
                                              "containerID": "containerd://" + ("%064x" % abs(hash(name)))[:64],
                                              "state": {"running": {"startedAt": "2024-05-01T09:50:00Z"}}}]}}


def service(name, ports, selector=None, ns="default", cluster_ip=None, typ="ClusterIP", **spec_extra):
    spec = {"type": typ, "ports": ports, "sessionAffinity": "None"}
    if selector:
        spec["selector"] = selector
    if typ != "ExternalName":
        spec["clusterIP"] = cluster_ip or "None"
        spec["clusterIPs"] = [spec["clusterIP"]]
    spec.update(spec_extra)
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "labels": dict(selector or {})},
            "spec": spec, "status": {"loadBalancer": {}}}


def slice_for(svc, pods, port_name="", port=80, protocol="TCP", suffix="abcde", ready_override=None):
    ns = svc["metadata"]["namespace"]
    eps = []
    for p in pods:
        ready = p["status"]["conditions"][0]["status"] == "True" if ready_override is None else ready_override
        e = {"addresses": [p["status"]["podIP"]],
             "conditions": {"ready": ready, "serving": ready, "terminating": False},
             "nodeName": p["spec"]["nodeName"],
             "targetRef": {"kind": "Pod", "namespace": ns, "name": p["metadata"]["name"]}}
        if p["spec"].get("hostname") and p["spec"].get("subdomain") == svc["metadata"]["name"]:
            e["hostname"] = p["spec"]["hostname"]
        eps.append(e)
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
            "metadata": {"name": f"{svc['metadata']['name']}-{suffix}", "namespace": ns,
                         "labels": {"kubernetes.io/service-name": svc["metadata"]["name"]}},
            "endpoints": eps,
            "ports": [{"name": port_name, "port": port, "protocol": protocol}]}


def nodes():
    out = []
    for name, ip in (("k8s-master", "192.168.1.10"), ("k8s-worker-01", "192.168.1.11"),
                     ("k8s-worker-02", "192.168.1.12"), ("k8s-worker-03", "192.168.1.13")):
        out.append({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
                    "status": {"addresses": [{"type": "InternalIP", "address": ip},
                                             {"type": "Hostname", "address": name}]}})
    return out


def system_objects():
    """kubeadm's kubernetes Service and CoreDNS behind kube-dns."""
    k = service("kubernetes", [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
                cluster_ip="10.96.0.1")
    k_slice = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
               "metadata": {"name": "kubernetes", "namespace": "default",
                            "labels": {"kubernetes.io/service-name": "kubernetes"}},
               "endpoints": [{"addresses": ["192.168.1.10"], "conditions": {"ready": True}}],
               "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}
    dns_pods = [pod("coredns-7c65d6cfc9-4xkzp", "10.100.235.193", "k8s-master", {"k8s-app": "kube-dns"},
                    image="registry.k8s.io/coredns/coredns:v1.11.3", ns="kube-system"),
                pod("coredns-7c65d6cfc9-9mqlr", "10.100.235.194", "k8s-master", {"k8s-app": "kube-dns"},
                    image="registry.k8s.io/coredns/coredns:v1.11.3", ns="kube-system")]
    dns = service("kube-dns", [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                               {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                               {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}],
                  selector={"k8s-app": "kube-dns"}, ns="kube-system", cluster_ip="10.96.0.10")
    sl = slice_for(dns, dns_pods, "dns", 53, "UDP")
    sl["ports"] = [{"name": "dns", "port": 53, "protocol": "UDP"},
                   {"name": "dns-tcp", "port": 53, "protocol": "TCP"},
                   {"name": "metrics", "port": 9153, "protocol": "TCP"}]
    return [k, k_slice, dns, sl, *dns_pods]


def web_objects():
    lab = {"app": "web-server"}
    pods = [pod("web-server-pod-7b69fcf97c-bzrrt", "10.100.118.91", "k8s-worker-02", lab),
            pod("web-server-pod-7b69fcf97c-p5mbg", "10.100.7.164", "k8s-worker-03", lab),
            pod("web-server-pod-7b69fcf97c-qdx7j", "10.100.7.163", "k8s-worker-03", lab)]
    svc = service("web-server-svc", [{"port": 80, "protocol": "TCP", "targetPort": 80}],
                  selector=lab, cluster_ip="10.96.254.166")
    return [svc, slice_for(svc, pods), *pods]


def headless_objects():
    lab = {"app": "headless-server"}
    pods = [pod("pod-server-698fc7fb58-8mbsf", "10.100.7.159", "k8s-worker-03", lab),
            pod("pod-server-698fc7fb58-cnqrn", "10.100.7.160", "k8s-worker-03", lab),
            pod("pod-server-698fc7fb58-nqd4w", "10.100.7.158", "k8s-worker-03", lab)]
    svc = service("headless-svc", [{"port": 80, "protocol": "TCP", "targetPort": 80}], selector=lab)
    lab2 = {"app": "headless-web-server"}
    sts = [pod(f"web-server-{i}", ip, node, lab2, hostname=f"web-server-{i}",
               subdomain="headless-web-server-svc")
           for i, (ip, node) in enumerate((("10.100.36.233", "k8s-worker-01"),
                                           ("10.100.7.170", "k8s-worker-03"),
                                           ("10.100.118.97", "k8s-worker-02")))]
    svc2 = service("headless-web-server-svc", [{"port": 80, "protocol": "TCP", "targetPort": 80}],
                   selector=lab2)
    return [svc, slice_for(svc, pods), *pods, svc2, slice_for(svc2, sts, suffix="fghij"), *sts]


def busybox(image="busybox:1.28", node="k8s-worker-01", ip="10.100.36.230"):
    return pod("busybox", ip, node, {"run": "busybox"}, image=image, command=["sleep", "3600"])


def spec_view(*extra, seed=0, mode="iptables", profile_extra=None):
    from minikctl.sim.profile import load_profile
    prof = load_profile()
    prof["kubeProxyMode"] = mode
    prof.update(profile_extra or {})
    namespaces = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}, "status": {"phase": "Active"}}
                  for n in ("default", "kube-node-lease", "kube-public", "kube-system")]
    objs = [*namespaces, *nodes(), *system_objects(), *web_objects(), *headless_objects(), busybox(), *extra]
    return StaticView(objs, now=NOW, rng=random.Random(seed), profile=prof)
