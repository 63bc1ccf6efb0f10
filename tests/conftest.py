"""Shared fixtures: run minikctl in-process against an isolated state directory, on a virtual
clock and a fixed seed, and capture what it prints."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tablecheck import table_check  # noqa: F401  (tests import it from here)

# pytest imports this file as `conftest`, test modules as `tests.conftest`: one module under both
# names, so its template cache, key pool and patches exist once (a second copy would patch the
# key maker again, and its Minikctl would not see which test patches things).
sys.modules.setdefault("conftest", sys.modules[__name__])
sys.modules.setdefault("tests.conftest", sys.modules[__name__])

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"  # everything the tests read lives in the repository
SPEC = DATA / "three-services"  # the flagship spec's four manifests
REFERENCE = DATA / "reference"  # facts read from kubectl / ipvsadm sources, as the tests quote them
T0 = 1_764_000_000.0  # a fixed start for the virtual clock

# kubectl, the oracle of many tests, is a Go program: a short run spends a fifth of its ~50 ms of
# CPU collecting garbage of a heap it exits from moments later. GOGC=400 collects less often
# (~15% less CPU per run, a few MB more memory); it changes nothing kubectl prints. Tests that
# pass kubectl an environment of their own add GO_SPEED to it.
GO_SPEED = {"GOGC": "400"}
os.environ.update({k: v for k, v in GO_SPEED.items() if k not in os.environ})


@dataclass
class Result:
    code: int
    out: str
    err: str


class Minikctl:
    """`mk("get", "po")` runs one command line in-process; `mk.clock += 5` moves time on."""

    def __init__(self, home: Path, seed: int = 7):
        self.home = home
        self.seed = seed
        self.clock = T0

    def __call__(self, *argv: str, stdin: str = "") -> Result:
        from minikctl.cli.main import run
        from minikctl.env import Env
        _from_template(self, argv)
        out, err = io.StringIO(), io.StringIO()
        env = Env(stdout=out, stderr=err, stdin=io.StringIO(stdin), home=self.home, clock=lambda: self.clock,
                  seed=self.seed, no_color=True)
        code = run(list(argv), env)
        return Result(code, out.getvalue(), err.getvalue())

    def advance(self, seconds: float) -> None:
        self.clock += seconds

    def apply_spec(self, *names: str, settle: float = 30.0) -> None:
        for n in names or ("test-headless-server", "web-server", "headless-web-server", "busybox"):
            r = self(f"apply", "-f", str(SPEC / f"{n}.yaml"))
            assert r.code == 0, r.err
        self.advance(settle)


# The cluster every test starts from is kubeadm's bootstrap at T0, the same bytes each time
# (seeded, on the virtual clock). Made once per test process and seed, then copied into a new
# state directory before its first command, instead of bootstrapping again in each of thousands of
# tests. Only where nothing could make the bootstrap differ: the clock still at T0, no MINIKCTL_*
# variable, and a first command that does not make clusters of its own.
_TEMPLATES: dict[int, bytes] = {}
_OWN_BOOTSTRAP = {"cluster", "lab", "drill", "exam", "config", "kubeconfig", "serve", "shell",
                  "addons", "dns"}


_PATCHING = [False]   # the running test patches something (monkeypatch): it bootstraps for itself


@pytest.fixture(autouse=True)
def _patching(request):
    _PATCHING[0] = "monkeypatch" in request.fixturenames
    yield
    _PATCHING[0] = False


def _from_template(m: "Minikctl", argv) -> None:
    if getattr(m, "_templated", False):
        return
    m._templated = True
    db = m.home / "cluster.db"
    if (m.clock != T0 or not argv or argv[0] in _OWN_BOOTSTRAP or any(a.startswith("--context") for a in argv)
            or db.exists() or m.home.exists() and any(m.home.iterdir())
            or any(k.startswith("MINIKCTL_") for k in os.environ)):
        return
    if _PATCHING[0]:
        return
    if m.seed not in _TEMPLATES:     # made in a fresh process: no test's patches can reach it
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            code = ("import sys; sys.path.insert(0, sys.argv[1]); from conftest import Minikctl; from pathlib import Path;"
                    "t = Minikctl(Path(sys.argv[2]), seed=int(sys.argv[3])); t._templated = True;"
                    "r = t('get', 'ns'); assert r.code == 0, r.err")
            subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(Path(d) / "state"),
                            str(m.seed)], check=True, cwd=str(ROOT), timeout=120,
                           env={k: v for k, v in os.environ.items() if not k.startswith("MINIKCTL_")})
            _TEMPLATES[m.seed] = (Path(d) / "state" / "cluster.db").read_bytes()
    m.home.mkdir(parents=True, exist_ok=True)
    db.write_bytes(_TEMPLATES[m.seed])
    os.chmod(db, 0o600)
    import json
    import secrets
    import sqlite3
    conn = sqlite3.connect(db)   # the one thing a bootstrap draws from the OS: serve's token
    with conn:
        meta = json.loads(conn.execute("SELECT value FROM meta WHERE key='cluster'").fetchone()[0])
        meta["token"] = secrets.token_hex(16)
        conn.execute("UPDATE meta SET value=? WHERE key='cluster'", (json.dumps(meta),))
    conn.close()


# RSA keys cost ~40 ms each, and a kubeadm cluster's PKI holds about twenty. The tests take them
# from a pool of real keys (minikctl/sim/ca.py's new_rsa_key is where every key is born): each test
# is handed pool[0], pool[1], ... in turn, made on first need, so the keys within one test are all
# distinct (a renewal's old and new, two clusters' CAs), and the next test reuses them.
_KEY_POOL: list = []
_KEY_CALLS = [0]


@pytest.fixture(autouse=True)
def _keys_from_the_pool_start():
    _KEY_CALLS[0] = 0


def _pooled_rsa_key():
    i = _KEY_CALLS[0]
    _KEY_CALLS[0] += 1
    if not _KEY_POOL:
        _KEY_POOL.extend(_shared_pool())
    if i == len(_KEY_POOL):
        _KEY_POOL.append(_new_rsa_key())
    return _KEY_POOL[i]


# The pool's first keys are made once, not in every process: the process that configures first
# (xdist's controller, or a run without xdist) keeps POOL_START keys in pytest's cache directory,
# for later runs too, and names the file in POOL_ENV; the workers and the bootstrap template's
# subprocess start their pools from it. (Without the cache plugin each process makes its own.)
POOL_START = 40
POOL_ENV = "TESTS_RSA_KEY_POOL"
_PEM_END = "-----END RSA PRIVATE KEY-----\n"


def _pool_pems(path: Path) -> list[str]:
    try:
        text = path.read_text()
    except OSError:
        return []
    return [block + _PEM_END for block in text.split(_PEM_END) if block.strip()]


def _shared_pool() -> list:
    path = os.environ.get(POOL_ENV)
    return [_ca.load_own_key(pem) for pem in (_pool_pems(Path(path)) if path else [])]


def pytest_configure(config):
    if os.environ.get(POOL_ENV) or hasattr(config, "workerinput") or getattr(config, "cache", None) is None:
        return
    from cryptography.hazmat.primitives import serialization
    path = config.cache.mkdir("rsa-key-pool") / "keys.pem"
    if len(_pool_pems(path)) < POOL_START:
        pems = [_new_rsa_key().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                             serialization.NoEncryption()).decode() for _ in range(POOL_START)]
        part = path.with_name(f"keys.{os.getpid()}.tmp")
        part.write_text("".join(pems))
        part.chmod(0o600)
        os.replace(part, path)
    os.environ[POOL_ENV] = str(path)


from minikctl.sim import ca as _ca  # noqa: E402  (cheap: its cryptography imports are lazy)
_new_rsa_key, _ca.new_rsa_key = _ca.new_rsa_key, _pooled_rsa_key


@pytest.fixture
def mk(tmp_path) -> Minikctl:
    return Minikctl(tmp_path / "state")


def cli(*argv: str, home: Path, stdin: str = "", env_extra: dict | None = None, timeout: float = 60) -> Result:
    """Run the real `minikctl` console script in a subprocess."""
    env = dict(os.environ, MINIKCTL_HOME=str(home), NO_COLOR="1")
    env.update(env_extra or {})
    p = subprocess.run([sys.executable, "-m", "minikctl", *argv], input=stdin, capture_output=True, text=True,
                       env=env, timeout=timeout, cwd=str(ROOT))
    return Result(p.returncode, p.stdout, p.stderr)


# Modules whose tests share a costly start that each worker running one of them would pay again:
# the parsed source tree of the architecture tests (~2.5 s), the served cluster the describe
# parity tests read. Each goes to one worker whole.
ONE_WORKER_MODULES = ("tests/test_architecture.py", "tests/test_describe_parity.py")


def pytest_xdist_make_scheduler(config, log):
    """xdist's load scheduling, except that the kubectl matrix's steps of one kubectl version
    (tests/test_kubectl_matrix.py, one serve per version, steps in order) go to one worker as
    one unit, and so do the proof cases of one drill (tests/test_drill_proofs.py) and each of
    ONE_WORKER_MODULES. (xdist's own --dist loadgroup cannot do it under pytest 9: the group
    suffix it writes into item._nodeid no longer reaches the scheduler.)"""
    from xdist.scheduler import LoadScopeScheduling

    class MatrixScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if "test_kubectl_matrix.py::test_step[" in nodeid:
                return "kubectl-matrix:" + nodeid.split("[", 1)[1].split("-", 1)[0]
            if "test_drill_proofs.py::test_drill_proof[" in nodeid:   # one drill's cases: see that file
                return "drill-proof:" + nodeid.split("[", 1)[1].rsplit(":", 1)[0]
            module = nodeid.split("::", 1)[0]
            if module in ONE_WORKER_MODULES:
                return module
            return nodeid
    return MatrixScheduling(config, log)
