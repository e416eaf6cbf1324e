"""pydantic v2 twins of PlanArtifacts and DeltaWritePolicy (strict, same constraints)."""

from __future__ import annotations

import base64
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints, model_validator

from benchmarks.peer_constants import FINGERPRINT, INT64_MAX, NAME, SEMVER, TEXT_MAX

__all__ = ["PydanticPlanArtifacts", "PydanticWritePolicy"]

PFingerprint = Annotated[str, StringConstraints(pattern=FINGERPRINT)]
PName = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=NAME)]
PColumn = Annotated[str, StringConstraints(min_length=1, max_length=255)]
PText = Annotated[str, StringConstraints(max_length=TEXT_MAX)]
PCount = Annotated[int, Field(ge=0, le=INT64_MAX)]
PSemVer = Annotated[str, StringConstraints(pattern=SEMVER)]
# pydantic's ``ser_json_bytes="base64"`` writes the URL-safe alphabet; the contracts use
# standard base64 (which its validator also reads).
PBytes = Annotated[
    bytes, PlainSerializer(lambda b: base64.b64encode(b).decode("ascii"), return_type=str, when_used="json")
]


class _Compat(BaseModel):
    model_config = ConfigDict(
        frozen=True, strict=True, extra="ignore", ser_json_bytes="base64", val_json_bytes="base64"
    )


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")


class PExplainRow(_Compat):
    plan_type: str
    plan: PText


class PTable(_Compat):
    table_catalog: str
    table_schema: str
    table_name: str
    table_type: str


class PColumnInfo(_Compat):
    table_catalog: str
    table_schema: str
    table_name: str
    column_name: PColumn
    ordinal_position: PCount
    data_type: str
    is_nullable: bool


class PSetting(_Compat):
    name: Annotated[str, StringConstraints(min_length=1)]
    value: Optional[str] = None


class PInformationSchema(_Compat):
    tables: tuple[PTable, ...] = ()
    columns: tuple[PColumnInfo, ...] = ()
    settings: tuple[PSetting, ...] = ()


class PArrowField(_Compat):
    name: PColumn
    data_type: str
    nullable: bool = True


class PArrowSchema(_Compat):
    fields: tuple[PArrowField, ...] = ()


class PSubstraitValidation(_Compat):
    roundtrip_ok: bool
    plan_matches: Optional[bool] = None
    error: Optional[PText] = None
    extension_count: PCount = 0


class PPlanTexts(_Compat):
    logical: PText
    optimized_logical: PText
    physical: PText


class PydanticPlanArtifacts(_Compat):
    """pydantic twin of :class:`PlanArtifacts`."""

    kind: Literal["plan_artifacts"] = "plan_artifacts"
    sql: PText
    view_name: Optional[PName] = None
    plan_fingerprint: PFingerprint
    explain: tuple[PExplainRow, ...] = ()
    output_schema: PArrowSchema = PArrowSchema()
    information_schema: PInformationSchema = PInformationSchema()
    information_schema_hash: PFingerprint
    substrait: Optional[PBytes] = None
    substrait_validation: PSubstraitValidation
    datafusion_proto: Optional[PBytes] = None
    datafusion_proto_absent_reason: Optional[PText] = None
    rulepack_hash: PFingerprint
    planning_env_hash: PFingerprint
    texts: PPlanTexts
    datafusion_version: PSemVer


PColumns = Annotated[tuple[PColumn, ...], Field(max_length=1024)]


class PydanticWritePolicy(_Strict):
    """pydantic twin of :class:`DeltaWritePolicy`."""

    mode: Literal["append", "overwrite"] = "append"
    partition_by: PColumns = ()
    zorder_by: PColumns = ()
    target_file_size: Optional[Annotated[int, Field(ge=1, le=2**40)]] = None
    max_rows_per_group: Optional[Annotated[int, Field(ge=1, le=2**31 - 1)]] = None
    stats_policy: Literal["off", "explicit", "auto"] = "auto"
    stats_columns: PColumns = ()
    compression: Literal["snappy", "zstd", "gzip", "lz4", "brotli", "uncompressed"] = "zstd"
    compression_level: Optional[Annotated[int, Field(ge=1, le=22)]] = None

    @model_validator(mode="after")
    def _stats(self) -> PydanticWritePolicy:
        if self.stats_policy == "explicit" and not self.stats_columns:
            raise ValueError("stats_policy 'explicit' needs at least one of stats_columns")
        if self.stats_policy != "explicit" and self.stats_columns:
            raise ValueError("stats_columns is only allowed with stats_policy 'explicit'")
        return self
