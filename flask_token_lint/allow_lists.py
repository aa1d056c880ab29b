"""Is a value the client chose checked against an allow-list before a node that uses it?

The dominance walk of ``guards.py`` asked another question: a test is an allow-list check of a
value when it compares it (or what is parsed from it: ``urlparse(url).hostname``) with ``in``/
``not in`` against a container the request does not supply, with ``==``/``!=`` against a literal or
a setting, with ``.endswith(...)``/``.startswith(...)`` of a literal, or with a regex match; or
when it calls a function whose name says it allows or trusts (``is_allowed_host(host)``). It
covers the node when it tests the same bindings the node reads (FTL204's host; FTL406's origin).
"""

from __future__ import annotations

import ast

from flask_token_lint.credentials import identifier_words
from flask_token_lint.guards import ValueGuards
from flask_token_lint.scopes import Scope

_REGEX = frozenset({"re.match", "re.fullmatch", "re.search"})
_CHECKING_WORDS = frozenset({"allowed", "allow", "allowlist", "whitelist", "whitelisted", "trusted", "trust", "safe",
                             "permitted", "valid", "validate", "verify", "verified", "known"})


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
            if isinstance(func, ast.Attribute) and func.attr in ("endswith", "startswith") and test.args \
                    and all(self._fixed(a, scope) for a in test.args):
                return 1
            if self.values.qualname(func, scope) in _REGEX:
                return 1
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if set(identifier_words(name)) & _CHECKING_WORDS:
                return 1
        return 0

    def is_allow_listed(self, node: ast.expr, scope: Scope) -> bool:
        """An allow-list check of what ``node`` reads dominates it (``node`` must read a local name:
        an expression written in place, ``request.args["host"]``, is checked by nothing)."""
        return self.dominates(node, scope)
