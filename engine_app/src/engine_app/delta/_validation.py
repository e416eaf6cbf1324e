"""Check a write against its policies and the table before anything is committed.

Every rule here runs before the first commit of a write, so a refused write leaves the
table at the version it had. Each problem is a :class:`ValidationIssue` whose path points
into the policy (``$.write_policy.zorder_by[1]``) or the data (``$.data.amount``).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa
from deltalake import DeltaTable

from artifact_contracts import ValidationIssue
from artifact_contracts.models import DeltaSchemaPolicy, DeltaWritePolicy
from engine_app.errors import PolicyError, SchemaPolicyError

__all__ = ["check_policy", "conform_data"]

# Codecs whose level parquet understands, and the largest level each accepts.
_MAX_LEVEL = {"zstd": 22, "gzip": 9, "brotli": 11}


def _missing(columns: Iterable[str], available: set[str], path: str) -> list[ValidationIssue]:
    return [
        ValidationIssue(path=f"{path}[{i}]", message=f"column {name!r} is not in the data", kind="invalid_value")
        for i, name in enumerate(columns)
        if name not in available
    ]


def check_policy(
    write_policy: DeltaWritePolicy, schema_policy: DeltaSchemaPolicy, data: pa.Schema, table: DeltaTable | None
) -> None:
    """Refuse a write policy that cannot apply to this data and table.

    Args:
        write_policy: The write policy.
        schema_policy: The schema policy.
        data: The incoming data's schema.
        table: The existing table, or None when the write creates it.

    Raises:
        PolicyError: With one issue per problem found.
    """
    names = set(data.names)
    issues = _missing(write_policy.partition_by, names, "$.write_policy.partition_by")
    issues += _missing(write_policy.zorder_by, names, "$.write_policy.zorder_by")
    issues += _missing(write_policy.stats_columns, names, "$.write_policy.stats_columns")
    for i, name in enumerate(write_policy.zorder_by):
        if name in write_policy.partition_by:
            issues.append(
                ValidationIssue(
                    path=f"$.write_policy.zorder_by[{i}]",
                    message=f"{name!r} is a partition column; "
                    "Z-order clusters rows within a partition, so it cannot use one",
                )
            )
    for i, name in enumerate(write_policy.stats_columns):
        if "," in name:
            issues.append(
                ValidationIssue(
                    path=f"$.write_policy.stats_columns[{i}]",
                    message="delta.dataSkippingStatsColumns is comma-separated; a column with a comma cannot be listed",
                )
            )
    level = write_policy.compression_level
    if level is not None and level > _MAX_LEVEL.get(write_policy.compression, 0):
        limit = _MAX_LEVEL.get(write_policy.compression)
        message = (
            f"{write_policy.compression} takes no level"
            if limit is None
            else f"{write_policy.compression} levels go up to {limit}"
        )
        issues.append(ValidationIssue(path="$.write_policy.compression_level", message=message, kind="constraint"))
    if schema_policy.schema_mode == "overwrite" and write_policy.mode != "overwrite":
        issues.append(
            ValidationIssue(
                path="$.schema_policy.schema_mode", message="schema_mode 'overwrite' needs write mode 'overwrite'"
            )
        )
    if table is not None:
        issues += _check_against_table(write_policy, schema_policy, table)
    if issues:
        raise PolicyError("the write policy does not fit: " + "; ".join(i.message for i in issues), tuple(issues))


def _check_against_table(
    write_policy: DeltaWritePolicy, schema_policy: DeltaSchemaPolicy, table: DeltaTable
) -> list[ValidationIssue]:
    issues = []
    metadata = table.metadata()
    current = tuple(metadata.partition_columns)
    replacing = write_policy.mode == "overwrite" and schema_policy.schema_mode == "overwrite"
    if current != write_policy.partition_by and not replacing:
        issues.append(
            ValidationIssue(
                path="$.write_policy.partition_by",
                message=f"the table is partitioned by {list(current)}, "
                f"the policy says {list(write_policy.partition_by)}",
            )
        )
    if write_policy.stats_policy != "explicit" and "delta.dataSkippingStatsColumns" in metadata.configuration:
        issues.append(
            ValidationIssue(
                path="$.write_policy.stats_policy",
                message="the table lists explicit stats columns, which Delta cannot unset; "
                "keep stats_policy 'explicit'",
            )
        )
    return issues


def _unsupported(kind: pa.DataType) -> bool:
    """Whether Delta has no type for ``kind`` (delta-rs would fail mid-write)."""
    if pa.types.is_float16(kind) or pa.types.is_time(kind) or pa.types.is_duration(kind):
        return True
    if pa.types.is_interval(kind) or pa.types.is_union(kind):
        return True
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return _unsupported(kind.value_type)
    if pa.types.is_struct(kind):
        return any(_unsupported(kind.field(i).type) for i in range(kind.num_fields))
    if pa.types.is_map(kind):
        return _unsupported(kind.key_type) or _unsupported(kind.item_type)
    return False


def conform_data(data: pa.Table, schema_policy: DeltaSchemaPolicy, table: DeltaTable | None) -> pa.Table:
    """Check the data against the schema policy and the table, and align it to the table.

    ``strict`` needs exactly the table's columns, each castable to the table's type;
    ``merge`` also accepts new columns (they are added) and missing ones (null);
    ``overwrite`` replaces the table's schema with the data's.

    Args:
        data: The incoming rows.
        schema_policy: The schema policy.
        table: The existing table, or None when the write creates it.

    Returns:
        The data, cast to the table's types where the table has the column.

    Raises:
        SchemaPolicyError: With one issue per problem found.
    """
    names = set(data.column_names)
    issues = [
        ValidationIssue(path=f"$.data.{name}", message=f"required column {name!r} is missing", kind="missing_field")
        for name in schema_policy.required_columns
        if name not in names
    ]
    issues += [
        ValidationIssue(
            path=f"$.data.{field.name}",
            message=f"column {field.name!r} has type {field.type}, which Delta cannot store",
            kind="type_mismatch",
        )
        for field in data.schema
        if _unsupported(field.type)
    ]
    for name in schema_policy.non_nullable_columns:
        if name not in names:
            issues.append(
                ValidationIssue(
                    path=f"$.data.{name}", message=f"non-nullable column {name!r} is missing", kind="missing_field"
                )
            )
        elif data.column(name).null_count:
            issues.append(
                ValidationIssue(
                    path=f"$.data.{name}", message=f"column {name!r} holds {data.column(name).null_count} nulls"
                )
            )
    if table is not None and schema_policy.schema_mode != "overwrite":
        target = pa.schema(table.schema().to_arrow())
        if schema_policy.schema_mode == "strict":
            for name in sorted(set(target.names) - names):
                issues.append(
                    ValidationIssue(
                        path=f"$.data.{name}", message=f"table column {name!r} is missing", kind="missing_field"
                    )
                )
            for name in sorted(names - set(target.names)):
                issues.append(
                    ValidationIssue(
                        path=f"$.data.{name}",
                        message=f"column {name!r} is not in the table (schema_mode is strict)",
                        kind="unknown_field",
                    )
                )
        if not issues:
            data, cast_issues = _cast_shared(data, target)
            issues += cast_issues
    if issues:
        raise SchemaPolicyError(
            "the data does not fit the schema policy: " + "; ".join(i.message for i in issues), tuple(issues)
        )
    return data


def _cast_shared(data: pa.Table, target: pa.Schema) -> tuple[pa.Table, list[ValidationIssue]]:
    issues = []
    columns = []
    fields = []
    for field in data.schema:
        column = data.column(field.name)
        if field.name in target.names:
            want = target.field(field.name).type
            try:
                column = column.cast(want)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                issues.append(
                    ValidationIssue(
                        path=f"$.data.{field.name}",
                        message=f"column {field.name!r} ({field.type}) does not cast to the table's {want}: {exc}",
                        kind="type_mismatch",
                    )
                )
                continue
            field = field.with_type(want)
        columns.append(column)
        fields.append(field)
    order = [name for name in target.names if name in data.column_names]
    order += [name for name in data.column_names if name not in target.names]
    table = pa.Table.from_arrays(columns, schema=pa.schema(fields)) if not issues else data
    return table.select(order), issues
