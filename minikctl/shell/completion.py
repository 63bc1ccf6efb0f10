"""Tab completion: commands, kubectl verbs and subcommands, flags (read from the typer app),
resource kinds with their short names, object names from the live cluster, and file names.

Why from the app and the cluster rather than lists: verbs and flags are added by several
modules, and `kubectl get pods bu<Tab>` must offer the pods that exist now. The cluster is opened
read-only (`open_cluster(env, write=False)`) and names are cached for a moment, so Tab stays fast.
`complete(line, begidx, endidx)` is pure (tests call it); `readline_hook` adapts it to readline.
A candidate that ends the word carries its trailing space (a directory its `/`), as bash does.
"""
from __future__ import annotations

import os
import re
import time
from minikctl import lazy

builtins = lazy.module("minikctl.shell.builtins")
kinds = lazy.module("minikctl.api.kinds")
kubeconfig = lazy.module("minikctl.cli.kubeconfig")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
readline = lazy.module("readline")
typer = lazy.module("typer")
cli_main = lazy.module("minikctl.cli.main")

RESOURCE_VERBS = {"get", "describe", "delete", "edit", "label", "annotate", "patch", "scale", "expose", "wait",
                  "rollout", "set", "replace", "autoscale", "explain"}
POD_VERBS = {"logs", "exec", "attach", "port-forward", "cp"}
FORMATS = ("json", "yaml", "wide", "name", "jsonpath=", "jsonpath-file=", "custom-columns=",
           "custom-columns-file=", "go-template=", "go-template-file=")
FILE_COMMANDS = {"cat", "ls", "ll", "rm", "cp", "mv", "vi", "vim", "nano", "emacs", "view", "source", ".",
                 "head", "tail", "wc", "grep", "touch", "cd", "mkdir"}
CACHE_SECONDS = 2.0


class Completer:
    def __init__(self, shell):
        self.sh = shell
        self._names: dict = {}
        self._matches: list[str] = []
        self._root = None

    # -- readline ---------------------------------------------------------------------------
    def readline_hook(self, text: str, state: int):
        if state == 0:
            try:
                self._matches = self.complete(readline.get_line_buffer(), readline.get_begidx(),
                                              readline.get_endidx())
            except Exception:                    # completion must never break the prompt
                self._matches = []
        return self._matches[state] if state < len(self._matches) else None

    # -- the logic --------------------------------------------------------------------------
    def complete(self, line: str, begidx: int, endidx: int) -> list[str]:
        if getattr(self.sh, "continuing", False):
            return []
        cur = line[begidx:endidx]
        before = re.split(r"\|\||&&|[|;]", line[:begidx])[-1]
        if re.search(r"[<>]\s*$", before):
            return self.files(cur)
        words = before.split()
        if not words:
            return self.commands(cur)
        if words[0] in self.sh.aliases:
            words = self.sh.aliases[words[0]].split() + words[1:]
        if words[0] in ("kubectl", "minikctl"):
            return self.kubectl(words[1:], cur)
        if words[0] == "cd":
            return [c for c in self.files(cur) if c.endswith("/")]
        return self.files(cur)

    def commands(self, cur: str) -> list[str]:
        names = {"kubectl", "minikctl", *self.sh.aliases, *builtins.names()}
        return [n + " " for n in sorted(names) if n.startswith(cur)]

    def root(self):
        if self._root is None:
            if hasattr(cli_main, "ALL_MODULES"):          # verbs register lazily: Tab needs them all
                cli_main._register(cli_main.ALL_MODULES)
            self._root = typer.main.get_command(cli_main.app)
        return self._root

    def kubectl(self, args: list[str], cur: str) -> list[str]:
        cmd, path, positionals, i = self.root(), [], [], 0
        while i < len(args):
            a = args[i]
            if a.startswith("-"):
                opt = _option(cmd, a)
                if opt is not None and "=" not in a and _takes_value(opt):
                    if i == len(args) - 1:
                        return self.option_value(opt, args, cur)
                    i += 1
            elif hasattr(cmd, "commands") and a in cmd.commands:
                cmd = cmd.commands[a]
                path.append(a)
            else:
                positionals.append(a)
            i += 1
        if cur.startswith("-"):
            return self.flags(cmd, args, cur)
        if hasattr(cmd, "commands"):
            return [n + " " for n in sorted(cmd.commands)
                    if n.startswith(cur) and not getattr(cmd.commands[n], "hidden", False)]
        verb = path[0] if path else ""
        if verb in POD_VERBS and not positionals:
            return self.names("Pod", args, cur)
        if verb in RESOURCE_VERBS:
            if not positionals:
                return self.kinds(cur, args)
            first = positionals[0]
            if "/" not in first and "," not in first and verb != "explain":
                return self.kind_names(first, args, cur)
        return self.files(cur) if verb in ("apply", "create", "replace") else []

    def flags(self, cmd, args: list[str], cur: str) -> list[str]:
        if "=" in cur:
            name, _, value = cur.partition("=")
            opt = _option(cmd, name)
            return [f"{name}={v}" for v in self.option_value(opt, args, value)] if opt is not None else []
        opts = set()
        for p in getattr(cmd, "params", []):
            opts.update(getattr(p, "opts", []) if hasattr(p, "is_flag") else [])
            opts.update(getattr(p, "secondary_opts", []) or [])
        return [o + " " for o in sorted(opts) if o.startswith(cur)]

    def option_value(self, opt, args: list[str], cur: str) -> list[str]:
        names = set(getattr(opt, "opts", []))
        if names & {"-n", "--namespace"}:
            return [n + " " for n in self._list("Namespace", None) if n.startswith(cur)]
        if names & {"-o", "--output"}:
            return [f if f.endswith("=") else f + " " for f in FORMATS if f.startswith(cur)]
        if names & {"-f", "--filename"}:
            return self.files(cur)
        return []

    def kinds(self, cur: str, args: list[str]) -> list[str]:
        if "/" in cur:
            kind_name, _, prefix = cur.partition("/")
            return [f"{kind_name}/{n}" for n in self.kind_names(kind_name, args, prefix)]
        head, sep, last = cur.rpartition(",")
        names = {"all"} if not sep else set()
        for k in kinds.KINDS:
            names.update({k.plural, k.singular, *k.short})
        return [f"{head}{sep}{n} " for n in sorted(names) if n.startswith(last)]

    def kind_names(self, kind_name: str, args: list[str], prefix: str) -> list[str]:
        try:
            kind = kinds.resolve(kind_name)
        except Exception:
            return []
        return self.names(kind.kind, args, prefix, kind.namespaced)

    def names(self, kind: str, args: list[str], prefix: str, namespaced: bool = True) -> list[str]:
        ns = _namespace(args, self.sh) if namespaced else None
        return [n + " " for n in self._list(kind, ns) if n.startswith(prefix)]

    def _list(self, kind: str, namespace: str | None) -> list[str]:
        key = (kind, namespace)
        hit = self._names.get(key)
        if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
        env = self.sh.cluster_env(self.sh.stdin, self.sh.stdout, self.sh.stderr)
        with open_cluster(env, write=False) as cluster:
            names = sorted({o["metadata"]["name"] for o in cluster.list(kind, namespace)})
        self._names[key] = (time.monotonic(), names)
        return names

    def files(self, cur: str) -> list[str]:
        d, base = os.path.split(cur)
        try:
            entries = sorted(os.listdir(self.sh.path(d or ".")))
        except OSError:
            return []
        out = []
        for e in entries:
            if e.startswith(base) and (base.startswith(".") or not e.startswith(".")):
                full = os.path.join(d, e)
                out.append(full + ("/" if os.path.isdir(self.sh.path(full)) else " "))
        return out


def _option(cmd, flag: str):
    name = flag.split("=", 1)[0]
    for p in getattr(cmd, "params", []):
        if name in (getattr(p, "opts", []) or []) + (getattr(p, "secondary_opts", []) or []):
            return p if hasattr(p, "is_flag") else None
    return None


def _takes_value(opt) -> bool:
    return not getattr(opt, "is_flag", False) and not getattr(opt, "count", False)


def _namespace(args: list[str], sh) -> str | None:
    """The namespace the typed line names (-n X, --namespace=X, -A for all), else the context's."""
    for i, a in enumerate(args):
        if a in ("-A", "--all-namespaces"):
            return None
        if a in ("-n", "--namespace") and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("--namespace="):
            return a.split("=", 1)[1]
        if a.startswith("-n") and len(a) > 2:
            return a[2:]
    try:
        return kubeconfig.current_namespace(sh.env) or "default"
    except Exception:
        return "default"
