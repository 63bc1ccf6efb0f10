"""`create role | clusterrole | rolebinding | clusterrolebinding`: kubectl's RBAC generators
(create_role.go, create_clusterrole.go, create_rolebinding.go, create_clusterrolebinding.go),
their checks and warnings in kubectl's words, objects in Go field order for -o json.

Resources are resolved as kubectl's RESTMapper resolves them, against everything a kubeadm
cluster serves (api/builtin_resources.py), so a Role may grant jobs or ingresses too.
"""
from __future__ import annotations

from typing import List, Optional

import typer

from minikctl.api import builtin_resources, generators
from minikctl.api.errors import CliError
from minikctl.cli.create_sub_cmd import _EXTRA, _name_from_args, _opts, _slice
from minikctl.cli.writes import create_generated
from minikctl import lazy

context = lazy.module("minikctl.cli.context")
create_cmd = lazy.module("minikctl.cli.create_cmd")

GROUP = "rbac.authorization.k8s.io"
API_VERSION = f"{GROUP}/v1"
VALID_RESOURCE_VERBS = ("*", "get", "delete", "list", "create", "update", "patch", "watch", "proxy",
                        "deletecollection", "use", "bind", "escalate", "impersonate")
VALID_NON_RESOURCE_VERBS = ("*", "get", "post", "put", "delete", "patch", "head", "options")
SPECIAL_VERBS = {
    "use": [("policy", "podsecuritypolicies"), ("extensions", "podsecuritypolicies")],
    "bind": [(GROUP, "roles"), (GROUP, "clusterroles")],
    "escalate": [(GROUP, "roles"), (GROUP, "clusterroles")],
    "impersonate": [("", "users"), ("", "serviceaccounts"), ("", "groups"), ("authentication.k8s.io", "userextras"),
                    ("authentication.k8s.io", "uids")],
}


def _warn(text: str) -> None:
    context.env().stderr.write(text)


def _dedup(xs: list[str]) -> list[str]:
    out: list[str] = []
    for x in xs:
        if x not in out:
            out.append(x)
    return out


def _parse_resources(values: list[str]) -> list[tuple[str, str, str]]:
    """(resource, group, subresource) per --resource; a bare `*` stands alone."""
    out = []
    for r in values:
        section, _, sub = r.partition("/")
        res, _, group = section.partition(".")
        if res == "*" and not group and not sub:
            return [("*", "", "")]
        out.append((res, group, sub))
    return out


def _verbs(values: list[str]) -> list[str]:
    return ["*"] if "*" in values else _dedup(values)


def _map(res: str, group: str) -> tuple[str, str] | None:
    if res == "*":
        return res, group
    found = builtin_resources.lookup(res, group if group else None)
    if found is None and not group:
        return None
    return (found.plural, found.group) if found else None


def _validate_resources(resources, verbs: list[str]) -> None:
    for res, group, _sub in resources:
        if not res:
            raise CliError("resource must be specified if apiGroup/subresource specified")
        if res == "*":
            return
        mapped = _map(res, group)
        resource, rgroup = mapped if mapped else (res, group)
        for v in verbs:
            if v in SPECIAL_VERBS and (rgroup, resource) not in SPECIAL_VERBS[v]:
                raise CliError(f"can not perform '{v}' on '{resource}' in group '{rgroup}'")
        if mapped is None:
            raise CliError(f'the server doesn\'t have a resource type "{res}"', raw=True)


def _rules(verbs, resources, names, urls) -> list[dict]:
    mapping: dict[str, list[str]] = {}
    for res, group, sub in resources:
        mapped = _map(res, group)
        if mapped is None:
            raise CliError(f'the server doesn\'t have a resource type "{res}"', raw=True)
        name, g = mapped
        if sub:
            name = f"{name}/{sub}"
        if name not in mapping.setdefault(g, []):
            mapping[g].append(name)
    rules = []
    for g in sorted(mapping):
        rule = {"verbs": verbs, "apiGroups": [g], "resources": mapping[g]}
        if names:
            rule["resourceNames"] = names
        rules.append(rule)
    if urls:
        rules.append({"verbs": verbs, "nonResourceURLs": urls})
    return rules


def _role_parts(verbs_in, resources_in, names_in, need_resource: bool):
    verbs = _verbs(_slice(verbs_in))
    resources = _parse_resources(_slice(resources_in))
    names = _dedup(names_in)
    if not verbs:
        raise CliError("at least one verb must be specified")
    return verbs, resources, names


def register(app: typer.Typer) -> None:
    create_app = create_cmd.create_app

    @create_app.command("role", context_settings=_EXTRA, help="Create a role with single rule.")
    def create_role(
        ctx: typer.Context,
        args: Optional[List[str]] = typer.Argument(None),
        verb: List[str] = typer.Option([], "--verb"),
        resource: List[str] = typer.Option([], "--resource"),
        resource_name: List[str] = typer.Option([], "--resource-name"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        save_config: bool = typer.Option(False, "--save-config"),
    ) -> int:
        namespace, dry_run, output_fmt = _opts(ctx, namespace, dry_run, output_fmt)
        name = _name_from_args(list(args or []), "create role")
        verbs, resources, names = _role_parts(verb, resource, resource_name, True)
        for v in verbs:
            if v not in VALID_RESOURCE_VERBS:
                _warn(f"Warning: '{v}' is not a standard resource verb\n")
        if not resources:
            raise CliError("at least one resource must be specified")
        _validate_resources(resources, verbs)
        obj = {"kind": "Role", "apiVersion": API_VERSION, "metadata": generators._meta(name, namespace),
               "rules": _rules(verbs, resources, names, [])}
        return create_generated(obj, ns_flag=namespace, dry_run=dry_run, fmt=output_fmt, save_config=save_config)

    @create_app.command("clusterrole", context_settings=_EXTRA, help="Create a cluster role.")
    def create_clusterrole(
        ctx: typer.Context,
        args: Optional[List[str]] = typer.Argument(None),
        verb: List[str] = typer.Option([], "--verb"),
        resource: List[str] = typer.Option([], "--resource"),
        resource_name: List[str] = typer.Option([], "--resource-name"),
        non_resource_url: List[str] = typer.Option([], "--non-resource-url"),
        aggregation_rule: List[str] = typer.Option([], "--aggregation-rule"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        save_config: bool = typer.Option(False, "--save-config"),
    ) -> int:
        _, dry_run, output_fmt = _opts(ctx, None, dry_run, output_fmt)
        name = _name_from_args(list(args or []), "create clusterrole")
        agg: dict[str, str] = {}
        for item in _slice(aggregation_rule):
            k, sep, v = item.partition("=")
            if not sep:
                raise CliError(f'invalid argument "{",".join(aggregation_rule)}" for "--aggregation-rule" flag: '
                               f"{item} must be formatted as key=value")
            agg[k] = v
        urls = _dedup(_slice(non_resource_url))
        if agg:
            if urls or verb or resource or resource_name:
                raise CliError("aggregation rule must be specified without nonResourceURLs, verbs, resources or "
                               "resourceNames")
            obj = {"kind": "ClusterRole", "apiVersion": API_VERSION, "metadata": generators._meta(name, None),
                   "rules": None, "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": generators._sorted(agg)}]}}
            return create_generated(obj, ns_flag=None, dry_run=dry_run, fmt=output_fmt, save_config=save_config)
        verbs, resources, names = _role_parts(verb, resource, resource_name, False)
        if not resources and not urls:
            raise CliError("one of resource or nonResourceURL must be specified")
        if resources:
            for v in verbs:
                if v not in VALID_RESOURCE_VERBS:
                    _warn(f"Warning: '{v}' is not a standard resource verb\n")
            _validate_resources(resources, verbs)
        if urls:
            for v in verbs:
                if v not in VALID_NON_RESOURCE_VERBS:
                    raise CliError(f"invalid verb: '{v}' for nonResourceURL")
            for u in urls:
                if u == "*":
                    continue
                if not u.startswith("/"):
                    raise CliError("nonResourceURL should start with /")
                if "*" in u[:-1]:
                    raise CliError("nonResourceURL only supports wildcard matches when '*' is at the end")
        obj = {"kind": "ClusterRole", "apiVersion": API_VERSION, "metadata": generators._meta(name, None),
               "rules": _rules(verbs, resources, names, urls)}
        return create_generated(obj, ns_flag=None, dry_run=dry_run, fmt=output_fmt, save_config=save_config)

    def _subjects(users, groups, sas) -> list[dict]:
        subs = [{"kind": "User", "apiGroup": GROUP, "name": u} for u in users]
        subs += [{"kind": "Group", "apiGroup": GROUP, "name": g} for g in groups]
        for sa in sas:
            parts = sa.split(":")
            if len(parts) != 2 or not parts[1]:
                raise CliError("serviceaccount must be <namespace>:<name>")
            subs.append({"kind": "ServiceAccount", "name": parts[1], "namespace": parts[0]})
        return subs

    @create_app.command("rolebinding", context_settings=_EXTRA, help="Create a role binding for a particular role or cluster role.")
    def create_rolebinding(
        ctx: typer.Context,
        args: Optional[List[str]] = typer.Argument(None),
        role: str = typer.Option("", "--role"),
        clusterrole: str = typer.Option("", "--clusterrole"),
        user: List[str] = typer.Option([], "--user"),
        group: List[str] = typer.Option([], "--group"),
        serviceaccount: List[str] = typer.Option([], "--serviceaccount"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        save_config: bool = typer.Option(False, "--save-config"),
    ) -> int:
        namespace, dry_run, output_fmt = _opts(ctx, namespace, dry_run, output_fmt)
        name = _name_from_args(list(args or []), "create rolebinding")
        if bool(role) == bool(clusterrole):
            raise CliError("exactly one of clusterrole or role must be specified")
        obj = {"kind": "RoleBinding", "apiVersion": API_VERSION, "metadata": generators._meta(name, namespace)}
        subs = _subjects(user, group, serviceaccount)
        if subs:
            obj["subjects"] = subs
        obj["roleRef"] = {"apiGroup": GROUP, "kind": "Role" if role else "ClusterRole", "name": role or clusterrole}
        return create_generated(obj, ns_flag=namespace, dry_run=dry_run, fmt=output_fmt, save_config=save_config)

    @create_app.command("clusterrolebinding", context_settings=_EXTRA, help="Create a cluster role binding for a particular cluster role.")
    def create_clusterrolebinding(
        ctx: typer.Context,
        args: Optional[List[str]] = typer.Argument(None),
        clusterrole: str = typer.Option("", "--clusterrole"),
        user: List[str] = typer.Option([], "--user"),
        group: List[str] = typer.Option([], "--group"),
        serviceaccount: List[str] = typer.Option([], "--serviceaccount"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        save_config: bool = typer.Option(False, "--save-config"),
    ) -> int:
        _, dry_run, output_fmt = _opts(ctx, None, dry_run, output_fmt)
        if not clusterrole:
            raise CliError('required flag(s) "clusterrole" not set')
        name = _name_from_args(list(args or []), "create clusterrolebinding")
        obj = {"kind": "ClusterRoleBinding", "apiVersion": API_VERSION, "metadata": generators._meta(name, None)}
        subs = _subjects(user, group, serviceaccount)
        if subs:
            obj["subjects"] = subs
        obj["roleRef"] = {"apiGroup": GROUP, "kind": "ClusterRole", "name": clusterrole}
        return create_generated(obj, ns_flag=None, dry_run=dry_run, fmt=output_fmt, save_config=save_config)
