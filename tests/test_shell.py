"""minikctl shell, in-process: lines fed on a non-tty stdin, output compared with what the CLI
itself prints for the same command (the shell must add nothing), files checked on disk."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from conftest import SPEC, table_check
from minikctl.env import Env
from minikctl.shell.repl import Shell

BUSYBOX = (SPEC / "busybox.yaml").read_text()


@pytest.fixture
def sh(mk, tmp_path):
    """sh("line\\nline") -> (status, stdout, stderr) of a fresh session on mk's cluster."""
    work = tmp_path / "work"
    work.mkdir()

    def feed(text: str, cwd: Path = work):
        out, err = io.StringIO(), io.StringIO()
        env = Env(stdout=out, stderr=err, stdin=io.StringIO(text), home=mk.home, clock=lambda: mk.clock,
                  seed=mk.seed, no_color=True)
        s = Shell(env, cwd=cwd, history_path=mk.home / "shell_history", interactive=False, sleep=mk.advance)
        feed.last = s
        code = s.loop()
        return code, out.getvalue(), err.getvalue()

    feed.work = work
    return feed


def test_kubectl_k_and_minikctl_print_what_the_cli_prints(sh, mk):
    mk.apply_spec()
    want = mk("get", "po", "-o", "wide")
    code, out, err = sh("kubectl get po -o wide\nk get po -o wide\nminikctl get po -o wide\n")
    assert code == 0 and err == ""
    assert out == want.out * 3
    assert table_check(want.out)[0] == 0


def test_heredoc_writes_the_manifest_and_apply_reads_it(sh, mk):
    code, out, err = sh(f"cat > bb.yaml <<EOF\n{BUSYBOX}EOF\nkubectl apply -f bb.yaml\n")
    assert (sh.work / "bb.yaml").read_text() == BUSYBOX
    assert out == "pod/busybox created\n" and code == 0, err
    mk.advance(30)
    assert "busybox" in mk("get", "po").out


def test_heredoc_expansion_follows_the_delimiter_quoting(sh):
    code, out, _ = sh("export NS=prod\ncat <<EOF\nns: $NS\nEOF\ncat <<'EOF'\nns: $NS\nEOF\ncat <<-EOF\n\tx\n\tEOF\n")
    assert out == "ns: prod\nns: $NS\nx\n"


def test_heredoc_cut_short_by_end_of_input_warns_and_runs(sh):
    code, out, err = sh("cat <<EOF\nonly line\n")
    assert out == "only line\n"
    assert "here-document at line 1 delimited by end-of-file (wanted `EOF')" in err


def test_redirection_writes_kubectl_output_to_a_file(sh, mk):
    line = "kubectl create deploy web --image=nginx --dry-run=client -o yaml"
    want = mk(*line.split()[1:]).out
    code, out, err = sh(f"{line} > web.yaml\nkubectl apply -f web.yaml\nls\n")
    assert (sh.work / "web.yaml").read_text() == want
    assert out == "deployment.apps/web created\nweb.yaml\n", err
    code, out, err = sh("kubectl get deploy web -o name >> names.txt\nkubectl get deploy web -o name >> names.txt\n"
                        "cat names.txt")
    assert out == "deployment.apps/web\n" * 2


def test_pipes_filter_the_captured_kubectl_output(sh, mk):
    mk.apply_spec()
    table = mk("get", "po").out.splitlines(keepends=True)
    _, out, _ = sh("kubectl get po | grep web\n")
    assert out == "".join(ln for ln in table if "web" in ln) and out
    _, out, _ = sh("k get po | grep -v web | wc -l\n")
    assert out == f"{sum(1 for ln in table if 'web' not in ln)}\n"
    _, out, _ = sh("k get po --no-headers | head -2\n")
    assert out == "".join(mk("get", "po", "--no-headers").out.splitlines(keepends=True)[:2])
    _, out, _ = sh("k get po -o name | tail -n 1 | awk '{print $1}'\n")
    assert out == mk("get", "po", "-o", "name").out.splitlines(keepends=True)[-1]


def test_and_or_semicolon_and_exit_statuses(sh):
    code, out, err = sh("foo; echo $?\nfalse && echo no; echo after\nfalse || echo rescued\n"
                        "kubectl get po nosuch && echo no\necho $?\n")
    assert err.startswith("bash: foo: command not found\n")
    assert 'Error from server (NotFound): pods "nosuch" not found' in err
    assert out == "127\nafter\nrescued\n1\n"


def test_export_and_variable_expansion_reach_kubectl(sh, mk):
    want = mk("get", "po", "-n", "kube-system").out
    _, out, _ = sh("export NS=kube-system\nkubectl get po -n $NS\necho \"ns=$NS\" 'ns=$NS'\n")
    assert out == want + "ns=kube-system ns=$NS\n"
    _, out, _ = sh("export\n")
    assert 'declare -x NS' not in out               # a new session starts from the process environment


def test_command_substitution_feeds_kubectl(sh, mk):
    mk.apply_spec()
    pods = mk("get", "po", "-l", "app=pod-server", "-o", "name").out.split()
    _, out, err = sh("kubectl delete $(kubectl get po -l app=pod-server -o name)\n")
    assert out.splitlines() == [f'{p} deleted' for p in pods], err


def test_alias_and_unalias(sh, mk):
    want = mk("get", "po", "-A").out
    code, out, err = sh("alias kgp='kubectl get po'\nkgp -A\nalias kgp\nunalias k\nk get po\nalias\n")
    assert out.startswith(want)
    assert "alias kgp='kubectl get po'\n" in out
    assert "bash: k: command not found\n" in err
    assert out.endswith("alias kgp='kubectl get po'\n")


def test_prompt_follows_the_working_directory_and_files_are_real(sh, tmp_path):
    code, out, err = sh("mkdir labs\ncd labs\npwd\ncd ..\ncd nowhere\n")
    s = sh.last
    assert out == f"{sh.work / 'labs'}\n"
    assert err == "bash: cd: nowhere: No such file or directory\n"
    assert s.prompt() == "[root@k8s-master ~]# "
    s.run_line("cd labs")
    assert s.prompt() == "[root@k8s-master labs]# "
    s.run_line("cd")
    assert s.prompt() == "[root@k8s-master ~]# "


def test_apply_from_a_subdirectory_resolves_relative_paths(sh, mk):
    (sh.work / "labs").mkdir()
    shutil.copy(SPEC / "busybox.yaml", sh.work / "labs" / "bb.yaml")
    _, out, err = sh("cd labs && kubectl apply -f bb.yaml\n")
    assert out == "pod/busybox created\n", err


def test_cat_and_ls_errors_are_coreutils(sh):
    code, out, err = sh("cat missing.yaml\necho $?\nls missing\necho $?\n")
    assert err == ("cat: missing.yaml: No such file or directory\n"
                   "ls: cannot access 'missing': No such file or directory\n")
    assert out == "1\n2\n"


def test_bashrc_habits_are_accepted_quietly(sh):
    code, out, err = sh("source <(kubectl completion bash)\ncomplete -o default -F __start_kubectl k\n"
                        "echo $?\n")
    assert (out, err) == ("0\n", "")


def test_history_survives_a_new_session(sh):
    sh("kubectl get ns\nk get po\nk get po\n")
    code, out, _ = sh("history\n")
    assert out == "    1  kubectl get ns\n    2  k get po\n    3  history\n"   # ignoredups
    code, out, _ = sh("history 1\n")
    assert out == "    4  history 1\n"


def test_editor_is_the_learners_editor_on_the_real_file(sh, mk):
    if not shutil.which("sed"):
        pytest.skip("sed is not installed (used as a stand-in $EDITOR)")
    (sh.work / "d.yaml").write_text(mk("create", "deploy", "d", "--image=nginx", "--dry-run=client", "-o",
                                       "yaml").out)
    code, out, err = sh("export EDITOR='sed -i s/image:.nginx/image:\\ httpd/'\nvi d.yaml\nkubectl apply -f d.yaml\n"
                        "kubectl get deploy d -o jsonpath='{.spec.template.spec.containers[0].image}'\n")
    assert "image: httpd" in (sh.work / "d.yaml").read_text()
    assert out == "deployment.apps/d created\nhttpd", err


def test_kube_editor_exported_reaches_kubectl_edit(sh, mk):
    if not shutil.which("sed"):
        pytest.skip("sed is not installed (used as a stand-in $KUBE_EDITOR)")
    assert mk("create", "deploy", "e", "--image=nginx").code == 0
    code, out, err = sh("export KUBE_EDITOR='sed -i s/image:.nginx/image:\\ httpd/'\nkubectl edit deploy e\n")
    assert out == "deployment.apps/e edited\n", err
    assert mk("get", "deploy", "e", "-o", "jsonpath={..image}").out == "httpd"


def test_exit_stops_reading_and_sets_the_status(sh):
    code, out, _ = sh("echo one\nexit 3\necho two\n")
    assert (code, out) == (3, "one\n")


def test_unfinished_line_at_end_of_input_is_a_syntax_error(sh):
    code, out, err = sh("kubectl get po |\n")
    assert err == "bash: syntax error: unexpected end of file\n" and code == 2
    code, out, err = sh("echo 'a\nb'\n")
    assert out == "a\nb\n"


def test_redirect_of_stderr(sh):
    code, out, err = sh("kubectl get po nosuch 2> err.txt\ncat err.txt\nfoo > o.txt 2>&1\ncat o.txt\n")
    assert err == ""
    assert out == 'Error from server (NotFound): pods "nosuch" not found\nbash: foo: command not found\n'


# -- Tab completion (the pure function readline calls) -----------------------------------------

def _complete(sh, line: str) -> list[str]:
    from minikctl.shell.completion import Completer
    sh("")                                              # a session on the same cluster
    begidx = max(line.rfind(" "), -1) + 1
    return Completer(sh.last).complete(line, begidx, len(line))


def test_complete_object_names_from_the_live_cluster(sh, mk):
    mk.apply_spec()
    assert _complete(sh, "kubectl get po/bu") == ["po/busybox "]
    assert _complete(sh, "kubectl get pods bu") == ["busybox "]
    assert _complete(sh, "k describe deploy ") == [
        n.split("/")[1] + " " for n in mk("get", "deploy", "-o", "name").out.split()]
    assert _complete(sh, "kubectl logs web-server-") == [
        n.split("/")[1] + " " for n in mk("get", "po", "-o", "name").out.split() if n.startswith("pod/web-server-")]
    assert _complete(sh, "kubectl get po -n kube-system etcd") == ["etcd-k8s-master "]
    assert _complete(sh, "kubectl get po etcd") == []          # not in the default namespace
    mk("delete", "pod", "busybox")
    import time
    time.sleep(2.1)                                           # past the name cache
    assert _complete(sh, "kubectl get pods bu") == []


def test_complete_verbs_kinds_flags_and_values(sh):
    assert _complete(sh, "kub") == ["kubectl "]
    assert _complete(sh, "kubectl ge") == ["get "]
    assert _complete(sh, "k rollout sta") == ["status "]
    assert _complete(sh, "kubectl get deploy") == ["deploy ", "deployment ", "deployments "]
    assert _complete(sh, "kubectl get svc,po") == ["svc,po ", "svc,pod ", "svc,poddisruptionbudget ", "svc,poddisruptionbudgets ", "svc,pods "]
    assert _complete(sh, "kubectl get --all-n") == ["--all-namespaces "]
    assert _complete(sh, "kubectl get po -o ya") == ["yaml "]
    assert _complete(sh, "kubectl get po -o=json") == ["-o=json ", "-o=jsonpath=", "-o=jsonpath-file="]
    assert "kube-system " in _complete(sh, "kubectl get po -n kube-")


def test_complete_files_for_f_redirects_and_file_commands(sh):
    (sh.work / "web.yaml").write_text("")
    (sh.work / "labs").mkdir()
    assert _complete(sh, "kubectl apply -f w") == ["web.yaml "]
    assert _complete(sh, "cat we") == ["web.yaml "]
    assert _complete(sh, "cd l") == ["labs/"]
    assert _complete(sh, "kubectl get po -o yaml > w") == ["web.yaml "]


def test_heredoc_and_pipe_into_apply_from_stdin(sh, mk):
    code, out, err = sh(f"kubectl apply -f - <<EOF\n{BUSYBOX}EOF\n")
    assert out == "pod/busybox created\n", err
    dep = mk("create", "deploy", "p", "--image=nginx", "--dry-run=client", "-o", "yaml").out
    (sh.work / "p.yaml").write_text(dep)
    code, out, err = sh("cat p.yaml | kubectl apply -f -\nkubectl apply -f - < p.yaml\n")
    assert out == "deployment.apps/p created\ndeployment.apps/p unchanged\n", err


def test_sleep_moves_the_sessions_clock(sh, mk):
    code, out, err = sh("kubectl run n --image=nginx\nkubectl get po n --no-headers | awk '{print $3}'\n"
                        "sleep 5\nkubectl get po n --no-headers | awk '{print $3}'\n")
    assert out == "pod/n created\nContainerCreating\nRunning\n", err


def test_redirection_errors_do_not_run_the_command(sh, mk):
    code, out, err = sh("kubectl run r --image=nginx > nodir/x.yaml\necho $?\nkubectl get po r 2>/dev/null\necho $?\n")
    assert err == "bash: nodir/x.yaml: No such file or directory\n"
    assert out == "1\n1\n"


def test_the_shell_verb_reads_piped_lines(mk, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    want = mk("get", "ns").out
    r = mk("shell", stdin="k get ns\nexit 4\n")
    assert (r.code, r.out) == (4, want)
    assert (mk.home / "shell_history").read_text() == "k get ns\nexit 4\n"
    r = mk("shell", "--dir", str(tmp_path / "nowhere"))
    assert r.code == 1 and "nowhere: no such directory" in r.err


def test_the_one_interpreter_runs_loops_functions_and_conditions(sh, mk):
    """minikctl shell speaks the same bash as everywhere else (minikctl/sh): loops over kubectl
    output, functions, [[ ]], arithmetic, multi-line compound commands typed line by line."""
    names = [n.split("/", 1)[1] for n in mk("get", "ns", "-o", "name").out.split()]
    code, out, err = sh("for ns in $(kubectl get ns -o name); do echo \"${ns#namespace/}\"; done\n"
                        "count() { kubectl get ns --no-headers | wc -l; }\n"
                        "n=$(count); if [[ $n -eq $((" + str(len(names)) + ")) ]]; then echo same; fi\n"
                        "while read -r a b; do\n  echo \"$a\"\ndone <<EOF\nx y\nEOF\n")
    assert (code, err) == (0, "")
    assert out == "".join(n + "\n" for n in names) + "same\nx\n"
    code, out, err = sh("for i in 1 2; do echo $i; done done\n")
    assert err == "bash: syntax error near unexpected token `done'\n" and code == 2


def test_text_tools_are_the_containers_applets(sh, mk):
    """| base64 -d, | sed, | sort -k: the same applets as in the pods (GNU style), over kubectl's output."""
    r = mk("create", "secret", "generic", "db", "--from-literal=password=s3cr3t")
    assert r.code == 0, r.err
    code, out, err = sh("kubectl get secret db -o jsonpath='{.data.password}' | base64 -d; echo\n"
                        "kubectl get ns -o name | sed -n 's|namespace/||p' | sort -r | head -1\n")
    assert (code, err) == (0, "")
    assert out == "s3cr3t\n" + sorted(n.split("/")[1] for n in mk("get", "ns", "-o", "name").out.split())[-1] + "\n"
