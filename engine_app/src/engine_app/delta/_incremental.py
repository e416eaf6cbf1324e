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
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import CommitProperties, DeltaTable, Transaction, write_deltalake

from artifact_contracts import convert
from artifact_contracts.models import CdfCursor, IncrementalRun
from artifact_contracts.models.types import Name
from engine_app.errors import DeltaIOError, error_text
from engine_app.lake import add_actions, is_delta_table, relative_uri, retry_commit, utc_now
from engine_app.stores import STORE_TABLES, CursorStore, RunStore

__all__ = [
    "ConsumerReport",
    "ConsumerState",
    "DEFAULT_CONSUMER",
    "INCREMENTAL_DIR",
    "app_id",
    "cdf_tables",
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
    """Return the change-log table of a consumer on a table."""
    return Path(warehouse) / INCREMENTAL_DIR / consumer / table_uri.replace("/", "__")


@dataclasses.dataclass(frozen=True)
class ConsumerState:
    """Where a consumer stands on a table.

    Attributes:
        applied: The last source version in the change log (the ledger), or None.
        cursor: The persisted cursor, or None before the first advance.
    """

    applied: int | None
    cursor: CdfCursor | None


def consumer_state(warehouse: Path, consumer: str, table_uri: str) -> ConsumerState:
    """Read the ledger and the cursor of a consumer on a table."""
    target = change_log_path(warehouse, consumer, table_uri)
    applied = (
        DeltaTable(str(target)).transaction_version(app_id(consumer, table_uri)) if is_delta_table(target) else None
    )
    return ConsumerState(applied=applied, cursor=CursorStore(warehouse).get(consumer, table_uri))


def _first_cdf_version(source: Path, latest: int) -> int:
    """The oldest version from which the feed has been on without a break."""
    version = latest
    while version > 0 and DeltaTable(str(source), version=version - 1).metadata().configuration.get(_CDF_KEY) == "true":
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


def _apply(target: Path, ident: str, expected: int | None, end: int, changes: pa.Table) -> bool:
    """Append one batch with its txn, unless the ledger moved; True when this call committed."""

    def attempt(_: int) -> bool:
        table = DeltaTable(str(target)) if is_delta_table(target) else None
        if (table.transaction_version(ident) if table is not None else None) != expected:
            return False  # another run applied this batch first
        write_deltalake(
            table if table is not None else str(target),
            changes,
            mode="append",
            schema_mode="merge",
            commit_properties=CommitProperties(
                app_transactions=[Transaction(app_id=ident, version=end)],
                custom_metadata={"engine.cdf.appId": ident, "engine.cdf.toVersion": str(end)},
            ),
        )
        return True

    target.mkdir(parents=True, exist_ok=True)
    committed, _ = retry_commit(attempt, max_attempts=10, what=f"apply changes to {target}")
    return committed


def run_incremental(
    warehouse: Path | str,
    source: Path | str,
    consumer: str,
    *,
    batch_versions: int | None = None,
    max_batches: int | None = None,
) -> list[IncrementalRun]:
    """Apply a source table's change feed to the consumer's change log, exactly once.

    Args:
        warehouse: The warehouse holding the stores and change logs.
        source: The source table (CDF enabled).
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
    warehouse, source = Path(warehouse), Path(source)
    if not is_delta_table(source):
        raise DeltaIOError(f"no Delta table at {source}")
    # The URI becomes part of a directory name and an app id: never a leading "/".
    table_uri = relative_uri(source, warehouse).lstrip("/")
    ident = app_id(consumer, table_uri)
    target = change_log_path(warehouse, consumer, table_uri)
    cursors, runs = CursorStore(warehouse), RunStore(warehouse)
    done: list[IncrementalRun] = []
    while max_batches is None or len(done) < max_batches:
        state = consumer_state(warehouse, consumer, table_uri)
        src = DeltaTable(str(source))
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
        start = _first_cdf_version(source, latest) if state.applied is None else state.applied + 1
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


def _advance(cursors: CursorStore, consumer: str, table_uri: str, version: int, target: Path) -> None:
    applied_rows = pc.sum(add_actions(DeltaTable(str(target))).column("num_records")).as_py() or 0
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


def cdf_tables(warehouse: Path) -> list[Path]:
    """Return the warehouse's Delta tables whose change data feed is on, sorted.

    Tables are found at depth one or two (``<warehouse>/t``, ``<warehouse>/dir/t``); the
    engine's own stores and change logs (``_incremental/``) are skipped.
    """
    found = []
    for candidate in sorted([*warehouse.glob("*"), *warehouse.glob("*/*")]):
        relative = candidate.relative_to(warehouse).parts
        engine_own = relative[0] in STORE_TABLES or any(part.startswith("_") for part in relative)
        if engine_own or not is_delta_table(candidate):
            continue
        if DeltaTable(str(candidate)).metadata().configuration.get(_CDF_KEY) == "true":
            found.append(candidate)
    return found


def run_consumer(warehouse: Path, consumer: str = DEFAULT_CONSUMER) -> list[ConsumerReport]:
    """Run one consumer over every CDF table of the warehouse, until each is caught up.

    Args:
        warehouse: The warehouse directory.
        consumer: The consumer's name.

    Returns:
        One report per CDF table.
    """
    warehouse = Path(warehouse).resolve()
    reports = []
    for source in cdf_tables(warehouse):
        table_uri = relative_uri(source, warehouse)
        runs = run_incremental(warehouse, source, consumer)
        reports.append(ConsumerReport(table_uri, runs, consumer_state(warehouse, consumer, table_uri).cursor))
    return reports
