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
    def get_contexts() -> int:
        from minikctl.printers.tabwriter import render
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

    @config_app.command("view")
    def view(minify: bool = typer.Option(False, "--minify")) -> int:
        env = context.env()
        ns = kubeconfig.current_namespace(env)
        ctx_ns = f"\n    namespace: {ns}" if ns else ""
        context.out(f"""apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: DATA+OMITTED
    server: https://192.168.1.10:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes{ctx_ns}
    user: kubernetes-admin
  name: {CONTEXT}
current-context: {CONTEXT}
kind: Config
preferences: {{}}
users:
- name: kubernetes-admin
  user:
    client-certificate-data: DATA+OMITTED
    client-key-data: DATA+OMITTED
""")
        return 0

    app.add_typer(config_app, name="config")
