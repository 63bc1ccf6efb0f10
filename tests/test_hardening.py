"""Hardening (issue 18): what the apiserver refuses is refused, what it accepts never wedges the
cluster, and a failing controller reports and goes on."""
from __future__ import annotations

import pytest

NAME_ONLY_EVENT = "apiVersion: v1\nkind: Event\nmetadata:\n  name: e1\n"


def test_name_only_event_is_accepted_as_the_apiserver_does_and_never_wedges(mk):
    # legacyValidateEvent accepts an Event naming nothing in the default namespace; it is stored
    # with the struct's zero fields.
    r = mk("apply", "-f", "-", stdin=NAME_ONLY_EVENT)
    assert r.code == 0 and r.out == "event/e1 created\n", r.err
    r = mk("get", "ev", "e1", "-o", "jsonpath={.involvedObject}|{.source}|{.reportingComponent}")
    assert r.out == "{}|{}|"
    # A pod whose image cannot be pulled: the kubelet's repeating events aggregate with stored
    # events (the path that died on `KeyError: 'involvedObject'`).
    assert mk("run", "p", "--image=nginx:does-not-exist").code == 0
    for _ in range(6):
        mk.advance(20)
        r = mk("get", "po", "-A")
        assert r.code == 0 and "Traceback" not in r.err and r.err == "", r.err
    r = mk("describe", "po", "p")
    assert r.code == 0 and "BackOff" in r.out, r.err
    r = mk("get", "events")
    assert r.code == 0 and r.err == ""
    assert mk("delete", "ev", "e1").code == 0
    assert mk("delete", "po", "p").code == 0


@pytest.mark.parametrize("doc,message", [
    ("metadata:\n  name: e2\n  namespace: kube-system\n",
     'The Event "e2" is invalid: involvedObject.namespace: Invalid value: "": does not match event.namespace'),
    ("metadata:\n  name: e2\ninvolvedObject:\n  namespace: kube-system\n",
     'The Event "e2" is invalid: involvedObject.namespace: Invalid value: "kube-system": does not match '
     'event.namespace'),
    ("metadata:\n  name: e2\neventTime: \"2024-01-01T00:00:00.000000Z\"\nreportingComponent: x\n"
     "reportingInstance: y\naction: z\nreason: " + "r" * 129 + "\n",
     'The Event "e2" is invalid: reason: Invalid value: "": can have at most 128 characters'),
])
def test_event_validation_in_the_apiservers_words(mk, doc, message):
    r = mk("apply", "-f", "-", stdin="apiVersion: v1\nkind: Event\n" + doc)
    assert r.code == 1 and r.err.strip() == message, r.err
    assert mk("get", "ev", "e2").code == 1


def test_a_failing_controller_reports_and_the_cluster_goes_on(mk, monkeypatch):
    from minikctl.sim.controllers import deployment
    assert mk("run", "p", "--image=nginx").code == 0

    def broken(cluster):
        raise KeyError("boom")
    monkeypatch.setattr(deployment, "reconcile", broken)
    r = mk("create", "deployment", "d", "--image=nginx")
    assert r.code == 0 and r.out == "deployment.apps/d created\n"
    assert "minikctl: the simulated deployment controller failed (KeyError: 'boom')" in r.err
    assert r.err.count("\n") == 1  # once per command, not once per pass
    mk.advance(5)
    r = mk("get", "po", "-A")
    assert r.code == 0 and "p " in r.out
    assert mk("delete", "deploy", "d").code == 0
    assert mk("delete", "po", "p").code == 0


def test_a_stored_event_missing_fields_never_wedges_the_kubelet(mk):
    """An Event row with none of the fields a recorder writes (an older store, another client)
    is read past by the kubelet's event aggregation."""
    from minikctl.env import Env
    from minikctl.sim.cluster import open_cluster
    assert mk("run", "p", "--image=nginx:does-not-exist").code == 0
    env = Env(home=mk.home, clock=lambda: mk.clock, seed=mk.seed)
    with open_cluster(env) as cluster:
        cluster.store.put("Event", "default", "bare", 1, {"apiVersion": "v1", "kind": "Event",
                                                          "metadata": {"name": "bare", "namespace": "default"}})
        cluster.store.commit()
        cluster.store.begin()
    for _ in range(4):
        mk.advance(30)
        r = mk("get", "po", "-A")
        assert r.code == 0 and r.err == "", r.err
    assert mk("delete", "ev", "bare").code == 0
