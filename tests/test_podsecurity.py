"""PodSecurity admission: the namespace's pod-security.kubernetes.io labels, the baseline and
restricted checks worded as pod-security-admission's policy checks word them (their format strings:
`%s %s must set securityContext.allowPrivilegeEscalation=false`, `pod or %s %s must set
securityContext.runAsNonRoot=true`, `%s %s %s %s %s` for host ports ...), enforce refusing pods,
warn warning, workloads warned only and their controllers' FailedCreate events; and ResourceQuota
refusing the pods controllers create. The real kubectl through serve prints the same."""
from __future__ import annotations

import json

import pytest

ENFORCE = "pod-security.kubernetes.io/enforce"
WARN = "pod-security.kubernetes.io/warn"

RESTRICTED_NGINX = (
    'allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), '
    'unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), '
    'runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), '
    'seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or '
    '"Localhost")')


def _pod(name="nginx", **spec):
    containers = spec.pop("containers", None) or [{"name": "nginx", "image": "nginx"}]
    return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                       "spec": {"containers": containers, **spec}})


@pytest.fixture
def ns(mk):
    assert mk("create", "ns", "sec").code == 0
    return "sec"


def test_enforce_restricted_refuses_the_pod(mk, ns):
    assert mk("label", "ns", ns, f"{ENFORCE}=restricted").code == 0
    r = mk("apply", "-f", "-", "-n", ns, stdin=_pod())
    assert r.code == 1
    assert r.err == ('Error from server (Forbidden): error when creating "STDIN": pods "nginx" is forbidden: '
                     f'violates PodSecurity "restricted:latest": {RESTRICTED_NGINX}\n')
    assert mk("get", "pods", "-n", ns).err == "No resources found in sec namespace.\n"
    # a pod that meets the restricted standard is admitted
    ok = {"name": "nginx", "image": "nginx",
          "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                              "runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}}
    r = mk("apply", "-f", "-", "-n", ns, stdin=_pod(containers=[ok]))
    assert (r.code, r.out, r.err) == (0, "pod/nginx created\n", "")


def test_warn_mode_and_versions(mk, ns):
    assert mk("label", "ns", ns, f"{ENFORCE}=baseline", f"{WARN}=restricted", f"{WARN}-version=v1.32").code == 0
    r = mk("apply", "-f", "-", "-n", ns, stdin=_pod())
    assert r.code == 0 and r.out == "pod/nginx created\n"
    assert r.err == f'Warning: would violate PodSecurity "restricted:v1.32": {RESTRICTED_NGINX}\n'


@pytest.mark.parametrize("spec,detail", [
    ({"hostNetwork": True, "hostPID": True}, "host namespaces (hostNetwork=true, hostPID=true)"),
    ({"containers": [{"name": "a", "image": "nginx", "securityContext": {"privileged": True}},
                     {"name": "b", "image": "nginx", "securityContext": {"privileged": True}}]},
     'privileged (containers "a", "b" must not set securityContext.privileged=true)'),
    ({"containers": [{"name": "a", "image": "nginx", "ports": [{"containerPort": 80, "hostPort": 8080},
                                                               {"containerPort": 443, "hostPort": 443}]}]},
     'hostPort (container "a" uses hostPorts 443, 8080)'),
    ({"volumes": [{"name": "root", "hostPath": {"path": "/"}}]}, 'hostPath volumes (volume "root")'),
    ({"containers": [{"name": "a", "image": "nginx",
                      "securityContext": {"capabilities": {"add": ["NET_ADMIN", "CHOWN", "SYS_TIME"]}}}]},
     'non-default capabilities (container "a" must not include "NET_ADMIN", "SYS_TIME" in '
     'securityContext.capabilities.add)'),
    ({"securityContext": {"seccompProfile": {"type": "Unconfined"}}},
     'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")'),
])
def test_baseline_checks(mk, ns, spec, detail):
    assert mk("label", "ns", ns, f"{ENFORCE}=baseline").code == 0
    r = mk("create", "-f", "-", "-n", ns, stdin=_pod(**spec))
    assert r.err == ('Error from server (Forbidden): error when creating "STDIN": pods "nginx" is forbidden: '
                     f'violates PodSecurity "baseline:latest": {detail}\n')


def test_restricted_explicit_settings(mk, ns):
    assert mk("label", "ns", ns, f"{ENFORCE}=restricted").code == 0
    c = {"name": "app", "image": "nginx",
         "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": False, "runAsUser": 0,
                             "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "SYS_ADMIN"]}}}
    r = mk("create", "-f", "-", "-n", ns, stdin=_pod(containers=[c], volumes=[{"name": "d", "nfs": {
        "server": "x", "path": "/"}}], securityContext={"seccompProfile": {"type": "RuntimeDefault"}}))
    assert r.err.split("violates PodSecurity ")[1] == (
        '"restricted:latest": unrestricted capabilities (container "app" must not include "SYS_ADMIN" in '
        'securityContext.capabilities.add), restricted volume types (volume "d" uses restricted volume type "nfs"), '
        'runAsNonRoot != true (container "app" must not set securityContext.runAsNonRoot=false), '
        'runAsUser=0 (container "app" must not set runAsUser=0)\n')


def test_deployment_warned_and_its_replicaset_fails_to_create(mk, ns):
    assert mk("label", "ns", ns, f"{ENFORCE}=restricted").code == 0
    r = mk("create", "deployment", "web", "--image=nginx", "-n", ns)
    assert r.out == "deployment.apps/web created\n"
    assert r.err == f'Warning: would violate PodSecurity "restricted:latest": {RESTRICTED_NGINX}\n'
    events = json.loads(mk("get", "events", "-n", ns, "-o", "json").out)["items"]
    failed = [e for e in events if e["reason"] == "FailedCreate"]
    assert len(failed) == 1 and failed[0]["involvedObject"]["kind"] == "ReplicaSet"
    assert failed[0]["source"] == {"component": "replicaset-controller"}
    msg = failed[0]["message"]
    assert msg.startswith('Error creating: pods "web-') and msg.endswith(
        f'" is forbidden: violates PodSecurity "restricted:latest": {RESTRICTED_NGINX}')
    assert mk("get", "pods", "-n", ns).err == "No resources found in sec namespace.\n"


def test_quota_refuses_controller_pods(mk, ns):
    assert mk("create", "quota", "q", "--hard=pods=2", "-n", ns).code == 0
    assert mk("create", "deployment", "web", "--image=nginx", "--replicas=3", "-n", ns).code == 0
    mk.advance(5)
    assert len(mk("get", "pods", "-n", ns, "-o", "name").out.split()) == 2
    events = json.loads(mk("get", "events", "-n", ns, "-o", "json").out)["items"]
    failed = [e["message"] for e in events if e["reason"] == "FailedCreate"]
    assert failed and all(m.startswith('Error creating: pods "web-') and m.endswith(
        '" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2') for m in failed)
    assert "pods: 2/2" in mk("get", "quota", "q", "-n", ns).out
    # room again: the ReplicaSet creates the third pod
    assert mk("patch", "quota", "q", "-n", ns, "-p", '{"spec":{"hard":{"pods":"3"}}}').code == 0
    mk.advance(5)
    assert len(mk("get", "pods", "-n", ns, "-o", "name").out.split()) == 3
    # a Job's pods count too
    assert mk("create", "job", "pi", "--image=perl", "-n", ns).code == 0
    events = json.loads(mk("get", "events", "-n", ns, "-o", "json").out)["items"]
    assert any(e["involvedObject"]["kind"] == "Job" and e["reason"] == "FailedCreate"
               and "exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3" in e["message"]
               for e in events)


# ---------------------------------------------------------------- the real kubectl through serve

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from tests.test_serve_kubectl import KUBECTL, Served
    if KUBECTL is None:
        pytest.skip("no kubectl")
    s = Served(tmp_path_factory.mktemp("psa"))
    assert s.mk("create", "ns", "sec").code == 0
    assert s.mk("label", "ns", "sec", f"{ENFORCE}=restricted", f"{WARN}=restricted").code == 0
    yield s
    s.close()


def test_real_kubectl_sees_the_refusal_and_the_warnings(served):
    r = served.kubectl("run", "nginx", "--image=nginx", "-n", "sec")
    assert r.returncode == 1
    assert r.stderr == ('Error from server (Forbidden): pods "nginx" is forbidden: violates PodSecurity '
                        f'"restricted:latest": {RESTRICTED_NGINX}\n')
    manifest = served.mk("create", "deployment", "web", "--image=nginx", "--dry-run=client", "-o", "yaml").out
    r = served.kubectl("apply", "-f", "-", "-n", "sec", stdin=manifest)
    assert r.stdout == "deployment.apps/web created\n", r.stderr
    assert r.stderr == f'Warning: would violate PodSecurity "restricted:latest": {RESTRICTED_NGINX}\n'
    ours = served.mk("apply", "-f", "-", "-n", "sec", stdin=manifest.replace("name: web", "name: web2"))
    assert (ours.out, ours.err) == ("deployment.apps/web2 created\n", r.stderr)
    r = served.kubectl("describe", "rs", "-n", "sec", "-l", "app=web")
    assert 'Warning  FailedCreate' in r.stdout and 'is forbidden: violates PodSecurity "restricted:latest"' in r.stdout


def test_labelling_the_namespace_warns_about_existing_pods(mk, ns):
    assert mk("create", "deployment", "web", "--image=nginx", "--replicas=2", "-n", ns).code == 0
    ok = {"name": "nginx", "image": "nginx",
          "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                              "runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}}
    assert mk("apply", "-f", "-", "-n", ns, stdin=_pod(name="good", containers=[ok])).code == 0
    r = mk("label", "ns", ns, f"{ENFORCE}=baseline")
    assert (r.out, r.err) == ("namespace/sec labeled\n", "")           # nothing breaks the baseline
    r = mk("label", "ns", ns, f"{ENFORCE}=restricted", "--overwrite")
    assert r.out == "namespace/sec labeled\n"
    first = mk("get", "pods", "-n", ns, "-l", "app=web", "-o", "name").out.split()[0].split("/")[1]
    assert r.err == ('Warning: existing pods in namespace "sec" violate the new PodSecurity enforce level '
                     '"restricted:latest"\n'
                     f"Warning: {first} (and 1 other pod): allowPrivilegeEscalation != false, unrestricted "
                     "capabilities, runAsNonRoot != true, seccompProfile\n")
    assert len(mk("get", "pods", "-n", ns, "-o", "name").out.split()) == 3    # enforce never evicts
    r = mk("label", "ns", ns, f"{ENFORCE}=baseline", "--overwrite")     # relaxed at the same version
    assert (r.out, r.err) == ("namespace/sec labeled\n", "")


# ---------------------------------------------------------------- labels PodSecurity cannot read
# pod-security-admission's api.PolicyToEvaluate: ParseLevel's `must be one of privileged, baseline,
# restricted`, ParseVersion's `must be "latest" or "v1.x"` (^v1\.([0-9]|[1-9][0-9]*)$), as
# field.Invalid on metadata.labels[KEY]; ValidateNamespace refuses a create, and an update whose
# errors differ from the old object's, with apierrors.NewInvalid (422).

LEVEL_ERR = 'Invalid value: "{v}": must be one of privileged, baseline, restricted'
VERSION_ERR = 'Invalid value: "{v}": must be "latest" or "v1.x"'


def test_a_bad_level_label_is_refused_and_the_namespace_untouched(mk, ns):
    r = mk("label", "ns", ns, f"{ENFORCE}=foo")
    assert r.code == 1 and r.out == ""
    assert r.err == (f'The Namespace "sec" is invalid: metadata.labels[{ENFORCE}]: '
                     + LEVEL_ERR.format(v="foo") + "\n")
    assert ENFORCE not in json.loads(mk("get", "ns", ns, "-o", "json").out)["metadata"]["labels"]


@pytest.mark.parametrize("labels,errors", [
    ({ENFORCE: "Restricted"}, [(ENFORCE, LEVEL_ERR.format(v="Restricted"))]),
    ({f"{ENFORCE}-version": "1.32"}, [(f"{ENFORCE}-version", VERSION_ERR.format(v="1.32"))]),
    ({f"{WARN}-version": "v1.05", "pod-security.kubernetes.io/audit": "none"},
     [("pod-security.kubernetes.io/audit", LEVEL_ERR.format(v="none")),
      (f"{WARN}-version", VERSION_ERR.format(v="v1.05"))]),
])
def test_a_namespace_created_with_bad_labels_is_refused(mk, labels, errors):
    manifest = json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bad", "labels": labels}})
    r = mk("apply", "-f", "-", stdin=manifest)
    assert r.code == 1
    lines = [f"metadata.labels[{k}]: {e}" for k, e in errors]
    head = 'The Namespace "bad" is invalid: '
    assert r.err == (head + lines[0] + "\n" if len(lines) == 1 else head + "\n" + "".join(f"* {x}\n" for x in lines))
    assert mk("get", "ns", "bad").code == 1


def test_good_versions_are_accepted(mk, ns):
    for v in ("latest", "v1.0", "v1.32", "v1.99"):
        assert mk("label", "ns", ns, f"{ENFORCE}-version={v}", "--overwrite").code == 0, v


def test_real_kubectl_sees_the_invalid_label(served):
    r = served.kubectl("label", "ns", "sec", f"{WARN}=everything", "--overwrite")
    assert r.returncode == 1
    assert r.stderr == (f'The Namespace "sec" is invalid: metadata.labels[{WARN}]: '
                        + LEVEL_ERR.format(v="everything") + "\n")
    ours = served.mk("label", "ns", "sec", f"{WARN}=everything", "--overwrite")
    assert ours.err == r.stderr
