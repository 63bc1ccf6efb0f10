"""RBAC: the create generators byte for byte against the real kubectl (offline, or through
`minikctl serve` for the ones that need discovery), the apiserver's validation texts, the
aggregation controller, and `auth can-i` against Kubernetes' RBAC semantics over the bootstrap
roles (the user-facing roles' documented powers: kubernetes.io, "Using RBAC Authorization",
User-facing roles)."""
from __future__ import annotations

import json
import shlex
import shutil
import subprocess

import pytest

from tests.conftest import GO_SPEED

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="real kubectl is not installed: the oracle is missing")

OFFLINE = [
    "create rolebinding rb --role=r --user=jane --group=g --serviceaccount=default:sa",
    "create rolebinding rb --clusterrole=view --user=a --user=b -n team",
    "create rolebinding rb --clusterrole=edit",
    "create clusterrolebinding crb --clusterrole=view --user=bob --group=devs --serviceaccount=kube-system:bot",
    "create clusterrolebinding crb --clusterrole=cluster-admin --save-config",
    "create clusterrole c --verb=get --non-resource-url=/logs/*",
    "create clusterrole c --verb=get,post --verb=get --non-resource-url=/a,/b --non-resource-url=/a",
    "create clusterrole agg --aggregation-rule=a=b,c=d",
]
OFFLINE_ERRORS = [
    "create rolebinding rb",
    "create rolebinding rb --role=a --clusterrole=b",
    "create rolebinding rb --role=a --serviceaccount=foo",
    "create rolebinding rb --role=a --serviceaccount=ns:",
    "create clusterrole c --verb=get",
    "create clusterrole c --verb=foo --non-resource-url=/x",
    "create clusterrole c --verb=get --non-resource-url=x",
    "create clusterrole c --verb=get --non-resource-url=/a*b",
    "create clusterrole c --aggregation-rule=a=b --verb=get",
    "create clusterrole c --verb=list --non-resource-url=/a",
    "create role r",
    "create role r --verb=get",
]
SERVED = [
    "create role pod-reader --verb=get,list,watch --resource=pods",
    "create role r --verb=get --verb=list --resource=pods,deployments.apps,deploy/scale --resource-name=a --resource-name=b",
    "create role r --verb=* --resource=po,svc,cm,secrets -n team",
    "create role r --verb=get,get,list --resource=pods/log,pods",
    "create role r --verb=get --resource=*",
    "create role r --verb=foo --resource=pods",
    "create clusterrole c --verb=get --resource=nodes,pods --non-resource-url=/healthz",
    "create clusterrole c --verb=get --resource=deployments.apps --resource-name=web",
]
SERVED_ERRORS = [
    "create role r --verb=get --resource=nothing",
    "create role r --verb=bind --resource=pods",
    "create role r --verb=impersonate --resource=pods",
    "create clusterrole c --verb=get,list --resource=nodes --non-resource-url=/healthz",
]


def _offline(mk, tmp_path, line: str):
    argv = shlex.split(line)
    real = subprocess.run([KUBECTL, *argv], capture_output=True, text=True, timeout=60,
                          env={**GO_SPEED, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "KUBECONFIG": str(tmp_path / "none")})
    return real, mk(*argv)


@needs_kubectl
@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("line", OFFLINE)
def test_offline_generators_are_byte_identical(mk, tmp_path, line, fmt):
    real, ours = _offline(mk, tmp_path, f"{line} --dry-run=client -o {fmt}")
    assert real.returncode == 0, real.stderr
    assert (ours.code, ours.out) == (0, real.stdout), ours.err


@needs_kubectl
@pytest.mark.parametrize("line", OFFLINE_ERRORS)
def test_offline_errors_match(mk, tmp_path, line):
    real, ours = _offline(mk, tmp_path, f"{line} --dry-run=client")
    assert real.returncode == 1
    assert (ours.code, ours.out, ours.err) == (1, real.stdout, real.stderr)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from tests.test_serve_kubectl import Served
    s = Served(tmp_path_factory.mktemp("rbac"))
    yield s
    s.close()


@needs_kubectl
@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("line", SERVED)
def test_generators_needing_discovery_match_kubectl_through_serve(served, line, fmt):
    argv = shlex.split(line) + ["--dry-run=client", "-o", fmt]
    real, ours = served.kubectl(*argv), served.mk(*argv)
    assert real.returncode == 0, real.stderr
    assert (ours.code, ours.out, ours.err) == (0, real.stdout, real.stderr)


@needs_kubectl
@pytest.mark.parametrize("line", SERVED_ERRORS)
def test_generator_errors_through_serve(served, line):
    argv = shlex.split(line) + ["--dry-run=client"]
    real, ours = served.kubectl(*argv), served.mk(*argv)
    assert (ours.code, ours.err) == (real.returncode, real.stderr)


# ------------------------------------------------------------------- the apiserver's rules

def _create(mk, doc: dict):
    return mk("create", "-f", "-", stdin=json.dumps(doc))


RBAC = "rbac.authorization.k8s.io/v1"


@pytest.mark.parametrize("doc,err", [
    ({"kind": "Role", "metadata": {"name": "r"}, "rules": [{"apiGroups": [""], "resources": ["pods"]}]},
     'The Role "r" is invalid: rules[0].verbs: Required value: verbs must contain at least one value'),
    ({"kind": "Role", "metadata": {"name": "r"}, "rules": [{"verbs": ["get"], "resources": ["pods"]}]},
     'The Role "r" is invalid: rules[0].apiGroups: Required value: resource rules must supply at least one api group'),
    ({"kind": "Role", "metadata": {"name": "r"}, "rules": [{"verbs": ["get"], "nonResourceURLs": ["/x"]}]},
     'The Role "r" is invalid: rules[0].nonResourceURLs: Invalid value: []string{"/x"}: namespaced rules cannot '
     "apply to non-resource URLs"),
    ({"kind": "Role", "metadata": {"name": "a/b"}, "rules": []},
     'The Role "a/b" is invalid: metadata.name: Invalid value: "a/b": may not contain \'/\''),
    ({"kind": "RoleBinding", "metadata": {"name": "rb"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io",
                                                                    "kind": "Pod", "name": "x"}},
     'The RoleBinding "rb" is invalid: roleRef.kind: Unsupported value: "Pod": supported values: "Role", "ClusterRole"'),
    ({"kind": "ClusterRoleBinding", "metadata": {"name": "b"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io",
                                                                          "kind": "Role", "name": "x"},
      "subjects": [{"kind": "ServiceAccount", "name": "sa"}]},
     'The ClusterRoleBinding "b" is invalid: \n* roleRef.kind: Unsupported value: "Role": supported values: '
     '"ClusterRole"\n* subjects[0].namespace: Required value'),
    ({"kind": "RoleBinding", "metadata": {"name": "rb"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io",
                                                                    "kind": "Role", "name": "x"},
      "subjects": [{"kind": "Robot", "name": "r2"}]},
     'The RoleBinding "rb" is invalid: subjects[0].kind: Unsupported value: "Robot": supported values: '
     '"ServiceAccount", "User", "Group"'),
])
def test_validation_texts(mk, doc, err):
    r = _create(mk, {"apiVersion": RBAC, **doc})
    assert (r.code, r.err) == (1, err + "\n")


def test_unknown_verb_is_stored_and_role_name_may_have_colons(mk):
    doc = {"apiVersion": RBAC, "kind": "ClusterRole", "metadata": {"name": "team:reader"},
           "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["frobnicate"]}]}
    assert _create(mk, doc).code == 0
    assert json.loads(mk("get", "clusterrole", "team:reader", "-o", "json").out)["rules"][0]["verbs"] == ["frobnicate"]


def test_role_ref_cannot_change(mk):
    assert mk("create", "rolebinding", "rb", "--role=a", "--user=jane").code == 0
    doc = json.loads(mk("get", "rolebinding", "rb", "-o", "json").out)
    doc["roleRef"]["name"] = "b"
    r = mk("replace", "-f", "-", stdin=json.dumps(doc))
    assert r.err == ('The RoleBinding "rb" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:'
                     '"rbac.authorization.k8s.io", Kind:"Role", Name:"b"}: cannot change roleRef\n')


def test_subject_api_group_is_defaulted(mk):
    doc = {"apiVersion": RBAC, "kind": "RoleBinding", "metadata": {"name": "rb"},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
           "subjects": [{"kind": "User", "name": "jane"}, {"kind": "ServiceAccount", "name": "sa"}]}
    assert _create(mk, doc).code == 0
    subs = json.loads(mk("get", "rolebinding", "rb", "-o", "json").out)["subjects"]
    assert subs == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "jane"},
                    {"kind": "ServiceAccount", "name": "sa"}]


def test_aggregation_adds_labelled_rules_to_view_edit_admin(mk):
    doc = {"apiVersion": RBAC, "kind": "ClusterRole",
           "metadata": {"name": "lease-reader", "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
           "rules": [{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get", "list"]}]}
    assert _create(mk, doc).code == 0
    for role in ("view", "edit", "admin"):
        rules = json.loads(mk("get", "clusterrole", role, "-o", "json").out)["rules"]
        assert doc["rules"][0] in rules, role
    assert mk("auth", "can-i", "list", "leases", "--as=viewer", "--as-group=viewers").code == 1
    assert mk("create", "clusterrolebinding", "v", "--clusterrole=view", "--group=viewers").code == 0
    r = mk("auth", "can-i", "list", "leases", "--as=viewer", "--as-group=viewers")
    assert (r.code, r.out) == (0, "yes\n")


def test_get_tables(mk):
    mk.advance(30)
    assert mk("create", "role", "r", "--verb=get", "--resource=pods").code == 0
    assert mk("create", "rolebinding", "rb", "--role=r", "--user=jane", "--serviceaccount=default:bot",
              "--group=devs").code == 0
    out = mk("get", "role").out.splitlines()
    assert out[0].split() == ["NAME", "CREATED", "AT"] and out[1].split()[1].endswith("Z")
    assert mk("get", "rolebinding", "-o", "wide").out == (
        "NAME   ROLE     AGE   USERS   GROUPS   SERVICEACCOUNTS\n"
        "rb     Role/r   0s    jane    devs     default/bot\n")


# ------------------------------------------------------------------- auth can-i

def _bind(mk, kind: str, role: str, subject_flag: str, ns: str = "default"):
    name = f"b-{abs(hash((kind, role, subject_flag, ns)))}"
    if kind == "ClusterRoleBinding":
        args = ["create", "clusterrolebinding", name, f"--clusterrole={role}", subject_flag]
    else:
        ref = "--role" if not role.startswith("cluster:") else "--clusterrole"
        args = ["create", "rolebinding", name, f"{ref}={role.removeprefix('cluster:')}", subject_flag, "-n", ns]
    r = mk(*args)
    assert r.code == 0, r.err


# (subject flags for can-i, verb, resource, namespace, expected) from the user-facing roles'
# documented powers: view reads most objects but not Secrets, Roles or RoleBindings; edit also
# writes workloads, Secrets and ServiceAccounts but not Roles/RoleBindings or the namespace;
# admin adds Roles and RoleBindings inside a namespace but not the namespace or quotas;
# cluster-admin does everything. A RoleBinding grants only in its namespace.
VIEWER = ("--as=vic",)                     # view in team-a (RoleBinding)
EDITOR = ("--as=eve",)                     # edit in team-a (RoleBinding)
ADMIN = ("--as=ada",)                      # admin in team-a (RoleBinding)
CLUSTER_VIEW = ("--as=carl",)              # view everywhere (ClusterRoleBinding)
SUPER = ("--as=root-ish", "--as-group=system:masters")
NOBODY = ("--as=nobody",)
SA = ("--as=system:serviceaccount:team-a:builder",)   # pod-manager Role in team-a

MATRIX = []
for verb in ("get", "list", "watch"):
    for res in ("pods", "services", "deployments", "configmaps", "replicasets", "statefulsets", "daemonsets",
                "endpoints", "persistentvolumeclaims", "jobs", "cronjobs", "ingresses", "networkpolicies",
                "serviceaccounts", "events", "pods:log"):
        MATRIX.append((VIEWER, verb, res, "team-a", True))
        MATRIX.append((VIEWER, verb, res, "default", False))
        MATRIX.append((CLUSTER_VIEW, verb, res, "default", True))
        MATRIX.append((NOBODY, verb, res, "team-a", False))
for res in ("secrets", "roles", "rolebindings"):
    MATRIX += [(VIEWER, "get", res, "team-a", False), (CLUSTER_VIEW, "list", res, "default", False)]
for verb in ("create", "update", "patch", "delete"):
    for res in ("pods", "deployments", "services", "configmaps", "secrets", "serviceaccounts", "jobs",
                "deployments:scale", "persistentvolumeclaims", "ingresses", "networkpolicies"):
        MATRIX.append((VIEWER, verb, res, "team-a", False))
        MATRIX.append((EDITOR, verb, res, "team-a", True))
        MATRIX.append((EDITOR, verb, res, "kube-system", False))
        MATRIX.append((ADMIN, verb, res, "team-a", True))
    for res in ("roles", "rolebindings"):
        MATRIX += [(EDITOR, verb, res, "team-a", False), (ADMIN, verb, res, "team-a", True)]
    for res in ("namespaces", "resourcequotas", "limitranges", "nodes"):
        MATRIX += [(ADMIN, verb, res, "team-a", False), (SUPER, verb, res, "team-a", True)]
MATRIX += [
    (EDITOR, "get", "secrets", "team-a", True), (EDITOR, "create", "pods:exec", "team-a", True),
    (VIEWER, "create", "pods:exec", "team-a", False), (EDITOR, "impersonate", "serviceaccounts", "team-a", True),
    (VIEWER, "get", "namespaces", "team-a", True), (EDITOR, "create", "serviceaccounts:token", "team-a", True),
    (VIEWER, "get", "pods:exec", "team-a", False), (EDITOR, "get", "pods:exec", "team-a", True),
    (SUPER, "*", "*", "team-a", True), (NOBODY, "create", "selfsubjectaccessreviews", "default", True),
    (NOBODY, "create", "selfsubjectrulesreviews", "default", True),
    (SA, "create", "pods", "team-a", True), (SA, "delete", "pods", "team-a", True),
    (SA, "create", "pods", "default", False), (SA, "get", "secrets", "team-a", False),
    (SA, "get", "configmaps/app-config", "team-a", True), (SA, "get", "configmaps/other", "team-a", False),
    (SA, "update", "deployments:scale", "team-a", True), (SA, "update", "deployments", "team-a", False),
    (SA, "update", "deployments/scale", "team-a", False),   # TYPE/NAME: a deployment named scale
]
URLS = [
    (NOBODY, "get", "/healthz", True), (NOBODY, "get", "/version", True), (NOBODY, "get", "/api/v1", True),
    (NOBODY, "get", "/metrics", False), (NOBODY, "post", "/healthz", False), (SUPER, "post", "/anything", True),
    (("--as=mon", "--as-group=system:monitoring"), "get", "/metrics", True),
    (("--as=mon", "--as-group=system:monitoring"), "get", "/readyz/etcd", True),
    (("--as=anon", "--as-group=system:unauthenticated"), "get", "/healthz", True),
    (("--as=anon", "--as-group=system:unauthenticated"), "get", "/api", False),
]


@pytest.fixture(scope="module")
def bound(tmp_path_factory):
    from tests.conftest import Minikctl
    mk = Minikctl(tmp_path_factory.mktemp("cani") / "state")
    assert mk("create", "ns", "team-a").code == 0
    _bind(mk, "RoleBinding", "cluster:view", "--user=vic", "team-a")
    _bind(mk, "RoleBinding", "cluster:edit", "--user=eve", "team-a")
    _bind(mk, "RoleBinding", "cluster:admin", "--user=ada", "team-a")
    _bind(mk, "ClusterRoleBinding", "view", "--user=carl")
    assert mk("create", "role", "pod-manager", "-n", "team-a", "--verb=create,delete,get,list",
              "--resource=pods").code == 0
    assert mk("create", "role", "cfg", "-n", "team-a", "--verb=get", "--resource=configmaps",
              "--resource-name=app-config").code == 0
    assert mk("create", "role", "scaler", "-n", "team-a", "--verb=update", "--resource=deployments/scale").code == 0
    for role in ("pod-manager", "cfg", "scaler"):
        _bind(mk, "RoleBinding", role, "--serviceaccount=team-a:builder", "team-a")
    return mk


def test_the_table_is_large_enough():
    assert len(MATRIX) + len(URLS) >= 100


@pytest.mark.parametrize("who,verb,res,ns,expected", MATRIX, ids=[f"{w[0]}-{v}-{r}-{n}" for w, v, r, n, _ in MATRIX])
def test_can_i_matches_rbac(bound, who, verb, res, ns, expected):
    res, _, sub = res.partition(":")
    r = bound("auth", "can-i", verb, res, "-n", ns, *who, *([f"--subresource={sub}"] if sub else []))
    assert (r.code, r.out) == ((0, "yes\n") if expected else (1, "no\n")), r.err


@pytest.mark.parametrize("who,verb,url,expected", URLS)
def test_can_i_non_resource_urls(bound, who, verb, url, expected):
    r = bound("auth", "can-i", verb, url, *who)
    assert (r.code, r.out) == ((0, "yes\n") if expected else (1, "no\n")), r.err


def test_can_i_flags(bound):
    r = bound("auth", "can-i", "get", "pods", "--as=vic", "-A")
    assert (r.code, r.out) == (1, "no\n")            # a RoleBinding does not grant all namespaces
    assert bound("auth", "can-i", "get", "pods", "--as=carl", "-A").out == "yes\n"
    r = bound("auth", "can-i", "get", "pods", "--as=vic", "-n", "team-a", "-q")
    assert (r.code, r.out) == (0, "")
    r = bound("auth", "can-i", "get", "pods", "--subresource=log", "--as=vic", "-n", "team-a")
    assert r.out == "yes\n"
    r = bound("auth", "can-i", "get", "widgets")
    assert (r.out, r.err) == ("yes\n", "Warning: the server doesn't have a resource type 'widgets'\n")
    r = bound("auth", "can-i", "frob", "pods")
    assert r.err == "Warning: verb 'frob' is not a known verb\n"
    r = bound("auth", "can-i", "get", "nodes", "--as=nobody")
    assert (r.out, r.err) == ("no\n", "Warning: resource 'nodes' is not namespace scoped\n")
    r = bound("auth", "can-i", "get")
    assert r.err == ("error: you must specify two arguments: verb resource or verb resource/resourceName.\n"
                     "See 'kubectl auth can-i -h' for help and examples.\n")
    assert bound("auth", "can-i", "--list", "-q").err == \
        "error: --list option must not be specified with --quiet, --all-namespaces or --subresource\n"


def test_can_i_list(bound):
    out = bound("auth", "can-i", "--list", "-n", "team-a", "--as=system:serviceaccount:team-a:builder").out
    lines = out.splitlines()
    assert lines[0].split("   ")[0] == "Resources" and lines[0].split()[-4:] == ["URLs", "Resource", "Names", "Verbs"]
    rows = [line.split() for line in lines[1:]]
    assert ["pods", "[]", "[]", "[create", "delete", "get", "list]"] in rows
    assert ["configmaps", "[]", "[app-config]", "[get]"] in rows
    assert ["deployments.apps/scale", "[]", "[]", "[update]"] in rows
    assert ["[/healthz]", "[]", "[get]"] in rows
    assert ["[/.well-known/openid-configuration]", "[]", "[get]"] in rows    # system:serviceaccounts' issuer discovery


def test_whoami(mk):
    assert mk("auth", "whoami").out == ("ATTRIBUTE   VALUE\nUsername    kubernetes-admin\n"
                                        "Groups      [kubeadm:cluster-admins system:authenticated]\n")
    assert mk("auth", "whoami", "--as=jane", "--as-group=devs").out == (
        "ATTRIBUTE   VALUE\nUsername    jane\nGroups      [devs system:authenticated]\n")


# ------------------------------------------------------------------- --as on minikctl commands

def test_as_is_refused_with_the_apiservers_forbidden_text(mk):
    assert mk("run", "web", "--image=nginx").code == 0
    mk.advance(5)
    cases = [
        (("get", "pods"), 'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the '
                          'namespace "default"'),
        (("get", "pod", "web"), 'pods "web" is forbidden: User "jane" cannot get resource "pods" in API group "" in '
                                'the namespace "default"'),
        (("get", "nodes"), 'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the '
                           "cluster scope"),
        (("get", "deploy", "-A"), 'deployments.apps is forbidden: User "jane" cannot list resource "deployments" in '
                                  'API group "apps" at the cluster scope'),
        (("delete", "pod", "web"), 'pods "web" is forbidden: User "jane" cannot delete resource "pods" in API group '
                                   '"" in the namespace "default"'),
        (("run", "x", "--image=nginx"), 'pods is forbidden: User "jane" cannot create resource "pods" in API group "" '
                                        'in the namespace "default"'),
        (("create", "secret", "generic", "s"), 'secrets is forbidden: User "jane" cannot create resource "secrets" in '
                                               'API group "" in the namespace "default"'),
    ]
    for argv, msg in cases:
        r = mk(*argv, "--as=jane")
        assert (r.code, r.out, r.err) == (1, "", f"Error from server (Forbidden): {msg}\n"), argv
    assert mk("create", "rolebinding", "jane-view", "--clusterrole=view", "--user=jane").code == 0
    assert mk("get", "pods", "--as=jane").out.startswith("NAME")
    r = mk("exec", "web", "--as=jane", "--", "ls")
    assert r.err == ('Error from server (Forbidden): pods "web" is forbidden: User "jane" cannot create resource '
                     '"pods/exec" in API group "" in the namespace "default"\n')
    assert mk("delete", "pod", "web", "--as=jane").code == 1
    assert mk("get", "pods", "-n", "kube-system", "--as=jane").code == 1
    r = mk("get", "pods", "--as=system:serviceaccount:default:default")
    assert 'User "system:serviceaccount:default:default" cannot list' in r.err
    r = mk("scale", "deploy", "x", "--replicas=2", "--as=jane")
    assert r.err.startswith("minikctl: --as with `scale deploy` is not simulated")
