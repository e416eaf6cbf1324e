"""Constrained scalar types shared by the models: ``Annotated`` aliases with ``Meta``.

Public so that consumers (``engine-app`` among them) can type their own fields exactly as
the contracts do: a value valid for one of these aliases is valid wherever a contract
uses it. Changing an alias changes every contract that uses it, so the compatibility gate
classifies it field by field like any other constraint.

Examples:
    >>> import msgspec
    >>> from artifact_contracts import loads_json
    >>> class Holder(msgspec.Struct):
    ...     name: Name
    >>> loads_json(b'{"name": "orders_v2"}', Holder).name
    'orders_v2'
"""

import datetime
from typing import Annotated

import msgspec

__all__ = [
    "ColumnName",
    "Count",
    "Fingerprint",
    "FiniteFloat",
    "INT64_MAX",
    "NO_NEWLINE",
    "Name",
    "SemVer",
    "Text",
    "UtcDateTime",
    "Version",
]

INT64_MAX = 2**63 - 1
"""The largest signed 64-bit integer: a Delta ``long``, the bound of every count."""

# Patterns match with Python's ``re.search``, where ``$`` also matches before a final
# newline; ``(?!.*\n)`` after ``^`` refuses that newline in Python and ECMA-262 alike.
NO_NEWLINE = r"(?!.*\n)"

Fingerprint = Annotated[
    str,
    msgspec.Meta(
        min_length=71,
        max_length=71,
        pattern=r"^sha256:[0-9a-f]{64}$",
        description="A canonical fingerprint: `sha256:` and 64 lowercase hex digits.",
        examples=["sha256:" + "0" * 64],
    ),
]
Name = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=255,
        pattern=rf"^{NO_NEWLINE}[A-Za-z_][A-Za-z0-9_.\-]*$",
        description="An identifier: a letter or underscore, then letters, digits, `_`, `.` or `-`.",
    ),
]
ColumnName = Annotated[
    str, msgspec.Meta(min_length=1, max_length=255, description="A column name as the table spells it.")
]
Text = Annotated[str, msgspec.Meta(max_length=16 * 1024 * 1024, description="Free text.")]
Count = Annotated[int, msgspec.Meta(ge=0, le=INT64_MAX, description="A non-negative count.")]
Version = Annotated[int, msgspec.Meta(ge=0, le=INT64_MAX, description="A Delta table version.")]
FiniteFloat = Annotated[
    float,
    msgspec.Meta(
        ge=-1.7976931348623157e308,
        le=1.7976931348623157e308,
        description="A finite float64 (NaN and infinities are not representable in JSON).",
    ),
]
UtcDateTime = Annotated[
    datetime.datetime,
    msgspec.Meta(tz=True, description="An aware timestamp, written in UTC (RFC 3339)."),
]
SemVer = Annotated[
    str,
    msgspec.Meta(
        pattern=rf"^{NO_NEWLINE}(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:[-+.][0-9A-Za-z.\-+]*)?$",
        description="A version string (semantic version, optionally with a pre-release part).",
    ),
]
