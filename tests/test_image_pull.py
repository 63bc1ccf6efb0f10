"""Image pulls against the simulated registry: ErrImagePull / ImagePullBackOff as the kubelet and
containerd report them, the kubelet's back-off, and recovery once the image is fixed.

Reference texts (kubernetes pkg/kubelet/images/image_manager.go and kuberuntime_container.go):
  Normal  Pulling  `Pulling image %q`
  Warning Failed   `Failed to pull image %q: %v`, then `Error: ErrImagePull`
  Normal  BackOff  `Back-off pulling image %q`, then Warning Failed `Error: ImagePullBackOff`
containerd's NotFound: `rpc error: code = NotFound desc = failed to pull and unpack image "<ref>":
failed to resolve reference "<ref>": <ref>: not found` with <ref> the fully qualified reference.
"""
from __future__ import annotations

import json
import re

import pytest

from minikctl.sim import registry
from minikctl.sim.controllers.image_pull import backoff_seconds
from tests.conftest import table_check

NOT_FOUND = ('rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.277": '
             'failed to resolve reference "docker.io/library/nginx:1.277": docker.io/library/nginx:1.277: not found')
DENIED = ("pull access denied, repository does not exist or may require authorization: server message: "
          "insufficient_scope: authorization failed")


# -- the registry -------------------------------------------------------------------------------

@pytest.mark.parametrize("image", ["nginx", "nginx:1.27", "nginx:1.27.3", "nginx:1.25-alpine", "nginx:latest",
                                   "busybox:1.28", "busybox:1.36.1", "busybox:musl", "busybox:1.37-glibc",
                                   "docker.io/library/redis:7", "httpd:2.4", "alpine:3.20",
                                   "registry.k8s.io/e2e-test-images/agnhost:2.39",
                                   "registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3",
                                   "registry.k8s.io/coredns/coredns:v1.11.3", "registry.k8s.io/kube-proxy:v1.32.0",
                                   "registry.k8s.io/etcd:3.5.16-0", "registry.k8s.io/pause:3.10",
                                   "nginx@sha256:" + "a" * 64])
def test_known_images_pull(image):
    assert registry.resolve(image) == (True, "")


def test_unknown_tag_is_containerd_not_found():
    assert registry.resolve("nginx:1.277") == (False, NOT_FOUND)
    ok, err = registry.resolve("busybox:doesnotexist")
    assert not ok and err.endswith("docker.io/library/busybox:doesnotexist: not found")
    assert not registry.resolve("nginx:1.27.99")[0]       # patch past the series' last one


def test_unknown_library_repository_is_pull_access_denied():
    ok, err = registry.resolve("ngnix")
    assert not ok
    assert err == ('rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/ngnix:latest": '
                   f'failed to resolve reference "docker.io/library/ngnix:latest": {DENIED}')


def test_unknown_host_does_not_resolve():
    ok, err = registry.resolve("myregistry.example.com/team/app:1.0")
    assert not ok
    assert err.endswith('failed to do request: Head "https://myregistry.example.com/v2/team/app/manifests/1.0": '
                        "dial tcp: lookup myregistry.example.com on 127.0.0.53:53: no such host")


def test_parse_normalizes_like_containerd():
    assert registry.full_ref("nginx") == "docker.io/library/nginx:latest"
    assert registry.full_ref("bitnami/kubectl:1.30") == "docker.io/bitnami/kubectl:1.30"
    assert registry.full_ref("localhost:5000/app") == "localhost:5000/app:latest"


def test_labs_and_drills_images_are_in_the_registry():
    """Every image the shipped labs and drills name must pull, or their pods would never start."""
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent / "labs"
    seen = set()
    for f in root.rglob("*.yaml"):
        # a drill about a mistyped image marks that line `# broken on purpose`
        text = "\n".join(line for line in f.read_text().splitlines() if not line.rstrip().endswith("# broken on purpose"))
        for m in re.finditer(r"(?:image:\s*|--image[= ])[\"']?([a-z0-9][\w./:@-]*)", text):
            ref = m.group(1)
            if ref.upper() == ref or ref in ("IMG",):
                continue
            seen.add(ref)
    bad = {i: registry.resolve(i)[1] for i in seen if not registry.resolve(i)[0] and "example" not in i}
    assert not bad


# -- the kubelet --------------------------------------------------------------------------------

def _pod(mk, name="web", ns="default"):
    return json.loads(mk("get", "po", name, "-n", ns, "-o", "json").out)


def _events(mk, name="web"):
    return [e for e in json.loads(mk("get", "events", "-o", "json").out)["items"]
            if e["involvedObject"]["name"] == name]


def test_bad_tag_err_image_pull_then_back_off(mk):
    assert mk("run", "web", "--image=nginx:1.277").code == 0
    mk.advance(3)
    r = mk("get", "po")
    assert table_check(r.out)[0] == 0
    assert re.search(r"^web\s+0/1\s+ErrImagePull\s+0\s", r.out, re.M), r.out
    pod = _pod(mk)
    assert pod["status"]["phase"] == "Pending"
    cs = pod["status"]["containerStatuses"][0]
    assert cs["state"] == {"waiting": {"reason": "ErrImagePull", "message": NOT_FOUND}}
    assert cs["ready"] is False and cs["restartCount"] == 0
    evs = [(e["type"], e["reason"], e["message"]) for e in _events(mk)]
    assert ("Normal", "Pulling", 'Pulling image "nginx:1.277"') in evs
    assert ("Warning", "Failed", f'Failed to pull image "nginx:1.277": {NOT_FOUND}') in evs
    assert ("Warning", "Failed", "Error: ErrImagePull") in evs
    # The pod worker re-syncs 10-15 s after the failure; failures after the first find it backing off.
    mk.advance(60)
    r = mk("get", "po")
    assert re.search(r"^web\s+0/1\s+(ImagePullBackOff|ErrImagePull)\s+0\s", r.out, re.M), r.out
    mk.advance(100)
    # Within the long back-offs (40 s, 80 s, ...) most looks find ImagePullBackOff.
    statuses = set()
    for _ in range(12):
        mk.advance(7)
        statuses.add(_pod(mk)["status"]["containerStatuses"][0]["state"]["waiting"]["reason"])
    assert statuses <= {"ErrImagePull", "ImagePullBackOff"} and "ImagePullBackOff" in statuses
    cs = _pod(mk)["status"]["containerStatuses"][0]
    if cs["state"]["waiting"]["reason"] == "ImagePullBackOff":
        assert cs["state"]["waiting"]["message"] == 'Back-off pulling image "nginx:1.277"'
    evs = {(e["type"], e["reason"], e["message"]): e for e in _events(mk)}
    backoff = evs[("Normal", "BackOff", 'Back-off pulling image "nginx:1.277"')]
    assert backoff["count"] > 1
    assert evs[("Warning", "Failed", "Error: ImagePullBackOff")]["count"] == backoff["count"]
    pulling = evs[("Normal", "Pulling", 'Pulling image "nginx:1.277"')]
    assert pulling["count"] >= 3                       # retried, aggregated across commands
    d = mk("describe", "po", "web").out
    assert re.search(r"Normal\s+Pulling\s+\S+ \(x\d+ over \S+\)\s+kubelet\s+Pulling image \"nginx:1.277\"", d), d
    assert re.search(r"State:\s+Waiting\n\s+Reason:\s+(ImagePullBackOff|ErrImagePull)", d)


def test_back_off_doubles_to_five_minutes(mk):
    assert [backoff_seconds(n) for n in range(1, 8)] == [10, 20, 40, 80, 160, 300, 300]
    mk("run", "web", "--image=nginx:1.277")
    mk.advance(1800)
    pulls = next(e for e in _events(mk) if e["reason"] == "Pulling")["count"]
    # 30 minutes of 10+20+40+80+160+300+300... s back-offs (each plus a 10-15 s re-sync): ~9-11 pulls,
    # nowhere near one pull per re-sync (~140).
    assert 7 <= pulls <= 12, pulls


def test_bad_repository_and_unknown_registry(mk):
    mk("run", "typo", "--image=ngnix")
    mk("run", "priv", "--image=myregistry.example.com/team/app:1.0")
    mk.advance(3)
    typo = _pod(mk, "typo")["status"]["containerStatuses"][0]["state"]["waiting"]
    assert typo["reason"] == "ErrImagePull" and typo["message"].endswith(DENIED)
    priv = _pod(mk, "priv")["status"]["containerStatuses"][0]["state"]["waiting"]
    assert "lookup myregistry.example.com on 127.0.0.53:53: no such host" in priv["message"]


def test_set_image_fixes_a_pod(mk):
    mk("run", "web", "--image=nginx:1.277")
    mk.advance(120)
    assert mk("set", "image", "pod/web", "web=nginx:1.27").code == 0
    mk.advance(3)
    r = mk("get", "po")
    assert re.search(r"^web\s+1/1\s+Running\s+0\s", r.out, re.M), r.out
    cs = _pod(mk)["status"]["containerStatuses"][0]
    assert "running" in cs["state"] and cs["image"] == "docker.io/library/nginx:1.27"
    evs = [(e["reason"], e["message"]) for e in _events(mk)]
    assert ("Pulling", 'Pulling image "nginx:1.27"') in evs
    assert ("Started", "Started container web") in evs


def test_deployment_with_bad_image_recovers_with_a_new_replicaset(mk):
    mk("create", "deploy", "web", "--image=busybox:doesnotexist", "--", "sleep", "3600")
    mk.advance(40)
    r = mk("get", "po")
    assert re.search(r"^web-\S+\s+0/1\s+(ErrImagePull|ImagePullBackOff)\s", r.out, re.M), r.out
    assert "0/1" in mk("get", "deploy", "web").out
    mk("set", "image", "deploy/web", "busybox=busybox:1.36")
    mk.advance(40)
    r = mk("get", "po")
    lines = [l for l in r.out.splitlines()[1:] if l]
    assert len(lines) == 1 and re.search(r"1/1\s+Running", lines[0]), r.out
    assert len(json.loads(mk("get", "rs", "-o", "json").out)["items"]) == 2


def test_cached_image_if_not_present_is_already_present(mk):
    mk("create", "deploy", "web", "--image=nginx:1.25", "--replicas=6")   # 6 pods on 3 workers: reuse
    mk.advance(20)
    msgs = [e["message"] for e in json.loads(mk("get", "events", "-o", "json").out)["items"]]
    assert 'Container image "nginx:1.25" already present on machine' in msgs
    assert 'Pulling image "nginx:1.25"' in msgs
