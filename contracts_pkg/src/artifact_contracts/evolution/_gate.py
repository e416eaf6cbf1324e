"""Check today's schema document against an earlier one: the report and its verdict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.codec import loads_json
from artifact_contracts.errors import ContractError
from artifact_contracts.evolution._diff import Change, diff_documents
from artifact_contracts.evolution._rules import BUMP_ORDER, Bump, max_bump
from artifact_contracts.evolution._versions import VERSION_PATTERN, effective_bump, parse_version

__all__ = ["CompatReport", "check", "compare", "load_document", "release_versions", "required_bump"]


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


def required_bump(changes: tuple[Change, ...] | list[Change]) -> Bump:
    """Return the largest bump any of ``changes`` requires (``none`` for no change)."""
    return max_bump(*(c.bump for c in changes))


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
        if (child / "json-schema.json").is_file() and VERSION_PATTERN.match(child.name):
            found.append(child.name)
    return sorted(found, key=parse_version)
