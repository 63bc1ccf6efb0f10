"""Applets against the real binaries: the same command line, over the same files, through the
machine's busybox (for busybox images) and GNU coreutils / grep / sed (for Debian-based images),
and through minikctl's applets (minikctl/images/applets) over a simulated file system holding
the same files. stdout, stderr and the exit status must match byte for byte.

The real commands run in a temporary directory of test files and only read them; a missing
binary skips its cases.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest

from minikctl.images import applets
from minikctl.images.context import ExecContext
from minikctl.images.fs import FileSystem
from minikctl.sim.view import StaticView

FILES = {
    "a.txt": "alpha 1\nbeta 22\ngamma 3\ndelta 44\nalpha 5\n",
    "b.txt": "one\ntwo\ntwo\nthree\nthree\nthree\n",
    "nums.txt": "10\n9\n100\n-3\n9\n",
    "csv.txt": "name,ns,ready\nweb,default,1/1\ndb,prod,0/1\n",
    "pods.txt": "NAME    READY   STATUS    RESTARTS   AGE\nweb-1   1/1     Running   0          5m\n"
                "db-0    0/1     Pending   0          2m\n",
    "noeol.txt": "last line without newline",
    "sub/inner.txt": "inside\n",
}

CASES = [
    ["head", "-n", "2", "a.txt"], ["head", "-3", "a.txt"], ["head", "a.txt", "b.txt"], ["tail", "-n", "2", "a.txt"],
    ["tail", "-n", "+4", "a.txt"], ["head", "nope.txt"], ["tail", "-1", "noeol.txt"],
    ["head", "-c", "5", "a.txt"], ["head", "-c12", "a.txt"], ["tail", "-c", "6", "a.txt"], ["tail", "-c", "+30", "a.txt"],
    ["head", "-c", "100", "noeol.txt"],
    ["wc", "-l", "a.txt"], ["wc", "a.txt"], ["wc", "-l", "a.txt", "b.txt"], ["wc", "-w", "noeol.txt"], ["wc", "-c", "b.txt"],
    ["sort", "a.txt"], ["sort", "-r", "b.txt"], ["sort", "-n", "nums.txt"], ["sort", "-u", "b.txt"],
    ["sort", "-k", "2", "-n", "a.txt"], ["sort", "-t", ",", "-k", "2", "csv.txt"],
    ["uniq", "b.txt"], ["uniq", "-c", "b.txt"], ["uniq", "-d", "b.txt"], ["uniq", "-u", "b.txt"],
    ["cut", "-d", ",", "-f", "1,3", "csv.txt"], ["cut", "-c", "1-3", "a.txt"], ["cut", "-d", " ", "-f", "2", "a.txt"],
    ["grep", "alpha", "a.txt"], ["grep", "-c", "alpha", "a.txt"], ["grep", "-v", "a", "b.txt"], ["grep", "-i", "ALPHA", "a.txt"],
    ["grep", "-n", "two", "b.txt"], ["grep", "nothing", "a.txt"], ["grep", "x", "nope.txt"],
    ["grep", "-E", "beta|gamma", "a.txt"], ["grep", "Running", "pods.txt"], ["grep", "alpha", "a.txt", "b.txt"],
    ["sed", "s/alpha/ALPHA/", "a.txt"], ["sed", "-n", "2p", "a.txt"], ["sed", "2d", "a.txt"], ["sed", "s/a/A/g", "a.txt"],
    ["sed", "-e", "s/one/1/", "-e", "s/two/2/", "b.txt"], ["sed", "/two/d", "b.txt"], ["sed", "-n", "/beta/,/delta/p", "a.txt"],
    ["sed", "s/\\(alpha\\) \\([0-9]\\)/\\2 \\1/", "a.txt"], ["sed", "-E", "s/([a-z]+) ([0-9]+)/\\2-\\1/", "a.txt"],
    ["sed", "s/$/;/", "b.txt"], ["sed", "3q", "a.txt"], ["sed", "$d", "b.txt"],
    ["seq", "5"], ["seq", "2", "4"], ["seq", "10", "-3", "1"], ["seq", "-s", ",", "3"],
    ["basename", "/usr/share/nginx/html/index.html"], ["basename", "/a/b.txt", ".txt"], ["dirname", "/a/b/c"],
    ["dirname", "file"], ["cat", "a.txt", "b.txt"], ["cat", "nope.txt"], ["cat", "sub"],
    ["printf", "%s=%d\\n", "a", "1", "b", "2"], ["echo", "-n", "x"], ["echo", "a", "b"],
    ["ls", "sub"], ["ls", "nope"], ["awk", "{print $1}", "a.txt"], ["awk", "-F,", "{print $2}", "csv.txt"],
    ["awk", "/alpha/ {print $2}", "a.txt"], ["awk", "{print $NF}", "pods.txt"], ["awk", "NR==2 {print $1}", "pods.txt"],
    ["awk", "END {print NR}", "a.txt"], ["tr", "a-z", "A-Z"], ["tr", "-d", "a"], ["tr", "-s", "o"],
    ["grep", "-c", "a", "a.txt", "b.txt"], ["grep", "-l", "two", "a.txt", "b.txt"], ["grep", "-o", "al[a-z]*", "a.txt"],
    ["grep", "-h", "alpha", "a.txt", "a.txt"], ["grep", "-x", "two", "b.txt"], ["grep", "-w", "one", "b.txt"],
    ["sort", "nope.txt"], ["uniq", "nope.txt"], ["tail", "nope.txt"], ["sed", "p", "nope.txt"], ["wc", "nope.txt"],
    ["cut", "-f1", "nope.txt"], ["head", "sub"],
    ["mkdir", "sub"], ["mkdir", "x/y"], ["mkdir", "-p", "x/y"], ["rm", "nope.txt"], ["rm", "sub"], ["rm", "-f", "nope.txt"],
    ["rmdir", "sub"], ["cp", "nope.txt", "x"], ["cp", "sub", "x"], ["mv", "nope.txt", "x"], ["touch", "nodir/x"],
    ["ls", "a.txt", "b.txt"], ["ls", "-a", "sub"], ["ls", "-d", "sub"],
    ["find", ".", "-name", "*.txt"], ["find", "sub"], ["find", ".", "-type", "d"], ["find", "nope"],
    ["find", ".", "-maxdepth", "1", "-name", "a*"], ["base64", "a.txt"], ["expr", "3", "+", "4"], ["expr", "2", "*", "5"],
    ["expr", "length", "hello"], ["expr", "5", "/", "0"],
    # the host-independent parts of the system applets
    ["date", "-u", "-d", "@0"], ["date", "-d", "@86400", "+%Y-%m-%d %H:%M:%S"], ["date", "-d", "nonsense"],
    ["date", "-u", "-d", "2024-05-01 10:00:00", "+%s"], ["sleep", "x"], ["true"], ["false"],
    ["env", "-i", "A=1", "B=2"], ["xargs", "echo"], ["xargs", "-n", "1", "echo"], ["printenv", "NOPE"],
    ["uname", "-s"], ["uname", "-m"], ["id", "-u"], ["id", "-un"], ["whoami"],
]
USE_STDIN = {"tr", "xargs"}
STDIN = "hello world\nfoo  boo\n"

BUSYBOX = shutil.which("busybox")
GNU = {c: shutil.which(c) for c in {c[0] for c in CASES}}


def _fs() -> FileSystem:
    f = FileSystem()
    f.add_dir("/work")
    for name, text in FILES.items():
        f.add_file("/work/" + name, text)
    return f


def _ours(style: str, argv: list[str]):
    tools = applets.merge("busybox" if style == "busybox" else "generic", {})
    if argv[0] not in tools:
        pytest.skip(f"{argv[0]} is not one of the {style} applets")
    ctx = ExecContext(view=StaticView([]), pod=None, container=None, cwd="/work", fs=_fs(),
                      stdin=STDIN if argv[0] in USE_STDIN else "")

    def runner(words, stdin):                        # how xargs starts its command
        sub = ExecContext(view=ctx.view, pod=None, container=None, cwd="/work", fs=ctx.fs, stdin=stdin)
        return tools[words[0]](sub, list(words))
    ctx.runner = runner
    return tools[argv[0]](ctx, list(argv))


def _real(style: str, argv: list[str], tmp_path):
    for name, text in FILES.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    cmd, exe = ([BUSYBOX, *argv], BUSYBOX) if style == "busybox" else (list(argv), GNU[argv[0]])
    p = subprocess.run(cmd, executable=exe, capture_output=True, text=True, cwd=tmp_path, timeout=10,
                       input=STDIN if argv[0] in USE_STDIN else "", env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})
    return p.stdout, p.stderr, p.returncode


SKIP = {
    # busybox 1.35 on this machine vs what the image's 1.36 prints: none known
}


@pytest.mark.parametrize("style", ["busybox", "gnu"])
@pytest.mark.parametrize("argv", CASES, ids=[" ".join(c) for c in CASES])
def test_applet_matches_the_real_binary(style, argv, tmp_path):
    if style == "busybox" and not BUSYBOX:
        pytest.skip("busybox is not installed")
    if style == "gnu" and not GNU.get(argv[0]):
        pytest.skip(f"{argv[0]} is not installed")
    ours, real = _ours(style, argv), _real(style, argv, tmp_path)
    if argv[0] == "find" and real[0]:             # the order find walks a real directory is the disk's
        real = ("".join(sorted(real[0].splitlines(keepends=True))), *real[1:])
        ours = ("".join(sorted(ours[0].splitlines(keepends=True))), *ours[1:])
    assert ours == real
