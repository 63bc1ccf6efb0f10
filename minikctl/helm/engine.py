"""Helm's template engine: every file under templates/ parsed into one template set (so a
`define` in _helpers.tpl is visible everywhere), files not starting with `_` executed with
.Values .Release .Chart .Capabilities .Template, missing keys as nil (`missingkey=zero`), and
`<no value>` removed from the output. Errors in helm's words: `parse error at (FILE:LINE): ...`,
`template: FILE:LINE:COL: executing "NAME" at <NODE>: ...`, `execution error at (FILE:L:C): ...`
for required / fail."""
from __future__ import annotations

import re

from minikctl.helm import HelmError
from minikctl.helm.funcs import empty, funcs
from minikctl.printers import gotemplate as gt


class _Warn(Exception):
    pass


def _location(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    nl = text.rfind("\n", 0, pos)
    col = pos if nl < 0 else pos - (nl + 1)
    return line, col


class Engine:
    def __init__(self, files: dict[str, str], rng=None):
        """files: chart-relative path (e.g. 'nginx/templates/svc.yaml') -> text."""
        self.files = files
        self.defines: dict[str, tuple[gt.Block, str, str]] = {}
        self.parsed: dict[str, gt.Block] = {}
        self.rng = rng
        names = sorted(files, key=lambda n: (-n.count("/"), n))  # helm's sortTemplates: deepest first
        all_funcs = set(gt._FUNCS) | set(funcs()) | {"include", "tpl", "required", "fail", "template"}
        for name in names:
            defs: dict = {}
            try:
                blk = gt._Parser(files[name], name, all_funcs, defs).parse()
            except gt.TemplateError as e:
                raise HelmError(_parse_error(name, str(e))) from None
            self.parsed[name] = blk
            for d, b in defs.items():
                self.defines[d] = (b, name, files[name])
        self.all_funcs = all_funcs

    def _exec(self, text: str) -> gt._Exec:
        ex = gt._Exec(text, True)
        ex.missing_is_nil = True
        ex.extra = funcs(self.rng)
        ex.extra["include"] = self._include
        ex.extra["tpl"] = self._tpl
        ex.extra["required"] = _required
        ex.extra["fail"] = lambda ex_, args, pos: (_ for _ in ()).throw(
            gt._ExecError("\x00warn\x00" + gt._sprint_value(args[0]), pos, "fail"))
        ex.templates = {d: b for d, (b, _, _) in self.defines.items()}
        return ex

    def _include(self, ex, args, pos):
        name = args[0] if args else ""
        data = args[1] if len(args) > 1 else None
        if name not in self.defines:
            raise gt._ExecError(f"error calling include: template: no template {gt.go_quote(name)} associated with "
                                "template \"gotpl\"", pos, "include")
        blk, file, text = self.defines[name]
        sub = self._exec(text)
        try:
            sub.vars = [{"$": data}]
            sub.body(blk.body, data)
        except gt._ExecError as e:
            raise gt._ExecError(_nest("include", e, file, name, text), pos, "include") from None
        return "".join(sub.out)

    def _tpl(self, ex, args, pos):
        text, data = (args + [None, None])[:2]
        defs: dict = {}
        name = "gotpl"
        try:
            blk = gt._Parser(text, name, self.all_funcs, defs).parse()
        except gt.TemplateError as e:
            raise gt._ExecError(f"error calling tpl: cannot parse template {gt.go_quote(text)}: {e}", pos, "tpl") \
                from None
        sub = self._exec(text)
        sub.templates.update(defs)
        try:
            sub.vars = [{"$": data}]
            sub.body(blk.body, data)
        except gt._ExecError as e:
            raise gt._ExecError(_nest("tpl", e, name, name, text), pos, "tpl") from None
        return "".join(sub.out).replace("<no value>", "")

    def render(self, values_ctx: dict) -> dict[str, str]:
        out: dict[str, str] = {}
        for name in sorted(self.parsed, key=lambda n: (-n.count("/"), n)):
            if name.rsplit("/", 1)[-1].startswith("_"):
                continue
            ctx = dict(values_ctx)
            ctx["Template"] = {"Name": name, "BasePath": name.rsplit("/templates/", 1)[0] + "/templates"}
            ex = self._exec(self.files[name])
            try:
                ex.run(self.parsed[name], ctx)
            except gt._ExecError as e:
                raise HelmError(_top_error(e, name, self.files[name])) from None
            out[name] = "".join(ex.out).replace("<no value>", "")
        return out


def _required(ex, args, pos):
    msg, val = (list(args) + [None, None])[:2]
    if val is None or val is gt.MISSING or (isinstance(val, str) and val == ""):
        raise gt._ExecError("\x00warn\x00" + gt._sprint_value(msg), pos, "required")
    return val


def _where(e: gt._ExecError, file: str, name: str, text: str) -> str:
    if e.pos is None:
        return f"template: {name}: "
    line, col = _location(text, e.pos)
    return f"template: {file}:{line}:{col}: executing {gt.go_quote(name)} at <{e.ctx}>: "


def _nest(fn: str, e: gt._ExecError, file: str, name: str, text: str) -> str:
    if e.msg.startswith("\x00warn\x00"):
        return e.msg  # required / fail: the innermost message travels up as helm's warnWrap
    return f"error calling {fn}: {_where(e, file, name, text)}{e.msg}"


def _top_error(e: gt._ExecError, file: str, text: str) -> str:
    full = _where(e, file, file, text) + e.msg
    if "\x00warn\x00" in e.msg:
        line, col = _location(text, e.pos or 0)
        return f"execution error at ({file}:{line}:{col}): {e.msg.split(chr(0) + 'warn' + chr(0), 1)[1]}"
    return full


def _parse_error(file: str, message: str) -> str:
    tokens = message.split(": ")
    if len(tokens) == 1:
        return f"parse error in ({file}): {message}"
    return f"parse error at ({tokens[1]}): {tokens[-1]}"


_ = (re, empty)
