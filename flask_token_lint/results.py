"""What a run found, file by file: the records every renderer, the baseline and the fixer share."""

from __future__ import annotations

import hashlib
import io
import keyword as keyword_module
import re
import tokenize
from dataclasses import dataclass
from typing import Sequence

from flask_token_lint.finding import Finding, FixSafety


@dataclass(frozen=True)
class FileFinding:
    path: str
    finding: Finding
    line_text: str = ""  # the flagged line, for --show-source, SARIF columns and fingerprints


@dataclass(frozen=True)
class ReportOptions:
    unsafe: bool = False  # --unsafe-fixes given: unsafe fixes count as available
    show_source: bool = False
    color: bool = False
    explain_flow: bool = False  # the steps in other modules under a finding that crossed them


def fix_available(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is FixSafety.SAFE or (unsafe and finding.fix is FixSafety.UNSAFE)


def normalized(line_text: str) -> str:
    """The flagged line with its white space folded: indentation and spacing changes do not count."""
    return " ".join(line_text.split())


def fingerprints(results: Sequence[FileFinding]) -> list[str]:
    """A stable id per finding: code, path, normalized line text and the occurrence among equals.

    Lines added or removed above a finding do not change it; editing the flagged line does.
    """
    seen: dict[tuple[str, str, str], int] = {}
    ids = []
    for result in results:
        key = (result.finding.code, result.path.replace("\\", "/"), normalized(result.line_text))
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        ids.append(hashlib.sha256("\0".join([*key, str(occurrence)]).encode()).hexdigest()[:20])
    return ids


# Codes whose flagged line holds a secret literal: source shown for them is masked.
SECRET_CODES = frozenset({"FTL107"})

# Keyword arguments whose string values name things (algorithms, audiences, cookie attributes), never
# hold a secret: their values stay readable on a masked line.
_NAMING_KEYWORDS = frozenset(
    {
        "algorithm", "algorithms", "allowed_algs", "audience", "issuer", "subject", "leeway", "options",
        "samesite", "domain", "path", "name",
    }
)
# Calls whose first argument is a setting's or variable's name: ``config.setdefault("SECRET_KEY", ...)``.
_NAME_FIRST = frozenset({"get", "setdefault", "pop", "getenv", "__getitem__", "__setitem__", "__contains__"})
_QUOTES = re.compile(r"""^([A-Za-z]*)('{3}|"{3}|'|")""")
_FIRST_QUOTE = re.compile(r"""('{3}|"{3}|'|")""")


def _masked_literal(text: str) -> str:
    """``"s3cret"`` as ``"***"``, its prefix (``b``, ``f``, ``r``) and quotes kept."""
    match = _QUOTES.match(text)
    if match is None:
        return "***"
    return f"{match.group(1)}{match.group(2)}***{match.group(2)}"


def _tokens(line: str) -> tuple[list[tokenize.TokenInfo], int]:
    """The tokens of one line, and the character offset up to which they were read."""
    tokens: list[tokenize.TokenInfo] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(line).readline):
            if token.start[0] != 1:
                break
            tokens.append(token)
    except (tokenize.TokenError, SyntaxError):  # an unclosed bracket or string, a stray dedent
        pass
    for index, token in enumerate(tokens):
        if token.type == tokenize.ERRORTOKEN and token.string[:1] in ("'", '"'):  # an unclosed string
            return tokens[:index], token.start[1]
    end = max((t.end[1] for t in tokens if t.end[0] == 1), default=0)
    return tokens, end


def _literals(tokens: list[tokenize.TokenInfo]) -> list[tuple[int, int, int]]:
    """Each string literal as (first token index, last token index, kept): kept when it is a name.

    Python 3.12 splits an f-string into ``FSTRING_START`` ... ``FSTRING_END``: one literal here."""
    literals = []
    index = 0
    while index < len(tokens):
        kind = tokenize.tok_name.get(tokens[index].type, "")
        if kind == "STRING":
            literals.append((index, index))
        elif kind == "FSTRING_START":
            depth, last = 0, index
            for last in range(index, len(tokens)):
                name = tokenize.tok_name.get(tokens[last].type, "")
                depth += name == "FSTRING_START"
                depth -= name == "FSTRING_END"
                if depth == 0:
                    break
            literals.append((index, last))
            index = last
        index += 1
    return [(first, last, _is_a_name(tokens, first, last)) for first, last in literals]


def _is_a_name(tokens: list[tokenize.TokenInfo], first: int, last: int) -> bool:
    """The literal names a key, a setting or an algorithm rather than holding a value."""
    code = [i for i, t in enumerate(tokens) if t.type not in (tokenize.NL, tokenize.COMMENT)]
    position = code.index(first)
    after_index = code.index(last) + 1
    before = tokens[code[position - 1]].string if position > 0 else ""
    after = tokens[code[after_index]].string if after_index < len(code) else ""
    opened = _open_brackets(tokens, [i for i in code if i < first])
    if before == "[" and after == "]" and opened and opened[-1][1] == "[":
        return True  # config["SECRET_KEY"] (a subscript, not a one-element list)
    if after == ":" and opened and tokens[opened[-1][0]].string == "{":
        return True  # {"SECRET_KEY": ...}
    if before == "(" and after in (",", ")") and opened and opened[-1][1] in _NAME_FIRST:
        return True  # config.setdefault("SECRET_KEY", ...), os.getenv("NAME")
    keyword = None
    if before == "=" and position > 1 and tokens[code[position - 2]].type == tokenize.NAME:
        if opened and tokens[opened[-1][0]].string == "(":
            keyword = tokens[code[position - 2]].string
    elif opened:
        keyword = opened[-1][2]
    return keyword in _NAMING_KEYWORDS


def _open_brackets(tokens: list[tokenize.TokenInfo], indexes: list[int]) -> list[tuple[int, str | None, str | None]]:
    """The brackets still open before a token: (index, the called name or ``[`` for a subscript, the
    keyword whose value the bracket opens, as in ``algorithms=[``)."""
    stack: list[tuple[int, str | None, str | None]] = []
    for position, index in enumerate(indexes):
        text = tokens[index].string
        if tokens[index].type == tokenize.OP and text in "([{":
            previous = tokens[indexes[position - 1]] if position > 0 else None
            callee = None
            if previous is not None and (previous.type in (tokenize.NAME, tokenize.STRING) or previous.string in ")]"):
                if not keyword_module.iskeyword(previous.string):
                    # what is called or subscripted: its name, or "[" for a subscript of any expression
                    callee = "[" if text == "[" else previous.string
            keyword = None
            if previous is not None and previous.string == "=" and position > 1:
                name = tokens[indexes[position - 2]]
                keyword = name.string if name.type == tokenize.NAME else None
            stack.append((index, callee, keyword))
        elif tokens[index].type == tokenize.OP and text in ")]}" and stack:
            stack.pop()
    return stack


def masked(line_text: str) -> str:
    """The line with the contents of each string literal that may hold a secret replaced by ``***``.

    Only values are masked: a subscript key or dict key (``config["SECRET_KEY"]``), the name handed
    to ``get``/``setdefault``/``getenv``, and the values of naming keywords (``algorithm="HS256"``)
    stay, as does everything that is not a string. Past what the tokenizer can read (an unclosed
    string), the rest of the line is masked from its first quote on.
    """
    ending = line_text[len(line_text.rstrip("\r\n")):]
    line = line_text[: len(line_text) - len(ending)]
    tokens, read = _tokens(line + "\n")
    pieces, at = [], 0
    for first, last, kept in _literals(tokens):
        start, end = tokens[first].start[1], tokens[last].end[1]
        if tokens[last].end[0] != 1:  # a string running past the line
            read = min(read, start)
            break
        if not kept:
            pieces += [line[at:start], _masked_literal(line[start:end])]
            at = end
    read = max(read, at)
    rest = line[read:]
    quote = _FIRST_QUOTE.search(rest)
    if quote is not None:
        rest = rest[: quote.start()] + quote.group(1) + "***"
    return "".join(pieces) + line[at:read] + rest + ending


def flow_steps(result: FileFinding) -> list[tuple[str, int, str]]:
    """A finding's flow with each step's path as the finding's own when the step is in its file."""
    return [(path or result.path, line, note) for path, line, note in result.finding.flow]
