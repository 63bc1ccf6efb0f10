"""Issue 10 part 1: any well-formed image pulls, sizes and digests stable per reference, and what
fails fails with containerd's and the kubelet's own words.

References: kubelet pkg/kubelet/images/image_manager.go (`Container image %q is not present with
pull policy of Never`, ErrImageNeverPull; `Failed to apply default image tag %q: %v`,
InspectFailed, InvalidImageName; `Successfully pulled image %q in %v (%v including waiting).
Image size: %v bytes.`), kubelet.go (`Unable to retrieve some image pull secrets (%s); attempting
to pull the image may not succeed.`), containerd remotes/docker (`failed to authorize: failed to
fetch anonymous token: unexpected status from GET request to <url>: 401 Unauthorized`),
distribution/reference (the reference grammar and its errors), kubectl run (`Invalid image name`).
"""
from __future__ import annotations

import base64
import json
import re
import subprocess

import pytest

from minikctl.sim import registry

# Every image named by the kubernetes.io pages this issue replays (and their older spellings)
TUTORIAL_IMAGES = [
    "registry.k8s.io/nginx-slim:0.24", "registry.k8s.io/nginx-slim:0.8", "k8s.gcr.io/nginx-slim:0.8",
    "registry.k8s.io/e2e-test-images/agnhost:2.39", "registry.k8s.io/e2e-test-images/agnhost:2.40",
    "registry.k8s.io/serve_hostname", "k8s.gcr.io/serve_hostname", "registry.k8s.io/echoserver:1.4",
    "k8s.gcr.io/echoserver:1.4", "registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3",
    "registry.k8s.io/kubernetes-zookeeper:1.0-3.4.10", "hashicorp/http-echo", "hashicorp/http-echo:0.2.3",
    "traefik/whoami", "traefik/whoami:v1.10.1", "nginx:1.14.2", "nginx:1.16.1", "busybox:1.28", "redis",
    "postgres:16", "mysql:8.0", "httpd:2.4", "alpine:3.19", "ubuntu:22.04", "debian:bookworm",
    "registry.k8s.io/liveness", "registry.k8s.io/goproxy:0.1", "registry.k8s.io/busybox",
]


@pytest.mark.parametrize("image", TUTORIAL_IMAGES)
def test_tutorial_images_pull(image):
    assert registry.resolve(image) == (True, "")


@pytest.mark.parametrize("image", ["myuser/myapp:v2", "bitnami/redis:7.2", "library/some-new-thing:0.1",
                                   "quay.io/jetstack/cert-manager-controller:v1.16.2",
                                   "ghcr.io/someone/tool@sha256:" + "b" * 64, "gcr.io/my-project/app:abc"])
def test_any_repository_on_a_public_registry_pulls(image):
    assert registry.resolve(image) == (True, "")


def _cri(ref: str, why: str, code: str = "Unknown") -> str:
    return (f'rpc error: code = {code} desc = failed to pull and unpack image "{ref}": '
            f'failed to resolve reference "{ref}": {why}')


@pytest.mark.parametrize("image,ref", [("ngnix", "docker.io/library/ngnix:latest"),
                                       ("busybx:1.36", "docker.io/library/busybx:1.36"),
                                       ("nignx:1.27", "docker.io/library/nignx:1.27"),
                                       ("postgress", "docker.io/library/postgress:latest")])
def test_near_miss_of_a_well_known_repository_is_pull_access_denied(image, ref):
    assert registry.resolve(image) == (False, _cri(ref, registry.DENIED))


def test_near_miss_on_registry_k8s_io_is_not_found():
    ref = "registry.k8s.io/nginx-slm:0.24"
    assert registry.resolve(ref) == (False, _cri(ref, f"{ref}: not found", "NotFound"))


def test_edit_distance_is_optimal_string_alignment():
    assert registry.edit_distance("ngnix", "nginx") == 1          # one swap
    assert registry.edit_distance("busybx", "busybox") == 1
    assert registry.edit_distance("redis", "redis") == 0
    assert registry.edit_distance("kitten", "sitting") == 3


@pytest.mark.parametrize("image", ["nginx:1.999", "nginx:lates", "busybox:1.99", "redis:8.9.9", "httpd:2.5"])
def test_tags_the_image_never_had_are_not_found(image):
    ref = registry.full_ref(image)
    assert registry.resolve(image) == (False, _cri(ref, f"{ref}: not found", "NotFound"))


def test_private_registry_without_credentials_is_401_and_pulls_with_them():
    ok, err = registry.resolve("myacr.azurecr.io/team/app:1.0")
    assert not ok
    assert err == _cri("myacr.azurecr.io/team/app:1.0",
                       "failed to authorize: failed to fetch anonymous token: unexpected status from GET request to "
                       "https://myacr.azurecr.io/oauth2/token?scope=repository%3Ateam%2Fapp%3Apull"
                       "&service=myacr.azurecr.io: 401 Unauthorized")
    ok, err = registry.resolve("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1")
    assert err.endswith("pulling from host 123456789012.dkr.ecr.eu-west-1.amazonaws.com failed with status code "
                        "[manifests v1]: 401 Unauthorized")
    assert registry.resolve("myacr.azurecr.io/team/app:1.0", auth_hosts={"myacr.azurecr.io"}) == (True, "")


def test_unregistered_registry_host_is_no_such_host_and_localhost_refuses():
    ok, err = registry.resolve("registry.corp.invalid/app")
    assert err.endswith('Head "https://registry.corp.invalid/v2/app/manifests/latest": dial tcp: lookup '
                        "registry.corp.invalid on 127.0.0.53:53: no such host")
    ok, err = registry.resolve("localhost:5000/app:1")
    assert err.endswith('Head "http://localhost:5000/v2/app/manifests/1": dial tcp 127.0.0.1:5000: connect: '
                        "connection refused")


def test_sizes_and_digests_are_stable_per_reference():
    assert registry.size_bytes("nginx") == registry.size_bytes("docker.io/library/nginx:latest")
    assert registry.size_bytes("nginx:1.27") != registry.size_bytes("nginx:1.25")
    assert 60e6 < registry.size_bytes("nginx") < 80e6 and registry.size_bytes("busybox") < 3e6
    assert registry.image_id("nginx") == registry.image_id("docker.io/library/nginx:latest")
    assert re.fullmatch(r"docker\.io/library/nginx@sha256:[0-9a-f]{64}", registry.image_id("nginx"))
    assert registry.size_bytes("someone/anything:1") == registry.size_bytes("docker.io/someone/anything:1")


@pytest.mark.parametrize("image", ["nginx:", "NGINX", "nginx:1.27@sha256:xyz", "-nginx", "nginx::1", "a" * 64])
def test_parse_errors_match_the_reference_grammar(image):
    assert registry.parse_error(image) is not None


def test_kubectl_run_agrees_on_invalid_names(mk):
    assert mk("run", "x", "--image=nginx:1.27", "--dry-run=client", "-o", "name").code == 0
    for image in ("nginx:", "Nginx:1", "-nginx"):
        r = mk("run", "x", f"--image={image}", "--dry-run=client", "-o", "name")
        try:
            real = subprocess.run(["kubectl", "run", "x", f"--image={image}", "--dry-run=client", "-o", "name"],
                                  capture_output=True, text=True, timeout=30)
        except FileNotFoundError:
            pytest.skip("kubectl is not installed")
        assert (r.code, r.err) == (real.returncode, real.stderr), image


# -- through the kubelet ---------------------------------------------------------------------------

def _events(mk, name):
    return [e for e in json.loads(mk("get", "events", "-o", "json").out)["items"]
            if e["involvedObject"]["name"] == name]


def _state(mk, name):
    return json.loads(mk("get", "po", name, "-o", "json").out)["status"]["containerStatuses"][0]


def test_same_image_reports_one_size_on_every_pull(mk):
    mk("create", "deploy", "web", "--image=nginx", "--replicas=3")
    mk("patch", "deploy", "web", "--type=json", "-p",
       '[{"op":"add","path":"/spec/template/spec/containers/0/imagePullPolicy","value":"Always"}]')
    mk.advance(30)
    mk("scale", "deploy", "web", "--replicas=6")
    mk.advance(30)
    sizes = {m.group(1) for e in json.loads(mk("get", "events", "-o", "json").out)["items"]
             for m in [re.search(r"Image size: (\d+) bytes", e["message"])] if m}
    assert sizes == {str(registry.size_bytes("nginx"))}
    ids = {cs["imageID"] for p in json.loads(mk("get", "po", "-o", "json").out)["items"]
           for cs in p["status"]["containerStatuses"]}
    assert ids == {registry.image_id("nginx")}


MANIFEST = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
  - name: c
    image: {image}
    imagePullPolicy: {policy}
"""


def test_pull_policy_never_without_the_image(mk, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(MANIFEST.format(name="never", image="redis:7.2", policy="Never"))
    assert mk("apply", "-f", str(f)).code == 0
    mk.advance(5)
    msg = 'Container image "redis:7.2" is not present with pull policy of Never'
    assert _state(mk, "never")["state"] == {"waiting": {"reason": "ErrImageNeverPull", "message": msg}}
    assert re.search(r"^never\s+0/1\s+ErrImageNeverPull\s+0\s", mk("get", "po").out, re.M)
    evs = {(e["type"], e["reason"], e["message"]) for e in _events(mk, "never")}
    assert ("Warning", "ErrImageNeverPull", msg) in evs and ("Warning", "Failed", "Error: ErrImageNeverPull") in evs
    assert not any(e[1] == "Pulling" for e in evs)


def test_invalid_image_name_from_a_manifest(mk, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(MANIFEST.format(name="bad", image="Nginx:1.27", policy="IfNotPresent"))
    assert mk("apply", "-f", str(f)).code == 0
    mk.advance(5)
    msg = ('Failed to apply default image tag "Nginx:1.27": couldn\'t parse image name "Nginx:1.27": '
           "invalid reference format: repository name must be lowercase")
    assert _state(mk, "bad")["state"] == {"waiting": {"reason": "InvalidImageName", "message": msg}}
    evs = {(e["type"], e["reason"], e["message"]) for e in _events(mk, "bad")}
    assert ("Warning", "InspectFailed", msg) in evs and ("Warning", "Failed", "Error: InvalidImageName") in evs


def test_missing_pull_secret_is_reported_and_the_pull_is_anonymous(mk, tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(MANIFEST.format(name="priv", image="myacr.azurecr.io/app:1.0", policy="IfNotPresent")
                 + "  imagePullSecrets:\n  - name: regcred\n")
    assert mk("apply", "-f", str(f)).code == 0
    mk.advance(5)
    evs = {(e["type"], e["reason"], e["message"]) for e in _events(mk, "priv")}
    assert ("Warning", "FailedToRetrieveImagePullSecret", "Unable to retrieve some image pull secrets (regcred); "
            "attempting to pull the image may not succeed.") in evs
    assert _state(mk, "priv")["state"]["waiting"]["message"].endswith("401 Unauthorized")


def test_pull_secret_hosts_reads_dockerconfigjson():
    from minikctl.sim.controllers.image_pull import pull_secret_hosts
    cfg = {"auths": {"https://index.docker.io/v1/": {"auth": "eDp5"}, "myacr.azurecr.io": {"auth": "eDp5"}}}
    secret = {"type": "kubernetes.io/dockerconfigjson",
              "data": {".dockerconfigjson": base64.b64encode(json.dumps(cfg).encode()).decode()}}

    class Fake:
        def get(self, kind, ns, name):
            return secret if (kind, name) == ("Secret", "regcred") else None
    pod = {"metadata": {"namespace": "default"}, "spec": {"imagePullSecrets": [{"name": "regcred"}, {"name": "gone"}]}}
    assert pull_secret_hosts(Fake(), pod) == ({"docker.io", "myacr.azurecr.io"}, ["gone"])
