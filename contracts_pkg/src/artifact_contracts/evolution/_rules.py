"""The catalog of compatibility rules: stable ids, what each breaks per surface and direction.

Every rule says, for each base, which surfaces break in which direction:

- **backward**: a new reader (or the new Python API) fails on what an old writer wrote,
  an old reader accepted, or old calling code does;
- **forward**: an old reader (or the old Python API) fails on what a new writer writes or
  new calling code does.

"Fails" means rejects, or accepts with another meaning (a default filled in silently).
The bump follows from the promise of the base. Compat (persisted) types promise both
directions on the wire, because artifacts outlive the code that wrote them; Strict
(input) types promise backward only. Both promise backward on the Python API. A broken
promise is **major**; any other change is **minor** (it adds something); a change of
words only is **patch**. So a change that only *widens* what is accepted is minor on a
Strict type and major on a Compat type, where an old reader rejects what a new writer
produces.
"""

from __future__ import annotations

from typing import Final, Literal

from artifact_contracts.base import StructBaseCompat

__all__ = [
    "BUMP_ORDER",
    "Base",
    "Breaks",
    "Bump",
    "RULES",
    "Rule",
    "SURFACES",
    "Surface",
    "max_bump",
]

Bump = Literal["none", "patch", "minor", "major"]
Surface = Literal["json", "msgpack", "python"]
Base = Literal["compat", "strict"]

BUMP_ORDER: Final[dict[str, int]] = {"none": 0, "patch": 1, "minor": 2, "major": 3}
SURFACES: Final[tuple[Surface, ...]] = ("json", "msgpack", "python")

# What each base promises, per direction: the surfaces on which a break is major.
_PROMISED: Final[dict[Base, dict[str, frozenset[Surface]]]] = {
    "compat": {"backward": frozenset(SURFACES), "forward": frozenset({"json", "msgpack"})},
    "strict": {"backward": frozenset(SURFACES), "forward": frozenset()},
}


def max_bump(*bumps: Bump) -> Bump:
    """Return the largest of ``bumps`` (``"none"`` for no argument)."""
    best: Bump = "none"
    for bump in bumps:
        if BUMP_ORDER[bump] > BUMP_ORDER[best]:
            best = bump
    return best


class Breaks(StructBaseCompat, frozen=True):
    """The surfaces a change breaks, per direction."""

    backward: tuple[Surface, ...] = ()
    """New readers or the new API fail on old payloads, old inputs or old calling code."""
    forward: tuple[Surface, ...] = ()
    """Old readers or the old API fail on what new writers or new calling code produce."""

    def bump(self, base: Base, *, doc_only: bool = False) -> Bump:
        """Return the bump these breaks require on a type of ``base``."""
        promised = _PROMISED[base]
        if set(self.backward) & promised["backward"] or set(self.forward) & promised["forward"]:
            return "major"
        return "patch" if doc_only else "minor"

    def surfaces(self) -> tuple[Surface, ...]:
        """Every surface broken in either direction."""
        return _union(self.backward, self.forward)

    def __or__(self, other: Breaks) -> Breaks:
        return Breaks(backward=_union(self.backward, other.backward), forward=_union(self.forward, other.forward))


def _union(a: tuple[Surface, ...], b: tuple[Surface, ...]) -> tuple[Surface, ...]:
    return tuple(s for s in SURFACES if s in a or s in b)


class Rule(StructBaseCompat, frozen=True):
    """One compatibility rule of the catalog."""

    id: str
    """Stable identifier, e.g. ``FIELD_ADDED_OPTIONAL``; never renamed or reused."""
    compat: Bump
    """Required bump when the change is on a Compat (persisted) type."""
    strict: Bump
    """Required bump when the change is on a Strict (input) type."""
    surfaces: tuple[Surface, ...]
    """What breaks in either direction on either base: the JSON wire, the MessagePack wire, the Python API."""
    compat_breaks: Breaks
    """What breaks, per direction, on a Compat type."""
    strict_breaks: Breaks
    """What breaks, per direction, on a Strict type."""
    summary: str
    """One-line explanation of why the change has its class."""
    example: str
    """A minimal change that triggers the rule."""

    def bump_for(self, base: Base) -> Bump:
        """Return the bump this rule requires on a type with ``base``."""
        return self.compat if base == "compat" else self.strict

    def breaks_for(self, base: Base) -> Breaks:
        """Return what this rule breaks on a type with ``base``."""
        return self.compat_breaks if base == "compat" else self.strict_breaks


_LETTERS: Final[dict[str, Surface]] = {"j": "json", "m": "msgpack", "p": "python"}


def _breaks(spec: str) -> Breaks:
    """``"jm/p"``: backward breaks json and msgpack, forward breaks python (``-`` for none)."""
    backward, forward = spec.split("/")
    return Breaks(
        backward=tuple(_LETTERS[c] for c in backward if c != "-"),
        forward=tuple(_LETTERS[c] for c in forward if c != "-"),
    )


def _rule(rule_id: str, compat: str, strict: str | None, summary: str, example: str, *, doc: bool = False) -> Rule:
    """Build a rule from its breaks, written ``backward/forward`` (see :func:`_breaks`)."""
    on_compat = _breaks(compat)
    on_strict = on_compat if strict is None else _breaks(strict)
    return Rule(
        id=rule_id,
        compat=on_compat.bump("compat", doc_only=doc),
        strict=on_strict.bump("strict", doc_only=doc),
        surfaces=(on_compat | on_strict).surfaces(),
        compat_breaks=on_compat,
        strict_breaks=on_strict,
        summary=summary,
        example=example,
    )


_CATALOG: Final[tuple[Rule, ...]] = (
    _rule(
        "TYPE_ADDED",
        "-/-",
        None,
        "A new contract type: no existing payload or caller is affected.",
        "`+ class CdfCursor(StructBaseCompat)`",
    ),
    _rule(
        "TYPE_REMOVED",
        "jmp/-",
        None,
        "Its payloads no longer decode and its name no longer imports.",
        "`- class ViewArtifact`",
    ),
    _rule(
        "UNKNOWN_FIELDS_FORBIDDEN",
        "jm/-",
        None,
        "Compat -> Strict: payloads with fields this reader does not know are now rejected.",
        "`ScanTelemetry(StructBaseCompat)` -> `ScanTelemetry(StructBaseStrict)`",
    ),
    _rule(
        "UNKNOWN_FIELDS_ALLOWED",
        "-/-",
        None,
        "Strict -> Compat: unknown fields are now skipped, so the type accepts more.",
        "`DeltaWritePolicy(StructBaseStrict)` -> `DeltaWritePolicy(StructBaseCompat)`",
    ),
    _rule(
        "LAYOUT_CHANGED",
        "jm/jm",
        None,
        "Switching between object and `array_like` encoding changes the shape of every payload.",
        "`class Row(StructBaseCompat)` -> `class Row(StructBaseCompat, array_like=True)`",
    ),
    _rule(
        "TAG_CHANGED",
        "jm/jm",
        None,
        "Tagged unions route payloads by tag field and value; old payloads or old readers misroute.",
        '`tag="plan"` -> `tag="plan_v2"`',
    ),
    _rule(
        "FIELD_ADDED_OPTIONAL",
        "-/p",
        "-/jmp",
        "Old payloads decode with the default and old Compat readers skip the field; old Strict "
        "readers reject it, and the old constructor does not take it.",
        "`+ zorder_by: tuple[str, ...] = ()`",
    ),
    _rule(
        "FIELD_ADDED_REQUIRED",
        "jmp/p",
        "jmp/jmp",
        "Every old payload and every existing constructor call lacks the new field.",
        "`+ owner: str`",
    ),
    _rule(
        "FIELD_REMOVED",
        "p/-",
        "jmp/-",
        "An optional field is gone: Compat readers skip it in old payloads, Strict readers reject "
        "it, and the attribute and keyword are gone.",
        '`- stats_policy: str = "auto"`',
    ),
    _rule(
        "FIELD_REMOVED_REQUIRED",
        "p/jmp",
        "jmp/jmp",
        "A required field is gone: old readers, which require it, reject new payloads.",
        "`- table_uri: str`",
    ),
    _rule(
        "FIELD_RENAMED",
        "p/p",
        "jmp/jmp",
        "An optional field renamed is a removal plus an addition: the value of old payloads is "
        "dropped, and callers using either name break on the other release.",
        "`partition_by: tuple[str, ...] = ()` -> `partition_columns: tuple[str, ...] = ()`",
    ),
    _rule(
        "FIELD_RENAMED_REQUIRED",
        "jmp/jmp",
        None,
        "A required field renamed: each release rejects the other's payloads and calls.",
        "`consumer: str` -> `consumer_name: str`",
    ),
    _rule(
        "FIELD_WIRE_NAME_CHANGED",
        "jm/jm",
        None,
        "The encoded name changed (`rename=`) while the attribute kept its name.",
        '`rename=None` -> `rename="camel"`',
    ),
    _rule(
        "ATTRIBUTE_RENAMED",
        "p/p",
        None,
        "The attribute name changed but the wire did not (an `array_like` position or a "
        "`rename=` kept it): only Python callers break.",
        "`array_like` field 0: `rows` -> `row_count`",
    ),
    _rule(
        "FIELD_BECAME_REQUIRED",
        "jmp/-",
        None,
        "Old payloads and calls that leave the field out now fail.",
        "`limit: int = 10` -> `limit: int`",
    ),
    _rule(
        "FIELD_BECAME_OPTIONAL",
        "-/jmp",
        None,
        "With `omit_defaults` a new writer leaves the field out at its default, and an old "
        "reader that requires it fails; fine for Strict inputs, which promise backward only.",
        "`limit: int` -> `limit: int = 10`",
    ),
    _rule(
        "ARRAY_LIKE_FIELD_BECAME_OPTIONAL",
        "-/p",
        None,
        "`array_like` writers write every position, defaults included, so old readers still "
        "find it; only new calls that leave it out fail on the old release.",
        "`[rows, bytes]` -> `[rows, bytes=0]`",
    ),
    _rule(
        "DEFAULT_CHANGED",
        "jmp/jmp",
        None,
        "With `omit_defaults` a writer omits its default and a reader fills in its own: the "
        "value changes silently, on the wire and for callers that leave it out.",
        '`stats_policy: str = "auto"` -> `stats_policy: str = "off"`',
    ),
    _rule(
        "ARRAY_LIKE_DEFAULT_CHANGED",
        "jmp/p",
        None,
        "`array_like` writers write every position, but a shorter old payload (from before the "
        "field was appended) and calls that leave the field out get another value.",
        "`[rows, files=0]` -> `[rows, files=1]`",
    ),
    _rule(
        "DEFAULT_TYPE_CHANGED",
        "p/p",
        None,
        "The default is an equal value of another type (`1` -> `1.0`): the wire means the same "
        "number, callers that leave the field out get another type.",
        "`ratio: float = 1` -> `ratio: float = 1.0`",
    ),
    _rule(
        "FIELD_TYPE_CHANGED",
        "jmp/jmp",
        None,
        "The field's type changed to an unrelated one.",
        "`target_file_size: int` -> `target_file_size: str`",
    ),
    _rule(
        "FIELD_TYPE_WIDENED",
        "-/jmp",
        None,
        "The type accepts more (`int` -> `float`, a new union branch, `None`, a `Literal` -> "
        "its base type): old readers reject what new writers produce.",
        "`cost: int` -> `cost: int | None = None`",
    ),
    _rule(
        "FIELD_TYPE_NARROWED",
        "jmp/-",
        None,
        "The type accepts less (a union branch or `None` removed): old payloads may not decode.",
        "`cost: int | None` -> `cost: int`",
    ),
    _rule(
        "PYTHON_TYPE_CHANGED",
        "p/p",
        None,
        "The wire is the same but the Python type is not (`tuple` -> `list`, `frozenset` -> "
        "`set`, `bytes` -> `bytearray`): values callers pass or get are of another class.",
        "`partition_by: tuple[str, ...]` -> `partition_by: list[str]`",
    ),
    _rule(
        "STRING_TYPE_RELAXED",
        "p/jmp",
        None,
        "A string-spelled type (`UUID`, `date`, `Decimal`...) became `str`: old payloads still "
        "decode, new ones may hold any string, and callers pass or get `str`.",
        "`run_id: UUID` -> `run_id: str`",
    ),
    _rule(
        "STRING_TYPE_RELAXED_FROM_EXT",
        "mp/jmp",
        None,
        "An aware `datetime` became `str`: JSON spells both as a string, MessagePack writes the "
        "datetime as a timestamp ext that a `str` reader rejects.",
        "`created_at: UtcDateTime` -> `created_at: str`",
    ),
    _rule(
        "STRING_TYPE_NARROWED",
        "jmp/p",
        None,
        "`str` became a string-spelled type (`UUID`, `date`...): old strings may not parse.",
        "`run_id: str` -> `run_id: UUID`",
    ),
    _rule(
        "STRING_TYPE_NARROWED_TO_EXT",
        "jmp/mp",
        None,
        "`str` became an aware `datetime`: old strings may not parse, and MessagePack now "
        "carries a timestamp ext that old `str` readers reject.",
        "`created_at: str` -> `created_at: UtcDateTime`",
    ),
    _rule(
        "CONSTRAINT_TIGHTENED",
        "jmp/-",
        None,
        "A `Meta` constraint got stricter (`ge` raised, `max_length` lowered, a `pattern` or "
        "`tz=True` added, on a value or a dict key): old payloads and values may fail validation.",
        "`Meta(ge=0)` -> `Meta(ge=1)`",
    ),
    _rule(
        "CONSTRAINT_LOOSENED",
        "-/jmp",
        None,
        "A `Meta` constraint got laxer (`gt` -> `ge`, a bound or `tz=True` dropped): new writers "
        "may produce values old readers reject.",
        "`Meta(max_length=64)` -> `Meta(max_length=128)`",
    ),
    _rule(
        "CONSTRAINT_CHANGED",
        "jmp/jmp",
        None,
        "A constraint changed in a way neither stricter nor laxer (another `pattern`).",
        '`Meta(pattern="^[a-z]+$")` -> `Meta(pattern="^[A-Z]+$")`',
    ),
    _rule(
        "BASE64_SPELLING_TIGHTENED",
        "jp/-",
        None,
        "The `pattern` of a base64 field got stricter: it binds the JSON spelling (and `convert` "
        "of base64 text) alone, since MessagePack carries `bytes` as bin and payload types as ext.",
        "base64 `pattern` None -> canonical spelling only",
    ),
    _rule(
        "BASE64_SPELLING_LOOSENED",
        "-/jp",
        None,
        "The `pattern` of a base64 field got laxer: new JSON writers may spell what old readers "
        "reject; MessagePack, which carries no base64, is untouched.",
        "base64 `pattern` canonical spelling only -> None",
    ),
    _rule(
        "BASE64_SPELLING_CHANGED",
        "jp/jp",
        None,
        "The `pattern` of a base64 field changed neither stricter nor laxer: JSON only, as above.",
        "base64 `pattern` -> another `pattern`",
    ),
    _rule(
        "PATTERN_STATED",
        "-/-",
        None,
        "The export states (or stops stating) as a `pattern` what the decoder of the field's type "
        "has always enforced: standard base64 for `bytes`, an aware RFC 3339 timestamp for an aware "
        "`datetime`. No payload and no call changes its outcome.",
        "`format: date-time` -> `format: date-time` + its RFC 3339 `pattern`",
        doc=True,
    ),
    _rule(
        "CROSS_FIELD_RULE_ADDED",
        "jmp/-",
        None,
        "A new rule across fields (`allOf`, `not`, `if`/`then`/`else`, enforced by "
        "`__post_init__`): old payloads and values may break it. A changed rule is a removal "
        "plus an addition.",
        "`+ stats_columns only with stats_policy='explicit'`",
    ),
    _rule(
        "CROSS_FIELD_RULE_REMOVED",
        "-/jmp",
        None,
        "A rule across fields was dropped: new writers may produce what old readers reject.",
        "`- version and timestamp are exclusive`",
    ),
    _rule(
        "LITERAL_VALUE_ADDED",
        "-/jmp",
        None,
        "An old reader rejects the new `Literal` value that a new writer may produce.",
        '`Literal["off", "auto"]` -> `Literal["off", "auto", "explicit"]`',
    ),
    _rule(
        "LITERAL_VALUE_REMOVED",
        "jmp/-",
        None,
        "Old payloads and calls using the removed value fail.",
        '`Literal["off", "auto"]` -> `Literal["auto"]`',
    ),
    _rule(
        "ENUM_VALUE_ADDED",
        "-/jmp",
        None,
        "An old reader rejects the new `Enum` member's value that a new writer may produce.",
        '`+ ZSTD = "zstd"`',
    ),
    _rule(
        "ENUM_VALUE_REMOVED",
        "jmp/-",
        None,
        "Old payloads with the value fail to decode and the member is gone.",
        '`- SNAPPY = "snappy"`',
    ),
    _rule(
        "ARRAY_LIKE_FIELD_APPENDED",
        "-/p",
        "-/jmp",
        "`array_like` is positional: a defaulted field at the end is filled in for old "
        "payloads and skipped by old Compat readers (old Strict readers reject the longer array).",
        "`[rows, bytes]` -> `[rows, bytes, files=0]`",
    ),
    _rule(
        "ARRAY_LIKE_FIELD_INSERTED",
        "jm/jmp",
        None,
        "A field inserted before the end of an `array_like` type shifts every later position.",
        "`[rows, bytes]` -> `[rows, files, bytes]`",
    ),
    _rule(
        "ARRAY_LIKE_REORDERED",
        "jm/jm",
        None,
        "`array_like` fields are positional: reordering them reinterprets every payload.",
        "`[rows, bytes]` -> `[bytes, rows]`",
    ),
    _rule(
        "EXT_CODE_CHANGED",
        "mp/mp",
        None,
        "The binary payload now travels under another MessagePack ext code (or as `bin`), and "
        "callers pass another payload type. JSON (base64) is unaffected.",
        "`plan: SubstraitBytes` -> `plan: DataFusionProtoBytes`",
    ),
    _rule(
        "EXT_CODE_REUSED",
        "m/m",
        None,
        "An ext code now carries another payload type: readers decode the bytes as the wrong kind.",
        "code 11: DataFusion proto -> Arrow IPC",
    ),
    _rule(
        "EXT_CODE_ADDED",
        "-/-",
        None,
        "A new ext code for a new payload type: nothing old uses it.",
        "`+ ARROW_IPC = 12`",
    ),
    _rule(
        "EXT_CODE_REMOVED",
        "m/-",
        None,
        "Payloads carrying the code no longer decode.",
        "`- DATAFUSION_PROTO = 11`",
    ),
    _rule(
        "DOC_CHANGED",
        "-/-",
        None,
        "Only a description, title or example changed.",
        '`"""Rows scanned."""` -> `"""Rows read from the scan."""`',
        doc=True,
    ),
)

RULES: Final[dict[str, Rule]] = {rule.id: rule for rule in _CATALOG}
"""Every rule by id."""
