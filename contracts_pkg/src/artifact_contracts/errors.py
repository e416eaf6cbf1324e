"""The exceptions raised at every boundary of the contracts package.

Hierarchy::

    Exception
    └── ContractError                 every failure the package reports
        ├── ContractDecodeError       malformed input: bad JSON or MessagePack bytes,
        │                             invalid UTF-8, too deep, too large, unknown ext code
        └── ContractValidationError   well-formed input of the wrong shape: wrong type,
                                      constraint violated, missing or unknown field

Each carries ``issues``: a tuple of :class:`ValidationIssue` Structs, so that a
diagnostics record can persist the failure and golden tests can pin its shape.
msgspec reports only the first problem it meets, so ``issues`` holds one entry for
decode failures; callers that validate several things at once may pass more.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

import msgspec

from artifact_contracts.base import StructBaseCompat

__all__ = [
    "ContractDecodeError",
    "ContractError",
    "ContractValidationError",
    "IssueKind",
    "ValidationIssue",
]

IssueKind = Literal[
    "malformed",
    "invalid_utf8",
    "too_deep",
    "too_large",
    "unknown_ext_code",
    "type_mismatch",
    "constraint",
    "missing_field",
    "unknown_field",
    "invalid_value",
]


class ValidationIssue(StructBaseCompat):
    """One normalized problem found in an input; persisted inside diagnostics."""

    path: Annotated[
        str, msgspec.Meta(description="JSONPath-like location of the offending value: `$`, `$.policy.partition_by[2]`.")
    ] = "$"
    """JSONPath-like location of the offending value: ``$``, ``$.policy.partition_by[2]``."""
    message: Annotated[str, msgspec.Meta(description="Human-readable description, without the location.")]
    """Human-readable description, without the location."""
    kind: Annotated[IssueKind, msgspec.Meta(description="Stable machine-readable category of the problem.")] = (
        "invalid_value"
    )
    """Stable machine-readable category of the problem."""


class ContractError(Exception):
    """Root of every exception raised by ``artifact_contracts``.

    Args:
        issues: The problems found; at least one.
    """

    issues: tuple[ValidationIssue, ...]

    def __init__(self, issues: tuple[ValidationIssue, ...] | list[ValidationIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("; ".join(f"{i.message} (at {i.path})" for i in self.issues))

    def __reduce__(self) -> tuple[type[ContractError], tuple[tuple[ValidationIssue, ...]]]:
        return (type(self), (self.issues,))


class ContractDecodeError(ContractError):
    """The input bytes are not well-formed JSON or MessagePack, or exceed a limit."""


class ContractValidationError(ContractError):
    """The input is well-formed but does not match the target contract type."""


# msgspec's error text is "<message>" or "<message> - at `<loc>`" or, for dict keys,
# "<message> - at `key` in `<path>`"; its errors carry no structured attributes.
_MSGSPEC_ERROR = re.compile(r"^(?P<msg>.*?)(?: - at `(?P<loc>[^`]*)`(?: in `(?P<path>[^`]*)`)?)?$", re.S)
_FIELD_IN_MESSAGE = re.compile(r"^Object (?:missing required|contains unknown) field `(?P<field>.*)`$", re.S)
_SIMPLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _join_field(path: str, field: str) -> str:
    if _SIMPLE_NAME.match(field):
        return f"{path}.{field}"
    escaped = field.replace("\\", "\\\\").replace("'", "\\'")
    return f"{path}['{escaped}']"


def _classify(message: str) -> IssueKind:
    if message.startswith("Object missing required field"):
        return "missing_field"
    if message.startswith("Object contains unknown field"):
        return "unknown_field"
    if message.startswith("Expected `") and ", got `" in message:
        return "type_mismatch"
    if message.startswith("Expected `"):
        return "constraint"
    if "malformed" in message or "truncated" in message or "trailing characters" in message:
        return "malformed"
    return "invalid_value"


def issue_from_msgspec(exc: msgspec.MsgspecError) -> ValidationIssue:
    """Normalize one msgspec error into a :class:`ValidationIssue`.

    Missing and unknown fields get the field's name appended to the path, so the
    path names the offending field rather than the object holding it.
    """
    match = _MSGSPEC_ERROR.match(str(exc))
    assert match is not None  # the pattern matches every string
    message = match["msg"]
    loc = match["loc"] or "$"
    # Inside a map key msgspec says "at `key` in `$.m`", or "at `key[0]` in `$.m`" deeper
    # in a key that is itself a container: the path is the map's, the rest goes in the text.
    in_key = match["path"] is not None and (loc == "key" or loc.startswith(("key[", "key.")))
    path = match["path"] if in_key else loc
    where = "" if loc == "key" else f", at {loc}"
    if not isinstance(exc, msgspec.ValidationError):
        return ValidationIssue(
            path=path, message=f"{message} (in a map key{where})" if in_key else message, kind="malformed"
        )
    kind = _classify(message)
    field = _FIELD_IN_MESSAGE.match(message)
    if field is not None and not in_key:
        path = _join_field(path, field["field"])
    elif in_key:
        message = f"{message} (in a map key{where})"
    return ValidationIssue(path=path, message=message, kind=kind)
