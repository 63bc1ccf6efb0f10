"""The imperative `create <kind>` subcommands: deployment (deploy), service <type> (svc),
namespace (ns), configmap (cm), secret generic|tls|docker-registry.

They hang on `minikctl.cli.create_cmd.create_app`, whose callback handles `create -f`. Each one
builds its object with kubectl's generator (minikctl.api.generators); a client dry run prints it
as kubectl would (typed objects print JSON in Go field order), anything else is created through
the apiserver (writes.create_generated). Flags given before the subcommand
(`create --dry-run=client deployment ...`) reach it through the parent context.
"""
from __future__ import annotations

from typing import List, Optional

import typer

from minikctl.api import generators
from minikctl.api.errors import CliError, ApiError
from minikctl.cli.writes import create_generated
import random
from minikctl import lazy

context = lazy.module("minikctl.cli.context")
imageref = lazy.module("minikctl.api.imageref")
kinds = lazy.module("minikctl.api.kinds")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
output = lazy.module("minikctl.cli.output")
server = lazy.module("minikctl.api.server")
timeutil = lazy.module("minikctl.timeutil")
tokens = lazy.module("minikctl.sim.tokens")
create_cmd = lazy.module("minikctl.cli.create_cmd")

_EXTRA = {"allow_extra_args": True, "ignore_unknown_options": False}


def _slice(values: list[str]) -> list[str]:
    """pflag StringSlice: each occurrence is a comma-separated list."""
    return [p for v in values for p in v.split(",") if p != "" or len(v.split(",")) == 1]


def _name_from_args(args: list[str], cmd: str) -> str:
    if len(args) != 1:
        raise CliError(f"exactly one NAME is required, got {len(args)}\nSee 'kubectl {cmd} -h' for help and examples")
    return args[0]


def _opts(ctx: typer.Context, namespace, dry_run, fmt):
    parent = ctx.obj or {}
    return (namespace or parent.get("namespace"), dry_run or parent.get("dry_run"), fmt or parent.get("output"))


def _register_create(create_app: typer.Typer) -> None:
    @create_app.command("deployment", context_settings=_EXTRA, help="Create a deployment with the specified name.")
    def create_deployment(
        ctx: typer.Context,
        args: Optional[List[str]] = typer.Argument(None),
        image: List[str] = typer.Option([], "--image"),
        replicas: int = typer.Option(1, "-r", "--replicas"),
        port: int = typer.Option(-1, "--port"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        save_config: bool = typer.Option(False, "--save-config"),
    ) -> int:
        namespace, dry_run, output_fmt = _opts(ctx, namespace, dry_run, output_fmt)
        args = list(args or [])
        if not args:
            raise CliError("exactly one NAME is required, got 0\nSee 'kubectl create deployment -h' for help and examples")
        images = _slice(image)
        if not images:
            raise CliError('required flag(s) "image" not set')
        obj = generators.deployment(args[0], images, replicas=replicas, port=port, command=args[1:],
                                    namespace=namespace, rng=_cluster_rng(images))
        return create_generated(obj, ns_flag=namespace, dry_run=dry_run, fmt=output_fmt, save_config=save_config,
                                wrap="failed to create deployment: ")

    service_app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Create a service using a specified subcommand.",
                              context_settings={"help_option_names": ["-h", "--help"]})

    def _service_cmd(sub: str):
        stype = generators.SERVICE_TYPES[sub]

        def cmd(
            ctx: typer.Context,
            args: Optional[List[str]] = typer.Argument(None),
            tcp: List[str] = typer.Option([], "--tcp"),
            clusterip: str = typer.Option("", "--clusterip", hidden=sub != "clusterip"),
            node_port: int = typer.Option(0, "--node-port", hidden=sub != "nodeport"),
            external_name: str = typer.Option("", "--external-name", hidden=sub != "externalname"),
            namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
            dry_run: Optional[str] = typer.Option(None, "--dry-run"),
            output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
            save_config: bool = typer.Option(False, "--save-config"),
        ) -> int:
            parent = (ctx.parent.obj if ctx.parent else None) or {}
            namespace = namespace or parent.get("namespace")
            dry_run = dry_run or parent.get("dry_run")
            output_fmt = output_fmt or parent.get("output")
            for flag, val, allowed in (("--clusterip", clusterip, "clusterip"), ("--node-port", node_port, "nodeport"),
                                       ("--external-name", external_name, "externalname")):
                if val and sub != allowed:
                    raise CliError(f"unknown flag: {flag}")
            if sub == "externalname" and not external_name:
                raise CliError('required flag(s) "external-name" not set')
            name = _name_from_args(list(args or []), f"create service {sub}")
            obj = generators.service(name, stype, tcp=_slice(tcp), cluster_ip=clusterip, node_port=node_port,
                                     external_name=external_name, namespace=namespace)
            return create_generated(obj, ns_flag=namespace, dry_run=dry_run, fmt=output_fmt, save_config=save_config,
                                    wrap=f"failed to create {stype} service: ")
        return cmd

    for sub in generators.SERVICE_TYPES:
        service_app.command(sub, help=f"Create a {generators.SERVICE_TYPES[sub]} service.")(_service_cmd(sub))

    @service_app.callback(invoke_without_command=True)
    def service_callback(ctx: typer.Context) -> None:
        ctx.obj = ctx.parent.obj if ctx.parent else None

    create_app.command("deploy", context_settings=_EXTRA, hidden=True)(create_deployment)  # kubectl's alias
    create_app.add_typer(service_app, name="service")
    create_app.add_typer(service_app, name="svc", hidden=True)

    @create_app.command("namespace", context_settings=_EXTRA, help="Create a namespace with the specified name.")
    def create_namespace(
        ctx: typer.Context,
        args: Optional[List[str]] = typer.Argument(None),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        save_config: bool = typer.Option(False, "--save-config"),
    ) -> int:
        _, dry_run, output_fmt = _opts(ctx, None, dry_run, output_fmt)
        name = _name_from_args(list(args or []), "create namespace")
        return create_generated(generators.namespace(name), ns_flag=None, dry_run=dry_run, fmt=output_fmt,
                                save_config=save_config)

    create_app.command("ns", context_settings=_EXTRA, hidden=True)(create_namespace)

    @create_app.command("job", context_settings=_EXTRA, help="Create a job with the specified name.")
    def create_job(
        ctx: typer.Context,
        args: Optional[List[str]] = typer.Argument(None),
        image: str = typer.Option("", "--image"),
        from_: str = typer.Option("", "--from"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        save_config: bool = typer.Option(False, "--save-config"),
    ) -> int:
        namespace, dry_run, output_fmt = _opts(ctx, namespace, dry_run, output_fmt)
        args = list(args or [])
        if not args:
            raise CliError("exactly one NAME is required, got 0\nSee 'kubectl create job -h' for help and examples")
        name, command = args[0], args[1:]
        if bool(image) == bool(from_):
            raise CliError("either --image or --from must be specified")
        if command and from_:
            raise CliError("cannot specify --from and command")
        if from_:
            obj = generators.job_from_cronjob(name, _from_cronjob(from_, namespace), namespace=namespace)
        else:
            obj = generators.job(name, image, command, namespace=namespace)
        return create_generated(obj, ns_flag=namespace, dry_run=dry_run, fmt=output_fmt, save_config=save_config,
                                wrap="failed to create job: ")

    @create_app.command("cronjob", context_settings=_EXTRA, help="Create a cron job with the specified name.")
    def create_cronjob(
        ctx: typer.Context,
        args: Optional[List[str]] = typer.Argument(None),
        image: str = typer.Option("", "--image"),
        schedule: str = typer.Option("", "--schedule"),
        restart: str = typer.Option("OnFailure", "--restart"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        save_config: bool = typer.Option(False, "--save-config"),
    ) -> int:
        namespace, dry_run, output_fmt = _opts(ctx, namespace, dry_run, output_fmt)
        missing = [f'"{f}"' for f, v in (("image", image), ("schedule", schedule)) if not v]
        if missing:
            raise CliError(f"required flag(s) {', '.join(missing)} not set")
        args = list(args or [])
        if not args:
            raise CliError("exactly one NAME is required, got 0\nSee 'kubectl create cronjob -h' for help and examples")
        obj = generators.cronjob(args[0], image, schedule, args[1:], restart=restart, namespace=namespace)
        return create_generated(obj, ns_flag=namespace, dry_run=dry_run, fmt=output_fmt, save_config=save_config,
                                wrap="failed to create cronjob: ")

    create_app.command("cj", context_settings=_EXTRA, hidden=True)(create_cronjob)

    @create_app.command("poddisruptionbudget", context_settings=_EXTRA,
                        help="Create a pod disruption budget with the specified name.")
    def create_pdb(
        ctx: typer.Context,
        args: Optional[List[str]] = typer.Argument(None),
        selector: str = typer.Option("", "--selector"),
        min_available: str = typer.Option("", "--min-available"),
        max_unavailable: str = typer.Option("", "--max-unavailable"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        save_config: bool = typer.Option(False, "--save-config"),
    ) -> int:
        namespace, dry_run, output_fmt = _opts(ctx, namespace, dry_run, output_fmt)
        name = _name_from_args(list(args or []), "create poddisruptionbudget")
        try:
            obj = generators.pdb(name, selector, min_available=min_available, max_unavailable=max_unavailable,
                                 namespace=namespace)
        except ValueError as e:
            raise CliError(f'couldn\'t parse the selector string "{selector}": {e}') from None
        return create_generated(obj, ns_flag=namespace, dry_run=dry_run, fmt=output_fmt, save_config=save_config,
                                wrap="failed to create poddisruptionbudgets: ")

    create_app.command("pdb", context_settings=_EXTRA, hidden=True)(create_pdb)

    def _data_cmd(kind: str):
        def cmd(
            ctx: typer.Context,
            args: Optional[List[str]] = typer.Argument(None),
            from_literal: List[str] = typer.Option([], "--from-literal"),
            from_file: List[str] = typer.Option([], "--from-file"),
            from_env_file: List[str] = typer.Option([], "--from-env-file"),
            stype: str = typer.Option("", "--type", hidden=kind != "Secret"),
            namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
            dry_run: Optional[str] = typer.Option(None, "--dry-run"),
            output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
            save_config: bool = typer.Option(False, "--save-config"),
            append_hash: bool = typer.Option(False, "--append-hash"),
        ) -> int:
            if kind == "Secret":
                parent = (ctx.parent.obj if ctx.parent else None) or {}
                namespace = namespace or parent.get("namespace")
                dry_run = dry_run or parent.get("dry_run")
                output_fmt = output_fmt or parent.get("output")
            else:
                namespace, dry_run, output_fmt = _opts(ctx, namespace, dry_run, output_fmt)
            label = "secret generic" if kind == "Secret" else "configmap"
            name = _name_from_args(list(args or []), f"create {label}")
            data = generators.read_sources(kind, name, from_literal, _slice(from_file), from_env_file)
            if kind == "Secret":
                obj = generators.secret_generic(name, data, stype=stype, namespace=namespace, append_hash=append_hash)
                wrap = "failed to create secret "
            else:
                obj = generators.configmap(name, data, namespace=namespace, append_hash=append_hash)
                wrap = "failed to create configmap: "
            return create_generated(obj, ns_flag=namespace, dry_run=dry_run, fmt=output_fmt,
                                    save_config=save_config, wrap=wrap)
        return cmd

    cm = _data_cmd("ConfigMap")
    create_app.command("configmap", context_settings=_EXTRA, help="Create a config map from a local file, directory or literal value.")(cm)
    create_app.command("cm", context_settings=_EXTRA, hidden=True)(cm)

    secret_app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Create a secret using a specified subcommand.",
                             context_settings={"help_option_names": ["-h", "--help"]})

    @secret_app.callback(invoke_without_command=True)
    def secret_callback(ctx: typer.Context) -> None:
        ctx.obj = ctx.parent.obj if ctx.parent else None

    secret_app.command("generic", context_settings=_EXTRA, help="Create a secret from a local file, directory, or literal value.")(_data_cmd("Secret"))

    def _parent_opts(ctx: typer.Context, namespace, dry_run, output_fmt):
        parent = (ctx.parent.obj if ctx.parent else None) or {}
        return (namespace or parent.get("namespace"), dry_run or parent.get("dry_run"),
                output_fmt or parent.get("output"))

    @create_app.command("serviceaccount", context_settings=_EXTRA, help="Create a service account with the specified name.")
    def create_serviceaccount(
        ctx: typer.Context,
        args: Optional[List[str]] = typer.Argument(None),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        save_config: bool = typer.Option(False, "--save-config"),
    ) -> int:
        namespace, dry_run, output_fmt = _opts(ctx, namespace, dry_run, output_fmt)
        name = _name_from_args(list(args or []), "create serviceaccount")
        obj = {"kind": "ServiceAccount", "apiVersion": "v1", "metadata": generators._meta(name, namespace)}
        return create_generated(obj, ns_flag=namespace, dry_run=dry_run, fmt=output_fmt, save_config=save_config,
                                wrap="failed to create serviceaccount: ")

    create_app.command("sa", context_settings=_EXTRA, hidden=True)(create_serviceaccount)

    @create_app.command("token", context_settings=_EXTRA, help="Request a service account token.")
    def create_token(
        ctx: typer.Context,
        args: Optional[List[str]] = typer.Argument(None),
        audience: List[str] = typer.Option([], "--audience"),
        duration: str = typer.Option("0s", "--duration"),
        bound_kind: str = typer.Option("", "--bound-object-kind"),
        bound_name: str = typer.Option("", "--bound-object-name"),
        bound_uid: str = typer.Option("", "--bound-object-uid"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        namespace, _, output_fmt = _opts(ctx, namespace, None, output_fmt)
        try:
            secs = timeutil.parse_go_duration(duration)
        except ValueError as e:
            raise CliError(f'invalid argument "{duration}" for "--duration" flag: {e}') from None
        name = _name_from_args(list(args or []), "create token")
        if secs < 0:
            raise CliError("--duration must be greater than or equal to 0")
        if secs != int(secs):
            raise CliError("--duration cannot be expressed in units less than seconds")
        if any(a == "" for a in audience):
            raise CliError("--audience must not be an empty string")
        if not bound_kind:
            if bound_name:
                raise CliError("--bound-object-name can only be set if --bound-object-kind is provided")
            if bound_uid:
                raise CliError("--bound-object-uid can only be set if --bound-object-kind is provided")
        else:
            if bound_kind not in ("Node", "Pod", "Secret"):
                raise CliError("supported --bound-object-kind values are Node, Pod, Secret")
            if not bound_name:
                raise CliError("--bound-object-name is required if --bound-object-kind is provided")
        if output_fmt:
            output.check_format(output_fmt)
        ns = context.namespace(namespace)
        with open_cluster(context.env()) as cluster:
            try:
                resp = tokens.request(cluster, ns, name, audiences=audience, seconds=int(secs) or None,
                                      bound={"kind": bound_kind, "name": bound_name, "uid": bound_uid} if bound_kind else None)
            except ApiError as e:
                raise CliError(f"failed to create token: {e.message}") from None
        if output_fmt:
            output.emit(output.render([resp], output_fmt, single=True))
            return 0
        tty = False
        try:
            tty = context.env().stdout.isatty()
        except (AttributeError, ValueError):
            pass
        context.out(resp["status"]["token"] + ("\n" if tty else ""))
        return 0

    @secret_app.command("tls", context_settings=_EXTRA, help="Create a TLS secret.")
    def create_secret_tls(
        ctx: typer.Context,
        args: Optional[List[str]] = typer.Argument(None),
        cert: str = typer.Option("", "--cert"),
        key: str = typer.Option("", "--key"),
        append_hash: bool = typer.Option(False, "--append-hash"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        save_config: bool = typer.Option(False, "--save-config"),
    ) -> int:
        namespace, dry_run, output_fmt = _parent_opts(ctx, namespace, dry_run, output_fmt)
        name = _name_from_args(list(args or []), "create secret tls")
        obj = generators.secret_tls(name, cert, key, namespace=namespace, append_hash=append_hash)
        return create_generated(obj, ns_flag=namespace, dry_run=dry_run, fmt=output_fmt,
                                save_config=save_config, wrap="failed to create secret: ")

    @secret_app.command("docker-registry", context_settings=_EXTRA, help="Create a secret for use with a Docker registry.")
    def create_secret_docker(
        ctx: typer.Context,
        args: Optional[List[str]] = typer.Argument(None),
        username: str = typer.Option("", "--docker-username"),
        password: str = typer.Option("", "--docker-password"),
        email: str = typer.Option("", "--docker-email"),
        server: str = typer.Option("https://index.docker.io/v1/", "--docker-server"),
        from_file: List[str] = typer.Option([], "--from-file"),
        append_hash: bool = typer.Option(False, "--append-hash"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        save_config: bool = typer.Option(False, "--save-config"),
    ) -> int:
        namespace, dry_run, output_fmt = _parent_opts(ctx, namespace, dry_run, output_fmt)
        name = _name_from_args(list(args or []), "create secret docker-registry")
        obj = generators.secret_docker_registry(name, username=username, password=password, email=email,
                                                server=server, files=_slice(from_file), namespace=namespace,
                                                append_hash=append_hash)
        return create_generated(obj, ns_flag=namespace, dry_run=dry_run, fmt=output_fmt,
                                save_config=save_config, wrap="failed to create secret ")
    create_app.add_typer(secret_app, name="secret")


def _from_cronjob(ref: str, namespace: str | None) -> dict:
    """--from=cronjob/NAME: the CronJob read from the cluster (kubectl fetches it even for a
    client dry run)."""
    kind_text, _, name = ref.partition("/")
    if not name:
        raise CliError("from must be an existing cronjob: resource(s) were provided, but no name was specified")
    k = kinds.resolve(kind_text)
    if k.kind != "CronJob":
        raise CliError(f"unknown object type *v1.{k.kind}")
    with open_cluster(context.env(), write=False) as cluster:
        return server.get(cluster, "CronJob", context.namespace(namespace), name)


def register(app: typer.Typer) -> None:
    _register_create(create_cmd.create_app)


def _cluster_rng(images: list[str]):
    """The container-name suffix kubectl draws at random for an image like `my_app` comes from
    the cluster's seeded generator (so `--seed` replays are exact); other images draw nothing."""
    if not any("_" in imageref.base_name(i) or "." in imageref.base_name(i) for i in images):
        return None
    with open_cluster(context.env()) as cluster:
        return random.Random(cluster.rng.getrandbits(64))
