"""The store of scan artifacts: ``<warehouse>/delta_scan_artifacts_v1``.

One row per scan run with a warehouse: ``table_uri``, ``table_version``,
``config_fingerprint``, ``fragment_count``, ``count_rows``, ``scanned_at`` and the
:class:`DeltaScanArtifact` payload.
"""

from __future__ import annotations

import os

import pyarrow.compute as pc

from artifact_contracts.models import DeltaScanArtifact, DiagnosticsEvent
from engine_app.lake import Location
from engine_app.stores._table import Store, StoreSpec, field_column

__all__ = ["SCANS_SPEC", "SCAN_ARTIFACTS_TABLE", "ScanArtifactStore"]

SCAN_ARTIFACTS_TABLE = "delta_scan_artifacts_v1"
"""The store's table name under the warehouse."""

SCANS_SPEC = StoreSpec(
    table=SCAN_ARTIFACTS_TABLE,
    record=DeltaScanArtifact,
    columns=(
        *(field_column(DeltaScanArtifact, name) for name in ("table_uri", "table_version", "config_fingerprint")),
        field_column(DeltaScanArtifact, "telemetry.fragment_count"),
        field_column(DeltaScanArtifact, "telemetry.count_rows"),
        field_column(DeltaScanArtifact, "scanned_at"),
    ),
    order=("table_uri", "scanned_at"),
)
"""The scan-artifact store's declaration (append-only)."""


class ScanArtifactStore:
    """The scan artifacts of one warehouse.

    Args:
        warehouse: The warehouse.
    """

    def __init__(self, warehouse: Location | str | os.PathLike[str]) -> None:
        self.store = Store(Location.of(warehouse).join(SCAN_ARTIFACTS_TABLE), SCANS_SPEC)

    def append(self, artifact: DeltaScanArtifact) -> None:
        """Append one artifact."""
        self.store.write([artifact])

    def list(self, table_uri: str | None = None) -> tuple[list[DeltaScanArtifact], list[DiagnosticsEvent]]:
        """Return the artifacts (of one table, or all), oldest first.

        Args:
            table_uri: Only this table's scans; None for every table.

        Returns:
            The artifacts and one diagnostics event per row that does not decode.
        """
        flt = None if table_uri is None else pc.field("table_uri") == table_uri
        decoded = self.store.records(flt)
        items = sorted(decoded.items, key=lambda a: (a.table_uri, a.scanned_at is None, a.scanned_at))
        return items, decoded.events
