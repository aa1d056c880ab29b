"""flask-token-lint: find the ways Flask code mishandles Bearer tokens."""

__version__ = "0.1.0"
