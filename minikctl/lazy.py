"""Modules loaded on first use, declared at the top of the module that uses them.

A command imports only what its path needs (docs/architecture.md, "What one command costs"):
`minikctl get` must not pay for the kustomize engine, the DNS wire format, rich or the CA's
cryptography. Rather than an `import` hidden inside each function that needs a module, a module
names what it loads lazily once, at its top, through this registry:

    from minikctl import lazy

    yaml = lazy.module("yaml")
    server = lazy.module("minikctl.api.server")

`server` is a stand-in until one of its names is first read (`server.create(...)`): then the real
module is imported and takes the stand-in's place in the module that declared it, so every later
use is a plain module attribute, with nothing in between. A function or class the module only
calls is declared the same way (`open_cluster = lazy.function("minikctl.sim.cluster",
"open_cluster")`) and looked up in its module at each call. Import cycles stay visible: a module's
deferred dependencies are listed at its top, and `DEFERRED` records them all (which module
defers which), for tests and for anyone tracing what a command loads.
"""
from __future__ import annotations

import importlib
import sys

# module that defers -> the modules it loads on first use
DEFERRED: dict[str, set[str]] = {}
# heavy third-party modules that must only ever be reached lazily (tests/test_architecture.py)
HEAVY = ("yaml", "rich", "dnslib", "cryptography")


def _imported(name: str):
    """The module, imported if need be. A module another thread is still importing is in
    sys.modules half made (`minikctl serve` answers requests on many threads): only
    importlib, which waits on the module's import lock, may hand that one out. Serve's first 50
    concurrent watches got 500s ("partially initialized module ... has no attribute 'respond'")
    when this read sys.modules directly."""
    mod = sys.modules.get(name)
    if mod is None or getattr(getattr(mod, "__spec__", None), "_initializing", False):
        mod = importlib.import_module(name)
    return mod


class Lazy:
    """Stands in for a module until one of its names is read."""

    __slots__ = ("_lazy_name", "_lazy_into")

    def __init__(self, name: str, into: dict):
        object.__setattr__(self, "_lazy_name", name)
        object.__setattr__(self, "_lazy_into", into)

    def _lazy_load(self):
        mod = _imported(self._lazy_name)
        into = self._lazy_into
        for key, value in list(into.items()):  # the declaring module uses the module itself from now on
            if value is self:
                into[key] = mod
        return mod

    def __getattr__(self, attr: str):
        return getattr(self._lazy_load(), attr)

    def __setattr__(self, attr: str, value) -> None:
        setattr(self._lazy_load(), attr, value)

    def __repr__(self) -> str:
        return f"<lazy module {self._lazy_name!r}>"


class LazyFunction:
    """Stands in for a function or class of a module that is loaded when it is first called.
    Every call looks the name up again in its module, as an import inside the function did: a
    test that patches the module's function is seen, and nothing is bound for good."""

    __slots__ = ("_module", "_name")

    def __init__(self, module_name: str, name: str):
        self._module, self._name = module_name, name

    def __call__(self, *args, **kwargs):
        mod = _imported(self._module)
        return getattr(mod, self._name)(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<lazy {self._module}.{self._name}>"


def function(module_name: str, name: str) -> LazyFunction:
    """A stand-in for `module_name.name`, a function or class the caller only calls."""
    into = sys._getframe(1).f_globals
    DEFERRED.setdefault(into.get("__name__", "?"), set()).add(module_name)
    return LazyFunction(module_name, name)


def module(name: str) -> Lazy:
    """A stand-in for module `name`, bound by the caller at its top level."""
    into = sys._getframe(1).f_globals
    DEFERRED.setdefault(into.get("__name__", "?"), set()).add(name)
    return Lazy(name, into)
