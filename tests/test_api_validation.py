"""validate(): the apiserver's causes, checked against the reference's section 7 and real captures."""
from __future__ import annotations

import copy
import glob
import re
from pathlib import Path

import pytest

from minikctl.api.defaults import apply_defaults
from minikctl.api.errors import invalid as invalid_error
from minikctl.api.validation import validate
from conftest import REFERENCE, SPEC

SECTION7 = (REFERENCE / "validation-messages.md").read_text().split("## 7.")[1]


def ref_message(label: str) -> str:
    """The backticked message of the section-7 bullet that starts with `label`."""
    for line in SECTION7.splitlines():
        if line.startswith(f"- {label}"):
            return re.search(r"`([^`]*)`", line.split(":", 1)[1]).group(1)
    raise KeyError(label)


def lines(causes):
    return [f"{f}: {b}" if f else b for f, b in causes]


def defaulted(obj):
    obj = copy.deepcopy(obj)
    apply_defaults(obj)
    return obj


def svc(**spec):
    s = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
         "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    s["spec"].update(spec)
    return defaulted(s)


def deploy(labels=None, selector=None, **spec):
    d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
         "spec": {"replicas": 2,
                  "template": {"metadata": {"labels": labels if labels is not None else {"app": "web"}},
                               "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}}}
    if selector is not False:
        d["spec"]["selector"] = {"matchLabels": selector or {"app": "web"}}
    d["spec"].update(spec)
    return defaulted(d)


def pod(**spec):
    p = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
         "spec": {"containers": [{"name": "c", "image": "busybox:1.28"}]}}
    p["spec"].update(spec)
    return defaulted(p)


# ------------------------------------------------------------------------------------------
# The flagship manifests are valid

@pytest.mark.parametrize("path", sorted(glob.glob(str(SPEC / "*.yaml"))))
def test_three_services_manifests_are_valid(path):
    import yaml
    for doc in yaml.safe_load_all(open(path)):
        obj = defaulted(doc)
        assert validate(obj) == []
        assert validate(copy.deepcopy(obj), obj) == []


# ------------------------------------------------------------------------------------------
# Names (section 7's exact strings)

def test_service_name_is_dns1035():
    s = svc()
    s["metadata"]["name"] = "My-Svc"
    causes = validate(s)
    assert lines(causes) == [f'metadata.name: Invalid value: "My-Svc": {ref_message("DNS-1035")}']
    # The reference's rendered example, prefix for prefix.
    rendered = invalid_error("Service", "My-Svc", causes).render()
    assert rendered.startswith('The Service "My-Svc" is invalid: metadata.name: Invalid value: "My-Svc": '
                               "a DNS-1035 label must consist of")


def test_service_name_starting_with_digit_is_rejected_but_pod_name_is_not():
    s = svc()
    s["metadata"]["name"] = "1web"
    assert [f for f, _ in validate(s)] == ["metadata.name"]
    p = pod()
    p["metadata"]["name"] = "1web"
    assert validate(p) == []


def test_namespace_name_is_dns1123_label():
    ns = defaulted({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "Dev_1"}})
    assert lines(validate(ns)) == [f'metadata.name: Invalid value: "Dev_1": {ref_message("DNS-1123 label")}']
    ns = defaulted({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a.b"}})
    assert lines(validate(ns)) == ['metadata.name: Invalid value: "a.b": must not contain dots']


def test_pod_and_configmap_names_are_dns1123_subdomains():
    for kind in ("Pod", "ConfigMap"):
        obj = pod() if kind == "Pod" else {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}
        obj["metadata"]["name"] = "Web_1"
        assert lines(validate(obj)) == [
            f'metadata.name: Invalid value: "Web_1": {ref_message("DNS-1123 subdomain")}']
        obj["metadata"]["name"] = "web.v1"
        assert validate(obj) == []


def test_name_length_limits():
    s = svc()
    s["metadata"]["name"] = "a" * 64
    assert lines(validate(s)) == [f'metadata.name: Invalid value: "{"a" * 64}": must be no more than 63 characters']
    p = pod()
    p["metadata"]["name"] = "a" * 254
    assert [b.split(": ", 2)[-1] for _, b in validate(p)] == ["must be no more than 253 characters"]


def test_missing_name():
    p = pod()
    del p["metadata"]["name"]
    assert lines(validate(p)) == ["metadata.name: Required value: name or generateName is required"]
    p["metadata"]["generateName"] = "web-"  # the server names it before validating
    assert validate(p) == []


def test_namespace_field_on_cluster_scoped_kind_is_forbidden():
    ns = defaulted({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev", "namespace": "x"}})
    assert lines(validate(ns)) == ["metadata.namespace: Forbidden: not allowed on this type"]


def test_label_value_and_key():
    p = pod()
    p["metadata"]["labels"] = {"app": "web server"}
    assert lines(validate(p)) == [f'metadata.labels: Invalid value: "web server": {ref_message("Label value")}']
    p["metadata"]["labels"] = {"bad key": "x"}
    (cause,) = lines(validate(p))
    assert cause == ("metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric "
                     "characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                     "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                     "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")


def test_regex_examples_have_the_double_space():
    # Section 7: each example is written `'ex', ` and joined with ` or `.
    assert "'my-name',  or 'abc-123'" in ref_message("DNS-1035")


# ------------------------------------------------------------------------------------------
# Services (section 7's ValidateService bullets)

def test_service_ports_required_unless_headless_or_externalname():
    assert lines(validate(svc(ports=[]))) == ["spec.ports: Required value"]
    assert validate(svc(ports=[], clusterIP="None")) == []
    ext = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db"},
           "spec": {"type": "ExternalName", "externalName": "my.database.example.com"}}
    assert validate(defaulted(ext)) == []


def test_service_port_zero_and_target_port_default():
    # targetPort defaults to port, so both are reported, as section 7 lists them.
    assert lines(validate(svc(ports=[{"port": 0}]))) == [
        "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
        "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
    ]


def test_service_port_names():
    causes = lines(validate(svc(ports=[{"port": 80}, {"port": 443}])))
    assert causes == ["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"]
    causes = lines(validate(svc(ports=[{"name": "http", "port": 80}, {"name": "http", "port": 81}])))
    assert causes == ['spec.ports[1].name: Duplicate value: "http"']
    causes = lines(validate(svc(ports=[{"name": "Web", "port": 80}])))
    assert causes == [f'spec.ports[0].name: Invalid value: "Web": {ref_message("DNS-1123 label")}']


def test_service_protocol_type_affinity_unsupported():
    assert lines(validate(svc(ports=[{"port": 80, "protocol": "XYZ"}]))) == [
        'spec.ports[0].protocol: Unsupported value: "XYZ": supported values: "SCTP", "TCP", "UDP"']
    assert 'spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", ' \
           '"LoadBalancer", "NodePort"' in lines(validate(svc(type="Foo")))
    assert lines(validate(svc(sessionAffinity="Sticky"))) == [
        'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"']


def test_service_node_port_rules():
    assert lines(validate(svc(ports=[{"port": 80, "nodePort": 30080}]))) == [
        "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]
    causes = lines(validate(svc(type="NodePort", ports=[{"name": "a", "port": 80, "nodePort": 30080},
                                                        {"name": "b", "port": 81, "nodePort": 30080}])))
    assert causes == ["spec.ports[1].nodePort: Duplicate value: 30080"]


def test_service_cluster_ip_rules():
    assert lines(validate(svc(clusterIP="abc"))) == [
        'spec.clusterIPs[0]: Invalid value: "abc": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']
    assert lines(validate(svc(type="NodePort", clusterIP="None"))) == [
        "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"]
    assert "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for LoadBalancer services" \
        in lines(validate(svc(type="LoadBalancer", clusterIP="None")))
    three = svc(clusterIP="10.96.0.5", clusterIPs=["10.96.0.5", "10.96.0.6", "10.96.0.7"])
    assert 'spec.clusterIPs: Invalid value: []string{"10.96.0.5", "10.96.0.6", "10.96.0.7"}: ' \
           'may only hold up to 2 values' in lines(validate(three))


def test_external_name_rules():
    base = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db"},
            "spec": {"type": "ExternalName"}}
    assert lines(validate(defaulted(base))) == ["spec.externalName: Required value"]
    withip = copy.deepcopy(base)
    withip["spec"].update(externalName="my.database.example.com", clusterIP="10.96.0.9")
    assert lines(validate(defaulted(withip))) == [
        "spec.clusterIPs: Forbidden: may not be set for ExternalName services"]


def test_external_ips_and_selector_labels():
    assert lines(validate(svc(externalIPs=["x"]))) == [
        'spec.externalIPs[0]: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']
    assert lines(validate(svc(selector={"app": "a b"}))) == [
        f'spec.selector: Invalid value: "a b": {ref_message("Label value")}']


def test_duplicate_service_port_renders_the_internal_struct():
    causes = lines(validate(svc(ports=[{"name": "a", "port": 80}, {"name": "b", "port": 80}])))
    assert causes == ['spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", '
                      'AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, '
                      'StrVal:""}, NodePort:0}']


def test_service_cluster_ip_may_not_change():
    old = svc(clusterIP="10.96.0.20")
    new = svc(clusterIP="10.96.5.5")
    assert lines(validate(new, old)) == [
        'spec.clusterIPs[0]: Invalid value: []string{"10.96.5.5"}: may not change once set']
    # Section 7's example, byte for byte.
    assert "`spec.clusterIPs[0]: Invalid value: []string{\"10.96.5.5\"}: may not change once set`" in SECTION7
    # Omitting clusterIP on update keeps the allocated one (the registry patches it in).
    assert validate(svc(), old) == []
    # ClusterIP -> headless is a change too.
    assert lines(validate(svc(clusterIP="None"), old)) == [
        'spec.clusterIPs[0]: Invalid value: []string{"None"}: may not change once set']


def test_multi_cause_rendering_through_errors():
    causes = validate(svc(ports=[{"port": 80}, {"port": 80, "protocol": "XYZ"}]))
    text = invalid_error("Service", "web", causes).render()
    assert text.startswith('The Service "web" is invalid: \n* spec.ports[0].name: Required value\n')


# ------------------------------------------------------------------------------------------
# Pods and containers

def test_containers_required():
    assert lines(validate(pod(containers=[]))) == ["spec.containers: Required value"]


def test_container_name_and_image_required_in_order():
    # Order as in a real capture: `The DaemonSet "test-ds" is invalid:` name, then image.
    p = pod(containers=[{}])
    assert lines(validate(p)) == ["spec.containers[0].name: Required value",
                                  "spec.containers[0].image: Required value"]


def test_duplicate_container_name_and_bad_name():
    p = pod(containers=[{"name": "c", "image": "a"}, {"name": "c", "image": "b"}])
    assert lines(validate(p)) == ['spec.containers[1].name: Duplicate value: "c"']
    p = pod(containers=[{"name": "Web", "image": "a"}])
    assert lines(validate(p)) == [f'spec.containers[0].name: Invalid value: "Web": {ref_message("DNS-1123 label")}']


def test_container_port_rules():
    p = pod(containers=[{"name": "c", "image": "a", "ports": [
        {"containerPort": 70000}, {"containerPort": 80, "name": "HTTP"}, {"containerPort": 81, "name": "web"},
        {"containerPort": 82, "name": "web"}, {"containerPort": 83, "name": "a-very-long-port-name"},
        {"containerPort": 84, "name": "8080"}]}])
    assert lines(validate(p)) == [
        "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
        'spec.containers[0].ports[1].name: Invalid value: "HTTP": must contain only alpha-numeric characters '
        "(a-z, 0-9), and hyphens (-)",
        'spec.containers[0].ports[1].name: Invalid value: "HTTP": must contain at least one letter (a-z)',
        'spec.containers[0].ports[3].name: Duplicate value: "web"',
        'spec.containers[0].ports[4].name: Invalid value: "a-very-long-port-name": must be no more than 15 characters',
        'spec.containers[0].ports[5].name: Invalid value: "8080": must contain at least one letter (a-z)',
    ]
    p = pod(containers=[{"name": "c", "image": "a", "ports": [{"name": "web"}]}])
    assert lines(validate(p)) == ["spec.containers[0].ports[0].containerPort: Required value"]


def test_volume_mount_must_name_a_volume():
    p = pod(containers=[{"name": "c", "image": "a", "volumeMounts": [{"name": "data", "mountPath": "/data"}]}])
    assert lines(validate(p)) == ['spec.containers[0].volumeMounts[0].name: Not found: "data"']
    p["spec"]["volumes"] = [{"name": "data", "emptyDir": {}}]
    assert validate(p) == []


def test_volume_source_rules():
    p = pod(volumes=[{"name": "cfg", "configMap": {}}, {"name": "h", "hostPath": {}},
                     {"name": "two", "emptyDir": {}, "hostPath": {"path": "/x"}}])
    assert lines(validate(p)) == [
        "spec.volumes[0].configMap.name: Required value",
        "spec.volumes[1].hostPath.path: Required value",
        "spec.volumes[2].emptyDir: Forbidden: may not specify more than 1 volume type",
    ]


def test_restart_and_dns_policy_unsupported():
    assert lines(validate(pod(restartPolicy="Sometimes"))) == [
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']
    assert lines(validate(pod(dnsPolicy="Cluster"))) == [
        'spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirst", '
        '"ClusterFirstWithHostNet", "Default", "None"']


def test_probe_rules():
    c = {"name": "c", "image": "a", "livenessProbe": {"periodSeconds": 5},
         "readinessProbe": {"httpGet": {"port": "HTTP"}}}
    causes = lines(validate(pod(containers=[c])))
    assert causes[0] == "spec.containers[0].livenessProbe: Required value: must specify a handler type"
    assert causes[1] == ('spec.containers[0].readinessProbe.httpGet.port: Invalid value: "HTTP": must contain '
                         "only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    c = {"name": "c", "image": "a", "livenessProbe": {"tcpSocket": {"port": 80}, "successThreshold": 2}}
    assert lines(validate(pod(containers=[c]))) == [
        "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"]


def test_hostname_subdomain_and_tolerations():
    assert [f for f, _ in validate(pod(hostname="Web_0", subdomain="svc.x"))] == ["spec.hostname", "spec.subdomain"]
    tol = {"key": "k", "operator": "Exists", "value": "v", "effect": "NoSchedule"}
    assert lines(validate(pod(tolerations=[tol]))) == [
        'spec.tolerations[0].operator: Invalid value: core.Toleration{Key:"k", Operator:"Exists", Value:"v", '
        'Effect:"NoSchedule", TolerationSeconds:(*int64)(nil)}: value must be empty when `operator` is \'Exists\'']


def test_env_names_relaxed_in_132():
    p = pod(containers=[{"name": "c", "image": "a", "env": [{"name": "MY.VAR-1", "value": "x"},
                                                              {"name": "A=B"}]}])
    assert lines(validate(p)) == [
        'spec.containers[0].env[1].name: Invalid value: "A=B": a valid environment variable name must '
        "consist only of printable ASCII characters other than '='"]


def _real_pod_spec_update_text() -> str:
    # As real 1.27+ clusters print it (captures of `kubectl apply` / `replace` on a pod).
    return ("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
            "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions "
            "to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
            "previously negative)\n")


def test_pod_update_rules():
    old = pod()
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["image"] = "busybox:1.36"
    new["metadata"]["labels"] = {"tier": "x"}
    new["spec"]["tolerations"].append({"key": "k", "operator": "Exists", "effect": "NoSchedule"})
    new["spec"]["activeDeadlineSeconds"] = 60
    assert validate(new, old) == []
    new["spec"]["containers"][0]["env"] = [{"name": "A", "value": "1"}]
    (cause,) = lines(validate(new, old))
    assert cause.startswith(_real_pod_spec_update_text())
    assert "core.PodSpec{" in cause and "Containers" in cause
    removed = copy.deepcopy(old)
    removed["spec"]["tolerations"] = removed["spec"]["tolerations"][:1]
    assert lines(validate(removed, old))[0].startswith(_real_pod_spec_update_text())


# ------------------------------------------------------------------------------------------
# Workloads

def test_selector_does_not_match_template_labels():
    assert lines(validate(deploy(labels={"app": "x"}))) == [
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: '
        "`selector` does not match template `labels`"]


def test_deployment_selector_required():
    # A real capture: `spec.selector: Required value` then the labels cause (nil selector
    # matches nothing).
    assert lines(validate(deploy(selector=False))) == [
        "spec.selector: Required value",
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: '
        "`selector` does not match template `labels`"]
    assert lines(validate(deploy(selector=False, labels={})))[1].startswith(
        "spec.template.metadata.labels: Invalid value: map[string]string{}: ")


def test_deployment_template_restart_policy_and_strategy():
    d = deploy()
    d["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert lines(validate(d)) == [
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']
    d = deploy()
    d["spec"]["strategy"]["type"] = "Recreate"  # edited by hand, rollingUpdate left behind
    assert lines(validate(d)) == [
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]
    d = deploy(strategy={"rollingUpdate": {"maxUnavailable": 0, "maxSurge": 0}})
    assert lines(validate(d)) == [
        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"]
    assert lines(validate(deploy(replicas=-1))) == [
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0"]


def test_deployment_template_containers_validated_with_full_paths():
    d = deploy()
    d["spec"]["template"]["spec"]["containers"][0]["image"] = ""
    assert lines(validate(d)) == ["spec.template.spec.containers[0].image: Required value"]


def test_selector_is_immutable():
    old = deploy()
    new = deploy(labels={"app": "web2"}, selector={"app": "web2"})
    assert lines(validate(new, old)) == [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, '
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"]


def test_replicaset_update_orders_labels_before_selector():
    # The order of a real capture: template labels cause first, then the immutable selector.
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "frontend"},
          "spec": {"selector": {"matchLabels": {"tier": "frontend"}},
                   "template": {"metadata": {"labels": {"tier": "frontend"}},
                                "spec": {"containers": [{"name": "php", "image": "php"}]}}}}
    old = defaulted(rs)
    new = copy.deepcopy(old)
    new["spec"]["selector"]["matchLabels"]["tier"] = "redis"
    assert lines(validate(new, old)) == [
        'spec.template.metadata.labels: Invalid value: map[string]string{"tier":"frontend"}: '
        "`selector` does not match template `labels`",
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"tier":"redis"}, '
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"]


def _sts():
    import yaml
    docs = list(yaml.safe_load_all(open(SPEC / "headless-web-server.yaml")))
    return defaulted([d for d in docs if d["kind"] == "StatefulSet"][0])


def test_statefulset_updates():
    old = _sts()
    new = copy.deepcopy(old)
    new["spec"]["replicas"] = 5
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.25"
    assert validate(new, old) == []
    new["spec"]["serviceName"] = "other"
    assert lines(validate(new, old)) == [
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
        "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"]


def test_statefulset_template_spec_is_not_validated_by_the_apiserver():
    s = _sts()
    s["spec"]["template"]["spec"]["containers"][0]["image"] = ""
    assert validate(s) == []
    s["spec"]["template"]["metadata"]["labels"] = {"app": "x"}
    assert [f for f, _ in validate(s)] == ["spec.template.metadata.labels"]


def test_configmap_keys_and_immutability():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"bad key": "x"}}
    assert lines(validate(cm)) == [
        "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, "
        "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
        "'[-._a-zA-Z0-9]+')"]
    old = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "1"},
           "immutable": True}
    new = copy.deepcopy(old)
    new["data"]["a"] = "2"
    assert lines(validate(new, old)) == ["data: Forbidden: field is immutable when `immutable` is set"]


def test_name_is_immutable_on_update():
    old = pod()
    new = copy.deepcopy(old)
    new["metadata"]["name"] = "q"
    assert lines(validate(new, old))[0] == 'metadata.name: Invalid value: "q": field is immutable'
