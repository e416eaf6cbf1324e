"""The catalog of compatibility rules: stable ids, classes, broken surfaces, examples.

A rule's class can depend on the base of the type it applies to. Compat (persisted) types
promise both directions inside a major version: a new reader decodes old payloads
(backward) and an old reader decodes new payloads (forward), because artifacts outlive the
code that wrote them. Strict (input) types promise backward compatibility only: a new
reader accepts every input an old one did. So a change that only *widens* what is accepted
is minor on a Strict type and major on a Compat type, where an old reader would reject
what a new writer produces.
"""

from __future__ import annotations

from typing import Final, Literal

from artifact_contracts.base import StructBaseCompat

__all__ = [
    "BUMP_ORDER",
    "Base",
    "Bump",
    "RULES",
    "Rule",
    "Surface",
    "max_bump",
]

Bump = Literal["none", "patch", "minor", "major"]
Surface = Literal["json", "msgpack", "python"]
Base = Literal["compat", "strict"]

BUMP_ORDER: Final[dict[str, int]] = {"none": 0, "patch": 1, "minor": 2, "major": 3}


def max_bump(*bumps: Bump) -> Bump:
    """Return the largest of ``bumps`` (``"none"`` for no argument)."""
    best: Bump = "none"
    for bump in bumps:
        if BUMP_ORDER[bump] > BUMP_ORDER[best]:
            best = bump
    return best


class Rule(StructBaseCompat, frozen=True):
    """One compatibility rule of the catalog."""

    id: str
    """Stable identifier, e.g. ``FIELD_ADDED_OPTIONAL``; never renamed or reused."""
    compat: Bump
    """Required bump when the change is on a Compat (persisted) type."""
    strict: Bump
    """Required bump when the change is on a Strict (input) type."""
    surfaces: tuple[Surface, ...]
    """What breaks: the JSON wire, the MessagePack wire, the Python API."""
    summary: str
    """One-line explanation of why the change has its class."""
    example: str
    """A minimal change that triggers the rule."""

    def bump_for(self, base: Base) -> Bump:
        """Return the bump this rule requires on a type with ``base``."""
        return self.compat if base == "compat" else self.strict


_WIRE: Final[tuple[Surface, ...]] = ("json", "msgpack")
_ALL: Final[tuple[Surface, ...]] = ("json", "msgpack", "python")


def _rule(id: str, compat: Bump, strict: Bump, surfaces: tuple[Surface, ...], summary: str, example: str) -> Rule:
    return Rule(id=id, compat=compat, strict=strict, surfaces=surfaces, summary=summary, example=example)


RULES: Final[dict[str, Rule]] = {
    r.id: r
    for r in (
        _rule(
            "TYPE_ADDED",
            "minor",
            "minor",
            (),
            "A new contract type: no existing payload or caller is affected.",
            "`+ class CdfCursor(StructBaseCompat)`",
        ),
        _rule(
            "TYPE_REMOVED",
            "major",
            "major",
            _ALL,
            "Its payloads no longer decode and its name no longer imports.",
            "`- class ViewArtifact`",
        ),
        _rule(
            "UNKNOWN_FIELDS_FORBIDDEN",
            "major",
            "major",
            _WIRE,
            "Compat -> Strict: payloads with fields this reader does not know are now rejected.",
            "`ScanTelemetry(StructBaseCompat)` -> `ScanTelemetry(StructBaseStrict)`",
        ),
        _rule(
            "UNKNOWN_FIELDS_ALLOWED",
            "minor",
            "minor",
            (),
            "Strict -> Compat: unknown fields are now skipped, so the type accepts more.",
            "`DeltaWritePolicy(StructBaseStrict)` -> `DeltaWritePolicy(StructBaseCompat)`",
        ),
        _rule(
            "LAYOUT_CHANGED",
            "major",
            "major",
            _WIRE,
            "Switching between object and `array_like` encoding changes the shape of every payload.",
            "`class Row(StructBaseCompat)` -> `class Row(StructBaseCompat, array_like=True)`",
        ),
        _rule(
            "TAG_CHANGED",
            "major",
            "major",
            _WIRE,
            "Tagged unions route payloads by tag field and value; old payloads or old readers misroute.",
            '`tag="plan"` -> `tag="plan_v2"`',
        ),
        _rule(
            "FIELD_ADDED_OPTIONAL",
            "minor",
            "minor",
            (),
            "Old payloads decode with the default; old Compat readers skip the unknown field.",
            "`+ zorder_by: tuple[str, ...] = ()`",
        ),
        _rule(
            "FIELD_ADDED_REQUIRED",
            "major",
            "major",
            _ALL,
            "Every old payload and every existing constructor call lacks the new field.",
            "`+ owner: str`",
        ),
        _rule(
            "FIELD_REMOVED",
            "major",
            "major",
            _ALL,
            "Strict readers reject old payloads carrying it, old readers that require it fail, "
            "and the attribute is gone.",
            '`- stats_policy: str = "auto"`',
        ),
        _rule(
            "FIELD_RENAMED",
            "major",
            "major",
            _ALL,
            "A rename is a removal plus an addition for the wire and for callers alike.",
            "`partition_by` -> `partition_columns`",
        ),
        _rule(
            "FIELD_WIRE_NAME_CHANGED",
            "major",
            "major",
            _WIRE,
            "The encoded name changed (`rename=`) while the attribute kept its name.",
            '`rename=None` -> `rename="camel"`',
        ),
        _rule(
            "ATTRIBUTE_RENAMED",
            "major",
            "major",
            ("python",),
            "The attribute name changed but the wire did not (an `array_like` position or a "
            "`rename=` kept it): only Python callers break.",
            "`array_like` field 0: `rows` -> `row_count`",
        ),
        _rule(
            "FIELD_BECAME_REQUIRED",
            "major",
            "major",
            _ALL,
            "Old payloads and calls that leave the field out now fail.",
            "`limit: int = 10` -> `limit: int`",
        ),
        _rule(
            "FIELD_BECAME_OPTIONAL",
            "major",
            "minor",
            _WIRE,
            "With `omit_defaults` a new writer leaves the field out at its default, and an old "
            "reader that requires it fails; fine for Strict inputs, which promise backward only.",
            "`limit: int` -> `limit: int = 10`",
        ),
        _rule(
            "DEFAULT_CHANGED",
            "major",
            "major",
            _ALL,
            "With `omit_defaults` a writer omits the new default and an old reader fills in the "
            "old one: the value changes silently.",
            '`stats_policy: str = "auto"` -> `stats_policy: str = "off"`',
        ),
        _rule(
            "FIELD_TYPE_CHANGED",
            "major",
            "major",
            _ALL,
            "The field's type (or string format) changed to an unrelated one.",
            "`target_file_size: int` -> `target_file_size: str`",
        ),
        _rule(
            "FIELD_TYPE_WIDENED",
            "major",
            "minor",
            _WIRE,
            "The type accepts more (`int` -> `float`, a new union branch, `None`): old Compat "
            "readers reject what new writers produce.",
            "`cost: int` -> `cost: int | None = None`",
        ),
        _rule(
            "FIELD_TYPE_NARROWED",
            "major",
            "major",
            _ALL,
            "The type accepts less (a union branch or `None` removed): old payloads may not decode.",
            "`cost: int | None` -> `cost: int`",
        ),
        _rule(
            "CONSTRAINT_TIGHTENED",
            "major",
            "major",
            _WIRE,
            "A `Meta` constraint got stricter (`ge` raised, `max_length` lowered, a `pattern` "
            "added): old payloads may fail validation.",
            "`Meta(ge=0)` -> `Meta(ge=1)`",
        ),
        _rule(
            "CONSTRAINT_LOOSENED",
            "major",
            "minor",
            _WIRE,
            "A `Meta` constraint got laxer: new writers may produce values old Compat readers reject.",
            "`Meta(max_length=64)` -> `Meta(max_length=128)`",
        ),
        _rule(
            "CONSTRAINT_CHANGED",
            "major",
            "major",
            _WIRE,
            "A constraint changed in a way neither stricter nor laxer (another `pattern`).",
            '`Meta(pattern="^[a-z]+$")` -> `Meta(pattern="^[A-Z]+$")`',
        ),
        _rule(
            "LITERAL_VALUE_ADDED",
            "major",
            "minor",
            _WIRE,
            "An old reader rejects the new `Literal` value that a new writer may produce.",
            '`Literal["off", "auto"]` -> `Literal["off", "auto", "explicit"]`',
        ),
        _rule(
            "LITERAL_VALUE_REMOVED",
            "major",
            "major",
            _ALL,
            "Old payloads and calls using the removed value fail.",
            '`Literal["off", "auto"]` -> `Literal["auto"]`',
        ),
        _rule(
            "ENUM_VALUE_ADDED",
            "major",
            "minor",
            _WIRE,
            "An old reader rejects the new `Enum` member's value that a new writer may produce.",
            '`+ ZSTD = "zstd"`',
        ),
        _rule(
            "ENUM_VALUE_REMOVED",
            "major",
            "major",
            _ALL,
            "Old payloads with the value fail to decode and the member is gone.",
            '`- SNAPPY = "snappy"`',
        ),
        _rule(
            "ARRAY_LIKE_FIELD_APPENDED",
            "minor",
            "minor",
            (),
            "`array_like` is positional: a defaulted field at the end is filled in for old "
            "payloads and skipped by old Compat readers.",
            "`[rows, bytes]` -> `[rows, bytes, files=0]`",
        ),
        _rule(
            "ARRAY_LIKE_FIELD_INSERTED",
            "major",
            "major",
            _WIRE,
            "A field inserted before the end of an `array_like` type shifts every later position.",
            "`[rows, bytes]` -> `[rows, files, bytes]`",
        ),
        _rule(
            "ARRAY_LIKE_REORDERED",
            "major",
            "major",
            _WIRE,
            "`array_like` fields are positional: reordering them reinterprets every payload.",
            "`[rows, bytes]` -> `[bytes, rows]`",
        ),
        _rule(
            "EXT_CODE_CHANGED",
            "major",
            "major",
            ("msgpack",),
            "The binary payload now travels under another MessagePack ext code (or as `bin`): "
            "old readers cannot decode it. JSON (base64) is unaffected.",
            "`SUBSTRAIT = 10` -> `SUBSTRAIT = 12`",
        ),
        _rule(
            "EXT_CODE_REUSED",
            "major",
            "major",
            ("msgpack",),
            "An ext code now carries another payload type: readers decode the bytes as the wrong kind.",
            "code 11: DataFusion proto -> Arrow IPC",
        ),
        _rule(
            "EXT_CODE_ADDED",
            "minor",
            "minor",
            (),
            "A new ext code for a new payload type: nothing old uses it.",
            "`+ ARROW_IPC = 12`",
        ),
        _rule(
            "EXT_CODE_REMOVED",
            "major",
            "major",
            ("msgpack",),
            "Payloads carrying the code no longer decode.",
            "`- DATAFUSION_PROTO = 11`",
        ),
        _rule(
            "DOC_CHANGED",
            "patch",
            "patch",
            (),
            "Only a description, title or example changed.",
            '`"""Rows scanned."""` -> `"""Rows read from the scan."""`',
        ),
    )
}
"""Every rule by id."""
