"""kubernetes.io "Declare Network Policy" (tasks/administer-cluster/declare-network-policy),
replayed: the page's commands, and the outputs it prints, from busybox 1.28's wget."""
from __future__ import annotations

import json

ACCESS_NGINX = {
    "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "access-nginx"},
    "spec": {"podSelector": {"matchLabels": {"app": "nginx"}},
             "ingress": [{"from": [{"podSelector": {"matchLabels": {"access": "true"}}}]}]}}


def test_declare_network_policy_page(mk):
    assert mk("create", "deployment", "nginx", "--image=nginx").out == "deployment.apps/nginx created\n"
    assert mk("expose", "deployment", "nginx", "--port=80").out == "service/nginx exposed\n"
    mk.advance(20)
    svc_ip = json.loads(mk("get", "svc", "nginx", "-o", "json").out)["spec"]["clusterIP"]
    assert mk("run", "busybox", "--image=busybox:1.28", "--", "sleep", "3600").code == 0
    mk.advance(10)
    r = mk("exec", "busybox", "--", "wget", "--spider", "--timeout=1", "nginx")
    assert (r.code, r.err) == (0, f"Connecting to nginx ({svc_ip}:80)\nremote file exists\n")
    r = mk("apply", "-f", "-", stdin=json.dumps(ACCESS_NGINX))
    assert r.out == "networkpolicy.networking.k8s.io/access-nginx created\n"
    r = mk("exec", "busybox", "--", "wget", "--spider", "--timeout=1", "nginx")
    assert (r.code, r.err) == (1, f"Connecting to nginx ({svc_ip}:80)\nwget: download timed out\n"
                                  "command terminated with exit code 1\n")
    assert mk("run", "busybox-access", "--labels=access=true", "--image=busybox:1.28", "--", "sleep", "3600").code == 0
    mk.advance(10)
    r = mk("exec", "busybox-access", "--", "wget", "--spider", "--timeout=1", "nginx")
    assert (r.code, r.err) == (0, f"Connecting to nginx ({svc_ip}:80)\nremote file exists\n")
