"""kubectl top over the simulated metrics-server, `addons enable metrics-server`, and the
HorizontalPodAutoscaler: kubectl's layout and texts (checked against kubectl's metrics printer
and HPA printers rules), the controller's algorithm (replica_calculator.go) as the kubernetes.io
HPA walkthrough runs it, autoscaling/v1 input, validation texts."""
from __future__ import annotations

import json
import re
import pytest
from tablecheck import table_check as check_table

PHP = """apiVersion: apps/v1
kind: Deployment
metadata: {name: php-apache}
spec:
  selector: {matchLabels: {run: php-apache}}
  template:
    metadata: {labels: {run: php-apache}}
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        ports: [{containerPort: 80}]
        resources: {limits: {cpu: 500m}, requests: {cpu: 200m}}
---
apiVersion: v1
kind: Service
metadata: {name: php-apache, labels: {run: php-apache}}
spec:
  ports: [{port: 80}]
  selector: {run: php-apache}
"""


def run(mk, *argv, stdin=""):
    r = mk(*argv, stdin=stdin)
    assert r.code == 0, (argv, r.err)
    return r.out


def settle(mk, seconds):
    mk.advance(seconds)
    run(mk, "get", "ns")


@pytest.fixture
def metrics(mk):
    run(mk, "addons", "enable", "metrics-server")
    settle(mk, 40)
    return mk


# ---- top ------------------------------------------------------------------------------------

def test_top_without_metrics_server_is_kubectls_error(mk):
    for argv in (("top", "node"), ("top", "pod"), ("top", "pod", "-A")):
        r = mk(*argv)
        assert r.code == 1 and r.err == "error: Metrics API not available\n" and r.out == ""


def test_addons_enable_creates_the_manifest_objects_and_serves_the_api(mk):
    out = run(mk, "addons", "enable", "metrics-server")
    assert out.splitlines()[:3] == ["serviceaccount/metrics-server created", "service/metrics-server created",
                                    "deployment.apps/metrics-server created"]
    assert "are not simulated" in out.splitlines()[3]
    dep = json.loads(run(mk, "get", "deploy", "metrics-server", "-n", "kube-system", "-o", "json"))
    assert "--kubelet-insecure-tls" in dep["spec"]["template"]["spec"]["containers"][0]["args"]
    assert mk("top", "node").code == 1   # not available until the Deployment is
    settle(mk, 40)
    assert mk("top", "node").code == 0
    assert "metrics-server   enabled" in run(mk, "addons", "list")
    r = mk("addons", "enable", "nosuch")
    assert r.code == 1 and "is not simulated" in r.err


def test_top_node_layout_and_percentages(metrics):
    out = run(metrics, "top", "node")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
    # every cell ends in a tab in kubectl's printer, so the last column is padded too
    assert all(line.endswith(" ") for line in lines)
    assert check_table("\n".join(line.rstrip() for line in lines) + "\n")[0] == 0
    nodes = {n["metadata"]["name"]: n for n in json.loads(run(metrics, "get", "nodes", "-o", "json"))["items"]}
    assert [l.split()[0] for l in lines[1:]] == sorted(nodes)
    for line in lines[1:]:
        name, cpu, cpu_pct, mem, mem_pct = line.split()
        alloc = nodes[name]["status"]["allocatable"]
        assert int(cpu_pct[:-1]) == int(int(cpu[:-1]) / (int(alloc["cpu"]) * 1000) * 100)
        assert mem.endswith("Mi") and cpu.endswith("m")
    by_cpu = [l.split()[1] for l in run(metrics, "top", "node", "--sort-by=cpu").splitlines()[1:]]
    assert [int(c[:-1]) for c in by_cpu] == sorted((int(c[:-1]) for c in by_cpu), reverse=True)
    assert run(metrics, "top", "node", "--no-headers").splitlines()[0].split()[0] == "k8s-master"


def test_top_pod_fresh_pods_have_no_metrics_yet_then_do(metrics):
    run(metrics, "apply", "-f", "-", stdin=PHP)
    metrics.advance(3)
    r = metrics("top", "pod")
    assert r.code == 1 and r.err == "error: metrics not available yet\n"
    pod = json.loads(run(metrics, "get", "po", "-o", "json"))["items"][0]["metadata"]["name"]
    r = metrics("top", "pod", pod)
    assert r.code == 1 and r.err == f'Error from server (NotFound): podmetrics.metrics.k8s.io "default/{pod}" not found\n'
    settle(metrics, 30)
    out = run(metrics, "top", "pod")
    assert out.splitlines()[0].split() == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert out.splitlines()[1].split()[0] == pod
    r = metrics("top", "pod", "nope")
    assert r.code == 1 and r.err == 'Error from server (NotFound): pod "nope" not found\n'
    assert metrics("top", "pod", "--sort-by=mem").err == "error: --sort-by accepts only cpu or memory\n"
    assert metrics("top", "pod", "x", "-l", "a=b").err == "error: only one of NAME or selector can be provided\n"
    r = metrics("top", "pod", "-n", "empty-ns")
    assert r.code == 0 and r.out == "" and r.err == "No resources found in empty-ns namespace.\n"


def test_top_pod_containers_all_namespaces_and_sum(metrics):
    out = run(metrics, "top", "pod", "-A", "--containers", "--sum")
    lines = out.splitlines()
    assert lines[0].split() == ["NAMESPACE", "POD", "NAME", "CPU(cores)", "MEMORY(bytes)"]
    rows = [l.split() for l in lines[1:-2]]
    assert rows == sorted(rows, key=lambda r: (r[0], r[1]))
    assert lines[-2].split() == ["________", "________"]
    total_cpu = sum(int(r[3][:-1]) for r in rows)
    total_mem = sum(int(r[4][:-2]) for r in rows)
    cpu, mem = lines[-1].split()
    assert int(cpu[:-1]) == total_cpu and abs(int(mem[:-2]) - total_mem) <= len(rows)  # Mi floors per row
    # the sum sits under the usage columns
    assert lines[-1].index(cpu) == lines[0].index("CPU(cores)")


def test_usage_follows_what_containers_do(metrics):
    burn = """apiVersion: v1
kind: Pod
metadata: {name: burn}
spec:
  containers:
  - name: c
    image: busybox
    command: [sh, -c, 'while true; do :; done']
    resources: {limits: {cpu: 300m}}
  - name: idle
    image: busybox
    command: [sh, -c, 'while true; do sleep 5; done']
---
apiVersion: v1
kind: Pod
metadata: {name: stress}
spec:
  containers:
  - name: s
    image: polinux/stress
    command: [stress]
    args: [--vm, "1", --vm-bytes, 150M, --vm-hang, "1"]
"""
    run(metrics, "apply", "-f", "-", stdin=burn)
    settle(metrics, 40)
    rows = {tuple(l.split()[:2]): l.split()[2:] for l in run(metrics, "top", "pod", "--containers").splitlines()[1:]}
    assert rows[("burn", "c")][0] == "300m", "a busy loop is throttled at its CPU limit"
    assert int(rows[("burn", "idle")][0][:-1]) <= 1
    assert int(rows[("stress", "s")][1][:-2]) >= 150


def test_usage_is_reproducible_under_a_seed(tmp_path):
    from conftest import Minikctl
    outs = []
    for i in range(2):
        m = Minikctl(tmp_path / f"s{i}", seed=5)
        run(m, "addons", "enable", "metrics-server")
        settle(m, 60)
        outs.append(run(m, "top", "pod", "-A"))
    assert outs[0] == outs[1]


# ---- HorizontalPodAutoscaler ----------------------------------------------------------------

def test_autoscale_dry_run_is_kubectls_v1_object(mk):
    run(mk, "apply", "-f", "-", stdin=PHP)
    out = run(mk, "autoscale", "deployment", "php-apache", "--cpu-percent=50", "--min=1", "--max=10",
              "--dry-run=client", "-o", "json")
    obj = json.loads(out)
    assert list(obj) == ["kind", "apiVersion", "metadata", "spec", "status"]
    assert obj["apiVersion"] == "autoscaling/v1"
    assert obj["spec"] == {"scaleTargetRef": {"kind": "Deployment", "name": "php-apache", "apiVersion": "apps/v1"},
                           "minReplicas": 1, "maxReplicas": 10, "targetCPUUtilizationPercentage": 50}
    assert obj["status"] == {"currentReplicas": 0, "desiredReplicas": 0}
    assert mk("autoscale", "deployment", "php-apache").err == 'error: required flag(s) "max" not set\n'
    assert mk("autoscale", "deployment", "php-apache", "--max=2", "--min=3").err == \
        "error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: 2, min: 3\n"
    r = mk("autoscale", "svc", "php-apache", "--max=3")
    assert r.err == ("error: cannot autoscale a Service: could not find scale subresource for /v1, Resource=services "
                     "in discovery information\n")


def test_v1_input_is_stored_as_v2_with_defaults(mk):
    run(mk, "apply", "-f", "-", stdin=PHP)
    assert run(mk, "autoscale", "deployment", "php-apache", "--max=4") == \
        "horizontalpodautoscaler.autoscaling/php-apache autoscaled\n"
    hpa = json.loads(run(mk, "get", "hpa", "php-apache", "-o", "json"))
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["minReplicas"] == 1
    assert hpa["spec"]["metrics"] == [{"type": "Resource", "resource": {"name": "cpu", "target": {
        "type": "Utilization", "averageUtilization": 80}}}]
    r = mk("autoscale", "deployment", "php-apache", "--max=4")
    assert r.code == 1 and r.err == \
        'Error from server (AlreadyExists): horizontalpodautoscalers.autoscaling "php-apache" already exists\n'
    v1 = """apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: v1hpa}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: php-apache}
  minReplicas: 2
  maxReplicas: 5
  targetCPUUtilizationPercentage: 65
"""
    run(mk, "apply", "-f", "-", stdin=v1)
    hpa = json.loads(run(mk, "get", "hpa", "v1hpa", "-o", "json"))
    assert hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 65


@pytest.mark.parametrize("spec,cause", [
    ("minReplicas: 0\n  maxReplicas: 3", "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"),
    ("minReplicas: 4\n  maxReplicas: 3", "spec.maxReplicas: Invalid value: 3: must be greater than or equal to `minReplicas`"),
    ("maxReplicas: 3\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 0}}}]",
     "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0"),
    ("maxReplicas: 3\n  metrics: [{type: Bogus}]",
     'spec.metrics[0].type: Unsupported value: "Bogus": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"'),
])
def test_hpa_validation_texts(mk, spec, cause):
    text = f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: bad}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: x}}
  {spec}
"""
    r = mk("apply", "-f", "-", stdin=text)
    assert r.code == 1
    assert r.err.startswith('The HorizontalPodAutoscaler "bad" is invalid: ') and cause in r.err


def test_get_hpa_columns_before_metrics(mk):
    run(mk, "apply", "-f", "-", stdin=PHP)
    run(mk, "autoscale", "deployment", "php-apache", "--cpu-percent=50", "--min=1", "--max=10")
    settle(mk, 20)
    out = run(mk, "get", "hpa")
    assert out.splitlines()[0].split() == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    assert re.match(r"php-apache\s+Deployment/php-apache\s+cpu: <unknown>/50%\s+1\s+10\s+1\s+\d+s$", out.splitlines()[1])
    assert check_table(out)[0] == 0
    d = run(mk, "describe", "hpa", "php-apache")
    assert "  resource cpu on pods  (as a percentage of request):  <unknown> / 50%" in d
    assert re.search(r"ScalingActive\s+False\s+FailedGetResourceMetric\s+the HPA was unable to compute the replica "
                     r"count: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch "
                     r"metrics from resource metrics API: the server could not find the requested resource "
                     r"\(get pods.metrics.k8s.io\)", d)
    assert "FailedComputeMetricsReplicas" in d and "invalid metrics (1 invalid out of 1), first error is: " in d
    assert "horizontalpodautoscaler.autoscaling/php-apache" in run(mk, "get", "all")


def test_the_walkthrough_scales_up_under_load_and_back_down_after_the_window(metrics):
    run(metrics, "apply", "-f", "-", stdin=PHP)
    run(metrics, "autoscale", "deployment", "php-apache", "--cpu-percent=50", "--min=1", "--max=10")
    settle(metrics, 60)
    hpa = json.loads(run(metrics, "get", "hpa", "php-apache", "-o", "json"))
    assert hpa["status"]["currentMetrics"][0]["resource"]["current"]["averageUtilization"] <= 1
    assert "cpu: 0%/50%" in run(metrics, "get", "hpa") or "cpu: 1%/50%" in run(metrics, "get", "hpa")
    # the load generator: 1 CPU of requests spread by the Service over the ready pods
    assert "load cpu=1" in run(metrics, "sim", "load", "svc/php-apache", "--cpu", "1")
    sizes = []
    for _ in range(8):
        settle(metrics, 15)
        sizes.append(json.loads(run(metrics, "get", "deploy", "php-apache", "-o", "json"))["spec"]["replicas"])
    assert sizes == sorted(sizes) and sizes[0] == 5, sizes   # +4 pods is the first period's limit
    assert sizes[-1] == 10                                     # 1000m / 200m requests / 50% target
    events = run(metrics, "get", "events", "--field-selector", "reason=SuccessfulRescale")
    assert "New size: 5; reason: cpu resource utilization (percentage of request) above target" in events
    run(metrics, "sim", "load", "svc/php-apache", "--clear")
    settle(metrics, 120)
    assert json.loads(run(metrics, "get", "deploy", "php-apache", "-o", "json"))["spec"]["replicas"] == 10, \
        "the 300 s scale-down stabilization window holds the highest recent recommendation"
    d = run(metrics, "describe", "hpa", "php-apache")
    assert re.search(r"AbleToScale\s+True\s+ScaleDownStabilized\s+recent recommendations were higher than current "
                     r"one, applying the highest recent recommendation", d)
    settle(metrics, 200)
    assert json.loads(run(metrics, "get", "deploy", "php-apache", "-o", "json"))["spec"]["replicas"] == 1
    assert "New size: 1; reason: All metrics below target" in run(metrics, "get", "events")


def test_missing_cpu_request_is_the_controllers_error(metrics):
    run(metrics, "create", "deployment", "web", "--image=nginx")
    run(metrics, "autoscale", "deployment", "web", "--max=3", "--cpu-percent=50")
    settle(metrics, 40)
    d = run(metrics, "describe", "hpa", "web")
    pod = json.loads(run(metrics, "get", "po", "-l", "app=web", "-o", "json"))["items"][0]["metadata"]["name"]
    assert f"failed to get cpu utilization: missing request for cpu in container nginx of Pod {pod}" in d


def test_hpa_on_a_missing_target(mk):
    text = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ghost}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ghost}
  maxReplicas: 3
"""
    run(mk, "apply", "-f", "-", stdin=text)
    settle(mk, 20)
    d = run(mk, "describe", "hpa", "ghost")
    assert re.search(r"AbleToScale\s+False\s+FailedGetScale\s+the HPA controller was unable to get the target's "
                     r'current scale: deployments/scale.apps "ghost" not found', d)
