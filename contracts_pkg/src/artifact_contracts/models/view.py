"""View definitions and the Arrow schema snapshots they expose."""

from typing import Annotated

import msgspec

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.models.types import ColumnName, Fingerprint, Name, SemVer, Text, UtcDateTime

__all__ = ["ArrowField", "ArrowSchemaSnapshot", "ViewArtifact", "ViewArtifactRow"]


class ArrowField(StructBaseCompat):
    """One field of an Arrow schema."""

    name: Annotated[ColumnName, msgspec.Meta(description="The field name.")]
    data_type: Annotated[str, msgspec.Meta(description="The Arrow type as pyarrow prints it, e.g. `int64`.")]
    nullable: Annotated[bool, msgspec.Meta(description="Whether the field admits nulls.")] = True


class ArrowSchemaSnapshot(StructBaseCompat):
    """An Arrow schema, field by field, in order."""

    fields: Annotated[tuple[ArrowField, ...], msgspec.Meta(description="The fields, in schema order.")] = ()


class ViewArtifact(StructBaseCompat, tag="view", tag_field="kind"):
    """A registered view: its SQL, what it outputs and what it reads."""

    name: Annotated[Name, msgspec.Meta(description="The view name.")]
    sql: Annotated[Text, msgspec.Meta(description="The view's defining `SELECT`.")]
    output_schema: Annotated[ArrowSchemaSnapshot, msgspec.Meta(description="The Arrow schema the view outputs.")]
    dependencies: Annotated[tuple[Name, ...], msgspec.Meta(description="Tables and views the SQL reads, sorted.")] = ()
    plan_fingerprint: Annotated[Fingerprint, msgspec.Meta(description="The `plan_fingerprint` of the view's plan.")]


class ViewArtifactRow(StructBaseCompat):
    """One row of the ``datafusion_view_artifacts_v<N>`` Delta table."""

    view_name: Annotated[Name, msgspec.Meta(description="The view the row records.")]
    plan_fingerprint: Annotated[Fingerprint, msgspec.Meta(description="The `plan_fingerprint` of the view's plan.")]
    contract_version: Annotated[SemVer, msgspec.Meta(description="The artifact-contracts version that wrote the row.")]
    contract_hash: Annotated[
        Fingerprint, msgspec.Meta(description="`contract_hash()` of the release that wrote the row.")
    ]
    created_at: Annotated[UtcDateTime, msgspec.Meta(description="When the row was written.")]
    payload: Annotated[bytes, msgspec.Meta(description="`dumps_msgpack` of the ViewArtifact.")]
