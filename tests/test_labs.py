"""The lab engine and the flagship lab, checked against the spec (tests/data/three-services-tables.md)
and against the simulated cluster's own state, not against strings typed here."""
from __future__ import annotations

import dataclasses
import json
import re

import pytest

from conftest import table_check, cli
from minikctl.labs import answers, engine
from minikctl.labs.lab import load_lab, parse_duration

PROMPT = "[root@k8s-master ~]# "


def blocks(transcript: str) -> list[tuple[str, str]]:
    """(command, output) for every prompt line of a plain transcript; the output runs until the
    next prompt or narration (`# `) line, without the blank line the renderer adds after it."""
    out, cur, lines = [], None, []
    for line in transcript.split("\n"):
        if line.startswith(PROMPT) or line.startswith("# "):
            if cur is not None:
                out.append((cur, "\n".join(lines).rstrip("\n") + "\n"))
            cur, lines = (line[len(PROMPT):], []) if line.startswith(PROMPT) else (None, [])
        elif cur is not None:
            lines.append(line)
    if cur is not None:
        out.append((cur, "\n".join(lines).rstrip("\n") + "\n"))
    return out


@pytest.fixture(scope="module")
def lab():
    return load_lab("three-services")


def run_replay(tmp_path, lab, seed=5, upto: str | None = None):
    """Run the lab (or its prefix up to the step with id `upto`) through the engine."""
    if upto:
        k = next(i for i, s in enumerate(lab.steps) if s.id == upto)
        lab = dataclasses.replace(lab, steps=lab.steps[:k + 1])
    home = tmp_path / f"lab-{seed}-{upto}"
    home.mkdir()
    return engine.run_lab(lab, home, seed=seed)


def state(replay, *argv) -> dict:
    code, out, err = engine._invoke(replay, [*argv, "-o", "json"])
    assert code == 0, err
    return json.loads(out)


# --- determinism and tables --------------------------------------------------------------------

def test_same_seed_same_transcript_other_seed_differs(mk):
    a = mk("lab", "run", "three-services", "--seed", "11")
    b = mk("lab", "run", "three-services", "--seed", "11")
    c = mk("lab", "run", "three-services", "--seed", "12")
    assert a.code == b.code == c.code == 0, a.err + c.err
    assert a.out == b.out
    assert a.out != c.out          # the seed really drives names and IPs


def test_tables_keep_kubectl_layout_and_the_notes_ages(mk):
    r = mk("lab", "run", "three-services", "--seed", "3")
    assert r.code == 0, r.err
    gets = [(c, o) for c, o in blocks(r.out) if c.startswith("kubectl get") and "-o yaml" not in c]
    assert len(gets) == 6
    for cmd, out in gets:
        code, report = table_check(out)
        assert code == 0, f"{cmd}\n{out}\n{report}"
    # the virtual clock makes the ages read as in the note: 13m, 8m1s, 35s
    ages = {}
    for cmd, out in gets[:3]:
        svc = out.splitlines()[1].split()
        ages[svc[0]] = svc[5]
        assert out.count("\n\n") == 1          # exactly one blank line between the two groups
    assert ages == {"service/headless-svc": "13m", "service/web-server-svc": "8m1s",
                    "service/headless-web-server-svc": "35s"}


# --- the four nslookups against the spec's shape and the cluster's state ------------------------

def _check_shape(out: str, query: str) -> list[tuple[str, str]]:
    lines = out.rstrip("\n").split("\n")
    assert lines[0] == "%-10s %s" % ("Server:", lines[0].split()[1])
    assert re.fullmatch(r"Address 1: \S+ \S+", lines[1])
    assert lines[2] == ""
    assert lines[3] == "%-10s %s" % ("Name:", query)
    recs = []
    for n, line in enumerate(lines[4:], 1):
        m = re.fullmatch(rf"Address {n}: (\S+) (\S+)", line)   # one space each, as busybox 1.28
        assert m, line
        recs.append((m.group(1), m.group(2)))
    return recs


def test_four_nslookups_match_spec_shape_and_state(tmp_path, lab):
    replay = run_replay(tmp_path, lab, seed=5, upto="stateful-0")
    pods = state(replay, "get", "pods")["items"]
    svcs = {s["metadata"]["name"]: s for s in state(replay, "get", "svc", "-A")["items"]}
    dns_ip = svcs["kube-dns"]["spec"]["clusterIP"]
    by_app = {}
    for p in pods:
        by_app.setdefault(p["metadata"]["labels"].get("app"), []).append(p)
    sfx = "default.svc.cluster.local"
    want = {
        "headless": ("headless-svc", {(p["status"]["podIP"], p["status"]["podIP"].replace(".", "-") +
                                       f".headless-svc.{sfx}") for p in by_app["headless-server"]}),
        "normal": ("web-server-svc", {(svcs["web-server-svc"]["spec"]["clusterIP"], f"web-server-svc.{sfx}")}),
        "stateful": ("headless-web-server-svc", {(p["status"]["podIP"], f"{p['metadata']['name']}."
                                                  f"headless-web-server-svc.{sfx}")
                                                 for p in by_app["headless-web-server"]}),
        "stateful-0": ("web-server-0.headless-web-server-svc",
                       {(p["status"]["podIP"], f"web-server-0.headless-web-server-svc.{sfx}")
                        for p in by_app["headless-web-server"] if p["metadata"]["name"] == "web-server-0"}),
    }
    for rid, (query, records) in want.items():
        rec = replay.outputs[rid]
        assert rec.command == f"kubectl exec busybox -- nslookup {query}"
        assert rec.code == 0, rec.stderr
        assert rec.stdout.split("\n")[1] == f"Address 1: {dns_ip} kube-dns.kube-system.svc.cluster.local"
        got = _check_shape(rec.stdout, query)
        assert len(got) == len(records) and set(got) == records, (rid, got, records)
    assert len(want["headless"][1]) == 3 and len(want["stateful"][1]) == 3


# --- the conclusions the lab computes ------------------------------------------------------------

def test_round_robin_order_changes_between_queries(tmp_path, lab):
    for seed in (1, 2, 3):
        replay = run_replay(tmp_path, lab, seed=seed, upto="headless-again")
        first = answers.parse_nslookup(replay.outputs["headless"].stdout)
        last = answers.parse_nslookup(replay.outputs["headless-again"].stdout)
        assert sorted(first.addresses) == sorted(last.addresses)
        assert first.addresses != last.addresses
        assert ("order_changed", True) in replay.verdicts


def test_demonstration_deployment_names_change_statefulset_names_stay(tmp_path, lab):
    replay = run_replay(tmp_path, lab, seed=8)
    dep_b, dep_a = (answers.parse_nslookup(replay.outputs[i].stdout) for i in ("headless", "headless-after"))
    sts_b, sts_a = (answers.parse_nslookup(replay.outputs[i].stdout) for i in ("stateful", "stateful-after"))
    # a Deployment pod was replaced: one IP-derived name went, a new one came
    d = answers.diff_names(dep_b, dep_a)
    assert len(d.gone) == 1 and len(d.new) == 1 and len(d.kept) == 2
    # the StatefulSet pod web-server-1 was replaced too (new IP) but every name stayed
    assert sorted(sts_b.names) == sorted(sts_a.names)
    ip = {a.names[i].split(".")[0]: a.ips[i] for a in (sts_b,) for i in range(3)}
    ip_after = {sts_a.names[i].split(".")[0]: sts_a.ips[i] for i in range(3)}
    assert ip["web-server-1"] != ip_after["web-server-1"]
    # the verdicts the lab printed are the ones computed here
    computed = [changed for sentence, changed in replay.verdicts if sentence != "order_changed"]
    assert computed == [True, False]
    deleted = next(r for r in replay.records if r.command.startswith("kubectl delete pod pod-server-"))
    pods = [p["metadata"]["name"] for p in state(replay, "get", "pods")["items"]]
    assert deleted.command.split()[-1] not in pods


def test_lang_changes_narration_not_outputs(mk):
    en = mk("lab", "run", "three-services", "--seed", "4", "--lang", "en")
    zh = mk("lab", "run", "three-services", "--seed", "4", "--lang", "zh")
    assert en.code == zh.code == 0
    assert blocks(en.out) == blocks(zh.out)
    assert "无头Service" in zh.out and "无头Service" not in en.out


def test_lab_never_touches_the_learners_cluster(mk):
    assert mk("lab", "run", "three-services", "--seed", "2").code == 0
    r = mk("get", "deploy")
    assert "pod-server" not in r.out and "No resources found" in r.err


def test_step_mode_waits_and_quits(mk):
    r = mk("lab", "run", "three-services", "--seed", "2", "--step", stdin="\n\nq\n")
    assert r.code == 0
    assert [c for c, _ in blocks(r.out)] == ["kubectl apply -f busybox.yaml", "kubectl apply -f test-headless-server.yaml"]
    assert "Stopped at step" in r.out
    assert r.err.count("Enter: next step") == 3      # the hint is on stderr, not in the transcript


def test_svg_export(mk, tmp_path):
    svg = tmp_path / "lab.svg"
    r = mk("lab", "run", "three-services", "--seed", "2", "--svg", str(svg))
    assert r.code == 0, r.err
    text = svg.read_text()
    assert text.startswith("<svg") and "headless-svc" in text


# --- list, show, errors -----------------------------------------------------------------------

def test_lab_list(mk, lab):
    r = mk("lab", "list")
    assert r.code == 0
    assert table_check(r.out)[0] == 0, r.out
    rows = [line.split(None, 3) for line in r.out.splitlines()]
    assert rows[0] == ["NAME", "STEPS", "COMMANDS", "TITLE"]
    row = next(x for x in rows if x[0] == "three-services")
    assert row[1:] == [str(len(lab.steps)), str(len(lab.commands)), lab.text("title")]
    assert all(x[0] != "drills" for x in rows)


def test_lab_show(mk, lab):
    r = mk("lab", "show", "three-services")
    assert r.code == 0
    for c in lab.commands:
        assert c in r.out
    assert "kubectl apply -f test-headless-server.yaml" in r.out
    assert "Files:     busybox.yaml, headless-web-server.yaml" in r.out


@pytest.mark.parametrize("verb", ["run", "show"])
def test_unknown_lab(mk, verb):
    r = mk("lab", verb, "no-such-lab")
    assert r.code == 1 and r.out == ""
    assert r.err == "error: lab \"no-such-lab\" not found; see 'minikctl lab list'\n"


def test_bad_lang(mk):
    r = mk("lab", "run", "three-services", "--lang", "fr")
    assert r.code == 1 and "--lang" in r.err


def test_malformed_lab_is_refused_up_front(tmp_path, monkeypatch, mk):
    bad = tmp_path / "labs" / "broken"
    bad.mkdir(parents=True)
    (bad / "lab.yaml").write_text("title: x\nsteps:\n  - run: ls -l\n")
    monkeypatch.setenv("MINIKCTL_LABS", str(tmp_path / "labs"))
    r = mk("lab", "run", "broken")
    assert r.code == 1 and "step 1" in r.err and "kubectl" in r.err
    (bad / "lab.yaml").write_text("title: x\nsteps:\n  - files: [missing.yaml]\n")
    assert "missing.yaml" in mk("lab", "show", "broken").err


def test_parse_duration():
    assert parse_duration("30s") == 30 and parse_duration("7m26s") == 446 and parse_duration("1h") == 3600
    with pytest.raises(ValueError):
        parse_duration("soon")


def test_console_script_with_global_seed(tmp_path):
    a = cli("lab", "run", "three-services", "--seed", "6", home=tmp_path / "h")
    b = cli("lab", "run", "three-services", "--seed=6", home=tmp_path / "h")
    assert a.code == 0, a.err
    assert a.out == b.out and "seed 6" in a.out


def test_command_reference_names_every_verb():
    """docs/commands.md is generated from the app (docs/gen_commands.py); a new verb must be in it."""
    import importlib.util
    from conftest import ROOT
    spec = importlib.util.spec_from_file_location("gen_commands", ROOT / "docs" / "gen_commands.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    page = (ROOT / "docs" / "commands.md").read_text()
    missing = [v for v in gen.top_level_verbs() if f"\n## {v}\n" not in page]
    assert not missing, f"regenerate: .venv/bin/python docs/gen_commands.py > docs/commands.md ({missing})"


def test_readme_starts_with_the_two_commands():
    from conftest import ROOT
    head = (ROOT / "README.md").read_text().split("\n## ")[0]
    assert "pip install -e . && .venv/bin/minikctl lab run three-services" in head
    assert ".venv/bin/python -m pytest -q" in head


def test_custom_lab_expectations_and_wait(tmp_path, monkeypatch, mk):
    """A failing command stops the replay with exit 1 unless the step says `expect: fail`."""
    d = tmp_path / "labs" / "tiny"
    d.mkdir(parents=True)
    (d / "lab.yaml").write_text(
        "title: {en: Tiny, zh: 小}\nstart: '2024-01-01T00:00:00Z'\nsteps:\n"
        "  - run: kubectl get po nope\n    expect: fail\n"
        "  - wait: 2m\n"
        "  - run: kubectl get ns default\n"
        "  - run: kubectl get po nope\n"
        "  - say: never printed\n")
    monkeypatch.setenv("MINIKCTL_LABS", str(tmp_path / "labs"))
    r = mk("lab", "run", "tiny")
    assert r.code == 1
    assert 'pods "nope" not found' in r.out
    assert "2m later" in r.out and "never printed" not in r.out
    # the clock moved 2 minutes past the boot (the cluster is created 10 minutes before start)
    default = next(o for c, o in blocks(r.out) if c == "kubectl get ns default")
    assert default.splitlines()[1].split()[-1] == "12m"
    assert r.err == "error: step 4: 'kubectl get po nope' failed (exit 1)\n"


def test_the_lab_shows_why(mk):
    """Part 7 of issue 17: the A records come from the endpoints, the StatefulSet sets hostname and
    subdomain from serviceName, web-server-1 keeps its name with a new IP, and dig shows the CNAME."""
    import yaml
    r = mk("lab", "run", "three-services", "--seed", "5")
    assert r.code == 0, r.err
    bl = blocks(r.out)
    ns = next(o for c, o in bl if c == "kubectl exec busybox -- nslookup headless-svc")
    ep = yaml.safe_load(next(o for c, o in bl if c == "kubectl get endpoints headless-svc -o yaml"))
    ips = sorted(a["ip"] for s in ep["subsets"] for a in s["addresses"])
    assert sorted(re.findall(r"Address \d+: (\S+) \S+", ns.split("Name:")[1])) == ips   # one A record per address
    pod = yaml.safe_load(next(o for c, o in bl if c == "kubectl get pod web-server-0 -o yaml"))
    assert pod["spec"]["hostname"] == "web-server-0" and pod["spec"]["subdomain"] == "headless-web-server-svc"
    eps = [yaml.safe_load(o) for c, o in bl if c == "kubectl get endpoints headless-web-server-svc -o yaml"]
    before, after = ({a["hostname"]: a["ip"] for s in e["subsets"] for a in s["addresses"]} for e in eps)
    assert set(before) == set(after) and before["web-server-1"] != after["web-server-1"]
    assert before["web-server-0"] == after["web-server-0"]
    dig = next(o for c, o in bl if c.startswith("kubectl exec dnsutils -- dig"))
    assert re.search(r"my-service\.prod\.svc\.cluster\.local\.\s+\d+\s+IN\s+CNAME\s+my\.database\.example\.com\.", dig)
