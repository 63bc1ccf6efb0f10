"""edit: kubectl's editing loop (editoptions.go) with EDITOR set to small scripts."""
from __future__ import annotations

import os
import stat

from test_rollout import DEPLOY

HEADER = ("# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
          "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
          "# reopened with the relevant failures.\n#\n")


def _editor(tmp_path, monkeypatch, body: str):
    """A script editor; every file it is given is copied to tmp_path/seen-N.yaml first."""
    script = tmp_path / "ed.sh"
    script.write_text("#!/bin/sh\nn=$(ls %s | grep -c seen-)\ncp \"$1\" %s/seen-$n.yaml\n%s\n" % (tmp_path, tmp_path, body))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.delenv("KUBE_EDITOR", raising=False)
    monkeypatch.setenv("EDITOR", str(script))
    return lambda n: (tmp_path / f"seen-{n}.yaml").read_text()


def test_edit_applies_the_change(mk, tmp_path, monkeypatch):
    mk("apply", "-f", "-", stdin=DEPLOY)
    seen = _editor(tmp_path, monkeypatch, "sed -i 's/replicas: 3/replicas: 5/' \"$1\"")
    r = mk("edit", "deploy/web")
    assert (r.code, r.out, r.err) == (0, "deployment.apps/web edited\n", "")
    assert seen(0).startswith(HEADER + "apiVersion: apps/v1\nkind: Deployment\n")
    assert mk("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}").out == "5"


def test_no_change_cancels(mk, tmp_path, monkeypatch):
    mk("apply", "-f", "-", stdin=DEPLOY)
    _editor(tmp_path, monkeypatch, "true")
    r = mk("edit", "deployment", "web")
    assert (r.code, r.out, r.err) == (0, "", "Edit cancelled, no changes made.\n")
    _editor(tmp_path, monkeypatch, "sed -i 's/^# Please/# Changed only a comment/' \"$1\"")
    assert mk("edit", "deployment", "web").err == "Edit cancelled, no changes made.\n"


def test_invalid_reopens_with_the_causes_then_gives_up(mk, tmp_path, monkeypatch):
    mk("apply", "-f", "-", stdin=DEPLOY)
    seen = _editor(tmp_path, monkeypatch, "sed -i 's/replicas: 3/replicas: -1/' \"$1\"")
    r = mk("edit", "deploy/web")
    assert r.code == 1
    lines = r.err.splitlines()
    assert lines[0] == 'error: deployments.apps "web" is invalid'
    assert lines[1].startswith('A copy of your changes has been stored to "') and lines[1].endswith('.yaml"')
    path = lines[1].split('"')[1]
    assert os.path.basename(path).startswith("kubectl-edit-") and os.path.exists(path)
    assert lines[2] == "error: Edit cancelled, no valid changes were saved."
    second = seen(1)
    assert second.startswith(HEADER + '# deployments.apps "web" was not valid:\n'
                             "# * spec.replicas: Invalid value: -1: must be greater than or equal to 0\n#\n")
    assert "replicas: -1" in second
    os.remove(path)
    assert mk("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}").out == "3"


def test_invalid_then_fixed_is_saved(mk, tmp_path, monkeypatch):
    mk("apply", "-f", "-", stdin=DEPLOY)
    # first pass breaks it, second pass (file now starts with the error block) fixes it
    _editor(tmp_path, monkeypatch,
            "if grep -q 'was not valid' \"$1\"; then sed -i 's/replicas: -1/replicas: 2/' \"$1\"; "
            "else sed -i 's/replicas: 3/replicas: -1/' \"$1\"; fi")
    r = mk("edit", "deploy/web")
    assert (r.code, r.out) == (0, "deployment.apps/web edited\n")
    assert r.err == 'error: deployments.apps "web" is invalid\n'
    assert mk("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}").out == "2"


def test_empty_file_and_missing_object(mk, tmp_path, monkeypatch):
    mk("apply", "-f", "-", stdin=DEPLOY)
    _editor(tmp_path, monkeypatch, ": > \"$1\"")
    assert mk("edit", "deploy/web").err == "Edit cancelled, saved file was empty.\n"
    r = mk("edit", "deploy/nope")
    assert (r.code, r.err) == (1, 'Error from server (NotFound): deployments.apps "nope" not found\n')


def test_editor_choice(monkeypatch):
    from minikctl.cli.edit_cmd import editor_argv
    monkeypatch.setenv("KUBE_EDITOR", "nano")
    monkeypatch.setenv("EDITOR", "vim")
    assert editor_argv("/tmp/f.yaml") == ["nano", "/tmp/f.yaml"]
    monkeypatch.delenv("KUBE_EDITOR")
    monkeypatch.setenv("EDITOR", "code --wait")
    assert editor_argv("/tmp/f.yaml") == ["sh", "-c", "code --wait /tmp/f.yaml"]
    monkeypatch.delenv("EDITOR")
    assert editor_argv("/tmp/f.yaml") == ["vi", "/tmp/f.yaml"]
