"""Enum fields in the served OpenAPI (api/openapi/source.with_enums, data/openapi_enums.json from
tools/gen_openapi_enums.py): the values equal the ones the apiserver's validation accepts (our
validation reproduces its "supported values" lists independently of the generator), the
description gains openapi-gen's "Possible enum values" paragraph as the kubernetes.io API
reference prints it, and the real kubectl through serve shows the ENUM block minikctl prints.
"""
from __future__ import annotations

import re

import pytest

from minikctl.api.openapi import source
from tests.test_serve_kubectl import KUBECTL, Served

POD = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  restartPolicy: Bogus\n  dnsPolicy: Bogus\n"
       "  containers: [{name: c, image: nginx, imagePullPolicy: Bogus}]\n")
SVC = ("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: Bogus\n  sessionAffinity: Bogus\n"
       "  ports: [{port: 80, protocol: Bogus}]\n")
FIELDS = {  # error path -> (definition, property)
    "spec.containers[0].imagePullPolicy": ("io.k8s.api.core.v1.Container", "imagePullPolicy"),
    "spec.restartPolicy": ("io.k8s.api.core.v1.PodSpec", "restartPolicy"),
    "spec.dnsPolicy": ("io.k8s.api.core.v1.PodSpec", "dnsPolicy"),
    "spec.type": ("io.k8s.api.core.v1.ServiceSpec", "type"),
    "spec.sessionAffinity": ("io.k8s.api.core.v1.ServiceSpec", "sessionAffinity"),
    "spec.ports[0].protocol": ("io.k8s.api.core.v1.ServicePort", "protocol"),
}


def test_enum_values_are_the_values_validation_accepts(mk):
    defs = source.definitions()
    supported = {}
    for manifest in (POD, SVC):
        r = mk("create", "-f", "-", stdin=manifest)
        assert r.code == 1
        for path, values in re.findall(r'\* (\S+): Unsupported value: "Bogus": supported values: (.*)', r.err):
            supported[path] = sorted(re.findall(r'"([^"]*)"', values))
    assert set(supported) == set(FIELDS)
    for path, (name, prop) in FIELDS.items():
        assert defs[name]["properties"][prop]["enum"] == supported[path], path


def test_every_recorded_field_exists_as_a_string_property():
    defs = source.definitions()
    facts = source._enum_facts()["definitions"]
    found = 0
    for name, fields in facts.items():
        for field, values in fields.items():
            if name in defs:
                p = defs[name]["properties"][field]
                assert p["type"] == "string" and p["enum"] == sorted(v["value"] for v in values)
                assert "\n\nPossible enum values:\n - `\"" in p["description"]
                found += 1
    assert found >= 60


def test_paragraph_as_the_api_reference_prints_it():
    d = source.definitions()["io.k8s.api.core.v1.ServiceSpec"]["properties"]["externalTrafficPolicy"]["description"]
    assert d.endswith(
        'account when picking a node.\n\nPossible enum values:\n'
        ' - `"Cluster"` routes traffic to all endpoints.\n'
        ' - `"Local"` preserves the source IP of the traffic by routing only to endpoints on the same node as the'
        ' traffic was received on (dropping the traffic if there are no local endpoints).')
    rp = source.definitions()["io.k8s.api.core.v1.PodSpec"]["properties"]["restartPolicy"]
    assert rp["enum"] == ["Always", "Never", "OnFailure"]
    assert rp["description"].split("\n\n")[-1].splitlines() == [
        "Possible enum values:", ' - `"Always"`', ' - `"Never"`', ' - `"OnFailure"`']


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("enums"))
    yield s
    s.close()


@pytest.mark.skipif(not KUBECTL, reason="no kubectl")
@pytest.mark.parametrize("target", ["svc.spec.type", "pod.spec.containers.imagePullPolicy"])
def test_kubectl_through_serve_prints_the_enum_block(served, target):
    k = served.kubectl("explain", target)
    m = served.mk("explain", target)
    assert k.returncode == 0 and k.stdout == m.out
    assert re.search(r"\nENUM:\n(    \S+\n)+\nDESCRIPTION:", k.stdout)
    assert "    Possible enum values:\n     - `\"" in k.stdout
