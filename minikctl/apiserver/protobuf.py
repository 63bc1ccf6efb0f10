"""Reading the Kubernetes protobuf encoding (`application/vnd.kubernetes.protobuf`) of the few
request bodies the real kubectl sends that way: its typed clients (auth can-i, auth whoami)
POST their reviews as protobuf and accept JSON back.

Why hand-written: the wire format is small (varints and length-delimited fields) and only a
handful of messages are read, each described below as field number -> (name, nested message or
None for a string, repeated?). The body is the `k8s\\0` magic then a runtime.Unknown envelope
(typeMeta=1 {apiVersion=1, kind=2}, raw=2).
"""
from __future__ import annotations

MAGIC = b"k8s\x00"

_OBJECT_META = {1: ("name", None, False), 2: ("generateName", None, False), 3: ("namespace", None, False)}
_RESOURCE_ATTRS = {1: ("namespace", None, False), 2: ("verb", None, False), 3: ("group", None, False),
                   4: ("version", None, False), 5: ("resource", None, False), 6: ("subresource", None, False),
                   7: ("name", None, False)}
_NON_RESOURCE_ATTRS = {1: ("path", None, False), 2: ("verb", None, False)}
_ACCESS_SPEC = {1: ("resourceAttributes", _RESOURCE_ATTRS, False),
                2: ("nonResourceAttributes", _NON_RESOURCE_ATTRS, False),
                3: ("user", None, False), 4: ("groups", None, True), 6: ("uid", None, False)}
_RULES_SPEC = {1: ("namespace", None, False)}
MESSAGES = {
    "SelfSubjectAccessReview": {1: ("metadata", _OBJECT_META, False), 2: ("spec", _ACCESS_SPEC, False)},
    "SubjectAccessReview": {1: ("metadata", _OBJECT_META, False), 2: ("spec", _ACCESS_SPEC, False)},
    "LocalSubjectAccessReview": {1: ("metadata", _OBJECT_META, False), 2: ("spec", _ACCESS_SPEC, False)},
    "SelfSubjectRulesReview": {1: ("metadata", _OBJECT_META, False), 2: ("spec", _RULES_SPEC, False)},
    "SelfSubjectReview": {1: ("metadata", _OBJECT_META, False)},
}


class DecodeError(ValueError):
    pass


def _varint(data: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        if i >= len(data) or shift > 63:
            raise DecodeError("truncated varint")
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i
        shift += 7


def fields(data: bytes):
    """Yield (field number, wire type, value) of one message; value is bytes for length-delimited."""
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            value, i = _varint(data, i)
        elif wt == 2:
            n, i = _varint(data, i)
            if i + n > len(data):
                raise DecodeError("truncated field")
            value, i = data[i:i + n], i + n
        elif wt == 1:
            value, i = data[i:i + 8], i + 8
        elif wt == 5:
            value, i = data[i:i + 4], i + 4
        else:
            raise DecodeError(f"wire type {wt}")
        yield num, wt, value


def _message(data: bytes, shape: dict) -> dict:
    out: dict = {}
    for num, wt, value in fields(data):
        if num not in shape or wt != 2:
            continue
        name, sub, repeated = shape[num]
        v = _message(value, sub) if sub is not None else value.decode("utf-8", errors="replace")
        if repeated:
            out.setdefault(name, []).append(v)
        elif sub is not None or v:
            out[name] = v
    return out


def decode(body: bytes) -> dict:
    """A protobuf request body -> the object as JSON would have it (apiVersion, kind, fields)."""
    if not body.startswith(MAGIC):
        raise DecodeError("no k8s protobuf magic")
    api_version = kind = ""
    raw = b""
    for num, wt, value in fields(body[len(MAGIC):]):
        if num == 1 and wt == 2:
            for n2, w2, v2 in fields(value):
                if w2 == 2 and n2 == 1:
                    api_version = v2.decode()
                elif w2 == 2 and n2 == 2:
                    kind = v2.decode()
        elif num == 2 and wt == 2:
            raw = value
    shape = MESSAGES.get(kind)
    if shape is None:
        raise DecodeError(f"no protobuf decoding for {kind or 'an unknown kind'}")
    return {"apiVersion": api_version, "kind": kind, **_message(raw, shape)}
