"""ServiceAccounts: the serviceaccount controller's `default` account in every namespace (and
kubeadm's kube-system accounts), `create sa` as kubectl's dry run prints it, `create token` (a
JWT with the apiserver's claims, signed RS256 by the cluster key), and the ServiceAccount
admission plugin (Forbidden for a missing account, the kube-api-access volume, automount)."""
from __future__ import annotations

import base64
import json
import shutil
import subprocess

import pytest

from minikctl.sim.controllers.serviceaccount import KUBE_SYSTEM

KUBECTL = shutil.which("kubectl")


def _claims(token: str) -> tuple[dict, dict]:
    head, body, _ = token.split(".")
    dec = lambda s: json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))  # noqa: E731
    return dec(head), dec(body)


def test_default_account_everywhere_and_recreated(mk):
    out = mk("get", "sa", "-A", "-o", "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {end}").out.split()
    for ns in ("default", "kube-node-lease", "kube-public"):
        assert f"{ns}/default" in out
    assert sorted(o.split("/")[1] for o in out if o.startswith("kube-system/")) == sorted(KUBE_SYSTEM)
    assert mk("create", "ns", "dev").code == 0
    assert mk("get", "sa", "-n", "dev", "-o", "name").out == "serviceaccount/default\n"
    assert mk("delete", "sa", "default", "-n", "dev").code == 0
    assert mk("get", "sa", "-n", "dev", "-o", "name").out == "serviceaccount/default\n"


@pytest.mark.skipif(KUBECTL is None, reason="real kubectl is not installed")
@pytest.mark.parametrize("line", ["create sa bot", "create serviceaccount bot -n team"])
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_create_sa_dry_run_matches_kubectl(mk, tmp_path, line, fmt):
    argv = line.split() + ["--dry-run=client", "-o", fmt]
    real = subprocess.run([KUBECTL, *argv], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "KUBECONFIG": str(tmp_path / "none")})
    assert mk(*argv).out == real.stdout


def test_create_token_claims_and_signature(mk):
    from minikctl.sim import tokens
    assert mk("create", "sa", "bot").code == 0
    uid = mk("get", "sa", "bot", "-o", "jsonpath={.metadata.uid}").out
    r = mk("create", "token", "bot", "--duration=2h", "--audience=vault", "--audience=api")
    assert r.code == 0 and not r.out.endswith("\n")      # no newline when stdout is not a terminal
    head, claims = _claims(r.out)
    assert head["alg"] == "RS256" and head["kid"]
    assert claims["iss"] == "https://kubernetes.default.svc.cluster.local"
    assert claims["sub"] == "system:serviceaccount:default:bot"
    assert claims["aud"] == ["vault", "api"]
    assert claims["exp"] - claims["iat"] == 7200 and claims["nbf"] == claims["iat"]
    assert claims["kubernetes.io"] == {"namespace": "default", "serviceaccount": {"name": "bot", "uid": uid}}
    assert len(claims["jti"]) == 36
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from minikctl.env import Env
    from minikctl.sim.cluster import open_cluster
    with open_cluster(Env(home=mk.home, clock=lambda: mk.clock, seed=mk.seed)) as cluster:
        pub = serialization.load_pem_public_key(tokens.public_key_pem(cluster).encode())
        h, b, s = r.out.split(".")
        pub.verify(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)), f"{h}.{b}".encode(), padding.PKCS1v15(),
                   hashes.SHA256())
        assert tokens.verify(cluster, r.out)["sub"] == "system:serviceaccount:default:bot"
    _, default = _claims(mk("create", "token", "bot").out)
    assert default["aud"] == ["https://kubernetes.default.svc.cluster.local"] and default["exp"] - default["iat"] == 3600


def test_create_token_bound_to_a_pod_names_pod_and_node(mk):
    assert mk("run", "web", "--image=nginx").code == 0
    mk.advance(5)
    pod = json.loads(mk("get", "pod", "web", "-o", "json").out)
    _, claims = _claims(mk("create", "token", "default", "--bound-object-kind=Pod", "--bound-object-name=web").out)
    assert claims["kubernetes.io"]["pod"] == {"name": "web", "uid": pod["metadata"]["uid"]}
    assert claims["kubernetes.io"]["node"]["name"] == pod["spec"]["nodeName"]


@pytest.mark.parametrize("argv,err", [
    (["nobody"], 'error: failed to create token: serviceaccounts "nobody" not found\n'),
    (["default", "--duration=5m"], 'error: failed to create token: TokenRequest.authentication.k8s.io "default" is '
     "invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes\n"),
    (["default", "--bound-object-name=x"], "error: --bound-object-name can only be set if --bound-object-kind is provided\n"),
    (["default", "--bound-object-kind=Service", "--bound-object-name=x"],
     "error: supported --bound-object-kind values are Node, Pod, Secret\n"),
    (["default", "--bound-object-kind=Pod"], "error: --bound-object-name is required if --bound-object-kind is provided\n"),
    (["default", "--bound-object-kind=Secret", "--bound-object-name=nope"], 'error: failed to create token: secrets "nope" not found\n'),
])
def test_create_token_errors(mk, argv, err):
    r = mk("create", "token", *argv)
    assert (r.code, r.err) == (1, err)


def test_service_account_admission(mk):
    r = mk("run", "p", "--image=nginx", "--overrides", '{"spec":{"serviceAccountName":"ghost"}}')
    assert (r.code, r.err) == (1, 'Error from server (Forbidden): pods "p" is forbidden: error looking up service '
                                  'account default/ghost: serviceaccount "ghost" not found\n')
    assert mk("run", "p", "--image=nginx").code == 0
    pod = json.loads(mk("get", "pod", "p", "-o", "json").out)
    vol = pod["spec"]["volumes"][0]
    assert vol["name"].startswith("kube-api-access-") and vol["projected"]["sources"][0]["serviceAccountToken"]
    assert pod["spec"]["containers"][0]["volumeMounts"] == [
        {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": vol["name"], "readOnly": True}]
    doc = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "quiet"}, "automountServiceAccountToken": False}
    assert mk("apply", "-f", "-", stdin=json.dumps(doc)).code == 0
    assert mk("run", "q", "--image=nginx", "--overrides", '{"spec":{"serviceAccountName":"quiet"}}').code == 0
    assert "volumes" not in json.loads(mk("get", "pod", "q", "-o", "json").out)["spec"]
    over = '{"spec":{"serviceAccountName":"quiet","automountServiceAccountToken":true}}'
    assert mk("run", "r", "--image=nginx", "--overrides", over).code == 0
    assert json.loads(mk("get", "pod", "r", "-o", "json").out)["spec"]["volumes"]
