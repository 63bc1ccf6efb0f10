"""The containers' tar writes and reads real tar streams: what it prints is read by the host's
GNU tar (the oracle), and what the host's tar packs, it unpacks, as `kubectl cp` needs both ways.
Bytes that are not UTF-8 survive the trip (they travel as surrogate escapes inside the simulation)."""
from __future__ import annotations

import io
import shutil
import subprocess
import tarfile

import pytest

from tests.conftest import SPEC

TAR = shutil.which("tar")
pytestmark = pytest.mark.skipif(TAR is None, reason="no tar on the host to compare with")


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


@pytest.fixture
def pod(mk):
    assert mk("apply", "-f", str(SPEC / "busybox.yaml")).code == 0
    mk("run", "web", "--image=nginx")
    mk.advance(30)
    return mk


@pytest.mark.parametrize("who", ["busybox", "web"])
def test_tar_cf_is_read_by_gnu_tar(pod, who):
    pod("exec", who, "--", "sh", "-c", "mkdir -p /tmp/t/sub && echo one > /tmp/t/a && printf two > /tmp/t/sub/b")
    r = pod("exec", who, "--", "tar", "cf", "-", "-C", "/tmp", "t")
    assert r.code == 0, r.err
    listing = subprocess.run([TAR, "-tvf", "-"], input=_bytes(r.out), capture_output=True, check=True).stdout.decode()
    names = [ln.split()[-1] for ln in listing.splitlines()]
    assert names == ["t/", "t/a", "t/sub/", "t/sub/b"]
    assert listing.splitlines()[1].startswith("-rw-r--r-- root/root ")
    got = subprocess.run([TAR, "-xOf", "-", "t/sub/b"], input=_bytes(r.out), capture_output=True, check=True).stdout
    assert got == b"two"


def test_gnu_tar_stream_is_unpacked_in_the_container(pod, tmp_path):
    (tmp_path / "src" / "deep").mkdir(parents=True)
    (tmp_path / "src" / "deep" / "f.txt").write_text("made on the host\n")
    (tmp_path / "src" / "bin.dat").write_bytes(b"\x00\xff\xfe\x80binary")
    packed = subprocess.run([TAR, "-cf", "-", "-C", str(tmp_path), "src"], capture_output=True, check=True).stdout
    r = pod("exec", "-i", "busybox", "--", "tar", "-xmf", "-", "-C", "/tmp",
            stdin=packed.decode("utf-8", "surrogateescape"))
    assert r.code == 0, r.err
    assert pod("exec", "busybox", "--", "cat", "/tmp/src/deep/f.txt").out == "made on the host\n"
    assert pod("exec", "busybox", "--", "wc", "-c", "/tmp/src/bin.dat").out.split()[0] == "10"
    back = pod("exec", "busybox", "--", "tar", "cf", "-", "-C", "/tmp", "src/bin.dat").out
    with tarfile.open(fileobj=io.BytesIO(_bytes(back))) as tf:
        assert tf.extractfile("src/bin.dat").read() == b"\x00\xff\xfe\x80binary"


def test_not_a_tar_stream(pod):
    r = pod("exec", "-i", "busybox", "--", "tar", "xf", "-", stdin="x" * 600)
    assert (r.code, r.err) == (1, "tar: invalid tar magic\ncommand terminated with exit code 1\n")
    r = pod("exec", "-i", "web", "--", "tar", "xf", "-", stdin="x" * 600)
    assert r.code == 2 and r.err.startswith("tar: This does not look like a tar archive\n")
