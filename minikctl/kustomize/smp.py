"""Strategic merge as kustomize does it (kyaml's merge2), which is not the apiserver's: in a list
merged by key, the patch's elements come first, in the patch's order, then the original's
elements the patch did not name. Lists with no merge key are replaced. `$patch: delete|replace`
directives are honoured; `null` removes a field."""
from __future__ import annotations

import copy

from minikctl.kustomize import KustomizeError
from minikctl import lazy

merge_key = lazy.function("minikctl.api.patch", "merge_key")

# kyaml's fallback associative keys, for lists the schema says nothing about
_ASSOCIATIVE = ("mountPath", "devicePath", "ip", "type", "topologyKey", "name", "containerPort")


def _key_for(path: tuple, dest: list, patch: list) -> str | None:
    k = merge_key(path)
    if k:
        return k
    items = [x for x in list(dest) + list(patch) if not (isinstance(x, dict) and set(x) <= {"$patch"})]
    if not items or not all(isinstance(x, dict) for x in items):
        return None
    for cand in _ASSOCIATIVE:
        if all(cand in x for x in items):
            return cand
    return None


def _strip(v):
    if isinstance(v, dict):
        return {k: _strip(x) for k, x in v.items() if not k.startswith("$") and x is not None}
    if isinstance(v, list):
        return [_strip(x) for x in v]
    return v


def merge(dest, patch, path: tuple = ()):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    directive = patch.get("$patch")
    if directive == "delete":
        return None
    if directive == "replace":
        return _strip(patch)
    if directive not in (None, "merge"):
        raise KustomizeError(f"unknown patch directive {directive}")
    out = copy.deepcopy(dest) if isinstance(dest, dict) else {}
    for k, v in patch.items():
        if k.startswith("$"):
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict):
            m = merge(out.get(k), v, path + (k,))
            if m is None:
                out.pop(k, None)
            else:
                out[k] = m
        elif isinstance(v, list):
            out[k] = _merge_list(out.get(k), v, path + (k,))
        else:
            out[k] = copy.deepcopy(v)
    return out


def _merge_list(dest, patch: list, path: tuple) -> list:
    dest = dest if isinstance(dest, list) else []
    def lone(x) -> bool:
        return isinstance(x, dict) and x.get("$patch") == "replace" and set(x) == {"$patch"}
    if any(lone(x) for x in patch):   # `- $patch: replace`: the patch's elements are the list
        return [_strip(x) for x in patch if not lone(x)]
    key = _key_for(path, dest, patch)
    if key is None:
        return [_strip(x) for x in patch]
    out, named = [], set()
    for p in patch:
        if not isinstance(p, dict) or key not in p:
            continue
        kv = p[key]
        named.add(_hashable(kv))
        if p.get("$patch") == "delete":
            continue
        d = next((x for x in dest if isinstance(x, dict) and x.get(key) == kv), None)
        if p.get("$patch") == "replace":   # kyaml keeps the element it has (and adds one it lacks)
            out.append(copy.deepcopy(d) if d is not None else _strip(p))
            continue
        m = merge(d, p, path)
        if m is not None:
            out.append(m)
    out += [copy.deepcopy(x) for x in dest if not (isinstance(x, dict) and _hashable(x.get(key)) in named)]
    return out


def _hashable(v):
    return repr(v)
