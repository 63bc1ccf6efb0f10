"""The serviceaccount controller: a `default` ServiceAccount in every active namespace (made
again if deleted), and in kube-system the ServiceAccounts kubeadm's control plane runs as (the
controller manager's per-controller accounts, coredns, kube-proxy).

Their uids are derived from the cluster's seed and the account's name rather than drawn from the
seeded rng, so adding these objects does not move every random name after them.
"""
from __future__ import annotations

import hashlib
import uuid

from minikctl.api import server

# `kubectl get sa -n kube-system` on a kubeadm v1.32 cluster: the kube-controller-manager's
# controllers (--use-service-account-credentials) and the addons.
KUBE_SYSTEM = (
    "attachdetach-controller", "bootstrap-signer", "certificate-controller", "clusterrole-aggregation-controller",
    "coredns", "cronjob-controller", "daemon-set-controller", "default", "deployment-controller",
    "disruption-controller", "endpoint-controller", "endpointslice-controller",
    "endpointslicemirroring-controller", "ephemeral-volume-controller", "expand-controller",
    "generic-garbage-collector", "horizontal-pod-autoscaler", "job-controller", "kube-proxy",
    "legacy-service-account-token-cleaner", "namespace-controller", "node-controller", "persistent-volume-binder",
    "pod-garbage-collector", "pv-protection-controller", "pvc-protection-controller", "replicaset-controller",
    "replication-controller", "resourcequota-controller", "root-ca-cert-publisher", "service-account-controller",
    "statefulset-controller", "token-cleaner", "ttl-after-finished-controller", "ttl-controller",
    "validatingadmissionpolicy-status-controller",
)


def _uid(cluster, ns: str, name: str) -> str:
    seed = str((cluster.meta or {}).get("seed", ""))
    digest = hashlib.sha256(f"{seed}/{ns}/{name}/{cluster.now}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def ensure(cluster, ns: str, name: str) -> None:
    if cluster.get("ServiceAccount", ns, name) is None:
        server.create_internal(cluster, {"apiVersion": "v1", "kind": "ServiceAccount",
                                         "metadata": {"name": name, "namespace": ns, "uid": _uid(cluster, ns, name)}},
                               keep_uid=True)


def reconcile(cluster) -> None:
    for ns in cluster.list("Namespace"):
        if ns["metadata"].get("deletionTimestamp"):
            continue
        name = ns["metadata"]["name"]
        for sa in KUBE_SYSTEM if name == "kube-system" else ("default",):
            ensure(cluster, name, sa)
