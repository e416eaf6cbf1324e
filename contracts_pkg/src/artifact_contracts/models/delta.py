"""Delta Lake write, schema, scan and protocol policies.

The policies are inputs (Strict: a typo is an error). Artifacts that record the policy
they ran under store the Compat ``...Snapshot`` twin, which reads any later release's
additions.
"""

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Optional

import msgspec

from artifact_contracts.base import StructBaseStrict, compat_snapshot
from artifact_contracts.models.types import ColumnName, Text, UtcDateTime, Version

__all__ = [
    "DeltaProtocolGate",
    "DeltaProtocolGateSnapshot",
    "DeltaScanConfig",
    "DeltaScanConfigSnapshot",
    "DeltaSchemaPolicy",
    "DeltaSchemaPolicySnapshot",
    "DeltaWritePolicy",
    "DeltaWritePolicySnapshot",
]

Columns = Annotated[tuple[ColumnName, ...], msgspec.Meta(max_length=1024)]


class DeltaWritePolicy(StructBaseStrict):
    """How the write pipeline lays out the files of one Delta table."""

    mode: Annotated[
        Literal["append", "overwrite"], msgspec.Meta(description="Add to the table, or replace its contents.")
    ] = "append"
    partition_by: Annotated[Columns, msgspec.Meta(description="Partition columns, in order.")] = ()
    zorder_by: Annotated[
        Columns, msgspec.Meta(description="Columns to Z-order by with `optimize.z_order` after the write.")
    ] = ()
    target_file_size: Annotated[
        Optional[Annotated[int, msgspec.Meta(ge=1, le=2**40)]],
        msgspec.Meta(description="Target data file size in bytes; None for the writer's default."),
    ] = None
    max_rows_per_group: Annotated[
        Optional[Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]],
        msgspec.Meta(description="Largest parquet row group, in rows."),
    ] = None
    stats_policy: Annotated[
        Literal["off", "explicit", "auto"],
        msgspec.Meta(description="`off`: no column stats; `explicit`: only `stats_columns`; `auto`: Delta's default."),
    ] = "auto"
    stats_columns: Annotated[Columns, msgspec.Meta(description="The columns with stats, for `explicit`.")] = ()
    compression: Annotated[
        Literal["snappy", "zstd", "gzip", "lz4", "brotli", "uncompressed"],
        msgspec.Meta(description="The parquet compression codec."),
    ] = "zstd"
    compression_level: Annotated[
        Optional[Annotated[int, msgspec.Meta(ge=1, le=22)]],
        msgspec.Meta(description="The codec's level; None for its default."),
    ] = None
    change_data_feed: Annotated[
        bool, msgspec.Meta(description="Record a change data feed (`delta.enableChangeDataFeed`).")
    ] = False

    def __post_init__(self) -> None:
        """Reject combinations the fields cannot express on their own."""
        if self.stats_policy == "explicit" and not self.stats_columns:
            raise ValueError("stats_policy 'explicit' needs at least one of stats_columns")
        if self.stats_policy != "explicit" and self.stats_columns:
            raise ValueError("stats_columns is only allowed with stats_policy 'explicit'")

    # The same rule for JSON Schema validators, merged into the exported component.
    __json_schema_extra__: ClassVar[dict[str, Any]] = {
        "allOf": [
            {
                "if": {"properties": {"stats_policy": {"const": "explicit"}}, "required": ["stats_policy"]},
                "then": {"properties": {"stats_columns": {"minItems": 1}}, "required": ["stats_columns"]},
                "else": {"properties": {"stats_columns": {"maxItems": 0}}},
            }
        ]
    }


class DeltaSchemaPolicy(StructBaseStrict):
    """What the write pipeline accepts when incoming data and the table schema differ."""

    schema_mode: Annotated[
        Literal["strict", "merge", "overwrite"],
        msgspec.Meta(description="`strict`: must match; `merge`: add new columns; `overwrite`: replace."),
    ] = "strict"
    required_columns: Annotated[Columns, msgspec.Meta(description="Columns the data must contain.")] = ()
    non_nullable_columns: Annotated[Columns, msgspec.Meta(description="Columns that must hold no nulls.")] = ()


class DeltaScanConfig(StructBaseStrict):
    """What to read from a Delta table: columns, filter and version (time travel)."""

    columns: Annotated[Optional[Columns], msgspec.Meta(description="Projected columns; None for all.")] = None
    predicate: Annotated[
        Optional[Text], msgspec.Meta(description="A SQL boolean expression pushed down to the scan.")
    ] = None
    version: Annotated[Optional[Version], msgspec.Meta(description="Read this table version; None for the latest.")] = (
        None
    )
    timestamp: Annotated[
        Optional[UtcDateTime], msgspec.Meta(description="Read the version current at this time; None for now.")
    ] = None

    def __post_init__(self) -> None:
        """Time travel is by version or by timestamp, not both."""
        if self.version is not None and self.timestamp is not None:
            raise ValueError("give version or timestamp, not both")

    __json_schema_extra__: ClassVar[dict[str, Any]] = {
        "not": {
            "properties": {"version": {"type": "integer"}, "timestamp": {"type": "string"}},
            "required": ["version", "timestamp"],
        }
    }


class DeltaProtocolGate(StructBaseStrict):
    """The Delta protocol versions and table features this engine agrees to read and write."""

    max_reader_version: Annotated[
        int, msgspec.Meta(ge=1, le=3, description="The highest `minReaderVersion` accepted.")
    ] = 3
    max_writer_version: Annotated[
        int, msgspec.Meta(ge=1, le=7, description="The highest `minWriterVersion` accepted.")
    ] = 7
    allowed_reader_features: Annotated[
        tuple[Annotated[str, msgspec.Meta(min_length=1)], ...],
        msgspec.Meta(description="Reader features allowed (protocol 3 tables)."),
    ] = ("columnMapping", "timestampNtz", "v2Checkpoint")
    allowed_writer_features: Annotated[
        tuple[Annotated[str, msgspec.Meta(min_length=1)], ...],
        msgspec.Meta(description="Writer features allowed (protocol 7 tables)."),
    ] = (
        "appendOnly",
        "changeDataFeed",
        "checkConstraints",
        "columnMapping",
        "generatedColumns",
        "invariants",
        "timestampNtz",
        "v2Checkpoint",
    )


if TYPE_CHECKING:  # to a type checker, a snapshot has its input's fields

    class DeltaWritePolicySnapshot(DeltaWritePolicy):
        """The DeltaWritePolicy a write ran under, as persisted."""

    class DeltaSchemaPolicySnapshot(DeltaSchemaPolicy):
        """The DeltaSchemaPolicy a write ran under, as persisted."""

    class DeltaScanConfigSnapshot(DeltaScanConfig):
        """The DeltaScanConfig a scan ran under, as persisted."""

    class DeltaProtocolGateSnapshot(DeltaProtocolGate):
        """The DeltaProtocolGate a scan ran under, as persisted."""

else:
    DeltaWritePolicySnapshot = compat_snapshot(
        DeltaWritePolicy, "DeltaWritePolicySnapshot", "The DeltaWritePolicy a write ran under, as persisted."
    )
    DeltaSchemaPolicySnapshot = compat_snapshot(
        DeltaSchemaPolicy, "DeltaSchemaPolicySnapshot", "The DeltaSchemaPolicy a write ran under, as persisted."
    )
    DeltaScanConfigSnapshot = compat_snapshot(
        DeltaScanConfig, "DeltaScanConfigSnapshot", "The DeltaScanConfig a scan ran under, as persisted."
    )
    DeltaProtocolGateSnapshot = compat_snapshot(
        DeltaProtocolGate, "DeltaProtocolGateSnapshot", "The DeltaProtocolGate a scan ran under, as persisted."
    )
