"""docs/architecture.md's import and determinism contracts, checked on the source (AST), so the
document stays true as modules are added."""
from __future__ import annotations

import ast
from functools import lru_cache

import pytest

from conftest import ROOT

PKG = ROOT / "minikctl"
FRONT_ENDS = ("cli", "apiserver", "shell", "labs")
RICH_ALLOWED = {"printers/colour.py", "printers/traffic_chart.py", "labs/render.py"}


@lru_cache(maxsize=1)
def _parsed() -> tuple:
    return tuple((path.relative_to(PKG).as_posix(), ast.parse(path.read_text(), filename=str(path)))
                 for path in sorted(PKG.rglob("*.py")))


def modules():
    return iter(_parsed())


def imported(tree) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def below_front_ends(rel: str) -> bool:
    return rel.split("/", 1)[0] not in FRONT_ENDS and rel not in ("__main__.py", "env.py")


def test_nothing_below_the_front_ends_imports_typer():
    bad = [rel for rel, tree in modules() if below_front_ends(rel)
           and any(n == "typer" or n.startswith("typer.") or n == "click" for n in imported(tree))]
    assert not bad, bad


def test_rich_only_in_printers_and_the_lab_renderer():
    bad = [rel for rel, tree in modules() if rel not in RICH_ALLOWED
           and any(n == "rich" or n.startswith("rich.") for n in imported(tree))]
    assert not bad, bad


def test_heavy_imports_are_lazy():
    """yaml, rich and dnslib are imported inside the functions that need them, never at a
    module's top level (a plain `get` must not pay for them)."""
    bad = []
    for rel, tree in modules():
        for node in tree.body:
            mods = []
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                mods = [node.module]
            if any(m.split(".")[0] in ("yaml", "rich", "dnslib") for m in mods):
                bad.append(rel)
    assert not bad, bad


WALL_CLOCK = {("time", "time"), ("datetime", "now"), ("datetime", "utcnow"), ("date", "today"),
              ("time", "localtime"), ("time", "gmtime")}  # the last two only without an argument
GLOBAL_RANDOM = {"random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "getrandbits",
                 "uniform", "seed"}


def calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else None
            yield name, node.func.attr, node


def test_no_wall_clock_below_the_cli():
    """Simulated time is view.now. The store is exempt: it judges files on disk (a state file's
    age against its mtime), which is the host's time, not the cluster's."""
    bad = [(rel, node.lineno) for rel, tree in modules() if below_front_ends(rel) and not rel.startswith("store/")
           for owner, attr, node in calls(tree) if (owner, attr) in WALL_CLOCK
           and not (attr in ("gmtime", "localtime") and node.args)]
    assert not bad, bad


def test_no_global_random_below_the_cli():
    """Random draws come from the cluster's seeded generator (view.rng / cluster.rng), never from
    the random module's hidden global one."""
    bad = [(rel, node.lineno) for rel, tree in modules() if below_front_ends(rel)
           for owner, attr, node in calls(tree) if owner == "random" and attr in GLOBAL_RANDOM]
    assert not bad, bad


@pytest.mark.parametrize("rel", ["sim/controllers/__init__.py"])
def test_the_controllers_simulation_md_names_are_the_settled_ones(rel):
    from minikctl.sim import controllers
    names = [c.__name__.rsplit(".", 1)[-1] for c in controllers.CONTROLLERS]
    sim = (ROOT / "docs" / "simulation.md").read_text()
    arch = (ROOT / "docs" / "architecture.md").read_text()
    assert [n for n in names if n not in sim or n not in arch] == []


def test_every_module_is_on_the_map():
    """Each package directory and each module of minikctl/ appears in architecture.md's map."""
    arch = (ROOT / "docs" / "architecture.md").read_text()
    missing = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        if path.name == "__init__.py" or "applets" in rel.parts or "behaviours" in rel.parts \
                or rel.parts[0] == "printers" and "describe" in rel.parts \
                or rel.parts[0] == "cli" and path.name.endswith("_cmd.py"):  # `<verb>_cmd.py`
            continue
        if path.stem not in arch:
            missing.append(rel.as_posix())
    assert not missing, f"add to docs/architecture.md: {missing}"


def test_run_leaves_the_callers_command_environment(tmp_path, monkeypatch):
    """A command line run in-process from inside another (shell, lab, drill, editor hook) does not
    replace the outer command's environment: each run passes its Env to click as the context
    object, and nothing in cli/context.py holds one."""
    import io

    from minikctl.cli import context, get_cmd
    from minikctl.cli.main import run
    from minikctl.env import Env
    outer = Env(stdout=io.StringIO(), stderr=io.StringIO(), home=tmp_path / "outer", no_color=True)
    inner = Env(stdout=io.StringIO(), stderr=io.StringIO(), home=tmp_path / "inner", no_color=True)
    seen = []
    real_get = get_cmd.get

    def get_running_another_line(*args, **kwargs):  # an editor hook / a shell line: a nested run
        if context.env() is outer:
            seen.append("outer")
            assert run(["get", "ns"], inner) == 0
            assert run(["no-such-verb"], inner) == 1  # an error path too
            seen.append("outer" if context.env() is outer else "lost")
        return real_get(*args, **kwargs)
    monkeypatch.setattr(get_cmd, "get", get_running_another_line)
    assert run(["get", "ns"], outer) == 0, outer.stderr.getvalue()
    assert seen == ["outer", "outer"]
    assert "default" in inner.stdout.getvalue() and "default" in outer.stdout.getvalue()
    assert "unknown command" in inner.stderr.getvalue() and outer.stderr.getvalue() == ""


def test_the_command_environment_is_no_module_global():
    """cli/context.py keeps no Env of its own: no module-level assignment there, and nothing
    outside it sets one (the environment is passed, via click's context object)."""
    tree = dict(modules())["cli/context.py"]
    assigned = [t.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target]) if isinstance(t, ast.Name)]
    assert assigned == []
    assert not any(isinstance(n, ast.Global) for n in ast.walk(tree))


def test_the_tests_and_benchmarks_read_nothing_beside_the_repository():
    """Issue 18: a bare clone runs every test. No test, helper or benchmark names the shared
    folder beside the checkout (../shared, its reference/ or spec/), and conftest drops no test
    module from collection (.ci/run compares a bare clone's collection with the checkout's)."""
    import re
    beside = re.compile(r"\.\./shared(/|$)|(^|/)shared/(reference|spec|seed|design|tools|hooks)\b|^/work/(shared|main)\b")
    bad = []
    for top in ("tests", "benchmarks", "tools"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if path.name == "test_architecture.py":  # this test's own words
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and beside.search(node.value):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bad, bad
    conftest = ast.parse((ROOT / "tests" / "conftest.py").read_text())
    names = {n.id for n in ast.walk(conftest) if isinstance(n, ast.Name)} | \
            {n.name for n in ast.walk(conftest) if isinstance(n, ast.FunctionDef)}
    assert not names & {"collect_ignore", "collect_ignore_glob", "pytest_ignore_collect",
                        "pytest_collection_modifyitems"}, names
