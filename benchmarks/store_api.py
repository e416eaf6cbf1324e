"""The artifact store as the benchmarks drive it: building stores, listing them.

Separate from the suites so that :mod:`benchmarks.rss_probe` can list a store in a fresh
interpreter without importing the timing code.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from pathlib import Path

import msgspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
from deltalake import DeltaTable, write_deltalake

import artifact_contracts
from artifact_contracts import dumps_msgpack
from artifact_contracts.models import PlanArtifacts
from artifact_contracts.registry import contract_hash
from engine_app.planning import capture_id
from engine_app.stores import PLAN_LISTING_COLUMNS, PLAN_TABLE, PlanArtifactStore

__all__ = [
    "QUERYABLE",
    "distinct",
    "fill_rows",
    "files_for",
    "list_columns",
    "list_decoded",
    "list_store",
    "read_table",
    "show",
    "table_path",
]

QUERYABLE = list(PLAN_LISTING_COLUMNS)
"""The store's columns besides the payloads."""


def distinct(base: PlanArtifacts, start: int, count: int) -> list[PlanArtifacts]:
    """``count`` copies of ``base`` with distinct plan fingerprints (numbered from ``start``)."""
    return [
        msgspec.structs.replace(base, plan_fingerprint="sha256:" + hashlib.sha256(b"%d" % i).hexdigest())
        for i in range(start, start + count)
    ]


def table_path(warehouse: Path) -> Path:
    """The plan store's Delta table under a warehouse."""
    return warehouse / PLAN_TABLE


def read_table(path: Path, columns: Sequence[str] | None = None) -> pa.Table:
    """Read a Delta table (optionally a projection) with pyarrow, as the store reads it."""
    filesystem = pafs.SubTreeFileSystem(str(path), pafs.LocalFileSystem())
    dataset = DeltaTable(str(path)).to_pyarrow_dataset(filesystem=filesystem)
    return dataset.to_table(columns=list(columns) if columns is not None else None)


def fill_rows(warehouse: Path, base: PlanArtifacts, start: int, count: int, batch: int = 10_000) -> None:
    """Grow the store by ``count`` valid rows with bare ``write_deltalake`` appends.

    The rows are what the store itself would write (payload = ``dumps_msgpack`` of the
    artifact), without the audit columns; used to build large stores quickly.
    """
    schema = PlanArtifactStore(warehouse).store.spec.schema
    created = datetime.datetime(2026, 11, 24, tzinfo=datetime.timezone.utc)
    version, chash = artifact_contracts.__version__, contract_hash()
    path = table_path(warehouse)
    path.mkdir(parents=True, exist_ok=True)
    for offset in range(start, start + count, batch):
        chunk = distinct(base, offset, min(batch, start + count - offset))
        columns = {
            "capture_id": [capture_id(a) for a in chunk],
            "plan_fingerprint": [a.plan_fingerprint for a in chunk],
            "view_name": [a.view_name for a in chunk],
            "sql": [a.sql for a in chunk],
            "substrait_roundtrip": [a.substrait_validation.roundtrip_ok for a in chunk],
            "contract_version": [version] * len(chunk),
            "contract_hash": [chash] * len(chunk),
            "created_at": [created] * len(chunk),
            "payload": [dumps_msgpack(a) for a in chunk],
            "environment": [None] * len(chunk),
            "audit_bundle": [None] * len(chunk),
        }
        write_deltalake(str(path), pa.table(columns, schema=schema), mode="append")


def list_decoded(warehouse: Path) -> int:
    """``PlanArtifactStore.list()``: every row decoded, payloads included."""
    result = PlanArtifactStore(warehouse).list()
    if result.events:
        raise RuntimeError(f"{len(result.events)} rows did not decode: {result.events[0]}")
    return len(result.items)


def list_columns(warehouse: Path) -> int:
    """The limit of a listing: a bare pyarrow read of the listing columns."""
    return int(read_table(table_path(warehouse), QUERYABLE).num_rows)


def list_store(warehouse: Path) -> int:
    """``PlanArtifactStore.listing()``: the queryable columns, sorted (what ``artifacts list`` reads)."""
    listed = PlanArtifactStore(warehouse).listing()
    if listed.events:
        raise RuntimeError(f"{len(listed.events)} files did not read: {listed.events[0]}")
    return int(listed.table.num_rows)


def show(warehouse: Path, fingerprint: str) -> int:
    """``PlanArtifactStore.get``: one plan by its full fingerprint, decoded."""
    return len(PlanArtifactStore(warehouse).get(fingerprint).items)


def files_for(warehouse: Path, fingerprint: str) -> tuple[int, int]:
    """How many data files a lookup of ``fingerprint`` opens (stats pruning), of how many."""
    path = table_path(warehouse)
    dataset = DeltaTable(str(path)).to_pyarrow_dataset(
        filesystem=pafs.SubTreeFileSystem(str(path), pafs.LocalFileSystem())
    )
    wanted = len(list(dataset.get_fragments(filter=pc.field("plan_fingerprint") == fingerprint)))
    return wanted, len(list(dataset.get_fragments()))
