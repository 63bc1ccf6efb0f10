"""Write minikctl/data/protobuf_schema.json: the wire facts of the Kubernetes types serve speaks.

Usage: python tools/gen_protobuf_schema.py API_GIT_DIR APIMACHINERY_GIT_DIR [REV]

The inputs are git checkouts (bare or not) of k8s.io/api and k8s.io/apimachinery. Two facts are
read per field and joined by (message, field number):
  * from each package's generated.proto: the field number, its cardinality (optional, repeated,
    map) and its protobuf type (a scalar or another message);
  * from the package's Go sources (types.go and friends): the struct tag's JSON name, whether it
    has omitempty, whether the Go field is a pointer, and whether the JSON inlines it (an embedded
    struct, `json:""` / `json:",inline"`, e.g. Volume's VolumeSource, Probe's ProbeHandler).
The last three decide which zero values a decoded object keeps: gogo's marshallers write every
non-pointer field, so a decoder that wants the object the JSON encoding would give must drop the
zero values that JSON omits and keep those a pointer or a tag without omitempty would keep.

The output is our own data (one entry per Go type, shared by every kind that uses it); nothing
of the .proto files is copied. Re-run after a Kubernetes minor bump.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

# The API packages minikctl serves (and the meta/runtime ones every object embeds).
API_PACKAGES = ("core/v1", "admissionregistration/v1", "apps/v1", "autoscaling/v1", "autoscaling/v2", "batch/v1", "certificates/v1",
                "coordination/v1", "discovery/v1", "networking/v1", "policy/v1", "rbac/v1", "scheduling/v1",
                "storage/v1", "events/v1", "authorization/v1", "authentication/v1")
MACHINERY_PACKAGES = ("pkg/apis/meta/v1", "pkg/runtime", "pkg/api/resource", "pkg/util/intstr")

SCALARS = {"string", "int32", "int64", "uint32", "uint64", "bool", "bytes", "double", "float", "sint32",
           "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64"}
# Messages whose JSON form is not their protobuf structure (custom marshallers in Go).
SPECIAL = {
    "k8s.io.apimachinery.pkg.apis.meta.v1.Time": "Time",
    "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime": "MicroTime",
    "k8s.io.apimachinery.pkg.apis.meta.v1.Duration": "Duration",
    "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1": "FieldsV1",
    "k8s.io.apimachinery.pkg.api.resource.Quantity": "Quantity",
    "k8s.io.apimachinery.pkg.util.intstr.IntOrString": "IntOrString",
    "k8s.io.apimachinery.pkg.runtime.RawExtension": "RawExtension",
}

FIELD = re.compile(r"^\s*(optional|repeated|required)?\s*(map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>|[\w.]+)\s+(\w+)\s*=\s*(\d+)")
GO_FIELD = re.compile(r"^\s*(?:(\w+)\s+)?([*\[\]\w.]+(?:\[[\w.]+\][*\w.\[\]]+)?)\s+`([^`]*)`")


def git_files(repo: str, rev: str, prefix: str) -> dict[str, str]:
    names = subprocess.run(["git", "-C", repo, "ls-tree", "--name-only", f"{rev}:{prefix}"], capture_output=True,
                           text=True, check=True).stdout.split()
    out = {}
    for n in names:
        if n.endswith(".proto") or (n.endswith(".go") and not n.endswith("_test.go")
                                    and not n.startswith("zz_") and n != "generated.pb.go"):
            out[n] = subprocess.run(["git", "-C", repo, "show", f"{rev}:{prefix}/{n}"], capture_output=True,
                                    text=True, check=True).stdout
    return out


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//", 1)[0] for line in text.splitlines())


def parse_proto(text: str) -> tuple[str, dict[str, list]]:
    text = strip_comments(text)
    pkg = re.search(r"^package\s+([\w.]+)\s*;", text, re.M).group(1)
    messages: dict[str, list] = {}
    for m in re.finditer(r"^message\s+(\w+)\s*\{(.*?)^\}", text, re.M | re.S):
        fields = []
        for line in m.group(2).splitlines():
            f = FIELD.match(line)
            if f:
                label, typ, ktype, vtype, name, num = f.groups()
                fields.append({"label": label or "optional", "type": typ, "map": (ktype, vtype) if ktype else None,
                               "name": name, "number": int(num)})
        messages[m.group(1)] = fields
    return pkg, messages


def parse_go(sources: list[str]) -> dict[str, dict[int, dict]]:
    """struct name -> field number -> {json, omitempty, pointer, inline}."""
    structs: dict[str, dict[int, dict]] = {}
    for text in sources:
        for m in re.finditer(r"^type\s+(\w+)\s+struct\s*\{(.*?)^\}", text, re.M | re.S):
            fields = {}
            for line in m.group(2).splitlines():
                g = GO_FIELD.match(line)
                if not g or 'protobuf:"' not in g.group(3):
                    continue
                name, gotype, tag = g.groups()
                pb = re.search(r'protobuf:"([^"]*)"', tag).group(1).split(",")
                if len(pb) < 2 or not pb[1].isdigit():
                    continue
                js = re.search(r'json:"([^"]*)"', tag)
                jparts = js.group(1).split(",") if js else [""]
                jname = jparts[0]
                if jname == "-":
                    continue
                inline = (name is None and jname == "") or "inline" in jparts[1:]
                fields[int(pb[1])] = {"json": jname, "omitempty": "omitempty" in jparts[1:],
                                      "pointer": gotype.startswith("*"), "inline": inline}
            structs[m.group(1)] = fields
    return structs


def qualify(typ: str, pkg: str) -> str:
    if typ in SCALARS:
        return typ
    typ = typ.lstrip(".")
    full = typ if "." in typ else f"{pkg}.{typ}"
    return SPECIAL.get(full, full)


def group_of(sources: dict[str, str]) -> str | None:
    for name, text in sources.items():
        if name.endswith(".go"):
            g = re.search(r'^const\s+GroupName\s*=\s*"([^"]*)"', text, re.M)
            if g:
                return g.group(1)
    return None


def build(api: str, machinery: str, rev: str = "HEAD") -> dict:
    types: dict[str, dict] = {}
    packages: dict[str, str] = {}
    for repo, prefixes in ((api, API_PACKAGES), (machinery, MACHINERY_PACKAGES)):
        for prefix in prefixes:
            files = git_files(repo, rev, prefix)
            pkg, messages = parse_proto(files["generated.proto"])
            go = parse_go([t for n, t in files.items() if n.endswith(".go")])
            for msg, fields in messages.items():
                full = f"{pkg}.{msg}"
                if full in SPECIAL:
                    continue
                tags = go.get(msg, {})
                entry = {}
                for f in fields:
                    tag = tags.get(f["number"], {})
                    row = {"name": tag.get("json") or f["name"]}
                    if f["map"]:
                        row["map"] = qualify(f["map"][1], pkg)
                    else:
                        row["type"] = qualify(f["type"], pkg)
                        if f["label"] == "repeated":
                            row["repeated"] = True
                    if tag.get("inline"):
                        row["inline"] = True
                    # keep a zero value when JSON would: a pointer was set, or no omitempty
                    if tag and (tag["pointer"] or not tag["omitempty"]):
                        row["keepZero"] = True
                    entry[str(f["number"])] = row
                types[full] = entry
            if repo == api:
                group = group_of(files)
                version = prefix.split("/")[-1]
                packages[f"{group}/{version}" if group else version] = pkg
    packages["meta.k8s.io/v1"] = "k8s.io.apimachinery.pkg.apis.meta.v1"
    return {"comment": "Kubernetes protobuf wire facts, written by tools/gen_protobuf_schema.py; see "
                       "minikctl/apiserver/protobuf.py",
            "packages": packages, "types": dict(sorted(types.items()))}


def main(argv: list[str]) -> None:
    api, machinery = argv[1], argv[2]
    rev = argv[3] if len(argv) > 3 else "HEAD"
    out = Path(__file__).resolve().parent.parent / "minikctl" / "data" / "protobuf_schema.json"
    data = build(api, machinery, rev)
    out.write_text(json.dumps(data, indent=None, separators=(",", ":"), sort_keys=False) + "\n")
    print(f"{out}: {len(data['types'])} types")


if __name__ == "__main__":
    main(sys.argv)
