"""Here-documents: `cat > web.yaml <<EOF` followed by the manifest and a line `EOF`.

Why: it is how the study note and exam answers create manifests without an editor. bash reads
the body after the whole command line, with the `> ` prompt; `<<-` strips leading tabs; a quoted
delimiter (`<<'EOF'`) keeps the body literal, otherwise `$VAR` and `$(...)` expand in it.
"""
from __future__ import annotations

from typing import Callable

from minikctl.shell.lexer import read_dollar
from minikctl.shell.parse import Redir


def read_bodies(redirs: list[Redir], readline: Callable[[str], str | None], warn: Callable[[str], None],
                lineno: int = 1) -> None:
    """Fill each heredoc's body from lines read with the continuation prompt; EOF ends it early."""
    for r in redirs:
        delim = r.target.text()
        lines: list[str] = []
        while True:
            line = readline("> ")
            if line is None:
                warn(f"bash: warning: here-document at line {lineno} delimited by end-of-file (wanted `{delim}')")
                break
            if r.op == "<<-":
                line = line.lstrip("\t")
            if line == delim:
                break
            lines.append(line)
        r.body = "".join(x + "\n" for x in lines)


def expand_body(body: str, expand_part: Callable[[tuple], str]) -> str:
    """Expand $VAR, ${VAR}, $(cmd) in an unquoted heredoc body; backslash escapes $ ` \\ only."""
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c == "\\" and i + 1 < n and body[i + 1] in "$`\\":
            out.append(body[i + 1])
            i += 2
        elif c == "$":
            parts: list = []
            try:
                i = read_dollar(body, i, parts)
            except Exception:                     # an unclosed ${ or $( stays as typed
                out.append(c)
                i += 1
                continue
            out.extend(expand_part(p) for p in parts)
        else:
            out.append(c)
            i += 1
    return "".join(out)
