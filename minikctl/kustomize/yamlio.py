"""Reading YAML as kyaml does (go-yaml v3, YAML 1.2 core schema): `yes`, `on`, `Off` stay
strings, `0777` and `0o17` are octal ints, `1_000` an int, a date becomes the RFC 3339 string
sigs.k8s.io/yaml's JSON conversion gives it."""
from __future__ import annotations

import re

from minikctl.kustomize import KustomizeError
from minikctl import lazy

_go_yaml_message = lazy.function("minikctl.api.manifests", "_go_yaml_message")
load_bounded = lazy.function("minikctl.api.manifests", "load_bounded")
yaml = lazy.module("yaml")
manifests = lazy.module("minikctl.api.manifests")

_INT = re.compile(r"^[-+]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)$")
_FLOAT = re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
                    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_TS = re.compile(r"^\d{4}-\d\d?-\d\d?(?:(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?$")

_loader_cls = None


def _loader():
    global _loader_cls
    if _loader_cls is not None:
        return _loader_cls
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class V3Loader(base):  # type: ignore[misc,valid-type]
        pass

    V3Loader.yaml_implicit_resolvers = {}
    for tag, rx, first in (
            ("tag:yaml.org,2002:bool", _BOOL, "tTfF"),
            ("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""]),
            ("tag:yaml.org,2002:int", _INT, "-+0123456789"),
            ("tag:yaml.org,2002:float", _FLOAT, "-+0123456789."),
            ("tag:yaml.org,2002:timestamp", _TS, "0123456789"),
            ("tag:yaml.org,2002:merge", re.compile(r"^<<$"), "<"),
    ):
        V3Loader.add_implicit_resolver(tag, rx, list(first))

    def _int(loader, node):
        s = loader.construct_scalar(node).replace("_", "")
        sign = -1 if s.startswith("-") else 1
        s = s.lstrip("+-")
        low = s.lower()
        if low.startswith("0x"):
            return sign * int(s[2:], 16)
        if low.startswith("0o"):
            return sign * int(s[2:], 8)
        if low.startswith("0b"):
            return sign * int(s[2:], 2)
        if len(s) > 1 and s.startswith("0"):
            try:
                return sign * int(s, 8)
            except ValueError:
                return sign * float(s)
        return sign * int(s)

    def _float(loader, node):
        s = loader.construct_scalar(node).replace("_", "")
        low = s.lower()
        if low in (".inf", "+.inf"):
            return float("inf")
        if low == "-.inf":
            return float("-inf")
        if low == ".nan":
            return float("nan")
        f = float(s)
        if f in (float("inf"), float("-inf")):  # out of range: go-yaml keeps the text
            return s
        return f

    V3Loader.add_constructor("tag:yaml.org,2002:int", _int)
    V3Loader.add_constructor("tag:yaml.org,2002:float", _float)
    _loader_cls = V3Loader
    return V3Loader


def split_documents(text: str) -> list[str]:
    return re.split(r"(?m)^---[ \t]*(?:#.*)?$", text)


def load_all(text: str, source: str) -> list:
    """Every non-empty document of a stream, JSON-shaped."""
    out = []
    for chunk in split_documents(text):
        try:
            doc = load_bounded(chunk, _loader())
        except yaml.YAMLError as e:
            raise KustomizeError(_go_yaml_message(e)) from None
        except (manifests.TooLarge, manifests.TooDeep) as e:
            raise KustomizeError(e.message(source)) from None
        if doc is not None:
            out.append(doc)
    return out


def load_one(text: str, source: str):
    docs = load_all(text, source)
    return docs[0] if docs else None
