"""Progress that lasts: history apart from the cluster, stats by domain, spaced repetition, and
clear errors for a malformed drill file or an unknown drill name."""
from __future__ import annotations

import textwrap

from minikctl.labs import drills

DAY = 86400


def _solve(mk, name):
    from minikctl.labs import drill_proof
    d = drills.load_drill(name)
    for step in d.solution:
        argv, stdin = drill_proof.step_argv(mk.home, step, d)
        assert mk(*argv, stdin=stdin).code == 0
    mk.advance(60)


def _row(out: str, name: str) -> list[str]:
    return next(l for l in out.splitlines() if f" {name} " in l).split()


def test_cluster_reset_keeps_the_history(mk):
    assert mk("drill", "start", "svc-externalname").code == 0
    assert mk("drill", "check").code == 1
    _solve(mk, "svc-externalname")
    assert mk("drill", "check").code == 0
    assert mk("cluster", "reset").code == 0
    assert mk("get", "svc", "db", "-n", "apps").code == 1          # the cluster is new...
    r = mk("drill", "list")
    row = _row(r.out, "svc-externalname")
    assert row[0] == "*" and "2" in row and "100%" in row, row   # ...the record is not
    assert (mk.home / "progress.db").is_file()


def test_stats_by_domain_weakest_first_and_spaced_repetition(mk):
    # a Troubleshooting drill failed, a networking drill passed
    mk("drill", "start", "wrong-targetport")
    assert mk("drill", "check").code == 1
    mk("drill", "start", "svc-externalname")
    _solve(mk, "svc-externalname")
    assert mk("drill", "check").code == 0
    r = mk("drill", "stats")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].split()[:2] == ["DOMAIN", "EXAM"]
    doms = [l for l in lines[1:] if l and not l.startswith(" ") and "%" in l]
    scores = [int(l.split()[-1].rstrip("%")) for l in doms]
    assert scores == sorted(scores), r.out                       # weakest first
    assert "Due for review:\n  wrong-targetport\n" in r.out      # a failed drill is due at once
    assert "svc-externalname" not in r.out.split("Due for review:")[1].split("Next")[0]
    # next: the failed drill comes back first
    r = mk("drill", "next")
    assert r.code == 0 and "Drill wrong-targetport" in r.out, r.out
    # a passed drill comes back after a day
    mk.advance(DAY + 60)
    r = mk("drill", "stats")
    assert "svc-externalname" in r.out.split("Due for review:")[1]


def test_unknown_drill_lists_close_names(mk):
    r = mk("drill", "start", "svc-nodeprot")
    assert r.code == 1
    assert 'drill "svc-nodeprot" not found' in r.err and "Did you mean this?\n\tsvc-nodeport\n" in r.err, r.err
    r = mk("drill", "start", "nosuch")
    assert r.code == 1 and "The closest names:\n\t" in r.err, r.err
    r = mk("drill", "start", "zzzz")
    assert r.code == 1 and "see 'minikctl drill list'" in r.err and "Traceback" not in r.err


def test_malformed_drill_names_file_and_field(mk, tmp_path, monkeypatch):
    root = tmp_path / "drills"
    (root / "bad").mkdir(parents=True)
    f = root / "bad" / "drill.yaml"
    base = """\
        title: t
        domain: Storage
        task: do it
        checks:
          - name: one
            object: {kind: Namespace, name: x}
        solution:
          - run: kubectl create ns x
        """
    monkeypatch.setenv("MINIKCTL_DRILLS", str(root))
    for bad, field in [(base.replace("domain: Storage", "domain: Storag"), "field 'domain'"),
                       (base.replace("            object: {kind: Namespace, name: x}\n", ""), "field 'checks[0]'"),
                       (base.replace("          - run: kubectl create ns x", "          - nope: 1"), "field 'solution[0]'"),
                       (base.replace("        task: do it\n", ""), "field 'task' is missing"),
                       ("title: [unclosed\n", str(f))]:
        f.write_text(textwrap.dedent(bad))
        r = mk("drill", "start", "bad")
        assert r.code == 1 and str(f) in r.err and field in r.err and "Traceback" not in r.err, (field, r.err)
    # drill list still lists the others and warns about the broken one
    (root / "good").mkdir()
    (root / "good" / "drill.yaml").write_text(textwrap.dedent(base))
    r = mk("drill", "list")
    assert r.code == 0 and " good " in r.out and str(f) in r.err


def test_chinese_tables_line_up_in_terminal_columns(mk):
    from minikctl.labs.render import cell_width as width
    r = mk("drill", "list", "--lang", "zh")
    assert r.code == 0
    lines = [l for l in r.out.splitlines() if l]
    assert any(ord(ch) > 0x3000 for ch in r.out)                 # Chinese domain names
    # every row's NAME column and DOMAIN column start at the same terminal column as the header's
    head = lines[0]
    for col in ("NAME", "DOMAIN", "WEIGHT"):
        at = head.index(col)
        for l in lines[1:]:
            cells = l.split()
            assert cells
        starts = set()
        for l in lines[1:]:
            # the display column where the header's column starts holds the start of a cell
            prefix = ""
            for ch in l:
                if width(prefix) >= at:
                    break
                prefix += ch
            starts.add(width(prefix) == at and (prefix.endswith(" ") or prefix == ""))
        assert starts == {True}, (col, r.out)


def test_every_drill_speaks_english_and_chinese():
    """Task, title, hint and every check name in both languages (drill.yaml or its zh.yaml)."""
    missing = []
    for d in drills.list_drills():
        for what, texts in (("task", d.task), ("title", d.titles), ("hint", d.hint)):
            if not (texts.get("en") and texts.get("zh")):
                missing.append(f"{d.name}: {what}")
        for i, c in enumerate(d.checks):
            n = c.get("name")
            if not (isinstance(n, dict) and n.get("en") and n.get("zh")):
                missing.append(f"{d.name}: checks[{i}].name")
    assert not missing, missing


def test_drill_check_in_chinese(mk):
    mk("drill", "start", "wrong-targetport")
    mk.advance(30)
    r = mk("drill", "check", "--lang", "zh")
    assert r.code == 1
    assert "练习 wrong-targetport: 指向错误容器端口的 Service" in r.out
    assert "client 访问 http://orders 得到 HTTP 200" in r.out
    assert "应为 ok" in r.out                     # the reason, translated around its values
    assert "得分:0/4" in r.out
    r = mk("drill", "hint", "--lang", "zh")
    assert "nginx 监听的是 80" in r.out


def test_every_engine_text_has_its_chinese():
    import ast
    from pathlib import Path
    from minikctl.labs.messages_drill import ZH
    root = Path(__file__).resolve().parent.parent / "minikctl"
    missing = []
    for f in [root / "cli" / "drill_cmd.py", root / "labs" / "drill_exam.py"]:
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_t", "t") and node.args \
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                if node.args[0].value not in ZH:
                    missing.append(node.args[0].value)
    assert not missing, missing
