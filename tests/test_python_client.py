"""The official Python `kubernetes` client against `minikctl serve`: CRUD, watch and logs through
its generated API classes, configured from the kubeconfig serve writes (TLS to the cluster CA,
bearer token), as a user's script would be."""
from __future__ import annotations

import importlib.util

import pytest

from tests.test_serve_kubectl import Served

# Imported by the tests that use it (~0.4 s), not when every xdist worker collects this file.
pytestmark = pytest.mark.skipif(importlib.util.find_spec("kubernetes") is None,
                                reason="the kubernetes client is not installed (pip install kubernetes)")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("pyclient"))
    yield s
    s.close()


@pytest.fixture(scope="module")
def api(served):
    from kubernetes import client, config
    cfg = client.Configuration()
    config.load_kube_config(config_file=str(served.kubeconfig), client_configuration=cfg)
    return client.ApiClient(cfg)


def test_crud_configmap_and_deployment(served, api):
    from kubernetes import client
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    cm = client.V1ConfigMap(api_version="v1", kind="ConfigMap", metadata=client.V1ObjectMeta(name="pycm"),
                            data={"a": "1"})
    made = core.create_namespaced_config_map("default", cm)
    assert made.metadata.uid and made.data == {"a": "1"}
    assert core.read_namespaced_config_map("pycm", "default").data == {"a": "1"}
    core.patch_namespaced_config_map("pycm", "default", {"data": {"b": "2"}})
    assert core.read_namespaced_config_map("pycm", "default").data == {"a": "1", "b": "2"}
    names = [c.metadata.name for c in core.list_namespaced_config_map("default").items]
    assert "pycm" in names
    core.delete_namespaced_config_map("pycm", "default")
    with pytest.raises(client.ApiException) as e:
        core.read_namespaced_config_map("pycm", "default")
    assert e.value.status == 404
    dep = client.V1Deployment(
        api_version="apps/v1", kind="Deployment", metadata=client.V1ObjectMeta(name="pyweb"),
        spec=client.V1DeploymentSpec(
            replicas=2, selector=client.V1LabelSelector(match_labels={"app": "pyweb"}),
            template=client.V1PodTemplateSpec(metadata=client.V1ObjectMeta(labels={"app": "pyweb"}),
                                              spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="nginx")]))))
    apps.create_namespaced_deployment("default", dep)
    served.mk.advance(20)
    got = apps.read_namespaced_deployment("pyweb", "default")
    assert (got.spec.replicas, got.status.ready_replicas) == (2, 2)
    apps.patch_namespaced_deployment_scale("pyweb", "default", {"spec": {"replicas": 3}})
    assert apps.read_namespaced_deployment("pyweb", "default").spec.replicas == 3
    # the same table kubectl prints, from objects the client created
    assert served.mk("get", "deploy", "pyweb").out.splitlines()[1].split()[0] == "pyweb"


def test_watch_sees_events(served, api):
    from kubernetes import client, watch
    core = client.CoreV1Api(api)
    core.create_namespaced_config_map("default", client.V1ConfigMap(
        api_version="v1", kind="ConfigMap", metadata=client.V1ObjectMeta(name="watched")))
    w = watch.Watch()
    seen = []
    for ev in w.stream(core.list_namespaced_config_map, "default", timeout_seconds=2):
        seen.append((ev["type"], ev["object"].metadata.name))
        if ev["object"].metadata.name == "watched":
            w.stop()
    assert ("ADDED", "watched") in seen


def test_logs(served, api):
    from kubernetes import client
    core = client.CoreV1Api(api)
    served.mk("run", "talker", "--image=busybox", "--restart=Never", "--", "sh", "-c", "echo hello from talker")
    served.mk.advance(30)
    assert core.read_namespaced_pod_log("talker", "default") == served.mk("logs", "talker").out


def test_object_without_apiversion_and_kind(served, api):
    """A real apiserver takes apiVersion/kind from the URL; the client leaves them out when unset."""
    from kubernetes import client
    core = client.CoreV1Api(api)
    made = core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="bare")))
    assert (made.api_version, made.kind) == ("v1", "ConfigMap")
    assert core.read_namespaced_config_map("bare", "default").metadata.name == "bare"
