"""Source text, once: bytes to text, lines as the parsers count them, and column conversions.

``ast`` counts columns in UTF-8 bytes; libcst and text output count characters; SARIF and the
LSP count UTF-16 code units. Every conversion lives here.
"""

from __future__ import annotations

import difflib
import io
import re
import tokenize
from dataclasses import dataclass

# A line ends with "\r\n", "\r" or "\n", as Python's tokenizer and flake8 count them (not with the
# form feeds and other separators that ``str.splitlines`` also splits on).
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def decode_source(source: bytes | str) -> str:
    """Text of a Python file, honouring a BOM or ``# -*- coding -*-`` line."""
    if isinstance(source, str):
        return source
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    text = source.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` with their endings, numbered as the parsers number them."""
    return _LINES.findall(text)


def _prefix(line: str, byte_offset: int) -> tuple[str, int]:
    """The characters before a UTF-8 byte offset into ``line``, and how many bytes lie past its end."""
    encoded = line.encode("utf-8", errors="surrogatepass")
    return encoded[:byte_offset].decode("utf-8", errors="ignore"), max(byte_offset - len(encoded), 0)


def char_column(line: str, byte_offset: int) -> int:
    """The 0-based character column of a 0-based UTF-8 byte offset (an offset past the end of the
    known text counts one character per byte beyond it, so the column is never lost)."""
    prefix, beyond = _prefix(line, byte_offset)
    return len(prefix) + beyond


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def utf16_column(line: str, byte_offset: int) -> int:
    """The 0-based UTF-16 column of a 0-based UTF-8 byte offset (as ``char_column``)."""
    prefix, beyond = _prefix(line, byte_offset)
    return utf16_length(prefix) + beyond


@dataclass(frozen=True)
class Change:
    """One block of lines that differs between two texts: its first line in the old text (0-based),
    the block's old and new text, and how many characters the two share at its start and its end."""

    line: int
    old: str
    new: str
    prefix: int
    suffix: int


def changes(before: list[str], after: list[str]) -> list[Change]:
    """The blocks of lines that differ between ``before`` and ``after`` (lines as ``split_lines``
    gives them), each trimmed to the characters that differ."""
    found = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old, new = "".join(before[i1:i2]), "".join(after[j1:j2])
        prefix = _shared(old, new)
        found.append(Change(i1, old, new, prefix, _shared(old[prefix:][::-1], new[prefix:][::-1])))
    return found


def _shared(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share at their start."""
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i
