"""FTL405: an app that keeps logins in cookies, whose production configuration never makes them Secure."""

from __future__ import annotations

import ast
import os
import re
from typing import TYPE_CHECKING

from flask_token_lint.kinds import NOT_PRODUCTION_NAME, SECURING_EXTENSIONS, SESSION_USERS
from flask_token_lint.syntax import dotted
from flask_token_lint.rule import Docs, FixSafety, Fixable, OWASP_API8, Rule, Severity, example

if TYPE_CHECKING:
    from flask_token_lint.context import Context

_APP_CLASSES = frozenset({"flask.Flask", "flask.app.Flask"})
# Loaders whose settings the analysis cannot read: whatever they load may set the flag.
_OPAQUE_LOADERS = frozenset({"from_pyfile", "from_envvar", "from_prefixed_env", "from_file", "from_json"})
_SETTERS = frozenset({"update", "from_mapping", "setdefault", "__setitem__"})
# A configuration chosen for development or testing (by its class name or its key in a map).
_NOT_PRODUCTION = re.compile(NOT_PRODUCTION_NAME)


def _not_production(name: str | None) -> bool:
    return bool(name) and bool(_NOT_PRODUCTION.search(name))  # type: ignore[arg-type]


class SessionCookieNotSecure(Rule):
    code = "FTL405"
    symbol = "session-cookie-not-secure"
    summary = "An app that keeps logins in cookies never makes those cookies Secure"
    message = "The app keeps logins in cookies ({user}) but {where} never sets {settings}: they also travel over http"
    severity = Severity.MEDIUM
    cwe = ("CWE-614",)
    owasp = OWASP_API8
    node_types = (ast.Call,)
    triggers = ("Flask",)
    fixes = (FixSafety.SAFE,)
    fix_title = "Add the missing *_COOKIE_SECURE = True settings to the production configuration class"
    docs = Docs(
        what=(
            "Finds a Flask app whose project keeps logins in cookies (this module or a project module it "
            "imports uses `flask.session`, Flask-Login, Flask-Session, "
            "Flask-Security, or flask-jwt-extended with cookie tokens) while no configuration the app loads "
            "sets `SESSION_COOKIE_SECURE` (with Flask-Login and Flask-Security also `REMEMBER_COOKIE_SECURE`; "
            "with flask-jwt-extended cookies `JWT_COOKIE_SECURE`). It reads the settings the app's module "
            "makes (`app.config[...]`, `update`, `from_mapping`) and the configuration classes or modules "
            "it loads with `from_object` (a class of the module, an imported one, a `\"package.config.Class\"` "
            "string, or a class picked from a `{\"production\": ProductionConfig, ...}` map), bases included, "
            "across the project's modules (the project index). The libraries are looked for in the app's "
            "module and the project modules it imports (its extensions, blueprints and views), one level "
            "deep. Only an app that may serve counts: made at module level, or returned, run or given "
            "routes or blueprints where it is made (an app made to create tables and dropped is not). "
            "Reported once per app: at the production "
            "configuration class when the app's module defines it, else at `Flask(...)`. Stays silent "
            "when the configuration is loaded from a file or the environment (`from_pyfile`, "
            "`from_envvar`, `from_prefixed_env`, an unknown `from_object`), when any module of the app "
            "names the setting (it may set it in a way the analysis does not follow) or uses "
            "Flask-Talisman (which makes the session cookie Secure), and for configurations chosen for "
            "development or testing (`DevelopmentConfig`, a `\"testing\"` key)."
        ),
        why=(
            "Flask's default for `SESSION_COOKIE_SECURE` is False, and Flask-Login's and flask-jwt-extended's "
            "for their cookies too: unless a setting says otherwise, the browser sends the session (and with "
            "it the login) over plain http whenever a page or a redirect uses it, where anyone on the network "
            "path reads it and becomes the user. An explicit False is FTL404."
        ),
        references=(
            "https://flask.palletsprojects.com/en/stable/config/#SESSION_COOKIE_SECURE",
            "https://flask-login.readthedocs.io/en/latest/#cookie-settings",
            "https://cwe.mitre.org/data/definitions/614.html",
        ),
    )
    bad_examples = (
        example(
            """\
            from flask import Flask, session

            class ProductionConfig:
                SECRET_KEY_FILE = "/run/secrets/key"

            app = Flask(__name__)
            app.config.from_object(ProductionConfig)
            """
        ),
    )
    good_examples = (
        example(
            """\
            from flask import Flask, session

            class ProductionConfig:
                SESSION_COOKIE_SECURE = True

            app = Flask(__name__)
            app.config.from_object(ProductionConfig)
            """
        ),
        example(
            """\
            from flask import Flask, session

            app = Flask(__name__)
            app.config.from_envvar("APP_SETTINGS")
            """
        ),
    )

    def check(self, node, ctx):
        if ctx.qualname(node.func) not in _APP_CLASSES:
            return
        if not _serves(node, ctx):
            return  # an app made for a moment (to create tables, in a test) and dropped
        closure = ctx.project_closure()
        needed: dict[str, str] = {}  # setting -> the library that needs it
        for user, module in sorted(closure.sessions.items()):
            for setting in SESSION_USERS.get(user, ()):
                needed.setdefault(setting, f"{user} (in {os.path.basename(module)})" if module != "this module" else user)
        needed = {name: user for name, user in needed.items() if name not in closure.secures}
        if not needed or closure.secures & SECURING_EXTENSIONS:
            return
        loaded = _loaded(node, ctx)
        if loaded is None:
            return  # configured in a way the analysis cannot read
        set_here, configs = loaded
        production = [c for c in configs if not _not_production(c.name) and not _not_production(c.key)]
        if configs and not production:
            return  # only development or testing configurations
        missing_of = [(c, [n for n in needed if n not in c.settings and n not in set_here]) for c in production]
        if not configs:
            missing_of = [(None, [n for n in needed if n not in set_here])]
        missing_of = [(c, missing) for c, missing in missing_of if missing]
        if not missing_of:
            return
        missing = sorted({name for _, names in missing_of for name in names})
        for config, names in missing_of:
            if config is not None:
                ctx.note_flow(config.origin, f"configuration {config.name} never sets {' or '.join(names)}")
        users = sorted({needed[name] for name in missing})
        arguments = {"user": " and ".join(users), "settings": " or ".join(missing)}
        if len(missing_of) == 1 and missing_of[0][0] is not None and len(production) == 1:
            config = missing_of[0][0]
            if config.node is not None:
                arguments["where"] = f"the production configuration {config.name}"
                names = missing_of[0][1]
                fix = Fixable(FixSafety.SAFE, tuple((f"setting{i}", name) for i, name in enumerate(names)), config.node)
                yield config.node, arguments, fix
                return
            path, line = config.origin or ("", 0)
            arguments["where"] = f"the production configuration {config.name} ({os.path.basename(path)}:{line})"
        elif missing_of[0][0] is None:
            arguments["where"] = "the app's configuration"
        else:
            arguments["where"] = "the configuration " + ", ".join(c.name for c, _ in missing_of)  # type: ignore[union-attr]
        yield node, arguments

    def apply_fix(self, node, data):
        from flask_token_lint import cst_edits

        fixed = node
        for key in sorted(data):
            fixed = cst_edits.add_class_setting(fixed, data[key], cst_edits.expression("True"))
            if fixed is None:
                return None
        return fixed, frozenset()


_SERVING = frozenset({"run", "register_blueprint", "route", "add_url_rule", "wsgi_app", "get", "post"})


def _serves(node: ast.Call, ctx: Context) -> bool:
    """The app may serve requests: made at module level (where a WSGI server imports it from), or
    returned, run, or given routes or blueprints in the function that makes it."""
    if ctx.at_module_level:
        return True
    parent = ctx.parent(node)
    if isinstance(parent, ast.Return):
        return True
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name)):
        return True  # stored elsewhere (``self.app = Flask(...)``): it outlives the function
    app = parent.targets[0].id
    for inner in ctx.scope_nodes():
        if isinstance(inner, ast.Return) and inner.value is not None:
            if any(isinstance(n, ast.Name) and n.id == app for n in ast.walk(inner.value)):
                return True
        elif isinstance(inner, ast.Attribute) and inner.attr in _SERVING and dotted(inner.value) == app:
            return True
    return False


def _loaded(node: ast.Call, ctx: Context):
    """The settings the app's module makes for this app, and the configurations it loads; None when
    something loads settings the analysis cannot read."""
    parent = ctx.parent(node)
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name)):
        return None  # an app handed on unnamed: configured elsewhere
    set_here: set[str] = set()
    configs: list = []
    if not _scan(ctx.scope_nodes(), parent.targets[0].id, ctx, set_here, configs, 0):
        return None
    return set_here, configs


def _scan(nodes, app: str, ctx: Context, set_here: set[str], configs: list, depth: int) -> bool:
    """Read what ``nodes`` load into and set on ``app.config``, following the app into the module's
    own helpers (``configure_app(app)``); False when something cannot be read."""
    config = f"{app}.config"
    for inner in nodes:
        if isinstance(inner, ast.Call):
            func = inner.func
            if isinstance(func, ast.Attribute) and dotted(func.value) == config:
                if not _read_call(inner, func.attr, ctx, set_here, configs):
                    return False
            elif any(isinstance(a, ast.Name) and a.id == app for a in (*inner.args, *(k.value for k in inner.keywords))):
                # The app handed to a helper: the module's own is read; an imported one that
                # configures apps may set anything.
                for definition, params, callee in ctx.callees(inner):
                    names = [p for p, site in params.items() if isinstance(site, ast.Name) and site.id == app]
                    for name in names:
                        if depth >= 3 or not _scan(ast.walk(definition), name, callee, set_here, configs, depth + 1):
                            return False
                if ctx.configures_elsewhere(func):
                    return False
        elif isinstance(inner, (ast.Assign, ast.AnnAssign)):
            targets = inner.targets if isinstance(inner, ast.Assign) else [inner.target]
            for target in targets:
                if isinstance(target, ast.Subscript) and dotted(target.value) == config:
                    names = [s.name for s in ctx.config_settings(inner)]
                    if not names:
                        return False  # ``app.config[key] = value``: a key chosen at run time
                    set_here.update(names)
    return True


def _read_call(call: ast.Call, method: str, ctx: Context, set_here: set[str], configs: list) -> bool:
    if method in _OPAQUE_LOADERS:
        return False
    if method == "from_object":
        found = ctx.loaded_configs(call.args[0]) if call.args else None
        if found is None:
            return False
        configs.extend(found)
    elif method in _SETTERS:
        settings = ctx.config_settings(call)
        if any(k.arg is None for k in call.keywords) or (call.args and not settings):
            return False  # ``update(**options)``, ``update(mapping)``: keys not known
        set_here.update(s.name for s in settings)
    return True
