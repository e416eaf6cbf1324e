"""Engine inputs: the session configuration and the pipeline spec (Strict; TOML or JSON)."""

from typing import Annotated, Literal, Optional

import msgspec

from artifact_contracts.base import StructBaseStrict
from artifact_contracts.models._types import Name, Text
from artifact_contracts.models.delta import DeltaProtocolGate, DeltaSchemaPolicy, DeltaWritePolicy

__all__ = ["EngineConfig", "PipelineSpec", "QuerySpec", "TableSpec", "ViewSpec"]


class EngineConfig(StructBaseStrict):
    """How the DataFusion session is built. Pinned values make plans reproducible."""

    target_partitions: Annotated[
        int, msgspec.Meta(ge=1, le=4096, description="Pinned so plan texts do not follow the CPU count.")
    ] = 4
    batch_size: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] = 8192
    settings: Annotated[
        dict[Annotated[str, msgspec.Meta(pattern=r"^datafusion\.[a-z0-9_.]+$")], str],
        msgspec.Meta(description="Extra DataFusion settings, e.g. `datafusion.optimizer.max_passes`."),
    ] = {}


class TableSpec(StructBaseStrict):
    """A table to register: parquet files or a Delta table, under a name."""

    name: Name
    path: Annotated[Text, msgspec.Meta(min_length=1)]
    format: Literal["delta", "parquet"] = "delta"


class ViewSpec(StructBaseStrict):
    """A view to register and record as a ViewArtifact."""

    name: Name
    sql: Annotated[Text, msgspec.Meta(min_length=1)]


class QuerySpec(StructBaseStrict):
    """A query to plan, execute and record."""

    name: Name
    sql: Annotated[Text, msgspec.Meta(min_length=1)]


class PipelineSpec(StructBaseStrict):
    """What `engine-app run --spec FILE` does. With no spec, the demo's built-in one."""

    engine: EngineConfig = EngineConfig()
    tpch_scale: Annotated[
        Optional[Annotated[float, msgspec.Meta(gt=0.0, le=10.0)]],
        msgspec.Meta(description="Generate TPC-H at this scale factor into the warehouse first."),
    ] = None
    tables: tuple[TableSpec, ...] = ()
    views: tuple[ViewSpec, ...] = ()
    queries: tuple[QuerySpec, ...] = ()
    write_policy: DeltaWritePolicy = DeltaWritePolicy()
    schema_policy: DeltaSchemaPolicy = DeltaSchemaPolicy()
    protocol_gate: DeltaProtocolGate = DeltaProtocolGate()
