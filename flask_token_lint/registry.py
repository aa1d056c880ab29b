"""Every rule, found in the ``rules`` package: a class there that sets ``code`` is a rule.

No list of rules is kept by hand; adding a module under ``rules/`` is all it takes.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from flask_token_lint import rules as _rules_package
from flask_token_lint.rule import Rule


@functools.lru_cache(maxsize=1)
def _discover() -> tuple[tuple[str, type[Rule]], ...]:
    found: dict[str, type[Rule]] = {}
    for info in sorted(pkgutil.iter_modules(_rules_package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{_rules_package.__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and "code" in value.__dict__:
                if value.__module__ != module.__name__:
                    continue  # imported from another rule module, found there
                if value.code in found and found[value.code] is not value:
                    raise ValueError(f"duplicate rule code {value.code}")
                found[value.code] = value
    return tuple(sorted(found.items()))


def all_rules() -> dict[str, type[Rule]]:
    """Every rule by code, in code order."""
    return dict(_discover())
