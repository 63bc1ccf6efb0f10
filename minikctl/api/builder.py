"""Resource arguments as kubectl's builder reads them: `svc,po`, `po/web`, `svc a b`, `all`."""
from __future__ import annotations

from dataclasses import dataclass, field

from minikctl.api import kinds
from minikctl.api.errors import CliError


@dataclass
class Request:
    kind: kinds.Kind
    names: list[str] = field(default_factory=list)


def parse(args: list[str], *, require_names: bool = False) -> list[Request]:
    """-> [Request(kind, names)] in the order kubectl visits them."""
    if not args:
        return []
    if any("/" in a for a in args):
        reqs: list[Request] = []
        for a in args:
            if "/" not in a:
                raise CliError("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'")
            parts = a.split("/")
            if len(parts) > 2:
                raise CliError("arguments in resource/name form may not have more than one slash")
            k = kinds.resolve(parts[0])
            if not parts[1]:
                raise CliError("arguments in resource/name form must have a single resource and name")
            if reqs and reqs[-1].kind == k:
                reqs[-1].names.append(parts[1])
            else:
                reqs.append(Request(k, [parts[1]]))
        return reqs
    types, names = args[0], args[1:]
    out: list[Request] = []
    for t in types.split(","):
        if not t:
            continue
        if t == "all":
            out.extend(Request(kinds.BY_KIND[k], list(names)) for k in kinds.ALL_ORDER)
            kinds.refresh()              # CRD kinds in the `all` category join it
            out.extend(Request(k, list(names)) for k in kinds.in_category("all") if k.crd is not None)
            continue
        members = kinds.in_category(t) if kinds.is_category(t) else []
        if members:                      # a CRD's category (`kubectl get gateway-api`)
            out.extend(Request(k, list(names)) for k in members if not any(r.kind == k for r in out))
            continue
        k = kinds.resolve(t)
        if not any(r.kind == k for r in out):
            out.append(Request(k, list(names)))
    if require_names and not names:
        raise CliError("resource(s) were provided, but no name was specified")
    return out


def multiple_types_requested(args: list[str]) -> bool:
    """Whether the arguments name more than one resource type, as cli-runtime's
    MultipleTypesRequested decides it: `all` anywhere, `a,b` (two distinct strings), or
    `a/x b/y` with two distinct type strings. kubectl get then prints `kind/name` even when
    only one kind had objects (`get all` on a namespace with services only, `get svc,ep`
    where no Endpoints matched). The strings are compared as typed: `svc,service` counts as two."""
    if len(args) >= 2 and len(dict.fromkeys(args[0].split(","))) > 1:  # `a,b x y` -> a/x a/y b/x b/y
        args = [f"{t}/{n}" for t in dict.fromkeys(args[0].split(",")) for n in args[1:]]
    typed = set()
    for a in args:
        if a == "all":
            return True
        if "/" not in a:
            if len(dict.fromkeys(a.split(","))) > 1:
                return True
            continue
        typed.add(a.split("/", 1)[0])
    return len(typed) > 1
