"""The store of write artifacts: ``<warehouse>/delta_write_artifacts_v1``.

One row per write made by the write pipeline, keyed by ``write_id`` (also in the custom
metadata of every commit of that write, so a record lost to a crash can be rebuilt from
the table's log): ``table_uri``, ``policy_fingerprint``, ``version_before``,
``version_after``, ``rows``, ``files_added``, ``written_at`` and the
:class:`DeltaWriteArtifact` payload.
"""

from __future__ import annotations

import os

import pyarrow as pa
import pyarrow.compute as pc

from artifact_contracts.models import DeltaWriteArtifact, DiagnosticsEvent
from engine_app.lake import Location
from engine_app.stores._table import TIMESTAMP, Column, Store, StoreSpec, field_column

__all__ = [
    "WRITES_SPEC",
    "WRITE_ARTIFACTS_TABLE",
    "WriteArtifactStore",
]

WRITE_ARTIFACTS_TABLE = "delta_write_artifacts_v1"
"""The store's table name under the warehouse."""

WRITES_SPEC = StoreSpec(
    table=WRITE_ARTIFACTS_TABLE,
    record=DeltaWriteArtifact,
    columns=(
        Column(pa.field("write_id", pa.string(), nullable=False), lambda row: row.extras["write_id"]),
        *(
            field_column(DeltaWriteArtifact, name)
            for name in ("table_uri", "policy_fingerprint", "version_before", "version_after", "rows")
        ),
        Column(pa.field("files_added", pa.int64(), nullable=False), lambda row: len(row.record.files_added)),
        Column(pa.field("written_at", TIMESTAMP, nullable=False), lambda row: row.written_at),
    ),
    key=("write_id",),
    order=("table_uri", "version_after"),
)
"""The write-artifact store's declaration."""


class WriteArtifactStore:
    """The write artifacts of one warehouse.

    Args:
        warehouse: The warehouse.
    """

    def __init__(self, warehouse: Location | str | os.PathLike[str]) -> None:
        self.store = Store(Location.of(warehouse).join(WRITE_ARTIFACTS_TABLE), WRITES_SPEC)

    def append(self, artifact: DeltaWriteArtifact, *, write_id: str) -> int:
        """Record one write's artifact (once: a second record of the same write adds nothing).

        Args:
            artifact: The write's artifact.
            write_id: The ``engine.writeId`` its commits carry.

        Returns:
            1 when recorded now, 0 when it was already.
        """
        return self.store.write([artifact], extras={"write_id": write_id}, write_id=write_id)

    def write_ids(self, table_uri: str | None = None) -> set[str]:
        """The ids of the recorded writes (of one table, or all)."""
        flt = None if table_uri is None else pc.field("table_uri") == table_uri
        return set(self.store.read(["write_id"], flt).table.column("write_id").to_pylist())

    def list(self, table_uri: str | None = None) -> tuple[list[DeltaWriteArtifact], list[DiagnosticsEvent]]:
        """Return the artifacts (of one table, or all), oldest version first.

        Args:
            table_uri: Only this table's writes; None for every table.

        Returns:
            The artifacts and one diagnostics event per row that does not decode.
        """
        flt = None if table_uri is None else pc.field("table_uri") == table_uri
        decoded = self.store.records(flt)
        return sorted(decoded.items, key=lambda a: (a.table_uri, a.version_after)), decoded.events
