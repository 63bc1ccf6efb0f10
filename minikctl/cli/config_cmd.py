"""`minikctl config`: current-context, get-contexts, set-context (the exam's namespace switch, and
contexts for other users), use-context, set-credentials (a user's client certificate and key,
as paths or --embed-certs), view."""
from __future__ import annotations

from typing import List, Optional

import typer

from minikctl.api.errors import CliError
from minikctl.cli import context, kubeconfig
import base64
import os
from minikctl import lazy

apiserver_url = lazy.function("minikctl.sim.profile", "apiserver_url")
clusters = lazy.module("minikctl.clusters")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
output = lazy.module("minikctl.cli.output")
render = lazy.function("minikctl.printers.tabwriter", "render")
serialize = lazy.module("minikctl.printers.serialize")

config_app = typer.Typer(add_completion=False, rich_markup_mode=None, no_args_is_help=True,
                         help="Modify kubeconfig files.", context_settings={"help_option_names": ["-h", "--help"]})
CONTEXT = kubeconfig.ADMIN_CONTEXT


def register(app: typer.Typer) -> None:
    @config_app.command("current-context")
    def current_context() -> int:
        context.out(kubeconfig.current_context(context.env()) + "\n")
        return 0

    @config_app.command("get-contexts")
    def get_contexts(output_fmt: Optional[str] = typer.Option(None, "-o", "--output")) -> int:
        env = context.env()
        ctxs = kubeconfig.contexts(kubeconfig.load(env))
        cur = kubeconfig.current_context(env)
        if output_fmt == "name":
            context.out("".join(f"{n}\n" for n in sorted(ctxs)))
            return 0
        if output_fmt:
            raise CliError(f"--output {output_fmt} is not available in kubectl config get-contexts; "
                           "resetting to default output format")
        rows = [["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"]]
        for n in sorted(ctxs):
            c = ctxs[n]
            rows.append(["*" if n == cur else "", n, c.get("cluster", ""), c.get("user", ""), c.get("namespace", "")])
        context.out(render(rows))
        return 0

    @config_app.command("set-context")
    def set_context(name: Optional[str] = typer.Argument(None), current: bool = typer.Option(False, "--current"),
                    namespace: Optional[str] = typer.Option(None, "--namespace", "-n"),
                    cluster: Optional[str] = typer.Option(None, "--cluster"),
                    user: Optional[str] = typer.Option(None, "--user")) -> int:
        env = context.env()
        data = kubeconfig.load(env)
        if current:
            if name:
                raise CliError("you cannot specify both a context name and --current")
            name = kubeconfig.current_context(env)
        if not name:
            raise CliError("you must specify a non-empty context name or --current")
        if name == CONTEXT:
            if namespace is not None:
                data["namespace"] = namespace
            kubeconfig.save(env, data)
            context.out(f'Context "{name}" modified.\n')
            return 0
        ctxs = data.setdefault("contexts", {})
        existed = name in ctxs
        entry = ctxs.setdefault(name, {})
        for key, val in (("cluster", cluster), ("user", user), ("namespace", namespace)):
            if val is not None:
                if val:
                    entry[key] = val
                else:
                    entry.pop(key, None)
        kubeconfig.save(env, data)
        context.out(f'Context "{name}" {"modified" if existed else "created"}.\n')
        return 0

    @config_app.command("use-context")
    def use_context(name: Optional[str] = typer.Argument(None)) -> int:
        if not name:
            raise CliError("Unexpected args: []")
        env = context.env()
        data = kubeconfig.load(env)
        if name not in kubeconfig.contexts(data):
            raise CliError(f'no context exists with the name: "{name}"')
        if name == CONTEXT:
            data.pop("current", None)
        else:
            data["current"] = name
        kubeconfig.save(env, data)
        context.out(f'Switched to context "{name}".\n')
        return 0

    config_app.command("use", hidden=True)(use_context)

    @config_app.command("set-credentials")
    def set_credentials(name: Optional[str] = typer.Argument(None),
                        client_certificate: Optional[str] = typer.Option(None, "--client-certificate"),
                        client_key: Optional[str] = typer.Option(None, "--client-key"),
                        token: Optional[str] = typer.Option(None, "--token"),
                        embed_certs: bool = typer.Option(False, "--embed-certs")) -> int:
        if not name:
            raise CliError("Unexpected args: []")
        env = context.env()
        data = kubeconfig.load(env)
        entry = data.setdefault("users", {}).setdefault(name, {})
        for flag, val, key in (("client-certificate", client_certificate, "client-certificate"),
                               ("client-key", client_key, "client-key")):
            if val is None:
                continue
            path = os.path.abspath(os.path.expanduser(val))
            if embed_certs:
                try:
                    with open(path, "rb") as f:
                        raw = f.read()
                except OSError as e:
                    raise CliError(f"error reading {flag} data from {val}: open {val}: "
                                   f"{(e.strerror or str(e)).lower()}") from None
                entry[f"{key}-data"] = base64.b64encode(raw).decode()
                entry.pop(key, None)
            else:
                entry[key] = path
                entry.pop(f"{key}-data", None)
        if token is not None:
            entry["token"] = token
        kubeconfig.save(env, data)
        context.out(f'User "{name}" set.\n')
        return 0

    @config_app.command("view")
    def view(minify: bool = typer.Option(False, "--minify"),
             raw: bool = typer.Option(False, "--raw"),
             output_fmt: Optional[str] = typer.Option(None, "-o", "--output")) -> int:
        env = context.env()
        old_cluster, env.cluster = env.cluster, clusters.DEFAULT
        try:
            with open_cluster(env) as cluster:  # the server of the default cluster's admin.conf, from its profile
                server = apiserver_url(cluster.profile)
        finally:
            env.cluster = old_cluster
        data = kubeconfig.load(env)
        ctxs = kubeconfig.contexts(data)
        cur = kubeconfig.current_context(env)
        omitted = {"client-certificate-data": "DATA+OMITTED", "client-key-data": "DATA+OMITTED"}
        users = {"kubernetes-admin": dict(omitted)}
        servers = {"kubernetes": server}
        for cname, c in clusters.named(data).items():  # every cluster of the exam's kubeconfig
            servers[cname] = c.get("server", "")
            users[c.get("user") or clusters.admin_user(cname)] = dict(omitted)
        for uname, u in (data.get("users") or {}).items():
            users[uname] = {k: (v if raw or not k.endswith("-data") else "DATA+OMITTED") for k, v in sorted(u.items())}
        if minify:
            ctxs = {cur: ctxs[cur]}
            users = {k: v for k, v in users.items() if k == ctxs[cur].get("user")}
            servers = {k: v for k, v in servers.items() if k == ctxs[cur].get("cluster")}
        config = {
            "apiVersion": "v1",
            "clusters": [{"cluster": {"certificate-authority-data": "DATA+OMITTED",
                                      "server": servers[n]}, "name": n} for n in sorted(servers)],
            "contexts": [{"context": ctxs[n], "name": n} for n in sorted(ctxs)],
            "current-context": cur, "kind": "Config", "preferences": {},
            "users": [{"name": n, "user": users[n]} for n in sorted(users)],
        }
        if not output_fmt or output_fmt == "yaml":
            context.out(serialize.to_yaml(config))
        elif output_fmt == "json":
            context.out(serialize.to_json(config))
        else:
            output.check_format(output_fmt)
            output.emit(output.render([config], output_fmt, single=True))
        return 0

    @config_app.command("get-clusters")
    def get_clusters() -> int:
        names = ["kubernetes"] + sorted(clusters.named(kubeconfig.load(context.env())))
        context.out("NAME\n" + "".join(f"{n}\n" for n in sorted(names)))
        return 0

    @config_app.command("get-users")
    def get_users() -> int:
        data = kubeconfig.load(context.env())
        names = {kubeconfig.ADMIN_USER} | set(data.get("users") or {})
        names |= {c.get("user") for c in clusters.named(data).values() if c.get("user")}
        context.out("NAME\n" + "".join(f"{n}\n" for n in sorted(names)))
        return 0

    for missing in ("delete-context", "rename-context", "set-cluster", "delete-cluster", "delete-user",
                    "set", "unset", "set-credentials-exec"):
        def _not_simulated(args: Optional[List[str]] = typer.Argument(None), _name: str = missing) -> int:
            raise CliError(f"minikctl: kubectl config {_name} is not simulated (minikctl keeps one kubeconfig; "
                           "see docs/cluster-admin.md)", raw=True)
        config_app.command(missing, hidden=True, context_settings={"ignore_unknown_options": True,
                                                                   "allow_extra_args": True})(_not_simulated)

    app.add_typer(config_app, name="config")
