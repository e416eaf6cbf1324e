"""The change-data-feed part of the demo.

The TPC-H tables stay untouched (stored plans fingerprint their physical plans, which name
the data files). The demo keeps its own CDF-enabled copy of ``nation`` at
``<warehouse>/cdf_demo/nation``, written through the write pipeline; each demo run updates
one row of it and runs the ``demo`` consumer, so the change flows from the source's feed
into the consumer's change log and its cursor moves.
"""

from __future__ import annotations

from pathlib import Path

from deltalake import DeltaTable

from artifact_contracts.models import DeltaSchemaPolicy, DeltaWritePolicy
from engine_app.delta import ConsumerReport, run_consumer, write_table
from engine_app.lake import dataset, is_delta_table

__all__ = ["CDF_DEMO_TABLE", "demo_change"]

CDF_DEMO_TABLE = "cdf_demo/nation"
"""The demo's CDF source table, relative to the warehouse."""


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
