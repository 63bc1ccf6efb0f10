"""minikctl shell driven as a person uses it: a real terminal (tmux), keys typed with send-keys,
the screen read back with capture-pane. Covers the heredoc, kubectl apply, the pod table, Tab
completion of object names, up-arrow recall, history across a restart, exit and Ctrl-D."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from conftest import ROOT, SPEC, table_check

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (Debian package tmux; .ci/run installs it)")

PROMPT = "[root@k8s-master ~]# "


class Term:
    """One tmux server of our own (-L), one session running `minikctl shell` in a work directory."""

    def __init__(self, tmp_path):
        self.sock = f"minikctl-test-{uuid.uuid4().hex[:8]}"
        self.home = tmp_path / "state"
        self.work = tmp_path / "work"
        self.work.mkdir(exist_ok=True)
        self.n = 0

    def tmux(self, *args: str) -> str:
        p = subprocess.run([TMUX, "-L", self.sock, "-f", "/dev/null", *args], capture_output=True, text=True,
                           timeout=20)
        return p.stdout

    def start(self) -> None:
        """A new session; after the shell exits the pane stays, showing `[exited N]`."""
        self.n += 1
        env = dict(os.environ, MINIKCTL_HOME=str(self.home), INPUTRC="/dev/null", PYTHONPATH=str(ROOT))
        env.pop("EDITOR", None)
        script = f"'{sys.executable}' -m minikctl shell; echo \"[exited $?]\"; sleep 600"
        subprocess.run([TMUX, "-L", self.sock, "-f", "/dev/null", "new-session", "-d", "-s", f"s{self.n}",
                        "-x", "200", "-y", "50", "-c", str(self.work), "sh", "-c", script],
                       env=env, check=True, timeout=20)
        self.wait(lambda s: s.rstrip().endswith(PROMPT.rstrip()))

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", f"s{self.n}", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", f"s{self.n}", "-l", text)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", f"s{self.n}")

    def wait(self, ok, timeout: float = 15.0) -> str:
        end = time.monotonic() + timeout
        while True:
            s = self.screen()
            if ok(s):
                return s
            if time.monotonic() > end:
                raise AssertionError("screen never matched:\n" + s)
            time.sleep(0.05)

    def prompts(self, s: str | None = None) -> int:
        return sum(1 for ln in (s or self.screen()).splitlines() if ln.startswith(PROMPT.rstrip()))

    def run(self, line: str) -> str:
        """Type a line, press Enter, wait for the next prompt; the screen text after the line."""
        before = self.prompts()
        self.type(line)
        self.keys("Enter")
        s = self.wait(lambda s: self.prompts(s) > before and s.rstrip().endswith(PROMPT.rstrip()))
        start = s.rindex(PROMPT + line) + len(PROMPT + line) + 1
        return s[start:s.rindex(PROMPT.rstrip())]

    def last_line(self) -> str:
        return [ln for ln in self.screen().splitlines() if ln.strip()][-1]

    def kill(self) -> None:
        self.tmux("kill-server")


@pytest.fixture
def term(tmp_path):
    t = Term(tmp_path)
    yield t
    t.kill()


def test_a_learner_session_heredoc_apply_get_tab_history_exit(term):
    manifest = (SPEC / "busybox.yaml").read_text()
    term.start()
    term.type("cat > bb.yaml <<EOF")
    term.keys("Enter")
    for i, line in enumerate(manifest.splitlines(), 1):
        term.wait(lambda s: sum(1 for ln in s.splitlines() if ln.startswith(">")) == i)
        term.type(line)
        term.keys("Enter")
    before = term.prompts()
    term.type("EOF")
    term.keys("Enter")
    term.wait(lambda s: term.prompts(s) > before)
    assert (term.work / "bb.yaml").read_text() == manifest          # the heredoc wrote the real file

    assert term.run("kubectl apply -f bb.yaml") == "pod/busybox created\n"
    time.sleep(1.0)                                                  # the kubelet starts it in < 1 s
    table = term.run("k get po")
    assert table.splitlines()[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert re.fullmatch(r"busybox +1/1 +Running +0 +\d+s", table.splitlines()[1])
    assert table_check(table)[0] == 0, table_check(table)[1]

    # Tab completes the object name from the live cluster, in both spellings
    term.type("kubectl get pods bu")
    term.keys("Tab")
    term.wait(lambda s: term.last_line() == PROMPT + "kubectl get pods busybox")
    term.keys("C-u")
    term.type("kubectl get po/bu")
    term.keys("Tab")
    term.wait(lambda s: term.last_line() == PROMPT + "kubectl get po/busybox")
    before = term.prompts()
    term.keys("Enter")
    s = term.wait(lambda s: term.prompts(s) > before)
    assert re.search(r"^busybox +1/1 +Running", s, re.M)

    # up-arrow recalls the previous line; Enter runs it again
    term.keys("Up")
    term.wait(lambda s: term.last_line() == PROMPT + "kubectl get po/busybox")
    term.keys("Up")
    term.wait(lambda s: term.last_line() == PROMPT + "k get po")
    term.keys("C-u")

    term.type("exit")
    term.keys("Enter")
    term.wait(lambda s: "[exited 0]" in s)


def test_history_survives_a_restart_and_ctrl_d_leaves(term):
    term.start()
    term.run("kubectl get ns")
    term.run("echo hello")
    term.keys("C-d")
    s = term.wait(lambda s: "[exited 0]" in s)
    assert s.splitlines()[[i for i, ln in enumerate(s.splitlines()) if "[exited 0]" in ln][0] - 1].endswith("exit")

    term.start()                                                     # a new terminal, a new session
    term.keys("Up")
    term.wait(lambda s: term.last_line() == PROMPT + "echo hello")
    term.keys("Up")
    term.wait(lambda s: term.last_line() == PROMPT + "kubectl get ns")
    term.keys("Enter")
    s = term.wait(lambda s: "kube-system" in s and s.rstrip().endswith(PROMPT.rstrip()))
    assert re.search(r"^NAME +STATUS +AGE$", s, re.M)
    out = term.run("history")
    assert [ln.split(None, 1)[1] for ln in out.splitlines()] == ["kubectl get ns", "echo hello", "kubectl get ns",
                                                                  "history"]
