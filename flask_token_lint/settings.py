"""Options every front-end reads to the same effect."""

from __future__ import annotations

from dataclasses import dataclass

COOKIE_SCOPES = ("credential", "all")


@dataclass(frozen=True)
class Settings:
    # "credential": cookie rules look at cookies that carry a credential;
    # "all": at every cookie.
    cookie_scope: str = "credential"

    def __post_init__(self) -> None:
        if self.cookie_scope not in COOKIE_SCOPES:
            raise ValueError(f"cookie-scope must be one of {', '.join(COOKIE_SCOPES)}, not {self.cookie_scope!r}")
