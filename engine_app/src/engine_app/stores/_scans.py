"""The store of scan artifacts: ``<warehouse>/_delta_scan_artifacts_v1``.

One row per scan run with a warehouse: ``table_uri``, ``table_version``,
``config_fingerprint``, ``fragment_count``, ``count_rows``, ``scanned_at`` and the
:class:`DeltaScanArtifact` payload.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from artifact_contracts.models import DeltaScanArtifact, DiagnosticsEvent
from engine_app.stores._table import PayloadStore

__all__ = ["SCAN_ARTIFACTS_TABLE", "ScanArtifactStore"]

SCAN_ARTIFACTS_TABLE = "_delta_scan_artifacts_v1"
"""The store's directory name under the warehouse."""

_COLUMNS = (
    pa.field("table_uri", pa.string(), nullable=False),
    pa.field("table_version", pa.int64(), nullable=False),
    pa.field("config_fingerprint", pa.string(), nullable=False),
    pa.field("fragment_count", pa.int64(), nullable=False),
    pa.field("count_rows", pa.int64(), nullable=False),
    pa.field("scanned_at", pa.timestamp("us", tz="UTC")),
)


class ScanArtifactStore:
    """The scan artifacts of one warehouse.

    Args:
        warehouse: The warehouse directory.
    """

    def __init__(self, warehouse: Path) -> None:
        self.store = PayloadStore(Path(warehouse) / SCAN_ARTIFACTS_TABLE, DeltaScanArtifact, _COLUMNS)

    def append(self, artifact: DeltaScanArtifact) -> None:
        """Append one artifact."""
        values = {
            "table_uri": artifact.table_uri,
            "table_version": artifact.table_version,
            "config_fingerprint": artifact.config_fingerprint,
            "fragment_count": artifact.telemetry.fragment_count,
            "count_rows": artifact.telemetry.count_rows,
            "scanned_at": artifact.scanned_at,
        }
        self.store.append([(artifact, values)])

    def list(self, table_uri: str | None = None) -> tuple[list[DeltaScanArtifact], list[DiagnosticsEvent]]:
        """Return the artifacts (of one table, or all), oldest first.

        Args:
            table_uri: Only this table's scans; None for every table.

        Returns:
            The artifacts and one diagnostics event per row that does not decode.
        """
        flt = None if table_uri is None else pc.field("table_uri") == table_uri
        records, events = self.store.read(flt)
        return sorted(records, key=lambda a: (a.table_uri, a.scanned_at is None, a.scanned_at)), events
