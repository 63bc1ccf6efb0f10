"""Reading `-f` arguments as kubectl's resource builder does: files, directories (-R), stdin,
multi-document YAML, JSON, `kind: List`; with kubectl's messages for what cannot be read."""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass

from minikctl.api.errors import CliError

EXTENSIONS = (".json", ".yaml", ".yml")


@dataclass
class Doc:
    source: str   # the filename as given ('-' for stdin)
    obj: dict | None
    error: str | None = None  # a per-document error kubectl reports and moves past


def _files(path: str, recursive: bool) -> list[str]:
    if path == "-":
        return ["-"]
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
    line = (mark.line + 1) if mark is not None else 0
    return f"yaml: line {line}: {text}"


def read(filenames: list[str], recursive: bool = False, stdin=None) -> list[Doc]:
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    docs: list[Doc] = []
    for given in filenames:
        for path in _files(given, recursive):
            if path == "-":
                text = (stdin or sys.stdin).read()
            else:
                try:
                    with open(path, encoding="utf-8") as f:
                        text = f.read()
                except OSError as e:
                    raise CliError(f"open {path}: {e.strerror.lower() if e.strerror else e}")
                except UnicodeDecodeError:  # like a YAML error below: reported, and the other files go on
                    docs.append(Doc(path, None, f"error parsing {path}: error converting YAML to JSON: "
                                                "yaml: invalid leading UTF-8 octet"))
                    continue
            source = "STDIN" if path == "-" else path
            for chunk in _split(text):
                try:
                    obj = yaml.load(chunk, Loader=loader)
                except yaml.YAMLError as e:  # the builder reports the file and moves on to the next one
                    docs.append(Doc(path, None, f"error parsing {source}: error converting YAML to JSON: "
                                                f"{_go_yaml_message(e)}"))
                    break
                if obj is None:
                    continue
                if not isinstance(obj, dict):
                    docs.append(Doc(path, None, f"error parsing {source}: error converting YAML to JSON: yaml: cannot "
                                                f"unmarshal {type(obj).__name__} into Go value of type map[string]interface {{}}"))
                    break
                for item in _expand(obj):
                    docs.append(Doc(path, item, _check(item, source)))
    if not docs:
        raise CliError("no objects passed to apply")
    return docs


def _split(text: str) -> list[str]:
    """Split a YAML stream on '---' document markers (JSON files are one document)."""
    return re.split(r"(?m)^---[ \t]*(?:#.*)?$", text)


def _expand(obj: dict) -> list[dict]:
    if obj.get("kind") == "List" or (obj.get("kind", "").endswith("List") and isinstance(obj.get("items"), list)):
        out = []
        for item in obj.get("items") or []:
            out.extend(_expand(item))
        return out
    return [_json_safe(obj)]


def _json_safe(v):
    """YAML timestamps/dates become strings, as sigs.k8s.io/yaml converts through JSON."""
    import datetime
    if isinstance(v, dict):
        return {str(k): _json_safe(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_json_safe(x) for x in v]
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(v, datetime.date):
        return v.isoformat() + "T00:00:00Z"
    return v


def _check(obj: dict, source: str) -> str | None:
    """The client-side checks kubectl makes before talking to the server."""
    from minikctl.api import kinds
    if not obj.get("apiVersion") and not obj.get("kind"):
        return f'error validating "{source}": error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false'
    if not obj.get("kind"):
        return f'error validating "{source}": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false'
    if not obj.get("apiVersion"):
        return f'error validating "{source}": error validating data: apiVersion not set; if you choose to ignore these errors, turn validation off with --validate=false'
    if kinds.by_kind(obj["kind"], obj["apiVersion"]) is None:
        meta = obj.get("metadata") or {}
        return (f'resource mapping not found for name: "{meta.get("name", "")}" namespace: "{meta.get("namespace", "")}" '
                f'from "{source}": no matches for kind "{obj["kind"]}" in version "{obj["apiVersion"]}"\n'
                "ensure CRDs are installed first")
    if not isinstance(obj.get("metadata"), dict):
        obj["metadata"] = {}
    return None
