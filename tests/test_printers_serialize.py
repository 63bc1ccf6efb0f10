"""-o yaml / -o json / -o name: rules from go-yaml v2 and encoding/json, and parity with kubectl.

The parity tests feed kubectl (`kubectl label --local -f FILE -o FMT`, which works offline and
prints unstructured objects exactly as `kubectl get` does) the same object and compare bytes.
"""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from minikctl.printers.serialize import (go_float_g, go_json_float, kind_ref, list_wrap,
                                         name_line, to_json, to_yaml, yaml_needs_quotes,
                                         yaml_sorted_keys)

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed: no oracle")


# ---------------------------------------------------------------- rules

@pytest.mark.parametrize("s", ["80", "0755", "1e3", "0x1F", "+1", "-5", "1.5", ".5", ".inf",
                               "true", "False", "yes", "n", "Y", "on", "OFF", "null", "~", "",
                               "2024-05-01T10:00:00Z", "2024-05-01", "1:20", "1_000", "<<"])
def test_strings_go_yaml_would_misread_are_double_quoted(s):
    assert yaml_needs_quotes(s)
    assert to_yaml({"k": s}) == f'k: "{s}"\n'


@pytest.mark.parametrize("s", ["web", "nginx:1.25", "10.244.1.5", "a,b", "it's", ".", "v1",
                               "app.kubernetes.io/name", "1.2.3", "0.0.0.0/0", "héllo ☃"])
def test_ordinary_strings_stay_plain(s):
    assert not yaml_needs_quotes(s)
    assert to_yaml({"k": s}) == f"k: {s}\n"


@pytest.mark.parametrize("s,out", [("*", "'*'"), ("-", "'-'"), ("a: b", "'a: b'"),
                                   ("@x", "'@x'"), ("{a}", "'{a}'"), (" x", "' x'"),
                                   ("a\tb", '"a\\tb"')])
def test_indicator_characters_are_single_quoted_by_the_emitter(s, out):
    assert to_yaml({"k": s}) == f"k: {out}\n"


def test_yaml_block_layout_empties_and_multiline():
    obj = {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80}]}],
                    "empty": {}, "none": [], "n": None},
           "data": {"script": "echo hi\nexit 0\n", "two": "a\nb"}}
    assert to_yaml(obj) == (
        "data:\n  script: |\n    echo hi\n    exit 0\n  two: |-\n    a\n    b\n"
        "spec:\n  containers:\n  - name: a\n    ports:\n    - containerPort: 80\n"
        "  empty: {}\n  \"n\": null\n  none: []\n")


def test_yaml_key_order_is_go_yaml_natural_order():
    keys = ["a10", "a2", "_", "1", "10", "9", "A", "a", "b01", "b1", "b001", "é", "z"]
    assert yaml_sorted_keys(keys) == ["_", "1", "9", "10", "A", "a", "a2", "a10", "b1", "b01",
                                      "b001", "z", "é"]


def test_json_escapes_html_and_keeps_unicode_with_four_space_indent():
    out = to_json({"b": "<a>&", "a": "é☃", "c": [], "d": {}, "e": [1, {"x": None}]})
    assert out == ('{\n    "a": "é☃",\n    "b": "\\u003ca\\u003e\\u0026",\n    "c": [],\n'
                   '    "d": {},\n    "e": [\n        1,\n        {\n            "x": null\n'
                   '        }\n    ]\n}\n')


def test_json_key_order_sorted_for_server_objects_and_kept_for_typed():
    obj = {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "x"}}
    assert to_json(obj).splitlines()[1] == '    "apiVersion": "v1",'
    assert to_json(obj, sort_keys=False).splitlines()[1] == '    "kind": "Pod",'


@pytest.mark.parametrize("f,g,j", [(1.5, "1.5", "1.5"), (1e21, "1e+21", "1e+21"),
                                   (1e20, "1e+20", "100000000000000000000"),
                                   (1234567.5, "1.2345675e+06", "1234567.5"),
                                   (1e-5, "1e-05", "0.00001"), (1e-7, "1e-07", "1e-7"),
                                   (100000.5, "100000.5", "100000.5"), (-0.5, "-0.5", "-0.5")])
def test_go_float_spellings(f, g, j):
    assert go_float_g(f) == g
    assert go_json_float(f) == j


def test_list_wrapper_and_name_lines():
    assert to_yaml(list_wrap([])) == ('apiVersion: v1\nitems: []\nkind: List\nmetadata:\n'
                                      '  resourceVersion: ""\n')
    assert name_line("pod", "x") == "pod/x"
    assert name_line(kind_ref({"apiVersion": "apps/v1", "kind": "Deployment"}), "web",
                     "created") == "deployment.apps/web created"
    assert kind_ref({"apiVersion": "v1", "kind": "Service"}) == "service"


# ---------------------------------------------------------------- kubectl parity

def _kubectl(*args, stdin=None):
    return subprocess.run([KUBECTL, *args], capture_output=True, text=True, input=stdin,
                          timeout=60)


def _sample_objects():
    """Generated objects covering quoting, nesting, numbers and unicode."""
    ann = {f"k{i}": v for i, v in enumerate([
        "80", "", "*", "yes", "n", "~", "0755", "1e3", "a: b", "say \"hi\"", "it's", "l1\nl2\n",
        "l1\nl2", "  lead\nx", "trail \nx", "\ttab\nx", "<b>&c", "héllo ☃", "😀", "a\u00a0b",
        "2024-05-01T10:00:00Z", "-", "- x", "? x", "#x", "a #b", "{a}", "[a]", "%x", "@x", "`x",
        "!x", "|", ">", "a,b", "a\rb", "\u0001", "1:20", "1_000", "+1", "---", ".", ".5",
        "x" * 90 + " " + "y" * 30])}
    cm = {"apiVersion": "v1", "kind": "ConfigMap",
          "metadata": {"name": "cfg", "namespace": "default", "annotations": ann,
                       "labels": {"app": "web", "a10": "1", "a2": "2", "_x": "3", "Z": "4"}},
          "data": {"nested": "x"},
          "x": {"f": 1.5, "i": 3, "big": 12345678901234, "neg": -1, "b": True, "nl": None,
                "el": [], "em": {}, "ll": [[1, 2], []], "lm": [{"a": 1, "b": [{"c": 2}]}, {}],
                "e": 1e21, "small": 0.000001, "mid": 1234567.5, "huge": 1e20}}
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "web-0", "namespace": "default", "labels": {"app": "web"}},
           "spec": {"containers": [{"name": "a", "image": "nginx:1.25",
                                    "ports": [{"containerPort": 80, "protocol": "TCP"}],
                                    "command": ["sh", "-c", "echo ok && sleep 1"]}]},
           "status": {"phase": "Running", "podIP": "10.244.1.5"}}
    return [cm, pod]


@needs_kubectl
@pytest.mark.parametrize("index", [0, 1])
def test_yaml_and_json_match_kubectl_byte_for_byte(tmp_path, index):
    path = tmp_path / "obj.json"
    path.write_text(json.dumps(_sample_objects()[index]))
    k_json = _kubectl("label", "--local", "-f", str(path), "parity=yes", "-o", "json")
    assert k_json.returncode == 0, k_json.stderr
    obj = json.loads(k_json.stdout)  # kubectl's own view of the object is our input
    assert to_json(obj) == k_json.stdout
    k_yaml = _kubectl("label", "--local", "-f", str(path), "parity=yes", "-o", "yaml")
    assert to_yaml(obj) == k_yaml.stdout
    k_name = _kubectl("label", "--local", "-f", str(path), "parity=yes", "-o", "name")
    assert name_line(kind_ref(obj), obj["metadata"]["name"]) + "\n" == k_name.stdout


@needs_kubectl
def test_typed_dry_run_json_keeps_struct_order_and_yaml_sorts():
    args = ["create", "deployment", "web", "--image=nginx", "--replicas=3", "--dry-run=client"]
    k_json = _kubectl(*args, "-o", "json")
    obj = json.loads(k_json.stdout)  # dicts keep kubectl's (struct) order
    assert to_json(obj, sort_keys=False) == k_json.stdout
    assert to_json(obj, sort_keys=True) != k_json.stdout
    assert to_yaml(obj) == _kubectl(*args, "-o", "yaml").stdout
