"""Help texts (issue 18 item 12): plain `[default: ...]` tags, kubectl's own flag descriptions and
Examples for kubectl's verbs, read back from the installed kubectl where there is one."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess

import pytest
import typer

from conftest import GO_SPEED, ROOT

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed: no oracle")


def _gen(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def all_paths() -> list[list[str]]:
    from minikctl.cli.main import ALL_MODULES, _register, app
    _register(ALL_MODULES)
    out = []

    def walk(cmd, path):
        out.append(path)
        for name, sub in sorted((getattr(cmd, "commands", None) or {}).items()):
            if not sub.hidden:
                walk(sub, path + [name])
    walk(typer.main.get_command(app), [])
    return out


def kubectl_page(path: list[str]) -> str:
    p = subprocess.run([KUBECTL, *path, "--help"], capture_output=True, text=True,
                       env={**GO_SPEED, "PATH": os.environ.get("PATH", "/usr/bin"), "HOME": "/nonexistent"})
    assert p.returncode == 0
    return p.stdout


def test_no_escaped_brackets_anywhere():
    """Every command's and group's help, formatted as `--help` formats it (the click context
    chain gives each its path), has plain `[default: ...]` / `[required]` tags."""
    import click
    from minikctl.cli.main import ALL_MODULES, _register, app
    _register(ALL_MODULES)
    root = typer.main.get_command(app)
    seen = 0

    def walk(cmd, ctx):
        nonlocal seen
        text = cmd.get_help(ctx)
        assert text.startswith(f"Usage: {ctx.command_path}"), text[:100]
        assert "\\[" not in text, (ctx.command_path, text)
        seen += 1
        for name, sub in sorted((getattr(cmd, "commands", None) or {}).items()):
            if not sub.hidden:
                walk(sub, click.Context(sub, info_name=name, parent=ctx))
    walk(root, click.Context(root, info_name="minikctl"))
    assert seen > 60


def test_help_reaches_the_commands_stdout(mk):
    """In-process help (the shell, labs, these tests) is printed on the command's own stdout."""
    r = mk("scale", "--help")
    assert r.code == 0 and r.out.startswith("Usage: minikctl scale") and "[default: -1]" in r.out


def test_default_tags_are_plain(mk):
    out = mk("create", "deployment", "--help").out
    assert "[default: 1]" in " ".join(out.split())


@needs_kubectl
@pytest.mark.parametrize("path", [["get"], ["create", "deployment"], ["scale"], ["logs"], ["rollout", "undo"],
                                  ["expose"], ["run"], ["label"], ["drain"], ["config", "view"]])
def test_flags_and_examples_are_kubectls(mk, path):
    help_mod = _gen("gen_help_data")
    page = kubectl_page(path)
    theirs = help_mod.parse_flags(page.split("\nOptions:\n", 1)[1].split("\nUsage:\n", 1)[0])
    ours = "".join(mk(*path, "--help").out.split())  # no whitespace: undo click's wrapping (go-|template)
    from minikctl.cli.main import app  # noqa: F401 (registered by mk)
    cmd = typer.main.get_command(__import__("minikctl.cli.main", fromlist=["app"]).app)
    for name in path:
        cmd = cmd.commands[name]
    checked = 0
    for p in cmd.params:
        longs = [o for o in p.opts if o.startswith("--")]
        if p.param_type_name != "option" or not longs or longs[0] not in theirs or longs[0] == "--help":
            continue
        if p.help and p.help != theirs[longs[0]]:
            continue  # minikctl describes this flag itself
        assert "".join(theirs[longs[0]].split()) in ours, (path, longs[0])
        checked += 1
    assert checked >= 1
    # Examples: each example we print is one of kubectl's, with our program name
    if "\nExamples:\n" in page:
        assert "Examples:" in ours
        ex = help_mod.parse_examples(page)
        blocks = ours.split("Examples:", 1)[1].split("Arguments:")[0].split("Options:")[0]
        cmd_lines = [l for l in ex.splitlines() if l.startswith("kubectl ")]
        shown = [l for l in cmd_lines if "".join(("minikctl" + l[7:]).split()) in blocks]
        assert shown, path


@needs_kubectl
def test_help_data_is_kubectls_current_help():
    """minikctl/data/kubectl_help.json matches what the installed kubectl prints now."""
    import json
    help_mod = _gen("gen_help_data")
    data = json.loads((ROOT / "minikctl" / "data" / "kubectl_help.json").read_text())
    for key in ("get", "create deployment", "rollout status", "taint"):
        page = kubectl_page(key.split())
        options = page.split("\nOptions:\n", 1)[1].split("\nUsage:\n", 1)[0]
        assert data[key]["flags"] == help_mod.parse_flags(options)
        assert data[key]["examples"] == help_mod.parse_examples(page)
        assert data[key]["short"] == page.splitlines()[0].strip()


def test_examples_leave_out_flags_we_lack():
    from minikctl.cli.help import examples_for
    text = examples_for("minikctl", "get", {"-o", "--output", "-n", "--namespace", "-A", "--all-namespaces"})
    assert "minikctl get pods -o wide" in text
    assert "-k dir/" not in text and "--subresource" not in text and "kubectl get" not in text


def test_commands_page_has_kubectls_texts():
    """docs/commands.md (generated) carries the flag descriptions and Examples help prints."""
    page = (ROOT / "docs" / "commands.md").read_text()
    get = page.split("\n## get\n", 1)[1].split("\n## ", 1)[0]
    assert "- `-A`, `--all-namespaces`: If present, list the requested object(s) across all namespaces." in get
    assert "Examples:" in get and "minikctl get pods -o wide" in get and "\\[" not in page


def test_every_flag_is_described():
    """Each visible flag of every command says what it does: minikctl's own text, else kubectl's."""
    from minikctl.cli.help import flag_help
    from minikctl.cli.main import ALL_MODULES, _register, app
    _register(ALL_MODULES)
    bare = []

    def walk(cmd, path):
        for p in cmd.params:
            if p.param_type_name == "option" and not p.hidden and p.name != "help" \
                    and not p.help and not flag_help(" ".join(path), p):
                bare.append((" ".join(path), p.opts[-1]))
        for name, sub in sorted((getattr(cmd, "commands", None) or {}).items()):
            if not sub.hidden:
                walk(sub, path + [name])
    walk(typer.main.get_command(app), [])
    assert not bare, f"give these typer.Option(help=...) (or, for a kubectl flag, rerun docs/gen_help_data.py): {bare}"
