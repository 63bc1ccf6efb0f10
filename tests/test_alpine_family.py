"""Alpine-based images (alpine, *-alpine tags, curlimages/curl) run busybox's ash and applets, as
their userland is busybox: compared with the real busybox on this machine."""
from __future__ import annotations

import shutil
import subprocess

import pytest

BUSYBOX = shutil.which("busybox")


@pytest.mark.parametrize("image", ["alpine:3.20", "curlimages/curl:8.11.1", "python:3.12-alpine"])
@pytest.mark.skipif(BUSYBOX is None, reason="busybox is not installed")
def test_alpine_images_speak_busybox(mk, image):
    assert mk("run", "a", f"--image={image}", "--", "sleep", "3600").code == 0
    mk.advance(20)
    for argv in (["ls", "/nonexistent"], ["sh", "-c", "nosuchcmd"], ["cat", "/etc/nope"]):
        real = subprocess.run([BUSYBOX, *argv], capture_output=True, text=True)
        ours = mk("exec", "a", "--", *argv)
        assert ours.err.splitlines()[0] == real.stderr.splitlines()[0], (argv, ours)
    assert "Alpine Linux" in mk("exec", "a", "--", "cat", "/etc/os-release").out
    # only curlimages/curl adds curl to Alpine's busybox
    r = mk("exec", "a", "--", "curl", "-s", "http://kubernetes.default")
    assert ("executable file not found" in r.err) == ("curl" not in image), r
