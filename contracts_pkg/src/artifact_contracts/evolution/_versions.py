"""Semantic versions: parse them, and say what bump one version is from another."""

from __future__ import annotations

import re
from typing import Final

from artifact_contracts.evolution._rules import Bump

__all__ = ["VERSION_PATTERN", "effective_bump", "parse_version", "version_bump"]

VERSION_PATTERN: Final = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:[.-]?[A-Za-z0-9.+-]*)?$")
"""``X.Y.Z``, optionally followed by a pre-release or build suffix."""

# Below 1.0.0 the minor number plays the role of the major one.
_PRE_1_0_SHIFT: Final[dict[Bump, Bump]] = {"major": "major", "minor": "major", "patch": "minor", "none": "none"}


def parse_version(version: str) -> tuple[int, int, int]:
    """Return ``(major, minor, patch)`` of a semantic version string.

    Raises:
        ValueError: ``version`` is not ``X.Y.Z`` (optionally with a suffix).
    """
    match = VERSION_PATTERN.match(version.strip())
    if match is None:
        raise ValueError(f"not a semantic version: {version!r}")
    return int(match[1]), int(match[2]), int(match[3])


def version_bump(old: str, new: str) -> Bump:
    """Return the literal semver bump from ``old`` to ``new`` (``none`` if not higher)."""
    o, n = parse_version(old), parse_version(new)
    if n <= o:
        return "none"
    if n[0] != o[0]:
        return "major"
    return "minor" if n[1] != o[1] else "patch"


def effective_bump(old: str, new: str) -> Bump:
    """Return what the bump from ``old`` to ``new`` allows, with the pre-1.0 shift.

    Below 1.0.0 the minor number plays the role of the major one: ``0.1.4 -> 0.2.0``
    allows breaking changes, ``0.1.4 -> 0.1.5`` allows additions.

    Examples:
        >>> effective_bump("0.1.0", "0.2.0"), effective_bump("0.1.0", "0.1.1")
        ('major', 'minor')
        >>> effective_bump("1.2.0", "1.3.0"), effective_bump("1.2.0", "1.2.0")
        ('minor', 'none')
    """
    bump = version_bump(old, new)
    return _PRE_1_0_SHIFT[bump] if parse_version(old)[0] == 0 else bump
