"""CustomResourceDefinitions (apiextensions.k8s.io/v1): what the apiextensions-apiserver does with
one, and what it then serves.

Why a module: a CRD is itself an object with defaults (names.singular, names.listKind,
conversion None), validation (pkg/apis/apiextensions/validation: its messages), and a status
its naming and establishing controllers fill in (acceptedNames, NamesAccepted, Established).
Once Established, its kind is served: `served()` turns the cluster's CRDs into the entries
api/kinds.py keeps (names, scope, versions, schema, printer columns, subresources), stored in
the cluster's meta so that resolving `kubectl get crontabs` costs no scan of the CRDs.
"""
from __future__ import annotations

import re

from minikctl.api.validation.fields import dns1035_label, dns1123_subdomain, invalid, not_supported, required
import copy
from minikctl.api.validation.fields import GoRaw
from minikctl import lazy

validate_object_meta = lazy.function("minikctl.api.validation.meta", "validate_object_meta")

GROUP = "apiextensions.k8s.io"
META_KEY = "crd_kinds"
CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"
_COLUMN_TYPES = ("integer", "number", "string", "boolean", "date")
_VERSION_RE = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def default(crd: dict) -> None:
    """SetDefaults: singular and listKind from kind, conversion None, every version's flags."""
    spec = crd.setdefault("spec", {})
    names = spec.get("names") if isinstance(spec.get("names"), dict) else None
    if names is not None and isinstance(names.get("kind"), str) and names["kind"]:
        names.setdefault("singular", names["kind"].lower())
        names.setdefault("listKind", names["kind"] + "List")
    spec.setdefault("conversion", {"strategy": "None"})


def storage_version(crd: dict) -> str:
    for v in (crd.get("spec") or {}).get("versions") or []:
        if isinstance(v, dict) and v.get("storage"):
            return v.get("name") or ""
    return ""


def validate(crd: dict, old: dict | None = None) -> list[tuple[str, str]]:
    """ValidateCustomResourceDefinition: the causes, field path first."""
    errs = validate_object_meta(crd, False)
    spec = crd.get("spec") or {}
    meta = crd.get("metadata") or {}
    names = spec.get("names") or {}
    group, plural = spec.get("group") or "", names.get("plural") or ""
    name = meta.get("name") or ""
    if name and name != f"{plural}.{group}":
        errs.append(invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group'))
    if not group:
        errs.append(required("spec.group"))
    elif "." not in group:
        errs.append(invalid("spec.group", group, "should be a domain with at least one dot"))
    else:
        errs += [invalid("spec.group", group, m) for m in dns1123_subdomain(group)]
    scope = spec.get("scope") or ""
    if not scope:
        errs.append(required("spec.scope"))
    elif scope not in ("Cluster", "Namespaced"):
        errs.append(not_supported("spec.scope", scope, ["Cluster", "Namespaced"]))
    versions = spec.get("versions")
    seen, storage = set(), 0
    for i, v in enumerate(versions or []):
        p = f"spec.versions[{i}]"
        if not isinstance(v, dict):
            continue
        vname = v.get("name") or ""
        if not vname or dns1035_label(vname):
            errs.append(invalid(f"{p}.name", vname, "a DNS-1035 label must consist of lower case alphanumeric "
                                "characters or '-', start with an alphabetic character, and end with an "
                                "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation "
                                "is '[a-z]([-a-z0-9]*[a-z0-9])?')"))
        seen.add(vname)
        storage += bool(v.get("storage"))
        schema = (v.get("schema") or {}).get("openAPIV3Schema") if isinstance(v.get("schema"), dict) else None
        if schema is None:
            errs.append(required(f"{p}.schema.openAPIV3Schema", "schemas are required"))
        else:
            errs += _structural(schema, f"{p}.schema.openAPIV3Schema", root=True)
        for j, col in enumerate(v.get("additionalPrinterColumns") or []):
            cp = f"{p}.additionalPrinterColumns[{j}]"
            if not col.get("name"):
                errs.append(required(f"{cp}.name"))
            if not col.get("type"):
                errs.append(required(f"{cp}.type"))
            elif col["type"] not in _COLUMN_TYPES:
                errs.append(not_supported(f"{cp}.type", col["type"], list(_COLUMN_TYPES)))
            if not col.get("jsonPath"):
                errs.append(required(f"{cp}.jsonPath"))
        sub = v.get("subresources") or {}
        scale = sub.get("scale") if isinstance(sub, dict) else None
        if isinstance(scale, dict):
            for key in ("specReplicasPath", "statusReplicasPath"):
                path = scale.get(key) or ""
                if not path:
                    errs.append(required(f"{p}.subresources.scale.{key}"))
                elif not path.startswith("."):
                    errs.append(invalid(f"{p}.subresources.scale.{key}", path, "should be a json path under "
                                        + (".spec" if key == "specReplicasPath" else ".status")))
    if versions is not None and len(seen) != len([v for v in versions if isinstance(v, dict)]):
        errs.append(invalid("spec.versions", None, "must contain unique version names"))
    if storage != 1:
        shown = GoRaw("null") if versions is None else GoRaw("[]apiextensions.CustomResourceDefinitionVersion{...}")
        errs.append(invalid("spec.versions", shown, "must have exactly one version marked as storage version"))
    if not plural:
        errs.append(required("spec.names.plural"))
    else:
        errs += [invalid("spec.names.plural", plural, m) for m in dns1035_label(plural)]
    singular = names.get("singular") or ""
    if not singular:
        errs.append(required("spec.names.singular"))
    elif dns1035_label(singular):
        errs += [invalid("spec.names.singular", singular, m) for m in dns1035_label(singular)]
    for i, sn in enumerate(names.get("shortNames") or []):
        if dns1035_label(str(sn)):
            errs += [invalid(f"spec.names.shortNames[{i}]", sn, m) for m in dns1035_label(str(sn))]
    kind = names.get("kind") or ""
    if not kind:
        errs.append(required("spec.names.kind"))
    elif dns1035_label(kind.lower()):
        errs.append(invalid("spec.names.kind", kind, "may have mixed case, but should otherwise match: "
                            "[a-z]([-a-z0-9]*[a-z0-9])?"))
    if not names.get("listKind"):
        errs.append(required("spec.names.listKind"))
    if old is not None:
        o_spec = old.get("spec") or {}
        if o_spec.get("scope") and o_spec.get("scope") != scope and _established(old):
            errs.append(invalid("spec.scope", scope, "field is immutable"))
        for v in (old.get("status") or {}).get("storedVersions") or []:
            if v not in seen:
                idx = ((old.get("status") or {}).get("storedVersions") or []).index(v)
                errs.append(invalid(f"status.storedVersions[{idx}]", v, "must appear in spec.versions"))
    return errs


def _established(crd: dict) -> bool:
    return any(c.get("type") == "Established" and c.get("status") == "True"
               for c in (crd.get("status") or {}).get("conditions") or [])


_TYPES = ("array", "boolean", "integer", "number", "object", "string")


def _structural(s, path: str, root: bool = False) -> list[tuple[str, str]]:
    """The structural-schema rules that refuse most hand-written schemas: a type everywhere
    (unless x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields), object at the root."""
    if not isinstance(s, dict):
        return []
    errs = []
    t = s.get("type")
    if t and t not in _TYPES:
        errs.append(not_supported(f"{path}.type", t, list(_TYPES)))
    if root:
        if not t:
            errs.append(required(f"{path}.type", "must not be empty at the root"))
        elif t != "object":
            errs.append(invalid(f"{path}.type", t, "must be object at the root"))
    elif not t and not s.get("x-kubernetes-int-or-string") and not s.get("x-kubernetes-preserve-unknown-fields"):
        errs.append(required(f"{path}.type", "must not be empty for specified object fields"))
    for name, sub in (s.get("properties") or {}).items():
        errs += _structural(sub, f"{path}.properties[{name}]")
    if isinstance(s.get("items"), dict):
        errs += _structural(s["items"], f"{path}.items")
    elif t == "array" and "items" not in s:
        errs.append(required(f"{path}.items", "must be specified"))
    if isinstance(s.get("additionalProperties"), dict):
        errs += _structural(s["additionalProperties"], f"{path}.additionalProperties")
    return errs


def initial_status(crd: dict) -> None:
    """What the CRD's strategy writes on create: no accepted names yet, the storage version stored."""
    crd["status"] = {"acceptedNames": {"kind": "", "plural": ""}, "conditions": [],
                     "storedVersions": [storage_version(crd)] if storage_version(crd) else []}


def _version_key(name: str):
    """Discovery's version order: GA > beta > alpha, higher numbers first, then others by name."""
    m = _VERSION_RE.match(name)
    if not m:
        return (3, 0, 0, name)
    rank = {None: 0, "beta": 1, "alpha": 2}[m.group(2)]
    return (rank, -int(m.group(1)), -int(m.group(3) or 0), name)


def served_versions(crd: dict) -> list[str]:
    vs = [v.get("name") for v in (crd.get("spec") or {}).get("versions") or [] if v.get("served")]
    return sorted((v for v in vs if v), key=_version_key)


def version(crd: dict, name: str | None = None) -> dict:
    for v in (crd.get("spec") or {}).get("versions") or []:
        if v.get("name") == (name or storage_version(crd)):
            return v
    return {}


def served(crds: list[dict]) -> list[dict]:
    """The entries api/kinds.py serves: one per Established CRD not being deleted."""
    out = []
    for crd in sorted(crds, key=lambda c: c["metadata"]["name"]):
        if not _established(crd):
            continue
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        vs = served_versions(crd)
        if not vs:
            continue
        store = version(crd)
        out.append({"kind": names.get("kind"), "plural": names.get("plural"), "group": spec.get("group"),
                    "version": storage_version(crd), "preferred": vs[0], "versions": vs,
                    "namespaced": spec.get("scope") == "Namespaced", "singular": names.get("singular"),
                    "short": list(names.get("shortNames") or []), "categories": list(names.get("categories") or []),
                    "listKind": names.get("listKind"), "crd": crd["metadata"]["name"],
                    "schema": (store.get("schema") or {}).get("openAPIV3Schema") or {},
                    "columns": list(store.get("additionalPrinterColumns") or []),
                    "subresources": dict(store.get("subresources") or {})})
    return out


def established_conditions(crd: dict, now_ts: str) -> list[dict]:
    """The naming controller's NamesAccepted then the establishing controller's Established."""
    return [{"lastTransitionTime": now_ts, "message": "no conflicts found", "reason": "NoConflicts",
             "status": "True", "type": "NamesAccepted"},
            {"lastTransitionTime": now_ts, "message": "the initial names have been accepted",
             "reason": "InitialNamesAccepted", "status": "True", "type": "Established"}]


def accepted_names(crd: dict) -> dict:
    names = dict((crd.get("spec") or {}).get("names") or {})
    return {k: names[k] for k in ("kind", "listKind", "plural", "shortNames", "singular", "categories") if names.get(k)}


def openapi_v3(entry: dict) -> tuple[str, dict]:
    """(the group-version path, the OpenAPI v3 schema of the kind) of one served CRD entry, as
    the apiextensions-apiserver publishes it for `kubectl explain` and client-side validation:
    the structural schema with apiVersion, kind and metadata added and the kind's
    x-kubernetes-group-version-kind. The OpenAPI documents (apiserver/openapi.py) call it for
    each of api/kinds.all_kinds() whose .crd is set."""
    schema = copy.deepcopy(entry.get("schema") or {})
    props = schema.setdefault("properties", {})
    props.setdefault("apiVersion", {"type": "string", "description": "APIVersion defines the versioned schema of "
                                    "this representation of an object."})
    props.setdefault("kind", {"type": "string", "description": "Kind is a string value representing the REST "
                              "resource this object represents."})
    props.setdefault("metadata", {"type": "object",
                                  "allOf": [{"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}],
                                  "description": "Standard object's metadata."})
    schema["x-kubernetes-group-version-kind"] = [{"group": entry["group"], "kind": entry["kind"],
                                                  "version": entry["version"]}]
    return f"apis/{entry['group']}/{entry['version']}", schema
