"""Dataclass twins of PlanArtifacts and DeltaWritePolicy for orjson, validated by hand."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from typing import Any, Optional

import orjson

from artifact_contracts import dumps_json
from artifact_contracts.models import DeltaWritePolicy, PlanArtifacts
from benchmarks.peer_constants import FINGERPRINT, INT64_MAX, NAME, SEMVER, TEXT_MAX

__all__ = ["DPlanArtifacts", "DWritePolicy", "OrjsonCodec"]

_FROZEN = {"frozen": True, "slots": True}


@dataclasses.dataclass(**_FROZEN)
class DExplainRow:
    plan_type: str
    plan: str


@dataclasses.dataclass(**_FROZEN)
class DTable:
    table_catalog: str
    table_schema: str
    table_name: str
    table_type: str


@dataclasses.dataclass(**_FROZEN)
class DColumnInfo:
    table_catalog: str
    table_schema: str
    table_name: str
    column_name: str
    ordinal_position: int
    data_type: str
    is_nullable: bool


@dataclasses.dataclass(**_FROZEN)
class DSetting:
    name: str
    value: Optional[str] = None


@dataclasses.dataclass(**_FROZEN)
class DInformationSchema:
    tables: tuple[DTable, ...] = ()
    columns: tuple[DColumnInfo, ...] = ()
    settings: tuple[DSetting, ...] = ()


@dataclasses.dataclass(**_FROZEN)
class DArrowField:
    name: str
    data_type: str
    nullable: bool = True


@dataclasses.dataclass(**_FROZEN)
class DArrowSchema:
    fields: tuple[DArrowField, ...] = ()


@dataclasses.dataclass(**_FROZEN)
class DSubstraitValidation:
    roundtrip_ok: bool
    plan_matches: Optional[bool] = None
    error: Optional[str] = None
    extension_count: int = 0


@dataclasses.dataclass(**_FROZEN)
class DPlanTexts:
    logical: str
    optimized_logical: str
    physical: str


@dataclasses.dataclass(**_FROZEN)
class DPlanArtifacts:
    kind: str
    sql: str
    view_name: Optional[str]
    plan_fingerprint: str
    explain: tuple[DExplainRow, ...]
    output_schema: DArrowSchema
    information_schema: DInformationSchema
    information_schema_hash: str
    substrait: Optional[bytes]
    substrait_validation: DSubstraitValidation
    datafusion_proto: Optional[bytes]
    datafusion_proto_absent_reason: Optional[str]
    rulepack_hash: str
    planning_env_hash: str
    texts: DPlanTexts
    datafusion_version: str


@dataclasses.dataclass(**_FROZEN)
class DWritePolicy:
    mode: str = "append"
    partition_by: tuple[str, ...] = ()
    zorder_by: tuple[str, ...] = ()
    target_file_size: Optional[int] = None
    max_rows_per_group: Optional[int] = None
    stats_policy: str = "auto"
    stats_columns: tuple[str, ...] = ()
    compression: str = "zstd"
    compression_level: Optional[int] = None


_MISSING: Any = object()
_FINGERPRINT = re.compile(FINGERPRINT)
_NAME = re.compile(NAME)
_SEMVER = re.compile(SEMVER)


class _Invalid(ValueError):
    pass


def _get(obj: dict[str, Any], key: str, path: str, default: Any = _MISSING) -> Any:
    value = obj.get(key, _MISSING)
    if value is _MISSING:
        if default is _MISSING:
            raise _Invalid(f"missing required field `{key}` at {path}")
        return default
    return value


def _str(
    value: Any,
    path: str,
    *,
    pattern: re.Pattern[str] | None = None,
    min_len: int = 0,
    max_len: int = TEXT_MAX,
    optional: bool = False,
) -> Any:
    if value is None and optional:
        return None
    if type(value) is not str:
        raise _Invalid(f"expected str at {path}")
    if not min_len <= len(value) <= max_len:
        raise _Invalid(f"length out of range at {path}")
    if pattern is not None and pattern.search(value) is None:
        raise _Invalid(f"does not match {pattern.pattern} at {path}")
    return value


def _int(value: Any, path: str, *, lo: int, hi: int, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if type(value) is not int or not lo <= value <= hi:
        raise _Invalid(f"expected int in [{lo}, {hi}] at {path}")
    return value


def _bool(value: Any, path: str, *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if type(value) is not bool:
        raise _Invalid(f"expected bool at {path}")
    return value


def _obj(value: Any, path: str, known: frozenset[str] | None = None) -> dict[str, Any]:
    if type(value) is not dict:
        raise _Invalid(f"expected object at {path}")
    if known is not None and not value.keys() <= known:
        raise _Invalid(f"unknown field {sorted(value.keys() - known)[0]} at {path}")
    return value


def _list(value: Any, path: str, max_len: int | None = None) -> list[Any]:
    if type(value) is not list:
        raise _Invalid(f"expected array at {path}")
    if max_len is not None and len(value) > max_len:
        raise _Invalid(f"too many items at {path}")
    return value


def _b64(value: Any, path: str) -> Optional[bytes]:
    if value is None:
        return None
    try:
        return base64.b64decode(_str(value, path), validate=True)
    except binascii.Error as exc:
        raise _Invalid(f"invalid base64 at {path}") from exc


def _explain(raw: Any, path: str) -> DExplainRow:
    o = _obj(raw, path)
    return DExplainRow(
        plan_type=_str(_get(o, "plan_type", path), path + ".plan_type"),
        plan=_str(_get(o, "plan", path), path + ".plan"),
    )


def _table(raw: Any, path: str) -> DTable:
    o = _obj(raw, path)
    return DTable(
        *(_str(_get(o, k, path), f"{path}.{k}") for k in ("table_catalog", "table_schema", "table_name", "table_type"))
    )


def _column(raw: Any, path: str) -> DColumnInfo:
    o = _obj(raw, path)
    return DColumnInfo(
        table_catalog=_str(_get(o, "table_catalog", path), path + ".table_catalog"),
        table_schema=_str(_get(o, "table_schema", path), path + ".table_schema"),
        table_name=_str(_get(o, "table_name", path), path + ".table_name"),
        column_name=_str(_get(o, "column_name", path), path + ".column_name", min_len=1, max_len=255),
        ordinal_position=_int(_get(o, "ordinal_position", path), path + ".ordinal_position", lo=0, hi=INT64_MAX),
        data_type=_str(_get(o, "data_type", path), path + ".data_type"),
        is_nullable=_bool(_get(o, "is_nullable", path), path + ".is_nullable"),
    )


def _setting(raw: Any, path: str) -> DSetting:
    o = _obj(raw, path)
    return DSetting(
        name=_str(_get(o, "name", path), path + ".name", min_len=1),
        value=_str(_get(o, "value", path, None), path + ".value", optional=True),
    )


def _info(raw: Any, path: str) -> DInformationSchema:
    o = _obj(raw, path)
    return DInformationSchema(
        tables=tuple(_table(t, f"{path}.tables[{i}]") for i, t in enumerate(_list(_get(o, "tables", path, []), path))),
        columns=tuple(
            _column(c, f"{path}.columns[{i}]") for i, c in enumerate(_list(_get(o, "columns", path, []), path))
        ),
        settings=tuple(
            _setting(s, f"{path}.settings[{i}]") for i, s in enumerate(_list(_get(o, "settings", path, []), path))
        ),
    )


def _field(raw: Any, path: str) -> DArrowField:
    o = _obj(raw, path)
    return DArrowField(
        name=_str(_get(o, "name", path), path + ".name", min_len=1, max_len=255),
        data_type=_str(_get(o, "data_type", path), path + ".data_type"),
        nullable=_bool(_get(o, "nullable", path, True), path + ".nullable"),
    )


def _plan(raw: Any) -> DPlanArtifacts:
    p = "$"
    o = _obj(raw, p)
    if _get(o, "kind", p, "plan_artifacts") != "plan_artifacts":
        raise _Invalid("invalid tag at $.kind")
    schema = _obj(_get(o, "output_schema", p, {}), p + ".output_schema")
    validation = _obj(_get(o, "substrait_validation", p), p + ".substrait_validation")
    texts = _obj(_get(o, "texts", p), p + ".texts")
    return DPlanArtifacts(
        kind="plan_artifacts",
        sql=_str(_get(o, "sql", p), p + ".sql"),
        view_name=_str(
            _get(o, "view_name", p, None), p + ".view_name", pattern=_NAME, min_len=1, max_len=255, optional=True
        ),
        plan_fingerprint=_str(_get(o, "plan_fingerprint", p), p + ".plan_fingerprint", pattern=_FINGERPRINT),
        explain=tuple(_explain(r, f"$.explain[{i}]") for i, r in enumerate(_list(_get(o, "explain", p, []), p))),
        output_schema=DArrowSchema(
            fields=tuple(
                _field(f, f"$.output_schema.fields[{i}]") for i, f in enumerate(_list(_get(schema, "fields", p, []), p))
            )
        ),
        information_schema=_info(_get(o, "information_schema", p, {}), p + ".information_schema"),
        information_schema_hash=_str(
            _get(o, "information_schema_hash", p), p + ".information_schema_hash", pattern=_FINGERPRINT
        ),
        substrait=_b64(_get(o, "substrait", p, None), p + ".substrait"),
        substrait_validation=DSubstraitValidation(
            roundtrip_ok=_bool(_get(validation, "roundtrip_ok", p), p + ".substrait_validation.roundtrip_ok"),
            plan_matches=_bool(_get(validation, "plan_matches", p, None), p, optional=True),
            error=_str(_get(validation, "error", p, None), p, optional=True),
            extension_count=_int(_get(validation, "extension_count", p, 0), p, lo=0, hi=INT64_MAX),
        ),
        datafusion_proto=_b64(_get(o, "datafusion_proto", p, None), p + ".datafusion_proto"),
        datafusion_proto_absent_reason=_str(_get(o, "datafusion_proto_absent_reason", p, None), p, optional=True),
        rulepack_hash=_str(_get(o, "rulepack_hash", p), p + ".rulepack_hash", pattern=_FINGERPRINT),
        planning_env_hash=_str(_get(o, "planning_env_hash", p), p + ".planning_env_hash", pattern=_FINGERPRINT),
        texts=DPlanTexts(
            *(_str(_get(texts, k, p), f"$.texts.{k}") for k in ("logical", "optimized_logical", "physical"))
        ),
        datafusion_version=_str(_get(o, "datafusion_version", p), p + ".datafusion_version", pattern=_SEMVER),
    )


_POLICY_FIELDS = frozenset(f.name for f in dataclasses.fields(DWritePolicy))
_COMPRESSIONS = frozenset({"snappy", "zstd", "gzip", "lz4", "brotli", "uncompressed"})


def _columns(value: Any, path: str) -> tuple[str, ...]:
    return tuple(_str(c, f"{path}[{i}]", min_len=1, max_len=255) for i, c in enumerate(_list(value, path, 1024)))


def _policy(raw: Any) -> DWritePolicy:
    o = _obj(raw, "$", _POLICY_FIELDS)
    mode = _get(o, "mode", "$", "append")
    stats_policy = _get(o, "stats_policy", "$", "auto")
    compression = _get(o, "compression", "$", "zstd")
    if mode not in ("append", "overwrite") or stats_policy not in ("off", "explicit", "auto"):
        raise _Invalid("invalid enum value")
    if compression not in _COMPRESSIONS:
        raise _Invalid("invalid enum value at $.compression")
    policy = DWritePolicy(
        mode=mode,
        partition_by=_columns(_get(o, "partition_by", "$", []), "$.partition_by"),
        zorder_by=_columns(_get(o, "zorder_by", "$", []), "$.zorder_by"),
        target_file_size=_int(
            _get(o, "target_file_size", "$", None), "$.target_file_size", lo=1, hi=2**40, optional=True
        ),
        max_rows_per_group=_int(
            _get(o, "max_rows_per_group", "$", None), "$.max_rows_per_group", lo=1, hi=2**31 - 1, optional=True
        ),
        stats_policy=stats_policy,
        stats_columns=_columns(_get(o, "stats_columns", "$", []), "$.stats_columns"),
        compression=compression,
        compression_level=_int(
            _get(o, "compression_level", "$", None), "$.compression_level", lo=1, hi=22, optional=True
        ),
    )
    if (policy.stats_policy == "explicit") != bool(policy.stats_columns):
        raise _Invalid("stats_columns must be given exactly with stats_policy 'explicit'")
    return policy


def _default(obj: Any) -> Any:
    if isinstance(obj, bytes):
        return base64.b64encode(obj).decode("ascii")
    raise TypeError(f"Type is not JSON serializable: {type(obj).__name__}")


def _to_dataclass(value: PlanArtifacts | DeltaWritePolicy) -> Any:
    """Build the dataclass twin of a contract value (through the codec's JSON)."""
    return OrjsonCodec.decoders[type(value)](orjson.loads(dumps_json(value)))


class OrjsonCodec:
    """``dumps(obj) -> bytes`` and ``loads_<kind>(data) -> dataclass`` with manual validation."""

    decoders: dict[type, Any] = {PlanArtifacts: _plan, DeltaWritePolicy: _policy}

    @staticmethod
    def dumps(obj: Any) -> bytes:
        """Encode a dataclass twin (bytes as base64)."""
        return orjson.dumps(obj, default=_default)

    @staticmethod
    def loads_plan(data: bytes) -> DPlanArtifacts:
        """Decode and validate a plan artifact."""
        return _plan(orjson.loads(data))

    @staticmethod
    def loads_policy(data: bytes) -> DWritePolicy:
        """Decode and validate a write policy."""
        return _policy(orjson.loads(data))

    to_dataclass = staticmethod(_to_dataclass)
