"""`auth can-i` and `auth whoami`: the SelfSubjectAccessReview, SelfSubjectRulesReview and
SelfSubjectReview kubectl sends, answered by Kubernetes' RBAC rules over the cluster's Roles and
bindings (api/rbac.py), as the current user (kubernetes-admin) or the one --as / --as-group name.
"""
from __future__ import annotations

from typing import List, Optional

import typer

from minikctl.api.errors import CliError
from minikctl import lazy

_go_list = lazy.function("minikctl.printers.describe.rbac", "_go_list")
breakdown = lazy.function("minikctl.printers.describe.rbac", "breakdown")
builtin_resources = lazy.module("minikctl.api.builtin_resources")
combine_resource_group = lazy.function("minikctl.printers.describe.rbac", "combine_resource_group")
compact = lazy.function("minikctl.printers.describe.rbac", "compact")
context = lazy.module("minikctl.cli.context")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
output = lazy.module("minikctl.cli.output")
rbac = lazy.module("minikctl.api.rbac")
render = lazy.function("minikctl.printers.tabwriter", "render")
run = lazy.function("minikctl.cli.auth_reconcile", "reconcile")
_rule_string = lazy.function("minikctl.printers.describe.rbac", "_rule_string")

KNOWN_RESOURCE_VERBS = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "use",
                        "bind", "impersonate", "*", "approve", "sign", "escalate", "attest")
KNOWN_NON_RESOURCE_VERBS = ("get", "put", "post", "head", "options", "delete", "patch", "*")
NON_STANDARD = ("users", "groups")


def current_user(as_user: str | None, as_groups: list[str]):
    if as_groups and not as_user:
        raise CliError("please specify a user when impersonating a group")   # kubectl's rest config check
    if as_user:
        return rbac.impersonated(as_user, as_groups)
    return rbac.acting(context.env())


def _warn(text: str) -> None:
    context.env().stderr.write(f"Warning: {text}")


def _resource_for(arg: str):
    """(resource, group, namespaced or None) as can-i's resourceFor resolves the argument."""
    if arg == "*":
        return "*", "", None
    low = arg.lower()
    found = builtin_resources.parse(low)
    if found is not None:
        return found.plural, found.group, found.namespaced
    res, _, group = low.partition(".")
    if low not in NON_STANDARD:
        if group:
            _warn(f"the server doesn't have a resource type '{res}' in group '{group}'\n")
        else:
            _warn(f"the server doesn't have a resource type '{res}'\n")
    return arg, "", None


def register(app: typer.Typer) -> None:
    auth_app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Inspect authorization.",
                           context_settings={"help_option_names": ["-h", "--help"]})

    @auth_app.command("can-i", context_settings={"allow_extra_args": True},
                      help="Check whether an action is allowed.")
    def can_i(
        args: Optional[List[str]] = typer.Argument(None),
        all_namespaces: bool = typer.Option(False, "-A", "--all-namespaces"),
        list_: bool = typer.Option(False, "--list"),
        no_headers: bool = typer.Option(False, "--no-headers"),
        quiet: bool = typer.Option(False, "-q", "--quiet"),
        subresource: str = typer.Option("", "--subresource"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        as_user: Optional[str] = typer.Option(None, "--as"),
        as_group: List[str] = typer.Option([], "--as-group"),
    ) -> int:
        args = list(args or [])
        user = current_user(as_user, as_group)
        if list_:
            if args:
                raise CliError("list option must be specified with no arguments")
            if quiet or all_namespaces or subresource:
                raise CliError("--list option must not be specified with --quiet, --all-namespaces or --subresource")
            ns = context.namespace(namespace)
            with open_cluster(context.env()) as cluster:
                context.out(rules_table(rbac.rules_for_review(cluster, user, ns), no_headers))
            return 0
        if len(args) != 2:
            raise CliError("you must specify two arguments: verb resource or verb resource/resourceName.\n"
                           "See 'kubectl auth can-i -h' for help and examples.")
        verb, target = args
        ns = "" if all_namespaces else context.namespace(namespace)
        if target.startswith("/"):
            if subresource:
                raise CliError("--subresource can not be used with NonResourceURL")
            if verb not in KNOWN_NON_RESOURCE_VERBS:
                _warn(f"verb '{verb}' is not a known verb\n")
            req = rbac.Request(verb=verb, path=target)
        else:
            res_arg, _, name = target.partition("/")
            resource, group, namespaced = _resource_for(res_arg)
            if namespaced is False and not all_namespaces:
                if group:
                    _warn(f"resource '{resource}' is not namespace scoped in group '{group}'\n")
                else:
                    _warn(f"resource '{resource}' is not namespace scoped\n")
            if namespaced is not None and not all_namespaces and verb not in KNOWN_RESOURCE_VERBS:
                _warn(f"verb '{verb}' is not a known verb\n")
            req = rbac.Request(verb=verb, resource=resource, subresource=subresource, name=name, namespace=ns,
                               api_group=group)
        if no_headers:
            raise CliError("--no-headers cannot be set without --list specified")
        with open_cluster(context.env()) as cluster:
            allowed, _ = rbac.authorize(cluster, user, req)
        if not quiet:
            context.out("yes\n" if allowed else "no\n")
        return 0 if allowed else 1

    @auth_app.command("whoami", help="Experimental: Check self subject attributes.")
    def whoami(
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        as_user: Optional[str] = typer.Option(None, "--as"),
        as_group: List[str] = typer.Option([], "--as-group"),
    ) -> int:
        user = current_user(as_user, as_group)
        info: dict = {"username": user.name}
        if user.groups:
            info["groups"] = list(user.groups)
        if output_fmt:
            output.check_format(output_fmt)
            review = {"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
                      "metadata": {"creationTimestamp": None}, "status": {"userInfo": info}}
            output.emit(output.render([review], output_fmt, single=True))
            return 0
        rows = [["ATTRIBUTE", "VALUE"], ["Username", user.name]]
        if user.groups:
            rows.append(["Groups", "[" + " ".join(user.groups) + "]"])
        context.out(render(rows))
        return 0

    @auth_app.command("reconcile", help="Reconciles rules for RBAC role, role binding, cluster role, and cluster role "
                                        "binding objects.")
    def reconcile(
        filenames: List[str] = typer.Option([], "-f", "--filename"),
        recursive: bool = typer.Option(False, "-R", "--recursive"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        remove_extra_permissions: bool = typer.Option(False, "--remove-extra-permissions"),
        remove_extra_subjects: bool = typer.Option(False, "--remove-extra-subjects"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
    ) -> int:
        return run(filenames, recursive, namespace, remove_extra_permissions, remove_extra_subjects, dry_run)

    app.add_typer(auth_app, name="auth")


def rules_table(rules: tuple[list[dict], list[dict]], no_headers: bool) -> str:
    """can-i --list: the review's resource rules then non-resource rules, broken down, compacted
    and sorted as kubectl does, in a table."""
    resource_rules, url_rules = rules
    broken = [b for r in resource_rules + url_rules for b in breakdown(r)]
    rows = [] if no_headers else [["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]]
    for r in sorted(compact(broken), key=_rule_string):
        rows.append([combine_resource_group(r.get("resources"), r.get("apiGroups")), _go_list(r.get("nonResourceURLs")),
                     _go_list(r.get("resourceNames")), _go_list(r.get("verbs"))])
    return render(rows)
