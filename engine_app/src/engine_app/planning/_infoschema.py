"""Snapshot the part of the information schema a plan was built against.

The snapshot covers the base tables the plan reads (not every registered table, so an
unrelated registration does not change a plan's fingerprint) and the session settings.
Rows are sorted, so equal catalogs give equal snapshots and equal hashes.
"""

from __future__ import annotations

from collections.abc import Iterable

from datafusion import SessionContext

from artifact_contracts.models import (
    InformationSchemaColumn,
    InformationSchemaSnapshot,
    InformationSchemaTable,
)
from engine_app.session import read_settings

__all__ = ["snapshot_information_schema"]


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def snapshot_information_schema(ctx: SessionContext, table_names: Iterable[str]) -> InformationSchemaSnapshot:
    """Read tables, columns and settings from the session's information schema.

    Args:
        ctx: A session with the information schema on.
        table_names: The tables to include.

    Returns:
        The snapshot, tables and columns sorted by name (columns by position).
    """
    names = sorted(set(table_names))
    if not names:
        return InformationSchemaSnapshot(settings=read_settings(ctx))
    # Every name is a quoted literal (quotes doubled); DataFusion's SQL API takes no
    # bound parameters for information_schema queries.
    in_list = ", ".join(_quote(name) for name in names)
    table_rows = ctx.sql(
        "SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables "  # noqa: S608
        f"WHERE table_schema <> 'information_schema' AND table_name IN ({in_list})"
    ).to_pylist()
    column_rows = ctx.sql(
        "SELECT table_catalog, table_schema, table_name, column_name, ordinal_position, data_type, "  # noqa: S608
        f"is_nullable FROM information_schema.columns WHERE table_name IN ({in_list})"
    ).to_pylist()
    tables = sorted(
        (InformationSchemaTable(**row) for row in table_rows),
        key=lambda t: (t.table_catalog, t.table_schema, t.table_name),
    )
    columns = sorted(
        (
            InformationSchemaColumn(
                table_catalog=row["table_catalog"],
                table_schema=row["table_schema"],
                table_name=row["table_name"],
                column_name=row["column_name"],
                ordinal_position=int(row["ordinal_position"]),
                data_type=row["data_type"],
                is_nullable=row["is_nullable"] == "YES",
            )
            for row in column_rows
        ),
        key=lambda c: (c.table_catalog, c.table_schema, c.table_name, c.ordinal_position),
    )
    return InformationSchemaSnapshot(tables=tuple(tables), columns=tuple(columns), settings=read_settings(ctx))
