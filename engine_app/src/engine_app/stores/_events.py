"""Diagnostics events: built as Structs, stamped in UTC, printed on one line for people."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from artifact_contracts import ValidationIssue
from artifact_contracts.models import DiagnosticsEvent, Severity
from engine_app.lake import utc_now

__all__ = ["format_event", "make_event"]


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
        at=utc_now(),
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
