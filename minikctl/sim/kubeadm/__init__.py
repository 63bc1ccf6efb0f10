"""kubeadm on the nodes (docs/cluster-admin.md): the packages apt installs, the kubeadm CLI's
upgrade, token and certs commands, and the cluster facts kubeadm keeps."""
