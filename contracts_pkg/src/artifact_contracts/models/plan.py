"""Query plan artifacts: what the engine records about every plan it builds."""

from typing import Annotated, Literal, Optional

import msgspec

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.ext import DataFusionProtoBytes, SubstraitBytes
from artifact_contracts.models.types import (
    ColumnName,
    Count,
    Fingerprint,
    Name,
    SemVer,
    Text,
    UtcDateTime,
)
from artifact_contracts.models.view import ArrowSchemaSnapshot

__all__ = [
    "ExplainRow",
    "InformationSchemaColumn",
    "InformationSchemaSnapshot",
    "InformationSchemaTable",
    "PLAN_ARTIFACT_SCHEMA_VERSION",
    "PlanArtifactRow",
    "PlanArtifacts",
    "PlanTexts",
    "PlanningEnvironment",
    "SessionSetting",
    "SubstraitValidation",
    "TableSource",
    "ViewSource",
]

PLAN_ARTIFACT_SCHEMA_VERSION = 2
"""The artifact store's schema version: ``datafusion_plan_artifacts_v<N>``.

2: one row per capture (``capture_id``: plan fingerprint, normalized physical plan and
planning environment), where 1 kept one row per plan fingerprint.
"""


class ExplainRow(StructBaseCompat):
    """One row of ``EXPLAIN`` output."""

    plan_type: Annotated[str, msgspec.Meta(description="The plan stage, e.g. `logical_plan`.")]
    plan: Annotated[Text, msgspec.Meta(description="The plan text of that stage.")]


class InformationSchemaTable(StructBaseCompat):
    """A table or view as ``information_schema.tables`` lists it."""

    table_catalog: Annotated[str, msgspec.Meta(description="The catalog holding the table.")]
    table_schema: Annotated[str, msgspec.Meta(description="The schema holding the table.")]
    table_name: Annotated[str, msgspec.Meta(description="The table or view name.")]
    table_type: Annotated[str, msgspec.Meta(description="`BASE TABLE`, `VIEW`, ...")]


class InformationSchemaColumn(StructBaseCompat):
    """A column as ``information_schema.columns`` lists it."""

    table_catalog: Annotated[str, msgspec.Meta(description="The catalog holding the table.")]
    table_schema: Annotated[str, msgspec.Meta(description="The schema holding the table.")]
    table_name: Annotated[str, msgspec.Meta(description="The table the column belongs to.")]
    column_name: Annotated[ColumnName, msgspec.Meta(description="The column name.")]
    ordinal_position: Annotated[Count, msgspec.Meta(description="0-based position in the table.")]
    data_type: Annotated[str, msgspec.Meta(description="The Arrow data type, as DataFusion names it.")]
    is_nullable: Annotated[bool, msgspec.Meta(description="Whether the column admits nulls.")]


class SessionSetting(StructBaseCompat):
    """One session configuration entry (``information_schema.df_settings``)."""

    name: Annotated[
        str, msgspec.Meta(min_length=1, description="The setting key, e.g. `datafusion.execution.batch_size`.")
    ]
    value: Annotated[Optional[str], msgspec.Meta(description="The setting value as text; None when unset.")] = None


class InformationSchemaSnapshot(StructBaseCompat):
    """The catalog the plan was built against, sorted for determinism."""

    tables: Annotated[
        tuple[InformationSchemaTable, ...], msgspec.Meta(description="Every table and view, sorted by name.")
    ] = ()
    columns: Annotated[
        tuple[InformationSchemaColumn, ...],
        msgspec.Meta(description="Every column, sorted by table name and position."),
    ] = ()
    settings: Annotated[
        tuple[SessionSetting, ...], msgspec.Meta(description="The session settings, sorted by name.")
    ] = ()


class SubstraitValidation(StructBaseCompat):
    """The result of converting the Substrait plan back into a DataFusion plan."""

    roundtrip_ok: Annotated[
        bool,
        msgspec.Meta(
            description="The bytes decoded back into a DataFusion plan with the original's output schema "
            "(names, types, nullability)."
        ),
    ]
    plan_matches: Annotated[
        Optional[bool],
        msgspec.Meta(
            description="The round-tripped plan, optimized again, prints exactly as the original optimized "
            "plan; None if unknown. Informational: the consumer often renames intermediate expressions."
        ),
    ] = None
    error: Annotated[Optional[Text], msgspec.Meta(description="Why the round trip failed.")] = None
    extension_count: Annotated[
        Count, msgspec.Meta(description="Extension functions declared by the Substrait plan.")
    ] = 0


class PlanTexts(StructBaseCompat):
    """The plan at each stage, as indented text.

    ``physical`` has every registered table location replaced by ``<table:NAME>``, so the
    text does not depend on where the warehouse lives. It is not part of the plan
    fingerprint (it names data files and follows file statistics).
    """

    logical: Annotated[Text, msgspec.Meta(description="The unoptimized logical plan.")]
    optimized_logical: Annotated[Text, msgspec.Meta(description="The logical plan after optimization.")]
    physical: Annotated[Text, msgspec.Meta(description="The physical plan, with table-relative paths.")]


class PlanArtifacts(StructBaseCompat, tag="plan_artifacts", tag_field="kind"):
    """Everything recorded about one planned statement.

    Holds no timestamps or absolute paths: planning the same SQL on the same data in
    two processes gives byte-identical artifacts.
    """

    sql: Annotated[Text, msgspec.Meta(description="The statement as submitted.")]
    view_name: Annotated[Optional[Name], msgspec.Meta(description="The view this plan defines.")] = None
    plan_fingerprint: Annotated[
        Fingerprint,
        msgspec.Meta(
            description="Fingerprint of the canonical Substrait bytes, the logical and optimized plan texts, "
            "`information_schema_hash` and `rulepack_hash` (never the physical plan, which names files)."
        ),
    ]
    explain: Annotated[
        tuple[ExplainRow, ...], msgspec.Meta(description="The `EXPLAIN` rows, in the engine's order.")
    ] = ()
    output_schema: Annotated[
        ArrowSchemaSnapshot, msgspec.Meta(description="The Arrow schema of the statement's result.")
    ] = ArrowSchemaSnapshot()
    information_schema: Annotated[
        InformationSchemaSnapshot, msgspec.Meta(description="The catalog the statement was planned against.")
    ] = InformationSchemaSnapshot()
    information_schema_hash: Annotated[Fingerprint, msgspec.Meta(description="Fingerprint of `information_schema`.")]
    substrait: Annotated[
        Optional[SubstraitBytes], msgspec.Meta(description="Canonical Substrait plan bytes (ext 10).")
    ] = None
    substrait_validation: Annotated[
        SubstraitValidation, msgspec.Meta(description="Whether the Substrait plan round-trips.")
    ]
    datafusion_proto: Annotated[
        Optional[DataFusionProtoBytes],
        msgspec.Meta(description="DataFusion logical plan protobuf bytes (ext 11)."),
    ] = None
    datafusion_proto_absent_reason: Annotated[
        Optional[Text], msgspec.Meta(description="Why `datafusion_proto` is absent, when it is.")
    ] = None
    rulepack_hash: Annotated[
        Fingerprint, msgspec.Meta(description="Fingerprint of the DataFusion version and optimizer settings.")
    ]
    planning_env_hash: Annotated[
        Fingerprint, msgspec.Meta(description="`RuntimeProfileSnapshot.planning_env_hash` of the session.")
    ]
    texts: Annotated[PlanTexts, msgspec.Meta(description="The plan at each stage, as text.")]
    datafusion_version: Annotated[SemVer, msgspec.Meta(description="The DataFusion version that planned it.")]


class TableSource(StructBaseCompat):
    """A table a session had registered when it planned: where to find it again."""

    name: Annotated[Name, msgspec.Meta(description="The name the session registered the table under.")]
    format: Annotated[Literal["delta", "parquet"], msgspec.Meta(description="How the table is read.")]
    location: Annotated[
        Text,
        msgspec.Meta(
            min_length=1,
            description="The table root or file: an absolute path, or a path relative to the warehouse "
            "directory for a table inside it (so a moved warehouse can still be audited).",
        ),
    ]


class ViewSource(StructBaseCompat):
    """A view a session had registered when it planned, in registration order."""

    name: Annotated[Name, msgspec.Meta(description="The view name.")]
    sql: Annotated[Text, msgspec.Meta(description="The view's defining `SELECT`.")]


class PlanningEnvironment(StructBaseCompat):
    """What a fresh process needs to plan a stored statement again (the audit's input).

    Kept beside the artifact, never inside it: locations are machine facts, and the
    artifact must not depend on where the warehouse lives.
    """

    target_partitions: Annotated[
        int, msgspec.Meta(ge=1, le=4096, description="The engine config's `target_partitions`.")
    ]
    batch_size: Annotated[
        int, msgspec.Meta(ge=1, le=2**31 - 1, description="The engine config's batch size, in rows.")
    ] = 8192
    settings: Annotated[dict[str, str], msgspec.Meta(description="The engine config's extra DataFusion settings.")] = {}
    tables: Annotated[
        tuple[TableSource, ...], msgspec.Meta(description="The registered tables, in registration order.")
    ] = ()
    views: Annotated[
        tuple[ViewSource, ...], msgspec.Meta(description="The registered views, in registration order.")
    ] = ()


class PlanArtifactRow(StructBaseCompat):
    """One row of the ``datafusion_plan_artifacts_v<N>`` Delta table."""

    capture_id: Annotated[
        Optional[Fingerprint],
        msgspec.Meta(
            description="The row's key: fingerprint of the plan fingerprint, the normalized physical plan and "
            "the planning environment hash (v2; None in v1 rows)."
        ),
    ] = None
    plan_fingerprint: Annotated[Fingerprint, msgspec.Meta(description="The plan's `plan_fingerprint`.")]
    view_name: Annotated[Optional[Name], msgspec.Meta(description="The view the plan defines, if any.")] = None
    sql: Annotated[
        Optional[Text], msgspec.Meta(description="The statement (v2), for listings without the payload.")
    ] = None
    substrait_roundtrip: Annotated[
        Optional[bool], msgspec.Meta(description="Whether Substrait round-tripped (v2), for listings.")
    ] = None
    contract_version: Annotated[SemVer, msgspec.Meta(description="The artifact-contracts version that wrote the row.")]
    contract_hash: Annotated[
        Fingerprint, msgspec.Meta(description="`contract_hash()` of the release that wrote the row.")
    ]
    created_at: Annotated[UtcDateTime, msgspec.Meta(description="When the row was written.")]
    payload: Annotated[bytes, msgspec.Meta(description="`dumps_msgpack` of the PlanArtifacts.")]
    environment: Annotated[
        Optional[bytes],
        msgspec.Meta(description="`dumps_msgpack` of the PlanningEnvironment the plan was built in."),
    ] = None
    audit_bundle: Annotated[
        Optional[bytes],
        msgspec.Meta(description="`dumps_msgpack` of the plan's DeterminismAuditBundle."),
    ] = None
