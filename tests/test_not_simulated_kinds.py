"""Bar 5: a resource a real v1.32 apiserver serves but minikctl does not model says so in one
line; it never gets the realistic "doesn't have a resource type" / "no matches for kind" errors,
which would teach that Kubernetes lacks it. Names unknown to Kubernetes keep the real errors."""
from __future__ import annotations

import pytest

from minikctl.api import builtin_resources, kinds

UNMODELLED = [r for r in builtin_resources.RESOURCES
              if not any(k.plural == r.plural and k.group == r.group for k in kinds.KINDS)]


def _full(r) -> str:
    return f"{r.plural}.{r.group}" if r.group else r.plural


@pytest.mark.parametrize("res", UNMODELLED, ids=_full)
def test_get_an_unmodelled_resource(mk, res):
    want = f"minikctl: {_full(res)} is not simulated\n"
    names = [n for n in {res.plural, res.singular, _full(res), *res.short} if n.lower() not in kinds._ALIASES]
    assert names
    for name in names:            # (`events` is the core kind, modelled; events.events.k8s.io is not)
        r = mk("get", name)
        assert (r.code, r.err) == (1, want), name


@pytest.mark.parametrize("res", [r for r in UNMODELLED if r.singular.isalpha()], ids=_full)
def test_apply_an_unmodelled_kind(mk, res, tmp_path):
    # the kind as its Go type is spelled is the singular, case-insensitively
    kind = res.singular
    api = f"{res.group}/v1" if res.group else "v1"
    f = tmp_path / "x.yaml"
    f.write_text(f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: x}}\n")
    r = mk("apply", "-f", str(f))
    assert (r.code, r.err) == (1, f"minikctl: {_full(res)} is not simulated\n")


def test_unknown_names_keep_the_real_errors(mk, tmp_path):
    assert mk("get", "widgets").err == 'error: the server doesn\'t have a resource type "widgets"\n'
    f = tmp_path / "x.yaml"
    f.write_text("apiVersion: apps/v2\nkind: Deployment\nmetadata: {name: x}\n")
    assert "no matches for kind \"Deployment\" in version \"apps/v2\"" in mk("apply", "-f", str(f)).err
    assert len(UNMODELLED) >= 10
