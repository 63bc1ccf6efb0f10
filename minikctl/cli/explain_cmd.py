"""`minikctl explain TYPE[.field...]` and `minikctl api-resources`.

explain renders minikctl/api/schema.py's field tree with kubectl 1.32's OpenAPI v3 plaintext
template (kubectl/pkg/explain/v2/templates/plaintext.tmpl): GROUP/KIND/VERSION, `FIELD: name
<type>` for a field path, DESCRIPTION indented 4 and word-wrapped at 76 (the description keeps a
trailing line break, which the indent turns into a line of four spaces), then FIELDS as
`  name<TAB><type>` with descriptions wrapped at 76 and indented 4. Descriptions are minikctl's
own one-liners, not the apiserver's text.

api-resources prints the discovery table for the kinds minikctl models (minikctl/api/kinds.py).
"""
from __future__ import annotations

from typing import Optional

import typer

from minikctl.api.errors import CliError
from minikctl.cli import context

# what the apiserver advertises for each resource (discovery `verbs`)
VERBS_FULL = "create,delete,deletecollection,get,list,patch,update,watch"
VERBS = {"Namespace": "create,delete,get,list,patch,update,watch"}


def wordwrap(text: str, limit: int) -> str:
    """mitchellh/go-wordwrap WrapString: break at spaces so lines stay within limit, keep existing
    line breaks, never split a word longer than the limit."""
    out_lines = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            if not word:
                continue
            if line and len(line) + 1 + len(word) > limit:
                out_lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        out_lines.append(line)
    return "\n".join(out_lines)


def indent(n: int, s: str) -> str:
    pad = " " * n
    return pad + s.replace("\n", "\n" + pad)


def render(kind, info: dict, field_path: list[str], recursive: bool = False) -> str:
    out = []
    if kind.group:
        out.append(f"GROUP:      {kind.group}\n")
    out.append(f"KIND:       {kind.kind}\n")
    out.append(f"VERSION:    {kind.version}\n\n")
    if field_path:
        out.append(f"FIELD: {field_path[-1]} <{info['type']}>\n\n")
    out.append("DESCRIPTION:\n")
    out.append(indent(4, wordwrap((info["description"] or "<empty>") + "\n", 76)) + "\n")
    if info["fields"]:
        out.append("FIELDS:\n")
        if recursive:
            out.append(_recursive(kind.kind, ".".join(field_path), 1))
        else:
            for f in info["fields"]:
                req = " -required-" if f["required"] else ""
                out.append(f"  {f['name']}\t<{f['type']}>{req}\n")
                out.append(indent(4, wordwrap(f["description"] or "<no description>", 76)) + "\n\n")
    out.append("\n")
    return "".join(out)


def _recursive(kind: str, path: str, level: int, seen: tuple = ()) -> str:
    from minikctl.api import schema
    info = schema.explain(kind, path)
    out = []
    for f in info["fields"]:
        req = " -required-" if f["required"] else ""
        out.append(" " * (level * 2) + f"{f['name']}\t<{f['type']}>{req}\n")
        sub = f"{path}.{f['name']}" if path else f["name"]
        if f["type"] not in seen and len(seen) < 12:
            out.append(_recursive(kind, sub, level + 1, seen + (f["type"],)))
    return "".join(out)


def explain(target: str, recursive: bool, api_version: str | None) -> int:
    from minikctl.api import kinds, schema
    parts = target.split(".")
    kind = kinds.resolve(parts[0])
    path = parts[1:]
    # `deployments.apps.spec` style: a group qualifier right after the resource name
    if kind.group and path[:len(kind.group.split("."))] == kind.group.split("."):
        path = path[len(kind.group.split(".")):]
    if api_version and api_version != kind.api_version:
        raise CliError(f"couldn't find resource for \"{kind.api_version.rsplit('/', 1)[0] if kind.group else ''}/{api_version}, "
                       f"Resource={kind.plural}\"")
    try:
        info = schema.explain(kind.kind, ".".join(path))
    except KeyError as e:
        missing = e.args[0] if e.args else (path[-1] if path else kind.kind)
        raise CliError(f'field "{missing}" does not exist')
    context.out(render(kind, info, path, recursive))
    return 0


def api_resources(output: str | None, namespaced: str | None, api_group: str | None, no_headers: bool,
                  sort_by: str | None) -> int:
    from minikctl.api import kinds
    from minikctl.printers.tabwriter import render as table
    if output not in (None, "", "wide", "name"):
        raise CliError(f"--output {output} is not available")
    if sort_by not in (None, "", "name", "kind"):
        raise CliError(f"--sort-by accepts only name or kind")
    kinds.refresh()
    rows = list(kinds.all_kinds())
    if namespaced is not None:
        want = namespaced.lower() in ("true", "1", "t")
        rows = [k for k in rows if k.namespaced == want]
    if api_group is not None:
        rows = [k for k in rows if k.group == api_group]
    rows.sort(key=lambda k: (k.group != "", k.group, k.plural))
    if sort_by == "name":
        rows.sort(key=lambda k: k.plural)
    elif sort_by == "kind":
        rows.sort(key=lambda k: k.kind)
    if output == "name":
        context.out("".join((f"{k.plural}.{k.group}" if k.group else k.plural) + "\n" for k in rows))
        return 0
    head = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    if output == "wide":
        head += ["VERBS", "CATEGORIES"]
    lines = [] if no_headers else [head]
    for k in rows:
        r = [k.plural, ",".join(k.short), k.api_version, "true" if k.namespaced else "false", k.kind]
        if output == "wide":
            r += [VERBS.get(k.kind, VERBS_FULL), ",".join(k.categories)]
        lines.append(r)
    context.out(table(lines))
    return 0


def register(app: typer.Typer) -> None:
    @app.command("explain", help="Get documentation for a resource.")
    def explain_cmd(target: Optional[str] = typer.Argument(None),
                    recursive: bool = typer.Option(False, "--recursive"),
                    api_version: Optional[str] = typer.Option(None, "--api-version"),
                    output: Optional[str] = typer.Option(None, "-o", "--output")) -> int:
        if not target:
            raise CliError('You must specify the type of resource to explain. Use "kubectl api-resources" for a '
                           "complete list of supported resources.")
        if output not in (None, "plaintext"):
            raise CliError(f"unsupported output format: {output}")
        return explain(target, recursive, api_version)

    @app.command("api-resources", help="Print the supported API resources on the server.")
    def api_resources_cmd(output: Optional[str] = typer.Option(None, "-o", "--output"),
                          namespaced: Optional[str] = typer.Option(None, "--namespaced"),
                          api_group: Optional[str] = typer.Option(None, "--api-group"),
                          no_headers: bool = typer.Option(False, "--no-headers"),
                          sort_by: Optional[str] = typer.Option(None, "--sort-by")) -> int:
        return api_resources(output, namespaced, api_group, no_headers, sort_by)
