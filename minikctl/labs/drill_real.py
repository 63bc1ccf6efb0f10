"""Drills on a real cluster: `drill start NAME --real` prepares a drill through the real kubectl
against its current context (kind, minikube, a kubeadm lab...), and `drill check` grades it from
what that kubectl reads back.

Why: the same tasks and the same checkers on the cluster a learner will meet. The checks that read
API objects judge them exactly as on the simulation (drill_checks over a StaticView of what
`kubectl get -o json` returned); `can_i` asks the real `kubectl auth can-i`, `exec` runs its
command with the real `kubectl exec` in the pod it picks. What only the simulation can see (DNS
answers, a connection through its kube-proxy model, a node's files, a Corefile parsed by its
CoreDNS model) is not graded on a real
cluster: a drill that needs it is refused at start, saying which part needs the simulation.

The kubectl run is MINIKCTL_KUBECTL, or `kubectl` on PATH; its own KUBECONFIG and context decide
the cluster (`--context` picks another). Nothing here runs a shell: argv lists only.
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess

from minikctl.api.errors import CliError
import time
import re
from minikctl import lazy

StaticView = lazy.function("minikctl.sim.view", "StaticView")
drill_checks = lazy.module("minikctl.labs.drill_checks")
drill_steps = lazy.module("minikctl.labs.drill_steps")
fill = lazy.function("minikctl.labs.drill_checks", "fill")
kind_of = lazy.function("minikctl.labs.drill_checks", "kind_of")
profile_values = lazy.function("minikctl.labs.drill_checks", "profile_values")
reason = lazy.function("minikctl.labs.messages_drill", "reason")

REAL_CHECKS = ("object", "pods", "endpoints", "can_i", "exec", "any")
_SIM_CHECKS = {"dns": "DNS answers of the simulated CoreDNS", "traffic": "connections through the simulated kube-proxy",
               "corefile": "the simulated CoreDNS's reading of its Corefile",
               "proxy": "kube-proxy's mode on each simulated node", "backends": "the simulated kube-proxy's rules",
               "node": "the simulated nodes' files and services"}
_SIM_VERBS = {"ssh": "runs commands on the simulated nodes", "sim": "moves the simulation's clock",
              "helm": "runs minikctl's helm", "traffic": "measures the simulated kube-proxy",
              "dns": "queries the simulated CoreDNS", "cluster": "manages simulated clusters",
              "addons": "installs simulated add-ons"}
REAL_KEY = "drill.real"       # progress meta: {"context": ...} while the current drill runs for real


def kubectl_path() -> str:
    path = os.environ.get("MINIKCTL_KUBECTL") or shutil.which("kubectl")
    if not path:
        raise CliError("drill --real needs the real kubectl: none on PATH (set MINIKCTL_KUBECTL to its path)")
    return path


def _check_kinds(check: dict) -> list[str]:
    k = kind_of(check)
    if k == "any":
        return [x for sub in check["any"] for x in _check_kinds(sub)]
    return [k]


def _step_argv(step: dict) -> list[str] | None:
    """The kubectl arguments of a `run` step (None: apply/file/write steps)."""
    if "run" not in step:
        return None
    argv = shlex.split(str(step["run"]))
    return argv


def why_not_real(drill) -> list[str]:
    """What keeps the drill off a real cluster (empty: it runs there)."""
    out = []
    if drill.clusters:
        out.append(f"it spans several clusters ({', '.join(drill.clusters)})")
    if drill.profile:
        out.append(f"it starts on the simulation's cluster profile {drill.profile}")
    for what in ("setup", "solution"):
        for step in getattr(drill, what):
            argv = _step_argv(step)
            if argv is None:
                continue
            words = argv[1:] if argv and argv[0] in ("kubectl", "k", "minikctl") else argv
            verb = next((w for w in words if not w.startswith("-")), "")
            if verb in _SIM_VERBS:
                out.append(f"its {what} runs `minikctl {verb}` ({_SIM_VERBS[verb]})")
    for c in drill.checks:
        for k in _check_kinds(c):
            if k not in REAL_CHECKS:
                out.append(f"a check reads {_SIM_CHECKS.get(k, k)} ({k})")
    return list(dict.fromkeys(out))


class Kubectl:
    """The real kubectl, on the given context (None: its current one)."""

    def __init__(self, context: str | None = None):
        self.path = kubectl_path()
        self.context = context

    def __call__(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        argv = [self.path] + (["--context", self.context] if self.context else []) + list(args)
        try:
            return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise CliError(f"drill --real: {self.path}: {e}") from None

    def objects(self, kind: str) -> list[dict]:
        """Every object of a kind (all namespaces); none when the cluster does not serve it."""
        r = self("get", kind, "-A", "-o", "json")
        if r.returncode != 0:
            if "doesn't have a resource type" in r.stderr:
                return []
            raise CliError(f"drill --real: kubectl get {kind}: {r.stderr.strip()}")
        try:
            items = json.loads(r.stdout).get("items") or []
        except ValueError:
            raise CliError(f"drill --real: kubectl get {kind} -o json printed no JSON") from None
        for o in items:
            o.setdefault("kind", kind)
        return items

    def objects_of(self, kinds: list[str]) -> list[dict]:
        """Every object of these kinds, in that order: one `kubectl get A,B,C` (each run of
        kubectl costs ~50 ms of start-up), or one run per kind when the cluster does not serve
        one of them (kubectl then refuses the whole list)."""
        if len(kinds) < 2:
            return [o for kind in kinds for o in self.objects(kind)]
        r = self("get", ",".join(kinds), "-A", "-o", "json")
        if r.returncode != 0:
            if "doesn't have a resource type" in r.stderr:
                return [o for kind in kinds for o in self.objects(kind)]
            raise CliError(f"drill --real: kubectl get {','.join(kinds)}: {r.stderr.strip()}")
        try:
            return json.loads(r.stdout).get("items") or []
        except ValueError:
            raise CliError(f"drill --real: kubectl get {','.join(kinds)} -o json printed no JSON") from None


def values(k: Kubectl, nodes: list[dict] | None = None) -> dict:
    """${controlPlane}, ${worker1}..., ${domain}, ${dnsIP} read from the real cluster (from its
    Nodes, read here unless given)."""
    nodes = sorted(k.objects("Node") if nodes is None else nodes, key=lambda n: n["metadata"]["name"])
    prof = {"nodes": [{"name": n["metadata"]["name"],
                       "roles": ["control-plane"] if "node-role.kubernetes.io/control-plane" in
                       (n["metadata"].get("labels") or {}) else [],
                       "internalIP": next((a["address"] for a in (n.get("status") or {}).get("addresses") or []
                                           if a.get("type") == "InternalIP"), "")} for n in nodes]}
    r = k("get", "service", "kube-dns", "-n", "kube-system", "-o", "jsonpath={.spec.clusterIP}")
    if r.returncode == 0 and r.stdout.strip():
        prof["dnsServiceIP"] = r.stdout.strip()
    return profile_values(prof)


def step_args(step: dict, drill, vals: dict) -> tuple[list[str], str]:
    """(kubectl arguments, stdin) of a setup or solution step."""
    step = fill(step, vals)
    if "apply" in step:
        return ["apply", "-f", "-"], str(step["apply"])
    if "file" in step:
        return ["apply", "-f", str(drill.path / step["file"])], ""
    argv = shlex.split(str(step["run"]))
    if argv and argv[0] in ("kubectl", "k", "minikctl"):
        argv = argv[1:]
    return argv, ""


def run_steps(k: Kubectl, drill, steps: list, vals: dict, what: str) -> None:
    for step in steps:
        if "write" in step:
            drill_steps.write_file(step, vals)
            continue
        args, stdin = step_args(step, drill, vals)
        r = k(*args, stdin=stdin)
        if r.returncode != 0:
            raise CliError(f"drill {what} step failed on the real cluster: kubectl {' '.join(args)}\n"
                           f"{r.stderr.rstrip()}")


def _can_i(k: Kubectl, spec: dict) -> tuple[bool, str]:
    """The real `kubectl auth can-i`: exit 0 and "yes", or exit 1 and "no"."""
    args = ["auth", "can-i", str(spec["verb"])]
    if spec.get("path"):
        args.append(str(spec["path"]))
    else:
        res = str(spec["resource"]) + (f"/{spec['name']}" if spec.get("name") else "")
        args.append(res)
        if spec.get("subresource"):
            args += ["--subresource", str(spec["subresource"])]
        if spec.get("namespace"):
            args += ["-n", str(spec["namespace"])]
    args += ["--as", str(spec["as"])]
    for g in spec.get("groups") or []:
        args += ["--as-group", str(g)]
    r = k(*args)
    answer = r.stdout.strip().splitlines()[-1:] or [""]
    if answer[0] not in ("yes", "no"):
        return False, f"kubectl auth can-i: {r.stderr.strip() or r.stdout.strip()}"
    allowed, want = answer[0] == "yes", bool(spec.get("allowed", True))
    ns = f" -n {spec['namespace']}" if spec.get("namespace") else ""
    what = spec.get("path") or spec.get("resource")
    if allowed != want:
        return False, f"auth can-i {spec['verb']} {what}{ns} --as {spec['as']}: {'yes' if allowed else 'no'}, " \
                      f"expected {'yes' if want else 'no'}"
    return True, ""


def _exec(k: Kubectl, view, spec: dict) -> tuple[bool, str]:
    """The exec check through the real `kubectl exec`: the same pod choice (the newest running
    pod that fits), the command's exit status (kubectl exits with it) and what it printed."""

    pod = drill_checks.pick_pod(view, spec)
    ns = spec.get("namespace", "default")
    if pod is None:
        return False, f"no running pod {spec.get('name') or spec.get('selector')} in namespace {ns}"
    if spec.get("image") and not any(re.search(spec["image"], x.get("image", ""))
                                     for x in pod["spec"].get("containers") or []):
        return False, f"pod {pod['metadata']['name']} does not run an image matching /{spec['image']}/"
    cmd = spec["command"]
    argv = shlex.split(cmd) if isinstance(cmd, str) else [str(a) for a in cmd]
    container = spec.get("container") or pod["spec"]["containers"][0]["name"]
    r = k("exec", "-n", ns, pod["metadata"]["name"], "-c", container, "--", *argv)
    want = int(spec.get("exit", 0))
    if r.returncode != want:
        return False, f"'{' '.join(argv)}' exited {r.returncode}, expected {want}"
    if spec.get("contains") and spec["contains"] not in r.stdout:
        return False, f"'{' '.join(argv)}' printed no {spec['contains']!r}"
    return True, ""


def grade(drill, context: str | None, lang: str = "en") -> list:
    """Every check of the drill on the real cluster, in order (drill_checks.Result)."""

    k = Kubectl(context)
    kinds = {"Node"}

    def need(c):
        kind = drill_checks.kind_of(c)
        if kind == "object":
            kinds.add(str(c["object"]["kind"]))
        elif kind in ("pods", "exec"):
            kinds.add("Pod")
        elif kind == "endpoints":
            kinds.add("Endpoints")
        elif kind == "any":
            for sub in c["any"]:
                need(sub)
    for c in drill.checks:        # the kinds a check names are never ${values}: read them all at once
        need(c)
    objs = k.objects_of(sorted(kinds))
    vals = values(k, [o for o in objs if o.get("kind") == "Node"])
    checks = [drill_checks.fill(c, vals) for c in drill.checks]
    view = StaticView(objs, now=time.time(), profile={})

    def run(c) -> tuple[bool, str]:
        kind = drill_checks.kind_of(c)
        if kind == "can_i":
            return _can_i(k, c["can_i"])
        if kind == "exec":
            return _exec(k, view, c["exec"])
        if kind == "any":
            why = []
            for sub in c["any"]:
                ok, d = run(sub)
                if ok:
                    return True, ""
                why.append(d)
            return False, "; ".join(why)
        r = drill_checks.evaluate(view, c)
        return r.passed, r.detail

    results = []
    for c in checks:
        ok, detail = run(c)
        if not ok and lang != "en":
            detail = reason(detail, lang)
        results.append(drill_checks.Result(drill_checks.check_name(c, lang), int(c.get("weight", 1)), ok,
                                           "" if ok else detail, guard=bool(c.get("guard"))))
    drill_checks.score(results)
    return results
