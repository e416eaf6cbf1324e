"""Split SQL text into statements (on ``;`` outside quotes and comments)."""

from __future__ import annotations

import re

__all__ = ["split_statements"]


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
