"""Calls that write their arguments where people read them: logs and stdout."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Iterator

from flask_token_lint.scopes import Scope
from flask_token_lint.syntax import dotted

if TYPE_CHECKING:
    from flask_token_lint.values import ValueAnalysis

LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"})
_LOGGER_FACTORIES = frozenset({"getLogger", "get_logger", "getChild"})
_WRITING_FUNCTIONS = frozenset({"sys.stdout.write", "sys.stderr.write", "warnings.warn", "pprint.pprint"})
# Keyword arguments that configure the call rather than carry text.
_NON_TEXT_KEYWORDS = frozenset({"exc_info", "stack_info", "stacklevel", "file", "sep", "end", "flush", "category"})


def _is_logger(receiver: ast.expr) -> bool:
    if isinstance(receiver, ast.Call):
        func = receiver.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in _LOGGER_FACTORIES
    path = dotted(receiver)
    if path is None:
        return False
    last = path.rsplit(".", 1)[-1].lower().lstrip("_")
    return last in ("log", "logger") or last.endswith("logger") or last.endswith("_log")


def is_output_call(call: ast.Call, scope: Scope, values: ValueAnalysis) -> bool:
    """``call`` logs or prints its arguments (``log = logger.info; log(...)`` too)."""
    func, where = values.resolve(call.func, scope)
    if where.module.is_builtin(func, "print"):
        return True
    qualname = values.qualname(func, where)
    if qualname is not None:
        if qualname in _WRITING_FUNCTIONS:
            return True
        if qualname.startswith("logging.") and qualname.rsplit(".", 1)[-1] in LOG_METHODS:
            return True
    return isinstance(func, ast.Attribute) and func.attr in LOG_METHODS and _is_logger(func.value)


def written_arguments(call: ast.Call) -> Iterator[ast.expr]:
    """The arguments of an output call whose text ends up written."""
    yield from call.args
    for keyword in call.keywords:
        if keyword.arg not in _NON_TEXT_KEYWORDS:
            yield keyword.value
