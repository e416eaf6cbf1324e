"""Diagnostics events: what went wrong (or is worth knowing), as persistent records."""

from typing import Annotated, Literal, Optional

import msgspec

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.errors import ValidationIssue
from artifact_contracts.models.types import NO_NEWLINE, Text, UtcDateTime

__all__ = ["DiagnosticsEvent", "Severity"]

Severity = Literal["debug", "info", "warning", "error"]


class DiagnosticsEvent(StructBaseCompat, tag="diagnostics_event", tag_field="kind"):
    """One event: a stable code, a message, the issues behind it and where it happened."""

    severity: Annotated[Severity, msgspec.Meta(description="How much the event matters.")]
    code: Annotated[
        str,
        msgspec.Meta(
            pattern=rf"^{NO_NEWLINE}[A-Z][A-Z0-9_]{{1,63}}$", description="Stable code, e.g. `ROW_DECODE_FAILED`."
        ),
    ]
    message: Annotated[Text, msgspec.Meta(description="What happened, for people.")]
    subject: Annotated[
        Optional[Text], msgspec.Meta(description="What the event is about: a row id, a file, a table.")
    ] = None
    issues: Annotated[
        tuple[ValidationIssue, ...], msgspec.Meta(description="The validation issues behind the event.")
    ] = ()
    context: Annotated[dict[str, str], msgspec.Meta(description="Extra facts, as text.")] = {}
    at: Annotated[Optional[UtcDateTime], msgspec.Meta(description="When it happened, if recorded.")] = None
