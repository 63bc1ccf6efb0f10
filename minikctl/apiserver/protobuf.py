"""Kubernetes' protobuf encoding (application/vnd.kubernetes.protobuf), driven by data.

An object on the wire is the magic `k8s\\x00` followed by a runtime.Unknown message: its TypeMeta
(apiVersion, kind), the object's own message as bytes, and two empty strings. The object's message
is decoded field by field from minikctl/data/protobuf_schema.json: one entry per Go type (ObjectMeta,
PodSpec, Container, ...) shared by every kind that embeds it, written by
tools/gen_protobuf_schema.py from k8s.io/api and k8s.io/apimachinery. A decoded object is the
dict the JSON encoding of the same Go value would give (minikctl's object contract): the zero
values gogo's marshallers always write are dropped unless the field is a pointer or its JSON tag
has no omitempty, inline structs (Volume's VolumeSource) are merged into their parent, and the few
types with custom JSON (Time, MicroTime, Quantity, IntOrString, RawExtension, FieldsV1, bytes)
are converted.

Why a hand-written wire codec rather than the `protobuf` package: that package works from compiled
descriptors or generated classes; building 450 descriptors at run time from our data file would be
more code than the wire format itself (varints, length-delimited fields, two fixed widths), would
add a compiled dependency to a program that starts in milliseconds, and would still need every
JSON conversion above. The wire format is small and frozen.

Errors are the apiserver's: gogo's ("unexpected EOF", "proto: illegal wireType 7", ...) inside
transformDecodeError's wording, with the scheme's "no kind ... is registered" for an envelope
naming a kind the server does not know.
"""
from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from pathlib import Path
import struct
from minikctl import lazy

go_duration_string = lazy.function("minikctl.timeutil", "go_duration_string")
parse_go_duration = lazy.function("minikctl.timeutil", "parse_go_duration")

MAGIC = b"k8s\x00"
CONTENT_TYPE = "application/vnd.kubernetes.protobuf"
SCHEME = "pkg/api/legacyscheme/scheme.go:30"   # kube-apiserver's scheme, as its errors name it
META = "k8s.io.apimachinery.pkg.apis.meta.v1"
UNKNOWN_TYPEMETA = "k8s.io.apimachinery.pkg.runtime.TypeMeta"

# wire types
VARINT, FIXED64, BYTES, FIXED32 = 0, 1, 2, 5
_SCALAR_WIRE = {"string": BYTES, "bytes": BYTES, "int32": VARINT, "int64": VARINT, "uint32": VARINT,
                "uint64": VARINT, "bool": VARINT, "double": FIXED64, "float": FIXED32}
_SPECIAL = ("Time", "MicroTime", "Quantity", "IntOrString", "RawExtension", "FieldsV1", "Duration")


class ProtoError(ValueError):
    """A wire-level failure, worded as gogo's generated Unmarshal words it."""


class Field:
    __slots__ = ("num", "name", "type", "repeated", "map", "inline", "keep", "wire")

    def __init__(self, num: int, row: dict):
        self.num, self.name = num, row["name"]
        self.map = row.get("map")
        self.type = row.get("type") or "map"
        self.repeated = bool(row.get("repeated"))
        self.inline = bool(row.get("inline"))
        self.keep = bool(row.get("keepZero"))
        self.wire = _SCALAR_WIRE.get(self.type, BYTES)


class Schema:
    def __init__(self, data: dict):
        self.packages: dict[str, str] = data["packages"]
        self.types: dict[str, dict[int, Field]] = {}
        self.ordered: dict[str, list[Field]] = {}
        for name, fields in data["types"].items():
            fs = {int(n): Field(int(n), row) for n, row in fields.items()}
            self.types[name] = fs
            self.ordered[name] = [fs[n] for n in sorted(fs)]

    def message(self, api_version: str, kind: str) -> str | None:
        """The message for apiVersion/kind; meta's kinds (Status, DeleteOptions...) in any group."""
        pkg = self.packages.get(api_version)
        if pkg and f"{pkg}.{kind}" in self.types:
            return f"{pkg}.{kind}"
        if kind in ("Status", "DeleteOptions", "WatchEvent", "APIResourceList") and f"{META}.{kind}" in self.types:
            return f"{META}.{kind}"
        return None


_schema: Schema | None = None


def schema() -> Schema:
    global _schema
    if _schema is None:
        path = Path(__file__).resolve().parent.parent / "data" / "protobuf_schema.json"
        _schema = Schema(json.loads(path.read_text()))
    return _schema


# ---------------------------------------------------------------------------- wire: reading

def _varint(buf: bytes, i: int, end: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if shift >= 64:
            raise ProtoError("proto: integer overflow")
        if i >= end:
            raise ProtoError("unexpected EOF")
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result & 0xFFFFFFFFFFFFFFFF, i
        shift += 7


def _signed(v: int, bits: int = 64) -> int:
    v &= (1 << 64) - 1
    if v >= 1 << 63:
        v -= 1 << 64
    if bits == 32:
        v = ((v + (1 << 31)) % (1 << 32)) - (1 << 31)
    return v


def fields(buf: bytes, start: int = 0, end: int | None = None):
    """(field number, wire type, value): an int for varints and fixed widths, (start, end) of a
    length-delimited field."""
    end = len(buf) if end is None else end
    i = start
    while i < end:
        key, i = _varint(buf, i, end)
        num, wt = key >> 3, key & 7
        if num <= 0:
            raise ProtoError(f"proto: illegal tag {num} (wire type {wt})")
        if wt == VARINT:
            v, i = _varint(buf, i, end)
            yield num, wt, v
        elif wt == BYTES:
            n, i = _varint(buf, i, end)
            if n >= 1 << 63:
                raise ProtoError("proto: negative length found during unmarshaling")
            if i + n > end:
                raise ProtoError("unexpected EOF")
            yield num, wt, (i, i + n)
            i += n
        elif wt == FIXED64:
            if i + 8 > end:
                raise ProtoError("unexpected EOF")
            yield num, wt, int.from_bytes(buf[i:i + 8], "little")
            i += 8
        elif wt == FIXED32:
            if i + 4 > end:
                raise ProtoError("unexpected EOF")
            yield num, wt, int.from_bytes(buf[i:i + 4], "little")
            i += 4
        else:
            raise ProtoError(f"proto: illegal wireType {wt}")


def _fmt_time(secs: int, nanos: int, micro: bool) -> str | None:
    if secs == 0 and nanos == 0:
        return None
    t = datetime.fromtimestamp(secs, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{t}.{nanos // 1000:06d}Z" if micro else f"{t}Z"


def _special(typ: str, buf: bytes, s: int, e: int):
    vals: dict[int, object] = {}
    for num, wt, v in fields(buf, s, e):
        vals[num] = v
    if typ in ("Time", "MicroTime"):
        return _fmt_time(_signed(vals.get(1, 0)), _signed(vals.get(2, 0), 32), typ == "MicroTime")
    if typ == "Quantity":
        a, b = vals.get(1, (0, 0))
        return buf[a:b].decode("utf-8", "replace")
    if typ == "IntOrString":
        if vals.get(1, 0) == 1:
            a, b = vals.get(3, (0, 0))
            return buf[a:b].decode("utf-8", "replace")
        return _signed(vals.get(2, 0), 32)
    if typ == "Duration":
        return go_duration_string(_signed(vals.get(1, 0)) / 1e9)
    a, b = vals.get(1, (0, 0))                   # RawExtension, FieldsV1: JSON bytes
    raw = bytes(buf[a:b])
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ProtoError("invalid character in embedded JSON")


def _value(f: Field, typ: str, wt: int, v, buf: bytes):
    """One decoded element of field f (typ: the element type; a map's value type for maps)."""
    if typ in _SCALAR_WIRE:
        want = _SCALAR_WIRE[typ]
        if wt != want:
            raise ProtoError(f"proto: wrong wireType = {wt} for field {f.name[:1].upper()}{f.name[1:]}")
        if typ == "string":
            return buf[v[0]:v[1]].decode("utf-8", "replace")
        if typ == "bytes":
            return base64.b64encode(buf[v[0]:v[1]]).decode()
        if typ == "bool":
            return v != 0
        if typ in ("int32",):
            return _signed(v, 32)
        if typ == "int64":
            return _signed(v)
        if typ == "double":
            return struct.unpack("<d", v.to_bytes(8, "little"))[0]
        return v
    if wt != BYTES:
        raise ProtoError(f"proto: wrong wireType = {wt} for field {f.name[:1].upper()}{f.name[1:]}")
    if typ in _SPECIAL:
        return _special(typ, buf, v[0], v[1])
    return decode_message(buf, typ, v[0], v[1])


def _zero(v) -> bool:
    return v is None or v == "" or v is False or (v == 0 and not isinstance(v, bool) and isinstance(v, int)) \
        or v == [] or v == {}


def decode_message(buf: bytes, typ: str, start: int = 0, end: int | None = None) -> dict:
    table = schema().types.get(typ)
    if table is None:
        raise ProtoError(f"no schema for {typ}")
    out: dict = {}
    for num, wt, v in fields(buf, start, end):
        f = table.get(num)
        if f is None:
            continue                              # an unknown field: skipped, as gogo skips it
        if f.map is not None:
            if wt != BYTES:
                raise ProtoError(f"proto: wrong wireType = {wt} for field {f.name[:1].upper()}{f.name[1:]}")
            key, val = "", None
            for n2, w2, v2 in fields(buf, v[0], v[1]):
                if n2 == 1 and w2 == BYTES:
                    key = buf[v2[0]:v2[1]].decode("utf-8", "replace")
                elif n2 == 2:
                    val = _value(f, f.map, w2, v2, buf)
            if val is None:
                val = "" if f.map in ("string", "bytes", "Quantity") else None
            out.setdefault(f.name, {})[key] = val
        elif f.repeated:
            lst = out.setdefault(f.name, [])
            if wt == BYTES and _SCALAR_WIRE.get(f.type, BYTES) != BYTES:   # packed
                i, e = v
                while i < e:
                    x, i = _varint(buf, i, e)
                    lst.append(_value(f, f.type, VARINT, x, buf))
            else:
                lst.append(_value(f, f.type, wt, v, buf))
        elif f.inline:
            val = _value(f, f.type, wt, v, buf)
            if isinstance(val, dict):
                out.update(val)
        else:
            out[f.name] = _value(f, f.type, wt, v, buf)
    for f in schema().ordered[typ]:
        if f.name not in out:
            continue
        v = out[f.name]
        if v is None:
            if f.keep or f.type not in ("Time", "MicroTime"):
                del out[f.name]                  # a zero non-pointer Time stays: JSON writes it as null
        elif not f.keep and f.type not in schema().types and _zero(v):
            del out[f.name]                      # JSON's omitempty on a value gogo always writes
    return out


# ---------------------------------------------------------------------------- wire: writing

def _put_varint(out: bytearray, v: int) -> None:
    v &= (1 << 64) - 1
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)


def _put_bytes(out: bytearray, num: int, data: bytes) -> None:
    _put_varint(out, (num << 3) | BYTES)
    _put_varint(out, len(data))
    out += data


def _time_parts(text: str) -> tuple[int, int]:
    s = text.replace("Z", "+00:00")
    dt = datetime.fromisoformat(s)
    return int(dt.timestamp() // 1), dt.microsecond * 1000


def _encode_special(typ: str, v) -> bytes:
    out = bytearray()
    if typ in ("Time", "MicroTime"):
        secs, nanos = _time_parts(str(v))
        _put_varint(out, 1 << 3)
        _put_varint(out, secs)
        _put_varint(out, 2 << 3)
        _put_varint(out, nanos)
    elif typ == "Quantity":
        _put_bytes(out, 1, str(v).encode())
    elif typ == "IntOrString":
        is_str = isinstance(v, str)
        _put_varint(out, 1 << 3)
        _put_varint(out, 1 if is_str else 0)
        _put_varint(out, 2 << 3)
        _put_varint(out, 0 if is_str else int(v))
        _put_bytes(out, 3, v.encode() if is_str else b"")
    elif typ == "Duration":
        _put_varint(out, 1 << 3)
        _put_varint(out, int(round(parse_go_duration(str(v)) * 1e9)))
    else:
        _put_bytes(out, 1, json.dumps(v, separators=(",", ":")).encode())
    return bytes(out)


def _encode_value(out: bytearray, num: int, typ: str, v) -> None:
    if typ == "string":
        _put_bytes(out, num, str(v).encode())
    elif typ == "bytes":
        _put_bytes(out, num, base64.b64decode(v) if isinstance(v, str) else bytes(v))
    elif typ in ("int32", "int64", "uint32", "uint64", "bool"):
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if not isinstance(v, (int, bool)):
            return
        _put_varint(out, num << 3)
        _put_varint(out, int(v))
    elif typ == "double":
        _put_varint(out, (num << 3) | FIXED64)
        out += struct.pack("<d", float(v))
    elif typ in _SPECIAL:
        _put_bytes(out, num, _encode_special(typ, v))
    elif isinstance(v, dict):
        _put_bytes(out, num, encode_message(v, typ))


def encode_message(obj: dict, typ: str) -> bytes:
    out = bytearray()
    for f in schema().ordered.get(typ, ()):
        if f.inline:
            out_inner = encode_message(obj, f.type)
            _put_bytes(out, f.num, out_inner)
            continue
        v = obj.get(f.name)
        if v is None:
            if f.name in obj and f.type in ("Time", "MicroTime") and not f.keep:
                _put_bytes(out, f.num, b"")      # a zero non-pointer Time: null in JSON, written by gogo
            continue
        if f.map is not None:
            if not isinstance(v, dict):
                continue
            for key in sorted(v):
                entry = bytearray()
                _put_bytes(entry, 1, str(key).encode())
                if v[key] is not None:
                    _encode_value(entry, 2, f.map, v[key])
                _put_bytes(out, f.num, bytes(entry))
        elif f.repeated:
            if isinstance(v, list):
                for item in v:
                    if item is not None:
                        _encode_value(out, f.num, f.type, item)
        else:
            _encode_value(out, f.num, f.type, v)
    return bytes(out)


# ---------------------------------------------------------------------------- the envelope

def can_encode(obj) -> bool:
    return isinstance(obj, dict) and schema().message(str(obj.get("apiVersion", "")), str(obj.get("kind", ""))) is not None


def encode(obj: dict) -> bytes:
    """magic + runtime.Unknown{typeMeta, raw, contentEncoding "", contentType ""}."""
    api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
    typ = schema().message(api_version, kind)
    raw = encode_message(obj, typ)
    tm = encode_message({"apiVersion": api_version, "kind": kind}, UNKNOWN_TYPEMETA)
    out = bytearray(MAGIC)
    _put_bytes(out, 1, tm)
    _put_bytes(out, 2, raw)
    _put_bytes(out, 3, b"")
    _put_bytes(out, 4, b"")
    return bytes(out)


class DecodeFailure(Exception):
    """A body the apiserver refuses; message is the BadRequest Status message."""


def _summary(data: bytes, n: int = 30) -> str:
    if not data:
        return "<empty>"
    if data[:1] == b"{":
        return data[:n].decode("utf-8", "replace") + (" ..." if len(data) > n else "")
    return data[:n].hex() + (" ..." if len(data) > n else "")


def decode(data: bytes, default_api_version: str, default_kind: str) -> dict:
    """A protobuf request body -> the object dict (with apiVersion and kind), or DecodeFailure
    carrying the apiserver's message (create.go / update.go's transformDecodeError)."""
    def unrecognized(err: str) -> DecodeFailure:
        return DecodeFailure(f"the object provided is unrecognized (must be of type {default_kind}): {err} "
                             f"({_summary(data)})")
    if not data:
        raise unrecognized("empty data")
    if not data.startswith(MAGIC):
        raise unrecognized("provided data does not appear to be a protobuf message, expected prefix "
                           "[" + " ".join(str(b) for b in MAGIC) + "]")
    if len(data) == len(MAGIC):
        raise unrecognized("empty body")
    api_version = kind = ""
    raw = (0, 0)
    try:
        for num, wt, v in fields(data, len(MAGIC)):
            if num == 1 and wt == BYTES:
                tm = decode_message(data, UNKNOWN_TYPEMETA, v[0], v[1])
                api_version, kind = tm.get("apiVersion", ""), tm.get("kind", "")
            elif num == 2 and wt == BYTES:
                raw = v
            elif wt != BYTES:
                raise ProtoError(f"proto: wrong wireType = {wt} for field "
                                 + {1: "TypeMeta", 2: "Raw", 3: "ContentEncoding", 4: "ContentType"}.get(num, "?"))
    except ProtoError as e:
        raise unrecognized(str(e))
    # copyKindDefaults: the URL's kind and group/version fill what the envelope leaves empty
    kind = kind or default_kind
    if not api_version:
        api_version = default_api_version
    version = api_version.rsplit("/", 1)[-1]
    typ = schema().message(api_version, kind)
    if typ is None:
        raise DecodeFailure(f'{kind} in version "{version}" cannot be handled as a {default_kind}: no kind '
                            f'"{kind}" is registered for version "{api_version}" in scheme "{SCHEME}"')
    try:
        obj = decode_message(data, typ, raw[0], raw[1])
    except ProtoError as e:
        raise DecodeFailure(f'{kind} in version "{version}" cannot be handled as a {default_kind}: {e}')
    return {"apiVersion": api_version, "kind": kind, **obj}
