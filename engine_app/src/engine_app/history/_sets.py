"""A plan set: what a run, a baseline or a single plan planned, by statement name.

Every side of a diff is a :class:`PlanSet`, whatever it was made from, so the diff has one
input shape: per name the plan fingerprint, each component's fingerprint and the texts
unified diffs are taken of, plus the settings, library versions and table versions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

import msgspec

import artifact_contracts
from artifact_contracts.models import (
    BaselineEntry,
    PlanArtifacts,
    PlanBaseline,
    PlanComponents,
    RunRecord,
    RuntimeProfileSnapshot,
)
from artifact_contracts.models.history import PlanComponent
from engine_app.errors import EngineError
from engine_app.planning import normalize_physical, plan_components
from engine_app.stores import PlanArtifactStore

__all__ = ["PlanSet", "PlannedStatement", "baseline_of"]

TEXT_COMPONENTS: Mapping[PlanComponent, str] = {"logical": "logical", "optimized": "optimized", "physical": "physical"}
"""The components with a text to diff, and the text's key."""


@dataclasses.dataclass(frozen=True)
class PlannedStatement:
    """One named statement's plan: fingerprints per component and the texts to diff."""

    name: str
    plan_fingerprint: str
    components: Mapping[str, str | None]
    texts: Mapping[str, str]

    @classmethod
    def of(cls, name: str, artifacts: PlanArtifacts) -> PlannedStatement:
        """The statement as a plan's artifacts describe it."""
        return cls(
            name=name,
            plan_fingerprint=artifacts.plan_fingerprint,
            components=plan_components(artifacts),
            texts={
                "logical": artifacts.texts.logical,
                "optimized": artifacts.texts.optimized_logical,
                "physical": normalize_physical(artifacts.texts.physical),
            },
        )

    def entry(self) -> BaselineEntry:
        """The statement as a baseline records it."""
        return BaselineEntry(
            name=self.name,
            plan_fingerprint=self.plan_fingerprint,
            components=PlanComponents(**self.components),
            logical=self.texts["logical"],
            optimized=self.texts["optimized"],
            physical=self.texts["physical"],
        )


@dataclasses.dataclass(frozen=True)
class PlanSet:
    """Plans by statement name, with what they were planned with."""

    label: str
    statements: Mapping[str, PlannedStatement]
    settings: Mapping[str, str | None] = dataclasses.field(default_factory=dict)
    libraries: Mapping[str, str] = dataclasses.field(default_factory=dict)
    tables: Mapping[str, int | None] = dataclasses.field(default_factory=dict)

    @classmethod
    def of_profile(
        cls,
        label: str,
        statements: Iterable[PlannedStatement],
        profile: RuntimeProfileSnapshot | None,
        tables: Mapping[str, int | None] | None = None,
    ) -> PlanSet:
        """A set planned in one session, described by its runtime profile."""
        return cls(
            label=label,
            statements={s.name: s for s in statements},
            settings={s.name: s.value for s in profile.settings} if profile is not None else {},
            libraries={lib.name: lib.version for lib in profile.libraries} if profile is not None else {},
            tables=dict(tables or {}),
        )

    @classmethod
    def of_run(cls, record: RunRecord, plans: PlanArtifactStore, label: str | None = None) -> PlanSet:
        """What a recorded run planned (its captures read from the plan store).

        Raises:
            EngineError: A capture the record names is not in the store.
        """
        ids = [s.capture_id for s in record.statements if s.capture_id is not None]
        found = plans.get_captures(ids)
        by_id = {p.row.capture_id: p.artifacts for p in found.items}
        missing = sorted(set(ids) - set(by_id))
        if missing:
            raise EngineError(f"run {record.run_id} names {len(missing)} plan(s) the store does not hold: {missing[0]}")
        statements = [
            PlannedStatement.of(s.name, by_id[s.capture_id]) for s in record.statements if s.capture_id is not None
        ]
        tables = {t.name: t.version for t in record.tables}
        return cls.of_profile(label or f"run {record.run_id}", statements, record.profile, tables)

    @classmethod
    def of_baseline(cls, baseline: PlanBaseline, label: str) -> PlanSet:
        """What a baseline file records."""
        statements = [
            PlannedStatement(
                name=e.name,
                plan_fingerprint=e.plan_fingerprint,
                components=msgspec.structs.asdict(e.components),
                texts={"logical": e.logical, "optimized": e.optimized, "physical": e.physical},
            )
            for e in baseline.entries
        ]
        return cls(
            label=label,
            statements={s.name: s for s in statements},
            settings={s.name: s.value for s in baseline.settings},
            libraries={lib.name: lib.version for lib in baseline.libraries},
        )


def baseline_of(plans: PlanSet, profile: RuntimeProfileSnapshot) -> PlanBaseline:
    """The baseline file's content for a plan set (entries sorted by name)."""
    return PlanBaseline(
        contract_version=artifact_contracts.__version__,
        settings=profile.settings,
        libraries=profile.libraries,
        entries=tuple(plans.statements[name].entry() for name in sorted(plans.statements)),
    )
