"""The live objects a write verb names: `TYPE NAME...`, `TYPE/NAME`, `-f FILE`, `-l SEL`, `--all`.

expose, scale, label, annotate, set and patch all resolve their arguments to stored objects the
same way, with kubectl's errors for a missing name or no resource at all; this is that lookup.
"""
from __future__ import annotations

from minikctl.api import kinds
from minikctl.api.errors import CliError
from minikctl.cli import context
from minikctl.api.errors import not_found
from minikctl import lazy

builder = lazy.module("minikctl.api.builder")
manifests = lazy.module("minikctl.api.manifests")
selectors = lazy.module("minikctl.api.selectors")


def _targets(cluster, args: list[str], filenames: list[str], ns: str, selector: str | None = None,
             all_: bool = False, missing: list | None = None) -> list[dict]:
    """The live objects named by `TYPE NAME...`, `TYPE/NAME`, `-f FILE`, `TYPE -l SEL` or `TYPE --all`.

    A missing name raises NotFound, unless `missing` is given: then its error is collected there
    (kubectl's builder visits the other names and the verb reports the failures after).
    """
    out: list[dict] = []
    if filenames:
        for doc in manifests.read(filenames, False, context.env().stdin):
            if doc.error:
                raise CliError(doc.error)
            k = kinds.by_kind(doc.obj["kind"])
            meta = doc.obj["metadata"]
            live = cluster.get(k.kind, (meta.get("namespace") or ns) if k.namespaced else None, meta["name"])
            if live is None:
                raise not_found(k.resource, meta["name"])
            out.append(live)
        return out
    if not args:
        raise CliError("You must provide one or more resources by argument or filename.\n"
                       "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
                       "   '<resource> <name>'\n   '<resource>'")
    reqs = builder.parse(args)
    for r in reqs:
        scope = ns if r.kind.namespaced else None
        if r.names:
            for n in r.names:
                live = cluster.get(r.kind.kind, scope, n)
                if live is None:
                    if missing is None:
                        raise not_found(r.kind.resource, n)
                    missing.append(not_found(r.kind.resource, n))
                    continue
                out.append(live)
        elif selector is not None or all_:
            reqs_sel = selectors.parse_selector(selector) if selector else None
            out.extend(o for o in cluster.list(r.kind.kind, scope)
                       if reqs_sel is None or selectors.matches(reqs_sel, o["metadata"].get("labels")))
        else:
            raise CliError("resource(s) were provided, but no name was specified")
    return out
