"""The `minikctl` command: a typer app whose verbs live one per module in this package.

main() sets up the Environment, strips the global flags (--no-color, --seed), runs the app, and
renders errors once, the way kubectl's CheckErr does: message on stderr, exit code 1 (or the
code the error carries). No traceback reaches the user.
"""
from __future__ import annotations

import sys

import typer

from minikctl.api.errors import ApiError, CliError
from minikctl.cli import context

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help="minikctl: a kubectl-like CKA lab over a simulated Kubernetes cluster.")


def _register() -> None:
    from minikctl.cli import (apply_cmd, cluster_cmd, config_cmd, create_cmd, delete_cmd, describe_cmd,
                              dns_cmd, exec_cmd, get_cmd, run_cmd)
    for mod in (get_cmd, apply_cmd, create_cmd, delete_cmd, describe_cmd, run_cmd, exec_cmd, cluster_cmd,
                dns_cmd, config_cmd):
        mod.register(app)
    # Verbs that live in their own modules; each registers itself when present.
    for name in ("imperative_cmd", "edit_cmd", "rollout_cmd", "logs_cmd", "explain_cmd", "watch_cmd", "net_cmd",
                 "lab_cmd", "drill_cmd", "shell_cmd", "serve_cmd"):
        try:
            mod = __import__(f"minikctl.cli.{name}", fromlist=["register"])
        except ImportError:
            continue
        mod.register(app)


_register()


def _strip_globals(argv: list[str], env) -> list[str]:
    out = []
    it = iter(range(len(argv)))
    skip = False
    for i, a in enumerate(argv):
        if skip:
            skip = False
            continue
        if a == "--":
            out.extend(argv[i:])
            break
        if a == "--no-color":
            env.no_color = True
        elif a.startswith("--seed="):
            env.seed = int(a.split("=", 1)[1])
        elif a == "--seed" and i + 1 < len(argv) and argv[i + 1].lstrip("-").isdigit():
            env.seed = int(argv[i + 1])
            skip = True
        else:
            out.append(a)
    _ = it
    return out


def run(argv: list[str], env=None) -> int:
    """Run one command line in-process (the shell and the labs use this); returns the exit code."""
    try:
        import click
    except ImportError:  # typer >= 0.20 vendors click
        from typer import _click as click
    from minikctl.env import Env
    env = env or Env()
    context.set_env(env)
    env.argv = list(argv)
    argv = _strip_globals(list(argv), env)
    try:
        rv = app(args=argv, prog_name="minikctl", standalone_mode=False)
        return rv if isinstance(rv, int) else 0
    except (ApiError, CliError) as e:
        context.err(e.render())
        return getattr(e, "code", 1) if isinstance(e, CliError) else 1
    except click.exceptions.NoSuchOption as e:
        cmd = " ".join(argv[:1])
        context.err(f"error: unknown flag: {e.option_name}\nSee 'minikctl {cmd} --help' for usage.")
        return 1
    except click.exceptions.UsageError as e:
        context.err(f"error: {e.format_message()}\nSee 'minikctl {argv[0] if argv else ''} --help' for usage.")
        return 1
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.exceptions.Abort:
        return 130
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except OSError as e:
        context.err(f"error: {e}")
        return 1


def main() -> None:
    code = run(sys.argv[1:])
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    sys.exit(code)
