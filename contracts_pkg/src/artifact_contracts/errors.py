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

Paths. Every ``ValidationIssue.path`` starts with ``$`` (the whole input) and is always
written, even when it is ``$``. What follows is a sequence of steps:

- ``.name``: a field whose name is an ASCII identifier;
- ``["any name"]``: any other field name, as a JSON string (ASCII, escaped), so a name
  taken from the input, such as an unknown field called ``x` - at `evil``, gives
  ``$["x` - at `evil"]`` and can never end the path early or forge another one;
- ``[3]``: an item of an array (or a position of an ``array_like`` Struct);
- ``[...]``: the value of a map entry (msgspec does not report which key).

An error inside a map key has the map's path and says ``(in a map key)`` in its message.
The batch decoders put the index of the payload first: ``$[3].policy.partition_by[2]``
is the fourth payload's. Field names declared by a type appear as the type spells them.
"""

from __future__ import annotations

import json
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


# omit_defaults=False: every field is written, ``path`` too when it is ``$``, so a reader
# of a persisted issue never has to know the default to find the location.
class ValidationIssue(StructBaseCompat, omit_defaults=False):
    """One normalized problem found in an input; persisted inside diagnostics."""

    path: Annotated[
        str,
        msgspec.Meta(
            description=(
                "Location of the offending value, always starting with `$`: `$`, `$.policy.partition_by[2]`, "
                '`$["a name"]` (names that are not identifiers, JSON-quoted), `$.settings[...]` (a map value).'
            )
        ),
    ] = "$"
    """Location of the offending value, always starting with ``$`` (see the module docstring)."""
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


# msgspec's error text is "<message>", "<message> - at `<loc>`" or, inside a map key,
# "<message> - at `key` in `<loc>`"; its errors carry no structured attributes, and at the
# root it writes no location at all. The message may hold text from the input (an unknown
# field's name, an invalid enum value), so a location is read only from a text whose
# location is known to be there: the codec decodes the failing input again one level down
# (``$[0]``, or ``$[i]`` in a batch), and the last location of that text, which no backtick
# of the input can reach into, is the real one.
_LOCATED = re.compile(r"^(?P<msg>.*) - at `(?P<loc>[^`]*)`(?: in `(?P<key_of>[^`]*)`)?$", re.S)
_FIELD_IN_MESSAGE = re.compile(r"^Object (?:missing required|contains unknown) field `(?P<field>.*)`$", re.S)
# The one message of the bases' canonicalizing hook that names its field (see base.py).
_FIELD_OF_HOOK = re.compile(r"^(?P<msg>.* once converted to UTC) \(field `(?P<field>[A-Za-z_][A-Za-z0-9_]*)`\)$", re.S)
_SIMPLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def join_field(path: str, field: str) -> str:
    """Append a field name to a path: ``.name`` for an identifier, else JSON-quoted.

    A quoted name (``$["x` - at `evil"]``) is a JSON string, ASCII only, so no name taken
    from the input can end the path early or make it look like another one.
    """
    if _SIMPLE_NAME.match(field):
        return f"{path}.{field}"
    return f"{path}[{json.dumps(field)}]"


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


def _decode_kind(message: str) -> IssueKind:
    # msgspec 0.23 reports invalid UTF-8 as a DecodeError of its own (0.22: UnicodeDecodeError).
    return "invalid_utf8" if message.startswith("Invalid UTF-8") else "malformed"


def unlocated_issue(exc: msgspec.MsgspecError, root: str = "$", *, at_root: bool = False) -> ValidationIssue:
    """The issue of a msgspec error without a location to read: all of its text at ``root``.

    Args:
        exc: The error.
        root: The path of the input: ``$``, or ``$[3]`` in a batch.
        at_root: The text holds no location at all, so the error is at the root and a
            missing or unknown field named in it is the root's.
    """
    message = str(exc)
    if not isinstance(exc, msgspec.ValidationError):
        return ValidationIssue(path=root, message=message, kind=_decode_kind(message))
    path = root
    if at_root:
        path, message = _name_the_field(root, message)
    return ValidationIssue(path=path, message=message, kind=_classify(str(exc)))


def located_issue(exc: msgspec.MsgspecError, wrapped_text: str, prefix: str, root: str = "$") -> ValidationIssue:
    """Normalize a msgspec error, its location read from the text of a wrapped decode.

    Args:
        exc: The error of the decode itself (it decides the kind).
        wrapped_text: The error text of the same input decoded one level down, at ``prefix``.
        prefix: Where the wrapped decode put the input: ``$[0]``.
        root: What stands for ``prefix`` in the path reported: ``$``, or ``$[3]`` in a batch.

    Returns:
        The issue; all of ``exc`` at ``root`` when the wrapped text has no location under
        ``prefix`` (the two decodes did not fail alike).
    """
    match = _LOCATED.match(wrapped_text)
    key_of = None if match is None else match["key_of"]
    where = "" if match is None else (key_of if key_of is not None else match["loc"])
    if match is None or not (where == prefix or where.startswith((prefix + ".", prefix + "["))):
        return unlocated_issue(exc, root)
    path = root + where[len(prefix) :]
    message = match["msg"]
    if key_of is not None:
        # Inside a map key: the path is the map's; where in the key goes in the text.
        loc = match["loc"]
        message = f"{message} (in a map key{'' if loc == 'key' else f', at {loc}'})"
    if not isinstance(exc, msgspec.ValidationError):
        return ValidationIssue(path=path, message=message, kind=_decode_kind(match["msg"]))
    kind = _classify(match["msg"])
    if key_of is None:
        path, message = _name_the_field(path, message)
    return ValidationIssue(path=path, message=message, kind=kind)


def _name_the_field(path: str, message: str) -> tuple[str, str]:
    """Missing and unknown fields (and the bases' UTC overflow) name their field in the path."""
    field = _FIELD_IN_MESSAGE.match(message)
    if field is not None:
        return join_field(path, field["field"]), message
    hook = _FIELD_OF_HOOK.match(message)
    if hook is not None:
        return join_field(path, hook["field"]), hook["msg"]
    return path, message
