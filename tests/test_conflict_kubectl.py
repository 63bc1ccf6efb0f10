"""The 409 Conflict texts checked against the real kubectl (issue 18 item 4): kubectl through
`minikctl serve` and the minikctl CLI, on the same cluster at the same resourceVersions, send a
write based on a stale resourceVersion and must print the same thing."""
from __future__ import annotations

import pytest

from tests.test_serve_kubectl import KUBECTL, Served

pytestmark = [pytest.mark.skipif(KUBECTL is None, reason="no kubectl installed on this machine")]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("conflict"))
    yield s
    s.close()


def test_stale_resource_version_kubectl_and_minikctl_say_the_same(served, tmp_path):
    mk = served.mk
    assert mk("apply", "-f", "-", stdin="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cc\ndata:\n  a: \"1\"\n").code == 0
    rv = mk("get", "cm", "cc", "-o", "jsonpath={.metadata.resourceVersion}").out
    assert mk("patch", "cm", "cc", "-p", '{"data":{"a":"2"}}').code == 0
    f = tmp_path / "cc.yaml"
    f.write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cc\n  resourceVersion: \"{rv}\"\ndata:\n  a: \"3\"\n")
    stale_patch = '{"metadata":{"resourceVersion":"%s"},"data":{"a":"4"}}' % rv
    for argv in (("apply", "-f", str(f)), ("replace", "-f", str(f)), ("patch", "cm", "cc", "-p", stale_patch)):
        k = served.kubectl(*argv)
        m = mk(*argv)
        assert k.returncode == 1 and "Conflict" in k.stderr, (argv, k.stderr)
        assert (m.code, m.out, m.err) == (k.returncode, k.stdout, k.stderr), argv
    assert mk("get", "cm", "cc", "-o", "jsonpath={.data.a}").out == "2"
