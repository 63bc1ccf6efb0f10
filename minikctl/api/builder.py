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
            continue
        k = kinds.resolve(t)
        if not any(r.kind == k for r in out):
            out.append(Request(k, list(names)))
    if require_names and not names:
        raise CliError("resource(s) were provided, but no name was specified")
    return out
