"""Small libcst edits the fixes are made of. Imported only on the fix path.

Each edit changes the nodes it is given and keeps the layout around them: a
keyword added to a call follows the call's own separators (one line or one
argument per line, with or without a trailing comma); a removed argument hands
its comma to its neighbour so the trailing-comma style stays.
"""

from __future__ import annotations

from typing import Callable

import libcst as cst


def expression(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for argument in call.args:
        if argument.keyword is not None and argument.keyword.value == name:
            return argument
    return None


def quote(call: cst.Call) -> str:
    """The quote character the call's own string arguments use ("" when none do)."""
    for argument in call.args:
        if isinstance(argument.value, cst.SimpleString):
            return argument.value.quote[-1]
    return '"'


def _separator(call: cst.Call) -> cst.Comma:
    """The comma that separates the call's arguments, as the call writes it."""
    arguments = call.args
    if len(arguments) >= 2 and isinstance(arguments[-2].comma, cst.Comma):
        return arguments[-2].comma
    if isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=call.whitespace_before_args)  # one argument per line
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def set_keyword(call: cst.Call, name: str, value: cst.BaseExpression, position: int | None = None) -> cst.Call:
    """``name=value`` on the call: the existing argument's value replaced (by keyword, or at
    ``position`` when it is passed positionally), or a keyword appended."""
    existing = keyword(call, name)
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if existing is None and position is not None and position < len(positional):
        existing = positional[position]
    if existing is not None:
        return call.with_changes(
            args=[a.with_changes(value=value) if a is existing else a for a in call.args]
        )
    added = cst.Arg(
        keyword=cst.Name(name),
        value=value,
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )
    if not call.args:
        return call.with_changes(args=[added])
    *before, last = call.args
    if isinstance(last.comma, cst.Comma):  # a trailing comma: the new argument takes it over
        added = added.with_changes(comma=last.comma)
    last = last.with_changes(comma=_separator(call))
    return call.with_changes(args=[*before, last, added])


def remove_argument(call: cst.Call, doomed: cst.Arg) -> cst.Call:
    """The call without ``doomed``; the argument before it inherits its comma when it was last."""
    arguments = list(call.args)
    index = arguments.index(doomed)
    del arguments[index]
    if index == len(arguments) and arguments:
        arguments[-1] = arguments[-1].with_changes(comma=doomed.comma)
    return call.with_changes(args=arguments)


def without_elements(
    sequence: cst.List | cst.Tuple | cst.Set | cst.Dict, drop: Callable[[cst.CSTNode], bool]
) -> cst.BaseExpression:
    """A list, tuple, set or dict display without the elements ``drop`` picks, commas kept in style."""
    elements = list(sequence.elements)
    kept = [e for e in elements if not drop(e)]
    if kept and len(kept) < len(elements) and kept[-1] is not elements[-1]:
        kept[-1] = kept[-1].with_changes(comma=elements[-1].comma)
    return sequence.with_changes(elements=kept)


def string_value(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def set_setting(node: cst.CSTNode, name: str, value: cst.BaseExpression) -> cst.CSTNode | None:
    """The configuration statement or call ``node`` with setting ``name`` given ``value``.

    ``NAME = v`` / ``app.config["NAME"] = v`` (the assignment's value), ``config.update(NAME=v)``
    (the keyword) and ``config.update({"NAME": v})`` (the dict element).
    """
    if isinstance(node, (cst.Assign, cst.AnnAssign)):
        return node.with_changes(value=value)
    if not isinstance(node, cst.Call):
        return None
    if keyword(node, name) is not None:
        return set_keyword(node, name, value)
    arguments = []
    changed = False
    for argument in node.args:
        if isinstance(argument.value, cst.Dict):
            elements = []
            for element in argument.value.elements:
                if isinstance(element, cst.DictElement) and string_value(element.key) == name:
                    element = element.with_changes(value=value)
                    changed = True
                elements.append(element)
            argument = argument.with_changes(value=argument.value.with_changes(elements=elements))
        arguments.append(argument)
    return node.with_changes(args=arguments) if changed else None


def add_class_setting(node: cst.CSTNode, name: str, value: cst.BaseExpression) -> cst.CSTNode | None:
    """The class ``node`` with ``NAME = value`` added as the last statement of its body (after a lone
    ``pass`` or ``...``, which it replaces)."""
    if not isinstance(node, cst.ClassDef) or not isinstance(node.body, cst.IndentedBlock):
        return None
    statement = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(name))], value)])
    body = list(node.body.body)
    if len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine) and len(body[0].body) == 1 and (
        isinstance(body[0].body[0], cst.Pass)
        or (isinstance(body[0].body[0], cst.Expr) and isinstance(body[0].body[0].value, cst.Ellipsis))
    ):
        body = []
    return node.with_changes(body=node.body.with_changes(body=[*body, statement]))
