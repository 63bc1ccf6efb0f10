"""Bar 5 for verbs and flags: a kubectl command or flag that minikctl does not simulate says so in
one line (`minikctl: kubectl debug is not simulated`), while a name kubectl does not have either
keeps cobra's and pflag's own errors. The list of kubectl's commands and flags is the real
kubectl's (minikctl/data/kubectl_commands.json, made by docs/gen_kubectl_commands.py); the
test also checks that file against the kubectl on this machine."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = json.loads((ROOT / "minikctl" / "data" / "kubectl_commands.json").read_text())


def _ours():
    from minikctl.cli import main
    main.register_for([])
    return main._click_command()


def _find(cmd, path):
    for p in path:
        sub = getattr(cmd, "commands", {}).get(p)
        if sub is None:
            return None
        cmd = sub
    return cmd


def _cases():
    root = _ours()
    missing_cmds, missing_flags = [], []
    for path in (k for k in DATA if not k.startswith("_")):
        words = path.split()
        if _find(root, words) is None:
            if _find(root, words[:-1]) is not None:
                missing_cmds.append(words)
            continue
        ours = {o for p in _find(root, words).params for o in getattr(p, "opts", []) + getattr(p, "secondary_opts", [])}
        for flag in DATA[path]:
            if flag.startswith("--") and flag not in ours:
                missing_flags.append((words, flag))
    return missing_cmds, missing_flags


MISSING_CMDS, MISSING_FLAGS = _cases()


@pytest.mark.parametrize("path", MISSING_CMDS, ids=[" ".join(p) for p in MISSING_CMDS])
def test_a_kubectl_command_minikctl_lacks(mk, path):
    r = mk(*path)   # (config set-cluster and friends add where minikctl's kubeconfig lives)
    assert r.code == 1 and r.err.startswith(f"minikctl: kubectl {' '.join(path)} is not simulated"), r.err


BY_PATH: dict[tuple, list[str]] = {}
for _p, _f in MISSING_FLAGS:
    BY_PATH.setdefault(tuple(_p), []).append(_f)


@pytest.mark.parametrize("path", sorted(BY_PATH), ids=[" ".join(p) for p in sorted(BY_PATH)])
def test_kubectl_flags_minikctl_lacks(mk, path):
    for flag in BY_PATH[path]:
        r = mk(*path, flag)
        if path[:1] == ("config",) and r.err.startswith(f"minikctl: kubectl {' '.join(path)} is not simulated"):
            continue                      # the whole command is not simulated, and says so first
        assert (r.code, r.err) == (1, f"minikctl: the {flag} flag of kubectl {' '.join(path)} is not simulated\n")


def test_mistyped_names_keep_the_real_errors(mk):
    assert mk("nope").err.startswith('Error: unknown command "nope" for "minikctl"')
    assert mk("get", "--nope").err == "Error: unknown flag: --nope\nSee 'minikctl get --help' for usage.\n"
    assert mk("config", "nope").err.startswith('error: unknown command "nope"')
    assert len(MISSING_CMDS) >= 5


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_the_data_is_the_real_kubectls():
    """Spot checks against this machine's kubectl (the full regeneration is docs/gen_kubectl_commands.py)."""
    sys.path.insert(0, str(ROOT / "docs"))
    import gen_kubectl_commands as gen
    version = subprocess.run(["kubectl", "version", "--client"], capture_output=True, text=True).stdout
    if version.splitlines()[0] != DATA["_source"]:
        pytest.skip(f"another kubectl: {version.splitlines()[0]}")
    roots = gen._subcommands(gen._help([]))
    assert {k for k in DATA if not k.startswith("_") and " " not in k} == set(roots)
    for path in (["apply"], ["get"], ["exec"], ["config"], ["create", "secret"]):
        assert DATA[" ".join(path)] == gen._flags(gen._help(path)), path
    assert [k.split()[1] for k in DATA if k.startswith("config ")] == gen._subcommands(gen._help(["config"]))


def test_a_url_after_f_says_it_is_not_simulated(mk):
    """kubectl GETs an http(s) -f argument (the Gateway API and ingress-nginx install steps);
    minikctl has no Internet to fetch from and says so, instead of kubectl's missing-path error."""
    url = "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.2.1/standard-install.yaml"
    for verb in ("apply", "create", "delete"):
        r = mk(verb, "-f", url)
        assert r.code == 1 and r.out == ""
        assert r.err.startswith(f"minikctl: -f with a URL is not simulated ({url}): nothing is fetched")
        assert "does not exist" not in r.err
    assert mk("get", "crd").err == "No resources found\n"
