"""Diagnostics events: built as Structs, printed for people, persisted in the warehouse.

Events are appended to the Delta table ``engine_diagnostics_v1`` under the warehouse:
queryable columns (``at``, ``severity``, ``code``, ``subject``) plus ``payload``, the
event's MessagePack encoding, decoded at the boundary when read back.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pyarrow as pa
from deltalake import write_deltalake

from artifact_contracts import ContractError, ValidationIssue, dumps_msgpack, loads_msgpack
from artifact_contracts.models import DiagnosticsEvent, Severity
from engine_app.file_reads import read_files

__all__ = [
    "DIAGNOSTICS_TABLE",
    "DiagnosticsLog",
    "format_event",
    "make_event",
]

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


def make_event(
    severity: Severity,
    code: str,
    message: str,
    *,
    subject: str | None = None,
    issues: Iterable[ValidationIssue] = (),
    context: Mapping[str, str] | None = None,
) -> DiagnosticsEvent:
    """Build an event stamped with the current UTC time.

    Args:
        severity: ``debug``, ``info``, ``warning`` or ``error``.
        code: A stable upper-case code, e.g. ``ROW_DECODE_FAILED``.
        message: What happened.
        subject: What it is about (a row, a table, a fingerprint).
        issues: The validation issues behind it.
        context: Extra facts, as text.

    Returns:
        The event.
    """
    return DiagnosticsEvent(
        severity=severity,
        code=code,
        message=message,
        subject=subject,
        issues=tuple(issues),
        context=dict(context or {}),
        at=datetime.datetime.now(datetime.timezone.utc),
    )


def format_event(event: DiagnosticsEvent) -> str:
    """Render an event on one line, then one indented line per issue.

    Args:
        event: The event.

    Returns:
        Text such as ``ERROR ROW_DECODE_FAILED [row 3]: ...``.
    """
    head = f"{event.severity.upper()} {event.code}"
    if event.subject:
        head += f" [{event.subject}]"
    lines = [f"{head}: {event.message}"]
    lines.extend(f"    {issue.path}: {issue.message} ({issue.kind})" for issue in event.issues)
    return "\n".join(lines)


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
        now = datetime.datetime.now(datetime.timezone.utc)
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
        if not (self.path / "_delta_log").is_dir():
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
