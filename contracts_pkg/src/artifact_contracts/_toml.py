"""A linear pre-scan of TOML documents: how deep their keys and values may nest (private).

:mod:`tomllib` keeps, for every dotted key and table header, the tuple of every prefix of
the key: a key of ``n`` parts costs memory quadratic in ``n`` (``"a" + ".a" * N + " = 1"``
took 400 MiB at 20 KB). :func:`check_toml_depth` runs first, in time and memory linear
in the document, and refuses a document whose header parts, key parts and array or
inline-table nesting could add up to more than the depth limit, so that no key tomllib
sees has more parts than that. It reads the document the way TOML's lexer does (strings,
comments, headers, keys, values), and may overcount, never undercount, so it refuses
some documents a little under the limit (a deep header and a deep key in another table),
never one over it.
"""

from __future__ import annotations

import re
from typing import Final

from artifact_contracts._depth import too_deep

__all__ = ["check_toml_depth"]

# One token per match; strings and comments swallowed whole (an unterminated one to the
# end of its line, or of the document for a multi-line one: the document is invalid then,
# and the scan stays linear).
_TOKENS: Final = re.compile(
    r'"""(?:[^\\]|\\.)*?(?:"""(?:"{0,2})|\Z)'
    r"|'''.*?(?:'''(?:'{0,2})|\Z)"
    r'|"(?:[^"\\\n]|\\.)*(?:"|$)'
    r"|'[^'\n]*(?:'|$)"
    r"|#[^\n]*"
    r"|[\[\]{}.=,\n]"
    r"|[^\"'#\[\]{}.=,\n]+",
    re.S | re.M,
)


class _Scan:
    """The scan's state: the current header's parts and what each open key or bracket adds."""

    __slots__ = ("header", "in_header", "in_key", "limit", "parts", "stack")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.header = 0  # parts of the current table header
        self.in_header = False
        self.in_key = True  # at a line start, or after "{" or "," in an inline table
        self.parts = 0  # dots of the key being read
        self.stack: list[tuple[str, int]] = []  # "=" (a key's parts), "[" or "{" (1 each)

    def _check(self, extra: int = 0) -> None:
        # 1 for the document's own table, as convert counts it (``{}`` is one level).
        if 1 + self.header + sum(added for _, added in self.stack) + extra > self.limit:
            raise too_deep(self.limit)

    def _innermost_bracket(self) -> str | None:
        for kind, _ in reversed(self.stack):
            if kind != "=":
                return kind
        return None

    def _close(self, bracket: str) -> None:
        while self.stack:
            kind, _ = self.stack.pop()
            if kind == bracket:
                return

    def token(self, tok: str) -> None:
        """Take one token: punctuation, or a newline."""
        if tok == "\n":
            if self._innermost_bracket() is None:
                self.stack.clear()
                self.in_key, self.in_header, self.parts = True, False, 0
        elif self.in_header:
            if tok == ".":
                self.header += 1
                self._check()
            elif tok == "]":
                self.in_header = False
        elif self.in_key:
            self._key_token(tok)
        else:
            self._value_token(tok)

    def _key_token(self, tok: str) -> None:
        if tok == "[" and not self.stack and self.parts == 0:
            self.in_header, self.header = True, 1
            self._check()
        elif tok == ".":
            self.parts += 1
            self._check(self.parts + 1)
        elif tok == "=":
            self.stack.append(("=", self.parts + 1))
            self.in_key, self.parts = False, 0
            self._check()
        elif tok == "}":  # "{}" or a trailing comma
            self._close("{")
            self.in_key = False

    def _value_token(self, tok: str) -> None:
        if tok in "[{":
            self.stack.append((tok, 1))
            self._check()
            self.in_key = tok == "{"
        elif tok in "]}":
            self._close("[" if tok == "]" else "{")
        elif tok == "," and self._innermost_bracket() == "{":
            while self.stack[-1][0] == "=":
                self.stack.pop()
            self.in_key = True


def check_toml_depth(text: str, limit: int) -> None:
    """Refuse a TOML document whose keys and values could nest deeper than ``limit``.

    Raises:
        ContractDecodeError: The document may nest deeper (kind ``too_deep``).
    """
    scan = _Scan(limit)
    for match in _TOKENS.finditer(text):
        tok = match.group()
        if tok in _PUNCTUATION:  # strings, comments, bare words and values carry no depth
            scan.token(tok)


_PUNCTUATION: Final = frozenset("[]{}.=,\n")
