"""The persisted diagnostics events of a warehouse.

Events are appended to the Delta table ``engine_diagnostics_v1`` under the warehouse:
queryable columns (``at``, ``severity``, ``code``, ``subject``) plus ``payload``, the
event's MessagePack encoding, decoded at the boundary when read back.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
from deltalake import write_deltalake

from artifact_contracts import ContractError, dumps_msgpack, loads_msgpack
from artifact_contracts.models import DiagnosticsEvent
from engine_app.lake import is_delta_table, utc_now
from engine_app.stores._events import make_event
from engine_app.stores._table import read_files

__all__ = ["DIAGNOSTICS_TABLE", "DiagnosticsLog"]

DIAGNOSTICS_TABLE = "engine_diagnostics_v1"
"""The diagnostics table's name under the warehouse directory."""

_SCHEMA = pa.schema(
    [
        pa.field("at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("severity", pa.string(), nullable=False),
        pa.field("code", pa.string(), nullable=False),
        pa.field("subject", pa.string()),
        pa.field("payload", pa.binary(), nullable=False),
    ]
)


class DiagnosticsLog:
    """The warehouse's persisted diagnostics events.

    Args:
        warehouse: The warehouse directory.
    """

    def __init__(self, warehouse: Path) -> None:
        self.path = Path(warehouse) / DIAGNOSTICS_TABLE

    def append(self, events: Sequence[DiagnosticsEvent]) -> None:
        """Persist events (one commit for all of them).

        Args:
            events: The events; nothing is written when empty.
        """
        if not events:
            return
        now = utc_now()
        data = pa.table(
            {
                "at": [event.at or now for event in events],
                "severity": [event.severity for event in events],
                "code": [event.code for event in events],
                "subject": [event.subject for event in events],
                "payload": [dumps_msgpack(event) for event in events],
            },
            schema=_SCHEMA,
        )
        self.path.mkdir(parents=True, exist_ok=True)
        write_deltalake(str(self.path), data, mode="append")

    def read(self) -> list[DiagnosticsEvent]:
        """Read every persisted event, oldest first.

        Returns:
            The events. A payload that does not decode is reported as an event of its
            own (``EVENT_DECODE_FAILED``) in its place, a data file that cannot be read
            as ``DATA_FILE_UNREADABLE`` (first).
        """
        if not is_delta_table(self.path):
            return []
        reads = read_files(self.path)
        table = reads.table
        events: list[DiagnosticsEvent] = list(reads.events)
        for index, row in enumerate(table.sort_by("at").to_pylist()):
            try:
                events.append(loads_msgpack(row["payload"], DiagnosticsEvent))
            except ContractError as exc:
                events.append(
                    make_event(
                        "error",
                        "EVENT_DECODE_FAILED",
                        "a diagnostics event does not decode",
                        subject=f"{DIAGNOSTICS_TABLE} row {index}",
                        issues=exc.issues,
                    )
                )
        return events
