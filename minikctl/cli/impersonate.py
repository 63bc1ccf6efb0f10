"""--as / --as-group on minikctl commands: the request made as another user, refused with the
apiserver's Forbidden text when RBAC (api/rbac.py) does not allow it.

kubectl sends Impersonate-User / Impersonate-Group headers and the apiserver authorizes each
request as that user. Here the requests a command line makes are worked out from its verb and
arguments (get/describe: get or list, delete, run and create <kind>: create, exec: get then
create pods/exec, logs: get then get pods/log) and authorized before the command runs; verbs whose
requests are not worked out say so instead of running unchecked. A client dry run sends nothing.
"""
from __future__ import annotations

from minikctl.api.errors import ApiError, CliError
from minikctl import lazy

builtin_resources = lazy.module("minikctl.api.builtin_resources")
context = lazy.module("minikctl.cli.context")
kinds = lazy.module("minikctl.api.kinds")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
rbac = lazy.module("minikctl.api.rbac")

_VALUE_FLAGS = {"-n", "--namespace", "-o", "--output", "-l", "--selector", "-c", "--container", "-f", "--filename",
                "--field-selector", "--image", "--port", "--replicas", "-r", "--type", "--from-literal", "--from-file",
                "--from-env-file", "--tcp", "--role", "--clusterrole", "--user", "--group", "--serviceaccount",
                "--verb", "--resource", "--resource-name", "--duration", "--audience", "--sort-by", "--cert", "--key",
                "--docker-username", "--docker-password", "--docker-server", "--docker-email", "--grace-period",
                "--timeout", "--env", "--labels", "--overrides", "--restart", "--tail", "--since", "-L",
                "--label-columns", "--cascade", "--non-resource-url", "--aggregation-rule", "--template"}

_CREATE_KINDS = {
    "deployment": "deployments.apps", "deploy": "deployments.apps", "service": "services", "svc": "services",
    "secret": "secrets", "configmap": "configmaps", "cm": "configmaps", "namespace": "namespaces", "ns": "namespaces",
    "serviceaccount": "serviceaccounts", "sa": "serviceaccounts", "role": "roles.rbac.authorization.k8s.io",
    "rolebinding": "rolebindings.rbac.authorization.k8s.io", "clusterrole": "clusterroles.rbac.authorization.k8s.io",
    "clusterrolebinding": "clusterrolebindings.rbac.authorization.k8s.io",
}


def extract(argv: list[str]) -> tuple[list[str], str | None, list[str]]:
    """(argv without --as/--as-group, the user, the groups)."""
    out, user, groups = [], None, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            out += argv[i:]
            break
        for flag in ("--as", "--as-group"):
            if a == flag and i + 1 < len(argv):
                val, i = argv[i + 1], i + 2
                break
            if a.startswith(flag + "="):
                val, i = a.split("=", 1)[1], i + 1
                break
        else:
            out.append(a)
            i += 1
            continue
        if a.startswith("--as-group"):
            groups.append(val)
        else:
            user = val
    return out, user, groups


def _positionals(argv: list[str]) -> tuple[list[str], dict]:
    pos, flags = [], {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            break
        if a.startswith("-"):
            name, eq, val = a.partition("=")
            if not eq and name in _VALUE_FLAGS and i + 1 < len(argv):
                val, i = argv[i + 1], i + 1
            elif not eq and len(name) > 2 and name[1] != "-" and name[:2] in _VALUE_FLAGS:
                name, val = name[:2], name[2:]
            flags[name] = val if (eq or name in _VALUE_FLAGS) else True
        else:
            pos.append(a)
        i += 1
    return pos, flags


def _resource(arg: str):
    r = builtin_resources.parse(arg)
    if r is None:
        raise CliError(f'the server doesn\'t have a resource type "{arg}"')
    return r


def _message(user, verb, res, sub, ns, name) -> str:
    qual = f"{res.plural}.{res.group}" if res.group else res.plural
    what = f"{res.plural}/{sub}" if sub else res.plural
    where = f'in the namespace "{ns}"' if ns else "at the cluster scope"
    head = f'{qual} "{name}" is forbidden' if name else f"{qual} is forbidden"
    return f'{head}: User "{user.name}" cannot {verb} resource "{what}" in API group "{res.group}" {where}'


def requests(argv: list[str], namespace: str) -> list[tuple[str, object, str, str, str]]:
    """(verb, resource, subresource, namespace, name) of the requests a command line makes."""
    pos, flags = _positionals(argv)
    verb = pos[0] if pos else ""
    args = pos[1:]
    all_ns = "-A" in flags or "--all-namespaces" in flags
    dry_client = flags.get("--dry-run") == "client"
    out = []

    def scope(res):
        return namespace if res.namespaced and not all_ns else ""

    if verb in ("get", "describe", "delete"):
        if not args:
            return []
        pairs = []
        if "/" in args[0]:
            for a in args:
                t, _, n = a.partition("/")
                pairs.append((_resource(t), n))
        else:
            types = args[0].split(",")
            names = args[1:]
            for t in types:
                if t == "all":
                    for k in kinds.ALL_ORDER:
                        kk = kinds.BY_KIND[k]
                        pairs.append((builtin_resources.lookup(kk.plural, kk.group), ""))
                    continue
                res = _resource(t)
                pairs += [(res, n) for n in names] or [(res, "")]
        for res, name in pairs:
            ns = scope(res) if not name else (namespace if res.namespaced else "")
            if verb == "delete":
                if dry_client:
                    continue
                if not name:
                    out.append(("list", res, "", ns, ""))
                    continue
                out.append(("delete", res, "", ns, name))
            else:
                out.append(("get" if name else "list", res, "", ns, name))
        return out
    if verb == "run":
        return [] if dry_client else [("create", builtin_resources.lookup("pods"), "", namespace, "")]
    if verb == "create":
        if "-f" in flags or "--filename" in flags or not args:
            return None
        sub = args[0]
        if dry_client:
            return []
        if sub == "token":
            return [("create", builtin_resources.lookup("serviceaccounts"), "token", namespace,
                     args[1] if len(args) > 1 else "")]
        kind = _CREATE_KINDS.get(sub)
        if kind is None:
            return None
        res = builtin_resources.parse(kind)
        return [("create", res, "", namespace if res.namespaced else "", "")]
    if verb in ("exec", "logs"):
        name = args[0] if args else ""
        if "/" in name:
            t, _, name = name.partition("/")
            if _resource(t).plural != "pods":
                return None
        pods = builtin_resources.lookup("pods")
        return [("get", pods, "", namespace, name),
                ("create", pods, "exec", namespace, name) if verb == "exec" else ("get", pods, "log", namespace, name)]
    return None


def check(argv: list[str], user, env) -> None:
    """Raise the apiserver's Forbidden for the first request RBAC refuses this user."""
    pos, flags = _positionals(argv)
    namespace = flags.get("-n") or flags.get("--namespace")
    namespace = namespace if isinstance(namespace, str) else context.namespace(None, env)
    reqs = requests(argv, namespace)
    if reqs is None:
        raise CliError(f"minikctl: --as with `{' '.join(pos[:2])}` is not simulated (it is for get, describe, "
                       "delete, run, create <kind>, create token, exec, logs and auth)", raw=True)
    with open_cluster(env) as cluster:
        for verb, res, sub, ns, name in reqs:
            req = rbac.Request(verb=verb, resource=res.plural, subresource=sub, name=name, namespace=ns,
                               api_group=res.group)
            allowed, _ = rbac.authorize(cluster, user, req)
            if not allowed:
                raise ApiError("Forbidden", _message(user, verb, res, sub, ns, name), 403)
