"""The text a string expression builds, as literal pieces and holes.

``f"session={sid}; Secure"``, ``"http://" + HOST + "/token"``, ``"%s=%s" % (name, value)`` and
``"{}://{}".format(scheme, host)`` are read as a list of pieces: ``(text, literal node)`` for text
written in the code (the node is the literal that holds it: what a finding is reported on and a fix
rewrites), and bare expressions for the holes only known at run time. Names are followed into the
one expression they stand for, and ``%``/``.format`` fields into the values that fill them.
"""

from __future__ import annotations

import ast
import re
import string
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from flask_token_lint.scopes import Scope
    from flask_token_lint.values import ValueAnalysis

Piece = Union["tuple[str, ast.expr]", ast.expr]
_PRINTF_FIELD = re.compile(r"%(?:\((?P<key>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[sdirfFxXoeEgGcab%]")
_MAX_DEPTH = 8


class TextReader:
    def __init__(self, values: ValueAnalysis) -> None:
        self.values = values

    def pieces(self, node: ast.expr, scope: Scope, depth: int = 0) -> list[Piece]:
        if depth > _MAX_DEPTH:
            return [node]
        if isinstance(node, ast.Constant):
            return [(node.value, node)] if isinstance(node.value, str) else [node]
        if isinstance(node, ast.JoinedStr):
            result: list[Piece] = []
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    inlined = part.conversion == -1 and part.format_spec is None
                    result.extend(self.part(part.value, scope, depth) if inlined else [part.value])
                elif isinstance(part, ast.Constant) and isinstance(part.value, str):
                    result.append((part.value, node))  # the f-string is the literal a fix rewrites
            return result
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return [*self.part(node.left, scope, depth), *self.part(node.right, scope, depth)]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            template = self.values.constant_of(node.left, scope)
            if isinstance(template, ast.Constant) and isinstance(template.value, str):
                return self._printf(template, node.right, scope, depth)
            return [node]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            template = self.values.constant_of(node.func.value, scope)
            if isinstance(template, ast.Constant) and isinstance(template.value, str):
                return self._format(template, node, scope, depth)
        return [node]

    def part(self, node: ast.expr, scope: Scope, depth: int) -> list[Piece]:
        """A part of a built string, followed into the one expression a name stands for."""
        constant = self.values.constant_of(node, scope)
        if isinstance(constant, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.Call)):
            found = self.pieces(constant, scope, depth + 1)
            return [node] if found == [constant] else found
        return [node]

    def _printf(self, template: ast.Constant, values: ast.expr, scope: Scope, depth: int) -> list[Piece]:
        """``template % values``: each field filled with its value where the code says which."""
        text = template.value
        positional = list(values.elts) if isinstance(values, ast.Tuple) else [values]
        named = {}
        if isinstance(values, ast.Dict):
            named = {self.values.string_of(k, scope): v for k, v in zip(values.keys, values.values) if k is not None}
        result: list[Piece] = []
        position = end = 0
        for match in _PRINTF_FIELD.finditer(text):
            if match.start() > end:
                result.append((text[end:match.start()], template))
            end = match.end()
            if match.group() == "%%":
                result.append(("%", template))
                continue
            key = match.group("key")
            if key is not None:
                value = named.get(key)
            else:
                value = positional[position] if position < len(positional) else None
                position += 1
            result.extend([values] if value is None else self.part(value, scope, depth))
        if end < len(text):
            result.append((text[end:], template))
        return result

    def _format(self, template: ast.Constant, call: ast.Call, scope: Scope, depth: int) -> list[Piece]:
        """``template.format(...)``: each field filled with its argument where it is plain."""
        keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
        try:
            fields = list(string.Formatter().parse(template.value))
        except ValueError:
            return [call]
        result: list[Piece] = []
        automatic = 0
        for literal, name, spec, conversion in fields:
            if literal:
                result.append((literal, template))
            if name is None:
                continue
            value: ast.expr | None = None
            if name == "":
                name = str(automatic)
                automatic += 1
            if name.isdigit():
                index = int(name)
                if index < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
                    value = call.args[index]
            else:
                value = keywords.get(name)
            if value is None or spec or conversion:
                result.append(call if value is None else value)
            else:
                result.extend(self.part(value, scope, depth))
        return result
