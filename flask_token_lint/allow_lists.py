"""Is a value the client chose checked against an allow-list before a node that uses it?

The dominance walk of ``guards.py`` asked another question: a test is an allow-list check of a
value when it compares it (or what is parsed from it: ``urlparse(url).hostname``) with ``in``/
``not in`` against a container the request does not supply, with ``==``/``!=`` against a literal or
a setting, with ``.startswith(...)`` of a URL prefix that ends its authority or ``.endswith(...)``
of a dot-anchored domain, or with a regex anchored at both ends; or when it calls a function named
for an allow-list (``is_allowed_host(host)``). ``startswith("https://")`` pins no host. It
covers the node when it tests the same bindings the node reads (FTL204's host; FTL406's origin).
"""

from __future__ import annotations

import ast
import re

from flask_token_lint.credentials import identifier_words
from flask_token_lint.guards import ValueGuards
from flask_token_lint.scopes import Scope

_REGEX = frozenset({"re.match", "re.fullmatch", "re.search"})
# A function named for an allow-list (``is_allowed_host``, ``trusted_origin``); not "valid" or "safe",
# which say nothing of which hosts pass.
_CHECKING_WORDS = frozenset({"allowed", "allow", "allowlist", "whitelist", "whitelisted", "trusted", "permitted"})
# What pins a host: a URL prefix that ends its authority (``"https://api.example.com/"``), a
# dot-anchored domain suffix (``".example.com"``); a regex anchored at both ends.
_AUTHORITY = re.compile(r"[a-z][a-z0-9+.-]*://[^/?#]+[/?#]", re.IGNORECASE)
_DOMAIN_SUFFIX = re.compile(r"\.[a-z0-9-]+(\.[a-z0-9-]+)+$", re.IGNORECASE)


def _texts(nodes: list[ast.expr]) -> list[str]:
    found = []
    for node in nodes:
        items = node.elts if isinstance(node, ast.Tuple) else [node]
        found.extend(item.value for item in items if isinstance(item, ast.Constant) and isinstance(item.value, str))
        if any(not (isinstance(item, ast.Constant) and isinstance(item.value, str)) for item in items):
            return []  # a part the analysis cannot read: no pin
    return found


class AllowListGuards(ValueGuards):
    def _fixed(self, node: ast.expr, scope: Scope) -> bool:
        """Nothing the client sends: literals, settings, module constants, names bound to them."""
        value = self.values.value_of(node, scope)
        return value is None or not value.supplied

    def leaf_polarity(self, test: ast.expr, scope: Scope) -> int:
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            op, right = test.ops[0], test.comparators[0]
            if isinstance(op, (ast.In, ast.NotIn)) and self._fixed(right, scope) and not isinstance(right, ast.Constant):
                return 1 if isinstance(op, ast.In) else -1
            if isinstance(op, (ast.Eq, ast.NotEq)):
                sides = (test.left, right)
                if any(isinstance(side, ast.Constant) and not isinstance(side.value, str) for side in sides):
                    return 0  # ``host is None``-like tests allow nothing
                fixed = [self._fixed(side, scope) for side in sides]
                if any(fixed) and not all(fixed):
                    return 1 if isinstance(op, ast.Eq) else -1
            return 0
        if isinstance(test, ast.Call):
            func = test.func
            if isinstance(func, ast.Attribute) and func.attr in ("endswith", "startswith") and test.args:
                texts = [text for a in test.args for text in _texts(self.values.constants_of(a, scope))]
                pins = _AUTHORITY if func.attr == "startswith" else _DOMAIN_SUFFIX
                return 1 if texts and all(pins.match(text) for text in texts) else 0
            if self.values.qualname(func, scope) in _REGEX and test.args:
                pattern = self.values.string_of(test.args[0], scope) or ""
                anchored_end = pattern.endswith(("$", "\\Z")) or self.values.qualname(func, scope) == "re.fullmatch"
                anchored_start = pattern.startswith("^") or self.values.qualname(func, scope) != "re.search"
                return 1 if anchored_start and anchored_end else 0
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if set(identifier_words(name)) & _CHECKING_WORDS:
                return 1
        return 0

    def is_allow_listed(self, node: ast.expr, scope: Scope) -> bool:
        """An allow-list check of what ``node`` reads dominates it (``node`` must read a local name:
        an expression written in place, ``request.args["host"]``, is checked by nothing)."""
        return self.dominates(node, scope)
