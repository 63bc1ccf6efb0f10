"""`kubectl auth can-i` and `kubectl auth whoami` through `minikctl serve`: the real kubectl POSTs
SelfSubjectAccessReview, SelfSubjectRulesReview and SelfSubjectReview, and its answers must be
minikctl's own `auth can-i` / `auth whoami` for the same user; SubjectAccessReview and
LocalSubjectAccessReview answer for the user they name, and refuse what the apiserver refuses."""
from __future__ import annotations

import json

import pytest

from tests.test_serve_kubectl import KUBECTL, Served

SA = "system:serviceaccount:dev:bot"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if KUBECTL is None:
        pytest.skip("no kubectl")
    s = Served(tmp_path_factory.mktemp("reviews"))
    for line in (("create", "ns", "dev"), ("create", "sa", "bot", "-n", "dev"),
                 ("create", "role", "pod-reader", "--verb=get,list,watch", "--resource=pods", "-n", "dev"),
                 ("create", "role", "cm-one", "--verb=get", "--resource=configmaps", "--resource-name=settings",
                  "-n", "dev"),
                 ("create", "rolebinding", "bot-read", "--role=pod-reader", "--serviceaccount=dev:bot", "-n", "dev"),
                 ("create", "rolebinding", "bot-cm", "--role=cm-one", "--serviceaccount=dev:bot", "-n", "dev")):
        r = s.mk(*line)
        assert r.code == 0, r.err
    r = s.mk("create", "token", "bot", "-n", "dev")
    assert r.code == 0, r.err
    s.bot = r.out.strip()
    yield s
    s.close()


CASES = [("get", "pods"), ("list", "pods"), ("delete", "pods"), ("create", "deployments"),
         ("get", "configmaps/settings"), ("get", "configmaps/other"), ("get", "configmaps"),
         ("get", "pods", "--subresource=log"), ("get", "/healthz"), ("get", "/logs"),
         ("create", "selfsubjectaccessreviews.authorization.k8s.io"), ("list", "pods", "-n", "kube-system"),
         ("list", "pods", "-A")]


@pytest.mark.parametrize("case", CASES, ids=lambda c: " ".join(c))
def test_can_i_as_the_token_user_is_minikctls_answer(served, case):
    real = served.kubectl("auth", "can-i", *case, "-n" if "-n" not in case and "-A" not in case else "--quiet=false",
                          *(["dev"] if "-n" not in case and "-A" not in case else []), f"--token={served.bot}")
    ours = served.mk("auth", "can-i", *case, *(["-n", "dev"] if "-n" not in case and "-A" not in case else []),
                     f"--as={SA}")
    assert (real.returncode, real.stdout) == (ours.code, ours.out), real.stderr


def test_can_i_as_admin(served):
    real = served.kubectl("auth", "can-i", "delete", "nodes")
    assert (real.returncode, real.stdout) == (0, "yes\n")


def test_can_i_list_is_minikctls_table(served):
    real = served.kubectl("auth", "can-i", "--list", "-n", "dev", f"--token={served.bot}")
    ours = served.mk("auth", "can-i", "--list", "-n", "dev", f"--as={SA}")
    assert real.returncode == 0, real.stderr
    assert real.stdout == ours.out
    rows = [line.split() for line in real.stdout.splitlines()]
    assert ["pods", "[]", "[]", "[get", "list", "watch]"] in rows
    assert ["configmaps", "[]", "[settings]", "[get]"] in rows


def test_whoami(served):
    real = served.kubectl("auth", "whoami", f"--token={served.bot}")
    assert real.returncode == 0, real.stderr
    assert real.stdout == ("ATTRIBUTE   VALUE\nUsername    system:serviceaccount:dev:bot\n"
                           "Groups      [system:serviceaccounts system:serviceaccounts:dev system:authenticated]\n")
    assert served.mk("auth", "whoami", f"--as={SA}").out == real.stdout
    admin = served.kubectl("auth", "whoami", "-o", "json")
    assert json.loads(admin.stdout)["status"]["userInfo"] == {
        "username": "kubernetes-admin", "groups": ["kubeadm:cluster-admins", "system:authenticated"]}


def _post(served, path, body, token=None):
    return served.http("POST", path, json.dumps(body).encode(), token=token)


def test_subject_access_review_names_its_user(served):
    body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": {"user": SA, "groups": ["system:serviceaccounts:dev", "system:authenticated"],
                     "resourceAttributes": {"namespace": "dev", "verb": "list", "resource": "pods"}}}
    code, out = _post(served, "/apis/authorization.k8s.io/v1/subjectaccessreviews", body)
    assert code == 201 and out["status"]["allowed"] is True
    assert out["status"]["reason"] == 'RBAC: allowed by RoleBinding "bot-read/dev" of Role "pod-reader" to ' \
                                      'ServiceAccount "bot/dev"'
    body["spec"]["resourceAttributes"]["verb"] = "delete"
    code, out = _post(served, "/apis/authorization.k8s.io/v1/subjectaccessreviews", body)
    assert code == 201 and out["status"] == {"allowed": False}
    # the bot may not ask about others: RBAC refuses the create itself
    code, out = _post(served, "/apis/authorization.k8s.io/v1/subjectaccessreviews", body, token=served.bot)
    assert code == 403 and out["message"] == (
        'subjectaccessreviews.authorization.k8s.io is forbidden: User "system:serviceaccount:dev:bot" cannot create '
        'resource "subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope')


def test_review_validation_texts(served):
    code, out = _post(served, "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                      {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                       "spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}})
    assert (code, out["reason"]) == (422, "Invalid")
    assert out["message"] == ('SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": '
                              'at least one of user or group must be specified')
    code, out = _post(served, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                      {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": {}})
    assert code == 422 and out["message"].endswith(
        'spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes '
        'must be specified')
    code, out = _post(served, "/apis/authorization.k8s.io/v1/namespaces/dev/localsubjectaccessreviews",
                      {"apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview",
                       "spec": {"user": SA, "resourceAttributes": {"namespace": "other", "verb": "get",
                                                                   "resource": "pods"}}})
    assert code == 422 and out["message"].endswith(
        'spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace')
    code, out = served.http("GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
    assert code == 405
