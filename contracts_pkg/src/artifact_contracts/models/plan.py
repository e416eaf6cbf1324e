"""Query plan artifacts: what the engine records about every plan it builds."""

from typing import Annotated, Literal, Optional

import msgspec

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.ext import DataFusionProtoBytes, SubstraitBytes
from artifact_contracts.models._types import (
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

PLAN_ARTIFACT_SCHEMA_VERSION = 1
"""The artifact store's schema version: ``datafusion_plan_artifacts_v<N>``."""


class ExplainRow(StructBaseCompat):
    """One row of ``EXPLAIN`` output."""

    plan_type: Annotated[str, msgspec.Meta(description="The plan stage, e.g. `logical_plan`.")]
    plan: Annotated[Text, msgspec.Meta(description="The plan text of that stage.")]


class InformationSchemaTable(StructBaseCompat):
    """A table or view as ``information_schema.tables`` lists it."""

    table_catalog: str
    table_schema: str
    table_name: str
    table_type: Annotated[str, msgspec.Meta(description="`BASE TABLE`, `VIEW`, ...")]


class InformationSchemaColumn(StructBaseCompat):
    """A column as ``information_schema.columns`` lists it."""

    table_catalog: str
    table_schema: str
    table_name: str
    column_name: ColumnName
    ordinal_position: Annotated[Count, msgspec.Meta(description="0-based position in the table.")]
    data_type: Annotated[str, msgspec.Meta(description="The Arrow data type, as DataFusion names it.")]
    is_nullable: bool


class SessionSetting(StructBaseCompat):
    """One session configuration entry (``information_schema.df_settings``)."""

    name: Annotated[str, msgspec.Meta(min_length=1)]
    value: Optional[str] = None


class InformationSchemaSnapshot(StructBaseCompat):
    """The catalog the plan was built against, sorted for determinism."""

    tables: tuple[InformationSchemaTable, ...] = ()
    columns: tuple[InformationSchemaColumn, ...] = ()
    settings: tuple[SessionSetting, ...] = ()


class SubstraitValidation(StructBaseCompat):
    """The result of converting the Substrait plan back into a DataFusion plan."""

    roundtrip_ok: Annotated[bool, msgspec.Meta(description="The bytes decoded back into a plan.")]
    plan_matches: Annotated[
        Optional[bool],
        msgspec.Meta(description="The round-tripped logical plan prints as the original; None if unknown."),
    ] = None
    error: Annotated[Optional[Text], msgspec.Meta(description="Why the round trip failed.")] = None
    extension_count: Count = 0


class PlanTexts(StructBaseCompat):
    """The plan at each stage, as indented text.

    ``physical`` has warehouse file paths replaced by table-relative ones, so the text
    (and every fingerprint over it) does not depend on where the warehouse lives.
    """

    logical: Text
    optimized_logical: Text
    physical: Text


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
    explain: tuple[ExplainRow, ...] = ()
    output_schema: ArrowSchemaSnapshot = ArrowSchemaSnapshot()
    information_schema: InformationSchemaSnapshot = InformationSchemaSnapshot()
    information_schema_hash: Fingerprint
    substrait: Annotated[
        Optional[SubstraitBytes], msgspec.Meta(description="Canonical Substrait plan bytes (ext 10).")
    ] = None
    substrait_validation: SubstraitValidation
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
    planning_env_hash: Fingerprint
    texts: PlanTexts
    datafusion_version: SemVer


class TableSource(StructBaseCompat):
    """A table a session had registered when it planned: where to find it again."""

    name: Name
    format: Annotated[Literal["delta", "parquet"], msgspec.Meta(description="How the table is read.")]
    location: Annotated[
        Text, msgspec.Meta(min_length=1, description="Absolute path or URI of the table root or file.")
    ]


class ViewSource(StructBaseCompat):
    """A view a session had registered when it planned, in registration order."""

    name: Name
    sql: Text


class PlanningEnvironment(StructBaseCompat):
    """What a fresh process needs to plan a stored statement again (the audit's input).

    Kept beside the artifact, never inside it: locations are machine facts, and the
    artifact must not depend on where the warehouse lives.
    """

    target_partitions: Annotated[int, msgspec.Meta(ge=1, le=4096)]
    batch_size: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] = 8192
    settings: Annotated[
        dict[str, str], msgspec.Meta(description="The engine config's extra DataFusion settings.")
    ] = {}
    tables: tuple[TableSource, ...] = ()
    views: tuple[ViewSource, ...] = ()


class PlanArtifactRow(StructBaseCompat):
    """One row of the ``datafusion_plan_artifacts_v<N>`` Delta table."""

    plan_fingerprint: Fingerprint
    view_name: Optional[Name] = None
    contract_version: SemVer
    contract_hash: Fingerprint
    created_at: UtcDateTime
    payload: Annotated[bytes, msgspec.Meta(description="`dumps_msgpack` of the PlanArtifacts.")]
    environment: Annotated[
        Optional[bytes],
        msgspec.Meta(description="`dumps_msgpack` of the PlanningEnvironment the plan was built in."),
    ] = None
    audit_bundle: Annotated[
        Optional[bytes],
        msgspec.Meta(description="`dumps_msgpack` of the plan's DeterminismAuditBundle."),
    ] = None
