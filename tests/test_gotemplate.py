"""-o go-template: Go text/template semantics as kubectl runs them, checked against kubectl."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from minikctl.api.errors import CliError
from minikctl.printers.gotemplate import GoTemplateExecError, render_gotemplate, sprintf

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed: no oracle")

POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "web-0", "namespace": "default",
                    "labels": {"app": "web", "tier": "fe"}, "creationTimestamp": None},
       "spec": {"containers": [{"name": "a", "image": "nginx:1.25"}, {"name": "b", "image": "busybox"}]},
       "status": {"phase": "Running", "podIP": "10.244.1.5",
                  "conditions": [{"type": "Ready", "status": "True"}]}}


def test_fields_ranges_conditionals_and_functions():
    assert render_gotemplate("{{.metadata.name}}", POD) == "web-0"
    assert render_gotemplate('{{range .spec.containers}}{{.name}}{{"\\n"}}{{end}}', POD) == "a\nb\n"
    assert render_gotemplate('{{index .metadata.labels "app"}} {{len .spec.containers}}', POD) == "web 2"
    assert render_gotemplate('{{if .status.podIP}}{{.status.podIP}}{{else}}none{{end}}', POD) == "10.244.1.5"
    assert render_gotemplate('{{if .status.nope}}x{{else if .status.phase}}p{{else}}n{{end}}', POD) == "p"
    assert render_gotemplate('{{$n := .metadata.name}}{{range .spec.containers}}{{$n}}/{{.name}} {{end}}',
                             POD) == "web-0/a web-0/b "
    assert render_gotemplate('{{range $k, $v := .metadata.labels}}{{$k}}={{$v}};{{end}}', POD) == "app=web;tier=fe;"
    assert render_gotemplate('{{.metadata.name | printf "%q"}}', POD) == '"web-0"'
    assert render_gotemplate('{{printf "%s\\n" .kind}}', POD) == "Pod\n"
    assert render_gotemplate("a  {{- .kind -}}  b", POD) == "aPodb"


def test_missing_and_null_values_print_no_value():
    assert render_gotemplate("{{.metadata.nope}}|{{.metadata.creationTimestamp}}", POD) == "<no value>|<no value>"
    assert render_gotemplate("{{.metadata.labels}}", POD) == "map[app:web tier:fe]"
    assert render_gotemplate("{{.spec.containers}}", POD) == "[map[image:nginx:1.25 name:a] map[image:busybox name:b]]"


def test_printf_reports_bad_verbs_like_go():
    assert sprintf("%s|%d|%s", ["a"]) == "a|%!d(MISSING)|%!s(MISSING)"
    assert sprintf("%d", ["x"]) == "%!d(string=x)"
    assert sprintf("%s", [1, 2]) == "%!s(int=1)%!(EXTRA int=2)"
    assert sprintf("%-4s|%5d|%x", ["a", 42, 255]) == "a   |   42|ff"


def test_errors():
    with pytest.raises(CliError) as e:
        render_gotemplate("{{foo .x}}", POD)
    assert e.value.render() == 'error: error parsing template {{foo .x}}, template: output:1: function "foo" not defined'
    with pytest.raises(GoTemplateExecError) as e:
        render_gotemplate("x{{.metadata.nope}}", POD, allow_missing_keys=False)
    assert e.value.render() == ('error: error executing template "x{{.metadata.nope}}": template: output:1:12: '
                                'executing "output" at <.metadata.nope>: map has no entry for key "nope"')
    assert e.value.stdout.startswith("xError executing template: template: output:1:12:")
    with pytest.raises(CliError) as e:
        render_gotemplate("", POD)
    assert e.value.message == "template format specified but no template given"


TEMPLATES = [
    "{{.metadata.name}}",
    '{{range .spec.containers}}{{.name}}={{.image}}{{"\\n"}}{{end}}',
    '{{printf "%s|%5d|%-4s|%q|%v|%x" .metadata.name 42 "a" .kind .spec.containers 255}}{{printf "%s"}}{{printf "%d" "x"}}',
    '{{range $i, $c := .spec.containers}}{{$i}}={{$c.name}} {{end}}{{with .status}}{{.phase}}{{end}}'
    '{{if eq .kind "Pod"}}yes{{else}}no{{end}} {{len .spec.containers}} {{index .metadata.labels "app"}} '
    '{{.metadata.name | printf "%q"}} {{- " x " -}} y {{/* c */}}{{range $k, $v := .metadata.labels}}{{$k}}:{{$v}};{{end}}'
    '{{$n := .metadata.name}}{{$n}} {{.metadata.name | len}} {{exists . "metadata" "name"}} {{and 1 0}} '
    '{{or 0 "" "z"}} {{not 0}} {{print 1 2 "a" "b" 3}} {{println "x"}}',
    "{{.metadata.nope}}", "{{.metadata.nope.x}}", "a{{.metadata.name}}\n{{.spec.nope}}",
    "{{.metadata.name.x}}", "{{.metadata.name", "{{foo .x}}", "{{range .spec.containers}}x", "{{end}}",
    "{{if .status.podIP}}{{.status.podIP}}{{else if .spec.nodeName}}n{{else}}none{{end}}",
    "{{range .nope}}x{{else}}empty{{end}}|{{with .nope}}a{{else}}b{{end}}",
    '{{range .status.conditions}}{{if eq .type "Ready"}}{{.status}}{{end}}{{end}}',
    "{{$x := 1}}{{range .spec.containers}}{{$x = 2}}{{end}}{{$x}} {{$.kind}}",
    "{{(index .spec.containers 0).name}} {{len .metadata.labels}}",
    "{{- range .spec.containers }}\n  {{ .name }}: {{ .image }}\n{{- end }}",
    '{{.status.phase | printf "%s-%s" "x"}}', '{{ printf "%-10s|%05d|%t" "ab" 7 true }}',
]


@needs_kubectl
@pytest.mark.parametrize("tpl", TEMPLATES)
@pytest.mark.parametrize("allow", ["true", "false"])
def test_matches_kubectl(tmp_path, tpl, allow):
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(POD))
    base = [KUBECTL, "label", "--local", "-f", str(path), "parity=yes"]
    obj = json.loads(subprocess.run(base + ["-o", "json"], capture_output=True, text=True).stdout)
    k = subprocess.run(base + ["-o", "go-template=" + tpl, "--allow-missing-template-keys=" + allow],
                       capture_output=True, text=True, timeout=60)
    try:
        out, err = render_gotemplate(tpl, obj, allow == "true"), ""
    except GoTemplateExecError as e:
        out, err = e.stdout, e.render() + "\n"
    except CliError as e:
        out, err = "", e.render() + "\n"
    assert (out, err) == (k.stdout, k.stderr)


# ---------------------------------------------------------------- the --template flag
# genericclioptions' PrintFlags: --template alone means -o go-template; with -o template /
# go-template / templatefile / jsonpath it is that format's argument; with -o FORMAT=... no printer
# matches; with yaml / json / name it is ignored. kubectl create --dry-run=client is the oracle.

TEMPLATE_FLAG_CASES = [
    ["ns", "x", "--template={{.metadata.name}}"],
    ["ns", "x", "--template", "{{.kind}} {{.metadata.name}}"],
    ["ns", "x", "-o", "template", "--template={{.metadata.name}}"],
    ["ns", "x", "-otemplate", "--template={{.metadata.name}}"],
    ["ns", "x", "--output=go-template", "--template={{.metadata.name}}"],
    ["ns", "x", "-o", "jsonpath", "--template={.metadata.name}"],
    ["ns", "x", "-o", "jsonpath", "--template={{.metadata.name}}"],
    ["ns", "x", "-o", "yaml", "--template={{.metadata.name}}"],
    ["ns", "x", "-o", "name", "--template={{.metadata.name}}"],
    ["ns", "x", "-o", "go-template={{.kind}}", "--template={{.metadata.name}}"],
    ["ns", "x", "--template="],
    ["ns", "x", "-o", "template"],
    ["ns", "x", "-o", "foo"],
    ["ns", "x", "-o", "templatefile", "--template=/nonexistent/t.tmpl"],
    ["ns", "x", "-o", "jsonpath-file=/nonexistent/t.tmpl"],
    ["deployment", "web", "--image=nginx", "--replicas=3", "--template={{.spec.replicas}}"],
    ["configmap", "c", "--from-literal=a=b", "-o", "template", "--template={{.data.a}}"],
]


@needs_kubectl
@pytest.mark.parametrize("args", TEMPLATE_FLAG_CASES, ids=lambda a: " ".join(a))
def test_template_flag_matches_kubectl(mk, args):
    k = subprocess.run([KUBECTL, "create", *args, "--dry-run=client"], capture_output=True, text=True, timeout=60)
    m = mk("create", *args, "--dry-run=client")
    assert (m.code, m.out, m.err) == (k.returncode, k.stdout, k.stderr)


@needs_kubectl
def test_template_flag_reads_a_file(mk, tmp_path):
    t = tmp_path / "t.tmpl"
    t.write_text("{{.metadata.name}}/{{.kind}}\n")
    for fmt in ("templatefile", "go-template-file"):
        args = ["create", "ns", "x", "--dry-run=client", "-o", fmt, f"--template={t}"]
        k = subprocess.run([KUBECTL, *args], capture_output=True, text=True, timeout=60)
        m = mk(*args)
        assert (m.code, m.out, m.err) == (k.returncode, k.stdout, k.stderr) == (0, "x/Namespace\n", "")


def test_template_flag_on_get_and_where_kubectl_has_none(mk):
    assert mk("create", "ns", "web").code == 0
    assert mk("get", "ns", "web", "--template={{.metadata.name}}").out == "web"
    r = mk("get", "ns", "--template", "{{range .items}}{{.metadata.name}} {{end}}")
    assert r.out == "default kube-node-lease kube-public kube-system web "
    r = mk("get", "ns", "-o", "go-template=x", "--template={{.kind}}")
    assert r.code == 1 and r.err.startswith('error: unable to match a printer suitable for the output format '
                                            '"go-template=x", allowed formats are: custom-columns,')
    r = mk("rollout", "status", "deploy/x", "--template=x")     # kubectl's rollout status has no --template
    assert (r.code, r.err) == (1, "Error: unknown flag: --template\nSee 'minikctl rollout status --help' for usage.\n")
    r = mk("exec", "nope", "--", "echo", "--template=x")          # after `--` it is the command's argument
    assert "--template" not in r.err
