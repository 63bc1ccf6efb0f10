"""`auth reconcile -f FILE`: the manifest's Roles, ClusterRoles, RoleBindings and
ClusterRoleBindings reconciled into the cluster (api/reconcile.py decides; every write goes through
the apiserver's door, api/server.py). Other kinds in the file are skipped, as kubectl does."""
from __future__ import annotations

import copy

from minikctl.api.errors import CliError
from minikctl import lazy

context = lazy.module("minikctl.cli.context")
dry_strategy = lazy.function("minikctl.cli.writes", "dry_strategy")
kinds = lazy.module("minikctl.api.kinds")
manifests = lazy.module("minikctl.api.manifests")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
rec = lazy.module("minikctl.api.reconcile")
server = lazy.module("minikctl.api.server")


def reconcile(filenames: list[str], recursive: bool, namespace: str | None, remove_perms: bool,
              remove_subjects: bool, dry_run: str | None) -> int:
    if not filenames:
        raise CliError("must specify one of -f and -k")
    dry = dry_strategy(dry_run)
    suffix = {"none": "", "client": " (dry run)", "server": " (server dry run)"}[dry]
    env = context.env()
    docs = manifests.read(filenames, recursive, stdin=env.stdin)
    for d in docs:
        if d.error:
            raise CliError(d.error)
    default_ns = context.namespace(namespace)
    with open_cluster(env) as cluster:
        for d in docs:
            obj = d.obj
            if not isinstance(obj, dict) or obj.get("kind") not in rec.ROLES + rec.BINDINGS \
                    or obj.get("apiVersion") != "rbac.authorization.k8s.io/v1":
                continue
            expected = copy.deepcopy(obj)
            meta = expected.setdefault("metadata", {})
            k = kinds.by_kind(expected["kind"])
            ns = None
            if k.namespaced:
                ns = meta.get("namespace") or default_ns
                meta["namespace"] = ns
            server._defaults(expected)
            existing = cluster.get(expected["kind"], ns, meta.get("name", ""))
            if expected["kind"] in rec.ROLES:
                result = rec.reconcile_role(existing, expected, remove_perms)
            else:
                result = rec.reconcile_binding(existing, expected, remove_subjects)
            if not result.protected and dry == "none":
                if result.operation == "create":
                    if ns is not None and cluster.get("Namespace", None, ns) is None:
                        server.create(cluster, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
                    server.create(cluster, result.obj)
                elif result.operation == "update":
                    server.update(cluster, result.obj, existing)
                elif result.operation == "recreate":
                    server.delete(cluster, existing["kind"], ns, existing["metadata"]["name"])
                    body = copy.deepcopy(result.obj)
                    body["metadata"].pop("resourceVersion", None)
                    server.create(cluster, body)
            context.out(f"{k.ref}/{meta.get('name', '')} reconciled{suffix}\n")
            text = rec.report(result, remove_perms, remove_subjects)
            if text:
                env.stderr.write(text)
    return 0
