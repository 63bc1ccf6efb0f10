"""Byte parity with the machine's real kubectl for the generating commands.

`kubectl create <subcommand> --dry-run=client` needs no cluster, so every command line here runs
through both programs and the bytes (stdout, and the exit code) must be identical. kubectl's
typed-object JSON is in Go struct order and its YAML sorted: both are checked.
"""
from __future__ import annotations

import shlex
import shutil
import subprocess

import pytest
from tests.conftest import GO_SPEED

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="real kubectl is not installed on this machine: "
                                "the parity oracle is missing")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("src")
    (d / "index.html").write_text("<h1>hello & welcome</h1>\n")
    (d / "game.properties").write_text("enemies=aliens\nlives=3\n")
    (d / "app.env").write_text("# comment\nMODE=prod\n\n  LEVEL=debug\nURL=http://x/?a=b\n")
    (d / "bin.dat").write_bytes(b"\x00\xff\x10binary")
    sub = d / "dir"
    sub.mkdir()
    (sub / "one").write_text("1")
    (sub / "two.txt").write_text("two\nlines\n")
    return d


LINES = [
    "create deployment web --image=nginx --replicas=3 --port=80",
    "create deployment web --image=nginx",
    "create deployment web --image=nginx:1.25 -n team-a",
    "create deployment api --image=registry.k8s.io/e2e-test-images/agnhost:2.39 --port=8080 -r 2",
    "create deployment multi --image=nginx --image=redis:7 --image=busybox",
    "create deployment sleeper --image=busybox --port=0 -- sleep 3600",
    "create deployment web --image=nginx --save-config",
    "create deployment web --image=nginx,redis -n prod --save-config",
    "create service clusterip web --tcp=80:8080",
    "create service clusterip web --tcp=80:8080 --tcp=443:https",
    "create service clusterip web --tcp=80:8080,443",
    "create service clusterip headless --clusterip=None",
    "create service clusterip fixed --tcp=80 --clusterip=10.96.0.50",
    "create service nodeport web --tcp=80:8080 --node-port=30080",
    "create service nodeport web --tcp=5678:8080 -n team-a",
    "create service loadbalancer lb --tcp=80:8080",
    "create svc externalname ext --external-name=example.com",
    "create service externalname ext --external-name=db.example.org --tcp=5432",
    "create namespace dev",
    "create ns team-a --save-config",
    "create configmap cfg --from-literal=a=1 --from-literal=b=two",
    "create configmap cfg --from-literal=quoted='x y' --from-literal=num=0123 --from-literal=bool=true",
    "create cm cfg --from-file={d}/game.properties",
    "create configmap cfg --from-file=page={d}/index.html -n web",
    "create configmap cfg --from-file={d}/dir",
    "create configmap cfg --from-env-file={d}/app.env",
    "create configmap cfg --from-file={d}/bin.dat --from-literal=k=v",
    "create configmap empty",
    "create secret generic s --from-literal=user=admin --from-literal=pass=s3cr3t",
    "create secret generic tls --type=kubernetes.io/tls --from-file={d}/index.html -n web",
    "create deployment app --image=registry.example:5000/team/app:1.2@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",  # port and digest are not the name
]


def _with(line: str, extra: str) -> str:
    """Flags go before a `--` (after it they would be the container's command)."""
    head, sep, tail = line.partition(" -- ")
    return f"{head} {extra}{sep}{tail}"


def _run_both(mk, line: str, d) -> tuple[subprocess.CompletedProcess, object]:
    argv = [a.replace("{d}", str(d)) for a in shlex.split(line)]
    real = subprocess.run([KUBECTL, *argv], capture_output=True, text=True, timeout=60,
                          env={**GO_SPEED, "PATH": "/usr/bin:/bin", "HOME": str(d), "KUBECONFIG": str(d / "none")})
    ours = mk(*argv)
    return real, ours


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("line", LINES)
def test_dry_run_output_is_byte_identical(mk, files, line, fmt):
    real, ours = _run_both(mk, _with(line, f"--dry-run=client -o {fmt}"), files)
    assert real.returncode == 0, real.stderr
    assert ours.code == 0, ours.err
    assert ours.out == real.stdout


@pytest.mark.parametrize("line", LINES[:6] + LINES[8:10] + LINES[18:22])
def test_dry_run_success_line_and_name(mk, files, line):
    for extra in ("--dry-run=client", "--dry-run=client -o name"):
        real, ours = _run_both(mk, _with(line, extra), files)
        assert (ours.code, ours.out) == (real.returncode, real.stdout)


ERRORS = [
    "create deployment web --image=nginx --image=redis -- sleep 1",
    "create deployment --image=nginx",
    "create service clusterip web",
    "create service clusterip web --tcp=abc",
    "create service clusterip web --tcp=80:0",
    "create service clusterip web --tcp=80:Bad_Name",
    "create service externalname ext --external-name=Not_A_Host",
    "create configmap cfg --from-literal=a=1 --from-literal=a=2",
    "create configmap cfg --from-literal=bad",
    "create configmap cfg --from-literal=a=1 --from-env-file={d}/app.env",
    "create configmap cfg --from-file=k={d}/dir",
    "create configmap cfg --from-file={d}/missing",
    "create configmap cfg --from-literal=a_b!=1",
    "create secret generic s --from-literal=x=1 --from-literal=x=2",
    "create namespace",
    "create namespace a b",
    "run x --image=nginx --labels=foo",
    "run x --image=nginx --labels=a=b=c",
    "run x --image=nginx --labels==b",
]


@pytest.mark.parametrize("line", ERRORS)
def test_client_side_errors_match(mk, files, line):
    real, ours = _run_both(mk, _with(line, "--dry-run=client"), files)
    assert real.returncode == ours.code == 1
    assert ours.err == real.stderr
    assert ours.out == real.stdout == ""


def test_jsonpath_over_the_generated_object(mk, files):
    line = "create deployment web --image=nginx --replicas=2 --dry-run=client -o jsonpath={.spec.template.spec.containers[0].name}"
    real, ours = _run_both(mk, line, files)
    assert ours.out == real.stdout == "nginx"


def test_sanitized_container_name_gets_a_random_suffix(mk, files):
    """`.` and `_` in the image name: kubectl appends 5 random characters; compare the shape."""
    import re
    real, ours = _run_both(mk, "create deployment web --image=my_app.v2 --dry-run=client -o jsonpath={.spec.template.spec.containers[0].name}", files)
    pattern = r"my-app-v2-[bcdfghjklmnpqrstvwxz2456789]{5}"
    assert re.fullmatch(pattern, real.stdout), real.stdout
    assert re.fullmatch(pattern, ours.out), ours.out


def test_missing_required_flag(mk, files):
    """cobra's required-flag error; kubectl logs it through klog (timestamp, pid), we print the text."""
    real, ours = _run_both(mk, "create deployment web --dry-run=client", files)
    assert real.returncode == ours.code == 1
    assert 'required flag(s) \\"image\\" not set' in real.stderr
    assert ours.err == 'error: required flag(s) "image" not set\n'
