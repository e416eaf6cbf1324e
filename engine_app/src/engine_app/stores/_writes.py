"""The store of write artifacts: ``<warehouse>/_delta_write_artifacts_v1``.

One row per write made by the write pipeline: ``write_id`` (also in the commits' custom
metadata), ``table_uri``, ``policy_fingerprint``, ``version_before``, ``version_after``,
``rows``, ``files_added``, ``written_at`` and the :class:`DeltaWriteArtifact` payload.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from artifact_contracts.models import DeltaWriteArtifact, DiagnosticsEvent
from engine_app.lake import utc_now
from engine_app.stores._table import PayloadStore

__all__ = ["WRITE_ARTIFACTS_TABLE", "WriteArtifactStore"]

WRITE_ARTIFACTS_TABLE = "_delta_write_artifacts_v1"
"""The store's directory name under the warehouse."""

_COLUMNS = (
    pa.field("write_id", pa.string(), nullable=False),
    pa.field("table_uri", pa.string(), nullable=False),
    pa.field("policy_fingerprint", pa.string(), nullable=False),
    pa.field("version_before", pa.int64()),
    pa.field("version_after", pa.int64(), nullable=False),
    pa.field("rows", pa.int64(), nullable=False),
    pa.field("files_added", pa.int64(), nullable=False),
    pa.field("written_at", pa.timestamp("us", tz="UTC"), nullable=False),
)


class WriteArtifactStore:
    """The write artifacts of one warehouse.

    Args:
        warehouse: The warehouse directory.
    """

    def __init__(self, warehouse: Path) -> None:
        self.store = PayloadStore(Path(warehouse) / WRITE_ARTIFACTS_TABLE, DeltaWriteArtifact, _COLUMNS)

    def append(self, artifact: DeltaWriteArtifact, *, write_id: str) -> None:
        """Append one artifact.

        Args:
            artifact: The write's artifact.
            write_id: The ``engine.writeId`` its commits carry.
        """
        values = {
            "write_id": write_id,
            "table_uri": artifact.table_uri,
            "policy_fingerprint": artifact.policy_fingerprint,
            "version_before": artifact.version_before,
            "version_after": artifact.version_after,
            "rows": artifact.rows,
            "files_added": len(artifact.files_added),
            "written_at": utc_now(),
        }
        self.store.append([(artifact, values)])

    def list(self, table_uri: str | None = None) -> tuple[list[DeltaWriteArtifact], list[DiagnosticsEvent]]:
        """Return the artifacts (of one table, or all), oldest version first.

        Args:
            table_uri: Only this table's writes; None for every table.

        Returns:
            The artifacts and one diagnostics event per row that does not decode.
        """
        flt = None if table_uri is None else pc.field("table_uri") == table_uri
        records, events = self.store.read(flt)
        return sorted(records, key=lambda a: (a.table_uri, a.version_after)), events
