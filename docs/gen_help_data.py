"""Write minikctl/data/kubectl_help.json from the installed kubectl's own help.

Usage: .venv/bin/python docs/gen_help_data.py   (needs `kubectl` on PATH; offline, no cluster)

Why: minikctl's help gives each kubectl verb kubectl's flag descriptions and Examples. Those
are facts about kubectl, so they are read from kubectl (`kubectl <verb> --help`, and `kubectl
options` for the global flags such as --namespace) and kept as data, for every command path
minikctl has that kubectl has too; cli/help.py reads them when help is printed.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "minikctl" / "data" / "kubectl_help.json"
_FLAG = re.compile(r"^    (?:-(\w), )?--([\w-]+)=")


def kubectl_help(kubectl: str, path: list[str]) -> str | None:
    p = subprocess.run([kubectl, *path, "--help"], capture_output=True, text=True,
                       env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"})
    if p.returncode != 0 or not p.stdout.strip():
        return None
    # an unknown subcommand prints its parent's help: keep only the page of this very command
    usage = p.stdout.split("\nUsage:\n", 1)[-1].splitlines()[0].strip() if "\nUsage:\n" in p.stdout else ""
    if not usage.startswith("kubectl " + " ".join(path)):
        return None
    return p.stdout


def parse_flags(text: str) -> dict[str, str]:
    """--long-name -> description, from kubectl's `Options:` layout (flag line, tab-indented text)."""
    flags: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        m = _FLAG.match(line)
        if m:
            current = "--" + m.group(2)
            flags[current] = ""
        elif current and line.startswith("\t"):
            flags[current] = (flags[current] + " " + line.strip()).strip()
        elif not line.strip():
            current = None
    return flags


def parse_examples(text: str) -> str:
    if "\nExamples:\n" not in text:
        return ""
    block = text.split("\nExamples:\n", 1)[1].split("\n\nOptions:\n", 1)[0].split("\n\nUsage:\n", 1)[0]
    return "\n".join(line[2:] if line.startswith("  ") else line.strip() for line in block.splitlines()).strip("\n")


def command_paths() -> list[list[str]]:
    import typer
    from minikctl.cli.main import ALL_MODULES, _register, app
    _register(ALL_MODULES)
    out = []

    def walk(cmd, path):
        if path:
            out.append(path)
        for name, sub in sorted((getattr(cmd, "commands", None) or {}).items()):
            walk(sub, path + [name])
    walk(typer.main.get_command(app), [])
    return out


def main() -> int:
    kubectl = shutil.which("kubectl")
    if not kubectl:
        print("gen_help_data: kubectl is not installed", file=sys.stderr)
        return 1
    sys.path.insert(0, str(ROOT))
    data: dict = {"_source": subprocess.run([kubectl, "version", "--client"], capture_output=True,
                                            text=True).stdout.splitlines()[0],
                  "_global": {"flags": parse_flags(subprocess.run([kubectl, "options"], capture_output=True,
                                                                  text=True).stdout)}}
    for path in command_paths():
        text = kubectl_help(kubectl, path)
        if text is None:
            continue
        options = text.split("\nOptions:\n", 1)[1].split("\nUsage:\n", 1)[0] if "\nOptions:\n" in text else ""
        data[" ".join(path)] = {"short": text.splitlines()[0].strip(), "examples": parse_examples(text),
                                "flags": parse_flags(options)}
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(data) - 2} commands")
    return 0


if __name__ == "__main__":
    sys.exit(main())
