"""Checks of Delta tables on S3 that read the files with pyarrow alone, not through the stores."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.fs as pafs

from engine_app.lake import Location

__all__ = ["assert_files_in_declared_schema", "committed_rows", "table_files"]


def table_files(location: Location) -> list[str]:
    """Every parquet data file under a table, listed with pyarrow's own S3 filesystem."""
    filesystem, root = location.filesystem()
    infos = filesystem.get_file_info(pafs.FileSelector(root, recursive=True))
    return sorted(i.path for i in infos if i.path.endswith(".parquet") and "/_delta_log/" not in i.path)


def assert_files_in_declared_schema(location: Location, schema: pa.Schema) -> None:
    """Each data file, read by pyarrow alone, holds exactly the declared schema (no view types)."""
    filesystem, _ = location.filesystem()
    files = table_files(location)
    assert files, f"no data file under {location.uri}"
    for name in files:
        file_schema = pads.dataset(name, filesystem=filesystem, format="parquet").schema
        assert not [f for f in file_schema if f.type in (pa.string_view(), pa.binary_view())], name
        assert file_schema.remove_metadata().equals(schema), f"{name}: {file_schema} != {schema}"


def committed_rows(table: Location, columns: list[str]) -> pa.Table:
    """The rows of the files the Delta log lists as current, read by pyarrow from S3."""
    filesystem, root = table.filesystem()
    files = [f"{root}/{path}" for path in table.open().get_add_actions(flatten=True).column("path").to_pylist()]
    if not files:
        return pa.table({c: [] for c in columns})
    return pads.dataset(files, filesystem=filesystem, format="parquet").to_table(columns=columns)
