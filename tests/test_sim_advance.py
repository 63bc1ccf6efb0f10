"""`minikctl sim advance DURATION`: the cluster's clock moves (and stays moved), due timers fire in
order; containers exit with the status their command computes (busybox `exit 3` -> Error, 3)."""
from __future__ import annotations

import json

import pytest

from minikctl import timeutil


@pytest.mark.parametrize("text,secs", [("90s", 90), ("5m", 300), ("1h30m", 5400), ("1.5h", 5400), ("300ms", 0.3),
                                       ("0", 0), ("2h0m0.5s", 7200.5)])
def test_go_durations(text, secs):
    assert timeutil.parse_go_duration(text) == pytest.approx(secs)


@pytest.mark.parametrize("text,msg", [("5", 'time: missing unit in duration "5"'),
                                      ("1.5x", 'time: unknown unit "x" in duration "1.5x"'),
                                      ("m5", 'time: invalid duration "m5"'), ("", 'time: invalid duration ""')])
def test_go_duration_errors(text, msg):
    with pytest.raises(ValueError, match=msg.replace("(", r"\(")):
        timeutil.parse_go_duration(text)


@pytest.mark.parametrize("secs,text", [(90, "1m30s"), (5400, "1h30m0s"), (300, "5m0s"), (1.5, "1.5s"), (0.3, "300ms"),
                                       (0, "0s"), (86400, "24h0m0s")])
def test_go_duration_strings(secs, text):
    assert timeutil.go_duration_string(secs) == text


def _pod(mk, name):
    r = mk("get", "pod", name, "-o", "json")
    assert r.code == 0, r.err
    return json.loads(r.out)


def test_advance_moves_the_clock_for_later_commands(mk):
    assert mk("run", "p", "--image=busybox", "--restart=Never", "--", "sh", "-c", "sleep 600").code == 0
    r = mk("sim", "advance", "1h30m")
    assert r.code == 0, r.err
    assert r.out.startswith("minikctl: clock advanced 1h30m0s to ")
    stamp = r.out.split(" to ")[1].split(":")[0:3]
    assert timeutil.parse(":".join(stamp)) == pytest.approx(mk.clock + 5400, abs=1)
    # the pod started, slept 600s and exited at its own time, not at the end of the advance
    st = _pod(mk, "p")["status"]
    assert st["phase"] == "Succeeded"
    term = st["containerStatuses"][0]["state"]["terminated"]
    assert timeutil.parse(term["finishedAt"]) - timeutil.parse(term["startedAt"]) == 600
    # a later command still sees the moved clock: AGE counts the advanced time
    assert mk("get", "po", "p").out.split("\n")[1].split()[-1] == "90m"


def test_advance_bad_input_leaves_state_alone(mk):
    mk("get", "no")
    r = mk("sim", "advance", "5")
    assert r.code == 1 and 'time: missing unit in duration "5"' in r.err
    r = mk("sim", "advance", "--", "-5m")
    assert r.code == 1 and "only moves forward" in r.err
    assert mk("get", "no").out.split("\n")[1].split()[3] == "10m"


@pytest.mark.parametrize("script,policy,phase,code,reason", [
    ("echo hi; exit 0", "Never", "Succeeded", 0, "Completed"),
    ("echo hi; exit 3", "Never", "Failed", 3, "Error"),
    ("false", "Never", "Failed", 1, "Error"),
    ("nosuchtool", "Never", "Failed", 127, "Error"),
    ("true", "OnFailure", "Succeeded", 0, "Completed"),
])
def test_exit_status_from_the_command(mk, script, policy, phase, code, reason):
    assert mk("run", "p", "--image=busybox:1.36", f"--restart={policy}", "--", "sh", "-c", script).code == 0
    mk("sim", "advance", "30s")
    st = _pod(mk, "p")["status"]
    assert st["phase"] == phase
    term = st["containerStatuses"][0]["state"]["terminated"]
    assert (term["exitCode"], term["reason"]) == (code, reason)
    ready = next(c for c in st["conditions"] if c["type"] == "Ready")
    assert ready["reason"] == ("PodCompleted" if code == 0 else "PodFailed")


def test_onfailure_restarts_a_failing_container(mk):
    assert mk("run", "p", "--image=busybox", "--restart=OnFailure", "--", "sh", "-c", "exit 2").code == 0
    mk("sim", "advance", "1m")
    st = _pod(mk, "p")["status"]
    cs = st["containerStatuses"][0]
    assert st["phase"] == "Running" and cs["restartCount"] >= 2
    assert cs["lastState"]["terminated"]["exitCode"] == 2
