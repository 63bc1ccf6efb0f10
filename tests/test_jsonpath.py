"""kubectl's JSONPath dialect: semantics from client-go's jsonpath, texts and bytes from kubectl."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from minikctl.api.errors import CliError
from minikctl.printers.jsonpath import relaxed_expression, render_jsonpath, render_jsonpath_file

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed: no oracle")

NODE = {"apiVersion": "v1", "kind": "Node",
        "metadata": {"name": "k8s-worker-01",
                     "labels": {"kubernetes.io/hostname": "k8s-worker-01", "app.kubernetes.io/name": "w"}},
        "status": {"addresses": [{"type": "InternalIP", "address": "192.168.56.11"},
                                 {"type": "Hostname", "address": "k8s-worker-01"}],
                   "capacity": {"cpu": "2", "pods": "110"}, "n": [1, 5, 10]}}
POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "web-0", "namespace": "default",
                    "labels": {"app": "web", "app.kubernetes.io/name": "web"}},
       "spec": {"containers": [{"name": "a", "image": "nginx:1.25", "ports": [{"containerPort": 80}]},
                               {"name": "b", "image": "busybox"}], "nodeName": "k8s-worker-01"},
       "status": {"phase": "Running", "podIP": "10.244.1.5",
                  "conditions": [{"type": "Ready", "status": "True"}, {"type": "Other"}]}}
LIST = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
        "items": [POD, dict(POD, metadata=dict(POD["metadata"], name="web-1"))]}


@pytest.mark.parametrize("tpl,out", [
    ("{.items[*].metadata.name}", "web-0 web-1"),
    ('{range .items[*]}{.metadata.name}{"\\t"}{end}', "web-0\tweb-1\t"),
    ('{range .items[*]}{.metadata.name}{"\\n"}{end}', "web-0\nweb-1\n"),
    ("{.items[0].spec.containers[*].image}", "nginx:1.25 busybox"),
    ("{.items[-1].metadata.name}", "web-1"),
    ("{.items[0:1].metadata.name}", "web-0"),
    ("{.items[0,1].status.podIP}", "10.244.1.5 10.244.1.5"),
    # client-go re-parses a quoted key as a dotted path, so dots in it still split: empty
    ("{.items[0].metadata.labels['app.kubernetes.io/name']}", ""),
    ("{.items[0].metadata['labels'].app}", "web"),
    ("{.items[0].metadata.labels.app\\.kubernetes\\.io/name}", "web"),
    ("{.items[0].status.conditions[?(@.status)].type}", "Ready"),
    ('{.items[0].status.conditions[?(@.type!="Ready")].type}', "Other"),
    ("{.items[0].spec.containers[0].ports}", '[{"containerPort":80}]'),
    ("{.items[0].metadata.nope}", ""),
    ("{$.kind}", "List"),
])
def test_list_templates(tpl, out):
    assert render_jsonpath(tpl, LIST) == out


def test_filters_recursion_and_literals():
    assert render_jsonpath('{.status.addresses[?(@.type=="InternalIP")].address}', NODE) == "192.168.56.11"
    assert render_jsonpath("{.status.n[?(@<6)]}", NODE) == "1 5"
    assert render_jsonpath("{.status.n[?(@ > 4)]}", NODE) == "5 10"
    assert render_jsonpath("{..address}", NODE) == "192.168.56.11 k8s-worker-01"
    assert render_jsonpath('x{"a\\"b"}y', NODE) == 'xa"by'
    assert render_jsonpath("{.status.capacity}", NODE) == '{"cpu":"2","pods":"110"}'
    # kubectl does not wrap a brace-less template: it is literal text
    assert render_jsonpath(".metadata.name", NODE) == ".metadata.name"


def test_errors_are_worded_as_kubectl_words_them():
    with pytest.raises(CliError) as e:
        render_jsonpath("{.items[}", LIST)
    assert e.value.render() == "error: error parsing jsonpath {.items[}, unterminated array"
    with pytest.raises(CliError) as e:
        render_jsonpath("{.status.n[?(@<6]}", NODE)
    assert "unterminated filter" in e.value.message
    with pytest.raises(CliError) as e:
        render_jsonpath("", NODE)
    assert e.value.message == "template format specified but no template given"
    with pytest.raises(CliError) as e:
        render_jsonpath("{.items[5].metadata.name}", LIST)
    assert e.value.message.startswith('error executing jsonpath "{.items[5].metadata.name}": '
                                      "Error executing template: array index out of bounds: "
                                      "index 5, length 2. Printing more information")
    with pytest.raises(CliError) as e:
        render_jsonpath("{.foo}", {"a": None, "b": [1, "x"]}, allow_missing_keys=False)
    assert e.value.message.endswith(
        '\tobject given to jsonpath engine was:\n\t\tmap[string]interface {}{"a":interface {}(nil), '
        '"b":[]interface {}{1, "x"}}\n\n')


def test_relaxed_paths_and_file(tmp_path):
    assert relaxed_expression(".metadata.name") == "{.metadata.name}"
    assert relaxed_expression("metadata.name") == "{.metadata.name}"
    assert relaxed_expression("{.status.podIP}") == "{.status.podIP}"
    f = tmp_path / "t.jsonpath"
    f.write_text("{.metadata.name}")
    assert render_jsonpath_file(str(f), NODE) == "k8s-worker-01"


# ---------------------------------------------------------------- kubectl parity

TEMPLATES = [
    "{.metadata.name}", "{.spec.containers[*].image}",
    '{range .spec.containers[*]}{.name}{"\\t"}{.image}{"\\n"}{end}',
    "{.status.conditions[?(@.status)].type}", '{.status.conditions[?(@.type=="Ready")].status}',
    "{..image}", "{..name}", "{.spec.containers[0:1].name}", "{.spec.containers[-1].name}",
    "{.spec.containers[0,1].name}", "{.metadata['labels']}",
    "{.metadata.labels['app.kubernetes.io/name']}", "{.metadata.labels.app\\.kubernetes\\.io/name}",
    "{@}", "{$.kind}", "{.foo.bar}", "{.metadata.foo}x{.spec.nodeName}", "{.items[}",
    "{.spec.containers[5].name}", "{.metadata.name", "{range .spec.containers[*]}{.name}", "{end}",
    ".metadata.name", 'x{"a\\"b"}y', "{.spec.containers[*].ports[*].containerPort}",
    "{.spec.containers[2:2]}", "{.spec.containers[1:0]}", "{.spec.containers[-5]}",
    "{.status.phase.x}", "{.metadata.name[0]}", "{#}",
    "{range .spec.containers[*]}{range .ports[*]}{@}{end}{.name},{end}|{.kind}",
    "{.spec.containers[?(@.name=='b')].image}", "{.status.conditions[?(@.type==3)]}",
]


@needs_kubectl
@pytest.mark.parametrize("tpl", TEMPLATES)
@pytest.mark.parametrize("allow", ["true", "false"])
def test_matches_kubectl(tmp_path, tpl, allow):
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(POD))
    base = [KUBECTL, "label", "--local", "-f", str(path), "parity=yes"]
    obj = json.loads(subprocess.run(base + ["-o", "json"], capture_output=True, text=True).stdout)
    k = subprocess.run(base + ["-o", "jsonpath=" + tpl, "--allow-missing-template-keys=" + allow],
                       capture_output=True, text=True, timeout=60)
    try:
        out, err = render_jsonpath(tpl, obj, allow == "true"), ""
    except CliError as e:
        out, err = "", e.render() + "\n"
    if tpl.startswith("{.."):  # recursive descent walks Go maps, whose order kubectl randomises
        assert (sorted(out.split()), err) == (sorted(k.stdout.split()), k.stderr)
        return
    assert (out, err) == (k.stdout, k.stderr)
