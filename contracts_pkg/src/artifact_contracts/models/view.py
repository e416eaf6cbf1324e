"""View definitions and the Arrow schema snapshots they expose."""

from typing import Annotated

import msgspec

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.models._types import ColumnName, Fingerprint, Name, SemVer, Text, UtcDateTime

__all__ = ["ArrowField", "ArrowSchemaSnapshot", "ViewArtifact", "ViewArtifactRow"]


class ArrowField(StructBaseCompat):
    """One field of an Arrow schema."""

    name: ColumnName
    data_type: Annotated[str, msgspec.Meta(description="The Arrow type as pyarrow prints it, e.g. `int64`.")]
    nullable: bool = True


class ArrowSchemaSnapshot(StructBaseCompat):
    """An Arrow schema, field by field, in order."""

    fields: tuple[ArrowField, ...] = ()


class ViewArtifact(StructBaseCompat, tag="view", tag_field="kind"):
    """A registered view: its SQL, what it outputs and what it reads."""

    name: Name
    sql: Text
    output_schema: ArrowSchemaSnapshot
    dependencies: Annotated[tuple[Name, ...], msgspec.Meta(description="Tables and views the SQL reads, sorted.")] = ()
    plan_fingerprint: Fingerprint


class ViewArtifactRow(StructBaseCompat):
    """One row of the ``datafusion_view_artifacts_v<N>`` Delta table."""

    view_name: Name
    plan_fingerprint: Fingerprint
    contract_version: SemVer
    contract_hash: Fingerprint
    created_at: UtcDateTime
    payload: Annotated[bytes, msgspec.Meta(description="`dumps_msgpack` of the ViewArtifact.")]
