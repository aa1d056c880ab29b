"""Source text, once: bytes to text, lines as the parsers count them, and column conversions.

``ast`` counts columns in UTF-8 bytes; libcst and text output count characters; SARIF and the
LSP count UTF-16 code units. Every conversion lives here.
"""

from __future__ import annotations

import io
import re
import tokenize

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
