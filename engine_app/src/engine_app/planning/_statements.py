"""Split SQL text into statements (on ``;`` outside quotes and comments), and name them.

A statement is named by a ``-- name: revenue_by_region`` comment line inside it (usually
just before its ``SELECT``); an unnamed one is ``<source>:<n>``, its 1-based position.
"""

from __future__ import annotations

import dataclasses
import re

__all__ = ["NamedStatement", "named_statements", "split_statements"]

_NAME = re.compile(r"^\s*--\s*name:\s*(\S(?:.*\S)?)\s*$", re.MULTILINE)


@dataclasses.dataclass(frozen=True)
class NamedStatement:
    """A statement and its name."""

    name: str
    sql: str


def named_statements(text: str, source: str) -> list[NamedStatement]:
    """Split SQL text into statements and name each one.

    Args:
        text: One or more statements.
        source: What unnamed statements are named after (a file name, or ``sql``).

    Returns:
        The statements in order, each named by its ``-- name:`` comment or ``<source>:<n>``.
    """
    named = []
    for index, statement in enumerate(split_statements(text), start=1):
        match = _NAME.search(statement)
        named.append(NamedStatement(match.group(1) if match else f"{source}:{index}", statement))
    return named


def split_statements(text: str) -> list[str]:
    """Split SQL text on ``;`` outside quotes and comments, dropping empty statements.

    Args:
        text: One or more statements.

    Returns:
        The statements, stripped, in order.
    """
    statements: list[str] = []
    current: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in "'\"":
            end = text.find(char, i + 1)
            while end != -1 and end + 1 < n and text[end + 1] == char:  # doubled quote
                end = text.find(char, end + 2)
            end = n - 1 if end == -1 else end
            current.append(text[i : end + 1])
            i = end + 1
        elif text.startswith("--", i):
            end = text.find("\n", i)
            end = n if end == -1 else end
            current.append(text[i:end])
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end == -1 else end + 2
            current.append(text[i:end])
            i = end
        elif char == ";":
            statements.append("".join(current))
            current = []
            i += 1
        else:
            current.append(char)
            i += 1
    statements.append("".join(current))
    return [s.strip() for s in statements if _has_code(s)]


def _has_code(statement: str) -> bool:
    without = re.sub(r"--[^\n]*|/\*.*?\*/", "", statement, flags=re.S)
    return bool(without.strip())
