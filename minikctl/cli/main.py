"""The `minikctl` command: a typer app whose verbs live one per module in this package.

main() sets up the Environment, strips the global flags (--no-color, --seed), runs the app, and
renders errors once, the way kubectl's CheckErr does: message on stderr, exit code 1 (or the
code the error carries). No traceback reaches the user.
"""
from __future__ import annotations

import re

import contextlib
import os
import sys

import typer
try:
    import click
except ImportError:  # typer >= 0.20 vendors click
    from typer import _click as click

from minikctl.api.errors import ApiError, CliError
from minikctl.cli import context
import importlib
from minikctl import lazy

Env = lazy.function("minikctl.env", "Env")
ca = lazy.module("minikctl.sim.ca")
clusters = lazy.module("minikctl.clusters")
flagerrors = lazy.module("minikctl.cli.flagerrors")
hard_stop = lazy.function("minikctl.labs.exam_clock", "hard_stop")
impersonate = lazy.module("minikctl.cli.impersonate")
kinds = lazy.module("minikctl.api.kinds")
kubeconfig = lazy.module("minikctl.cli.kubeconfig")
kubectl_style_help = lazy.module("minikctl.cli.help")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
rbac = lazy.module("minikctl.api.rbac")
read_crd_kinds = lazy.function("minikctl.store.db", "read_crd_kinds")
template_flag = lazy.module("minikctl.cli.template_flag")
unknown_command = lazy.function("minikctl.cli.suggest", "unknown_command")
unsimulated = lazy.module("minikctl.cli.unsimulated")

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help="minikctl: a kubectl-like CKA lab over a simulated Kubernetes cluster.")


@app.callback()
def _root() -> None:
    """minikctl: a kubectl-like CKA lab over a simulated Kubernetes cluster."""


# Which module registers which verb. A command line registers only the module(s) its verb needs,
# so `minikctl get` does not pay for building sixty other commands; help and unknown verbs
# register everything.
VERB_MODULES: dict[str, tuple[str, ...]] = {
    "get": ("get_cmd",), "apply": ("apply_cmd",),
    "create": ("create_cmd", "create_sub_cmd", "create_ingress_cmd", "create_rbac_cmd", "create_quota_cmd", "create_pc_cmd"),
    "auth": ("auth_cmd",), "certificate": ("certificate_cmd",),
    "delete": ("delete_cmd",), "describe": ("describe_cmd",), "run": ("run_cmd",), "exec": ("exec_cmd",), "cp": ("cp_cmd",),
    "cluster": ("cluster_cmd",), "cluster-info": ("cluster_cmd",), "dns": ("dns_cmd",), "config": ("config_cmd",),
    "expose": ("expose_cmd",), "scale": ("scale_cmd",), "label": ("label_cmd",), "annotate": ("label_cmd",),
    "set": ("set_cmd",), "patch": ("patch_cmd",), "replace": ("patch_cmd",), "edit": ("edit_cmd",),
    "rollout": ("rollout_cmd",), "wait": ("rollout_cmd",),
    "logs": ("logs_cmd",), "explain": ("explain_cmd",), "api-resources": ("explain_cmd",),
    "ssh": ("net_cmd",), "traffic": ("net_cmd",), "sim": ("net_cmd",), "lab": ("lab_cmd",),
    "drill": ("drill_cmd",), "exam": ("drill_cmd",), "shell": ("shell_cmd",), "serve": ("serve_cmd",),
    "kubeconfig": ("serve_cmd",), "taint": ("node_cmd",), "cordon": ("node_cmd",), "uncordon": ("node_cmd",),
    "drain": ("node_cmd",), "port-forward": ("port_forward_cmd",), "version": ("node_cmd",), "top": ("top_cmd",), "addons": ("addons_cmd",),
    "autoscale": ("autoscale_cmd",), "kustomize": ("kustomize_cmd",), "helm": ("helm_cmd",),
}
ALL_MODULES = ("get_cmd", "cp_cmd", "apply_cmd", "create_cmd", "create_rbac_cmd", "create_quota_cmd", "create_pc_cmd",
               "auth_cmd", "certificate_cmd", "delete_cmd", "describe_cmd", "run_cmd", "exec_cmd",
               "cluster_cmd", "dns_cmd", "config_cmd", "create_sub_cmd", "create_ingress_cmd", "expose_cmd", "scale_cmd", "label_cmd",
               "set_cmd", "patch_cmd", "edit_cmd", "rollout_cmd", "logs_cmd", "explain_cmd", "watch_cmd",
               "net_cmd", "port_forward_cmd", "lab_cmd", "drill_cmd", "shell_cmd", "serve_cmd",
               "node_cmd", "autoscale_cmd", "top_cmd", "addons_cmd", "kustomize_cmd", "helm_cmd")
_registered: set[str] = set()


def _register(modules) -> None:
    """Register verb modules on the app, each once (in-process callers run many lines)."""
    for name in modules:
        if name in _registered:
            continue
        _registered.add(name)
        importlib.import_module(f"minikctl.cli.{name}").register(app)
    kubectl_style_help.install(app)  # help with kubectl's flag texts and Examples, no escaped brackets


_command_cache: dict[frozenset, object] = {}


def _click_command():
    """The click command typer builds from the app, built once per set of registered modules
    (typer rebuilds it on every call: ~90 ms with every verb registered, paid by each command
    line the shell, the labs or the tests run in one process)."""
    key = frozenset(_registered)
    cmd = _command_cache.get(key)
    if cmd is None:
        cmd = typer.main.get_command(app)
        _command_cache.clear()
        _command_cache[key] = cmd
    return cmd


def _verb(argv: list[str]) -> str | None:
    for a in argv:
        if a == "--":
            return None
        if not a.startswith("-"):
            return a
    return None


def _verb_names() -> list[str]:
    """The app's visible top-level verbs (commands and command groups), in registration order."""
    names = [c.name for c in app.registered_commands if c.name and not c.hidden]
    return names + [g.name for g in app.registered_groups if g.name and not g.hidden]


def register_for(argv: list[str]) -> None:
    verb = _verb(argv)
    _register(VERB_MODULES.get(verb, ALL_MODULES) if verb else ALL_MODULES)


def _strip_globals(argv: list[str], env) -> list[str]:
    out = []
    skip = False
    for i, a in enumerate(argv):
        if skip:
            skip = False
            continue
        if a == "--":
            out.extend(argv[i:])
            break
        if a == "--no-color":
            env.no_color = True
        elif a == "--context" or a.startswith("--context="):
            if a == "--context" and i + 1 >= len(argv):
                raise CliError("Error: flag needs an argument: --context\nSee 'minikctl --help' for usage.", raw=True)
            env.context = a.split("=", 1)[1] if "=" in a else argv[i + 1]
            skip = "=" not in a
            _check_context(env)
        elif a.startswith("--seed="):
            env.seed = _seed(a.split("=", 1)[1])
        elif a == "--seed":
            if i + 1 >= len(argv):
                raise CliError("Error: flag needs an argument: --seed\nSee 'minikctl --help' for usage.", raw=True)
            env.seed = _seed(argv[i + 1])
            skip = True
        else:
            out.append(a)
    return _namespace_after_verb(out)


def _check_context(env) -> None:
    """kubectl --context NAME: a context the kubeconfig does not have is clientcmd's error."""
    if env.context and env.context not in kubeconfig.contexts(kubeconfig.load(env)):
        raise CliError(f"context was not found for specified context: {env.context}")


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CliError(f'Error: invalid argument "{text}" for "--seed" flag: strconv.ParseInt: parsing "{text}": '
                       "invalid syntax\nSee 'minikctl --help' for usage.", raw=True)


def _namespace_after_verb(argv: list[str]) -> list[str]:
    """`kubectl -n kube-system get po`: kubectl's -n/--namespace is a global flag that may come
    before the verb. Move such leading flags after the whole command (before any `--`)."""
    moved: list[str] = []
    i = 0
    while i < len(argv) and argv[i].startswith("-") and argv[i] != "--":
        a = argv[i]
        if a in ("-n", "--namespace") and i + 1 < len(argv):
            moved += [a, argv[i + 1]]
            i += 2
        elif a.startswith("--namespace=") or (a.startswith("-n") and len(a) > 2):
            moved.append(a)
            i += 1
        else:
            return argv  # another leading flag (e.g. --help): leave the line as typed
    if not moved:
        return argv
    rest = argv[i:]
    cut = rest.index("--") if "--" in rest else len(rest)
    return rest[:cut] + moved + rest[cut:]


_UNCHECKED = {None, "auth", "config", "lab", "drill", "exam", "shell", "serve", "kubeconfig", "cluster", "sim",
              "version", "explain", "api-resources", "dns", "ssh", "traffic", "help", "certificate"}


def _acting_user(argv: list[str], env) -> list[str]:
    """Who the command acts as: --as / --as-group (impersonation), else the current context's
    user (its client certificate); anyone but kubernetes-admin has the command's requests
    authorized by RBAC first (cli/impersonate.py)."""
    env.user = None
    verb = _verb(argv)
    user = None
    if verb != "auth" and any(a == "--as" or a.startswith(("--as=", "--as-group")) for a in argv):
        argv, as_user, as_groups = impersonate.extract(argv)
        if as_groups and not as_user:
            raise CliError("please specify a user when impersonating a group")
        if as_user:
            user = rbac.impersonated(as_user, as_groups)
    if user is None:
        user = _kubeconfig_user(env)
    if user is None:
        return argv
    env.user = user
    if verb not in _UNCHECKED:
        impersonate.check(argv, user, env)
    return argv


def _kubeconfig_user(env):
    """The current context's user as the apiserver authenticates it, or None for kubernetes-admin:
    a client certificate signed by the cluster CA is its CN (user) and O (groups); no credentials
    is system:anonymous; a certificate the CA did not sign is Unauthorized."""
    name = kubeconfig.current_user_name(env)
    owner = clusters.owner_of_user(kubeconfig.load(env), name) if name else None
    if name == "" or owner is not None:  # a cluster's admin credentials: its CA signed them, no other's
        if owner in (None, clusters.selected(env) or clusters.DEFAULT):
            return None
        raise CliError("You must be logged in to the server (Unauthorized)")
    entry = kubeconfig.user_entry(env, name) or {}
    cert = kubeconfig.client_certificate(entry)
    if cert is None:
        return rbac.User("system:anonymous", ("system:unauthenticated",))
    with open_cluster(env) as cluster:
        ok = ca.verify(cluster, cert)
    who = ca.identity(cert) if ok else None
    if who is None:
        raise CliError("You must be logged in to the server (Unauthorized)")
    return rbac.User(who[0], tuple(who[1]) + ("system:authenticated",))


def _serve_crd_kinds(env) -> None:
    """The CRDs' kinds of this command's cluster, read from its state only when a name is not a
    built-in one (api/kinds.py's loader); none left from an earlier command line."""
    kinds.set_dynamic(None)
    kinds.set_loader(lambda: read_crd_kinds(env.db_path))


def run(argv: list[str], env=None) -> int:
    """Run one command line in-process (the shell and the labs use this); returns the exit code.
    env is passed to the verbs as click's context object (cli/context.py): the caller's command,
    if any, keeps its own."""
    return _run(argv, env or Env())


def _run(argv: list[str], env) -> int:
    env.argv = list(argv)

    def say(text: str) -> None:  # errors are rendered here, outside the command's click context
        context.write_err(env, text)
    try:
        hard_stop(env)          # a running exam past its deadline is graded before this command

        argv = flagerrors.short_equals(_strip_globals(list(argv), env))
        _serve_crd_kinds(env)
        argv = _acting_user(argv, env)
        argv = template_flag.rewrite(argv, _verb(argv))
        register_for(argv)
        for _ in range(len(argv) + 1):  # pflag's `--flag=false`: rewrite and parse again
            try:
                # click prints help (--help, a group without a subcommand) with its own echo on
                # sys.stdout: send it to this command's stdout (the shell's pipe, a test's buffer)
                with contextlib.redirect_stdout(env.stdout):
                    rv = _click_command()(args=argv, prog_name="minikctl", standalone_mode=False, obj=env)
                break
            except click.exceptions.UsageError as e:
                fixed = flagerrors.bool_rewrite(e, argv)
                if not isinstance(fixed, list):
                    raise
                argv = fixed
        return rv if isinstance(rv, int) else 0
    except (ApiError, CliError) as e:
        say(e.render())
        return getattr(e, "code", 1) if isinstance(e, CliError) else 1
    except click.exceptions.UsageError as e:
        cmd_path = e.ctx.command_path if e.ctx is not None else f"minikctl {' '.join(argv[:1])}"
        text = flagerrors.bool_rewrite(e, argv) or flagerrors.pflag_message(e, argv)
        if isinstance(text, str):
            opt = getattr(e, "option_name", None)     # a flag kubectl has and minikctl lacks, not a bad value
            unknown = isinstance(e, click.exceptions.NoSuchOption)
            note = unsimulated.flag_note(cmd_path.split()[1:], opt) if opt and unknown else None
            say(note or f"Error: {text}\nSee '{cmd_path} --help' for usage.")
            return 1
        if e.format_message().startswith("No such command"):
            if e.ctx is not None and e.ctx.parent is not None:  # a group's subcommand: `config nope`
                name = e.format_message().split("'")[1]
                note = unsimulated.command_note(e.ctx.command_path.split()[1:] + [name])
                say(note or f'error: unknown command "{name}"\nSee \'{e.ctx.command_path} -h\' for help and '
                                    'examples')
                return 1
            note = unsimulated.command_note([_verb(argv) or ""])
            say(note or unknown_command(_verb(argv) or "", "minikctl", _verb_names()))
            return 1
        m = re.match(r"Got unexpected extra arguments? \(([^)\s]+)", e.format_message())
        if m and e.ctx is not None:              # `apply view-last-applied`: a kubectl subcommand
            note = unsimulated.command_note(e.ctx.command_path.split()[1:] + [m.group(1)])
            if note:
                say(note)
                return 1
        say(f"error: {e.format_message()}\nSee 'minikctl {argv[0] if argv else ''} --help' for usage.")
        return 1
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.exceptions.Abort:
        return 130
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except OSError as e:
        say(f"error: {e}")
        return 1
    except RecursionError:
        say("minikctl: input nested this deeply is not simulated (Python's recursion limit)")
        return 1
    except Exception as e:  # noqa: BLE001 - a bug: one honest line instead of a traceback
        if os.environ.get("MINIKCTL_DEBUG"):
            raise
        say(f"minikctl: internal error ({type(e).__name__}: {e}); nothing was changed. This is a minikctl "
                    "bug: please report it with the command line (MINIKCTL_DEBUG=1 shows the traceback)")
        return 1


def main() -> None:
    code = run(sys.argv[1:])
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    sys.exit(code)
