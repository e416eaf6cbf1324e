"""Plan history: what each run planned, the baselines CI compares with, and plan diffs.

A :class:`RunRecord` is written by every ``engine-app run`` and ``plan``: per statement
its name, the plan it produced (``capture_id`` finds it in the plan store) and how it
went. A :class:`PlanBaseline` is a committed file of every component fingerprint and plan
text per statement name, for ``engine-app check``. A :class:`PlanDiffReport` says, per
name, whether two runs, warehouses, baselines or plans planned alike, and what changed.
"""

from typing import Annotated, Literal, Optional

import msgspec

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.models.plan import SessionSetting
from artifact_contracts.models.runtime import LibraryVersion, RuntimeProfileSnapshot
from artifact_contracts.models.types import NO_NEWLINE, Count, Fingerprint, Name, SemVer, Text, UtcDateTime

__all__ = [
    "BaselineEntry",
    "COMPONENTS",
    "ComponentChange",
    "DiffStatus",
    "PlanBaseline",
    "PlanComponent",
    "PlanComponents",
    "PlanDiffEntry",
    "PlanDiffReport",
    "RunId",
    "RunRecord",
    "SettingChange",
    "StatementName",
    "StatementRun",
    "TableVersion",
    "TableVersionChange",
]

RunId = Annotated[
    str,
    msgspec.Meta(
        min_length=32, max_length=32, pattern="^[0-9a-f]{32}$", description="A run id: 32 lowercase hex digits."
    ),
]
StatementName = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=1024,
        pattern=rf"^{NO_NEWLINE}\S(.*\S)?$",
        description="A statement's name: the spec's query name, `q01`..`q22` in the demo, a `-- name:` "
        "comment in a SQL file, else `<file>:<n>`. One line, no surrounding spaces.",
    ),
]
PlanComponent = Literal[
    "substrait", "logical", "optimized", "physical", "information_schema", "rulepack", "environment"
]
"""A part of a plan that can change on its own."""
COMPONENTS: tuple[PlanComponent, ...] = (
    "substrait",
    "logical",
    "optimized",
    "physical",
    "information_schema",
    "rulepack",
    "environment",
)
"""Every plan component, in the order reports list them."""
DiffStatus = Literal["unchanged", "changed", "added", "removed"]
"""What happened to a name between the left and the right side of a diff."""

_Millis = Annotated[float, msgspec.Meta(ge=0, le=1.7976931348623157e308, description="Milliseconds (finite).")]


class StatementRun(StructBaseCompat):
    """One statement of a run: its name, its plan and how planning and execution went."""

    name: Annotated[StatementName, msgspec.Meta(description="The statement's name.")]
    kind: Annotated[Literal["query", "view"], msgspec.Meta(description="A query, or a view's defining statement.")] = (
        "query"
    )
    plan_fingerprint: Annotated[
        Optional[Fingerprint], msgspec.Meta(description="The plan's fingerprint; None when it did not plan.")
    ] = None
    capture_id: Annotated[
        Optional[Fingerprint],
        msgspec.Meta(description="The plan store's key of this capture (plan, normalized physical plan, environment)."),
    ] = None
    planning_ms: Annotated[_Millis, msgspec.Meta(description="Time to plan and capture the artifacts.")] = 0.0
    execution_ms: Annotated[Optional[_Millis], msgspec.Meta(description="Time to execute; None when not executed.")] = (
        None
    )
    rows: Annotated[Optional[Count], msgspec.Meta(description="Rows the execution returned.")] = None
    status: Annotated[Literal["ok", "failed"], msgspec.Meta(description="Whether it planned (and ran).")] = "ok"
    error: Annotated[Optional[Text], msgspec.Meta(description="Why it failed, on one line.")] = None


class TableVersion(StructBaseCompat):
    """A table a run read, and the Delta version it read (None for parquet)."""

    name: Annotated[Name, msgspec.Meta(description="The registered table name.")]
    format: Annotated[Literal["delta", "parquet"], msgspec.Meta(description="How the table was read.")]
    version: Annotated[Optional[Count], msgspec.Meta(description="The Delta table version planned against.")] = None


class RunRecord(StructBaseCompat, tag="run_record", tag_field="kind"):
    """What one ``run`` or ``plan`` planned, in statement order."""

    run_id: Annotated[RunId, msgspec.Meta(description="The run's id.")]
    command: Annotated[Literal["run", "plan"], msgspec.Meta(description="The command that made the run.")]
    started_at: Annotated[UtcDateTime, msgspec.Meta(description="When the run started.")]
    ended_at: Annotated[UtcDateTime, msgspec.Meta(description="When the run ended.")]
    spec_fingerprint: Annotated[
        Optional[Fingerprint], msgspec.Meta(description="Fingerprint of the pipeline spec (`run`).")
    ] = None
    config_fingerprint: Annotated[Fingerprint, msgspec.Meta(description="Fingerprint of the EngineConfig.")]
    planning_env_hash: Annotated[Fingerprint, msgspec.Meta(description="The session's planning environment hash.")]
    contract_version: Annotated[SemVer, msgspec.Meta(description="The artifact-contracts version.")]
    profile: Annotated[RuntimeProfileSnapshot, msgspec.Meta(description="Versions and settings the run planned with.")]
    tables: Annotated[
        tuple[TableVersion, ...], msgspec.Meta(description="The tables registered, with their versions.")
    ] = ()
    statements: Annotated[tuple[StatementRun, ...], msgspec.Meta(description="Every statement, in order.")] = ()


class PlanComponents(StructBaseCompat):
    """The fingerprint of each part of a plan that can change on its own (None: absent)."""

    substrait: Annotated[Optional[Fingerprint], msgspec.Meta(description="The canonical Substrait bytes.")] = None
    logical: Annotated[Optional[Fingerprint], msgspec.Meta(description="The logical plan text.")] = None
    optimized: Annotated[Optional[Fingerprint], msgspec.Meta(description="The optimized logical plan text.")] = None
    physical: Annotated[
        Optional[Fingerprint], msgspec.Meta(description="The physical plan text, normalized (no data file names).")
    ] = None
    information_schema: Annotated[
        Optional[Fingerprint], msgspec.Meta(description="The catalog of the tables the plan reads.")
    ] = None
    rulepack: Annotated[Optional[Fingerprint], msgspec.Meta(description="The plan's `rulepack_hash`.")] = None
    environment: Annotated[Optional[Fingerprint], msgspec.Meta(description="The plan's `planning_env_hash`.")] = None


class BaselineEntry(StructBaseCompat):
    """One statement of a baseline: every component's fingerprint and the plan texts."""

    name: Annotated[StatementName, msgspec.Meta(description="The statement's name.")]
    plan_fingerprint: Annotated[Fingerprint, msgspec.Meta(description="The plan fingerprint.")]
    components: Annotated[PlanComponents, msgspec.Meta(description="Each component's fingerprint.")] = PlanComponents()
    logical: Annotated[Text, msgspec.Meta(description="The logical plan text.")] = ""
    optimized: Annotated[Text, msgspec.Meta(description="The optimized logical plan text.")] = ""
    physical: Annotated[Text, msgspec.Meta(description="The physical plan text, normalized (no data file names).")] = ""


class PlanBaseline(StructBaseCompat, tag="plan_baseline", tag_field="kind"):
    """The committed baseline of ``engine-app check``: what the queries planned to, by name."""

    contract_version: Annotated[SemVer, msgspec.Meta(description="The artifact-contracts version that wrote it.")]
    settings: Annotated[
        tuple[SessionSetting, ...], msgspec.Meta(description="The session settings it was planned with.")
    ] = ()
    libraries: Annotated[
        tuple[LibraryVersion, ...], msgspec.Meta(description="The library versions it was planned with.")
    ] = ()
    entries: Annotated[tuple[BaselineEntry, ...], msgspec.Meta(description="One per statement, sorted by name.")] = ()


class ComponentChange(StructBaseCompat):
    """One component that differs between the two sides, with a unified diff of its text."""

    component: Annotated[PlanComponent, msgspec.Meta(description="The component.")]
    left: Annotated[Optional[Fingerprint], msgspec.Meta(description="Its fingerprint on the left.")] = None
    right: Annotated[Optional[Fingerprint], msgspec.Meta(description="Its fingerprint on the right.")] = None
    diff: Annotated[
        Optional[Text], msgspec.Meta(description="A unified diff of the component's text, where it has one.")
    ] = None


class PlanDiffEntry(StructBaseCompat):
    """What happened to one statement name."""

    name: Annotated[StatementName, msgspec.Meta(description="The statement's name.")]
    status: Annotated[DiffStatus, msgspec.Meta(description="`unchanged`, `changed`, `added` or `removed`.")]
    left_fingerprint: Annotated[Optional[Fingerprint], msgspec.Meta(description="The left plan fingerprint.")] = None
    right_fingerprint: Annotated[Optional[Fingerprint], msgspec.Meta(description="The right plan fingerprint.")] = None
    changes: Annotated[
        tuple[ComponentChange, ...], msgspec.Meta(description="The components that changed, in report order.")
    ] = ()


class SettingChange(StructBaseCompat):
    """A session setting or library version that differs between the two sides."""

    name: Annotated[str, msgspec.Meta(min_length=1, description="The setting key or library name.")]
    left: Annotated[Optional[str], msgspec.Meta(description="The left value; None when absent.")] = None
    right: Annotated[Optional[str], msgspec.Meta(description="The right value; None when absent.")] = None


class TableVersionChange(StructBaseCompat):
    """A table whose data version differs: a data change, reported apart from plan changes."""

    name: Annotated[Name, msgspec.Meta(description="The table name.")]
    left: Annotated[Optional[Count], msgspec.Meta(description="The left version.")] = None
    right: Annotated[Optional[Count], msgspec.Meta(description="The right version.")] = None


class PlanDiffReport(StructBaseCompat, tag="plan_diff", tag_field="kind"):
    """The diff of two plan sets (runs, warehouses, baselines or single plans), by name."""

    left: Annotated[Text, msgspec.Meta(description="What the left side is (a run id, a file, ...).")]
    right: Annotated[Text, msgspec.Meta(description="What the right side is.")]
    entries: Annotated[tuple[PlanDiffEntry, ...], msgspec.Meta(description="One per name, sorted by name.")] = ()
    settings: Annotated[tuple[SettingChange, ...], msgspec.Meta(description="Session settings that differ.")] = ()
    libraries: Annotated[tuple[SettingChange, ...], msgspec.Meta(description="Library versions that differ.")] = ()
    tables: Annotated[
        tuple[TableVersionChange, ...], msgspec.Meta(description="Table versions that differ (data changes).")
    ] = ()
