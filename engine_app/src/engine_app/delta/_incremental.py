"""Incremental processing of a Delta table's change data feed, exactly once.

A *consumer* applies the change feed of a source table to its own change-log table,
``<warehouse>/_incremental/<consumer>/<table>``: each change row (the source's columns
plus ``_change_type``, ``_commit_version``, ``_commit_timestamp``) is appended exactly
once, in source-version batches.

**Commit protocol.** Each batch ``[from, to]`` is appended in one Delta commit that also
carries a Delta *application transaction* (``txn``) action: app id
``engine-app.cdf/<consumer>/<table>``, version ``to``. Delta commits atomically, so the
changes and the record of how far they go land together or not at all; the target's
``transaction_version(app_id)`` is the ledger. Only after that commit is the
:class:`CdfCursor` appended to ``_cdf_cursors_v1`` (and the :class:`IncrementalRun` to
``_incremental_runs_v1``). A run starts from the ledger, so a crash

- before the commit: nothing was applied; the batch is read and applied again;
- after the commit, before the cursor is written: the cursor lags the ledger; the next
  run advances it to the ledger without re-applying anything;
- while writing the cursor: the same as the previous case.

Two runs of one consumer at once cannot both apply a batch: both commits carry the same
app id, Delta refuses the second as a concurrent transaction, and the loser re-reads the
ledger before trying again. An empty batch is committed too (no rows, only the ``txn``),
so the cursor is never ahead of the ledger; a cursor that is ahead means the change log
was lost, and the run refuses to guess.

The warehouse and the source may be local directories or object-store URIs
(``s3://bucket/wh``, a :class:`~engine_app.lake.Location` with its storage options): every
table is opened through its location, and the warehouse is listed with the location's
pyarrow filesystem.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
from deltalake import CommitProperties, DeltaTable, Transaction, write_deltalake

from artifact_contracts import convert
from artifact_contracts.models import CdfCursor, IncrementalRun
from artifact_contracts.models.types import Name
from engine_app.errors import DeltaIOError, error_text
from engine_app.lake import Location, add_actions, relative_uri, retry_commit, utc_now
from engine_app.stores import STORE_TABLES, CursorStore, RunStore

__all__ = [
    "ConsumerReport",
    "ConsumerState",
    "DEFAULT_CONSUMER",
    "INCREMENTAL_DIR",
    "app_id",
    "cdf_locations",
    "cdf_tables",
    "change_log_location",
    "change_log_path",
    "consumer_state",
    "run_consumer",
    "run_incremental",
]

INCREMENTAL_DIR = "_incremental"
"""The directory of the consumers' change-log tables, under the warehouse."""

DEFAULT_CONSUMER = "demo"
"""The consumer ``engine-app incremental`` runs by default (the demo's)."""

_CDF_KEY = "delta.enableChangeDataFeed"


def app_id(consumer: str, table_uri: str) -> str:
    """Return the Delta application-transaction id of a consumer on a table."""
    return f"engine-app.cdf/{consumer}/{table_uri}"


def change_log_path(warehouse: Path, consumer: str, table_uri: str) -> Path:
    """Return the change-log table of a consumer on a table, in a local warehouse."""
    return Path(warehouse) / INCREMENTAL_DIR / consumer / table_uri.replace("/", "__")


def change_log_location(warehouse: Location | str | os.PathLike[str], consumer: str, table_uri: str) -> Location:
    """Return the change-log table of a consumer on a table, in any warehouse (local or URI)."""
    return Location.of(warehouse).join(INCREMENTAL_DIR, consumer, table_uri.replace("/", "__"))


@dataclasses.dataclass(frozen=True)
class ConsumerState:
    """Where a consumer stands on a table.

    Attributes:
        applied: The last source version in the change log (the ledger), or None.
        cursor: The persisted cursor, or None before the first advance.
    """

    applied: int | None
    cursor: CdfCursor | None


def consumer_state(warehouse: Location | str | os.PathLike[str], consumer: str, table_uri: str) -> ConsumerState:
    """Read the ledger and the cursor of a consumer on a table."""
    target = change_log_location(warehouse, consumer, table_uri)
    applied = target.open().transaction_version(app_id(consumer, table_uri)) if target.is_delta_table() else None
    return ConsumerState(applied=applied, cursor=CursorStore(Location.of(warehouse)).get(consumer, table_uri))


def _first_cdf_version(source: Location, latest: int) -> int:
    """The oldest version from which the feed has been on without a break."""
    version = latest
    while version > 0 and source.open(version - 1).metadata().configuration.get(_CDF_KEY) == "true":
        version -= 1
    return version


def _changes(source: DeltaTable, start: int, end: int) -> pa.Table:
    changes = pa.table(source.load_cdf(starting_version=start, ending_version=end))
    # DataFusion hands back string_view, which pyarrow cannot sort and the log need not keep.
    fields = [f.with_type(pa.string()) if f.type == pa.string_view() else f for f in changes.schema]
    changes = changes.cast(pa.schema(fields))
    order = pc.sort_indices(changes, [("_commit_version", "ascending")])
    return changes.take(order).cast(
        pa.schema([f.with_type(pa.int64()) if f.name == "_commit_version" else f for f in fields])
    )


def _apply(
    target: Location | str | os.PathLike[str], ident: str, expected: int | None, end: int, changes: pa.Table
) -> bool:
    """Append one batch with its txn, unless the ledger moved; True when this call committed."""
    location = Location.of(target)

    def attempt(_: int) -> bool:
        table = location.open() if location.is_delta_table() else None
        if (table.transaction_version(ident) if table is not None else None) != expected:
            return False  # another run applied this batch first
        write_deltalake(
            table if table is not None else location.uri,
            changes,
            # An opened table carries its own options; only the first commit creates from the URI.
            storage_options=location.options() if table is None else None,
            mode="append",
            schema_mode="merge",
            commit_properties=CommitProperties(
                app_transactions=[Transaction(app_id=ident, version=end)],
                custom_metadata={"engine.cdf.appId": ident, "engine.cdf.toVersion": str(end)},
            ),
        )
        return True

    location.make_dirs()
    committed, _ = retry_commit(attempt, max_attempts=10, what=f"apply changes to {location.uri}")
    return committed


def run_incremental(
    warehouse: Location | str | os.PathLike[str],
    source: Location | str | os.PathLike[str],
    consumer: str,
    *,
    batch_versions: int | None = None,
    max_batches: int | None = None,
) -> list[IncrementalRun]:
    """Apply a source table's change feed to the consumer's change log, exactly once.

    Args:
        warehouse: The warehouse holding the stores and change logs (a directory, URI or
            :class:`Location`).
        source: The source table (CDF enabled), likewise.
        consumer: The consumer's name.
        batch_versions: The most source versions per batch (None: all pending at once).
        max_batches: Stop after this many batches (None: until caught up).

    Returns:
        The batches this call applied.

    Raises:
        ContractValidationError: ``consumer`` is not a valid name.
        DeltaIOError: No such table, its change feed is off, or the cursor is ahead of the
            change log (which was lost).
    """
    convert(consumer, Name)  # a consumer name becomes a directory name: validate it first
    root, table = Location.of(warehouse), Location.of(source)
    if not table.is_delta_table():
        raise DeltaIOError(f"no Delta table at {table.uri}")
    # The URI becomes part of a directory name and an app id: never a leading "/".
    table_uri = relative_uri(table, root).lstrip("/")
    ident = app_id(consumer, table_uri)
    target = change_log_location(root, consumer, table_uri)
    cursors, runs = CursorStore(root), RunStore(root)
    done: list[IncrementalRun] = []
    while max_batches is None or len(done) < max_batches:
        state = consumer_state(root, consumer, table_uri)
        src = table.open()
        latest = src.version()
        if src.metadata().configuration.get(_CDF_KEY) != "true":
            raise DeltaIOError(f"{table_uri} has no change data feed; write it with change_data_feed=true")
        cursor_at = None if state.cursor is None else state.cursor.last_processed_version
        if cursor_at is not None and (state.applied is None or cursor_at > state.applied):
            raise DeltaIOError(
                f"the cursor of {consumer} on {table_uri} is at {cursor_at}, past its change log "
                f"({state.applied}); the change log was lost"
            )
        if state.applied is not None and cursor_at != state.applied:
            _advance(cursors, consumer, table_uri, state.applied, target)  # recover a cursor a crash left behind
        start = _first_cdf_version(table, latest) if state.applied is None else state.applied + 1
        if start > latest:
            break
        end = latest if batch_versions is None else min(latest, start + batch_versions - 1)
        try:
            changes = _changes(src, start, end)
        except Exception as exc:  # deltalake raises DeltaError for unreadable feed ranges
            raise DeltaIOError(
                f"cannot read the change feed of {table_uri} [{start}, {end}]: {error_text(exc)}"
            ) from exc
        if not _apply(target, ident, state.applied, end, changes):
            continue
        _advance(cursors, consumer, table_uri, end, target)
        kinds = changes.column("_change_type")
        run = IncrementalRun(
            consumer=consumer,
            table_uri=table_uri,
            from_version=start,
            to_version=end,
            inserts=pc.sum(pc.equal(kinds, "insert")).as_py() or 0,
            updates=pc.sum(pc.equal(kinds, "update_postimage")).as_py() or 0,
            deletes=pc.sum(pc.equal(kinds, "delete")).as_py() or 0,
            committed_at=utc_now(),
        )
        runs.append(run)
        done.append(run)
    return done


def _advance(cursors: CursorStore, consumer: str, table_uri: str, version: int, target: Location) -> None:
    applied_rows = pc.sum(add_actions(target.open()).column("num_records")).as_py() or 0
    cursors.advance(
        CdfCursor(
            consumer=consumer,
            table_uri=table_uri,
            last_processed_version=version,
            rows_applied=applied_rows,
            updated_at=utc_now(),
        )
    )


@dataclasses.dataclass(frozen=True)
class ConsumerReport:
    """What one consumer run did on one table: the batches applied and the cursor after."""

    table_uri: str
    runs: list[IncrementalRun]
    cursor: CdfCursor | None


def _children(filesystem: pafs.FileSystem, path: str) -> list[str]:
    """The names of the directories directly under ``path`` (none when it does not exist)."""
    infos = filesystem.get_file_info(pafs.FileSelector(path, allow_not_found=True))
    return [info.base_name for info in infos if info.type == pafs.FileType.Directory]


def cdf_locations(warehouse: Location | str | os.PathLike[str]) -> list[Location]:
    """Return the warehouse's Delta tables whose change data feed is on, sorted.

    Tables are found at depth one or two (``<warehouse>/t``, ``<warehouse>/dir/t``); the
    engine's own stores and change logs (``_incremental/``) are skipped. The warehouse is
    listed with its pyarrow filesystem, so a local directory and an object-store prefix
    are searched alike.
    """
    root = Location.of(warehouse)
    filesystem, base = root.filesystem()
    candidates: list[tuple[str, ...]] = []
    for first in _children(filesystem, base):
        candidates.append((first,))
        candidates.extend((first, second) for second in _children(filesystem, f"{base}/{first}"))
    found = []
    for relative in sorted(candidates):
        engine_own = relative[0] in STORE_TABLES or any(part.startswith("_") for part in relative)
        candidate = root.join(*relative)
        if engine_own or not candidate.is_delta_table():
            continue
        if candidate.open().metadata().configuration.get(_CDF_KEY) == "true":
            found.append(candidate)
    return found


def cdf_tables(warehouse: Path) -> list[Path]:
    """Return the CDF tables of a local warehouse as directories (see :func:`cdf_locations`)."""
    return [location.path for location in cdf_locations(warehouse)]


def run_consumer(
    warehouse: Location | str | os.PathLike[str], consumer: str = DEFAULT_CONSUMER
) -> list[ConsumerReport]:
    """Run one consumer over every CDF table of the warehouse, until each is caught up.

    Args:
        warehouse: The warehouse (a directory, URI or :class:`~engine_app.lake.Location`).
        consumer: The consumer's name.

    Returns:
        One report per CDF table.
    """
    root = Location.of(warehouse)
    reports = []
    for source in cdf_locations(root):
        table_uri = relative_uri(source, root)
        runs = run_incremental(root, source, consumer)
        reports.append(ConsumerReport(table_uri, runs, consumer_state(root, consumer, table_uri).cursor))
    return reports
