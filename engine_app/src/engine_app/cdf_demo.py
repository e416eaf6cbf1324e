"""The change-data-feed part of the demo, and the ``engine-app incremental`` runner.

The TPC-H tables stay untouched (stored plans fingerprint their physical plans, which name
the data files). The demo keeps its own CDF-enabled copy of ``nation`` at
``<warehouse>/cdf_demo/nation``, written through the write pipeline; each demo run updates
one row of it and runs the ``demo`` consumer, so the change flows from the source's feed
into the consumer's change log and its cursor moves.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from deltalake import DeltaTable

from artifact_contracts.models import CdfCursor, DeltaSchemaPolicy, DeltaWritePolicy, IncrementalRun
from engine_app.delta_io import dataset, is_delta_table
from engine_app.incremental import consumer_state, run_incremental
from engine_app.write_pipeline import write_table

__all__ = [
    "CDF_DEMO_TABLE",
    "ConsumerReport",
    "DEMO_CONSUMER",
    "cdf_tables",
    "change_lines",
    "demo_change",
    "run_consumer",
]

CDF_DEMO_TABLE = "cdf_demo/nation"
"""The demo's CDF source table, relative to the warehouse."""
DEMO_CONSUMER = "demo"
"""The consumer the demo and ``engine-app incremental`` run by default."""


@dataclasses.dataclass(frozen=True)
class ConsumerReport:
    """What one consumer run did on one table: the batches applied and the cursor after."""

    table_uri: str
    runs: list[IncrementalRun]
    cursor: CdfCursor | None


def cdf_tables(warehouse: Path) -> list[Path]:
    """Return the warehouse's Delta tables whose change data feed is on, sorted.

    Tables are found at depth one or two (``<warehouse>/t``, ``<warehouse>/dir/t``); the
    engine's own stores (names starting with ``_``) are skipped.
    """
    found = []
    for candidate in sorted([*warehouse.glob("*"), *warehouse.glob("*/*")]):
        relative = candidate.relative_to(warehouse).parts
        if any(part.startswith("_") for part in relative) or not is_delta_table(candidate):
            continue
        if DeltaTable(str(candidate)).metadata().configuration.get("delta.enableChangeDataFeed") == "true":
            found.append(candidate)
    return found


def run_consumer(warehouse: Path, consumer: str = DEMO_CONSUMER) -> list[ConsumerReport]:
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
        table_uri = source.relative_to(warehouse).as_posix()
        runs = run_incremental(warehouse, source, consumer)
        reports.append(ConsumerReport(table_uri, runs, consumer_state(warehouse, consumer, table_uri).cursor))
    return reports


def demo_change(warehouse: Path, nation: Path) -> list[ConsumerReport]:
    """Make one change to the demo's CDF table and let the demo consumer apply it.

    Args:
        warehouse: The warehouse directory.
        nation: The TPC-H ``nation`` table, copied on first use.

    Returns:
        The consumer's reports (the change is among the demo table's runs).
    """
    warehouse = Path(warehouse).resolve()
    target = warehouse / CDF_DEMO_TABLE
    if not is_delta_table(target):
        rows = dataset(DeltaTable(str(nation)), nation).to_table()
        write_table(
            target,
            rows,
            DeltaWritePolicy(change_data_feed=True, stats_policy="explicit", stats_columns=("n_nationkey",)),
            DeltaSchemaPolicy(required_columns=("n_nationkey",), non_nullable_columns=("n_nationkey",)),
            warehouse=warehouse,
            description="TPC-H nation, the demo's change-data-feed source",
        )
    version = DeltaTable(str(target)).version()
    DeltaTable(str(target)).update(
        updates={"n_comment": f"'changed by the demo at version {version + 1}'"}, predicate="n_nationkey = 0"
    )
    return run_consumer(warehouse)


def change_lines(reports: list[ConsumerReport], consumer: str = DEMO_CONSUMER) -> list[str]:
    """Describe consumer runs in one line per table (for the run summary)."""
    lines = []
    for report in reports:
        at = "-" if report.cursor is None else report.cursor.last_processed_version
        if not report.runs:
            lines.append(f"change feed {report.table_uri}: consumer {consumer!r} up to date at version {at}")
            continue
        first, last = report.runs[0].from_version, report.runs[-1].to_version
        counts = (sum(getattr(r, kind) for r in report.runs) for kind in ("inserts", "updates", "deletes"))
        inserts, updates, deletes = counts
        lines.append(
            f"change feed {report.table_uri}: consumer {consumer!r} applied versions {first}-{last} "
            f"({inserts} insert(s), {updates} update(s), {deletes} delete(s)); cursor at {at}"
        )
    return lines
