"""kube-proxy's mode comes from its ConfigMap and takes effect when its pods restart, as on a
kubeadm cluster (the CKA habit: edit the ConfigMap, delete the kube-proxy pods)."""
from __future__ import annotations

from conftest import SPEC

IPVS_CONFIG = """apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-proxy
  namespace: kube-system
  labels:
    app: kube-proxy
data:
  config.conf: |
    apiVersion: kubeproxy.config.k8s.io/v1alpha1
    kind: KubeProxyConfiguration
    clusterCIDR: 10.100.0.0/16
    mode: "ipvs"
"""


def test_mode_changes_after_the_kube_proxy_pods_restart(mk, tmp_path):
    mk.apply_spec("web-server")
    svc_ip = mk("get", "svc", "web-server-svc", "-o", "jsonpath={.spec.clusterIP}").out
    assert 'mode: ""' in mk("get", "cm", "kube-proxy", "-n", "kube-system", "-o", "jsonpath={.data.config\\.conf}").out
    before = mk("ssh", "k8s-worker-01", "--", "ipvsadm", "-Ln").out
    assert svc_ip not in before
    cfg = tmp_path / "kp.yaml"
    cfg.write_text(IPVS_CONFIG)
    assert mk("apply", "-f", str(cfg)).out == "configmap/kube-proxy configured\n"
    # kube-proxy read its config when it started: nothing changes yet
    assert mk("ssh", "k8s-worker-01", "--", "ipvsadm", "-Ln").out == before
    assert "kube-ipvs0" not in mk("ssh", "k8s-worker-01", "--", "ip", "addr").out
    r = mk("delete", "po", "-n", "kube-system", "-l", "k8s-app=kube-proxy")
    assert r.out.count("deleted") == 4
    mk.advance(10)
    assert len(mk("get", "po", "-n", "kube-system", "-l", "k8s-app=kube-proxy", "--no-headers").out.splitlines()) == 4
    after = mk("ssh", "k8s-worker-01", "--", "ipvsadm", "-Ln").out
    assert f"TCP  {svc_ip}:80 rr" in after
    assert "kube-ipvs0" in mk("ssh", "k8s-worker-01", "--", "ip", "addr").out
    out = mk("traffic", "web-server-svc", "-n", "30").out
    assert "round robin" in out.lower()
