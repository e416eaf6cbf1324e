from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from artifact_contracts.models import DeltaWritePolicy
from engine_app.delta import (
    _incremental as incremental,
    app_id,
    change_log_path,
    consumer_state,
    run_incremental,
    write_table,
)
from engine_app.errors import DeltaIOError
from engine_app.lake import dataset
from engine_app.stores import CursorStore, RunStore

pytestmark = pytest.mark.engine

CDF = DeltaWritePolicy(change_data_feed=True)


def _source(warehouse: Path) -> Path:
    source = warehouse / "src"
    write_table(source, pa.table({"id": pa.array(range(10), pa.int64()), "v": [float(i) for i in range(10)]}), CDF)
    return source


def _log(warehouse: Path, consumer: str = "c") -> Counter[tuple[object, ...]]:
    path = change_log_path(warehouse, consumer, "src")
    rows = dataset(DeltaTable(str(path)), path).to_table().select(["id", "v", "_change_type", "_commit_version"])
    return Counter(tuple(r.values()) for r in rows.to_pylist())


def _feed(source: Path) -> Counter[tuple[object, ...]]:
    rows = pa.table(DeltaTable(str(source)).load_cdf(starting_version=0))
    rows = rows.select(["id", "v", "_change_type", "_commit_version"])
    return Counter((r["id"], r["v"], str(r["_change_type"]), int(r["_commit_version"])) for r in rows.to_pylist())


def test_a_change_flows_through(tmp_path: Path) -> None:
    source = _source(tmp_path)
    first = run_incremental(tmp_path, source, "c")
    assert [(r.from_version, r.to_version, r.inserts) for r in first] == [(0, 1, 10)]
    table = DeltaTable(str(source))
    table.update(updates={"v": "v + 100"}, predicate="id = 3")
    table.delete("id = 4")
    second = run_incremental(tmp_path, source, "c")
    assert [(r.from_version, r.to_version, r.updates, r.deletes) for r in second] == [(2, 3, 1, 1)]

    assert _log(tmp_path) == _feed(source)
    assert _log(tmp_path)[(3, 103.0, "update_postimage", 2)] == 1
    state = consumer_state(tmp_path, "c", "src")
    assert state.applied == 3
    assert state.cursor is not None and state.cursor.last_processed_version == 3
    assert state.cursor.rows_applied == sum(_feed(source).values()) == 13
    runs, events = RunStore(tmp_path).list("c")
    assert events == [] and runs == first + second


def test_a_caught_up_consumer_commits_nothing(tmp_path: Path) -> None:
    source = _source(tmp_path)
    run_incremental(tmp_path, source, "c")
    version = DeltaTable(str(change_log_path(tmp_path, "c", "src"))).version()
    assert run_incremental(tmp_path, source, "c") == []
    assert DeltaTable(str(change_log_path(tmp_path, "c", "src"))).version() == version


@pytest.mark.parametrize("batch_versions", [1, 2, None])
def test_batches_cover_every_version_once(tmp_path: Path, batch_versions: int | None) -> None:
    source = _source(tmp_path)
    for i in range(5):
        write_table(source, pa.table({"id": pa.array([100 + i], pa.int64()), "v": [0.5]}), CDF)
    runs = run_incremental(tmp_path, source, "c", batch_versions=batch_versions)
    covered = [v for r in runs for v in range(r.from_version, r.to_version + 1)]
    assert covered == list(range(DeltaTable(str(source)).version() + 1))
    assert _log(tmp_path) == _feed(source)


def test_consumers_are_independent(tmp_path: Path) -> None:
    source = _source(tmp_path)
    run_incremental(tmp_path, source, "a")
    DeltaTable(str(source)).delete("id < 5")
    run_incremental(tmp_path, source, "b")
    run_incremental(tmp_path, source, "a")
    assert _log(tmp_path, "a") == _log(tmp_path, "b") == _feed(source)
    cursors, _ = CursorStore(tmp_path).list()
    assert [(c.consumer, c.last_processed_version) for c in cursors] == [("a", 2), ("b", 2)]


def test_a_commit_without_its_cursor_is_recovered_not_reapplied(tmp_path: Path) -> None:
    source = _source(tmp_path)
    run_incremental(tmp_path, source, "c")
    DeltaTable(str(source)).delete("id = 0")
    # What a crash right after the change-log commit leaves: the batch committed, the cursor not advanced.
    changes = incremental._changes(DeltaTable(str(source)), 2, 2)
    assert incremental._apply(change_log_path(tmp_path, "c", "src"), app_id("c", "src"), 1, 2, changes)
    state = consumer_state(tmp_path, "c", "src")
    assert (state.applied, state.cursor.last_processed_version if state.cursor else None) == (2, 1)

    assert run_incremental(tmp_path, source, "c") == []
    assert consumer_state(tmp_path, "c", "src").cursor.last_processed_version == 2  # type: ignore[union-attr]
    assert _log(tmp_path) == _feed(source)


def test_a_stale_ledger_refuses_a_second_apply(tmp_path: Path) -> None:
    source = _source(tmp_path)
    run_incremental(tmp_path, source, "c")
    changes = incremental._changes(DeltaTable(str(source)), 0, 1)
    # A second run that read the ledger before the first committed: its apply is a no-op.
    assert not incremental._apply(change_log_path(tmp_path, "c", "src"), app_id("c", "src"), None, 1, changes)
    assert _log(tmp_path) == _feed(source)


def test_a_lost_change_log_is_refused(tmp_path: Path) -> None:
    source = _source(tmp_path)
    run_incremental(tmp_path, source, "c")
    shutil.rmtree(change_log_path(tmp_path, "c", "src"))
    with pytest.raises(DeltaIOError, match="change log was lost"):
        run_incremental(tmp_path, source, "c")


def test_a_table_without_a_change_feed_is_refused(tmp_path: Path) -> None:
    write_table(tmp_path / "src", pa.table({"id": [1]}), DeltaWritePolicy())
    with pytest.raises(DeltaIOError, match="no change data feed"):
        run_incremental(tmp_path, tmp_path / "src", "c")


def test_the_feed_starts_where_it_was_switched_on(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_deltalake(str(source), pa.table({"id": pa.array([1, 2], pa.int64()), "v": [1.0, 2.0]}))
    DeltaTable(str(source)).alter.set_table_properties({"delta.enableChangeDataFeed": "true"})
    write_deltalake(str(source), pa.table({"id": pa.array([3], pa.int64()), "v": [3.0]}), mode="append")
    runs = run_incremental(tmp_path, source, "c")
    assert [(r.from_version, r.to_version, r.inserts) for r in runs] == [(1, 2, 1)]
