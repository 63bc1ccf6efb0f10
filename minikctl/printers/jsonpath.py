"""kubectl's JSONPath template dialect (client-go util/jsonpath), parser and evaluator.

Why our own: `-o jsonpath`, custom-columns and --sort-by all run this dialect, and its quirks are
visible in output: results of one `{...}` joined by a single space, maps/lists printed as compact
JSON, `null` for null, `{range}`/`{end}` evaluated against the root, recursive descent that only
yields containers, and kubectl's exact error texts. The grammar below follows client-go's parser
state machine so the same inputs fail with the same words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from minikctl.api.errors import CliError
from minikctl.printers.serialize import (compact_json, go_float_g, go_sharp_v, go_type, go_v,
                                         to_json)
from minikctl.printers.serialize import go_quote


class JsonPathError(Exception):
    """A parse or execution error, worded as client-go words it."""


# ---------------------------------------------------------------- nodes

@dataclass
class Node:
    kind: str                      # list text field array filter int float bool wildcard recursive union ident
    value: Any = None
    nodes: list["Node"] = field(default_factory=list)
    left: "Node | None" = None
    right: "Node | None" = None


def _list() -> Node:
    return Node("list")


# ---------------------------------------------------------------- parser

_DICT_KEY = re.compile(r"^'([^']*)'$")
_SLICE = re.compile(r"^(-?\d*)(:-?\d*)?(:-?\d*)?$")
_FILTER = re.compile(r"^([^!<>=]+)([!<>=]+)(.+?)$", re.S)
_EOF = ""


def _is_terminator(r: str) -> bool:
    return r in (_EOF, " ", "\t", "\r", "\n", ".", ",", "[", "]", "$", "@", "{", "}")


def _is_alnum(r: str) -> bool:
    return r == "_" or (r != _EOF and (r.isalpha() or r.isdigit()))


def _unquote(s: str) -> str:
    """UnquoteExtend: Go string unquoting that also takes single quotes."""
    if len(s) < 2 or s[0] != s[-1] or s[0] not in "\"'":
        raise JsonPathError("invalid syntax")
    body, out, i = s[1:-1], [], 0
    simple = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
              "\\": "\\", "'": "'", '"': '"'}
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(body):
            raise JsonPathError("invalid syntax")
        e = body[i + 1]
        if e in simple:
            out.append(simple[e])
            i += 2
        elif e in "xuU":
            n = {"x": 2, "u": 4, "U": 8}[e]
            try:
                out.append(chr(int(body[i + 2:i + 2 + n], 16)))
            except ValueError:
                raise JsonPathError("invalid syntax") from None
            i += 2 + n
        elif e in "01234567":
            out.append(chr(int(body[i + 1:i + 4], 8)))
            i += 4
        else:
            raise JsonPathError("invalid syntax")
    return "".join(out)


class _Parser:
    def __init__(self, text: str):
        self.input = text
        self.pos = 0
        self.start = 0
        self.root = _list()

    # rune cursor
    def next(self) -> str:
        if self.pos >= len(self.input):
            self._w = 0
            return _EOF
        self._w = 1
        self.pos += 1
        return self.input[self.pos - 1]

    def backup(self) -> None:
        self.pos -= self._w

    def peek(self) -> str:
        r = self.next()
        self.backup()
        return r

    def consume(self) -> str:
        v = self.input[self.start:self.pos]
        self.start = self.pos
        return v

    def parse(self) -> Node:
        cur = self._text()
        while cur is not None:
            cur = self._inside(cur)
        return self.root

    def _text(self) -> Node | None:
        """Plain text up to the next '{'; returns the new action list, or None at EOF."""
        while True:
            if self.input.startswith("{", self.pos):
                if self.pos > self.start:
                    self.root.nodes.append(Node("text", self.consume()))
                self.pos += 1
                self.consume()
                node = _list()
                self.root.nodes.append(node)
                return node
            if self.next() == _EOF:
                break
        if self.pos > self.start:
            self.root.nodes.append(Node("text", self.consume()))
        return None

    def _inside(self, cur: Node) -> Node | None:
        """One step inside an action; returns the list to continue in (None when done)."""
        rest = self.input[self.pos:]
        if rest.startswith("}"):
            self.pos += 1
            self.consume()
            return self._text()
        if rest.startswith("[?("):
            self._filter(cur)
            return cur
        if rest.startswith(".."):
            if cur.nodes and cur.nodes[-1].kind == "recursive":
                raise JsonPathError("invalid multiple recursive descent")
            self.pos += 2
            self.consume()
            cur.nodes.append(Node("recursive"))
            if _is_alnum(self.peek()):
                self._field(cur)
            return cur
        r = self.next()
        if r == _EOF or r in "\r\n":
            raise JsonPathError("unclosed action")
        if r in " @$":
            self.consume()
        elif r == "[":
            self._array(cur)
        elif r in "\"'":
            self._quote(cur, r)
        elif r == ".":
            self._field(cur)
        elif r in "+-" or r.isdigit():
            self.backup()
            self._number(cur)
        elif _is_alnum(r):
            self.backup()
            self._identifier(cur)
        else:
            raise JsonPathError(f"unrecognized character in action: U+{ord(r):04X} {go_quote_rune(r)}")
        return cur

    def _identifier(self, cur: Node) -> None:
        while not _is_terminator(self.next()):
            pass
        self.backup()
        value = self.consume()
        if value in ("true", "false"):
            cur.nodes.append(Node("bool", value == "true"))
        else:
            cur.nodes.append(Node("ident", value))

    def _number(self, cur: Node) -> None:
        if self.peek() in "+-":
            self.next()
        while True:
            r = self.next()
            if r != "." and not r.isdigit():
                self.backup()
                break
        value = self.consume()
        if re.fullmatch(r"[+-]?\d+", value):
            cur.nodes.append(Node("int", int(value)))
            return
        try:
            if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", value):
                raise ValueError
            cur.nodes.append(Node("float", float(value)))
        except ValueError:
            raise JsonPathError(f"cannot parse number {value}") from None

    def _array(self, cur: Node) -> None:
        while True:
            r = self.next()
            if r in (_EOF, "\n"):
                raise JsonPathError("unterminated array")
            if r == "]":
                break
        text = self.consume()[1:-1]
        if text == "*":
            text = ":"
        parts = text.split(",")
        if len(parts) > 1:
            union = [_parse_action(f"[{p.strip(' ')}]") for p in parts]
            cur.nodes.append(Node("union", nodes=union))
            return
        m = _DICT_KEY.match(text)
        if m:
            cur.nodes.extend(_parse_action("." + m.group(1)).nodes)
            return
        m = _SLICE.match(text)
        if not m:
            raise JsonPathError(f"invalid array index {text}")
        params: list[list] = []  # [known, value, derived]
        groups = [m.group(1) or "", m.group(2) or "", m.group(3) or ""]
        for i, g in enumerate(groups):
            if g != "":
                if i > 0:
                    g = g[1:]
                if i > 0 and g == "":
                    params.append([False, 0, False])
                else:
                    try:
                        params.append([True, int(g), False])
                    except ValueError:
                        raise JsonPathError(f"array index {g} is not a number") from None
            elif i == 1:
                params.append([True, params[0][1] + 1, True])
            else:
                params.append([False, 0, False])
        cur.nodes.append(Node("array", params))

    def _filter(self, cur: Node) -> None:
        self.pos += 3
        self.consume()
        begin = end = False
        pair = ""
        while True:
            r = self.next()
            if r in (_EOF, "\n"):
                raise JsonPathError("unterminated filter")
            if r in "\"'":
                if not begin:
                    begin, pair = True, r
                    continue
                if self.input[self.pos - 2] != "\\" and r == pair:
                    end = True
            elif r == ")":
                if begin == end:
                    break
        if self.next() != "]":
            raise JsonPathError("unclosed array expect ]")
        text = self.consume()[:-2]
        m = _FILTER.match(text)
        if m is None:
            cur.nodes.append(Node("filter", "exists", left=_parse_action(text), right=_list()))
        else:
            cur.nodes.append(Node("filter", m.group(2), left=_parse_action(m.group(1)),
                                  right=_parse_action(m.group(3))))

    def _quote(self, cur: Node, end: str) -> None:
        while True:
            r = self.next()
            if r in (_EOF, "\n"):
                raise JsonPathError("unterminated quoted string")
            if r == end and self.input[self.pos - 2] != "\\":
                break
        value = self.consume()
        try:
            cur.nodes.append(Node("text", _unquote(value)))
        except JsonPathError as e:
            raise JsonPathError(f"unquote string {value} error {e}") from None

    def _field(self, cur: Node) -> None:
        self.consume()
        while True:
            r = self.next()
            if r == "\\":
                self.next()
            elif _is_terminator(r):
                self.backup()
                break
        value = self.consume()
        if value == "*":
            cur.nodes.append(Node("wildcard"))
        else:
            cur.nodes.append(Node("field", value.replace("\\", "")))


def go_quote_rune(r: str) -> str:
    """%#U's quoted part: 'x'."""
    return f"'{r}'" if r.isprintable() else ""


def _parse_action(text: str) -> Node:
    """parseAction: parse '{text}' and return its one action list."""
    root = _Parser("{" + text + "}").parse()
    return root.nodes[0]


def parse(template: str) -> Node:
    """The template's root list (text nodes and action lists); JsonPathError on bad syntax."""
    return _Parser(template).parse()


# ---------------------------------------------------------------- evaluator

def _go_less(a: Any, b: Any, op: str) -> bool:
    """The forked text/template comparisons (eq/ne/lt/gt/le/ge) on basic kinds."""
    def kind(v):
        if isinstance(v, bool):
            return "bool"
        if isinstance(v, int):
            return "int"
        if isinstance(v, float):
            return "float"
        if isinstance(v, str):
            return "string"
        return "other"
    ka, kb = kind(a), kind(b)
    if op in ("==", "!="):
        if ka == "other" or kb == "other":
            raise JsonPathError("invalid type for comparison")
        if ka != kb:
            raise JsonPathError("incompatible types for comparison")
        return (a == b) if op == "==" else (a != b)
    if ka in ("bool", "other") or kb in ("bool", "other"):
        raise JsonPathError("invalid type for comparison")
    if ka != kb:
        raise JsonPathError("incompatible types for comparison")
    return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


def _children(v: Any) -> list:
    if isinstance(v, dict):
        return [v[k] for k in sorted(v, key=lambda k: str(k).encode())]
    if isinstance(v, (list, tuple)):
        return list(v)
    if isinstance(v, str):
        return list(v.encode("utf-8"))
    return []


class _Engine:
    def __init__(self, root: Node, allow_missing: bool):
        self.nodes = root.nodes
        self.allow_missing = allow_missing
        self.begin = self.inr = self.end = 0
        self.last_end: int | None = None

    def find(self, data: Any, start: int = 0) -> list[list]:
        cur = [data]
        full: list[list] = []
        i = start
        while i < len(self.nodes):
            results = self.walk(cur, self.nodes[i])
            if self.end > 0 and self.end <= self.inr:
                self.end -= 1
                self.last_end = i
                break
            if self.begin > 0:
                self.begin -= 1
                self.inr += 1
                if results:
                    for v in results:
                        full.extend(self.find(v, i + 1))
                else:
                    self.find(None, i + 1)
                self.inr -= 1
                if self.last_end is not None and self.last_end > i:
                    i = self.last_end
                i += 1
                continue
            full.append(results)
            i += 1
        return full

    def walk(self, values: list, node: Node) -> list:
        k = node.kind
        if k == "list":
            for n in node.nodes:
                values = self.walk(values, n)
            return values
        if k == "text":
            return [node.value]
        if k in ("int", "float", "bool"):
            return [node.value] * len(values)
        return getattr(self, "_" + k)(values, node)

    def _field(self, values: list, node: Node) -> list:
        if not values:
            return []
        out = [v[node.value] for v in values if isinstance(v, dict) and node.value in v]
        if not out and not self.allow_missing:
            raise JsonPathError(f"{node.value} is not found")
        return out

    def _array(self, values: list, node: Node) -> list:
        out: list = []
        for v in values:
            if v is None:
                continue
            if not isinstance(v, (list, tuple)):
                raise JsonPathError(f"{go_type(v)} is not array or slice")
            (k0, s0, _), (k1, s1, d1), (k2, step, _) = node.value
            n = len(v)
            s0 = s0 if k0 else 0
            if s0 < 0:
                s0 += n
            s1 = s1 if k1 else n
            if s1 < 0 or (s1 == 0 and d1):
                s1 += n
            if s1 == s0:
                return out
            if s0 >= n or s0 < 0:
                raise JsonPathError(f"array index out of bounds: index {s0}, length {n}")
            if s1 > n or s1 < 0:
                raise JsonPathError(f"array index out of bounds: index {s1 - 1}, length {n}")
            if s0 > s1:
                raise JsonPathError(f"starting index {s0} is greater than ending index {s1}")
            if k2 and step <= 0:
                raise JsonPathError("step must be > 0")
            out.extend(list(v[s0:s1])[::step if k2 else 1])
        return out

    def _filter(self, values: list, node: Node) -> list:
        out: list = []
        for v in values:
            if not isinstance(v, (list, tuple)):
                raise JsonPathError(f"{go_v(v)} is not array or slice and cannot be filtered")
            for item in v:
                try:
                    lefts = self.walk([item], node.left)
                    err = None
                except JsonPathError as e:
                    lefts, err = [], e
                if node.value == "exists":
                    if lefts:
                        out.append(item)
                    continue
                if err:
                    raise err
                if not lefts:
                    continue
                if len(lefts) > 1:
                    raise JsonPathError("can only compare one element at a time")
                rights = self.walk([item], node.right)
                if not rights:
                    continue
                if len(rights) > 1:
                    raise JsonPathError("can only compare one element at a time")
                if node.value not in ("<", ">", "==", "!=", "<=", ">="):
                    raise JsonPathError(f"unrecognized filter operator {node.value}")
                if _go_less(lefts[0], rights[0], node.value):
                    out.append(item)
        return out

    def _wildcard(self, values: list, node: Node) -> list:
        return [c for v in values if v is not None for c in _children(v)]

    def _recursive(self, values: list, node: Node) -> list:
        out: list = []
        for v in values:
            if v is None:
                continue
            kids = _children(v)
            if kids:
                out.append(v)
                out.extend(self._recursive(kids, node))
        return out

    def _union(self, values: list, node: Node) -> list:
        out: list = []
        for ln in node.nodes:
            out.extend(self.walk(values, ln))
        return out

    def _ident(self, values: list, node: Node) -> list:
        if node.value == "range":
            self.begin += 1
            return values
        if node.value == "end":
            if self.inr > 0:
                self.end += 1
                return []
            raise JsonPathError("not in range, nothing to end")
        raise JsonPathError(f"unrecognized identifier {node.value}")


def find_results(template: str, data: Any, allow_missing: bool = True) -> list[list]:
    """FindResults: one result list per top-level node. Raises JsonPathError."""
    return _Engine(parse(template), allow_missing).find(data)


def value_text(v: Any) -> str:
    """How PrintResults writes one value: maps/lists as compact JSON, null as `null`."""
    if isinstance(v, (dict, list, tuple)):
        return compact_json(v)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return go_float_g(v)
    return str(v)


def execute(template: str, data: Any, allow_missing: bool = True, as_json: bool = False) -> str:
    """JSONPath.Execute: results of each node joined by one space, nodes concatenated."""
    out = []
    for results in find_results(template, data, allow_missing):
        if as_json:
            out.append(to_json(list(results)))
        else:
            out.append(" ".join(value_text(v) for v in results))
    return "".join(out)


def render_jsonpath(template: str, data: Any, allow_missing_keys: bool = True,
                    as_json: bool = False) -> str:
    """kubectl -o jsonpath=TEMPLATE on `data`, or CliError with kubectl's message.

    kubectl does not add braces around a bare `.metadata.name` here (only custom-columns and
    --sort-by relax the path): the bare text is printed as literal text, as kubectl does.
    Error messages end without the final newline; the CLI adds it when rendering.
    """
    if template == "":
        raise CliError("template format specified but no template given")
    try:
        root = parse(template)
    except JsonPathError as e:
        raise CliError(f"error parsing jsonpath {template}, {e}") from None
    try:
        results = _Engine(root, allow_missing_keys).find(data)
    except JsonPathError as e:
        raise CliError(
            f"error executing jsonpath {go_quote_str(template)}: Error executing template: {e}. "
            "Printing more information for debugging the template:\n"
            f"\ttemplate was:\n\t\t{template}\n"
            f"\tobject given to jsonpath engine was:\n\t\t{go_sharp_v(data)}\n\n") from None
    if as_json:
        return "".join(to_json(list(r)) for r in results)
    return "".join(" ".join(value_text(v) for v in r) for r in results)


def render_jsonpath_file(path: str, data: Any, allow_missing_keys: bool = True) -> str:
    """-o jsonpath-file=PATH: the file's text is the template."""
    try:
        with open(path, encoding="utf-8") as fh:
            template = fh.read()
    except FileNotFoundError:
        raise CliError(f"error reading --template {path}, open {path}: no such file or directory") from None
    return render_jsonpath(template, data, allow_missing_keys)


def go_quote_str(s: str) -> str:
    return go_quote(s)


_RELAXED = re.compile(r"^\{\.?([^{}]+)\}$|^\.?([^{}]+)$")


def relaxed_expression(expr: str) -> str:
    """RelaxedJSONPathExpression: 'a.b', '.a.b', '{a.b}', '{.a.b}' -> '{.a.b}'."""
    if expr == "":
        return expr
    m = _RELAXED.match(expr)
    if m is None:
        raise CliError("unexpected path string, expected a 'name1.name2' or '.name1.name2' "
                       "or '{name1.name2}' or '{.name1.name2}'")
    return "{.%s}" % (m.group(1) or m.group(2))
