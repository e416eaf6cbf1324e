"""Engine inputs: the session configuration and the pipeline spec (Strict; TOML or JSON)."""

from typing import Annotated, Literal, Optional

import msgspec

from artifact_contracts.base import StructBaseStrict
from artifact_contracts.models.delta import DeltaProtocolGate, DeltaSchemaPolicy, DeltaWritePolicy
from artifact_contracts.models.types import NO_NEWLINE, Name, Text

__all__ = ["EngineConfig", "PipelineSpec", "QuerySpec", "TableSpec", "ViewSpec"]


class EngineConfig(StructBaseStrict):
    """How the DataFusion session is built. Pinned values make plans reproducible."""

    target_partitions: Annotated[
        int, msgspec.Meta(ge=1, le=4096, description="Pinned so plan texts do not follow the CPU count.")
    ] = 4
    batch_size: Annotated[
        int, msgspec.Meta(ge=1, le=2**31 - 1, description="Rows per record batch (`datafusion.execution.batch_size`).")
    ] = 8192
    settings: Annotated[
        dict[Annotated[str, msgspec.Meta(pattern=rf"^{NO_NEWLINE}datafusion\.[a-z0-9_.]+$")], str],
        msgspec.Meta(description="Extra DataFusion settings, e.g. `datafusion.optimizer.max_passes`."),
    ] = {}


class TableSpec(StructBaseStrict):
    """A table to register: parquet files or a Delta table, under a name."""

    name: Annotated[Name, msgspec.Meta(description="The name SQL refers to the table by.")]
    path: Annotated[Text, msgspec.Meta(min_length=1, description="A Delta table directory or parquet file/directory.")]
    format: Annotated[Literal["delta", "parquet"], msgspec.Meta(description="How the data at `path` is stored.")] = (
        "delta"
    )


class ViewSpec(StructBaseStrict):
    """A view to register and record as a ViewArtifact."""

    name: Annotated[Name, msgspec.Meta(description="The view name.")]
    sql: Annotated[Text, msgspec.Meta(min_length=1, description="The view's defining `SELECT`.")]


class QuerySpec(StructBaseStrict):
    """A query to plan, execute and record."""

    name: Annotated[Name, msgspec.Meta(description="A name for the query, used in reports.")]
    sql: Annotated[Text, msgspec.Meta(min_length=1, description="The statement to plan and run.")]


class PipelineSpec(StructBaseStrict):
    """What `engine-app run --spec FILE` does. With no spec, the demo's built-in one."""

    engine: Annotated[EngineConfig, msgspec.Meta(description="How the session is built.")] = EngineConfig()
    tpch_scale: Annotated[
        Optional[Annotated[float, msgspec.Meta(gt=0.0, le=10.0)]],
        msgspec.Meta(description="Generate TPC-H at this scale factor into the warehouse first."),
    ] = None
    tables: Annotated[tuple[TableSpec, ...], msgspec.Meta(description="Tables to register, in order.")] = ()
    views: Annotated[
        tuple[ViewSpec, ...], msgspec.Meta(description="Views to register after the tables, in order.")
    ] = ()
    queries: Annotated[tuple[QuerySpec, ...], msgspec.Meta(description="Queries to run, in order.")] = ()
    write_policy: Annotated[DeltaWritePolicy, msgspec.Meta(description="How the pipeline writes Delta tables.")] = (
        DeltaWritePolicy()
    )
    schema_policy: Annotated[
        DeltaSchemaPolicy, msgspec.Meta(description="What the pipeline's writes accept on schema drift.")
    ] = DeltaSchemaPolicy()
    protocol_gate: Annotated[
        DeltaProtocolGate, msgspec.Meta(description="The Delta protocol the pipeline agrees to use.")
    ] = DeltaProtocolGate()
