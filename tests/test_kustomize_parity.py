"""`minikctl kustomize` against the real `kubectl kustomize` (v1.32.4, Kustomize v5.5.0).

Every case in tests/data/kustomize is built by us and compared byte for byte with the output
kubectl printed when the case was made (expected.yaml / expected.err), and, where kubectl is
installed, with what it prints now. The kubernetes.io page "Declarative Management of Kubernetes
Objects Using Kustomize" is the page-* cases plus the apply / get / delete replay below."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parent / "data" / "kustomize"
KUBECTL = shutil.which("kubectl")
NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir())


def _target(case: str) -> Path:
    t = CASES / case / "target"
    return CASES / case / (t.read_text().strip() if t.exists() else ".")


def test_at_least_twenty_cases():
    assert len(NAMES) >= 20


@pytest.mark.parametrize("case", NAMES)
def test_matches_recorded_kubectl(mk, case):
    r = mk("kustomize", str(_target(case)))
    assert r.code == 0, r.err
    assert r.out == (CASES / case / "expected.yaml").read_text()
    assert r.err == (CASES / case / "expected.err").read_text()


@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
@pytest.mark.parametrize("case", NAMES)
def test_matches_live_kubectl(mk, case):
    real = subprocess.run([KUBECTL, "kustomize", str(_target(case))], capture_output=True, text=True)
    r = mk("kustomize", str(_target(case)))
    assert (r.code, r.out, r.err) == (real.returncode, real.stdout, real.stderr)


KLOG = re.compile(r'^E\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ run\.go:72\] "command failed" err=(".*")\n?$', re.S)


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    """name -> (directory, the error kustomize gives, as v5.5.0 words it)."""
    empty = tmp / "empty"
    empty.mkdir()
    unknown = tmp / "unknown"
    unknown.mkdir()
    (unknown / "kustomization.yaml").write_text("resourcez:\n- a.yaml\n")
    blank = tmp / "blank"
    blank.mkdir()
    (blank / "kustomization.yaml").write_text("")
    missing = tmp / "missing"
    missing.mkdir()
    (missing / "kustomization.yaml").write_text("resources:\n- a.yaml\n")
    badtype = tmp / "badtype"
    badtype.mkdir()
    (badtype / "kustomization.yaml").write_text("namePrefix: [a]\n")
    dup = tmp / "dup"
    dup.mkdir()
    (dup / "kustomization.yaml").write_text("resources:\n- cm.yaml\n")
    (dup / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\n"
                                 "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    a = str(missing / "a.yaml")
    outside = tmp / "outside"
    (outside / "in").mkdir(parents=True)
    (outside / "secret.txt").write_text("x\n")
    (outside / "in" / "kustomization.yaml").write_text("configMapGenerator:\n- name: c\n  files:\n  - ../secret.txt\n")
    nested = {}
    for name, text in {"nested unknown field": "images:\n- name: nginx\n  newtag: '2'\n  bogus: 1\n",
                       "nested wrong type": "images:\n- name: nginx\n  newTag: 2\n",
                       "list for string": "configMapGenerator:\n- name: x\n  literals: a=b\n",
                       "label value": "commonLabels:\n  a: 1\n",
                       "replicas match nothing": "resources:\n- cm.yaml\nreplicas:\n- name: nope\n  count: 2\n",
                       "replacement source missing": "resources:\n- cm.yaml\nreplacements:\n- source:\n"
                                                     "    kind: Secret\n  targets:\n  - select:\n      kind: ConfigMap\n",
                       "replacement target field missing": "resources:\n- cm.yaml\nreplacements:\n- source:\n"
                                                           "    kind: ConfigMap\n  targets:\n  - select:\n"
                                                           "      kind: ConfigMap\n    fieldPaths:\n    - data.x\n"
                       }.items():
        d = tmp / name.replace(" ", "-")
        d.mkdir()
        (d / "kustomization.yaml").write_text(text)
        (d / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
        nested[name] = d
    return {
        "file outside the root": (outside / "in", f"loading KV pairs: file sources: [../secret.txt]: security; file "
                                                 f"'{outside / 'secret.txt'}' is not in or below '{outside / 'in'}'"),
        "nested unknown field": (nested["nested unknown field"], 'invalid Kustomization: json: unknown field "bogus"'),
        "nested wrong type": (nested["nested wrong type"], "invalid Kustomization: json: cannot unmarshal number "
                                                           "into Go struct field Image.images.newTag of type string"),
        "list for string": (nested["list for string"], "invalid Kustomization: json: cannot unmarshal string into "
                                                       "Go struct field ConfigMapArgs.configMapGenerator.literals of "
                                                       "type []string"),
        "label value": (nested["label value"], "invalid Kustomization: json: cannot unmarshal number into Go struct "
                                               "field Kustomization.commonLabels of type string"),
        "replacement source missing": (nested["replacement source missing"],
                                       "nothing selected by Secret.[noVer].[noGrp]/[noName].[noNs]"),
        "replacement target field missing": (nested["replacement target field missing"],
                                             'unable to find field "data.x" in replacement target'),
        "replicas match nothing": (nested["replicas match nothing"],
                                   "resource with name nope does not match a config with the following GVK "
                                   "[Deployment.[noVer].[noGrp] StatefulSet.[noVer].[noGrp] ReplicaSet.[noVer].[noGrp] "
                                   "ReplicationController.[noVer].[noGrp]]"),
        "no kustomization file": (empty, "unable to find one of 'kustomization.yaml', 'kustomization.yml' or "
                                         f"'Kustomization' in directory '{empty}'"),
        "unknown field": (unknown, 'invalid Kustomization: json: unknown field "resourcez"'),
        "empty file": (blank, "kustomization.yaml is empty"),
        "missing resource": (missing, f"accumulating resources: accumulation err='accumulating resources from "
                                      f"'a.yaml': evalsymlink failure on '{a}' : lstat {a}: no such file or "
                                      f"directory': must build at directory: not a valid directory: evalsymlink "
                                      f"failure on '{a}' : lstat {a}: no such file or directory"),
        "wrong type": (badtype, "invalid Kustomization: json: cannot unmarshal array into Go struct field "
                                "Kustomization.namePrefix of type string"),
        "duplicate id": (dup, "accumulating resources: accumulation err='accumulating resources from 'cm.yaml': "
                              "may not add resource with an already registered id: ConfigMap.v1.[noGrp]/x.[noNs]': "
                              f"must build at directory: '{dup / 'cm.yaml'}': file is not directory"),
        "no such directory": (tmp / "nope", "must build at directory: not a valid directory: evalsymlink failure on "
                                            f"'{tmp / 'nope'}' : lstat {tmp / 'nope'}: no such file or directory"),
    }


def _klog_err(stderr: str) -> str:
    import json
    m = KLOG.match(stderr)
    assert m, stderr
    return json.loads(m.group(1))


def test_bad_input_gives_kustomizes_message(mk, tmp_path):
    for name, (d, message) in _bad_inputs(tmp_path).items():
        r = mk("kustomize", str(d))
        assert r.code == 1 and r.out == "", name
        assert "Traceback" not in r.err
        assert _klog_err(r.err) == message, name
        a = mk("apply", "-k", str(d))
        assert (a.code, a.err) == (1, f"error: {message}\n"), name


@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed")
def test_bad_input_matches_live_kubectl(mk, tmp_path):
    for name, (d, _) in _bad_inputs(tmp_path).items():
        real = subprocess.run([KUBECTL, "kustomize", str(d)], capture_output=True, text=True)
        r = mk("kustomize", str(d))
        assert r.code == real.returncode == 1, name
        assert _klog_err(r.err) == _klog_err(real.stderr), name


def test_page_apply_get_delete(mk):
    """The page's last section: apply -k, get -k, delete -k on the dev-my-nginx kustomization."""
    d = str(_target("page-apply"))
    warning = (CASES / "page-apply" / "expected.err").read_text()
    r = mk("apply", "-k", d)
    assert (r.code, r.out, r.err) == (0, "deployment.apps/dev-my-nginx created\n", warning)
    live = mk("get", "deploy", "dev-my-nginx", "-o", "jsonpath={.spec.selector.matchLabels}")
    assert live.out == '{"app":"my-nginx","run":"my-nginx"}'
    g = mk("get", "-k", d)
    assert g.code == 0 and g.out.splitlines()[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert g.out.splitlines()[1].startswith("dev-my-nginx ")
    desc = mk("describe", "-k", d)
    assert desc.code == 0 and desc.out.startswith("Name:                   dev-my-nginx\n")
    r = mk("apply", "-k", d)
    assert r.out == "deployment.apps/dev-my-nginx unchanged\n"
    r = mk("delete", "-k", d)
    assert (r.code, r.out) == (0, 'deployment.apps "dev-my-nginx" deleted\n')


def test_one_of_f_and_k(mk):
    r = mk("apply", "-k", str(_target("page-apply")), "-f", "x.yaml")
    assert (r.code, r.err) == (1, "error: only one of -f or -k can be specified\n")


def test_generated_configmap_is_mounted_by_its_hashed_name(mk):
    r = mk("apply", "-k", str(_target("page-cm-deployment")))
    assert r.out == "configmap/example-configmap-1-g4hk9g2ff8 created\ndeployment.apps/my-app created\n"
    vol = mk("get", "deploy", "my-app", "-o", "jsonpath={.spec.template.spec.volumes[0].configMap.name}")
    assert vol.out == "example-configmap-1-g4hk9g2ff8"


def test_unsimulated_fields_say_so(mk, tmp_path):
    for text, what in (("helmCharts:\n- name: x\n", "minikctl: the kustomization field 'helmCharts' is not simulated"),
                       ("resources:\n- https://github.com/x/y//base\n",
                        "minikctl: remote kustomize resources (https://github.com/x/y//base) are not simulated")):
        (tmp_path / "kustomization.yaml").write_text(text)
        for argv in (("kustomize", str(tmp_path)), ("apply", "-k", str(tmp_path))):
            r = mk(*argv)
            assert (r.code, r.out, r.err) == (1, "", what + "\n"), argv


def test_output_file_and_load_restrictor(mk, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (tmp_path / "shared.properties").write_text("A=1\n")
    (d / "kustomization.yaml").write_text("configMapGenerator:\n- name: c\n  envs:\n  - ../shared.properties\n")
    r = mk("kustomize", str(d), "--load-restrictor", "LoadRestrictionsNone", "-o", str(tmp_path / "out.yaml"))
    assert (r.code, r.out) == (0, "")
    want = "apiVersion: v1\ndata:\n  A: \"1\"\nkind: ConfigMap\nmetadata:\n  name: c-"
    assert (tmp_path / "out.yaml").read_text().startswith(want)
    if KUBECTL:
        real = subprocess.run([KUBECTL, "kustomize", str(d), "--load-restrictor", "LoadRestrictionsNone"],
                              capture_output=True, text=True)
        assert (tmp_path / "out.yaml").read_text() == real.stdout
    bad = mk("kustomize", str(d), "--load-restrictor", "foo")
    assert _klog_err(bad.err) == ("illegal flag value --load-restrictor foo; legal values: "
                                  "[LoadRestrictionsRootOnly LoadRestrictionsNone]")
