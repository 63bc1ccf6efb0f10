"""`minikctl helm`: charts rendered by Go's text/template (checked against Go's own, through
kubectl's -o go-template), Sprig functions as Sprig documents them, releases stored as Helm 3's
secrets driver stores them, and helm v3.16's texts and errors."""
from __future__ import annotations

import base64
import gzip
import json
import shutil
import subprocess

import pytest

from minikctl.helm import HelmError
from minikctl.helm.engine import Engine

KUBECTL = shutil.which("kubectl")
REPO = ("repo", "add", "bitnami", "https://charts.bitnami.com/bitnami")
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-0", "labels": {"app": "web", "tier": "fe"}},
       "spec": {"containers": [{"name": "a", "image": "nginx"}, {"name": "b", "image": "busybox"}]}}


def _render(files: dict, data: dict) -> dict:
    return Engine(files).render(data)


DEFINES = [
    '{{define "x"}}[{{.metadata.name}}]{{end}}{{template "x" .}}-{{template "x" .}}',
    '{{define "c"}}{{range .}}{{.name}},{{end}}{{end}}{{template "c" .spec.containers}}',
    '{{block "b" .kind}}<{{.}}>{{end}}|{{template "b" "z"}}',
    '{{define "outer"}}({{template "inner" .}}){{end}}{{define "inner"}}{{.kind}}{{end}}{{template "outer" .}}',
    '{{- define "t" -}}\n  {{ .metadata.name }}\n{{- end -}}\nA{{ template "t" . }}B',
]


@pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed: no Go text/template oracle")
@pytest.mark.parametrize("tpl", DEFINES)
def test_define_template_block_match_go(tmp_path, tpl):
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(POD))
    base = [KUBECTL, "label", "--local", "-f", str(path), "parity=yes"]
    obj = json.loads(subprocess.run(base + ["-o", "json"], capture_output=True, text=True).stdout)
    go = subprocess.run(base + ["-o", "go-template=" + tpl], capture_output=True, text=True, timeout=60)
    assert go.returncode == 0, go.stderr
    out = _render({"c/templates/t.yaml": tpl}, obj)["c/templates/t.yaml"]
    assert out == go.stdout


def test_sprig_functions_as_documented():
    """Examples from Sprig's documentation (masterminds.github.io/sprig) and Helm's."""
    cases = {
        '{{ trunc 5 "hello world" }}': "hello",
        '{{ trunc -5 "hello world" }}': "world",
        '{{ "hello-" | trimSuffix "-" }}': "hello",
        '{{ trimPrefix "-" "-hello" }}': "hello",
        '{{ "  hello  " | trim }}': "hello",
        '{{ default "foo" .Values.missing }}|{{ default "foo" "bar" }}|{{ default 3 0 }}': "foo|bar|3",
        '{{ quote "a" }} {{ squote "b" }} {{ .Values.n | quote }}': '"a" \'b\' "8080"',
        '{{ "a\\nb" | indent 2 }}': "  a\n  b",
        'x:{{ "a\\nb" | nindent 2 }}': "x:\n  a\n  b",
        '{{ upper "hello" }} {{ lower "HELLO" }} {{ title "hello world" }}': "HELLO hello Hello World",
        '{{ replace " " "-" "I Am Henry VIII" }}': "I-Am-Henry-VIII",
        '{{ contains "cat" "catch" }} {{ hasPrefix "cat" "catch" }} {{ hasSuffix "ch" "catch" }}': "true true true",
        '{{ list 1 2 3 | len }} {{ join "," (list "a" "b") }}': "3 a,b",
        '{{ $d := dict "a" 1 "b" 2 }}{{ hasKey $d "a" }} {{ get $d "b" }}': "true 2",
        '{{ ternary "yes" "no" true }}': "yes",
        '{{ coalesce 0 "" "x" }}': "x",
        '{{ b64enc "hello" }} {{ "aGVsbG8=" | b64dec }}': "aGVsbG8= hello",
        '{{ toYaml .Values.m }}': "a: 1\nb:\n- x\n- \"y\"",
        '{{ toJson .Values.m }}': '{"a":1,"b":["x","y"]}',
        '{{ semverCompare ">=1.21-0" "v1.32.4" }} {{ semverCompare "<1.19" "1.32.0" }}': "true false",
        '{{ empty "" }} {{ empty 0 }} {{ empty (list) }} {{ empty "x" }}': "true true true false",
        '{{ printf "%s-%s" "a" "b" | trunc 63 }}': "a-b",
        '{{ .Values.n }} {{ .Values.big }}': "8080 1e+06",
        '{{ .Values.nope }}': "",
    }
    from minikctl.helm.values import helm_numbers
    data = {"Values": helm_numbers({"n": 8080, "big": 1000000, "m": {"a": 1, "b": ["x", "y"]}})}
    for tpl, want in cases.items():
        assert _render({"c/templates/t.yaml": tpl}, data)["c/templates/t.yaml"] == want, tpl


def test_template_errors_in_helms_words():
    def err(files, data=None):
        with pytest.raises(HelmError) as e:
            Engine(files).render(data or {"Values": {}})
        return e.value.message
    assert err({"c/templates/a.yaml": "x: {{ .Values.a | nosuch }}"}) == \
        'parse error at (c/templates/a.yaml:1): function "nosuch" not defined'
    assert err({"c/templates/a.yaml": "a\n  x: {{ .Values.foo.bar }}"}) == \
        ('template: c/templates/a.yaml:2:15: executing "c/templates/a.yaml" at <.Values.foo.bar>: '
         "nil pointer evaluating interface {}.bar")
    assert err({"c/templates/a.yaml": "a\n  x: {{ required \"x is required\" .Values.x }}"}) == \
        "execution error at (c/templates/a.yaml:2:8): x is required"
    assert err({"c/templates/a.yaml": '{{ fail "no way" }}'}) == "execution error at (c/templates/a.yaml:1:3): no way"
    assert err({"c/templates/_h.tpl": '{{- define "n" -}}{{ .Values.q.r }}{{- end -}}',
                "c/templates/a.yaml": 'name: {{ include "n" . }}'}) == \
        ('template: c/templates/a.yaml:1:9: executing "c/templates/a.yaml" at <include "n" .>: error calling '
         'include: template: c/templates/_h.tpl:1:28: executing "n" at <.Values.q.r>: nil pointer evaluating '
         "interface {}.r")
    assert err({"c/templates/a.yaml": "{{ if .Values.a }}x"}) == "parse error at (c/templates/a.yaml:1): unexpected EOF"


def test_repo_search_and_template(mk):
    r = mk("helm", "search", "repo", "nginx")
    assert (r.code, r.err) == (1, "Error: no repositories configured\n")
    assert mk("helm", *REPO).out == '"bitnami" has been added to your repositories\n'
    assert mk("helm", *REPO).out == '"bitnami" already exists with the same configuration, skipping\n'
    assert mk("helm", "repo", "list").out == "NAME   \tURL                               \nbitnami\thttps://charts.bitnami.com/bitnami\n"
    s = mk("helm", "search", "repo", "nginx").out.splitlines()
    assert s[0].split("\t")[0].strip() == "NAME" and s[1].startswith("bitnami/nginx\t18.2.4")
    assert s[1].endswith("NGINX Open Source is a web server that can be a...")  # uitable's 50-column cut
    assert len(mk("helm", "search", "repo", "nginx", "--versions").out.splitlines()) == 4
    t = mk("helm", "template", "web", "bitnami/nginx", "--set", "service.type=ClusterIP")
    assert t.code == 0 and t.out.startswith("---\n# Source: nginx/templates/serviceaccount.yaml\n")
    order = [line for line in t.out.splitlines() if line.startswith("# Source:")]
    assert order == ["# Source: nginx/templates/serviceaccount.yaml", "# Source: nginx/templates/service.yaml",
                     "# Source: nginx/templates/deployment.yaml"]   # helm's install order by kind
    assert "  type: ClusterIP\n" in t.out and "image: docker.io/bitnami/nginx:1.27.2-debian-12-r2" in t.out
    # the rendered objects are valid to the real kubectl's client-side decoding too
    if KUBECTL:
        k = subprocess.run([KUBECTL, "label", "--local", "-f", "-", "parity=yes", "-o", "name"], input=t.out,
                           capture_output=True, text=True)
        assert k.stdout.split() == ["serviceaccount/web-nginx", "service/web-nginx", "deployment.apps/web-nginx"]


def test_install_stores_a_helm3_release_secret(mk):
    mk("helm", *REPO)
    r = mk("helm", "install", "web", "bitnami/nginx", "--set", "replicaCount=2", "-n", "apps", "--create-namespace")
    assert r.code == 0, r.err
    head = r.out.split("NOTES:\n")[0]
    assert head == ("NAME: web\nLAST DEPLOYED: Mon Nov 24 16:00:00 2025\nNAMESPACE: apps\nSTATUS: deployed\n"
                    "REVISION: 1\nTEST SUITE: None\n")
    assert "web-nginx.apps.svc.cluster.local (port 80)" in r.out
    s = json.loads(mk("get", "secret", "-n", "apps", "sh.helm.release.v1.web.v1", "-o", "json").out)
    assert s["type"] == "helm.sh/release.v1"
    assert {k: v for k, v in s["metadata"]["labels"].items() if k not in ("createdAt", "modifiedAt")} == \
        {"name": "web", "owner": "helm", "status": "deployed", "version": "1"}
    raw = base64.b64decode(base64.b64decode(s["data"]["release"]))
    assert raw[:3] == b"\x1f\x8b\x08"
    rel = json.loads(gzip.decompress(raw))
    assert (rel["name"], rel["namespace"], rel["version"], rel["info"]["status"]) == ("web", "apps", 1, "deployed")
    assert rel["config"] == {"replicaCount": 2} and rel["chart"]["metadata"]["version"] == "18.2.4"
    assert rel["manifest"].startswith("---\n# Source: nginx/templates/serviceaccount.yaml\n")
    d = json.loads(mk("get", "deploy", "web-nginx", "-n", "apps", "-o", "json").out)
    assert d["spec"]["replicas"] == 2
    assert d["metadata"]["annotations"]["meta.helm.sh/release-name"] == "web"
    assert d["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"
    lst = mk("helm", "list", "-n", "apps").out.splitlines()
    assert lst[0].split("\t") == ["NAME", "NAMESPACE", "REVISION", "UPDATED                      ", "STATUS  ",
                                  "CHART       ", "APP VERSION"]
    assert lst[1].split("\t") == ["web ", "apps     ", "1       ", "2025-11-24 16:00:00 +0000 UTC", "deployed",
                                  "nginx-18.2.4", "1.27.2     "]
    again = mk("helm", "install", "web", "bitnami/nginx", "-n", "apps")
    assert (again.code, again.err) == (1, "Error: INSTALLATION FAILED: cannot re-use a name that is still in use\n")


def test_upgrade_history_rollback_uninstall(mk):
    mk("helm", *REPO)
    assert mk("helm", "install", "web", "bitnami/nginx", "--version", "18.1.0").code == 0
    mk.advance(60)
    up = mk("helm", "upgrade", "web", "bitnami/nginx", "--set", "replicaCount=3")
    assert up.out.startswith('Release "web" has been upgraded. Happy Helming!\nNAME: web\n')
    assert "REVISION: 2\n" in up.out
    img = "{.spec.replicas} {.spec.template.spec.containers[0].image}"
    assert mk("get", "deploy", "web-nginx", "-o", f"jsonpath={img}").out == \
        "3 docker.io/bitnami/nginx:1.27.2-debian-12-r2"
    mk.advance(60)
    assert mk("helm", "rollback", "web", "1").out == "Rollback was a success! Happy Helming!\n"
    assert mk("get", "deploy", "web-nginx", "-o", f"jsonpath={img}").out == \
        "1 docker.io/bitnami/nginx:1.27.0-debian-12-r5"
    h = mk("helm", "history", "web").out
    assert h == ("REVISION\tUPDATED                 \tSTATUS    \tCHART       \tAPP VERSION\tDESCRIPTION     \n"
                 "1       \tMon Nov 24 16:00:00 2025\tsuperseded\tnginx-18.1.0\t1.27.0     \tInstall complete\n"
                 "2       \tMon Nov 24 16:01:00 2025\tsuperseded\tnginx-18.2.4\t1.27.2     \tUpgrade complete\n"
                 "3       \tMon Nov 24 16:02:00 2025\tdeployed  \tnginx-18.1.0\t1.27.0     \tRollback to 1   \n")
    assert mk("helm", "get", "values", "web").out == "USER-SUPPLIED VALUES:\nnull\n"
    assert mk("helm", "get", "values", "web", "--revision", "2").out == "USER-SUPPLIED VALUES:\nreplicaCount: 3\n"
    assert mk("helm", "uninstall", "web").out == 'release "web" uninstalled\n'
    assert mk("get", "deploy,secret").err == "No resources found in default namespace.\n"
    st = mk("helm", "status", "web")
    assert (st.code, st.err) == (1, "Error: release: not found\n")


def test_upgrade_install_and_values_files(mk, tmp_path):
    mk("helm", *REPO)
    vals = tmp_path / "v.yaml"
    vals.write_text("service:\n  type: NodePort\nreplicaCount: 2\n")
    bad = mk("helm", "upgrade", "web", "bitnami/nginx")
    assert (bad.code, bad.err) == (1, 'Error: UPGRADE FAILED: "web" has no deployed releases\n')
    r = mk("helm", "upgrade", "--install", "web", "bitnami/nginx", "-f", str(vals), "--set-string", "podLabels.v=1")
    assert r.out.startswith('Release "web" does not exist. Installing it now.\nNAME: web\n')
    assert mk("get", "svc", "web-nginx", "-o", "jsonpath={.spec.type}").out == "NodePort"
    assert mk("helm", "get", "values", "web").out == \
        'USER-SUPPLIED VALUES:\npodLabels:\n  v: "1"\nreplicaCount: 2\nservice:\n  type: NodePort\n'


def test_bad_input_errors(mk, tmp_path):
    mk("helm", *REPO)
    chart = tmp_path / "bad"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: bad\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                                  "  name: {{ .Release.Name }}\ndata:\n  x: {{ .Values.foo.bar }}\n")
    r = mk("helm", "install", "b", str(chart))
    assert (r.code, r.out) == (1, "")
    assert r.err == ('Error: INSTALLATION FAILED: template: bad/templates/cm.yaml:6:15: executing '
                     '"bad/templates/cm.yaml" at <.Values.foo.bar>: nil pointer evaluating interface {}.bar\n')
    assert mk("get", "secret").err == "No resources found in default namespace.\n"  # nothing stored
    cases = {
        ("install", "x", "nope/nginx"): "Error: INSTALLATION FAILED: repo nope not found\n",
        ("install", "x", "bitnami/nginx", "--version", "9.9.9"):
            "Error: INSTALLATION FAILED: chart \"nginx\" matching 9.9.9 not found in bitnami index. (try 'helm repo "
            "update'): no chart version found for nginx-9.9.9\n",
        ("install", "x", "bitnami/nginx", "-n", "ghost"):
            'Error: INSTALLATION FAILED: create: failed to create: namespaces "ghost" not found\n',
        ("uninstall", "ghost"): "Error: uninstall: Release not loaded: ghost: release: not found\n",
        ("bogus",): "Error: unknown command \"bogus\" for \"helm\"\nRun 'helm --help' for usage.\n",
        ("install", "x", "bitnami/nginx", "--sett", "a=b"): "Error: unknown flag: --sett\n",
    }
    for argv, want in cases.items():
        r = mk("helm", *argv)
        assert (r.code, r.err) == (1, want), argv
    r = mk("helm", "repo", "add", "x", "https://example.com/charts")
    assert r.code == 1 and r.err.startswith("minikctl: the chart repository https://example.com/charts is not simulated")


def test_helm_in_the_learner_shell(mk, tmp_path):
    r = mk("shell", "--dir", str(tmp_path), stdin="helm repo add bitnami https://charts.bitnami.com/bitnami\n"
                                                  "helm install cache bitnami/redis --set auth.password=pw | head -1\n"
                                                  "kubectl get secret cache-redis -o jsonpath='{.data.redis-password}'"
                                                  " | base64 -d\n")
    assert '"bitnami" has been added to your repositories\nNAME: cache\npw' in r.out


def test_redis_chart_objects_and_generated_password(mk):
    mk("helm", *REPO)
    r = mk("helm", "install", "cache", "bitnami/redis")
    assert r.code == 0, r.err
    assert "cache-redis-master.default.svc.cluster.local for read/write operations" in r.out
    pw = mk("get", "secret", "cache-redis", "-o", "jsonpath={.data.redis-password}").out
    assert len(base64.b64decode(pw)) == 10          # randAlphaNum 10, from the cluster's seeded rng
    sts = json.loads(mk("get", "sts", "cache-redis-master", "-o", "json").out)
    env = sts["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env[1]["valueFrom"]["secretKeyRef"] == {"name": "cache-redis", "key": "redis-password"}
    assert sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "8Gi"


def test_unsimulated_helm_says_so(mk):
    mk("helm", *REPO)
    for argv, want in ((("install", "web", "bitnami/nginx", "--dry-run"), "minikctl: helm's --dry-run flag is not simulated"),
                       (("create", "mychart"), "minikctl: helm create is not simulated (see docs/helm-and-kustomize.md)"),
                       (("status", "web", "-o", "json"), "minikctl: helm status -o json is not simulated")):
        r = mk("helm", *argv)
        assert (r.code, r.out, r.err) == (1, "", want + "\n"), argv


def test_list_as_json(mk):
    mk("helm", *REPO)
    mk("helm", "install", "web", "bitnami/nginx")
    assert json.loads(mk("helm", "list", "-o", "json").out) == [
        {"name": "web", "namespace": "default", "revision": "1", "updated": "2025-11-24 16:00:00 +0000 UTC",
         "status": "deployed", "chart": "nginx-18.2.4", "app_version": "1.27.2"}]
    assert mk("helm", "list", "-q").out == "web\n"


def test_no_traceback_on_odd_command_lines(mk):
    mk("helm", *REPO)
    mk("helm", "install", "web", "bitnami/nginx")
    r = mk("helm", "rollback", "web", "abc")
    assert (r.code, r.err) == (1, 'Error: could not convert revision to a number: strconv.Atoi: parsing "abc": '
                                  "invalid syntax\n")
    assert mk("helm", "rollback", "web").err == "Error: release has no 0 version\n"
    for parent in ("repo", "get", "show", "search"):
        r = mk("helm", parent)
        assert r.code == 0 and r.out.startswith(f"Usage:\n  helm {parent} [command]\n"), parent


def test_pull_edit_and_install_from_the_directory(mk, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mk("helm", *REPO)
    assert mk("helm", "pull", "bitnami/nginx", "--untar").code == 0
    assert sorted(p.name for p in (tmp_path / "nginx" / "templates").iterdir())[:3] == \
        ["NOTES.txt", "_helpers.tpl", "deployment.yaml"]
    values = tmp_path / "nginx" / "values.yaml"
    values.write_text(values.read_text().replace("replicaCount: 1\n", "replicaCount: 4\n"))
    assert mk("helm", "install", "web", "./nginx").code == 0
    assert mk("get", "deploy", "web-nginx", "-o", "jsonpath={.spec.replicas}").out == "4"
    assert mk("helm", "pull", "bitnami/nginx", "--version", "18.1.0").code == 0
    r = mk("helm", "install", "old", str(tmp_path / "nginx-18.1.0.tgz"))
    assert r.code == 0 and "CHART VERSION: 18.1.0" in r.out
    again = mk("helm", "pull", "bitnami/nginx", "--untar")
    assert (again.code, again.err) == (1, "Error: failed to untar: a file or directory with the name "
                                          "nginx already exists\n")


def test_upgrade_is_a_three_way_merge_a_changed_port_replaces_the_old_one(mk):
    """helm upgrade patches each object with the three-way strategic merge (old manifest, new
    manifest, live object): a Service port whose number changed replaces the one the old manifest
    had (ports merge on their port number), live-only fields such as the clusterIP stay."""
    mk("helm", *REPO)
    assert mk("helm", "install", "web", "bitnami/nginx", "--version", "18.1.0", "--set", "service.type=ClusterIP").code == 0
    ip = mk("get", "svc", "web-nginx", "-o", "jsonpath={.spec.clusterIP}").out
    r = mk("helm", "upgrade", "web", "bitnami/nginx", "--version", "18.2.4", "--reuse-values",
           "--set", "service.ports.http=8080")
    assert r.code == 0, r.err
    assert mk("get", "svc", "web-nginx", "-o", "jsonpath={.spec.ports}").out == \
        '[{"name":"http","port":8080,"protocol":"TCP","targetPort":"http"}]'
    assert mk("get", "svc", "web-nginx", "-o", "jsonpath={.spec.clusterIP} {.spec.type}").out == f"{ip} ClusterIP"
    # new values without --reuse-values start again from the chart's defaults
    assert mk("helm", "upgrade", "web", "bitnami/nginx", "--version", "18.2.4", "--set", "replicaCount=2").code == 0
    assert mk("get", "svc", "web-nginx", "-o", "jsonpath={.spec.type} {.spec.ports[0].port}").out == "LoadBalancer 80"
