"""Setup and solution steps, run through the minikctl CLI in-process.

Why the CLI and not the API: a drill's setup and its solution must behave exactly as the
learner's own commands would (defaulting, validation, apply's merge), so each step is a command
line handed to `minikctl.cli.main.run`, with its output captured instead of printed.

A step is one of:
  run: "kubectl scale deploy web --replicas=3"   (kubectl / k / minikctl prefix optional)
  apply: |                                        (a manifest, applied with `apply -f -`)
    apiVersion: v1 ...
  file: manifest.yaml                             (relative to the drill's folder)
  write: overlays/prod/kustomization.yaml         (a file the learner writes, under ${files}:
  text: |                                          the copy of the drill's files/ folder)
    ...
A step runs unattended, so `refuse_host_effects` keeps out what would touch the host or wait
for a person (serve, edit, kubeconfig -o, get -w ...); loaders check every step with it.
"""
from __future__ import annotations

import io
import shlex
from pathlib import Path

from minikctl.api.errors import CliError
from minikctl import lazy

Env = lazy.function("minikctl.env", "Env")
Store = lazy.function("minikctl.store.db", "Store")
fill = lazy.function("minikctl.labs.drill_checks", "fill")
profile_values = lazy.function("minikctl.labs.drill_checks", "profile_values")
run = lazy.function("minikctl.cli.main", "run")

PREFIXES = ("kubectl", "k", "minikctl")

# A scripted command line (a lab step, a drill's setup or solution) runs unattended inside the
# simulation: nothing in it may write host files, listen on a port or wait for a person.
_HOST_VERBS = {"serve": "listens on a port", "shell": "waits at a prompt", "edit": "opens an editor",
               "kubeconfig": "writes a kubeconfig file", "lab": "runs a lab", "drill": "runs a drill",
               "exam": "runs an exam", "watch": "waits for changes"}


def refuse_host_effects(argv: list[str]) -> None:
    """ValueError for a command a script must not run (the reason in a few words)."""
    argv = argv[:argv.index("--")] if "--" in argv else argv  # after `--`: the container's own command
    words = [a for a in argv if not a.startswith("-")]
    verb = words[0] if words else ""
    if verb in _HOST_VERBS:
        raise ValueError(f"`{verb}` {_HOST_VERBS[verb]}: not allowed in a scripted step")
    if verb == "dns" and len(words) > 1 and words[1] == "serve":
        raise ValueError("`dns serve` listens on a port: not allowed in a scripted step")
    if verb == "cluster" and len(words) > 1 and words[1] in ("reset", "init"):
        raise ValueError(f"`cluster {words[1]}` replaces the whole state: not allowed in a scripted step")
    for a in argv:
        flag = a.split("=", 1)[0]
        if verb in ("get", "logs", "events") and flag in ("-w", "--watch", "--watch-only", "-f", "--follow"):
            if verb == "get" and flag == "-f":
                continue
            raise ValueError(f"`{verb} {a}` waits for changes: not allowed in a scripted step")
        if verb in ("exec", "run", "attach") and flag in ("-it", "-ti", "-t", "--tty") :
            raise ValueError(f"`{verb} {a}` waits at a terminal: not allowed in a scripted step")


def check_step(step, where: str) -> None:
    """ValueError unless step is a mapping with one of run (a safe command line), apply (text)
    or file (a path inside the drill's folder)."""
    if not isinstance(step, dict):
        raise ValueError(f"{where}: a step is a mapping with run, apply or file, got {step!r}")
    if "context" in step and not isinstance(step["context"], str):
        raise ValueError(f"{where}: context names one of the drill's clusters")
    if "run" in step:
        if not isinstance(step["run"], str):
            raise ValueError(f"{where}: run is a command line")
        argv = shlex.split(step["run"])
        if argv and argv[0] in PREFIXES:
            argv = argv[1:]
        if not argv:
            raise ValueError(f"{where}: run is empty")
        try:
            refuse_host_effects(argv)
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from None
    elif "apply" in step:
        if not isinstance(step["apply"], str):
            raise ValueError(f"{where}: apply is a manifest's text")
    elif "file" in step:
        f = step["file"]
        if not isinstance(f, str) or not f or f.startswith("/") or ".." in Path(f).parts:
            raise ValueError(f"{where}: file is a path inside the drill's folder")
    elif "write" in step:
        f = step["write"]
        if not isinstance(f, str) or not f or f.startswith("/") or ".." in Path(f).parts:
            raise ValueError(f"{where}: write is a path inside the drill's files (${{files}})")
        if not isinstance(step.get("text"), str):
            raise ValueError(f"{where}: text is the content of the file to write")
    else:
        raise ValueError(f"{where}: expected one of run, apply, file, write")


def step_argv(step: dict, drill_dir: Path, values: dict | None = None) -> tuple[list[str], str]:
    """(argv, stdin) for one step; ${domain}, ${proxyMode}... filled from `values` (the profile)."""
    if values:
        step = fill(step, values)
    if "context" in step:      # a step on another of the drill's clusters: kubectl --context NAME
        argv, stdin = step_argv({k: v for k, v in step.items() if k != "context"}, drill_dir, values)
        return ["--context", (values or {}).get("ctx_" + step["context"], step["context"])] + argv, stdin
    if "run" in step:
        try:
            argv = shlex.split(str(step["run"]))
        except ValueError as e:
            raise CliError(f"drill step {step['run']!r}: {e}") from None
        if argv and argv[0] in PREFIXES:
            argv = argv[1:]
        try:
            refuse_host_effects(argv)
        except ValueError as e:
            raise CliError(f"drill step {step['run']!r}: {e}") from None
        return argv, ""
    if "apply" in step:
        return ["apply", "-f", "-"], str(step["apply"])
    if "file" in step:
        return ["apply", "-f", str(drill_dir / step["file"])], ""
    raise CliError(f"drill step {step!r}: expected one of run, apply, file, write")


def write_file(step: dict, values: dict) -> None:
    """A `write` step: the file under ${files} (the learner's copy of the drill's files)."""
    if "files" not in values:
        raise CliError(f"drill step write {step['write']}: the drill has no files/ folder")
    root = Path(values["files"])
    target = root / fill(step["write"], values)
    if ".." in Path(step["write"]).parts:
        raise CliError(f"drill step write {step['write']}: outside the drill's files")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(fill(step["text"], values))


def step_text(step: dict, drill_dir: Path, values: dict | None = None) -> str:
    """How the step reads at the exam prompt."""
    if values:
        step = fill(step, values)
    if "context" in step:
        ctx = (values or {}).get("ctx_" + step["context"], step["context"])
        return f"kubectl config use-context {ctx}\n" + step_text({k: v for k, v in step.items() if k != "context"},
                                                                 drill_dir, values)
    if "run" in step:
        argv = shlex.split(str(step["run"]))
        return step["run"] if argv and argv[0] in PREFIXES else "kubectl " + str(step["run"])
    if "apply" in step:
        return "cat <<EOF | kubectl apply -f -\n" + str(step["apply"]).rstrip("\n") + "\nEOF"
    if "file" in step:
        return f"kubectl apply -f {step['file']}\n# {step['file']}:\n" + (drill_dir / step["file"]).read_text().rstrip("\n")
    if "write" in step:
        root = (values or {}).get("files", "${files}")
        path = f"{root}/{step['write']}"
        mkdir = f"mkdir -p {path.rsplit('/', 1)[0]} && " if "/" in step["write"] else ""
        return f"{mkdir}cat > {path} <<'EOF'\n" + str(step["text"]).rstrip("\n") + "\nEOF"
    return str(step)


def values_of(env) -> dict:
    """${...} values from the profile of the cluster env acts on (read from its state file)."""
    store = Store(env.db_path)
    try:
        store.begin()
        meta = store.get_meta("cluster") or {}
        store.rollback()
    finally:
        store.close()
    return profile_values(meta.get("profile") or {})


def run_step(env, step: dict, drill_dir: Path, extra: dict | None = None) -> tuple[int, str, str]:
    """Run one step with env's state dir and clock; returns (code, stdout, stderr). extra: more
    ${...} values (the exam's names for a drill's other clusters, ctx_NAME)."""
    if "write" in step:
        write_file(step, {**values_of(env), **(extra or {})})
        return 0, "", ""
    argv, stdin = step_argv(step, drill_dir, {**values_of(env), **(extra or {})})
    out, err = io.StringIO(), io.StringIO()
    sub = Env(stdout=out, stderr=err, stdin=io.StringIO(stdin), home=env.home, clock=env.clock, seed=env.seed,
              no_color=True, namespace=None, cluster=getattr(env, "cluster", None), context=getattr(env, "context", None))
    code = run(argv, sub)  # run leaves the caller's CLI environment in place
    return code, out.getvalue(), err.getvalue()


def run_steps(env, steps: list, drill_dir: Path, what: str, extra: dict | None = None) -> None:
    for step in steps:
        code, _out, err = run_step(env, step, drill_dir, extra)
        if code != 0:
            first = step_text(step, drill_dir).splitlines()[0]
            raise CliError(f"drill {what} step failed: {first}\n{err.rstrip()}")
