"""NetworkPolicy as an API object: defaulting, the apiserver's validation texts, `get netpol`,
`describe networkpolicy` (compared byte for byte with the real kubectl through `minikctl serve`).

Validation texts are pkg/apis/networking/validation (v1.32) as the apiserver renders field
errors; defaults are SetDefaults_NetworkPolicy / SetDefaults_NetworkPolicyPort.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "netpol"


def _np(name: str, spec: dict, ns: str | None = None) -> str:
    meta = {"name": name}
    if ns:
        meta["namespace"] = ns
    return json.dumps({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta,
                       "spec": spec})


def _stored(mk, name: str, ns: str = "default") -> dict:
    r = mk("get", "netpol", name, "-n", ns, "-o", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


# ---- defaults ------------------------------------------------------------------------------

@pytest.mark.parametrize("spec,types", [
    ({"podSelector": {}}, ["Ingress"]),
    ({"podSelector": {}, "ingress": [{}]}, ["Ingress"]),
    ({"podSelector": {}, "egress": [{}]}, ["Ingress", "Egress"]),
    ({"podSelector": {}, "egress": []}, ["Ingress"]),                  # an empty list is no rule
    ({"podSelector": {}, "policyTypes": ["Egress"]}, ["Egress"]),      # given types are kept
    ({}, ["Ingress"]),
])
def test_policy_types_default_as_the_apiserver_does(mk, spec, types):
    assert mk("create", "-f", "-", stdin=_np("p", spec)).code == 0
    got = _stored(mk, "p")
    assert got["spec"]["policyTypes"] == types
    assert got["spec"]["podSelector"] == {}
    assert got["metadata"]["generation"] == 1
    assert "status" not in got


def test_port_protocol_defaults_to_tcp_and_generation_follows_spec_changes(mk):
    spec = {"podSelector": {}, "ingress": [{"ports": [{"port": 80}, {"port": 53, "protocol": "UDP"}]}]}
    assert mk("create", "-f", "-", stdin=_np("p", spec)).code == 0
    got = _stored(mk, "p")
    assert got["spec"]["ingress"][0]["ports"] == [{"port": 80, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]
    assert mk("label", "netpol", "p", "a=b").code == 0
    assert _stored(mk, "p")["metadata"]["generation"] == 1           # metadata only: same generation
    spec["ingress"][0]["ports"][0]["port"] = 8080
    assert mk("apply", "-f", "-", stdin=_np("p", spec)).code == 0
    assert _stored(mk, "p")["metadata"]["generation"] == 2


# ---- validation ----------------------------------------------------------------------------

BAD = [
    ({"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/33"}}]}]},
     'spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": not a valid CIDR'),
    ({"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.1"}}]}]},
     'spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.1": not a valid CIDR'),
    ({"egress": [{"to": [{"ipBlock": {"cidr": ""}}]}]},
     "spec.egress[0].to[0].ipBlock.cidr: Required value"),
    ({"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.1.0.0/24"]}}]}]},
     'spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`'),
    ({"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.0.0/16"]}}]}]},
     'spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`'),
    ({"egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["nope"]}}]}]},
     'spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "nope": not a valid CIDR'),
    ({"ingress": [{"ports": [{"endPort": 90}]}]},
     "spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is not specified"),
    ({"ingress": [{"ports": [{"port": "http", "endPort": 90}]}]},
     "spec.ingress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is non-numeric"),
    ({"ingress": [{"ports": [{"port": 100, "endPort": 90}]}]},
     "spec.ingress[0].ports[0].endPort: Invalid value: 90: must be greater than or equal to `port`"),
    ({"ingress": [{"ports": [{"port": 70000}]}]},
     "spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"),
    ({"ingress": [{"ports": [{"port": "web_port"}]}]},
     'spec.ingress[0].ports[0].port: Invalid value: "web_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'),
    ({"ingress": [{"ports": [{"port": 80, "protocol": "ICMP"}]}]},
     'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"'),
    ({"ingress": [{"from": [{}]}]}, "spec.ingress[0].from[0]: Required value: must specify a peer"),
    ({"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]},
     "spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer"),
    ({"policyTypes": ["Ingress", "Outgress"]},
     'spec.policyTypes[1]: Unsupported value: "Outgress": supported values: "Ingress", "Egress"'),
    ({"podSelector": {"matchExpressions": [{"key": "app", "operator": "In"}]}},
     "spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"),
]


@pytest.mark.parametrize("spec,cause", BAD, ids=[c.split(":")[0] + str(i) for i, (s, c) in enumerate(BAD)])
def test_invalid_policies_get_the_apiservers_texts_and_change_nothing(mk, spec, cause):
    r = mk("create", "-f", "-", stdin=_np("bad", spec))
    assert (r.code, r.out) == (1, "")
    assert r.err == f'The NetworkPolicy "bad" is invalid: {cause}\n'
    assert mk("get", "netpol").err == "No resources found in default namespace.\n"


def test_several_causes_come_in_the_apiservers_order(mk):
    spec = {"podSelector": {}, "policyTypes": ["Ingress", "Bogus"],
            "ingress": [{"ports": [{"endPort": 9}], "from": [{"ipBlock": {"cidr": "x"}}]}]}
    r = mk("apply", "-f", "-", stdin=_np("bad", spec))
    assert r.code == 1
    assert r.err.splitlines()[1:] == [
        "* spec.ingress[0].ports[0].endPort: Invalid value: 9: may not be specified when `port` is not specified",
        '* spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "x": not a valid CIDR',
        '* spec.policyTypes[1]: Unsupported value: "Bogus": supported values: "Ingress", "Egress"']


def test_unknown_field_is_a_strict_decoding_error(mk):
    body = _np("p", {"podSelector": {}, "ingress": [{"form": []}]})
    r = mk("create", "-f", "-", stdin=body)
    assert r.code == 1
    assert 'NetworkPolicy in version "v1" cannot be handled as a NetworkPolicy: strict decoding error: ' \
           'unknown field "spec.ingress[0].form"' in r.err


# ---- get -------------------------------------------------------------------------------------

def test_get_netpol_columns(mk):
    assert mk("apply", "-f", str(DATA / "docs-examples.yaml")).code == 0
    mk.advance(90)
    r = mk("get", "netpol")
    assert r.out.splitlines() == [
        "NAME                   POD-SELECTOR   AGE",
        "allow-all-egress       <none>         90s",
        "allow-all-ingress      <none>         90s",
        "default-deny-all       <none>         90s",
        "default-deny-egress    <none>         90s",
        "default-deny-ingress   <none>         90s",
        "multi-port-egress      role=db        90s",
        "test-network-policy    role=db        90s",
    ]
    assert mk("get", "networkpolicies.networking.k8s.io", "-o", "name").out.splitlines()[0] == \
        "networkpolicy.networking.k8s.io/allow-all-egress"


# ---- describe, against the real kubectl ---------------------------------------------------

def test_describe_shapes(mk):
    """kubectl's describer on the docs page's policy, as its source lays it out."""
    assert mk("apply", "-f", str(DATA / "docs-examples.yaml")).code == 0
    out = mk("describe", "networkpolicy", "multi-port-egress").out
    assert "  PodSelector:     role=db\n  Not affecting ingress traffic\n  Allowing egress traffic:\n" \
           "    To Port Range: 32000-32768/TCP\n    To:\n      IPBlock:\n        CIDR: 10.0.0.0/24\n" \
           "        Except: \n  Policy Types: Egress\n" in out
    out = mk("describe", "netpol", "default-deny-all").out
    assert "    <none> (Selected pods are isolated for ingress connectivity)\n" in out
    assert "    <none> (Selected pods are isolated for egress connectivity)\n" in out


try:
    from tests.test_serve_kubectl import KUBECTL, Served
except Exception:  # pragma: no cover
    KUBECTL = None


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if not KUBECTL:
        pytest.skip("no kubectl")
    s = Served(tmp_path_factory.mktemp("netpol"))
    r = s.kubectl("apply", "-f", "-", stdin='{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}')
    assert r.returncode == 0, r.stderr
    for f in ("docs-examples.yaml", "more.yaml"):
        r = s.kubectl("apply", "-f", str(DATA / f))
        assert r.returncode == 0, r.stderr
    yield s
    s.close()


NAMES = ["test-network-policy", "default-deny-ingress", "allow-all-ingress", "default-deny-egress",
         "allow-all-egress", "default-deny-all", "multi-port-egress", "combined"]


@pytest.mark.parametrize("name", NAMES)
def test_describe_matches_kubectl(served, name):
    k = served.kubectl("describe", "networkpolicy", name)
    m = served.mk("describe", "networkpolicy", name)
    assert k.returncode == 0, k.stderr
    assert m.out == k.stdout


def test_describe_all_and_get_match_kubectl(served):
    k = served.kubectl("describe", "netpol")
    assert served.mk("describe", "netpol").out == k.stdout
    k = served.kubectl("get", "netpol", "-A")
    m = served.mk("get", "netpol", "-A")
    assert m.out.split() [:8] == k.stdout.split()[:8]
    assert [line.split()[:3] for line in m.out.splitlines()] == [line.split()[:3] for line in k.stdout.splitlines()]


def test_kubectl_sees_validation_errors_in_the_same_words(served):
    body = _np("bad", {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/16",
                                                                           "except": ["10.0.0.0/8"]}}]}]})
    k = served.kubectl("create", "-f", "-", stdin=body)
    m = served.mk("create", "-f", "-", stdin=body)
    assert k.returncode == m.code == 1
    assert k.stderr == m.err
