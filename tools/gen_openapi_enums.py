"""Write minikctl/data/openapi_enums.json: the enum facts openapi-gen adds to the served schemas.

Usage: python tools/gen_openapi_enums.py API_GIT_DIR [REV]     (REV defaults to v0.32.0)

kubernetes-validate's definitions (api/openapi/source.py) drop what openapi-gen derives from
k8s.io/api's `// +enum` types: a field of such a type gets `enum` (its constants' values) and a
"Possible enum values:" paragraph (one line per constant, from the constant's doc comment). This
script reads the Go sources at REV and records, per definition and JSON field name, the values
and each value's comment as openapi-gen reads it (doc comment lines joined by a space). The
rendering rules (sorting, trimming the constant's name) live in api/openapi/source.py, so this
file holds facts only. Re-run after a Kubernetes minor bump.

openapi-gen's rules followed here: an enum type is a named string type whose doc comment has the
`+enum` tag; its values are every string constant of that type (the first constant of a value
wins); a struct field of that type, or a pointer to it, is an enum field (slices are not); an
embedded struct inlined in JSON lends its fields to the outer definition.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

PACKAGES = ("core/v1", "admissionregistration/v1", "apps/v1", "autoscaling/v1", "autoscaling/v2", "batch/v1",
            "certificates/v1", "coordination/v1", "discovery/v1", "networking/v1", "policy/v1", "rbac/v1",
            "scheduling/v1", "storage/v1", "events/v1", "authorization/v1", "authentication/v1")
OUT = Path(__file__).resolve().parents[1] / "minikctl" / "data" / "openapi_enums.json"

TYPE_RE = re.compile(r"^type\s+(\w+)\s+(\S+)")
CONST_RE = re.compile(r"^\s*(?:const\s+)?([A-Z]\w*)\s+((?:\w+\.)?\w+)\s*=\s*(.+?)\s*(?://.*)?$")
FIELD_RE = re.compile(r"^\s+(?:(\w+)\s+)?(\*?(?:\[\])?\*?(?:\w+\.)?\w+)\s+`([^`]*)`")
IMPORT_RE = re.compile(r'^\s*(?:import\s+)?(\w+)?\s*"k8s\.io/api/([^"]+)"')


def git(api: str, *args: str) -> str:
    return subprocess.run(["git", "-C", api, *args], check=True, capture_output=True, text=True).stdout


def comment_above(lines: list[str], i: int) -> list[str]:
    """The doc comment block right above line i, markers and one leading space removed."""
    out = []
    j = i - 1
    while j >= 0 and lines[j].strip().startswith("//"):
        text = lines[j].strip()[2:]
        out.append(text[1:] if text.startswith(" ") else text)
        j -= 1
    out.reverse()
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return [ln.rstrip() for ln in out]


def read_package(api: str, rev: str, pkg: str):
    files = [f for f in git(api, "ls-tree", "--name-only", f"{rev}:{pkg}").split()
             if f.endswith(".go") and not f.endswith("_test.go") and not f.startswith("zz_generated")
             and f != "generated.pb.go"]
    enums, consts, structs = set(), [], {}
    for f in sorted(files):
        lines = git(api, "show", f"{rev}:{pkg}/{f}").splitlines()
        imports = {}
        for ln in lines:
            m = IMPORT_RE.match(ln)
            if m:
                imports[m.group(1) or m.group(2).split("/")[-1]] = m.group(2)
        current = None
        for i, ln in enumerate(lines):
            m = TYPE_RE.match(ln)
            if m:
                name, kind = m.groups()
                if kind == "string" and any(c.strip() == "+enum" for c in comment_above(lines, i)):
                    enums.add(name)
                current = name if kind == "struct" else None
                if current:
                    structs[current] = []
                continue
            if current and ln.startswith("}"):
                current = None
                continue
            if current:
                m = FIELD_RE.match(ln)
                if m:
                    fname, gotype, tag = m.groups()
                    js = re.search(r'json:"([^"]*)"', tag)
                    jname = js.group(1).split(",")[0] if js else ""
                    inline = fname is None or (js and ",inline" in js.group(1))
                    base = gotype.lstrip("*")
                    tpkg, _, tname = base.rpartition(".")
                    tpkg = imports.get(tpkg, tpkg) if tpkg else pkg
                    structs[current].append({"json": jname, "type": (tpkg, tname), "slice": "[]" in gotype,
                                             "inline": bool(inline)})
                continue
            m = CONST_RE.match(ln)
            if m and (ln.startswith("\t") or ln.startswith("const")):
                cname, ctype, value = m.groups()
                tpkg, _, tname = ctype.rpartition(".")
                consts.append({"name": cname, "type": (imports.get(tpkg, tpkg) if tpkg else pkg, tname),
                               "value": value, "comment": " ".join(comment_above(lines, i))})
    return enums, consts, structs


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    api, rev = argv[1], (argv[2] if len(argv) > 2 else "v0.32.0")
    enums, consts, structs = {}, [], {}
    for pkg in PACKAGES:
        e, c, s = read_package(api, rev, pkg)
        enums.update({(pkg, n): [] for n in e})
        consts += c
        structs.update({(pkg, n): v for n, v in s.items()})
    literal = {}
    for c in consts:
        v = c["value"]
        if v.startswith('"') and v.endswith('"'):
            literal[c["name"]] = json.loads(v)
    for c in consts:
        if c["type"] not in enums:
            continue
        v = c["value"]
        value = json.loads(v) if v.startswith('"') else literal.get(v)
        if value is None:
            raise SystemExit(f"cannot resolve the value of {c['name']} = {v}")
        values = enums[c["type"]]
        if all(x["value"] != value for x in values):
            values.append({"name": c["name"], "value": value, "comment": c["comment"]})

    def fields(key, seen=()):
        out = {}
        for f in structs.get(key, ()):
            if f["inline"] and f["type"] in structs and f["type"] not in seen:
                out.update(fields(f["type"], seen + (key,)))
            elif f["json"] and f["json"] != "-" and not f["slice"] and enums.get(f["type"]):
                out[f["json"]] = enums[f["type"]]
        return out

    result = {}
    for key in sorted(structs):
        fs = fields(key)
        if fs:
            result["io.k8s.api." + key[0].replace("/", ".") + "." + key[1]] = dict(sorted(fs.items()))
    doc = {"source": f"k8s.io/api {rev}", "definitions": result}
    OUT.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")
    print(f"{OUT}: {len(result)} definitions, {sum(len(v) for v in result.values())} fields", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
