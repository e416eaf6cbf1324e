"""The mutation catalogue: one change to a type per entry, with the bump msgspec's rules demand.

Each :class:`Mutation` is an old and a new version of a type ``P`` and the bump it needs,
with the reason in msgspec's decoding terms. The witnesses are values and raw payloads
that show the break (or its absence) when :mod:`tests.contracts.evolution.differential`
decodes across the versions; representative instances are added to them.

Reasoning shorthand: *old payload* is what an old writer wrote or an old reader accepted,
*new payload* what a new writer writes; Compat promises that new readers read old
payloads and old readers read new ones, Strict only the first; both promise that old
calling code keeps working.
"""

from __future__ import annotations

import datetime
import enum
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import msgspec

from artifact_contracts import DataFusionProtoBytes, StructBaseCompat, StructBaseStrict, SubstraitBytes
from artifact_contracts.evolution._rules import Bump

C, S = StructBaseCompat, StructBaseStrict
UTC = datetime.timezone.utc
NOON = datetime.datetime(2026, 1, 1, 12, tzinfo=UTC)


@dataclass(frozen=True, eq=False)  # hashed by identity: the tests cache per mutation
class Mutation:
    """One change: the two versions, the expected bump and why, and the witnesses."""

    id: str
    old: type[msgspec.Struct]
    new: type[msgspec.Struct]
    bump: Bump
    why: str
    old_values: tuple[dict[str, Any], ...] = ()
    new_values: tuple[dict[str, Any], ...] = ()
    raw: tuple[Any, ...] = ()

    @property
    def kind(self) -> str:
        """The base the mutation exercises: strict, compat, array_like or tagged."""
        config = self.old.__struct_config__
        if config.tag is not None:
            return "tagged"
        if config.array_like:
            return "array_like"
        return "strict" if config.forbid_unknown_fields else "compat"


def struct(
    fields: dict[str, Any],
    defaults: dict[str, Any] | None = None,
    *,
    base: type = C,
    doc: str | None = None,
    extra: dict[str, Any] | None = None,
    **config: Any,
) -> type[msgspec.Struct]:
    """A throwaway version of ``P``."""
    namespace: dict[str, Any] = {"__annotations__": dict(fields), **(defaults or {}), **(extra or {})}
    if doc is not None:
        namespace["__doc__"] = doc
    return type("P", (base,), namespace, **config)


def meta(tp: Any, **constraints: Any) -> Any:
    return Annotated[tp, msgspec.Meta(**constraints)]


class Codec(enum.Enum):
    SNAPPY = "snappy"
    ZSTD = "zstd"


class CodecPlus(enum.Enum):
    SNAPPY = "snappy"
    ZSTD = "zstd"
    LZ4 = "lz4"


CodecPlus.__name__ = CodecPlus.__qualname__ = "Codec"  # the same enum, one release later

CATALOGUE: list[Mutation] = []


def mutation(
    mid: str, old: type[msgspec.Struct], new: type[msgspec.Struct], bump: Bump, why: str, **witnesses: Any
) -> None:
    CATALOGUE.append(Mutation(mid, old, new, bump, why, **{k: tuple(v) for k, v in witnesses.items()}))


def both(mid: str, build: Any, compat: Bump, strict: Bump, why: str, **witnesses: Any) -> None:
    """The same change on a Compat and on a Strict type."""
    for base, bump, label in ((C, compat, "compat"), (S, strict, "strict")):
        old, new = build(base)
        mutation(f"{mid}-{label}", old, new, bump, why, **witnesses)


# --- fields ---------------------------------------------------------------------------------

both(
    "field-added-optional",
    lambda b: (struct({"a": int}, base=b), struct({"a": int, "b": str}, {"b": ""}, base=b)),
    "minor",
    "minor",
    "old payloads decode with the default; an old Compat reader skips `b`, an old Strict one rejects it "
    "(forward, not promised by Strict)",
    new_values=[{"a": 1, "b": "x"}],
)
both(
    "field-added-required",
    lambda b: (struct({"a": int}, base=b), struct({"a": int, "b": str}, base=b)),
    "major",
    "major",
    "old payloads lack `b`: `Object missing required field`",
)
both(
    "field-removed-optional",
    lambda b: (struct({"a": int, "b": str}, {"b": ""}, base=b), struct({"a": int}, base=b)),
    "major",
    "major",
    "old calls pass `b=`: TypeError; a Strict reader also rejects old payloads carrying `b`",
    old_values=[{"a": 1, "b": "x"}],
)
both(
    "field-removed-required",
    lambda b: (struct({"a": int, "b": str}, base=b), struct({"a": int}, base=b)),
    "major",
    "major",
    "old readers require `b`, which new payloads lack",
)
both(
    "field-renamed-optional",
    lambda b: (struct({"a": int, "b": str}, {"b": ""}, base=b), struct({"a": int, "c": str}, {"c": ""}, base=b)),
    "major",
    "major",
    "a removal plus an addition: old calls pass `b=`",
    old_values=[{"a": 1, "b": "x"}],
    new_values=[{"a": 1, "c": "x"}],
)
both(
    "field-renamed-required",
    lambda b: (struct({"a": int, "b": str}, base=b), struct({"a": int, "c": str}, base=b)),
    "major",
    "major",
    "each release's readers require a field the other's payloads lack",
)
both(
    "wire-name-changed",
    lambda b: (struct({"a": int}, base=b), struct({"a": int}, {"a": msgspec.field(name="b")}, base=b)),
    "major",
    "major",
    'the attribute stays `a` but the payload key is now "b": old payloads lack it',
)
both(
    "attribute-renamed",
    lambda b: (struct({"a": int}, base=b), struct({"z": int}, {"z": msgspec.field(name="a")}, base=b)),
    "major",
    "major",
    'the wire keeps "a", but `P(a=...)` and `.a` are gone: only Python breaks',
)
both(
    "became-required",
    lambda b: (struct({"a": int, "b": int}, {"b": 1}, base=b), struct({"a": int, "b": int}, base=b)),
    "major",
    "major",
    "old payloads omit `b` at its default (omit_defaults), old calls leave it out",
    old_values=[{"a": 1}],
)
both(
    "became-optional",
    lambda b: (struct({"a": int, "b": int}, base=b), struct({"a": int, "b": int}, {"b": 1}, base=b)),
    "major",
    "minor",
    "a new writer omits `b` at its default and an old reader requires it (forward: Compat only)",
    new_values=[{"a": 1}],
)
both(
    "default-changed",
    lambda b: (struct({"a": str}, {"a": "auto"}, base=b), struct({"a": str}, {"a": "off"}, base=b)),
    "major",
    "major",
    "each writer omits its own default; the other reader fills in another value silently",
)
both(
    "default-int-to-bool",
    lambda b: (struct({"a": int | bool}, {"a": 1}, base=b), struct({"a": int | bool}, {"a": True}, base=b)),
    "major",
    "major",
    "`1 == True` in Python, but the reader fills in `true` where the writer omitted `1`",
)
both(
    "default-int-to-float",
    lambda b: (struct({"a": float}, {"a": 1}, base=b), struct({"a": float}, {"a": 1.0}, base=b)),
    "none",
    "none",
    "the bases turn an int held by a float field into a float: `P().a` is 1.0, on the wire too, either way",
)

# --- types ----------------------------------------------------------------------------------

both(
    "int-to-float",
    lambda b: (struct({"a": int}, base=b), struct({"a": float}, base=b)),
    "major",
    "minor",
    "a float reader accepts integers; an old int reader rejects 1.5 (forward)",
    old_values=[{"a": 3}],
    new_values=[{"a": 1.5}],
)
both(
    "float-to-int",
    lambda b: (struct({"a": float}, base=b), struct({"a": int}, base=b)),
    "major",
    "major",
    "old payloads hold 1.5, which an int reader rejects",
    old_values=[{"a": 1.5}],
)
both(
    "int-to-str",
    lambda b: (struct({"a": int}, base=b), struct({"a": str}, base=b)),
    "major",
    "major",
    "unrelated types: each reader rejects the other's payloads",
)
both(
    "optional-added",
    lambda b: (struct({"a": int}, {"a": 0}, base=b), struct({"a": int | None}, {"a": 0}, base=b)),
    "major",
    "minor",
    "new writers may write null, which old readers reject",
    new_values=[{"a": None}],
)
both(
    "optional-removed",
    lambda b: (struct({"a": int | None}, {"a": None}, base=b), struct({"a": int}, {"a": 0}, base=b)),
    "major",
    "major",
    "old payloads may hold null, and the default changed",
    old_values=[{"a": None}, {"a": 2}],
)
both(
    "str-to-literal",
    lambda b: (struct({"a": str}, base=b), struct({"a": Literal["x", "y"]}, base=b)),
    "major",
    "major",
    "old payloads hold any string",
    old_values=[{"a": "q"}],
)
both(
    "literal-to-str",
    lambda b: (struct({"a": Literal["x", "y"]}, base=b), struct({"a": str}, base=b)),
    "major",
    "minor",
    "a str reader accepts every old value; new writers may write any string (forward)",
    new_values=[{"a": "q"}],
)
both(
    "literal-value-added",
    lambda b: (struct({"a": Literal["x", "y"]}, base=b), struct({"a": Literal["x", "y", "z"]}, base=b)),
    "major",
    "minor",
    "old readers reject the new value `z`",
    new_values=[{"a": "z"}],
)
both(
    "literal-value-removed",
    lambda b: (struct({"a": Literal["x", "y", "z"]}, base=b), struct({"a": Literal["x", "y"]}, base=b)),
    "major",
    "major",
    "old payloads may hold `z`",
    old_values=[{"a": "z"}],
)
both(
    "int-literal-to-int",
    lambda b: (struct({"a": Literal[1, 2]}, base=b), struct({"a": int}, base=b)),
    "major",
    "minor",
    "an int reader accepts 1 and 2; new writers may write 7",
    new_values=[{"a": 7}],
)
both(
    "enum-member-added",
    lambda b: (struct({"a": Codec}, base=b), struct({"a": CodecPlus}, base=b)),
    "major",
    "minor",
    "old readers reject the new member's value `lz4`",
    old_values=[{"a": Codec.ZSTD}],
    new_values=[{"a": CodecPlus.LZ4}],
)
both(
    "enum-member-removed",
    lambda b: (struct({"a": CodecPlus}, base=b), struct({"a": Codec}, base=b)),
    "major",
    "major",
    "old payloads may hold `lz4`, and `Codec.LZ4` is gone",
    old_values=[{"a": CodecPlus.LZ4}],
)
both(
    "tuple-to-list",
    lambda b: (struct({"a": tuple[int, ...]}, {"a": ()}, base=b), struct({"a": list[int]}, {"a": []}, base=b)),
    "major",
    "major",
    "the same JSON array, but callers pass and get a list where they had a tuple",
    old_values=[{"a": (1, 2)}],
    new_values=[{"a": [1, 2]}],
)
both(
    "set-to-frozenset",
    lambda b: (struct({"a": set[int]}, base=b), struct({"a": frozenset[int]}, base=b)),
    "major",
    "major",
    "the same JSON array, another Python class",
    old_values=[{"a": {1, 2}}],
)
both(
    "bytes-to-bytearray",
    lambda b: (struct({"a": bytes}, base=b), struct({"a": bytearray}, base=b)),
    "major",
    "major",
    "the same base64 string and bin, another Python class",
    old_values=[{"a": b"ab"}],
)
both(
    "str-to-bytes",
    lambda b: (struct({"a": str}, base=b), struct({"a": bytes}, base=b)),
    "major",
    "major",
    "old strings need not be base64; MessagePack `str` is not `bin`",
    old_values=[{"a": "not base64!"}],
)
both(
    "bytes-to-str",
    lambda b: (struct({"a": bytes}, base=b), struct({"a": str}, base=b)),
    "major",
    "major",
    "JSON keeps the base64 string, but MessagePack `bin` does not decode as `str`",
    old_values=[{"a": b"ab"}],
)
both(
    "uuid-to-str",
    lambda b: (struct({"a": uuid.UUID}, base=b), struct({"a": str}, base=b)),
    "major",
    "major",
    "both wires keep the string, but callers passing a UUID now fail validation",
    old_values=[{"a": uuid.UUID(int=7)}],
    new_values=[{"a": "not a uuid"}],
)
both(
    "str-to-uuid",
    lambda b: (struct({"a": str}, base=b), struct({"a": uuid.UUID}, base=b)),
    "major",
    "major",
    "old strings need not be UUIDs",
    old_values=[{"a": "not a uuid"}],
)
both(
    "tz-dropped",
    lambda b: (struct({"a": meta(datetime.datetime, tz=True)}, base=b), struct({"a": datetime.datetime}, base=b)),
    "major",
    "minor",
    "`format: date-time` goes, the type stays datetime: naive values are now accepted, which old readers reject",
    old_values=[{"a": NOON}],
    new_values=[{"a": datetime.datetime(2026, 1, 1, 12)}],
)
both(
    "tz-required",
    lambda b: (struct({"a": datetime.datetime}, base=b), struct({"a": meta(datetime.datetime, tz=True)}, base=b)),
    "major",
    "major",
    "old payloads may hold naive datetimes",
    old_values=[{"a": datetime.datetime(2026, 1, 1, 12)}],
)
both(
    "aware-datetime-to-str",
    lambda b: (struct({"a": meta(datetime.datetime, tz=True)}, base=b), struct({"a": str}, base=b)),
    "major",
    "major",
    "JSON keeps the string, MessagePack's timestamp ext does not decode as `str`",
    old_values=[{"a": NOON}],
)
both(
    "str-to-aware-datetime",
    lambda b: (struct({"a": str}, base=b), struct({"a": meta(datetime.datetime, tz=True)}, base=b)),
    "major",
    "major",
    "old strings need not be timestamps",
    old_values=[{"a": "noon"}],
)
both(
    "datetime-to-str",
    lambda b: (struct({"a": datetime.datetime}, base=b), struct({"a": str}, base=b)),
    "major",
    "major",
    "no `format` on either side, yet MessagePack's timestamp ext does not decode as `str`",
    old_values=[{"a": NOON}],
)
both(
    "str-to-datetime",
    lambda b: (struct({"a": str}, base=b), struct({"a": datetime.datetime}, base=b)),
    "major",
    "major",
    "old strings need not be timestamps; new MessagePack payloads carry a timestamp ext",
    old_values=[{"a": "noon"}],
    new_values=[{"a": NOON}],
)
both(
    "time-tz-flipped",
    lambda b: (
        struct({"a": meta(datetime.time, tz=True)}, base=b),
        struct({"a": meta(datetime.time, tz=False)}, base=b),
    ),
    "major",
    "major",
    "aware times become invalid and naive ones valid: both directions break",
    old_values=[{"a": datetime.time(12, tzinfo=UTC)}],
    new_values=[{"a": datetime.time(12)}],
)
both(
    "bytes-to-ext",
    lambda b: (struct({"a": bytes}, base=b), struct({"a": SubstraitBytes}, base=b)),
    "major",
    "major",
    "JSON keeps base64; MessagePack `bin` becomes ext 10, and callers pass another class",
    old_values=[{"a": b"ab"}],
)
both(
    "ext-code-changed",
    lambda b: (struct({"a": SubstraitBytes}, base=b), struct({"a": DataFusionProtoBytes}, base=b)),
    "major",
    "major",
    "ext 10 becomes ext 11: MessagePack readers of either reject the other",
    old_values=[{"a": SubstraitBytes(b"ab")}],
)

# --- numeric constraints --------------------------------------------------------------------

both(
    "ge-raised",
    lambda b: (struct({"a": meta(int, ge=0)}, base=b), struct({"a": meta(int, ge=1)}, base=b)),
    "major",
    "major",
    "old payloads may hold 0",
    old_values=[{"a": 0}],
)
both(
    "ge-lowered",
    lambda b: (struct({"a": meta(int, ge=1)}, base=b), struct({"a": meta(int, ge=0)}, base=b)),
    "major",
    "minor",
    "new writers may write 0, which old readers reject",
    new_values=[{"a": 0}],
)
both(
    "gt-to-ge",
    lambda b: (struct({"a": meta(int, gt=0)}, base=b), struct({"a": meta(int, ge=0)}, base=b)),
    "major",
    "minor",
    "`gt=0` is `ge=1` on integers: `ge=0` admits 0, which old readers reject",
    new_values=[{"a": 0}],
)
both(
    "gt-to-equivalent-ge",
    lambda b: (struct({"a": meta(int, gt=0)}, base=b), struct({"a": meta(int, ge=1)}, base=b)),
    "none",
    "none",
    "`gt=0` and `ge=1` accept the same integers",
    old_values=[{"a": 1}],
    raw=[{"a": 0}, {"a": 1}],
)
both(
    "le-to-lt",
    lambda b: (struct({"a": meta(int, le=10)}, base=b), struct({"a": meta(int, lt=10)}, base=b)),
    "major",
    "major",
    "old payloads may hold 10",
    old_values=[{"a": 10}],
)
both(
    "float-gt-to-ge",
    lambda b: (struct({"a": meta(float, gt=0.0)}, base=b), struct({"a": meta(float, ge=0.0)}, base=b)),
    "major",
    "minor",
    "0.0 is now accepted, which old readers reject",
    old_values=[{"a": 0.5}],
    new_values=[{"a": 0.0}],
)
both(
    "maximum-added",
    lambda b: (struct({"a": int}, base=b), struct({"a": meta(int, le=100)}, base=b)),
    "major",
    "major",
    "old payloads may hold 101",
    old_values=[{"a": 101}],
)
both(
    "minimum-removed",
    lambda b: (struct({"a": meta(int, ge=0)}, base=b), struct({"a": int}, base=b)),
    "major",
    "minor",
    "new writers may write -1",
    new_values=[{"a": -1}],
)
both(
    "multiple-of-tightened",
    lambda b: (struct({"a": meta(int, multiple_of=2)}, base=b), struct({"a": meta(int, multiple_of=4)}, base=b)),
    "major",
    "major",
    "old payloads may hold 2",
    old_values=[{"a": 2}],
)
both(
    "multiple-of-loosened",
    lambda b: (struct({"a": meta(int, multiple_of=4)}, base=b), struct({"a": meta(int, multiple_of=2)}, base=b)),
    "major",
    "minor",
    "new writers may write 2",
    new_values=[{"a": 2}],
)
both(
    "multiple-of-changed",
    lambda b: (struct({"a": meta(int, multiple_of=2)}, base=b), struct({"a": meta(int, multiple_of=3)}, base=b)),
    "major",
    "major",
    "2 becomes invalid, 3 valid",
    old_values=[{"a": 2}],
    new_values=[{"a": 3}],
)

# --- strings, arrays, dicts -----------------------------------------------------------------

both(
    "min-length-raised",
    lambda b: (struct({"a": meta(str, min_length=1)}, base=b), struct({"a": meta(str, min_length=2)}, base=b)),
    "major",
    "major",
    "old payloads may hold a one-letter string",
    old_values=[{"a": "x"}],
)
both(
    "max-length-raised",
    lambda b: (struct({"a": meta(str, max_length=4)}, base=b), struct({"a": meta(str, max_length=8)}, base=b)),
    "major",
    "minor",
    "new writers may write eight letters",
    new_values=[{"a": "abcdefgh"}],
)
both(
    "pattern-added",
    lambda b: (struct({"a": str}, base=b), struct({"a": meta(str, pattern="^[a-z]+$")}, base=b)),
    "major",
    "major",
    "old payloads may hold digits",
    old_values=[{"a": "x1"}],
)
both(
    "pattern-removed",
    lambda b: (struct({"a": meta(str, pattern="^[a-z]+$")}, base=b), struct({"a": str}, base=b)),
    "major",
    "minor",
    "new writers may write digits",
    new_values=[{"a": "x1"}],
)
both(
    "pattern-changed",
    lambda b: (
        struct({"a": meta(str, pattern="^[a-z]+$")}, base=b),
        struct({"a": meta(str, pattern="^[A-Z]+$")}, base=b),
    ),
    "major",
    "major",
    "lower case becomes invalid, upper case valid",
    old_values=[{"a": "abc"}],
    new_values=[{"a": "ABC"}],
)
both(
    "max-items-lowered",
    lambda b: (
        struct({"a": meta(list[int], max_length=4)}, base=b),
        struct({"a": meta(list[int], max_length=2)}, base=b),
    ),
    "major",
    "major",
    "old payloads may hold three items",
    old_values=[{"a": [1, 2, 3]}],
)
both(
    "item-constraint-loosened",
    lambda b: (
        struct({"a": list[meta(str, max_length=2)]}, base=b),
        struct({"a": list[meta(str, max_length=4)]}, base=b),
    ),
    "major",
    "minor",
    "new writers may write a four-letter item",
    new_values=[{"a": ["abcd"]}],
)
both(
    "tuple-grew",
    lambda b: (struct({"a": tuple[int, int]}, base=b), struct({"a": tuple[int, int, int]}, base=b)),
    "major",
    "major",
    "a fixed tuple's length is part of its type",
)
both(
    "key-pattern-added",
    lambda b: (struct({"a": dict[str, int]}, base=b), struct({"a": dict[meta(str, pattern="^[a-z]+$"), int]}, base=b)),
    "major",
    "major",
    "`propertyNames` gains a pattern: old payloads may hold the key `A1`",
    old_values=[{"a": {"A1": 1}}],
)
both(
    "key-length-lowered",
    lambda b: (
        struct({"a": dict[meta(str, max_length=8), int]}, base=b),
        struct({"a": dict[meta(str, max_length=2), int]}, base=b),
    ),
    "major",
    "major",
    "old payloads may hold the key `abcd`",
    old_values=[{"a": {"abcd": 1}}],
)
both(
    "key-pattern-removed",
    lambda b: (struct({"a": dict[meta(str, pattern="^[a-z]+$"), int]}, base=b), struct({"a": dict[str, int]}, base=b)),
    "major",
    "minor",
    "new writers may write the key `A1`",
    new_values=[{"a": {"A1": 1}}],
)
both(
    "dict-value-widened",
    lambda b: (struct({"a": dict[str, int]}, base=b), struct({"a": dict[str, float]}, base=b)),
    "major",
    "minor",
    "new writers may write 1.5 as a value",
    new_values=[{"a": {"k": 1.5}}],
)
both(
    "dict-size-lowered",
    lambda b: (
        struct({"a": meta(dict[str, int], max_length=3)}, base=b),
        struct({"a": meta(dict[str, int], max_length=1)}, base=b),
    ),
    "major",
    "major",
    "`maxProperties` 3 -> 1: old payloads may hold two keys",
    old_values=[{"a": {"k": 1, "l": 2}}],
)
both(
    "bytes-length-lowered",
    lambda b: (struct({"a": meta(bytes, max_length=16)}, base=b), struct({"a": meta(bytes, max_length=8)}, base=b)),
    "major",
    "major",
    "old payloads may hold twelve bytes",
    old_values=[{"a": b"x" * 12}],
)


# --- cross-field rules ----------------------------------------------------------------------


def _not_a_and_b(self: Any) -> None:
    if self.a is not None and self.b is not None:
        raise ValueError("a and b are exclusive")


def _not_b_and_c(self: Any) -> None:
    if self.b is not None and self.c is not None:
        raise ValueError("b and c are exclusive")


def _both_rules(self: Any) -> None:
    _not_a_and_b(self)
    _not_b_and_c(self)


def _explicit_needs_columns(self: Any) -> None:
    if (self.mode == "explicit") != bool(self.cols):
        raise ValueError("columns go with mode 'explicit', and only with it")


_A_B = {"not": {"required": ["a", "b"]}}
_B_C = {"not": {"required": ["b", "c"]}}
_FIELDS = {"a": int | None, "b": int | None, "c": int | None}
_NONE = {"a": None, "b": None, "c": None}
_IF_EXPLICIT = {
    "if": {"properties": {"mode": {"const": "explicit"}}, "required": ["mode"]},
    "then": {"properties": {"cols": {"minItems": 1}}, "required": ["cols"]},
    "else": {"properties": {"cols": {"maxItems": 0}}},
}
_MODE = {"mode": Literal["auto", "explicit"], "cols": tuple[str, ...]}
_MODE_DEFAULTS = {"mode": "auto", "cols": ()}


def _with_rule(base: type, hook: Any, schema: dict[str, Any]) -> type[msgspec.Struct]:
    return struct(_FIELDS, _NONE, base=base, extra={"__post_init__": hook, "__json_schema_extra__": schema})


both(
    "cross-field-not-added",
    lambda b: (struct(_FIELDS, _NONE, base=b), _with_rule(b, _not_a_and_b, _A_B)),
    "major",
    "major",
    "a `not` rule (as DeltaScanConfig's): old payloads may set both fields",
    old_values=[{"a": 1, "b": 2}],
)
both(
    "cross-field-not-removed",
    lambda b: (_with_rule(b, _not_a_and_b, _A_B), struct(_FIELDS, _NONE, base=b)),
    "major",
    "minor",
    "new writers may set both fields, which old readers reject",
    new_values=[{"a": 1, "b": 2}],
)
both(
    "cross-field-allof-tightened",
    lambda b: (
        _with_rule(b, _not_a_and_b, {"allOf": [_A_B]}),
        _with_rule(b, _both_rules, {"allOf": [_A_B, _B_C]}),
    ),
    "major",
    "major",
    "an `allOf` gains a conjunct: old payloads may set `b` and `c`",
    old_values=[{"b": 1, "c": 2}],
)
both(
    "cross-field-if-added",
    lambda b: (
        struct(_MODE, _MODE_DEFAULTS, base=b),
        struct(
            _MODE,
            _MODE_DEFAULTS,
            base=b,
            extra={"__post_init__": _explicit_needs_columns, "__json_schema_extra__": {"allOf": [_IF_EXPLICIT]}},
        ),
    ),
    "major",
    "major",
    "an `if`/`then`/`else` rule (as DeltaWritePolicy's): old payloads may say explicit without columns",
    old_values=[{"mode": "explicit"}, {"cols": ("c",)}],
)

# --- bases and layout -----------------------------------------------------------------------

mutation(
    "compat-to-strict",
    struct({"a": int}),
    struct({"a": int}, base=S),
    "major",
    "old payloads written by later releases carry fields this reader does not know",
    raw=[{"a": 1, "zz": 2}],
)
mutation(
    "strict-to-compat",
    struct({"a": int}, base=S),
    struct({"a": int}),
    "minor",
    "unknown fields are now skipped: the type accepts more",
    raw=[{"a": 1, "zz": 2}],
)
mutation(
    "object-to-array",
    struct({"a": int}),
    struct({"a": int}, array_like=True),
    "major",
    "`{...}` becomes `[...]`",
)

# --- array_like -----------------------------------------------------------------------------


def arr(fields: dict[str, Any], defaults: dict[str, Any] | None = None, base: type = C) -> type[msgspec.Struct]:
    return struct(fields, defaults, base=base, array_like=True)


for base_, label_ in ((C, "array_like"), (S, "array_like-strict")):
    strict_ = base_ is S
    mutation(
        f"{label_}-appended",
        arr({"a": int}, base=base_),
        arr({"a": int, "b": int}, {"b": 0}, base=base_),
        "minor",
        "old arrays are filled with the default; old Compat readers ignore the extra item, old Strict "
        "ones reject it (forward, not promised)",
        new_values=[{"a": 1, "b": 5}],
    )
    mutation(
        f"{label_}-constraint-loosened",
        arr({"a": meta(int, le=10)}, base=base_),
        arr({"a": meta(int, le=20)}, base=base_),
        "minor" if strict_ else "major",
        "new writers may write 15",
        new_values=[{"a": 15}],
    )
mutation(
    "array_like-inserted",
    arr({"a": int, "b": int}, {"b": 0}),
    arr({"a": int, "c": int, "b": int}, {"c": 0, "b": 0}),
    "major",
    "old `[1, 2]` reads as `c=2, b=0`",
    old_values=[{"a": 1, "b": 2}],
    new_values=[{"a": 1, "c": 5, "b": 7}],
)
mutation(
    "array_like-reordered",
    arr({"a": int, "b": int}),
    arr({"b": int, "a": int}),
    "major",
    "positions swap meaning",
    old_values=[{"a": 1, "b": 2}],
    new_values=[{"b": 1, "a": 2}],
)
mutation(
    "array_like-trailing-removed",
    arr({"a": int, "b": int}, {"b": 0}),
    arr({"a": int}),
    "major",
    "old readers still cope (trailing items are ignored), but old calls pass `b=`",
    old_values=[{"a": 1, "b": 2}],
)
mutation(
    "array_like-required-added",
    arr({"a": int}),
    arr({"a": int, "b": int}),
    "major",
    "old arrays are one item short",
)
mutation(
    "array_like-trailing-optional",
    arr({"a": int, "b": int}),
    arr({"a": int, "b": int}, {"b": 0}),
    "minor",
    "array_like writers write every position, defaults too, so old readers still find `b`",
    raw=[[1]],
)
mutation(
    "array_like-default-changed",
    arr({"a": int, "b": int}, {"b": 0}),
    arr({"a": int, "b": int}, {"b": 1}),
    "major",
    "a shorter old array `[1]` now reads `b=1`, and calls leaving `b` out get 1",
    raw=[[1]],
)
mutation(
    "array_like-attribute-renamed",
    arr({"a": int, "b": int}),
    arr({"a": int, "z": int}),
    "major",
    "the wire has no names: only `P(b=...)` and `.b` break",
)
mutation(
    "array_like-widened",
    arr({"a": int}),
    arr({"a": float}),
    "major",
    "new writers may write 1.5",
    new_values=[{"a": 1.5}],
)

# --- tagged ---------------------------------------------------------------------------------

mutation(
    "tagged-tag-changed",
    struct({"a": int}, tag="p"),
    struct({"a": int}, tag="p2"),
    "major",
    'a union reader routes by tag: "p" is unknown to the new one, "p2" to the old',
)
mutation(
    "tagged-tag-field-changed",
    struct({"a": int}, tag="p", tag_field="kind"),
    struct({"a": int}, tag="p", tag_field="type"),
    "major",
    "the union looks for another key",
)
mutation(
    "tagged-field-added-optional",
    struct({"a": int}, tag="p"),
    struct({"a": int, "b": int}, {"b": 0}, tag="p"),
    "minor",
    "the tag is unchanged, old union readers skip `b`",
    new_values=[{"a": 1, "b": 2}],
)
mutation(
    "tagged-strict-literal-added",
    struct({"a": Literal["x"]}, base=S, tag="p"),
    struct({"a": Literal["x", "y"]}, base=S, tag="p"),
    "minor",
    "a Strict input accepting one more value",
    new_values=[{"a": "y"}],
)
mutation(
    "tagged-array_like-appended",
    struct({"a": int}, tag="p", array_like=True),
    struct({"a": int, "b": int}, {"b": 0}, tag="p", array_like=True),
    "minor",
    "the tag stays at position 0, `b` is appended",
    new_values=[{"a": 1, "b": 2}],
)
mutation(
    "tagged-required-added",
    struct({"a": int}, tag="p"),
    struct({"a": int, "b": int}, tag="p"),
    "major",
    "old payloads lack `b`",
)


class KindX(StructBaseCompat, tag="x"):
    n: int = 0


class KindY(StructBaseCompat, tag="y"):
    n: int = 0


class KindZ(StructBaseCompat, tag="z"):
    n: int = 0


both(
    "tagged-union-member-added",
    lambda b: (struct({"a": KindX | KindY}, base=b), struct({"a": KindX | KindY | KindZ}, base=b)),
    "major",
    "minor",
    "the discriminator maps one more tag: new writers may write a `z` that old readers reject",
    new_values=[{"a": KindZ(n=1)}],
)
both(
    "tagged-union-member-removed",
    lambda b: (struct({"a": KindX | KindY | KindZ}, base=b), struct({"a": KindX | KindY}, base=b)),
    "major",
    "major",
    "old payloads may hold a `z`",
    old_values=[{"a": KindZ(n=1)}],
)

# --- words only -----------------------------------------------------------------------------

both(
    "docstring-changed",
    lambda b: (struct({"a": int}, base=b, doc="Old words."), struct({"a": int}, base=b, doc="New words.")),
    "patch",
    "patch",
    "descriptions are not decoded",
)
both(
    "field-description-changed",
    lambda b: (
        struct({"a": meta(int, description="Old.")}, base=b),
        struct({"a": meta(int, description="New.")}, base=b),
    ),
    "patch",
    "patch",
    "descriptions are not decoded",
)
both(
    "field-title-changed",
    lambda b: (struct({"a": meta(int, title="Old")}, base=b), struct({"a": meta(int, title="New")}, base=b)),
    "patch",
    "patch",
    "titles are not decoded",
)
both(
    "examples-changed",
    lambda b: (struct({"a": meta(int, examples=[1])}, base=b), struct({"a": meta(int, examples=[2])}, base=b)),
    "patch",
    "patch",
    "examples are not decoded",
)
