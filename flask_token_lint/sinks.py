"""Calls that write their arguments where people read them: logs and stdout.

A log call is known by what its receiver is, never by the variable's name: a logger bound from
``logging.getLogger``/``structlog.get_logger``/``loguru.logger``, an app's ``app.logger`` or
``current_app.logger``, a ``.bind(...)``/``.getChild(...)``/``.opt(...)`` of one, or a name or
``self`` attribute bound to one of these.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterator

from flask_token_lint.flow import PARAM
from flask_token_lint.scopes import Binding, Scope

if TYPE_CHECKING:
    from flask_token_lint.values import ValueAnalysis

LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log",
                         "trace", "success", "msg"})
_LOGGER_FACTORIES = frozenset({
    "logging.getLogger", "logging.getLoggerClass", "structlog.get_logger", "structlog.getLogger",
    "structlog.stdlib.get_logger", "logging.root",
})
_LOGGER_OBJECTS = frozenset({"loguru.logger", "logging.root", "flask.current_app.logger"})
_DERIVING_METHODS = frozenset({"bind", "new", "getChild", "opt", "patch", "with_context", "child"})
_LOGGER_FACTORY_NAME = re.compile(
    r"^_?(?:get|setup|set_up|make|create|init|new|build)_?(?:\w+_)?logger$", re.IGNORECASE
)
_WRITING_FUNCTIONS = frozenset({"sys.stdout.write", "sys.stderr.write", "warnings.warn", "pprint.pprint"})
# Keyword arguments that configure the call rather than carry text.
_NON_TEXT_KEYWORDS = frozenset({"exc_info", "stack_info", "stacklevel", "file", "sep", "end", "flush", "category"})
_MAX_DEPTH = 6


def is_logger(node: ast.expr, scope: Scope, values: ValueAnalysis, depth: int = 0) -> bool:
    """``node`` holds a logger, by where it comes from."""
    if depth > _MAX_DEPTH:
        return False
    qualname = values.qualname(node, scope)
    if qualname in _LOGGER_OBJECTS:
        return True
    if isinstance(node, ast.Call):
        func = node.func
        factory = values.qualname(func, scope) or ""
        if factory in _LOGGER_FACTORIES or factory.endswith((".getLogger", ".get_logger", ".get_task_logger")):
            return True  # logging's, structlog's, oslo.log's, celery's: a function that hands out loggers
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if _LOGGER_FACTORY_NAME.match(name):
            return True  # the project's own ``setup_logger(...)``
        return isinstance(func, ast.Attribute) and func.attr in _DERIVING_METHODS and is_logger(
            func.value, scope, values, depth + 1)
    if isinstance(node, ast.Attribute) and node.attr == "logger":
        if scope.module.is_app(node.value, scope) or values.qualname(node.value, scope) == "flask.current_app":
            return True
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return any(is_logger(value, where, values, depth + 1) for value, where in values.self_attribute(node, scope))
    if isinstance(node, ast.Name):
        for path, where in values.reaching(node, scope):
            head = path[0]
            if head is PARAM:
                default = _default_of(node.id, where)
                if default is not None and is_logger(default, where.parent or where, values, depth + 1):
                    return True
            elif isinstance(head, Binding):
                if head.value is not None and head.index is None and is_logger(head.value, where, values, depth + 1):
                    return True
            elif node.id in scope.module.constants and not scope.binds(node.id):
                module_scope = scope.module_scope
                return is_logger(scope.module.constants[node.id], module_scope, values, depth + 1)
    return False


def _default_of(name: str, scope: Scope) -> ast.expr | None:
    """The default value of parameter ``name`` of the function ``scope`` is."""
    node = scope.node
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    pairs = list(zip([a.arg for a in positional][len(positional) - len(args.defaults):], args.defaults))
    pairs += [(a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    return dict(pairs).get(name)


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
    return isinstance(func, ast.Attribute) and func.attr in LOG_METHODS and is_logger(func.value, where, values)


def written_arguments(call: ast.Call) -> Iterator[ast.expr]:
    """The arguments of an output call whose text ends up written, and the context bound into its
    logger on the way (``log.bind(token=...).info(...)``: structlog and loguru write it on every line)."""
    yield from call.args
    for keyword in call.keywords:
        if keyword.arg not in _NON_TEXT_KEYWORDS:
            yield keyword.value
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    while isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute):
        if receiver.func.attr in ("bind", "new", "opt", "patch", "with_context"):
            yield from (keyword.value for keyword in receiver.keywords if keyword.arg is not None)
        receiver = receiver.func.value
