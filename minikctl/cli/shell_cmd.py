"""`minikctl shell [--dir DIR]`: a bash-like prompt where kubectl, k and minikctl lines run on
the simulated cluster (minikctl/shell). History is kept in MINIKCTL_HOME/shell_history."""
from __future__ import annotations

from typing import Optional

import typer

from minikctl.cli import context
from pathlib import Path
from minikctl import lazy

CliError = lazy.function("minikctl.api.errors", "CliError")
Shell = lazy.function("minikctl.shell.repl", "Shell")


def register(app: typer.Typer) -> None:
    @app.command("shell", help="Open an interactive shell: kubectl, k and minikctl lines run on the simulated "
                               "cluster; heredocs, pipes to grep/head/wc, > redirection, Tab completion and "
                               "history, files in a real working directory.")
    def shell_cmd(directory: Optional[str] = typer.Option(None, "--dir", "-d",
                                                          help="Working directory (default: the current one).")) -> int:

        env = context.env()
        if directory is not None and not Path(directory).is_dir():
            raise CliError(f"{directory}: no such directory")
        sh = Shell(env, cwd=directory, history_path=env.home / "shell_history")
        return sh.loop()
