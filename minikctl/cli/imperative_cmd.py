"""The imperative verbs: `create <kind>`, expose, scale, label, annotate, set image|env, patch, replace.

Each verb is kubectl's: the generator (minikctl.api.generators) builds the object, a client dry
run prints it as kubectl would (typed objects print JSON in Go field order), everything else
goes through the apiserver (minikctl.api.server) so validation and immutability errors are its.
Success lines are the name printer's `<kind[.group]>/<name> <op>[ (dry run)]`.
"""
from __future__ import annotations

import copy
import json
from typing import List, Optional

import typer

from minikctl.api import generators, kinds
from minikctl.api.errors import ApiError, CliError
from minikctl.cli import context, output

_SUFFIX = {"none": "", "client": " (dry run)", "server": " (server dry run)"}
_EXTRA = {"allow_extra_args": True, "ignore_unknown_options": False}


def dry_strategy(value: str | None) -> str:
    if value in (None, "", "none"):
        return "none"
    if value in ("client", "server"):
        return value
    raise CliError(f'Invalid dry-run value ({value}). Must be "none", "server", or "client".')


def _slice(values: list[str]) -> list[str]:
    """pflag StringSlice: each occurrence is a comma-separated list."""
    return [p for v in values for p in v.split(",") if p != "" or len(v.split(",")) == 1]


def _ref(obj: dict) -> str:
    k = kinds.by_kind(obj["kind"])
    return k.ref if k else obj["kind"].lower()


def _name_from_args(args: list[str], cmd: str) -> str:
    if len(args) != 1:
        raise CliError(f"exactly one NAME is required, got {len(args)}\nSee 'kubectl {cmd} -h' for help and examples")
    return args[0]


def print_typed(obj: dict, fmt: str | None, op: str, dry: str) -> None:
    """A typed object as kubectl's printer shows it: Go field order for json, sorted yaml."""
    from minikctl.printers import serialize
    if not fmt:
        context.out(f"{_ref(obj)}/{obj['metadata']['name']} {op}{_SUFFIX[dry]}\n")
    elif fmt == "json":
        context.out(serialize.to_json(obj, sort_keys=False))
    elif fmt == "yaml":
        context.out(serialize.to_yaml(obj))
    else:
        output.emit(output.render([obj], fmt, single=True))


def print_stored(obj: dict, fmt: str | None, op: str, dry: str) -> None:
    if not fmt:
        context.out(f"{_ref(obj)}/{obj['metadata']['name']} {op}{_SUFFIX[dry]}\n")
    else:
        output.emit(output.render([obj], fmt, single=True))


def _body(obj: dict, ns: str) -> dict:
    """The generated object as sent to the apiserver (no null timestamp, no empty status)."""
    body = copy.deepcopy(obj)
    body["metadata"].pop("creationTimestamp", None)
    body.pop("status", None)
    k = kinds.by_kind(body["kind"])
    if k and k.namespaced:
        body["metadata"]["namespace"] = ns
    return body


def _wrapped(e: ApiError) -> str:
    """err.Error() of a StatusError, as `fmt.Errorf("failed to create ...: %v", err)` shows it."""
    if e.reason == "Invalid" and e.causes:
        k = kinds.by_kind(e.kind)
        qual = f"{e.kind}.{k.group}" if k and k.group else e.kind
        lines: list[str] = []
        for f, b in e.causes:
            line = f"{f}: {b}" if f else b
            if line not in lines:
                lines.append(line)
        body = lines[0] if len(lines) == 1 else "[" + ", ".join(lines) + "]"
        return f'{qual} "{e.name}" is invalid: {body}'
    return e.message


def create_generated(obj: dict, *, ns_flag: str | None, dry_run: str | None, fmt: str | None,
                     save_config: bool = False, wrap: str | None = None) -> int:
    """The tail every `create <kind>` shares: dry run, the apiserver's create, printing."""
    dry = dry_strategy(dry_run)
    if fmt:
        output.check_format(fmt)
    if save_config:
        generators.with_last_applied(obj)
    if dry == "client":
        print_typed(obj, fmt, "created", dry)
        return 0
    from minikctl.api import server
    from minikctl.sim.cluster import open_cluster
    ns = context.namespace(ns_flag)
    with open_cluster(context.env()) as cluster:
        try:
            created = server.create(cluster, _body(obj, ns), dry_run=dry == "server")
        except ApiError as e:
            if wrap is None:
                raise
            raise CliError(f"{wrap}{_wrapped(e)}") from None
    print_stored(created, fmt, "created", dry)
    return 0


def _opts(ctx: typer.Context, namespace, dry_run, fmt):
    parent = ctx.obj or {}
    return (namespace or parent.get("namespace"), dry_run or parent.get("dry_run"), fmt or parent.get("output"))


# ----------------------------------------------------------------------------- create <kind>

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
                                    namespace=namespace)
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
                obj = generators.secret_generic(name, data, stype=stype, namespace=namespace)
                wrap = "failed to create secret "
            else:
                obj = generators.configmap(name, data, namespace=namespace)
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
    create_app.add_typer(secret_app, name="secret")


# ----------------------------------------------------------------------------- object lookup

def _targets(cluster, args: list[str], filenames: list[str], ns: str, selector: str | None = None,
             all_: bool = False) -> list[dict]:
    """The live objects named by `TYPE NAME...`, `TYPE/NAME`, `-f FILE`, `TYPE -l SEL` or `TYPE --all`."""
    from minikctl.api import builder, manifests, selectors
    from minikctl.api.errors import not_found
    out: list[dict] = []
    if filenames:
        for doc in manifests.read(filenames, False, context.env().stdin):
            if doc.error:
                raise CliError(doc.error)
            k = kinds.by_kind(doc.obj["kind"])
            meta = doc.obj["metadata"]
            live = cluster.get(k.kind, (meta.get("namespace") or ns) if k.namespaced else None, meta["name"])
            if live is None:
                raise not_found(k.resource, meta["name"])
            out.append(live)
        return out
    if not args:
        raise CliError("You must provide one or more resources by argument or filename.\n"
                       "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
                       "   '<resource> <name>'\n   '<resource>'")
    reqs = builder.parse(args)
    for r in reqs:
        scope = ns if r.kind.namespaced else None
        if r.names:
            for n in r.names:
                live = cluster.get(r.kind.kind, scope, n)
                if live is None:
                    raise not_found(r.kind.resource, n)
                out.append(live)
        elif selector is not None or all_:
            reqs_sel = selectors.parse_selector(selector) if selector else None
            out.extend(o for o in cluster.list(r.kind.kind, scope)
                       if reqs_sel is None or selectors.matches(reqs_sel, o["metadata"].get("labels")))
        else:
            raise CliError("resource(s) were provided, but no name was specified")
    return out


def _update(cluster, new: dict, live: dict, dry: str) -> dict:
    from minikctl.api import server
    if dry == "client":
        return new
    return server.update(cluster, new, live, dry_run=dry == "server")


# ----------------------------------------------------------------------------- expose

def expose(args, filenames, namespace, port, target_port, protocol, name, selector, stype, external_ip,
           labels, cluster_ip, port_name, session_affinity, load_balancer_ip, dry_run, fmt) -> int:
    from minikctl.api import server
    from minikctl.sim.cluster import open_cluster
    dry = dry_strategy(dry_run)
    if fmt:
        output.check_format(fmt)
    if stype and stype not in ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"):
        pass  # the apiserver's Unsupported value says it
    ns = context.namespace(namespace)
    with open_cluster(context.env()) as cluster:
        for live in _targets(cluster, args, filenames, ns):
            svc = generators.expose(live, port=str(port or ""), target_port=target_port or "", protocol=protocol or "",
                                    name=name or "", selector=selector or "", stype=stype or "",
                                    external_ip=external_ip or "", labels=labels or "", cluster_ip=cluster_ip or "",
                                    port_name=port_name or "", session_affinity=session_affinity or "",
                                    load_balancer_ip=load_balancer_ip or "")
            if dry == "client":
                if namespace:
                    m = svc["metadata"]
                    svc["metadata"] = {"name": m["name"], "namespace": namespace,
                                       **{k: v for k, v in m.items() if k != "name"}}
                print_typed(svc, fmt, "exposed", dry)
                continue
            created = server.create(cluster, _body(svc, ns), dry_run=dry == "server")
            print_stored(created, fmt, "exposed", dry)
    return 0


# ----------------------------------------------------------------------------- scale

SCALABLE = ("Deployment", "ReplicaSet", "StatefulSet")


def scale(args, filenames, namespace, replicas, current, selector, all_, dry_run, fmt) -> int:
    from minikctl.sim.cluster import open_cluster
    dry = dry_strategy(dry_run)
    if replicas < 0:
        raise CliError("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
    if fmt:
        output.check_format(fmt)
    ns = context.namespace(namespace)
    errors: list[str] = []
    with open_cluster(context.env()) as cluster:
        targets = _targets(cluster, args, filenames, ns, selector, all_)
        if not targets:
            raise CliError("no objects passed to scale")
        for live in targets:
            k = kinds.by_kind(live["kind"])
            if live["kind"] not in SCALABLE:
                errors.append(f'error: the server could not find the requested resource')
                continue
            have = int((live.get("spec") or {}).get("replicas", 1))
            if current >= 0 and have != current:
                errors.append(f"error: Expected replicas to be {current}, was {have}")
                continue
            new = copy.deepcopy(live)
            new["spec"]["replicas"] = replicas
            result = _update(cluster, new, live, dry)
            print_stored(result, fmt, "scaled", dry)
            _ = k
    for e in errors:
        context.err(e)
    return 1 if errors else 0


# ----------------------------------------------------------------------------- label / annotate

def _split_changes(args: list[str], what: str) -> tuple[list[str], dict, list[str]]:
    """kubectl's parse: `k=v` sets, `k-` removes, anything else names resources."""
    resources, sets, removes = [], {}, []
    for a in args:
        if "=" in a:
            k, v = a.split("=", 1)
            if k in sets:
                raise CliError(f"can not both modify and remove {'a label' if what == 'label' else 'an annotation'} in the same command")
            sets[k] = v
        elif a.endswith("-") and len(a) > 1:
            removes.append(a[:-1])
        else:
            resources.append(a)
    for k in removes:
        if k in sets:
            raise CliError(f"can not both modify and remove {'a label' if what == 'label' else 'an annotation'} in the same command")
    if not sets and not removes:
        raise CliError(f"at least one {what} update is required")
    return resources, sets, removes


def _check_label(key: str, value: str) -> None:
    import re
    name = key.split("/")[-1]
    if not re.fullmatch(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]", name) or len(name) > 63 or key.count("/") > 1:
        raise CliError(f"invalid label spec: {key}={value}")
    if value and (len(value) > 63 or not re.fullmatch(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]", value)):
        raise CliError(f"invalid label value: \"{key}={value}\": a valid label must be an empty string or consist of "
                       "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                       "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                       "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


def relabel(what: str, args, filenames, namespace, overwrite, selector, all_, dry_run, fmt) -> int:
    """`label` (what='label') and `annotate` (what='annotation')."""
    from minikctl.sim.cluster import open_cluster
    dry = dry_strategy(dry_run)
    resources, sets, removes = _split_changes(list(args), what)
    if what == "label":
        for k, v in sets.items():
            _check_label(k, v)
    field = "labels" if what == "label" else "annotations"
    ns = context.namespace(namespace)
    with open_cluster(context.env()) as cluster:
        targets = _targets(cluster, resources, filenames, ns, selector, all_)
        for live in targets:
            current = dict(live["metadata"].get(field) or {})
            if not overwrite:
                if what == "label":
                    for k, v in sets.items():
                        if k in current and current[k] != v:
                            raise CliError(f"'{k}' already has a value ({current[k]}), and --overwrite is false")
                else:
                    found = [f"'{k}' already has a value ({current[k]})" for k, v in sets.items()
                             if k in current and current[k] != v]
                    if found:
                        raise CliError("--overwrite is false but found the following declared annotation(s): "
                                       + "; ".join(found))
            updated = dict(current)
            for k in removes:
                if k not in updated and what == "label":
                    context.out(f'label "{k}" not found.\n')
                updated.pop(k, None)
            updated.update(sets)
            new = copy.deepcopy(live)
            if updated:
                new["metadata"][field] = updated
            else:
                new["metadata"].pop(field, None)
            if what == "label":
                before, after = json.dumps(live["metadata"].get(field) or {}), json.dumps(updated)
                op = "not labeled"
                if updated != current:
                    op = "unlabeled" if not overwrite and len(after) < len(before) else "labeled"
            else:
                op = "annotated"
            result = new if updated == current else _update(cluster, new, live, dry)
            print_stored(result, fmt, op, dry)
    return 0


# ----------------------------------------------------------------------------- set image / env

def _pod_specs(obj: dict) -> list[dict]:
    if obj["kind"] == "Pod":
        return [obj["spec"]]
    return [obj["spec"]["template"]["spec"]]


def set_image(args, filenames, namespace, selector, all_, dry_run, fmt) -> int:
    from minikctl.sim.cluster import open_cluster
    dry = dry_strategy(dry_run)
    resources = [a for a in args if "=" not in a]
    pairs = [a.split("=", 1) for a in args if "=" in a]
    if not pairs:
        raise CliError("at least one image update is required")
    ns = context.namespace(namespace)
    errors: list[str] = []
    with open_cluster(context.env()) as cluster:
        for live in _targets(cluster, resources, filenames, ns, selector, all_):
            new = copy.deepcopy(live)
            changed = False
            for cname, image in pairs:
                found = False
                for spec in _pod_specs(new):
                    for c in (spec.get("initContainers") or []) + spec.get("containers", []):
                        if cname in ("*", c["name"]):
                            found = True
                            if c.get("image") != image:
                                c["image"] = image
                                changed = True
                if not found:
                    errors.append(f'error: unable to find container named "{cname}"')
            if not changed:
                continue
            result = _update(cluster, new, live, dry)
            print_stored(result, fmt, "image updated", dry)
    for e in errors:
        context.err(e)
    return 1 if errors else 0


def set_env(args, filenames, namespace, container, selector, all_, dry_run, fmt) -> int:
    from minikctl.sim.cluster import open_cluster
    dry = dry_strategy(dry_run)
    resources, sets, removes = [], [], []
    for a in args:
        if "=" in a:
            sets.append(tuple(a.split("=", 1)))
        elif a.endswith("-") and len(a) > 1:
            removes.append(a[:-1])
        else:
            resources.append(a)
    if not sets and not removes:
        raise CliError("at least one environment variable must be provided")
    ns = context.namespace(namespace)
    with open_cluster(context.env()) as cluster:
        for live in _targets(cluster, resources, filenames, ns, selector, all_):
            new = copy.deepcopy(live)
            for spec in _pod_specs(new):
                for c in (spec.get("initContainers") or []) + spec.get("containers", []):
                    if container not in ("*", c["name"]):
                        continue
                    env = [e for e in c.get("env") or [] if e["name"] not in removes]
                    for k, v in sets:
                        hit = next((e for e in env if e["name"] == k), None)
                        if hit is None:
                            env.append({"name": k, "value": v})
                        else:
                            hit.clear()
                            hit.update({"name": k, "value": v})
                    if env:
                        c["env"] = env
                    else:
                        c.pop("env", None)
            if new == live:
                continue
            result = _update(cluster, new, live, dry)
            print_stored(result, fmt, "env updated", dry)
    return 0


# ----------------------------------------------------------------------------- patch / replace

def patch(args, filenames, namespace, patch_text, patch_file, ptype, dry_run, fmt) -> int:
    from minikctl.api import patch as patch_mod
    from minikctl.sim.cluster import open_cluster
    dry = dry_strategy(dry_run)
    if ptype not in ("strategic", "merge", "json"):
        raise CliError(f'--type must be one of [json merge strategic], not "{ptype}"')
    if patch_file:
        with open(patch_file, encoding="utf-8") as f:
            patch_text = f.read()
    if not patch_text:
        raise CliError("must specify --patch or --patch-file containing the contents of the patch")
    import yaml
    try:
        body = yaml.safe_load(patch_text)
    except yaml.YAMLError as e:
        raise CliError(f'unable to parse "{patch_text}": {str(e).splitlines()[0]}') from None
    ns = context.namespace(namespace)
    with open_cluster(context.env()) as cluster:
        for live in _targets(cluster, list(args), filenames, ns):
            k = kinds.by_kind(live["kind"])
            try:
                new = patch_mod.apply_patch(live, body, ptype)
            except patch_mod.PatchError as e:
                if ptype == "json" or ptype == "merge":
                    raise ApiError("UnprocessableEntity", str(e), 422) from None
                raise ApiError("BadRequest", str(e), 400) from None
            if not isinstance(new, dict) or new.get("kind") != live["kind"]:
                raise ApiError("BadRequest", f"the body of the request was in an unknown format", 400)
            if new == live:
                print_stored(live, fmt, "patched (no change)", dry)
                continue
            result = _update(cluster, new, live, dry)
            print_stored(result, fmt, "patched", dry)
            _ = k
    return 0


def replace(filenames, namespace, force, dry_run, fmt) -> int:
    from minikctl.api import manifests, server
    from minikctl.cli.apply_cmd import source_error
    from minikctl.sim.cluster import open_cluster
    dry = dry_strategy(dry_run)
    if not filenames:
        raise CliError("must specify --filename to replace")
    if fmt:
        output.check_format(fmt)
    ns = context.namespace(namespace)
    errors = []
    with open_cluster(context.env()) as cluster:
        for doc in manifests.read(filenames, False, context.env().stdin):
            source = "STDIN" if doc.source == "-" else doc.source
            if doc.error:
                errors.append(CliError(doc.error).render())
                continue
            obj = doc.obj
            k = kinds.by_kind(obj["kind"])
            meta = obj["metadata"]
            if k.namespaced:
                meta["namespace"] = meta.get("namespace") or ns
            scope = meta.get("namespace") if k.namespaced else None
            try:
                live = cluster.get(k.kind, scope, meta["name"])
                if force:
                    if live is not None:
                        if dry == "none":
                            server.delete(cluster, k.kind, scope, meta["name"])
                        context.out(f'{k.ref} "{meta["name"]}" deleted\n')
                    result = server.create(cluster, obj, dry_run=dry != "none")
                else:
                    if live is None:
                        from minikctl.api.errors import not_found
                        raise not_found(k.resource, meta["name"])
                    rv = meta.get("resourceVersion")
                    if rv and rv != live["metadata"].get("resourceVersion"):
                        raise ApiError("Conflict", f'Operation cannot be fulfilled on {k.resource} "{meta["name"]}": '
                                       "the object has been modified; please apply your changes to the latest "
                                       "version and try again", 409)
                    new = copy.deepcopy(obj)
                    new.setdefault("metadata", {})
                    result = _update(cluster, new, live, dry)
            except ApiError as e:
                errors.append(source_error(e, "replacing", source, False))
                continue
            print_stored(result, fmt, "replaced", dry)
    for e in errors:
        context.err(e)
    return 1 if errors else 0


# ----------------------------------------------------------------------------- registration

def register(app: typer.Typer) -> None:
    from minikctl.cli.create_cmd import create_app
    _register_create(create_app)

    @app.command("expose", help="Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service.")
    def expose_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        filename: List[str] = typer.Option([], "-f", "--filename"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        port: Optional[str] = typer.Option(None, "--port"),
        target_port: Optional[str] = typer.Option(None, "--target-port"),
        protocol: Optional[str] = typer.Option(None, "--protocol"),
        name: Optional[str] = typer.Option(None, "--name"),
        selector: Optional[str] = typer.Option(None, "--selector"),
        stype: Optional[str] = typer.Option(None, "--type"),
        external_ip: Optional[str] = typer.Option(None, "--external-ip"),
        labels: Optional[str] = typer.Option(None, "-l", "--labels"),
        cluster_ip: Optional[str] = typer.Option(None, "--cluster-ip"),
        port_name: Optional[str] = typer.Option(None, "--port-name"),
        session_affinity: Optional[str] = typer.Option(None, "--session-affinity"),
        load_balancer_ip: Optional[str] = typer.Option(None, "--load-balancer-ip"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        return expose(list(args or []), filename, namespace, port, target_port, protocol, name, selector, stype,
                      external_ip, labels, cluster_ip, port_name, session_affinity, load_balancer_ip, dry_run, output_fmt)

    @app.command("scale", help="Set a new size for a deployment, replica set, replication controller, or stateful set.")
    def scale_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        filename: List[str] = typer.Option([], "-f", "--filename"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        replicas: int = typer.Option(-1, "--replicas"),
        current: int = typer.Option(-1, "--current-replicas"),
        selector: Optional[str] = typer.Option(None, "-l", "--selector"),
        all_: bool = typer.Option(False, "--all"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        return scale(list(args or []), filename, namespace, replicas, current, selector, all_, dry_run, output_fmt)

    def _relabel_cmd(what: str):
        def cmd(
            args: Optional[List[str]] = typer.Argument(None),
            filename: List[str] = typer.Option([], "-f", "--filename"),
            namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
            overwrite: bool = typer.Option(False, "--overwrite"),
            selector: Optional[str] = typer.Option(None, "-l", "--selector"),
            all_: bool = typer.Option(False, "--all"),
            dry_run: Optional[str] = typer.Option(None, "--dry-run"),
            output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
        ) -> int:
            return relabel(what, list(args or []), filename, namespace, overwrite, selector, all_, dry_run, output_fmt)
        return cmd

    app.command("label", context_settings={"ignore_unknown_options": True},
                help="Update the labels on a resource.")(_relabel_cmd("label"))
    app.command("annotate", context_settings={"ignore_unknown_options": True},
                help="Update the annotations on a resource.")(_relabel_cmd("annotation"))

    set_app = typer.Typer(add_completion=False, rich_markup_mode=None, help="Set specific features on objects.",
                          context_settings={"help_option_names": ["-h", "--help"]})

    @set_app.command("image", help="Update the image of a pod template.")
    def set_image_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        filename: List[str] = typer.Option([], "-f", "--filename"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        selector: Optional[str] = typer.Option(None, "-l", "--selector"),
        all_: bool = typer.Option(False, "--all"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        return set_image(list(args or []), filename, namespace, selector, all_, dry_run, output_fmt)

    @set_app.command("env", context_settings={"ignore_unknown_options": True},
                     help="Update environment variables on a pod template.")
    def set_env_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        filename: List[str] = typer.Option([], "-f", "--filename"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        container: str = typer.Option("*", "-c", "--containers"),
        env_: List[str] = typer.Option([], "-e", "--env"),
        selector: Optional[str] = typer.Option(None, "-l", "--selector"),
        all_: bool = typer.Option(False, "--all"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        return set_env(list(args or []) + list(env_), filename, namespace, container, selector, all_, dry_run, output_fmt)

    app.add_typer(set_app, name="set")

    @app.command("patch", help="Update fields of a resource.")
    def patch_cmd(
        args: Optional[List[str]] = typer.Argument(None),
        filename: List[str] = typer.Option([], "-f", "--filename"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        patch_text: Optional[str] = typer.Option(None, "-p", "--patch"),
        patch_file: Optional[str] = typer.Option(None, "--patch-file"),
        ptype: str = typer.Option("strategic", "--type"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        return patch(list(args or []), filename, namespace, patch_text, patch_file, ptype, dry_run, output_fmt)

    @app.command("replace", help="Replace a resource by file name or stdin.")
    def replace_cmd(
        filename: List[str] = typer.Option([], "-f", "--filename"),
        namespace: Optional[str] = typer.Option(None, "-n", "--namespace"),
        force: bool = typer.Option(False, "--force"),
        dry_run: Optional[str] = typer.Option(None, "--dry-run"),
        output_fmt: Optional[str] = typer.Option(None, "-o", "--output"),
    ) -> int:
        return replace(filename, namespace, force, dry_run, output_fmt)
