"""-o handling shared by the verbs: tables, wide, yaml, json, name, jsonpath, custom-columns,
go-template; single objects print bare, several print as a `kind: List`."""
from __future__ import annotations

from minikctl.api.errors import CliError
from minikctl.cli import context
from minikctl import lazy

custom_columns = lazy.module("minikctl.printers.custom_columns")
gotemplate = lazy.module("minikctl.printers.gotemplate")
jsonpath = lazy.module("minikctl.printers.jsonpath")
list_wrap = lazy.function("minikctl.printers.serialize", "list_wrap")
serialize = lazy.module("minikctl.printers.serialize")
sort = lazy.module("minikctl.printers.sort")

STRUCTURED = ("yaml", "json", "name")
TEMPLATES = ("jsonpath", "jsonpath-file", "custom-columns", "custom-columns-file", "go-template",
             "go-template-file", "template", "templatefile", "jsonpath-as-json")


def check_format(output: str | None) -> None:
    if not output or output == "wide" or output in STRUCTURED:
        return
    name = output.split("=", 1)[0]
    if name in TEMPLATES:
        return
    raise unmatched(output)


def unmatched(output: str, verb: str | None = None) -> CliError:
    """NoCompatiblePrinterError: `get` lists its human-readable and custom-columns printers too,
    the other printing commands only the generic ones. `verb` for callers outside a command."""
    formats = ("go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,"
               "templatefile,yaml")
    if verb is None:
        argv = getattr(context.env(), "argv", None) or []
        verb = next((a for a in argv if not a.startswith("-")), None)
    if verb == "get":
        formats = "custom-columns,custom-columns-file," + formats.replace("templatefile,yaml",
                                                                          "templatefile,wide,yaml")
    return CliError(f'unable to match a printer suitable for the output format "{output}", allowed formats are: '
                    + formats)


def _data(objs: list[dict], single: bool):
    return objs[0] if single and len(objs) == 1 else list_wrap(objs)


def _without_managed_fields(objs: list[dict]) -> list[dict]:
    """kubectl's json and yaml printers omit metadata.managedFields (--show-managed-fields=false,
    OmitManagedFieldsPrinter); writes through `minikctl serve` record them."""
    out = []
    for o in objs:
        meta = o.get("metadata") if isinstance(o, dict) else None
        if isinstance(meta, dict) and "managedFields" in meta:
            o = {**o, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}
        out.append(o)
    return out


def render(objs: list[dict], output: str, *, single: bool, sort_by: str | None = None,
           no_headers: bool = False, template: str | None = None) -> str:
    """Everything but the human-readable tables."""
    if output == "name":
        return "".join(serialize.name_line(serialize.kind_ref(o), o["metadata"]["name"]) + "\n" for o in objs)
    if output == "yaml":
        return serialize.to_yaml(_data(_without_managed_fields(objs), single))
    if output == "json":
        return serialize.to_json(_data(_without_managed_fields(objs), single))
    name, _, arg = output.partition("=")
    if name in ("template", "go-template") and template:
        arg = template
    if name in ("jsonpath", "jsonpath-file", "jsonpath-as-json"):
        if name == "jsonpath-file":
            return jsonpath.render_jsonpath_file(arg, _data(objs, single))
        if not arg:
            raise CliError("template format specified but no template given")
        return jsonpath.render_jsonpath(arg, _data(objs, single), as_json=name == "jsonpath-as-json")
    if name in ("custom-columns", "custom-columns-file"):
        if name == "custom-columns-file":
            return custom_columns.render_custom_columns(custom_columns.parse_template_file(arg), objs,
                                                        no_headers=no_headers)
        return custom_columns.render_custom_columns(arg, objs, no_headers=no_headers)
    if name in ("go-template", "go-template-file", "template", "templatefile"):
        try:
            if name in ("go-template-file", "templatefile"):
                return gotemplate.render_gotemplate_file(arg, _data(objs, single))
            return gotemplate.render_gotemplate(arg, _data(objs, single))
        except gotemplate.GoTemplateExecError as e:
            emit(getattr(e, "stdout", "") or "")
            raise
    raise CliError(f'unable to match a printer suitable for the output format "{output}"')


def sort_objects(objs: list[dict], sort_by: str | None) -> list[dict]:
    if not sort_by:
        return objs
    return sort.sort_objects(objs, sort_by)


def emit(text: str) -> None:
    if text:
        context.out(text)
