"""`minikctl config current-context|set-context --current --namespace=NS|view`: the exam's
namespace-switching habit."""
from __future__ import annotations

from typing import Optional

import typer

from minikctl.api.errors import CliError
from minikctl.cli import context, kubeconfig

config_app = typer.Typer(add_completion=False, rich_markup_mode=None, no_args_is_help=True,
                         help="Modify kubeconfig files.", context_settings={"help_option_names": ["-h", "--help"]})
CONTEXT = "kubernetes-admin@kubernetes"


def register(app: typer.Typer) -> None:
    @config_app.command("current-context")
    def current_context() -> int:
        context.out(CONTEXT + "\n")
        return 0

    @config_app.command("get-contexts")
    def get_contexts(output_fmt: Optional[str] = typer.Option(None, "-o", "--output")) -> int:
        from minikctl.printers.tabwriter import render
        if output_fmt == "name":
            context.out(CONTEXT + "\n")
            return 0
        if output_fmt:
            raise CliError(f"--output {output_fmt} is not available in kubectl config get-contexts; "
                           "resetting to default output format")
        ns = kubeconfig.current_namespace(context.env()) or ""
        context.out(render([["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"],
                            ["*", CONTEXT, "kubernetes", "kubernetes-admin", ns]]))
        return 0

    @config_app.command("set-context")
    def set_context(name: Optional[str] = typer.Argument(None), current: bool = typer.Option(False, "--current"),
                    namespace: Optional[str] = typer.Option(None, "--namespace", "-n")) -> int:
        env = context.env()
        if not current and name not in (CONTEXT,):
            raise CliError("you must specify a non-empty context name or --current")
        data = kubeconfig.load(env)
        if namespace is not None:
            data["namespace"] = namespace
        kubeconfig.save(env, data)
        context.out(f'Context "{CONTEXT}" modified.\n')
        return 0

    @config_app.command("use-context")
    def use_context(name: Optional[str] = typer.Argument(None)) -> int:
        if not name:
            raise CliError("Unexpected args: []")
        if name != CONTEXT:
            raise CliError(f'no context exists with the name: "{name}"')
        context.out(f'Switched to context "{CONTEXT}".\n')
        return 0

    config_app.command("use", hidden=True)(use_context)

    @config_app.command("view")
    def view(minify: bool = typer.Option(False, "--minify"),
             output_fmt: Optional[str] = typer.Option(None, "-o", "--output")) -> int:
        from minikctl.cli import output
        from minikctl.printers import serialize
        from minikctl.sim.cluster import open_cluster
        from minikctl.sim.profile import apiserver_url
        env = context.env()
        with open_cluster(env) as cluster:  # the server of the cluster's admin.conf, from its profile
            server = apiserver_url(cluster.profile)
        ns = kubeconfig.current_namespace(env)
        ctx = {"cluster": "kubernetes", **({"namespace": ns} if ns else {}), "user": "kubernetes-admin"}
        config = {
            "apiVersion": "v1",
            "clusters": [{"cluster": {"certificate-authority-data": "DATA+OMITTED",
                                      "server": server}, "name": "kubernetes"}],
            "contexts": [{"context": ctx, "name": CONTEXT}],
            "current-context": CONTEXT, "kind": "Config", "preferences": {},
            "users": [{"name": "kubernetes-admin", "user": {"client-certificate-data": "DATA+OMITTED",
                                                            "client-key-data": "DATA+OMITTED"}}],
        }
        if not output_fmt or output_fmt == "yaml":
            context.out(serialize.to_yaml(config))
        elif output_fmt == "json":
            context.out(serialize.to_json(config))
        else:
            output.check_format(output_fmt)
            output.emit(output.render([config], output_fmt, single=True))
        return 0

    app.add_typer(config_app, name="config")
