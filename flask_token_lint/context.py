"""The one door a rule has to the facts of the file it looks at.

A rule asks the ``Context`` what a name holds at a use, whether a check guards a node, what a
decode call verifies, which configuration a statement sets, what the module's own helpers do
with what they are handed. It never reaches into the analyses behind it.
"""

from __future__ import annotations

import ast
import re
from typing import Iterator

from flask_token_lint import credentials, sinks
from flask_token_lint.config_settings import ConfigSetting, config_settings
from flask_token_lint.guards import GuardAnalysis
from flask_token_lint.jwt_calls import DecodeCall, EncodeCall, JwtCalls
from flask_token_lint.kinds import Kind, Value
from flask_token_lint.project_facts import Closure, ImportedFacts, LoadedConfig
from flask_token_lint.scopes import Scope
from flask_token_lint.settings import Settings
from flask_token_lint.summaries import Forward, bind_arguments
from flask_token_lint.texts import Piece, TextReader
from flask_token_lint.syntax import FUNCTION_NODES, argument, dotted, is_constant
from flask_token_lint.values import Mapping, ValueAnalysis
from flask_token_lint.verification import Verification, VerifiedGuards
from flask_token_lint.allow_lists import AllowListGuards
from flask_token_lint.member_checks import MemberGuards, reads_member
from flask_token_lint.outgoing import Outgoing, outgoing_request, url_host
from flask_token_lint.links import host_parameters, token_link
from flask_token_lint.walk import Walk

# Class names that say their upper-case attributes are members, not settings (``TokenType.BEARER``).
_ENUM_ENDINGS = ("Type", "Types", "Kind", "Status", "State", "Mode", "Enum", "Scheme", "Role", "Scope", "Grant",
                 "Method", "Level", "Category", "Source", "Flag", "Flags")
_VIEW_DECORATORS = frozenset({"route", "get", "post", "put", "patch", "delete", "errorhandler", "app_errorhandler"})
_VIEW_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "dispatch_request"})
_VIEW_BASES = ("View", "MethodView", "Resource")
# A call that signs a JWT, as project text shows it.
_JWT_SIGNING = re.compile(r"\b(?:jwt|jose\.jwt|jws)\.encode\(")


class FileFacts:
    """Everything known about one file, shared by every ``Context`` made for it."""

    def __init__(self, walk: Walk, settings: Settings, assumed: dict[tuple[int, str], Value] | None = None) -> None:
        self.walk = walk
        self.settings = settings
        self.values = ValueAnalysis(walk.root, walk.parents, walk.scopes, settings, assumed)
        self.assuming: dict[tuple[int, str, str], FileFacts] = {}  # facts with one parameter's value assumed
        self.link_parameters: dict[tuple[int, str], str | None] = {}
        self.guards = GuardAnalysis(self.values)
        self.verification = Verification(self.values)
        self.verified = VerifiedGuards(self.values, self.verification)
        self.allow_lists = AllowListGuards(self.values)
        self.member_checks: dict[str, MemberGuards] = {}
        self.jwt = JwtCalls(self.values)
        self.texts = TextReader(self.values)
        # Per call, asked by several rules (FTL301, FTL302): is it an output call, what does it write.
        self.output_calls: dict[int, bool] = {}
        self.written: dict[int, tuple[ast.expr, ...]] = {}

    def release(self) -> None:
        """Break the references that point back (scope to parent and children, an analysis to its
        summaries), so the file's tree and facts are freed as soon as its findings are made, not at
        the next collection of cycles."""
        for scope in self.walk.scopes.values():
            scope.release()
        self.values.release()
        for assumed in self.assuming.values():
            assumed.values.release()


class Context:
    """What a rule may ask while it looks at one node of one scope."""

    def __init__(self, facts: FileFacts, scope: Scope) -> None:
        self._facts = facts
        self._values = facts.values
        self._scope = scope
        self.settings: Settings = facts.settings

    def at(self, scope: Scope) -> Context:
        """The same questions asked from another scope (a callee's, for a summary)."""
        return self if scope is self._scope else Context(self._facts, scope)

    def assuming_parameter(self, parameter: str, value: Value) -> Context:
        """The questions asked in this function's scope as if its ``parameter`` held ``value`` (what a
        helper does with what a caller hands it: the caller's value is judged at the call)."""
        key = (id(self._scope), parameter, value.kind.name)
        facts = self._facts.assuming.get(key)
        if facts is None:
            facts = FileFacts(self._facts.walk, self.settings, {(id(self._scope), parameter): value})
            self._facts.assuming[key] = facts
        return Context(facts, self._scope)

    def token_link(self, node: ast.AST) -> tuple[str, str] | None:
        """``(where its host comes from, what token)`` when ``node`` builds a link that carries a token
        from the request's own host (``links.py``)."""
        return token_link(node, self)

    def link_hosts(self, call: ast.Call) -> list[tuple[ast.expr, str]]:
        """What ``call`` hands a function (of this module, or of another through the project index)
        for a parameter that becomes the host of a link carrying a token, each with that token."""
        found: list[tuple[ast.expr, str]] = []
        for definition, params, inner in self.callees(call):
            for name, site in params.items():
                value = self.value_of(site)
                if value is None or value.kind is not Kind.HOST:
                    continue  # only a parameter this call hands the request's host to is asked about
                key = (id(definition), name)
                if key not in self._facts.link_parameters:
                    self._facts.link_parameters[key] = host_parameters(definition, inner, [name]).get(name)
                token = self._facts.link_parameters[key]
                if token is not None:
                    found.append((site, token))
        if not found:
            found.extend((site, "a token") for site in self.imported_sites(call, "link"))
        return found

    # -- the module ---------------------------------------------------------------
    @property
    def handles_credentials(self) -> bool:
        return self._scope.module.handles_credentials

    @property
    def sees_request(self) -> bool:
        """The module can read the request being served (it imports ``flask.request``)."""
        return self._scope.module.sees_request

    def is_app(self, node: ast.AST) -> bool:
        """``node`` holds a Flask app by the module facts (through local aliases)."""
        resolved, where = self._values.resolve(node, self._scope) if isinstance(node, ast.Name) else (node, self._scope)
        return self._scope.module.is_app(resolved, where)

    def is_builtin(self, node: ast.AST, name: str) -> bool:
        return self._scope.module.is_builtin(node, name)

    def is_module_constant(self, node: ast.AST) -> bool:
        """``node`` names a constant of the module (assigned once at the top level, not shadowed)."""
        return isinstance(node, ast.Name) and node.id in self._scope.module.constants and not self._scope.binds(node.id)

    def is_imported_name(self, node: ast.AST) -> bool:
        return isinstance(node, ast.Name) and not self._scope.binds(node.id) and self._scope.qualname(node) is not None

    # -- where the node is ------------------------------------------------------------
    def parent(self, node: ast.AST) -> ast.AST | None:
        return self._facts.walk.parents.get(node)

    @property
    def at_module_level(self) -> bool:
        return isinstance(self._scope.node, ast.Module)

    @property
    def enclosing_class(self) -> ast.ClassDef | None:
        """The class whose body this scope is."""
        return self._scope.node if isinstance(self._scope.node, ast.ClassDef) else None

    def is_view(self) -> bool:
        """This scope is a Flask view: a routed function, or an HTTP method of a class-based view."""
        node = self._scope.node
        if not isinstance(node, FUNCTION_NODES):
            return False
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if isinstance(target, ast.Attribute) and target.attr in _VIEW_DECORATORS:
                return True
        parent = self._scope.parent.node if self._scope.parent is not None else None
        if node.name in _VIEW_METHODS and isinstance(parent, ast.ClassDef):
            return any(_dotted_end(base, _VIEW_BASES) for base in parent.bases)
        return False

    def uses_after(self, name: str, node: ast.AST) -> list[ast.Name]:
        """The loads of ``name`` in this scope that come after ``node`` in the text."""
        end_line = getattr(node, "end_lineno", None) or getattr(node, "lineno", 0)
        end = (end_line, getattr(node, "end_col_offset", None) or 0)
        return [use for use in self._scope.facts.loads.get(name, ()) if (use.lineno, use.col_offset) >= end]

    def calls(self) -> list[ast.Call]:
        """The calls made in this scope, in source order."""
        return list(self._scope.facts.calls)

    def loads_of(self, name: str) -> list[ast.Name]:
        return list(self._scope.facts.loads.get(name, ()))

    def is_changed(self, name: str) -> bool:
        """``name`` is changed in place in this scope (``d["k"] = v``, ``d.update(...)``)."""
        return self._scope.facts.mutated(name)

    # -- names and values -----------------------------------------------------------------
    def qualname(self, node: ast.AST) -> str | None:
        """What ``node`` names through the imports and local aliases (``put`` after ``put = requests.put``)."""
        return self._values.qualname(node, self._scope)

    def callee(self, call: ast.Call) -> ast.expr:
        """The expression ``call`` calls, through local aliases (``runapp`` after ``runapp = app.run``)."""
        return self._values.resolve(call.func, self._scope)[0]

    def value_of(self, node: ast.expr) -> Value | None:
        return self._values.value_of(node, self._scope)

    def leak_of(self, node: ast.expr, tokens: bool = False) -> str | None:
        return self._values.leak_of(node, self._scope, tokens)

    def seconds_of(self, node: ast.expr) -> float | None:
        """Seconds of a literal duration (a number, ``60 * 60``, ``timedelta(days=7)``); None at run time."""
        return self._values.seconds_of(node, self._scope)

    def credential_label(self, node: ast.expr) -> str | None:
        """How a message names the request credential or token writing ``node`` out would reveal."""
        return self.leak_of(node) or self.leak_of(node, tokens=True)

    def token_label(self, node: ast.expr) -> str | None:
        return self._values.token_label(node, self._scope)

    def string_of(self, node: ast.expr) -> str | None:
        return self._values.string_of(node, self._scope)

    def strings_of(self, node: ast.expr) -> list[str]:
        """Every string literal ``node`` may hold here."""
        return self._values.strings_of(node, self._scope)

    def text_pieces(self, node: ast.expr) -> list[Piece]:
        """The text ``node`` builds: ``(text, literal node)`` pieces and run-time holes (``texts.py``)."""
        return self._facts.texts.pieces(node, self._scope)

    def text_part(self, node: ast.expr) -> list[Piece]:
        """As ``text_pieces``, following a name into the one expression it stands for."""
        return self._facts.texts.part(node, self._scope, 0)

    def constant_of(self, node: ast.expr) -> ast.expr:
        """The one expression a name stands for, when only one reaches this use unchanged."""
        return self._values.constant_of(node, self._scope)

    def constants_of(self, node: ast.expr) -> list[ast.expr]:
        """Every expression ``node`` may evaluate to here (both arms, every reaching binding)."""
        return self._values.constants_of(node, self._scope)

    def mappings_of(self, node: ast.expr) -> list[Mapping]:
        """The dicts ``node`` may hold here, one per path, after the changes made to them (``open``
        ones may hold other keys too)."""
        return self._values.mappings_of(node, self._scope)

    def keyword_values(self, call: ast.Call, name: str) -> list[ast.expr] | None:
        """Every value ``call`` may pass as keyword ``name``: given directly or inside a ``**`` dict
        built in the function. None when an unreadable ``**kwargs`` may hide it."""
        found = [c for k in call.keywords if k.arg == name for c in self.constants_of(k.value)]
        spread, is_open = self._facts.jwt.spread(call, self._scope)
        found += [c for value in spread.get(name, ()) for c in self.constants_of(value)]
        return None if is_open and not found else found

    def default_constants_of(self, node: ast.expr) -> list[ast.expr]:
        """What ``node`` holds unless a run-time condition opts in to something else."""
        return self._values.defaults_of(node, self._scope)

    def passed(self, call: ast.Call, name: str, position: int | None = None) -> list[ast.expr]:
        """The expressions ``call`` passes as ``name`` (keyword or ``position``), directly or in a
        ``**`` dict built in the function (one per path)."""
        given = argument(call, name, position)
        spread, _ = self._facts.jwt.spread(call, self._scope)
        return ([given] if given is not None else []) + list(spread.get(name, ()))

    def keyword_names(self, call: ast.Call) -> list[str]:
        """The keywords ``call`` passes: given directly, or in ``**`` dicts built in the function."""
        spread, _ = self._facts.jwt.spread(call, self._scope)
        return [k.arg for k in call.keywords if k.arg is not None] + list(spread)

    def literal_is(self, node: ast.expr | None, value: object) -> bool:
        """``node`` may hold the literal ``value`` (``True``, ``False``, ``None``) on some path."""
        return node is not None and any(is_constant(c, value) for c in self.constants_of(node))

    def created_by(self, node: ast.expr, factories: frozenset[str]) -> bool:
        """``node`` is, or names, a call to one of ``factories`` (``requests.Session()``)."""
        created = self.constant_of(node)
        return isinstance(created, ast.Call) and self.qualname(created.func) in factories

    def is_token_name(self, name: str) -> bool:
        """A name that says it holds a token (built-in words and the ``token-names`` option)."""
        return self._values.is_token_name(name)

    def is_query_token_key(self, name: str) -> bool:
        return self._values.is_query_token_key(name)

    def is_request_credential(self, name: str) -> bool:
        """A request field or query key that carries a credential (token, API key, password, code);
        not a CSRF token, a public identifier or a signature."""
        return self._values._request_credential(name) and not credentials.names_a_signature(name)

    def is_secret_name(self, name: str) -> bool:
        """A name that says it holds a key or secret: never a finding alone (see ``names_a_key``)."""
        return credentials.names_a_key(name) or name.lower() in self.settings.extra_token_names

    def bound_values(self, node: ast.Name) -> list[ast.expr]:
        """The expressions bound to the name that reach this use of it (no literals followed)."""
        found = []
        for path, _ in self._values.reaching(node, self._scope):
            head = path[0]
            value = getattr(head, "value", None)
            if value is not None:
                found.append(value)
        return found

    def is_class_constant(self, node: ast.expr) -> bool:
        """``TokenType.BEARER``, ``Status.REVOKED``: an upper-case attribute of a class (an enum member
        or class constant), not named like a secret."""
        if isinstance(node, ast.Attribute) and node.attr in ("value", "name") and isinstance(node.value, ast.Attribute):
            node = node.value  # ``TokenType.BEARER.value``
        if not (isinstance(node, ast.Attribute) and node.attr.isupper() and _names_a_class(node.value)):
            return False
        owner = node.value.attr if isinstance(node.value, ast.Attribute) else getattr(node.value, "id", "")
        return owner.endswith(_ENUM_ENDINGS) or not credentials.is_credential_key(node.attr)

    def is_sql_expression(self, node: ast.expr) -> bool:
        """``User.api_key``: a column of a model class; comparing it builds a query, the database compares."""
        return isinstance(node, ast.Attribute) and not node.attr.isupper() and _names_a_class(node.value)

    # -- checks ---------------------------------------------------------------------------
    def is_guarded(self, node: ast.AST) -> bool:
        return self._facts.guards.is_guarded(node, self._scope)

    def is_verified(self, node: ast.AST) -> bool:
        """A true verification of what ``node`` reads (``check_password_hash``, ``compare_digest``, a
        helper or another module's method returning one) dominates it."""
        return self._facts.verified.is_verified(node, self._scope)

    def is_allow_listed(self, node: ast.expr) -> bool:
        """An allow-list check of the value ``node`` reads (``host in ALLOWED``, ``origin ==
        settings.ORIGIN``, ``is_trusted(host)``) dominates it."""
        return self._facts.allow_lists.is_allow_listed(node, self._scope)

    def member_checked(self, node: ast.expr, member: str) -> bool:
        """A true test of ``member`` of the value ``node`` reads (``if not data.get("active"):
        abort(401)`` before ``data["sub"]``) dominates it."""
        guards = self._facts.member_checks.get(member)
        if guards is None:
            guards = self._facts.member_checks[member] = MemberGuards(self._values, member)
        return guards.is_checked(node, self._scope)

    @staticmethod
    def member_of(node: ast.AST, *members: str) -> ast.expr | None:
        """The value ``node`` reads one of ``members`` of (``data["aud"]``, ``data.get("aud")``)."""
        return reads_member(node, *members)

    def callers(self) -> list[tuple[ast.Call, Context]]:
        """The calls of the function this scope is, made in the module, each with its context."""
        if not self._scope.is_function:
            return []
        return [(call, self.at(where)) for call, where in self._values.summaries.call_sites(self._scope)]

    def outgoing_request(self, call: ast.Call) -> Outgoing | None:
        """The HTTP request ``call`` sends (requests, httpx, aiohttp, urllib, a client's verb): its
        URLs and headers as passed."""
        return outgoing_request(call, self)

    def url_host(self, url: ast.expr) -> tuple[ast.expr, Value] | None:
        """The run-time part of ``url`` that decides its host, when the client chose it."""
        return url_host(url, self)

    def time_limited(self, node: ast.expr) -> bool:
        """The token ``node`` names lives a bounded time: stored with a TTL or verified with an age
        bound in this function, or handed in by every caller in the module that does so."""
        return self._facts.verification.time_limited(node, self._scope)

    def verified_with_age_bound(self, read: ast.expr) -> bool:
        """The value ``read`` (or the name it is bound to, at any of its uses in this scope) is
        verified as a token with an age bound (``loads(token, max_age=...)``, directly or in a helper)."""
        return self._facts.verification.verified_with_age_bound(read, self._scope)

    def decode_call(self, node: ast.Call) -> DecodeCall | None:
        return self._facts.jwt.decode(node, self._scope)

    def encode_call(self, node: ast.Call) -> EncodeCall | None:
        return self._facts.jwt.encode(node, self._scope)

    def verifies(self, call: ast.Call) -> bool:
        """``call`` verifies a token (a verifying decode, or a helper named to decode or verify)."""
        return self._facts.jwt.verifies(call, self._scope)

    def later_verified(self, decode: DecodeCall) -> bool:
        """Peek-then-verify: the same token is verified later in this scope."""
        return self._facts.jwt.later_verified(decode, self._scope)

    def self_issued(self, decode: DecodeCall | None = None) -> bool:
        """This scope belongs to a class that alone issues and verifies one kind of token; or
        ``decode`` verifies with the app's own secret (``current_app.secret_key``, the ``SECRET_KEY``
        setting) in a project whose code signs exactly one kind of JWT (one ``jwt.encode`` call
        outside test code): only this app can have signed it, and there is no other kind to confuse."""
        if self._facts.jwt.self_issued(self._scope):
            return True
        key = None if decode is None else decode.argument("key")
        if key is None or not self._is_app_secret(key):
            return False
        module = self._scope.module
        project = module.project if module.project is not None else ImportedFacts()
        return project.count(_JWT_SIGNING, module.tree) == 1

    def _is_app_secret(self, node: ast.expr) -> bool:
        """``app.secret_key``/``current_app.secret_key``, or the ``SECRET_KEY`` item of a Flask app's
        config (``current_app.config["SECRET_KEY"]``): the key Flask itself signs with."""
        node = self.constant_of(node)
        if isinstance(node, ast.Attribute) and node.attr == "secret_key":
            return self._is_flask_app(node.value)
        key: ast.expr | None = None
        if isinstance(node, ast.Subscript):
            owner, key = node.value, node.slice
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
            owner, key = node.func.value, node.args[0]
        if key is None or self.string_of(key) != "SECRET_KEY":
            return False
        return isinstance(owner, ast.Attribute) and owner.attr == "config" and self._is_flask_app(owner.value)

    def _is_flask_app(self, node: ast.expr) -> bool:
        return self.qualname(node) == "flask.current_app" or self.is_app(node)

    def claims_checked_by_hand(self, decode: DecodeCall) -> bool:
        return self._facts.jwt.claims_checked_by_hand(decode, self._scope)

    # -- the project ------------------------------------------------------------------
    def project_closure(self) -> Closure:
        """What this module and the project modules it imports use and name (session and login
        libraries, cookie-securing settings): this module alone when there is no project index."""
        module = self._scope.module
        return (module.imported or ImportedFacts()).closure(module.tree)

    def project_mentions(self, pattern: re.Pattern[str]) -> bool:
        """This module's text, or any Python or configuration file of its project, matches ``pattern``
        (this module alone when there is no project index)."""
        module = self._scope.module
        return (module.project if module.project is not None else ImportedFacts()).mentions(pattern, module.tree)

    def imports_mention(self, pattern: re.Pattern[str]) -> bool:
        """This module's text, or that of a project module it imports, matches ``pattern``."""
        module = self._scope.module
        return (module.project if module.project is not None else ImportedFacts()).imports_mention(pattern, module.tree)

    def project_origin_lists(self) -> list[list[str]]:
        """The distinct literal lists of origins (``CORS_ORIGINS = ["https://app.example.com"]``) this
        module and the files of its project write."""
        module = self._scope.module
        return (module.project if module.project is not None else ImportedFacts()).origin_lists(module.tree)

    def scope_nodes(self) -> Iterator[ast.AST]:
        """Every node of the scope this rule looks at (a factory's body, or the whole module)."""
        return ast.walk(self._scope.node)

    def note_flow(self, origin: tuple[str, int] | None, what: str) -> None:
        """Record a step in another module that leads to the finding being made (``--explain-flow``)."""
        imported = self._scope.module.imported
        if imported is not None and origin is not None:
            imported.trail.append((origin[0], origin[1], what))

    def loaded_configs(self, node: ast.expr) -> list[LoadedConfig] | None:
        """The configuration classes (or modules) ``app.config.from_object(node)`` may load, each
        with its settings and its bases'; None when one of them is not known (made at run time,
        from outside the project)."""
        module = self._scope.module
        imported = module.imported or ImportedFacts()
        loaded: list[LoadedConfig] = []
        for value in self.constants_of(node):
            found: list[LoadedConfig] | None = None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                one = imported.loaded_config(module.tree, value.value)
                found = [one] if one is not None else None
            elif isinstance(value, (ast.Name, ast.Attribute)) and dotted(value) is not None:
                one = imported.loaded_config(module.tree, dotted(value))  # type: ignore[arg-type]
                found = [one] if one is not None else None
            elif isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name):
                found = imported.config_map(module.tree, value.value.id)
            if not found:
                return None
            loaded.extend(found)
        return loaded

    def config_settings(self, node: ast.AST) -> list[ConfigSetting]:
        return list(config_settings(node, self))

    def is_output_call(self, call: ast.Call) -> bool:
        """``call`` logs or prints its arguments (through local aliases of the logging function)."""
        known = self._facts.output_calls.get(id(call))
        if known is None:
            known = self._facts.output_calls[id(call)] = sinks.is_output_call(call, self._scope, self._values)
        return known

    def is_sanitizer(self, call: ast.Call) -> bool:
        """``call`` hides what it is given (``redact(token)``, ``SecretStr(token)``)."""
        return self._values.is_sanitizer(call, self._scope)

    def written_arguments(self, call: ast.Call) -> Iterator[ast.expr]:
        return sinks.written_arguments(call)

    def written_sites(self, call: ast.Call) -> tuple[ast.expr, ...]:
        """What ``call`` writes to a log or stdout, as expressions of this scope: its arguments when
        it is an output call, or what it hands to one through the module's own helpers
        (``log_it(request.headers)`` where ``log_it`` logs its parameter)."""
        known = self._facts.written.get(id(call))
        if known is not None:
            return known
        if self.is_output_call(call):
            known = tuple(sinks.written_arguments(call))
        else:
            known = tuple(
                site
                for forward, inner in self.forwards(call)
                if inner.is_output_call(forward.call)
                for argument in sinks.written_arguments(forward.call)
                for site in forward.written_sites(argument)
            ) + tuple(self.imported_sites(call, "log"))
        self._facts.written[id(call)] = known
        return known

    # -- the module's own helpers ---------------------------------------------------------------
    def callees(self, call: ast.Call) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, dict[str, ast.expr], Context]]:
        """The module's own functions ``call`` runs, each with what the call passes for each of its
        parameters and a context in the callee's scope."""
        for definition, inner, bound in self._values.summaries.callees(call, self._scope):
            params, _, _ = bind_arguments(definition, call, bound)
            yield definition, params, self.at(inner)

    def functions_named(self, node: ast.expr) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, Context]]:
        """The module's own functions ``node`` names (a callback handed to a library), each with a
        context in its scope."""
        for definition, inner, _ in self._values.summaries.definitions_of(node, self._scope):
            yield definition, self.at(inner)

    def imported_sites(self, call: ast.Call, kind: str) -> list[ast.expr]:
        """What ``call`` passes to a project function imported from another module for the parameters
        it hands to ``kind`` ("verify": an HTTP client's ``verify=``; "log": a log or stdout)."""
        imported = self._scope.module.imported
        name = dotted(call.func)
        if imported is None or name is None or name.partition(".")[0] not in imported.names:
            return []
        if self._scope.defining(name.partition(".")[0]) is not None:
            return []
        return imported.handed(name, call, kind)

    def configures_elsewhere(self, func: ast.expr) -> bool:
        """``func`` is a function imported from a project module that loads or sets Flask
        configuration somewhere (``configure_app(app)`` from ``app/setup.py``)."""
        imported = self._scope.module.imported
        return imported is not None and imported.configures(dotted(func))

    def forwards(self, call: ast.Call) -> Iterator[tuple[Forward, Context]]:
        """The calls inside the module's own callee of ``call`` that receive what this call passes,
        each with a context for the callee's scope."""
        for forward in self._values.summaries.forwards(call, self._scope):
            yield forward, self.at(forward.scope)

    def forwarded_compares(self, call: ast.Call) -> Iterator[tuple[Forward, Context]]:
        """The comparisons inside the module's own callee of ``call`` of what this call passes."""
        for forward in self._values.summaries.compares(call, self._scope):
            yield forward, self.at(forward.scope)


def _names_a_class(node: ast.expr) -> bool:
    """A CamelCase name (``User``, ``models.User``): by Python's naming convention, a class."""
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return len(name) > 1 and name[0].isupper() and not name.isupper() and "_" not in name


def _dotted_end(node: ast.expr, endings: tuple[str, ...]) -> bool:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts)).endswith(endings)
