"""The same scripts through the real busybox sh, dash and bash and through minikctl's interpreter
(minikctl/sh): stdout, stderr and exit status must be identical, byte for byte.

The scripts use only shell builtins, so the real shells touch nothing on the host but their own
process. A shell missing on the machine skips its cases (.ci/run installs busybox; dash and bash
are in every Debian base).
"""
from __future__ import annotations

import shutil
import subprocess

import pytest

from minikctl.images.context import ExecContext
from minikctl.sh.dialect import Dialect
from minikctl.sh.interp import Shell
from minikctl.sim.view import StaticView

REAL = {"ash": (shutil.which("busybox"), ["sh"]), "dash": (shutil.which("dash"), []),
        "bash": (shutil.which("bash"), [])}
ARGV0 = {"ash": "sh", "dash": "sh", "bash": "bash"}

SCRIPTS = [
    "for i in 1 2 3; do echo $i; done",
    "i=0; while [ $i -lt 5 ]; do i=$((i+1)); [ $i -eq 3 ] && continue; echo i=$i; done; echo end $i",
    "i=10; until [ $i -le 7 ]; do echo $i; i=$((i-1)); done",
    "for i in a b c; do for j in 1 2; do [ $j = 2 ] && break 2; echo $i$j; done; done; echo after",
    "if false; then echo a; elif true; then echo b; else echo c; fi; if false; then :; fi; echo $?",
    "case hello.txt in *.yaml) echo yaml;; *.txt|*.md) echo text;; *) echo other;; esac",
    "case x in [a-c]) echo abc;; [!a-c]) echo not;; esac; case '*' in '*') echo star;; esac",
    "f() { echo \"args=$# first=$1\"; return 4; }; f a 'b c'; echo rc=$?",
    "g() { local v=inner; echo $v; }; v=outer; g; echo $v",
    "x=abc.tar.gz; echo ${x%.gz} ${x%%.*} ${x#*.} ${x##*.} ${#x}",
    "unset u; echo [${u:-dflt}] [${u-d2}] [${u:+alt}]; u=; echo [${u:-e}] [${u-f}] [${u:+g}]; echo ${w:=set} $w",
    "echo $((7 / 2)) $((7 % 3)) $((2 * (3 + 4))) $((1 << 4)) $((10 > 3 && 2 < 1)) $((5 ? 1 : 2)) $((-7 / 2))",
    "x=5; y=$((x * 2 + 1)); echo $y; : $((x += 3)); echo $x",
    "echo $(echo one $(echo two)) `echo three`",
    "a='x  y'; echo $a; echo \"$a\"; set -- $a; echo $#",
    "set -- 'a b' c; for x in \"$@\"; do echo \"[$x]\"; done; for x in $@; do echo \"<$x>\"; done; echo \"$*\"",
    "IFS=:; v=a:b::c; for x in $v; do echo \"[$x]\"; done",
    "read a b rest <<EOF\none two three four\nEOF\necho \"$a|$b|$rest\"",
    "while read line; do echo \"got $line\"; done <<EOF\nl1\nl2\nEOF",
    "cat=1; echo \"$cat\" 'single $cat' \"esc \\$cat \\\\ \\\"q\\\"\"",
    "{ echo out; echo err >&2; } 2>&1",
    "echo a >/dev/null; echo b 2>/dev/null; nosuchcmd 2>/dev/null; echo $?",
    "nosuchcmd; echo status=$?",
    "set -e; echo one; false; echo never",
    "set -e; false || echo rescued; if false; then :; fi; echo still",
    "(exit 3); echo $?; (x=1; exit 0); echo ${x:-unset}",
    "echo a && echo b || echo c; false && echo d || echo e",
    "! true; echo $?; ! false; echo $?",
    "printf '%s-%d|%5s|%-4s|%x\\n' a 42 r l 255; printf '%s\\n' one two three",
    "printf '%03d %.2f %c\\n' 7 3.14159 xyz",
    "echo \"a\\tb\"",
    "x=1; { x=2; }; echo $x; (x=3); echo $x",
    "[ -n abc ] && echo n; [ -z '' ] && echo z; [ abc = abd ] || echo ne; [ 3 -ge 3 ] && echo ge; [ ! 1 -eq 2 ] && echo not",
    "test 1 -lt 2 -a 3 -gt 2 && echo both; test a = b -o b = b && echo either",
    "[ 1 -eq a ]; echo $?",
    "[ a = a; echo $?",
    "exit 7",
    "echo start; exit 300",
    "done",
    "for i in 1 2 3; do echo $i; done done",
    "if true; then echo x",
    "while true; do",
    "{ echo",
    "echo 'abc",
    "echo \"abc",
    "| x",
    "echo a;;",
    "case a in x) echo;; esac esac",
    "if; then fi",
    "echo a; echo b |",
    "echo a &&",
    "fi",
    "echo ${x",
    "echo $((1+))",
    "x=$((3/0)); echo after",
    "echo $(echo",
    "for 1 in a; do echo; done",
    "f() { echo in-f; }; f; unset -f f; f 2>/dev/null; echo $?",
    "echo ${#}; set -- a b c; shift; echo $1 $#; shift 2; echo $#",
    "x=3; while :; do x=$((x-1)); if [ $x = 0 ]; then break; fi; done; echo done $x",
    "v=$(printf 'a\\n\\n\\n'); echo \"[$v]\"",
    "echo $((0x10 + 010))",
    "a=1 b=2; echo $a$b; c=$a$b; echo $c",
    "i=0; for x in $(printf '%s ' 1 2 3 4 5 6 7 8 9 10); do i=$((i + x)); done; echo $i",
    "echo -n no-newline; echo",
    "eval 'x=42; echo $x'; eval echo '$x'",
    "cat <<'EOF'\n$HOME is literal\nEOF",
    "x=var; cat <<EOF\nvalue: $x $(echo sub) $((1+1))\nEOF",
    "cat <<-EOF\n\tindented\n\tEOF",
    "set -x; x=1; echo \"a b\" c; set +x; echo quiet",
    "echo $'a\\tb'",
    "trap 'echo bye' EXIT; echo hi",
    "trap 'echo bye' EXIT; echo hi; exit 3",
    "echo {1..3} x{a,b}y {a..c} {5..1..2} '{1..2}'",
    "for i in {1..3}; do printf '%s.' $i; done; echo",
]


def _ours(dialect: str, script: str):
    ctx = ExecContext(view=StaticView([]), pod=None, container=None)
    sh = Shell(ctx, {}, Dialect(dialect, ARGV0[dialect]), env={"HOME": "/root", "PATH": "/usr/bin:/bin"})
    out, err, code, _ = sh.run(script)
    return out, err, code


def _real(dialect: str, script: str):
    exe, pre = REAL[dialect]
    argv = [ARGV0[dialect] if not pre else "busybox", *pre, "-c", script]
    p = subprocess.run(argv, executable=exe, capture_output=True, text=True, timeout=10, cwd="/",
                       env={"HOME": "/root", "PATH": "/nonexistent-minikctl"})
    return p.stdout, p.stderr, p.returncode


def _cases():
    for d in ("ash", "dash", "bash"):
        for k, s in enumerate(SCRIPTS):
            yield pytest.param(d, s, id=f"{d}-{k}")


SKIP = {  # (dialect, script index): a documented difference, not a bug
}


@pytest.mark.parametrize("dialect,script", list(_cases()))
def test_same_as_the_real_shell(dialect, script):
    if not REAL[dialect][0]:
        pytest.skip(f"{dialect} is not installed")
    assert _ours(dialect, script) == _real(dialect, script)


def test_no_script_crashes_the_interpreter():
    """Random token soup through every dialect: a message and a status, never a Python exception."""
    import random
    from minikctl.images.fs import FileSystem
    from minikctl.images.registry import toolset
    vocab = ["echo", "x", "$x", "${x:-a}", "${#x}", "${x%b}", "$((1+2))", "$(echo a)", "`echo b`", "|", "&&", "||",
             ";", "&", "if", "then", "else", "fi", "for", "in", "do", "done", "while", "case", "esac", ")", "(", "{",
             "}", ";;", ">", "<", "2>&1", "<<EOF", "\n", "'q'", '"d $x"', "f()", "local", "read", "[", "]", "[[", "]]",
             "=", "!", "x=1", "set", "-e", "exit", "return", "break", "*", "/etc/*", "cat", "sed", "s/a/b/", "awk",
             "'{print $1}'", "wc", "-l", "$((x/0))", "${x:?}", "${x/a/b}", "$@", "\\", "eval", "shift", "printf", "%d",
             "$((", "${", "$(", "`", '"', "'"]
    tools = toolset("busybox:1.36").tools
    rng = random.Random(10)
    for _ in range(1500):
        script = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 12)))
        for d in ("ash", "dash", "bash"):
            fs = FileSystem()
            fs.add_file("/etc/passwd", "root:x\n")
            ctx = ExecContext(view=StaticView([]), pod=None, container=None, fs=fs)
            out, err, code, _ = Shell(ctx, tools, Dialect(d, ARGV0[d]), env={"HOME": "/root"}).run(script)
            assert "in minikctl's shell)" not in err, (d, script, err)


def test_what_is_not_simulated_says_so():
    """bash arrays are not modelled: one honest line, never a realistic syntax error."""
    out, err, code = _ours("bash", "a=(1 2 3); echo ${a[1]}")
    assert (out, err, code) == ("", "minikctl: bash arrays are not simulated\n", 2)
    out, err, code = _ours("bash", "echo ${a[0]}")
    assert err == "minikctl: bash arrays are not simulated\n"


def test_dash_counts_the_lines_of_an_interactive_session():
    from minikctl.images.shell import ShellSession
    pod = {"metadata": {"name": "p", "namespace": "default", "uid": "u"}, "status": {},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    s = ShellSession(ExecContext(view=StaticView([]), pod=pod, container="c"))
    assert s.feed("true") == ("", "", False)
    assert s.feed("if true") == ("", "", False) and s.prompt == "> "
    assert s.feed("then nope; fi") == ("", "sh: 3: nope: not found\n", False)
    assert s.feed("nope")[1] == "sh: 4: nope: not found\n"
