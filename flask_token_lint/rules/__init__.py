"""The rule modules; importing this package registers every rule."""

from flask_token_lint.rules import (  # noqa: F401
    bearer_scheme_unchecked,
    cookie_flags,
    credentials_logged,
    flask_debug_enabled,
    jwt_decode_missing_algorithms,
    jwt_decode_missing_audience,
    jwt_unverified_decode,
    unparsable_file,
)
