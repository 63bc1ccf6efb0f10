"""Secrets end to end: `create secret generic|tls|docker-registry` byte for byte against the real
kubectl's client dry run, the apiserver's decoding and validation texts (non-base64 data, key
names, the keys each type requires, immutability), stringData merged on write, get and describe."""
from __future__ import annotations

import base64
import datetime
import json
import shlex
import shutil
import subprocess

import pytest
from tests.conftest import GO_SPEED

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="real kubectl is not installed: the oracle is missing")


def _keypair(d, name: str):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=365))
            .sign(key, hashes.SHA256()))
    (d / f"{name}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / f"{name}.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("sec")
    _keypair(d, "a")
    _keypair(d, "b")
    (d / "junk").write_text("not pem\n")
    (d / "cfg.json").write_text('{"auths":{"r.io":{"auth":"dTpw"}}}')
    (d / "app.env").write_text("USER=admin\nPASS=s3cr3t\n")
    (d / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n")
    return d


LINES = [
    "create secret generic s --from-literal=user=admin --from-literal=pass=s3cr3t",
    "create secret generic s",
    "create secret generic s --from-env-file={d}/app.env -n team",
    "create secret generic s --from-file={d}/id_rsa --type=kubernetes.io/ssh-auth",
    "create secret generic s --from-file=ssh-privatekey={d}/id_rsa --from-literal=x=<&>",
    "create secret generic s --from-literal=a=b --append-hash",
    "create secret generic s --from-literal=a=b --type=foo --append-hash",
    "create configmap c --from-literal=a=b --append-hash",
    "create configmap c --append-hash",
    "create secret tls t --cert={d}/a.crt --key={d}/a.key",
    "create secret tls t --cert={d}/a.crt --key={d}/a.key -n web --append-hash",
    "create secret docker-registry r --docker-username=u --docker-password=p",
    "create secret docker-registry r --docker-server=reg.io:5000 --docker-username=u --docker-password=p<&> --docker-email=u@x.io",
    "create secret docker-registry r --from-file=.dockerconfigjson={d}/cfg.json",
    "create secret docker-registry r --from-file={d}/cfg.json --append-hash",
    "create secret docker-registry r --docker-username=u --docker-password=p --append-hash --save-config",
]

ERRORS = [
    "create secret tls t --cert={d}/a.crt",
    "create secret tls t --key={d}/a.key",
    "create secret tls --cert={d}/a.crt --key={d}/a.key",
    "create secret tls t --cert={d}/missing --key={d}/a.key",
    "create secret tls t --cert={d}/junk --key={d}/a.key",
    "create secret tls t --cert={d}/a.crt --key={d}/junk",
    "create secret tls t --cert={d}/a.crt --key={d}/a.crt",
    "create secret tls t --cert={d}/a.key --key={d}/a.key",
    "create secret tls t --cert={d}/a.crt --key={d}/b.key",
    "create secret docker-registry r",
    "create secret docker-registry r --docker-username=u",
    "create secret docker-registry",
    "create secret generic s --from-literal=bad/key=1",
    "create secret generic s --from-literal=x=1 --from-literal=x=2",
]


def _run_both(mk, line: str, d):
    argv = [a.replace("{d}", str(d)) for a in shlex.split(line)]
    real = subprocess.run([KUBECTL, *argv], capture_output=True, text=True, timeout=60,
                          env={**GO_SPEED, "PATH": "/usr/bin:/bin", "HOME": str(d), "KUBECONFIG": str(d / "none")})
    return real, mk(*argv)


@needs_kubectl
@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("line", LINES)
def test_dry_run_is_byte_identical(mk, files, line, fmt):
    real, ours = _run_both(mk, f"{line} --dry-run=client -o {fmt}", files)
    assert real.returncode == 0, real.stderr
    assert (ours.code, ours.out) == (0, real.stdout), ours.err


@needs_kubectl
@pytest.mark.parametrize("line", ERRORS)
def test_client_errors_match(mk, files, line):
    real, ours = _run_both(mk, f"{line} --dry-run=client", files)
    assert real.returncode == 1
    assert (ours.code, ours.out, ours.err) == (1, real.stdout, real.stderr)


def _apply(mk, doc: dict, verb: str = "create"):
    return mk(verb, "-f", "-", stdin=json.dumps(doc))


def _secret(name="s", **body):
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, **body}


def test_non_base64_data_is_refused_while_decoding(mk):
    r = _apply(mk, _secret(data={"a": "eA==", "b": "abc!"}))
    assert r.code == 1
    assert r.err == ('Error from server (BadRequest): error when creating "STDIN": Secret in version "v1" cannot '
                     "be handled as a Secret: illegal base64 data at input byte 3\n")
    assert mk("get", "secret").err == "No resources found in default namespace.\n"


def test_base64_without_padding_is_refused_at_byte_0(mk):
    r = _apply(mk, _secret(data={"a": "YQ"}))
    assert "illegal base64 data at input byte 0" in r.err


def test_string_data_is_merged_into_data_and_not_stored(mk):
    r = _apply(mk, _secret(data={"user": base64.b64encode(b"old").decode(), "keep": "eA=="},
                           stringData={"user": "admin", "pass": "pw"}))
    assert r.code == 0, r.err
    obj = json.loads(mk("get", "secret", "s", "-o", "json").out)
    assert "stringData" not in obj
    assert {k: base64.b64decode(v) for k, v in obj["data"].items()} == {"user": b"admin", "keep": b"x", "pass": b"pw"}
    assert obj["type"] == "Opaque"


@pytest.mark.parametrize("stype,data,message", [
    ("kubernetes.io/tls", {}, "\n* data[tls.crt]: Required value\n* data[tls.key]: Required value"),
    ("kubernetes.io/tls", {"tls.crt": "eA=="}, "data[tls.key]: Required value"),
    ("kubernetes.io/dockerconfigjson", {}, "data[.dockerconfigjson]: Required value"),
    ("kubernetes.io/dockerconfigjson", {".dockerconfigjson": base64.b64encode(b"nope").decode()},
     "data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": invalid character 'o' in literal null (expecting 'u')"),
    ("kubernetes.io/basic-auth", {}, "\n* data[username]: Required value\n* data[password]: Required value"),
    ("kubernetes.io/ssh-auth", {}, "data[ssh-privatekey]: Required value"),
    ("kubernetes.io/service-account-token", {},
     "metadata.annotations[kubernetes.io/service-account.name]: Required value"),
    ("Opaque", {"bad/key": "eA=="}, "data[bad/key]: Invalid value: \"bad/key\": a valid config key must consist of "
     "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
     "validation is '[-._a-zA-Z0-9]+')"),
])
def test_type_specific_validation(mk, stype, data, message):
    r = _apply(mk, _secret(type=stype, data=data))
    assert r.code == 1
    assert r.err == f'The Secret "s" is invalid: {message}\n'


def test_immutable_secret_refuses_changes(mk):
    assert _apply(mk, _secret(data={"a": "eA=="}, immutable=True)).code == 0
    r = _apply(mk, _secret(data={"a": "eQ=="}, immutable=True), "replace")
    assert r.err == 'The Secret "s" is invalid: data: Forbidden: field is immutable when `immutable` is set\n'
    r = _apply(mk, _secret(data={"a": "eA=="}, type="foo", immutable=True), "replace")
    assert r.err == 'The Secret "s" is invalid: type: Invalid value: "foo": field is immutable\n'


def test_get_and_describe_secret(mk, files):
    assert mk("create", "secret", "generic", "db", "--from-literal=password=s3cr3t!", "--from-literal=user=root").code == 0
    assert mk("create", "secret", "tls", "web", f"--cert={files}/a.crt", f"--key={files}/a.key").code == 0
    mk.advance(65)
    assert mk("get", "secrets").out == ("NAME   TYPE                DATA   AGE\n"
                                        "db     Opaque              2      65s\n"
                                        "web    kubernetes.io/tls   2      65s\n")
    crt = len((files / "a.crt").read_bytes())
    key = len((files / "a.key").read_bytes())
    assert mk("describe", "secret", "web").out == (
        "Name:         web\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\n\n"
        "Type:  kubernetes.io/tls\n\nData\n====\n"
        f"tls.crt:  {crt} bytes\ntls.key:  {key} bytes\n")
    out = mk("describe", "secret", "db").out
    assert "password:  7 bytes\n" in out and "s3cr3t" not in out


def test_create_secret_twice_is_already_exists(mk):
    assert mk("create", "secret", "generic", "s1", "--from-literal=pw=x").code == 0
    r = mk("create", "secret", "generic", "s1", "--from-literal=pw=x")
    assert (r.code, r.err) == (1, 'error: failed to create secret secrets "s1" already exists\n')
