"""Reading Flask configuration settings in every spelling.

``app.config["NAME"] = value``, ``app.config.update(NAME=value)`` or
``.update({"NAME": value})``, ``app.config.from_mapping(...)``, an attribute of
a config class (``class ProductionConfig(Config): NAME = value``) and a
module-level ``NAME = value`` all set the same thing once Flask loads them
(``from_object``, ``from_pyfile``). Rules ask for the settings a node makes and
choose which spellings they trust.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from flask_token_lint.kinds import APP_CONFIG, CONFIG_CLASS, MODULE_CONSTANT
from flask_token_lint.syntax import dotted

if TYPE_CHECKING:
    from flask_token_lint.context import Context


_SETTERS = frozenset({"update", "from_mapping"})
_UPPER_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_CONFIG_CLASS_NAME = re.compile(r"config|settings", re.IGNORECASE)


@dataclass(frozen=True)
class ConfigSetting:
    name: str
    value: ast.expr
    report: ast.AST  # where the setting is written: the statement, or the keyword or dict key in a call
    spelling: str
    owner: ast.AST | None = None  # the statement or call that makes the setting (what a fix rewrites)

    @property
    def statement(self) -> ast.AST:
        return self.owner if self.owner is not None else self.report


def is_app_config(node: ast.expr, ctx: Context) -> bool:
    """``app.config`` of a Flask app, or any object spelled ``config``/``*.config``."""
    if isinstance(node, ast.Attribute) and node.attr == "config" and ctx.is_app(node.value):
        return True
    path = dotted(node)
    return path is not None and path.rsplit(".", 1)[-1] == "config"


def _is_config_class(node: ast.AST | None) -> bool:
    if not isinstance(node, ast.ClassDef):
        return False
    names = [node.name, *(dotted(base) or "" for base in node.bases)]
    return any(_CONFIG_CLASS_NAME.search(name) for name in names)


def config_settings(node: ast.AST, ctx: Context) -> Iterator[ConfigSetting]:
    """The configuration settings ``node`` makes, with the spelling it uses."""
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if node.value is None or len(targets) != 1:
            return
        target = targets[0]
        if isinstance(target, ast.Subscript) and is_app_config(target.value, ctx):
            name = ctx.string_of(target.slice)
            if name is not None:
                yield ConfigSetting(name, node.value, node, APP_CONFIG)
        elif isinstance(target, ast.Name) and _UPPER_NAME.match(target.id):
            if _is_config_class(ctx.enclosing_class):
                yield ConfigSetting(target.id, node.value, node, CONFIG_CLASS)
            elif ctx.at_module_level:
                yield ConfigSetting(target.id, node.value, node, MODULE_CONSTANT)
    elif isinstance(node, ast.Call):
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in _SETTERS and is_app_config(func.value, ctx)):
            return
        for keyword in node.keywords:
            if keyword.arg is not None:
                yield ConfigSetting(keyword.arg, keyword.value, keyword, APP_CONFIG, node)
        for argument in node.args:
            keys = {}
            if isinstance(argument, ast.Dict):  # written in the call: each entry is reported on its key
                keys = {ctx.string_of(key): key for key in argument.keys if key is not None}
            for mapping in ctx.mappings_of(argument):
                for name, value in mapping.items():
                    yield ConfigSetting(name, value, keys.get(name, node), APP_CONFIG, node)
