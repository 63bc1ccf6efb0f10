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


_WALKED: dict[int, tuple] = {}


def walk(tree) -> list:
    """ast.walk(tree) as a list, made once per tree (a dozen tests walk every module); the tree
    is kept with its nodes, so its id cannot be reused by another."""
    got = _WALKED.get(id(tree))
    if got is None or got[0] is not tree:
        got = _WALKED[id(tree)] = (tree, list(ast.walk(tree)))
    return got[1]


def imported(tree) -> set[str]:
    names = set()
    for node in walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "module", "function") and isinstance(node.func.value, ast.Name) and node.func.value.id == "lazy" \
                and node.args and isinstance(node.args[0], ast.Constant):
            names.add(node.args[0].value)  # loaded on first use (minikctl/lazy.py): a dependency all the same
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
    """yaml, rich, dnslib and cryptography (minikctl/lazy.py's HEAVY) are declared with
    lazy.module() / lazy.function(), never imported at a module's top level (a plain `get` must
    not pay for them)."""
    from minikctl.lazy import HEAVY
    bad = []
    for rel, tree in modules():
        for node in tree.body:
            mods = []
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                mods = [node.module]
            if any(m.split(".")[0] in HEAVY for m in mods):
                bad.append(rel)
    assert not bad, bad


WALL_CLOCK = {("time", "time"), ("datetime", "now"), ("datetime", "utcnow"), ("date", "today"),
              ("time", "localtime"), ("time", "gmtime")}  # the last two only without an argument
GLOBAL_RANDOM = {"random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "getrandbits",
                 "uniform", "seed"}


def calls(tree):
    for node in walk(tree):
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


def _lazy_handle(node) -> bool:
    """`name = lazy.module("...")`: a module loaded on first use (minikctl/lazy.py)."""
    v = node.value
    return isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and v.func.attr == "module" \
        and isinstance(v.func.value, ast.Name) and v.func.value.id == "lazy"


def test_the_command_environment_is_no_module_global():
    """cli/context.py keeps no Env of its own: no module-level assignment there, and nothing
    outside it sets one (the environment is passed, via click's context object)."""
    tree = dict(modules())["cli/context.py"]
    assigned = [t.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign)) and not _lazy_handle(node)
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target]) if isinstance(t, ast.Name)]
    assert assigned == []
    assert not any(isinstance(n, ast.Global) for n in walk(tree))


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


# The imports that must stay inside their function, as file:function -> why. Everything else a
# module needs is declared at its top: cheap standard-library modules plainly, minikctl's own
# modules and the heavy third-party ones through minikctl/lazy.py.
FUNCTION_LEVEL_IMPORTS = {
    "shell/repl.py:_setup_readline": "readline is optional (a Python built without it runs the shell without line "
                                     "editing: try/except ImportError) and only an interactive terminal session "
                                     "wants it (importing it changes how input() reads the terminal)",
}


def _function_level_imports():
    """(file, function, import node) for every import nested in a function (or a method)."""
    for rel, tree in modules():
        parents = {c: n for n in walk(tree) for c in ast.iter_child_nodes(n)}
        for node in walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and not (
                    isinstance(node, ast.ImportFrom) and node.module == "__future__"):
                p = parents.get(node)
                while p is not None and not isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    p = parents.get(p)
                if p is not None:
                    yield rel, p.name, node


def test_lazy_loading_goes_through_the_registry_not_function_level_imports():
    """Issue 18: a module declares at its top what it loads (minikctl/lazy.py for minikctl's own
    modules and heavy ones: `yaml = lazy.module("yaml")`, `open_cluster = lazy.function(...)`),
    never with an import inside a function, except the few FUNCTION_LEVEL_IMPORTS names with
    the reason. 222 imports sat inside functions (in 98 files) before this rule."""
    found = sorted({f"{rel}:{fn}": node.lineno for rel, fn, node in _function_level_imports()}.items())
    bad = [f"{where} (line {line})" for where, line in found if where not in FUNCTION_LEVEL_IMPORTS]
    assert not bad, "imports inside functions: declare them at the module's top, plainly (cheap standard " \
        "library) or with lazy.module() / lazy.function() (minikctl/lazy.py); if one truly must stay, " \
        f"add it to FUNCTION_LEVEL_IMPORTS with the reason: {bad}"
    stale = sorted(set(FUNCTION_LEVEL_IMPORTS) - {where for where, _ in found})
    assert not stale, f"FUNCTION_LEVEL_IMPORTS names functions that import nothing any more: {stale}"


@lru_cache(maxsize=None)
def _defined_names(src) -> frozenset:
    tree = ast.parse(src.read_text())
    names = set()
    for n in walk(tree):
        if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            names.add(n.name)
        elif isinstance(n, ast.Assign):
            names |= {t.id for t in n.targets if isinstance(t, ast.Name)}
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            names |= {a.asname or a.name for a in n.names}
    return frozenset(names)


def test_every_lazy_declaration_names_what_exists():
    """Each `lazy.module("m")` / `lazy.function("m", "name")` names a module that exists and, for a
    function, a name the module defines (a typo would surface only on the path that uses it)."""
    import importlib.util
    bad = []
    for rel, tree in modules():
        for node in tree.body:
            if not (isinstance(node, ast.Assign) and _lazy_handle(node)) and not (
                    isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                    and isinstance(node.value.func, ast.Attribute) and node.value.func.attr == "function"
                    and isinstance(node.value.func.value, ast.Name) and node.value.func.value.id == "lazy"):
                continue
            args = [a.value for a in node.value.args]
            name = args[0]
            if name.startswith("minikctl"):
                path = ROOT.joinpath(*name.split("."))
                src = path.with_suffix(".py") if path.with_suffix(".py").exists() else path / "__init__.py"
                if not src.exists():
                    bad.append(f"{rel}:{node.lineno}: no module {name}")
                elif len(args) > 1:
                    defined = _defined_names(src)
                    if args[1] not in defined:
                        bad.append(f"{rel}:{node.lineno}: {name} defines no {args[1]}")
            elif importlib.util.find_spec(name.split(".")[0]) is None:
                bad.append(f"{rel}:{node.lineno}: no module {name}")
    assert not bad, bad


def test_a_lazy_module_becomes_the_module_on_first_use():
    import types

    from minikctl import lazy
    g = {"__name__": "probe"}
    exec("from minikctl import lazy\nm = lazy.module('minikctl.timeutil')\nf = lazy.function('minikctl.timeutil', 'fmt')",
         g)
    assert isinstance(g["m"], lazy.Lazy) and "minikctl.timeutil" in lazy.DEFERRED["probe"]
    assert g["m"].fmt(0) == "1970-01-01T00:00:00Z"
    assert isinstance(g["m"], types.ModuleType)  # the stand-in gave its place to the module
    assert g["f"](0) == "1970-01-01T00:00:00Z"


def test_only_the_store_speaks_sql_to_the_cluster_state():
    """Every change to the cluster's state file goes through store/db.py (objects through the
    API door above it); a drill's reset asks the store to clear itself. The drill progress
    database (labs/drill_state.py's own file) and the apiserver's read-only watch-cache reader
    are separate connections of their own."""
    bad = []
    for rel, tree in modules():
        if rel.startswith("store/"):
            continue
        for node in walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and any(
                    w in node.value for w in ("DELETE FROM objects", "INSERT INTO objects", "UPDATE objects",
                                              "INSERT OR REPLACE INTO objects", "DELETE FROM timers", "DELETE FROM meta",
                                              "INSERT INTO meta", "INSERT OR REPLACE INTO meta")):
                bad.append(f"{rel}:{node.lineno}")
    assert not bad, bad


def test_controllers_write_only_through_the_api_door():
    """docs/architecture.md: objects enter, change and leave through api/server.py; the
    controllers (and the apiserver's handlers) never call the cluster's own put / remove /
    set_status (issue 18 item 14: 22 such writes when it was filed)."""
    bad = [f"{rel}:{node.lineno}" for rel, tree in modules()
           if rel not in ("sim/cluster.py", "api/server.py")
           for owner, attr, node in calls(tree) if owner == "cluster" and attr in ("put", "remove", "set_status")]
    assert not bad, bad
