"""etcd's command-line tools on a kubeadm control-plane node: etcdctl (v3 API, talking to the
etcd static pod over TLS) and etcdutl (offline: snapshot status and restore). Texts are etcd
v3.5.16's, the version kubeadm v1.32 runs (etcdctl/ctlv3, etcdutl, client/v3/snapshot)."""
