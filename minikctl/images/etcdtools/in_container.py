"""etcdctl and etcdutl inside the etcd container (kubectl exec): the image has them, minikctl runs
them on the control-plane node only, and says so rather than pretending they are missing."""
from __future__ import annotations


def tool(ctx, argv):
    name = argv[0].rsplit("/", 1)[-1]
    node = ctx.node or "the control-plane node"
    return "", (f"minikctl: {name} inside the etcd container is not simulated; run it on the node: "
                f"minikctl ssh {node} -- {name} ...\n"), 126
