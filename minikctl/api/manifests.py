"""Reading `-f` arguments as kubectl's resource builder does: files, directories (-R), stdin,
multi-document YAML, JSON, `kind: List`; with kubectl's messages for what cannot be read."""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass

from minikctl.api.errors import CliError
import datetime
from minikctl import lazy

kinds = lazy.module("minikctl.api.kinds")
not_simulated = lazy.function("minikctl.api.builtin_resources", "not_simulated")
to_storage = lazy.function("minikctl.api.conversion", "to_storage")
yaml = lazy.module("yaml")
yaml_nodes = lazy.module("yaml.nodes")

EXTENSIONS = (".json", ".yaml", ".yml")


@dataclass
class Doc:
    source: str   # the filename as given ('-' for stdin)
    obj: dict | None
    error: str | None = None  # a per-document error kubectl reports and moves past


def _files(path: str, recursive: bool) -> list[str]:
    if path == "-":
        return ["-"]
    if re.match(r"https?://", path):      # kubectl GETs it; minikctl has no Internet to fetch from
        raise CliError(f"minikctl: -f with a URL is not simulated ({path}): nothing is fetched from the "
                       "Internet; save the manifest to a file, or use a profile (ingress-nginx, gateway-api) or "
                       "`minikctl addons enable` for the add-ons whose manifests minikctl installs", raw=True)
    if not os.path.exists(path):
        raise CliError(f'the path "{path}" does not exist')
    if not os.path.isdir(path):  # kubectl: anything not a directory is read as a file (pipes,
        return [path]            # /dev/fd/N from `apply -f <(...)`, /dev/stdin)
    out = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(EXTENSIONS):
                out.append(os.path.join(root, f))
        if not recursive:
            break
    return out


def _go_yaml_message(e) -> str:
    """PyYAML's parse error in go-yaml's words: 'yaml: line N: <problem>'."""
    problem = getattr(e, "problem", None) or str(e)
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    words = {
        "mapping values are not allowed here": "mapping values are not allowed in this context",
        "found character '\\t' that cannot start any token": "found character that cannot start any token",
        "found character that cannot start any token": "found character that cannot start any token",
        "could not find expected ':'": "could not find expected ':'",
        "found undefined alias": "unknown anchor",
    }
    text = words.get(problem, problem)
    if "control characters are not allowed" in text:  # go-yaml names no line for these
        return "yaml: control characters are not allowed"
    if text.startswith("found character"):
        text = "found character that cannot start any token"
    if text.startswith("expected <block end>, but found"):
        text = "did not find expected key"
    if "while scanning a quoted scalar" in str(getattr(e, "context", "")):
        text = "found unexpected end of stream"
    if mark is None:  # go-yaml's document-wide errors (excessive aliasing) name no line
        return f"yaml: {text}"
    return f"yaml: line {mark.line + 1}: {text}"


# The apiserver refuses a request body over 3 MiB (genericapiserver's MaxRequestBodyBytes), and
# go-yaml refuses a document whose aliases expand out of proportion to it. Both are checked on the
# composed node graph, where an alias is a shared node, so a 1 KB "billion laughs" costs
# microseconds to refuse instead of minutes and gigabytes to expand.
MAX_REQUEST_BYTES = 3 * 1024 * 1024
MAX_DEPTH = 1000  # Python's recursion, not Kubernetes (go-yaml allows 10000): a simulation limit


class TooLarge(Exception):
    def message(self, source: str) -> str:
        return (f'Error from server (RequestEntityTooLarge): error when creating "{source}": '
                f"Request entity too large: limit is {MAX_REQUEST_BYTES}")


class TooDeep(Exception):
    def message(self, source: str) -> str:
        return (f"minikctl: YAML nested more than {MAX_DEPTH} levels deep is not simulated "
                f"(error parsing {source})")


def _alias_ratio(decoded: int) -> float:
    """go-yaml's allowedAliasRatio: generous for small documents, strict for big ones."""
    low, high = 400_000, 4_000_000
    if decoded <= low:
        return 0.99
    if decoded >= high:
        return 0.10
    return 0.99 - 0.89 * (decoded - low) / (high - low)


def _children(n) -> list:
    if isinstance(n, yaml_nodes.SequenceNode):
        return list(n.value)
    if isinstance(n, yaml_nodes.MappingNode):
        return [x for kv in n.value for x in kv]
    return []


def check_node_graph(root) -> None:
    """Expanded node count, alias count, JSON size and depth of a composed document, computed
    once per distinct node (an alias is the same node object met again). Raises YAMLError
    (go-yaml's 'excessive aliasing'), TooLarge or TooDeep."""
    aliases_of: dict[int, list[int]] = {}
    # One depth-first walk in document order: the first meeting of a node is its anchor, a later
    # one an alias; a node's figures are summed when its last child is done (post-order).
    stats: dict[int, tuple[int, int, int]] = {}
    entered: set[int] = set()
    stack: list = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        kids = _children(node)
        if done:
            d, a, size = 1, 0, 2
            if not kids and isinstance(node.value, str):
                size = len(node.value) + 3
            for c in kids:
                if id(c) not in stats:  # an alias inside its own anchor (PyYAML builds the cycle)
                    raise yaml.YAMLError("anchor value contains itself")
                cd, ca, cs = stats[id(c)]
                d, a, size = d + cd, a + ca, size + cs + 1
            a += len(aliases_of.pop(id(node), ()))
            stats[id(node)] = (d, a, size)
            continue
        if id(node) in entered:
            continue
        if depth > MAX_DEPTH:
            raise TooDeep()
        entered.add(id(node))
        stack.append((node, depth, True))
        mine = []
        for i, c in enumerate(kids):
            if id(c) in entered:
                mine.append(i)
        aliases_of[id(node)] = mine
        for c in reversed(kids):
            if id(c) not in entered:
                stack.append((c, depth + 1, False))
    decoded, aliases, size = stats[id(root)]
    if aliases > 100 and decoded > 1000 and aliases / decoded > _alias_ratio(decoded):
        raise yaml.YAMLError("document contains excessive aliasing")
    if size > MAX_REQUEST_BYTES:
        raise TooLarge()


def _plainly_bounded(text: str) -> bool:
    """A document with no `&` or `*` has no anchor and no alias, so nothing in it expands: its
    size as check_node_graph counts it is under five times its text (the densest case, the keys of
    `{a,b,c}`, is 2 bytes of text for 9 counted), so a text under an eighth of the limit cannot
    reach it. Such a document (nearly every manifest) skips the node-graph walk; nesting too deep
    for the constructor still ends as TooDeep (its RecursionError)."""
    return len(text) < MAX_REQUEST_BYTES // 8 and "&" not in text and "*" not in text


def load_bounded(text: str, loader=None):
    """yaml.safe_load of one document, refusing alias bombs and oversized documents first;
    returns JSON-shaped data (what sigs.k8s.io/yaml's YAML-to-JSON conversion gives)."""
    loader_cls = loader or getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    ld = loader_cls(text)
    try:
        node = ld.get_single_node()
        if node is None:
            return None
        if not _plainly_bounded(text):
            check_node_graph(node)
        data = ld.construct_document(node)
        return _json_safe(data)
    except RecursionError:
        raise TooDeep() from None
    finally:
        ld.dispose()


def _text(raw: bytes) -> str:
    """Bytes as go-yaml reads them: a UTF-16 BOM switches encoding, a UTF-8 BOM is dropped, and
    invalid UTF-8 comes through as U+FFFD (what kubectl then sends)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.decode("utf-8", errors="replace")


def _read_stdin(stream) -> str:
    buf = getattr(stream, "buffer", None)
    if buf is not None:
        try:
            return _text(buf.read())
        except (OSError, ValueError):
            pass
    text = stream.read()
    if isinstance(text, bytes):
        return _text(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes smuggled in as surrogates
        text = _text(text.encode("utf-8", errors="surrogateescape"))
    return text


def read(filenames: list[str], recursive: bool = False, stdin=None) -> list[Doc]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    docs: list[Doc] = []
    for given in filenames:
        for path in _files(given, recursive):
            if path == "-":
                text = _read_stdin(stdin or sys.stdin)
            else:
                try:
                    with open(path, "rb") as f:
                        text = _text(f.read())
                except OSError as e:
                    raise CliError(f"open {path}: {e.strerror.lower() if e.strerror else e}")
            source = "STDIN" if path == "-" else path
            for chunk in _split(text):
                try:
                    obj = load_bounded(chunk, loader)
                except yaml.YAMLError as e:  # the builder reports the file and moves on to the next one
                    docs.append(Doc(path, None, f"error parsing {source}: error converting YAML to JSON: "
                                                f"{_go_yaml_message(e)}"))
                    break
                except (TooLarge, TooDeep) as e:
                    docs.append(Doc(path, None, e.message(source)))
                    break
                if obj is None:
                    continue
                if not isinstance(obj, dict):
                    docs.append(Doc(path, None, f"error parsing {source}: error converting YAML to JSON: yaml: cannot "
                                                f"unmarshal {type(obj).__name__} into Go value of type map[string]interface {{}}"))
                    break
                problem = _validate_data(obj, source)
                if problem:
                    docs.append(Doc(path, None, problem))
                    continue
                for item in _expand(obj):
                    docs.append(Doc(path, item, _check(item, source)))
    if not docs:
        raise CliError("no objects passed to apply")
    return docs


def _split(text: str) -> list[str]:
    """Split a YAML stream on '---' document markers (JSON files are one document)."""
    return re.split(r"(?m)^---[ \t]*(?:#.*)?$", text)


def _json_safe(v):
    """YAML values as sigs.k8s.io/yaml converts them through JSON: timestamps and dates become
    strings, !!binary its bytes as a string, keys strings (null/true as Go prints them)."""
    if isinstance(v, dict):
        return {_key(k): _json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_safe(x) for x in v]
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(v, datetime.date):
        return v.isoformat() + "T00:00:00Z"
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", errors="replace")
    if isinstance(v, (set, frozenset)):
        return {_key(k): None for k in v}
    if isinstance(v, float) and v != v:
        return None
    return v


def _key(k) -> str:
    if k is None:
        return "null"
    if isinstance(k, bool):
        return "true" if k else "false"
    if isinstance(k, str):
        return k
    return str(_json_safe(k))


def _is_list(obj: dict) -> bool:
    kind = obj.get("kind")
    return isinstance(kind, str) and (kind == "List" or (kind.endswith("List") and isinstance(obj.get("items"), list)))


def _expand(obj: dict) -> list[dict]:
    if _is_list(obj):
        out = []
        for item in obj.get("items") or []:
            out.extend(_expand(item))
        return out
    return [obj]


def _validation_problems(obj) -> list[str]:
    """kubectl's client-side schema check of one document (validation/schema.go getObjectKind):
    what it says before anything is sent. A List is checked item by item."""
    if not isinstance(obj, dict):
        return ["invalid object to validate"]
    if _is_list(obj):
        items = obj.get("items")
        if items is not None and not isinstance(items, list):
            return ["invalid object to validate"]
        out: list[str] = []
        for item in items or []:
            out += _validation_problems(item)
        return out
    av, kind = obj.get("apiVersion"), obj.get("kind")
    if av is not None and not isinstance(av, str):
        return ["apiVersion isn't string type"]
    if kind is not None and not isinstance(kind, str):
        return ["kind isn't string type"]
    return []


def _validate_data(obj: dict, source: str) -> str | None:
    problems: list[str] = []
    for p in _validation_problems(obj):
        if p not in problems:  # utilerrors' aggregate prints each message once
            problems.append(p)
    if not problems:
        return None
    text = problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]"
    return (f'error validating "{source}": error validating data: {text}; if you choose to ignore these errors, '
            "turn validation off with --validate=false")


def _json_type(v) -> str:
    """The JSON type name encoding/json puts in an UnmarshalTypeError."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


_META_STRINGS = ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion")


def _meta_decode_error(meta) -> str | None:
    """Decoding metadata into metav1.ObjectMeta, as kubectl's builder does before sending."""
    def bad(field: str, v, typ: str) -> str:
        return f"json: cannot unmarshal {_json_type(v)} into Go struct field ObjectMeta.metadata.{field} of type {typ}"
    if meta is None:
        return None
    if not isinstance(meta, dict):
        return (f"json: cannot unmarshal {_json_type(meta)} into Go struct field metadataOnlyObject.metadata "
                "of type v1.ObjectMeta")
    for f in _META_STRINGS:
        v = meta.get(f)
        if v is not None and not isinstance(v, str):
            return bad(f, v, "string")
    g = meta.get("generation")
    if g is not None and (isinstance(g, bool) or not isinstance(g, (int, float)) or g != int(g)):
        return bad("generation", g, "int64")
    for f in ("labels", "annotations"):
        v = meta.get(f)
        if v is None:
            continue
        if not isinstance(v, dict):
            return bad(f, v, "map[string]string")
        for x in v.values():
            if x is not None and not isinstance(x, str):
                return bad(f, x, "string")
    fin = meta.get("finalizers")
    if fin is not None:
        if not isinstance(fin, list):
            return bad("finalizers", fin, "[]string")
        for x in fin:
            if x is not None and not isinstance(x, str):
                return bad("finalizers", x, "string")
    for f in ("ownerReferences", "managedFields"):
        v = meta.get(f)
        if v is not None and not isinstance(v, list):
            return bad(f, v, "[]v1.OwnerReference" if f == "ownerReferences" else "[]v1.ManagedFieldsEntry")
    return None


def _check(obj, source: str) -> str | None:
    """The client-side checks kubectl makes before talking to the server."""
    if not isinstance(obj, dict):
        return _validate_data(obj, source)
    if not obj.get("apiVersion") and not obj.get("kind"):
        return f'error validating "{source}": error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false'
    if not obj.get("kind"):
        return f'error validating "{source}": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false'
    if not obj.get("apiVersion"):
        return f'error validating "{source}": error validating data: apiVersion not set; if you choose to ignore these errors, turn validation off with --validate=false'
    if kinds.by_kind(obj["kind"], obj["apiVersion"]) is None:
        note = None if kinds.by_kind(obj["kind"]) is not None else \
            not_simulated(str(obj["kind"]), str(obj["apiVersion"]), by_kind=True)
        if note:
            return note
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        meta = {k: v if isinstance(v, str) else "" for k, v in meta.items() if k in ("name", "namespace")}
        return (f'resource mapping not found for name: "{meta.get("name", "")}" namespace: "{meta.get("namespace", "")}" '
                f'from "{source}": no matches for kind "{obj["kind"]}" in version "{obj["apiVersion"]}"\n'
                "ensure CRDs are installed first")
    bad = _meta_decode_error(obj.get("metadata"))
    if bad:
        return f'unable to decode "{source}": {bad}'
    if not isinstance(obj.get("metadata"), dict):
        obj["metadata"] = {}
    converted = to_storage(obj)
    if converted is not obj:
        obj.clear()
        obj.update(converted)
    return None
