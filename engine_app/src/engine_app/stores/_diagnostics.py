"""The persisted diagnostics events of a warehouse.

Events are appended to the Delta table ``engine_diagnostics_v1`` under the warehouse:
queryable columns (``at``, ``severity``, ``code``, ``subject``) plus ``payload``, the
event's MessagePack encoding, decoded at the boundary when read back.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import pyarrow as pa

from artifact_contracts import ContractError, loads_msgpack
from artifact_contracts.models import DiagnosticsEvent
from engine_app.lake import Location
from engine_app.stores._events import make_event
from engine_app.stores._table import PAYLOAD, TIMESTAMP, Column, Store, StoreSpec, field_column

__all__ = ["DIAGNOSTICS_SPEC", "DIAGNOSTICS_TABLE", "DiagnosticsLog"]

DIAGNOSTICS_TABLE = "engine_diagnostics_v1"
"""The diagnostics table's name under the warehouse directory."""

DIAGNOSTICS_SPEC = StoreSpec(
    table=DIAGNOSTICS_TABLE,
    record=DiagnosticsEvent,
    columns=(
        # An event without a time is listed at the time it was written (its payload keeps None).
        Column(pa.field("at", TIMESTAMP, nullable=False), lambda row: row.record.at or row.written_at),
        *(field_column(DiagnosticsEvent, name) for name in ("severity", "code", "subject")),
    ),
    order=("at",),
)
"""The diagnostics log's declaration (append-only)."""


class DiagnosticsLog:
    """The warehouse's persisted diagnostics events.

    Args:
        warehouse: The warehouse.
    """

    def __init__(self, warehouse: Location | str | os.PathLike[str]) -> None:
        self.store = Store(Location.of(warehouse).join(DIAGNOSTICS_TABLE), DIAGNOSTICS_SPEC)

    def append(self, events: Sequence[DiagnosticsEvent]) -> None:
        """Persist events (one commit for all of them).

        Args:
            events: The events; nothing is written when empty.
        """
        self.store.write(events)

    def read(self) -> list[DiagnosticsEvent]:
        """Read every persisted event, oldest first.

        Returns:
            The events. A payload that does not decode is reported as an event of its
            own (``EVENT_DECODE_FAILED``) in its place, a data file that cannot be read
            as ``DATA_FILE_UNREADABLE`` (first).
        """
        reads = self.store.sorted(self.store.read())
        events: list[DiagnosticsEvent] = list(reads.events)
        for index, payload in enumerate(reads.table.column(PAYLOAD).to_pylist()):
            try:
                events.append(loads_msgpack(payload, DiagnosticsEvent))
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
