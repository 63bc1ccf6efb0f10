"""`minikctl helm ...`: Helm 3's client, as `helm` is on an exam node (inside `minikctl shell` the
command is plain `helm`). Repositories are the simulated ones (minikctl/data/helm); releases live
in the cluster as Helm 3's secrets driver stores them. Output and errors are helm v3.16's.

Supported: repo add|list|update|remove, search repo, install, upgrade [--install], rollback,
uninstall, list, status, history, template, get values|manifest|notes|all, show values|chart, pull,
with --set, --set-string, -f/--values, -n/--namespace, --create-namespace, --version,
--reuse-values / --reset-values, --generate-name, -A. --wait, --atomic and --timeout are accepted
(objects are created at once in the simulation)."""
from __future__ import annotations

import os
from typing import List

import typer

from minikctl.api.errors import CliError
from minikctl.cli import context
import base64
import json
import re
from minikctl import lazy

Chart = lazy.function("minikctl.helm.charts", "Chart")
ansic = lazy.function("minikctl.helm.release", "ansic")
charts = lazy.module("minikctl.helm.charts")
coalesce = lazy.function("minikctl.helm.values", "coalesce")
helm_numbers = lazy.function("minikctl.helm.values", "helm_numbers")
merge_user = lazy.function("minikctl.helm.values", "merge_user")
open_cluster = lazy.function("minikctl.sim.cluster", "open_cluster")
parse_go_time = lazy.function("minikctl.helm.release", "parse_go_time")
parse_set = lazy.function("minikctl.helm.values", "parse_set")
release = lazy.module("minikctl.helm.release")
server = lazy.module("minikctl.api.server")
to_yaml = lazy.function("minikctl.printers.serialize", "to_yaml")
yaml = lazy.module("yaml")
_go_yaml_message = lazy.function("minikctl.api.manifests", "_go_yaml_message")
helm = lazy.module("minikctl.helm")

VALUE_FLAGS = {"-n": "namespace", "--namespace": "namespace", "-f": "values", "--values": "values",
               "--set": "set", "--set-string": "set_string", "--version": "version", "--timeout": "timeout",
               "--max-col-width": "max_col_width", "--description": "description", "-o": "output",
               "--output": "output", "--kube-context": "kube_context", "--revision": "revision",
               "--name-template": "name_template", "--untardir": "untardir", "-d": "destination",
               "--destination": "destination"}
BOOL_FLAGS = {"--create-namespace", "--install", "-i", "--all", "-a", "-A", "--all-namespaces", "--generate-name",
              "-g", "--reuse-values", "--reset-values", "--versions", "-l", "--keep-history", "--wait", "--atomic",
              "--debug", "--wait-for-jobs", "--force", "--cleanup-on-fail", "--no-hooks", "--skip-crds",
              "--dependency-update", "--devel", "--regexp", "-r", "--short", "-q", "--fail-on-no-result",
              "--untar"}
REPEATED = {"values", "set", "set_string"}
# helm's own flags that minikctl does not model: refused as such, not as unknown flags
UNSIMULATED_FLAGS = {"--dry-run", "--set-file", "--set-json", "--set-literal", "--post-renderer",
                     "--post-renderer-args", "--repo", "--username", "--password", "--verify", "--keyring",
                     "--ca-file", "--cert-file", "--key-file", "--insecure-skip-tls-verify", "--pass-credentials",
                     "--plain-http", "--render-subchart-notes", "--disable-openapi-validation",
                     "--skip-schema-validation", "--enable-dns", "--labels", "--show-only", "-s", "--output-dir",
                     "--include-crds", "--kube-version", "--api-versions", "--is-upgrade", "--validate",
                     "--history-max", "--replace", "--take-ownership", "--hide-notes", "--kubeconfig",
                     "--registry-config", "--repository-config", "--repository-cache", "--burst-limit", "--qps",
                     "--kube-apiserver", "--kube-token", "--kube-as-user", "--kube-as-group", "--kube-ca-file",
                     "--kube-insecure-skip-tls-verify", "--kube-tls-server-name", "--filter"}
UNSIMULATED_COMMANDS = {"create", "package", "push", "lint", "dependency", "dep", "plugin", "test",
                        "env", "completion", "registry", "verify"}


class Args:
    def __init__(self, argv: list[str]):
        self.pos: list[str] = []
        self.opts: dict = {k: [] for k in REPEATED}
        self.flags: set[str] = set()
        i = 0
        while i < len(argv):
            a = argv[i]
            if a == "--":
                self.pos += argv[i + 1:]
                break
            if a.startswith("-") and a != "-":
                name, eq, val = a.partition("=")
                if name in VALUE_FLAGS:
                    if not eq:
                        if i + 1 >= len(argv):
                            raise _err(f"flag needs an argument: {name!r} in {name}" if len(name) == 2 else
                                       f"flag needs an argument: {name}")
                        i += 1
                        val = argv[i]
                    key = VALUE_FLAGS[name]
                    if key in REPEATED:
                        self.opts[key].append(val)
                    else:
                        self.opts[key] = val
                elif name in BOOL_FLAGS:
                    if not eq or val == "true":
                        self.flags.add(name)
                elif name in UNSIMULATED_FLAGS:
                    raise CliError(f"minikctl: helm's {name} flag is not simulated", raw=True)
                else:
                    raise _err(f"unknown flag: {name}" if name.startswith("--") else
                               f"unknown shorthand flag: {name[1]!r} in {name}")
            else:
                self.pos.append(a)
            i += 1

    def has(self, *names: str) -> bool:
        return any(n in self.flags for n in names)

    def get(self, key: str, default=None):
        v = self.opts.get(key)
        return default if v in (None, []) else v


def _err(message: str) -> CliError:
    return CliError(f"Error: {message}", raw=True)


def _out(text: str) -> None:
    context.out(text)


# ------------------------------------------------------------------ repositories (client side)

def _repo_file() -> str:
    return os.path.join(str(context.env().home), "helm", "repositories.json")


def _repos() -> dict:
    try:
        with open(_repo_file(), encoding="utf-8") as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return {}


def _save_repos(repos: dict) -> None:
    os.makedirs(os.path.dirname(_repo_file()), exist_ok=True)
    with open(_repo_file(), "w", encoding="utf-8") as f:
        json.dump(repos, f)


def _table(rows: list[list[str]], max_width: int = 0) -> str:
    """gosuri/uitable as helm uses it: cells padded to the column width (the last one too),
    joined by a tab; cells over max_width cut to it with '...'."""
    def cut(s: str) -> str:
        if max_width and len(s) > max_width:
            return s[:max_width - 3] + "..."
        return s
    rows = [[cut(str(c)) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("\t".join(c.ljust(widths[i]) for i, c in enumerate(r)) for r in rows) + "\n"


def repo(args: Args) -> int:
    sub = args.pos[1] if len(args.pos) > 1 else ""
    repos = _repos()
    if sub == "add":
        if len(args.pos) != 4:
            raise _err(f"\"helm repo add\" requires 2 arguments\n\nUsage:  helm repo add [NAME] [URL] [flags]")
        name, url = args.pos[2], args.pos[3]
        if "/" in name:
            raise _err(f"repository name ({name}) contains '/', please specify a different name without '/'")
        if name in repos:
            if repos[name] == url:
                _out(f"\"{name}\" already exists with the same configuration, skipping\n")
                return 0
            raise _err(f"repository name ({name}) already exists, please specify a different name")
        if charts.repo_for_url(url) is None:
            known = ", ".join(f"{n} {r['url']}" for n, r in charts.catalogue().items())
            raise CliError(f"minikctl: the chart repository {url} is not simulated (simulated: {known})", raw=True)
        repos[name] = url
        _save_repos(repos)
        _out(f"\"{name}\" has been added to your repositories\n")
        return 0
    if sub in ("list", "ls"):
        if not repos:
            raise _err("no repositories to show")
        _out(_table([["NAME", "URL"]] + [[n, u] for n, u in repos.items()]))
        return 0
    if sub in ("update", "up"):
        if not repos:
            raise _err("no repositories found. You must add one before updating")
        _out("Hang tight while we grab the latest from your chart repositories...\n")
        for n in repos:
            _out(f"...Successfully got an update from the \"{n}\" chart repository\n")
        _out("Update Complete. \u2388Happy Helming!\u2388\n")
        return 0
    if sub in ("remove", "rm"):
        for n in args.pos[2:]:
            if n not in repos:
                raise _err(f"no repo named \"{n}\" found")
            del repos[n]
            _out(f"\"{n}\" has been removed from your repositories\n")
        _save_repos(repos)
        return 0
    if not sub:
        return _subcommands("repo", ["add", "list", "remove", "update"])
    raise _err(f"unknown command \"{sub}\" for \"helm repo\"")


def _subcommands(parent: str, subs: list[str]) -> int:
    """A helm parent command run alone: cobra prints its help (here: the simulated subcommands)."""
    _out(f"Usage:\n  helm {parent} [command]\n\nAvailable Commands:\n" +
         "".join(f"  {x}\n" for x in subs) + f"\nUse \"helm {parent} [command] --help\" for more information "
         "about a command.\n")
    return 0


def search(args: Args) -> int:
    if len(args.pos) < 2:
        return _subcommands("search", ["hub", "repo"])
    if args.pos[1] == "hub":
        raise CliError("minikctl: helm search hub is not simulated (use helm search repo)", raw=True)
    if args.pos[1] != "repo":
        raise _err(f"unknown command \"{args.pos[1]}\" for \"helm search\"")
    repos = _repos()
    if not repos:
        raise _err("no repositories configured")
    keyword = args.pos[2].lower() if len(args.pos) > 2 else ""
    rows = []
    for rname, url in sorted(repos.items()):
        for chart in charts.chart_names(url):
            full = f"{rname}/{chart}"
            desc = charts.description(url, chart)
            if keyword and keyword not in full.lower() and keyword not in desc.lower():
                continue
            vs = charts.versions(url, chart)
            if args.get("version"):
                vs = [v for v in vs if charts._version_matches(args.get("version"), str(v["version"]))]
            for v in (vs if args.has("--versions", "-l") else vs[:1]):
                rows.append([full, str(v["version"]), str(v.get("appVersion", "")), desc])
    if not rows:
        _out("No results found\n")
        return 0
    width = int(args.get("max_col_width", "50"))
    _out(_table([["NAME", "CHART VERSION", "APP VERSION", "DESCRIPTION"]] + rows, width))
    return 0


# ------------------------------------------------------------------ charts and values

def _load_chart(ref: str, version: str | None):
    if os.path.isdir(ref):
        return charts.load_dir(ref)
    if os.path.isfile(ref) and ref.endswith((".tgz", ".tar.gz")):
        return charts.load_tgz(ref)
    if "/" in ref and not ref.startswith((".", "/")):
        rname, chart = ref.split("/", 1)
        repos = _repos()
        if rname not in repos:
            raise _HelmFail(f"repo {rname} not found")
        return charts.load(repos[rname], chart, version, rname)
    raise _HelmFail(f"non-absolute URLs should be in form of repo_name/path_to_chart, got: {ref}")


class _HelmFail(Exception):
    def __init__(self, message: str):
        self.message = message


def _user_values(args: Args) -> dict:
    vals: dict = {}
    for path in args.get("values", []):
        try:
            with open(path, encoding="utf-8") as f:
                data = yaml.safe_load(f) or {}
        except FileNotFoundError:
            raise _HelmFail(f"open {path}: no such file or directory") from None
        except yaml.YAMLError as e:
            raise _HelmFail(f"failed to parse {path}: error converting YAML to JSON: {_go_yaml_message(e)}") from None
        if not isinstance(data, dict):
            raise _HelmFail(f"failed to parse {path}: error unmarshaling JSON: while decoding JSON: json: cannot "
                            "unmarshal array into Go value of type map[string]interface {}")
        vals = merge_user(vals, helm_numbers(data))
    for s in args.get("set", []):
        vals = parse_set(s, vals, False)
    for s in args.get("set_string", []):
        vals = parse_set(s, vals, True)
    return vals


def _namespace(args: Args) -> str:
    return args.get("namespace") or context.namespace(None)


# ------------------------------------------------------------------ status texts

def _status_text(rel: dict, notes: bool = True) -> str:
    info = rel["info"]
    out = f"NAME: {rel['name']}\n"
    t = parse_go_time(info.get("last_deployed", ""))
    if t:
        out += f"LAST DEPLOYED: {ansic(t)}\n"
    out += f"NAMESPACE: {rel['namespace']}\nSTATUS: {info['status']}\nREVISION: {rel['version']}\n"
    out += "TEST SUITE: None\n"
    if notes and info.get("notes"):
        out += f"NOTES:\n{info['notes'].strip()}\n"
    return out


def _release_name(args: Args, chart_ref: str | None) -> str:
    if args.has("--generate-name", "-g"):
        env = context.env()
        base = re.sub(r"[^a-z0-9-]", "", os.path.basename(chart_ref or "chart").lower())
        return f"{base}-{int(env.clock())}"
    return args.pos[1]


# ------------------------------------------------------------------ actions

def install(args: Args, upgrade_mode: bool = False) -> int:
    env = context.env()
    prefix = "UPGRADE FAILED" if upgrade_mode else "INSTALLATION FAILED"
    need = 2 if (args.has("--generate-name", "-g") and not upgrade_mode) else 3
    if len(args.pos) != need:
        verb = "upgrade" if upgrade_mode else "install"
        usage = ("helm upgrade [RELEASE] [CHART] [flags]" if upgrade_mode else "helm install [NAME] [CHART] [flags]")
        got = len(args.pos) - 1
        if not upgrade_mode and got < 2 and not args.has("--generate-name", "-g"):
            raise _err(f"INSTALLATION FAILED: must either provide a name or specify --generate-name")
        raise _err(f"\"helm {verb}\" requires {need - 1} arguments\n\nUsage:  {usage}")
    chart_ref = args.pos[-1]
    name = _release_name(args, chart_ref)
    ns = _namespace(args)
    try:
        chart = _load_chart(chart_ref, args.get("version"))
        user = _user_values(args)
    except _HelmFail as e:
        raise _err(f"{prefix}: {e.message}") from None
    except helm.HelmError as e:
        raise _err(f"{prefix}: {e.message}") from None
    with open_cluster(env) as cluster:
        current = release.last(cluster, ns, name)
        if upgrade_mode and (current is None or current["info"]["status"] == "uninstalled"):
            if not args.has("--install", "-i"):
                raise _err(f"UPGRADE FAILED: \"{name}\" has no deployed releases")
            _out(f"Release \"{name}\" does not exist. Installing it now.\n")
            upgrade_mode, prefix = False, "INSTALLATION FAILED"
        if not upgrade_mode and current is not None:
            raise _err(f"{prefix}: cannot re-use a name that is still in use")
        if len(name) > 53:
            raise _err(f"{prefix}: release name \"{name}\": invalid release name, must match regex "
                       "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must "
                       "not be longer than 53")
        if cluster.get("Namespace", None, ns) is None:
            if args.has("--create-namespace") and not upgrade_mode:
                server.create(cluster, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
            else:
                raise _err(f"{prefix}: create: failed to create: namespaces \"{ns}\" not found")
        now = env.clock()
        if upgrade_mode:
            if args.has("--reuse-values"):
                user = merge_user(current.get("config") or {}, user)
            elif not args.has("--reset-values") and not user:
                user = current.get("config") or {}
            revision = current["version"] + 1
        else:
            revision = 1
        try:
            manifest, notes, objs, _ = release.render(chart, user, name, ns, revision, upgrade_mode, cluster.rng)
            if upgrade_mode:
                release.update_objects(cluster, current.get("manifest", ""), objs, name, ns)
            else:
                release.create_objects(cluster, objs, name, ns)
        except helm.HelmError as e:
            raise _err(f"{prefix}: {e.message}") from None
        first = None
        if upgrade_mode:
            first = parse_go_time(current["info"].get("first_deployed", ""))
            for old in release.history(cluster, ns, name):
                if old["info"]["status"] == "deployed":
                    old["info"]["status"] = "superseded"
                    release.store(cluster, old, now)
        rel = release.new_release(name, ns, chart, user, manifest, notes, revision, now,
                                  "Upgrade complete" if upgrade_mode else "Install complete", first)
        release.store(cluster, rel, now)
    if upgrade_mode:
        _out(f"Release \"{name}\" has been upgraded. Happy Helming!\n")
    _out(_status_text(rel))
    return 0


def template(args: Args) -> int:
    if len(args.pos) == 2:
        name, chart_ref = "release-name", args.pos[1]
    elif len(args.pos) == 3:
        name, chart_ref = args.pos[1], args.pos[2]
    else:
        raise _err("\"helm template\" requires at most 2 arguments\n\nUsage:  helm template [NAME] [CHART] [flags]")
    try:
        chart = _load_chart(chart_ref, args.get("version"))
        user = _user_values(args)
        ns = args.get("namespace") or "default"
        manifest, _, _, _ = release.render(chart, user, name, ns, 1, False, None)
    except (_HelmFail, helm.HelmError) as e:
        raise _err(e.message) from None
    _out(manifest.strip() + "\n")
    return 0


def _need_release(cluster, ns: str, name: str, what: str = "release: not found") -> dict:
    rel = release.last(cluster, ns, name)
    if rel is None:
        raise _err(what)
    return rel


def status(args: Args) -> int:
    if len(args.pos) != 2:
        raise _err("\"helm status\" requires 1 argument\n\nUsage:  helm status RELEASE_NAME [flags]")
    with open_cluster(context.env()) as cluster:
        rel = _need_release(cluster, _namespace(args), args.pos[1])
    _out(_status_text(rel))
    return 0


def list_(args: Args) -> int:
    all_ns = args.has("-A", "--all-namespaces")
    with open_cluster(context.env()) as cluster:
        rels = release.releases(cluster, None if all_ns else _namespace(args))
    latest: dict = {}
    for r in rels:
        latest[(r["namespace"], r["name"])] = r
    shown = [r for r in latest.values() if r["info"]["status"] in ("deployed", "failed") or args.has("--all", "-a")]
    shown.sort(key=lambda r: (r["name"], r["namespace"]))
    if args.has("--short", "-q"):
        _out("".join(r["name"] + "\n" for r in shown))
        return 0
    fmt = args.get("output") or "table"
    if fmt in ("json", "yaml"):
        items = []
        for r in shown:
            meta = r["chart"]["metadata"]
            t = release.parse_go_time(r["info"].get("last_deployed", ""))
            items.append({"name": r["name"], "namespace": r["namespace"], "revision": str(r["version"]),
                          "updated": release.go_time_string(t) if t else "-", "status": r["info"]["status"],
                          "chart": f"{meta['name']}-{meta['version']}", "app_version": meta.get("appVersion", "")})
        if fmt == "json":
            _out(json.dumps(items, separators=(",", ":"), ensure_ascii=False) + "\n")
        else:
            _out(to_yaml(items) if items else "[]\n")
        return 0
    if fmt != "table":
        raise _err(f"invalid format type")
    rows = [["NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"]]
    for r in shown:
        meta = r["chart"]["metadata"]
        t = release.parse_go_time(r["info"].get("last_deployed", ""))
        rows.append([r["name"], r["namespace"], str(r["version"]), release.go_time_string(t) if t else "-",
                     r["info"]["status"], f"{meta['name']}-{meta['version']}", meta.get("appVersion", "")])
    _out(_table(rows))
    return 0


def history(args: Args) -> int:
    if len(args.pos) != 2:
        raise _err("\"helm history\" requires 1 argument\n\nUsage:  helm history RELEASE_NAME [flags]")
    with open_cluster(context.env()) as cluster:
        h = release.history(cluster, _namespace(args), args.pos[1])
    if not h:
        raise _err("release: not found")
    rows = [["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "DESCRIPTION"]]
    for r in h:
        meta = r["chart"]["metadata"]
        rows.append([str(r["version"]), release.ansic(release.parse_go_time(r["info"]["last_deployed"])),
                     r["info"]["status"], f"{meta['name']}-{meta['version']}", meta.get("appVersion", ""),
                     r["info"].get("description", "")])
    _out(_table(rows))
    return 0


def rollback(args: Args) -> int:
    if len(args.pos) not in (2, 3):
        raise _err("\"helm rollback\" requires at least 1 argument\n\nUsage:  helm rollback <RELEASE> [REVISION] [flags]")
    env = context.env()
    name, ns = args.pos[1], _namespace(args)
    with open_cluster(env) as cluster:
        h = release.history(cluster, ns, name)
        if not h:
            raise _err("release: not found")
        current = h[-1]
        try:
            asked = int(args.pos[2]) if len(args.pos) == 3 else 0
        except ValueError:
            raise _err(f"could not convert revision to a number: strconv.Atoi: parsing \"{args.pos[2]}\": "
                       "invalid syntax") from None
        target_v = asked if asked > 0 else current["version"] - 1
        if target_v < 1:
            raise _err("release has no 0 version")
        target = next((r for r in h if r["version"] == target_v), None)
        if target is None:
            raise _err("release: not found")
        now = env.clock()
        c = target["chart"]
        chart = Chart(c["metadata"], c.get("values") or {},
                      {f"{c['metadata']['name']}/{t['name']}": base64.b64decode(t["data"]).decode() for t in c["templates"]},
                      "")
        try:
            release.update_objects(cluster, current.get("manifest", ""),
                                   [(None, o) for o in release.objects_of(target.get("manifest", ""))], name, ns)
        except helm.HelmError as e:
            raise _err(e.message) from None
        for old in h:
            if old["info"]["status"] == "deployed":
                old["info"]["status"] = "superseded"
                release.store(cluster, old, now)
        rel = release.new_release(name, ns, chart, target.get("config") or {}, target.get("manifest", ""),
                                  target["info"].get("notes", ""), current["version"] + 1, now,
                                  f"Rollback to {target_v}", release.parse_go_time(current["info"]["first_deployed"]))
        rel["chart"] = target["chart"]
        release.store(cluster, rel, now)
    _out("Rollback was a success! Happy Helming!\n")
    return 0


def uninstall(args: Args) -> int:
    if len(args.pos) < 2:
        raise _err("\"helm uninstall\" requires at least 1 argument\n\nUsage:  helm uninstall RELEASE_NAME [...] [flags]")
    env = context.env()
    ns = _namespace(args)
    with open_cluster(env) as cluster:
        for name in args.pos[1:]:
            h = release.history(cluster, ns, name)
            if not h:
                raise _err(f"uninstall: Release not loaded: {name}: release: not found")
            release.delete_objects(cluster, h[-1].get("manifest", ""), ns)
            if args.has("--keep-history"):
                h[-1]["info"]["status"] = "uninstalled"
                h[-1]["info"]["description"] = "Uninstallation complete"
                release.store(cluster, h[-1], env.clock())
            else:
                for r in h:
                    server.delete(cluster, "Secret", ns, release.secret_name(name, r["version"]))
            _out(f"release \"{name}\" uninstalled\n")
    return 0


def get(args: Args) -> int:
    sub = args.pos[1] if len(args.pos) > 1 else ""
    if not sub:
        return _subcommands("get", ["all", "manifest", "notes", "values"])
    if sub not in ("values", "manifest", "notes", "all"):
        if sub in ("hooks", "metadata"):
            raise CliError(f"minikctl: helm get {sub} is not simulated", raw=True)
        raise _err(f"unknown command \"{sub}\" for \"helm get\"")
    if len(args.pos) != 3:
        raise _err(f"\"helm get {sub}\" requires 1 argument\n\nUsage:  helm get {sub} RELEASE_NAME [flags]")
    with open_cluster(context.env()) as cluster:
        rel = _need_release(cluster, _namespace(args), args.pos[2])
        if args.get("revision"):
            rel = next((r for r in release.history(cluster, _namespace(args), args.pos[2])
                        if str(r["version"]) == args.get("revision")), None) or _need_release(cluster, "", "")
    if sub == "values":
        if args.has("--all", "-a"):
            vals = coalesce(rel["chart"].get("values") or {}, rel.get("config") or {})
            _out("COMPUTED VALUES:\n" + to_yaml(vals))
        else:
            cfg = rel.get("config") or None
            _out("USER-SUPPLIED VALUES:\n" + (to_yaml(cfg) if cfg else "null\n"))
    elif sub == "manifest":
        _out(rel.get("manifest", "") + "\n")
    elif sub == "notes":
        _out("NOTES:\n" + rel["info"].get("notes", "") + "\n")
    else:
        _out(_status_text(rel, notes=False) + "USER-SUPPLIED VALUES:\n" +
             (to_yaml(rel.get("config")) if rel.get("config") else "null\n") + "\nMANIFEST:\n" +
             rel.get("manifest", "") + "\n")
    return 0


def show(args: Args) -> int:
    sub = args.pos[1] if len(args.pos) > 1 else ""
    if not sub:
        return _subcommands("show", ["all", "chart", "readme", "values"])
    if sub == "crds":
        raise CliError("minikctl: helm show crds is not simulated", raw=True)
    if sub not in ("values", "chart", "all", "readme"):
        raise _err(f"unknown command \"{sub}\" for \"helm show\"")
    if len(args.pos) != 3:
        raise _err(f"\"helm show {sub}\" requires 1 argument\n\nUsage:  helm show {sub} [CHART] [flags]")
    try:
        chart = _load_chart(args.pos[2], args.get("version"))
    except _HelmFail as e:
        raise _err(e.message) from None
    if sub == "values":
        _out(chart.raw_values + "\n")
    elif sub == "chart":
        _out(to_yaml(chart.metadata))
    elif sub == "readme":
        raise CliError("minikctl: helm show readme is not simulated (the simulated charts carry no README)", raw=True)
    else:
        _out(to_yaml(chart.metadata) + "---\n" + chart.raw_values + "\n")
    return 0


def pull(args: Args) -> int:
    """helm pull CHART [--version V] [--untar] [--untardir DIR] [-d DIR]: the chart archive, or its
    directory, written where the learner is."""
    if len(args.pos) != 2:
        raise _err("\"helm pull\" requires at least 1 argument\n\nUsage:  helm pull [chart URL | repo/chartname] "
                   "[...] [flags]")
    try:
        chart = _load_chart(args.pos[1], args.get("version"))
    except _HelmFail as e:
        raise _err(e.message) from None
    except helm.HelmError as e:
        raise _err(e.message) from None
    dest = args.get("destination") or "."
    if args.has("--untar"):
        ud = args.get("untardir") or "."
        root = ud if os.path.isabs(ud) else os.path.normpath(os.path.join(dest, ud))
        top = chart.name if root == "." else os.path.join(root, chart.name)
        if os.path.exists(top):
            raise _err(f"failed to untar: a file or directory with the name {top} already exists")
        for path, data in charts.to_files(chart).items():
            full = os.path.join(root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(data)
        return 0
    with open(os.path.join(dest, f"{chart.name}-{chart.version}.tgz"), "wb") as f:
        f.write(charts.to_tgz(chart, context.env().clock()))
    return 0


def version(args: Args) -> int:
    _out('version.BuildInfo{Version:"v3.16.4", GitCommit:"7877b45b63f95635153b29a42c0c2f4273ec45ca", '
         'GitTreeState:"clean", GoVersion:"go1.22.7"}\n')
    return 0


COMMANDS = {"repo": repo, "search": search, "install": install, "upgrade": lambda a: install(a, True),
            "template": template, "status": status, "list": list_, "ls": list_, "history": history,
            "hist": history, "rollback": rollback, "uninstall": uninstall, "un": uninstall, "delete": uninstall,
            "del": uninstall, "get": get, "show": show, "inspect": show, "version": version, "pull": pull,
            "fetch": pull}


def run_helm(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        _out("The Kubernetes package manager (simulated by minikctl)\n\nAvailable Commands:\n  " +
             "\n  ".join(sorted(k for k in COMMANDS if k not in ("ls", "hist", "un", "delete", "del", "inspect"))) +
             "\n")
        return 0
    args = Args(argv)
    if not args.pos:
        raise _err("unknown command for \"helm\"")
    if args.pos[0] in UNSIMULATED_COMMANDS:
        raise CliError(f"minikctl: helm {args.pos[0]} is not simulated (see docs/helm-and-kustomize.md)", raw=True)
    if args.get("output") not in (None, "table") and args.pos[0] not in ("list", "ls"):
        raise CliError(f"minikctl: helm {args.pos[0]} -o {args.get('output')} is not simulated", raw=True)
    fn = COMMANDS.get(args.pos[0])
    if fn is None:
        raise _err(f"unknown command \"{args.pos[0]}\" for \"helm\"\nRun 'helm --help' for usage.")
    try:
        return fn(args)
    except helm.HelmError as e:
        raise _err(e.message) from None


def register(app: typer.Typer) -> None:
    @app.command("helm", help="Helm 3, the Kubernetes package manager (simulated charts and repositories).",
                 context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                                   "help_option_names": []})
    def helm_cmd(args: List[str] = typer.Argument(None)) -> int:
        return run_helm(list(args or []))
