"""`minikctl run -it` attaches the terminal to the container's main process: a shell reads the
lines typed, and when it exits the container exits with its status, as `kubectl run -it` does
against a real cluster (the same run through `minikctl serve` is in test_serve_streams.py)."""
from __future__ import annotations


def test_run_it_sets_stdin_and_tty_as_kubectl_does(mk):
    mk("get", "ns")
    mk("run", "keep", "-it", "--image=busybox", "--", "sh", stdin="exit 0\n")
    r = mk("get", "pod", "keep", "-o", "jsonpath={.spec.containers[0].stdin} {.spec.containers[0].stdinOnce} "
                                    "{.spec.containers[0].tty}")
    assert r.out == "true true true"


def test_run_rm_it_shell_with_restart_never_exits_with_the_shell(mk):
    mk("get", "ns")
    r = mk("run", "t", "--rm", "-it", "--image=busybox", "--restart=Never", "--", "sh",
           stdin="hostname\necho $((6*7))\nexit 3\n")
    assert r.out == ("If you don't see a command prompt, try pressing enter.\n/ # t\n/ # 42\n/ # "
                     'pod "t" deleted\n')
    assert (r.code, r.err) == (3, "pod default/t terminated (Error)\n")
    assert mk("get", "pod", "t").code == 1


def test_run_rm_it_with_restarts_does_not_report_the_status(mk):
    mk("get", "ns")
    r = mk("run", "t", "--rm", "-it", "--image=busybox", stdin="exit 3\n")
    assert (r.code, r.err) == (0, "")
    assert r.out.endswith('/ # pod "t" deleted\n')
