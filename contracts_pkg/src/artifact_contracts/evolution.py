"""The contract compatibility gate: classify schema changes, derive the semver bump they need.

:func:`compare` lists every change between a released schema document and today's under a
rule of the catalog (:data:`RULES`, documented in ``COMPATIBILITY.md``), each with the
bump it requires and the surfaces it breaks (JSON wire, MessagePack wire, Python API).
:func:`check` compares that against the version bump actually made. Before 1.0.0 the
usual semver shift applies: ``0.y -> 0.(y+1)`` counts as a major bump and
``0.y.z -> 0.y.(z+1)`` as a minor one.

Examples:
    >>> old = {"$defs": {"P": {"type": "object", "properties": {"a": {"type": "integer"}},
    ...                         "required": ["a"], "x-contract-base": "compat"}}}
    >>> new = {"$defs": {"P": {"type": "object", "properties": {"a": {"type": "integer"},
    ...                         "b": {"type": "string", "default": ""}},
    ...                         "required": ["a"], "x-contract-base": "compat"}}}
    >>> [(c.rule, c.path, c.bump) for c in compare(old, new)]
    [('FIELD_ADDED_OPTIONAL', 'P.b', 'minor')]
    >>> check(old, new, against="0.1.0", against_version="0.1.0", current_version="0.1.1").ok
    True
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from artifact_contracts._compat_cli import add_compat_arguments, run_compat
from artifact_contracts._evolution_rules import BUMP_ORDER, RULES, Bump, Rule, max_bump
from artifact_contracts._schema_diff import Change, diff_documents
from artifact_contracts.base import StructBaseCompat
from artifact_contracts.codec import loads_json
from artifact_contracts.errors import ContractError

__all__ = [
    "Change",
    "CompatReport",
    "RULES",
    "Rule",
    "add_compat_arguments",
    "check",
    "compare",
    "effective_bump",
    "load_document",
    "parse_version",
    "release_versions",
    "required_bump",
    "run_compat",
    "version_bump",
]

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:[.-]?[A-Za-z0-9.+-]*)?$")


class CompatReport(StructBaseCompat, frozen=True):
    """The result of checking today's schema against one earlier schema document."""

    against: str
    """What was compared: a release version or a file path."""
    against_version: str | None
    """The version of the compared document, ``None`` when unknown."""
    current_version: str
    """The version being released (the package version unless overridden)."""
    required_bump: str
    """The largest bump any change requires: ``major``, ``minor``, ``patch`` or ``none``."""
    actual_bump: str | None
    """The bump from ``against_version`` to ``current_version`` after the 0.x shift."""
    ok: bool
    """Whether ``actual_bump`` is at least ``required_bump``."""
    changes: tuple[Change, ...]
    """Every change, sorted by type, path and rule."""


def parse_version(version: str) -> tuple[int, int, int]:
    """Return ``(major, minor, patch)`` of a semantic version string.

    Raises:
        ValueError: ``version`` is not ``X.Y.Z`` (optionally with a suffix).
    """
    match = _VERSION.match(version.strip())
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
    if parse_version(old)[0] == 0 and bump != "major":
        return {"minor": "major", "patch": "minor", "none": "none"}[bump]  # type: ignore[return-value]
    return bump


def required_bump(changes: tuple[Change, ...] | list[Change]) -> Bump:
    """Return the largest bump any of ``changes`` requires (``none`` for no change)."""
    return max_bump(*(c.bump for c in changes))  # type: ignore[arg-type]


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """List the classified changes from an earlier schema document to a later one."""
    return diff_documents(old, new)


def check(
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    against: str,
    against_version: str | None,
    current_version: str,
) -> CompatReport:
    """Check ``new`` (released as ``current_version``) against the earlier document ``old``.

    Args:
        old: The earlier schema document.
        new: Today's schema document.
        against: A label for ``old`` (its version or path), for reports.
        against_version: The version ``old`` was released as; ``None`` when unknown, in
            which case any major change fails the check.
        current_version: The version ``new`` is (to be) released as.

    Returns:
        The report; ``ok`` is the gate's verdict.
    """
    changes = tuple(compare(old, new))
    required = required_bump(changes)
    if against_version is None:
        actual = None
        ok = required != "major"
    else:
        actual = effective_bump(against_version, current_version)
        ok = BUMP_ORDER[actual] >= BUMP_ORDER[required]
    return CompatReport(
        against=against,
        against_version=against_version,
        current_version=current_version,
        required_bump=required,
        actual_bump=actual,
        ok=ok,
        changes=changes,
    )


def load_document(path: str | Path) -> dict[str, Any]:
    """Read an exported JSON Schema document.

    Raises:
        ValueError: The file is missing or is not a JSON object with ``$defs``.
    """
    path = Path(path)
    try:
        doc = loads_json(path.read_bytes())
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from None
    except ContractError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("$defs"), dict):
        raise ValueError(f"{path} is not an exported schema document (no $defs)")
    return doc


def release_versions(releases_dir: str | Path) -> list[str]:
    """Return the versions snapshotted under ``releases_dir``, oldest first."""
    root = Path(releases_dir)
    found = []
    for child in root.iterdir() if root.is_dir() else ():
        if (child / "json-schema.json").is_file() and _VERSION.match(child.name):
            found.append(child.name)
    return sorted(found, key=parse_version)
