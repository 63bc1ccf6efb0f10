"""`minikctl edit TYPE NAME`: the object as YAML in the learner's own editor, saved back through
the apiserver, with kubectl's editing loop (kubectl/pkg/cmd/util/editor/editoptions.go).

The editor is a real host process ($KUBE_EDITOR, $EDITOR, else vi) on a real temp file; that is
the point of the verb. The cluster is read, then released while the editor runs (a learner may
keep it open for minutes), then opened again to apply the change. An invalid change re-opens the
file with the apiserver's causes in the header comment; saving it unchanged again gives up and
keeps the file, as kubectl does.
"""
from __future__ import annotations

import os
import shlex
import subprocess
from typing import List, Optional

import typer

from minikctl.api.errors import ApiError, CliError, not_found
from minikctl.cli import context
import copy
import secrets
from minikctl import lazy

_go_yaml_message = lazy.function("minikctl.api.manifests", "_go_yaml_message")
_json_safe = lazy.function("minikctl.api.manifests", "_json_safe")
create_merge_patch = lazy.function("minikctl.api.patch", "create_merge_patch")
load_bounded = lazy.function("minikctl.api.manifests", "load_bounded")
merge_patch = lazy.function("minikctl.api.patch", "merge_patch")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
parse = lazy.function("minikctl.api.builder", "parse")
server = lazy.module("minikctl.api.server")
tempfile = lazy.module("tempfile")
to_yaml = lazy.function("minikctl.printers.serialize", "to_yaml")
yaml = lazy.module("yaml")
manifests = lazy.module("minikctl.api.manifests")

HEADER = ("# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
          "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
          "# reopened with the relevant failures.\n"
          "#\n")


def header(reasons: list[tuple[str, list[str]]]) -> str:
    """The header comment, then one block per failure: '# head:' and '# * cause' lines, then '#'."""
    out = [HEADER]
    for head, others in reasons:
        out.append(f"# {_hash_breaks(head)}{':' if others else ''}\n")
        out.extend(f"# * {_hash_breaks(o)}\n" for o in others)
        out.append("#\n")
    return "".join(out)


def _hash_breaks(s: str) -> str:
    return s.replace("\n", "\n# ")


def strip_comments(text: str) -> str:
    """cmdutil.StripComments: drop lines whose first non-blank character is '#'."""
    return "".join(line for line in text.splitlines(keepends=True) if not line.lstrip().startswith("#"))


def editor_argv(path: str) -> list[str]:
    """kubectl's editor: KUBE_EDITOR, then EDITOR, else vi; a command with spaces runs through sh -c."""
    editor = os.environ.get("KUBE_EDITOR") or os.environ.get("EDITOR") or "vi"
    if any(c.isspace() for c in editor.strip()):
        return ["sh", "-c", f"{editor} {shlex.quote(path)}"]
    return [editor, path]


def launch(text: str) -> tuple[str, str]:
    """Write text to a new /tmp/kubectl-edit-<digits>.yaml, run the editor on it -> (edited, path)."""
    path = _create_temp(text)
    argv = editor_argv(path)
    try:
        rc = subprocess.call(argv)
    except OSError:
        rc = -1
    if rc != 0:
        raise CliError(f'there was a problem with the editor "{os.environ.get("KUBE_EDITOR") or os.environ.get("EDITOR") or "vi"}"')
    with open(path) as f:
        return f.read(), path


def _create_temp(text: str) -> str:
    """os.CreateTemp("", "kubectl-edit-*.yaml") as Go names it: a random uint32 in decimal."""
    for _ in range(100):
        path = os.path.join(tempfile.gettempdir(), f"kubectl-edit-{secrets.randbits(32)}.yaml")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return path
    raise CliError("could not create a temporary file for the editor")


def _remove(path: str | None) -> None:
    if path:
        try:
            os.remove(path)
        except OSError:
            pass


def _load(kind, ns, name) -> dict:
    with open_cluster(context.env()) as cluster:
        obj = cluster.get(kind.kind, ns, name)
        if obj is None:
            raise not_found(kind.resource, name)
        return copy.deepcopy(obj)


def _save(kind, ns, name, original: dict, edited: dict) -> None:
    """kubectl edit sends a two-way patch (what the learner changed in the editor), so a change
    someone else made meanwhile is kept, not overwritten; a resourceVersion edited by hand goes
    with the patch and the apiserver checks it."""
    with open_cluster(context.env()) as cluster:
        live = cluster.get(kind.kind, ns, name)
        if live is None:
            raise not_found(kind.resource, name)
        new = merge_patch(copy.deepcopy(live), create_merge_patch(original, edited))
        server.update(cluster, new, live)


def _parse(text: str):
    try:
        data = load_bounded(strip_comments(text))
    except yaml.YAMLError as e:
        raise ValueError(f"error converting YAML to JSON: {_go_yaml_message(e)}")
    except (manifests.TooLarge, manifests.TooDeep) as e:
        raise ValueError(e.message("the edited file"))
    if data is not None and not isinstance(data, dict):
        raise ValueError("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
                         f"{'array' if isinstance(data, list) else 'string'} into Go value of type map[string]interface {{}}")
    return _json_safe(data)


def edit(resources: list[str], namespace: str | None) -> int:
    reqs = parse(resources)
    if not reqs:
        raise CliError("You must provide one or more resources by argument or filename.\nExample resource "
                       "specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n"
                       "   '<resource>'")
    if len(reqs) != 1 or len(reqs[0].names) != 1:
        raise CliError("minikctl edits one object at a time: give TYPE NAME or TYPE/NAME")
    kind, name = reqs[0].kind, reqs[0].names[0]
    ns = context.namespace(namespace) if kind.namespaced else None
    original_obj = _load(kind, ns, name)
    original = HEADER + to_yaml(original_obj)
    reasons: list[tuple[str, list[str]]] = []
    edited, path = "", None
    contains_error = False
    resource = kind.resource
    while True:
        text = header(reasons) + strip_comments(edited) if contains_error else original
        previous = edited
        new_text, new_path = launch(text)
        if contains_error and strip_comments(previous) == strip_comments(new_text):
            context.err(f'A copy of your changes has been stored to "{new_path}"')
            _remove(path)
            raise CliError("Edit cancelled, no valid changes were saved.")
        _remove(path)
        edited, path = new_text, new_path
        if strip_comments(original) == strip_comments(edited):
            _remove(path)
            context.err("Edit cancelled, no changes made.")
            return 0
        if not strip_comments(edited).strip():
            _remove(path)
            context.err("Edit cancelled, saved file was empty.")
            return 0
        reasons = []
        try:
            obj = _parse(edited)
        except ValueError as e:
            reasons = [(f"The edited file had a syntax error: {e}", [])]
            contains_error = True
            continue
        if obj is None:
            _remove(path)
            context.err("Edit cancelled, saved file was empty.")
            return 0
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        if (obj.get("apiVersion"), obj.get("kind"), meta.get("name")) != \
                (original_obj.get("apiVersion"), original_obj.get("kind"), name):
            context.err(f'A copy of your changes has been stored to "{path}"')
            raise CliError("At least one of apiVersion, kind and name was changed")
        try:
            _save(kind, ns, name, original_obj, obj)
        except ApiError as e:
            if e.reason == "Invalid":
                reasons = [(f'{resource} "{name}" was not valid', [f"{f}: {b}" if f else b for f, b in e.causes])]
                context.err(f'error: {resource} "{name}" is invalid')
                contains_error = True
                continue
            if e.reason == "NotFound":
                context.err(f'error: {resource} "{name}" could not be found on the server')
                context.err(f'The edits you made on deleted resources have been saved to "{path}"')
                return 1
            context.err(f'error: {resource} "{name}" could not be patched: {e.message}')
            context.err(f"You can run `kubectl replace -f {path}` to try this update again.")
            return 1
        _remove(path)
        context.out(f"{kind.ref}/{name} edited\n")
        return 0


def register(app: typer.Typer) -> None:
    @app.command("edit", help="Edit a resource on the server.",
                 context_settings={"allow_interspersed_args": True})
    def edit_cmd(resources: Optional[List[str]] = typer.Argument(None),
                 namespace: Optional[str] = typer.Option(None, "-n", "--namespace")) -> int:
        return edit(resources or [], namespace)
