"""Issue 10 part 5: the simulated Internet behind CoreDNS's `forward . /etc/resolv.conf`.

Public names resolve to stable addresses derived from the name inside 198.18.0.0/15 (RFC 2544,
never a real host); reserved TLDs (RFC 2606/6761: .invalid, .test, ...) and unlisted names are
NXDOMAIN; an ExternalName Service answers the CNAME then the target's A, as CoreDNS does; an HTTP
request to a public name gets a page that says it is simulated.
"""
from __future__ import annotations

import ipaddress
import re

import pytest

from test_dns_state import lab_objects  # noqa: F401
from minikctl.net import internet
from minikctl.net.dns import records
from minikctl.sim.view import StaticView


def _svc_external(name, target):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": "default", "creationTimestamp": "2024-05-01T10:00:00Z"},
            "spec": {"type": "ExternalName", "externalName": target}}


@pytest.mark.parametrize("name", ["github.com", "google.com", "kubernetes.io", "registry.k8s.io", "pypi.org"])
def test_public_names_resolve_in_the_declared_range_stably(name):
    v = StaticView(lab_objects())
    a = records.answer(v, name, "A")
    assert a.rcode == records.NOERROR, a.note
    if name == "kubernetes.io":          # the default profile pins it (upstream.records): the pin wins
        assert a.addresses() == ["203.0.113.30"]
        return
    (ip,) = a.addresses()
    assert ipaddress.ip_address(ip) in ipaddress.ip_network("198.18.0.0/15")
    assert ip == internet.address_of(name) == records.answer(StaticView(lab_objects()), name + ".", "A").addresses()[0]
    assert not ip.endswith((".0", ".255"))


@pytest.mark.parametrize("name", ["foo.invalid", "my-app.test", "printer.local", "definitely-not-registered-zz9.com",
                                  "something.example"])
def test_reserved_and_unregistered_names_are_nxdomain(name):
    a = records.answer(StaticView(lab_objects()), name, "A")
    assert a.rcode == records.NXDOMAIN
    assert str(a.authority[0].rname) == "."          # the root's SOA, as a recursive upstream returns


def test_alias_is_a_cname_then_the_a():
    a = records.answer(StaticView(lab_objects()), "www.github.com", "A")
    assert [r.rtype for r in a.answer] == [records.T_CNAME, records.T_A]
    assert str(a.answer[0].rdata.label) == "github.com."
    assert a.addresses() == [internet.address_of("github.com")]


def test_externalname_to_github_is_cname_plus_a():
    v = StaticView(lab_objects(extra=[_svc_external("gh", "github.com")]))
    a = records.answer(v, "gh.default.svc.cluster.local", "A")
    assert a.rcode == records.NOERROR
    assert [(str(r.rname), r.rtype) for r in a.answer] == [("gh.default.svc.cluster.local.", records.T_CNAME),
                                                            ("github.com.", records.T_A)]
    assert a.answer[0].ttl == 30                    # the kubernetes plugin's ttl for the CNAME
    assert a.addresses() == [internet.address_of("github.com")]


def test_cloud_registry_zones_exist():
    assert internet.exists("myacr.azurecr.io") and internet.exists("123.dkr.ecr.us-east-1.amazonaws.com")
    assert not internet.exists("registry.mycompany.invalid")


def test_wget_from_a_pod_gets_a_page_marked_simulated(mk):
    assert mk("run", "bb", "--image=busybox:1.36", "--", "sleep", "3600").code == 0
    mk.advance(10)
    r = mk("exec", "bb", "--", "wget", "-qO-", "http://example.com")
    assert r.code == 0, r.err
    assert "<title>example.com</title>" in r.out and "simulated" in r.out
    r = mk("exec", "bb", "--", "nslookup", "github.com")
    assert r.code == 0 and internet.address_of("github.com") in r.out
    r = mk("exec", "bb", "--", "nslookup", "nosuchhost.invalid")
    assert r.code == 1
    assert re.search(r"NXDOMAIN|can't find|can't resolve", r.out + r.err)
