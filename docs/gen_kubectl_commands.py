"""Regenerate minikctl/data/kubectl_commands.json from the real kubectl on this machine: every
command path kubectl has (root commands and their subcommands, recursively), with its flags
(long names and shorthands), and kubectl's global flags.

minikctl reads it to tell a command or flag that kubectl has but minikctl does not simulate
(`minikctl: kubectl debug is not simulated`) from a mistyped one (cobra's own errors).

    python docs/gen_kubectl_commands.py > minikctl/data/kubectl_commands.json
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

KUBECTL = "kubectl"
ENV = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "KUBECONFIG": "/dev/null"}


def _help(path: list[str]) -> str:
    return subprocess.run([KUBECTL, *path, "--help"], capture_output=True, text=True, env=ENV, timeout=30).stdout


def _section(text: str, title: str) -> list[str]:
    m = re.search(rf"^{title}:\n(.*?)(?:\n\n[A-Z]|\Z)", text, re.S | re.M)
    return m.group(1).splitlines() if m else []


def _flags(text: str) -> list[str]:
    out = []
    for line in _section(text, "Options"):
        m = re.match(r"\s+(?:-(\w), )?--([\w-]+)=", line)
        if m:
            if m.group(1):
                out.append("-" + m.group(1))
            out.append("--" + m.group(2))
    return out


def _subcommands(text: str) -> list[str]:
    names = []
    for title in ("Available Commands", r"[A-Za-z ]+Commands \([^)]*\)", r"[A-Za-z ]+Commands"):
        for m in re.finditer(rf"^{title}:\n((?:  \S.*\n?)+)", text, re.M):
            for line in m.group(1).splitlines():
                w = line.split()
                if w and w[0] not in names and w[0] != "help":
                    names.append(w[0])
    return names


def walk(path: list[str], out: dict) -> None:
    text = _help(path)
    out[" ".join(path)] = _flags(text)
    for sub in _subcommands(text):
        if len(path) < 3:
            walk(path + [sub], out)


def main() -> None:
    global KUBECTL
    if len(sys.argv) > 1:
        KUBECTL = sys.argv[1]
    commands: dict[str, list[str]] = {}
    walk([], commands)
    root = commands.pop("")
    globals_ = _flags(subprocess.run([KUBECTL, "options"], capture_output=True, text=True, env=ENV).stdout
                      .replace("The following options can be passed to any command:", "Options:"))
    version = subprocess.run([KUBECTL, "version", "--client"], capture_output=True, text=True, env=ENV).stdout
    print(json.dumps({"_source": version.splitlines()[0] if version else "", "_global": globals_,
                      "_root": root, **dict(sorted(commands.items()))}, indent=1, sort_keys=False))


if __name__ == "__main__":
    main()
