"""Rows no reader can decode and data files no reader can open: named, skipped, survived.

One store of each kind the engine writes: a keyed artifact store (DeltaRowTable: the plan
and view stores), an append-only payload store (PayloadStore: write and scan artifacts,
CDF cursors, incremental runs) and the diagnostics log.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from artifact_contracts import fingerprint, loads_msgpack
from artifact_contracts.models import CdfCursor, DiagnosticsEvent, PlanArtifacts
from engine_app.lake import dataset
from engine_app.stores import (
    CDF_CURSORS_TABLE,
    DIAGNOSTICS_TABLE,
    PLAN_TABLE,
    CursorStore,
    DiagnosticsLog,
    PlanArtifactStore,
    make_event,
)
from tests.reliability.store_workers import artifact

pytestmark = pytest.mark.engine

NOW = datetime.datetime(2026, 11, 24, tzinfo=datetime.timezone.utc)
Read = Callable[[Path], tuple[int, list[DiagnosticsEvent]]]


def _plans(warehouse: Path, template_file: Path) -> Read:
    template = loads_msgpack(template_file.read_bytes(), PlanArtifacts)
    store = PlanArtifactStore(warehouse)
    for n in range(3):  # three commits, three data files
        store.append([artifact(template, n)])

    def read(wh: Path) -> tuple[int, list[DiagnosticsEvent]]:
        listed = PlanArtifactStore(wh).list()
        return len(listed.items), listed.events

    return read


def _cursors(warehouse: Path, template_file: Path) -> Read:
    store = CursorStore(warehouse)
    for version in range(3):
        store.advance(CdfCursor(consumer="k", table_uri="t", last_processed_version=version, updated_at=NOW))

    def read(wh: Path) -> tuple[int, list[DiagnosticsEvent]]:
        decoded = CursorStore(wh).store.records()
        return len(decoded.items), decoded.events

    return read


def _diagnostics(warehouse: Path, template_file: Path) -> Read:
    log = DiagnosticsLog(warehouse)
    for n in range(3):
        log.append([make_event("info", "RELIABILITY_PROBE", f"event {n}")])

    def read(wh: Path) -> tuple[int, list[DiagnosticsEvent]]:
        events = DiagnosticsLog(wh).read()
        return sum(e.code == "RELIABILITY_PROBE" for e in events), [e for e in events if e.code != "RELIABILITY_PROBE"]

    return read


STORES = {PLAN_TABLE: _plans, CDF_CURSORS_TABLE: _cursors, DIAGNOSTICS_TABLE: _diagnostics}


@pytest.mark.parametrize("table", STORES)
def test_a_row_that_does_not_decode_is_reported_and_the_rest_read(
    tmp_path: Path, template_file: Path, table: str
) -> None:
    read = STORES[table](tmp_path, template_file)
    path = tmp_path / table
    # A foreign writer appends a row in the store's own schema whose payload is garbage.
    row = dataset(DeltaTable(str(path)), path).to_table().slice(0, 1)
    if "plan_fingerprint" in row.column_names:  # a new key, or it would be a duplicate
        row = row.set_column(row.schema.get_field_index("plan_fingerprint"), "plan_fingerprint",
                             pa.array([fingerprint("foreign")], pa.string()))  # fmt: skip
    row = row.set_column(row.schema.get_field_index("payload"), "payload", pa.array([b"\x93\xc1\x00"], pa.binary()))
    write_deltalake(str(path), row.cast(pa.schema(DeltaTable(str(path)).schema().to_arrow())), mode="append")

    count, events = read(tmp_path)
    assert count == 3
    assert [e.code for e in events] in (["ROW_DECODE_FAILED"], ["EVENT_DECODE_FAILED"])
    assert events[0].subject and ("row" in events[0].subject or "[" in events[0].subject)
    assert events[0].issues and events[0].issues[0].path.startswith("$")
    if table == PLAN_TABLE:
        assert fingerprint("foreign") in events[0].subject


@pytest.mark.parametrize("damage", ["truncated", "garbage", "missing"])
@pytest.mark.parametrize("table", STORES)
def test_a_damaged_data_file_is_named_and_the_other_files_still_read(
    tmp_path: Path, template_file: Path, table: str, damage: str
) -> None:
    read = STORES[table](tmp_path, template_file)
    victim = Path(sorted(DeltaTable(str(tmp_path / table)).file_uris())[1])
    if damage == "truncated":
        victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    elif damage == "garbage":
        victim.write_bytes(b"\x00" * victim.stat().st_size)
    else:
        victim.unlink()

    count, events = read(tmp_path)
    assert count == 2  # the rows of the two intact files
    assert [e.code for e in events] == ["DATA_FILE_UNREADABLE"]
    assert events[0].subject == victim.name
    assert victim.name in events[0].message and events[0].severity == "error"
