"""Diff two plan sets by statement name, component by component."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from artifact_contracts.models import (
    COMPONENTS,
    ComponentChange,
    PlanDiffEntry,
    PlanDiffReport,
    SettingChange,
    TableVersionChange,
)
from engine_app.history._sets import TEXT_COMPONENTS, PlannedStatement, PlanSet

__all__ = ["diff_plans", "has_changes"]


def _text_diff(component: str, left: PlannedStatement, right: PlannedStatement) -> str | None:
    key = TEXT_COMPONENTS.get(component)  # type: ignore[call-overload]
    if key is None:
        return None
    lines = difflib.unified_diff(
        left.texts[key].splitlines(),
        right.texts[key].splitlines(),
        fromfile=f"{left.name} ({component}, left)",
        tofile=f"{right.name} ({component}, right)",
        lineterm="",
    )
    return "\n".join(lines) or None


# What a plan is; a rulepack or environment change alone (a setting, a library version) is
# reported once for the whole diff, and beside each plan that changed shape.
SHAPE = ("substrait", "logical", "optimized", "physical", "information_schema")


def _entry(name: str, left: PlannedStatement | None, right: PlannedStatement | None) -> PlanDiffEntry:
    if left is None or right is None:
        return PlanDiffEntry(
            name=name,
            status="added" if left is None else "removed",
            left_fingerprint=left.plan_fingerprint if left is not None else None,
            right_fingerprint=right.plan_fingerprint if right is not None else None,
        )
    changes = tuple(
        ComponentChange(
            component=component,
            left=left.components.get(component),
            right=right.components.get(component),
            diff=_text_diff(component, left, right),
        )
        for component in COMPONENTS
        if left.components.get(component) != right.components.get(component)
    )
    shaped = any(change.component in SHAPE for change in changes)
    return PlanDiffEntry(
        name=name,
        status="changed" if shaped else "unchanged",
        left_fingerprint=left.plan_fingerprint,
        right_fingerprint=right.plan_fingerprint,
        changes=changes if shaped else (),
    )


def _values(left: Mapping[str, str | None], right: Mapping[str, str | None]) -> tuple[SettingChange, ...]:
    return tuple(
        SettingChange(name=name, left=left.get(name), right=right.get(name))
        for name in sorted(set(left) | set(right))
        if left.get(name) != right.get(name)
    )


def diff_plans(left: PlanSet, right: PlanSet) -> PlanDiffReport:
    """Compare two plan sets, name by name.

    A plan is ``changed`` when its shape changed: Substrait, the logical, optimized or
    normalized physical plan (which the plan fingerprint leaves out), or the catalog it
    read; its entry then lists every component that differs, rulepack and environment
    included. Settings and library versions that differ are reported once; table
    versions that differ are data changes, reported apart.

    Args:
        left: The old side.
        right: The new side.

    Returns:
        The report: one entry per name, sorted, plus the settings, library versions and
        table versions that differ.
    """
    names = sorted(set(left.statements) | set(right.statements))
    tables = tuple(
        TableVersionChange(name=name, left=left.tables.get(name), right=right.tables.get(name))
        for name in sorted(set(left.tables) & set(right.tables))
        if left.tables.get(name) != right.tables.get(name)
    )
    return PlanDiffReport(
        left=left.label,
        right=right.label,
        entries=tuple(_entry(name, left.statements.get(name), right.statements.get(name)) for name in names),
        settings=_values(left.settings, right.settings),
        libraries=_values(dict(left.libraries), dict(right.libraries)),
        tables=tables,
    )


def has_changes(report: PlanDiffReport) -> bool:
    """Whether any name is changed, added or removed."""
    return any(entry.status != "unchanged" for entry in report.entries)
