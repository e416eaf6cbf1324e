"""Hypothesis strategies derived from the contract types (the ``testing`` extra).

Install with ``pip install "artifact-contracts[testing]"``. The one entry point is
:func:`strategy_for`::

    from hypothesis import given
    from artifact_contracts import dumps_msgpack, loads_msgpack
    from artifact_contracts.testing import strategy_for

    @given(strategy_for(DeltaWritePolicy))
    def test_round_trip(policy):
        assert loads_msgpack(dumps_msgpack(policy), DeltaWritePolicy) == policy

``strategy_for(T)`` reads ``msgspec.inspect.type_info(T)`` and builds the strategy from
it, so it works for every registered contract type and for any user Struct, dataclass,
TypedDict or NamedTuple, with no hand-written strategy per type:

- ``Meta`` constraints are honoured: integer and float bounds and ``multiple_of``,
  string, bytes and collection lengths, and string ``pattern`` (searched, as msgspec
  does, with the ``re`` dialect).
- ``Literal`` values, enums, unions (``None`` first, so examples shrink towards it),
  tagged unions of Structs, optional fields, ``UNSET`` fields and defaults.
- Nested and recursive types (through ``st.deferred``), ``list``, ``tuple`` (fixed and
  variadic), ``set``, ``frozenset`` and ``dict``.
- ``datetime`` and ``time`` with or without a time zone (as ``Meta(tz=...)`` demands;
  fixed offsets in whole minutes, since RFC 3339 has no seconds in an offset), ``date``,
  ``timedelta``, ``Decimal`` (finite), ``UUID``, ``bytes``, and the ext payload types
  (:class:`~artifact_contracts.SubstraitBytes`, :class:`~artifact_contracts.DataFusionProtoBytes`).
- ``Any`` holds JSON-shaped values: ``None``, booleans, integers, finite floats, strings,
  lists and string-keyed maps.

It favours the values that break naive code: an optional field is left out, set to an
*equal copy* of its default (not the default object itself: msgspec omits a default by
identity), or set to anything else; containers are often empty; strings and map keys are
arbitrary Unicode (no lone surrogates, which no encoder can write); integers reach the
ends of the MessagePack range ``[-2**63, 2**64 - 1]`` and of any declared bounds; floats
include ``-0.0`` and ``0.0`` and are always finite (JSON has no NaN or infinity).

Every value it draws is valid for its type: decoding the value's own encoding into the
type succeeds. A Struct whose ``__post_init__`` rejects a combination of fields simply
never yields that combination. Collections without a declared maximum hold at most
``max_collection_size`` items beyond their minimum.

A type msgspec reports as custom (``CustomType``) and that is not an ext payload type is
delegated to ``st.from_type``, so ``st.register_type_strategy`` is how users plug in
their own types. ``msgspec.Raw`` has no strategy: its bytes belong to one wire format.

Hypothesis' own ``st.from_type`` is not a substitute: it ignores ``Meta`` constraints and
passes msgspec's internal default-factory placeholders as field values.
"""

from __future__ import annotations

import builtins
import datetime
import functools
import math
import re
import sys
from typing import Any, Final

import msgspec
from hypothesis import strategies as st
from msgspec import inspect as mi

from artifact_contracts.codec import dumps_msgpack, loads_msgpack
from artifact_contracts.ext import ExtPayload

if sys.version_info >= (3, 11):
    from re import _parser as sre_parse
else:  # pragma: no cover - Python 3.10
    import sre_parse

__all__ = ["INT_MAX", "INT_MIN", "strategy_for"]

INT_MIN: Final = -(2**63)
"""The smallest integer MessagePack can carry."""
INT_MAX: Final = 2**64 - 1
"""The largest integer MessagePack can carry."""


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


_ABSENT: Final = _Absent()  # a field left out of the constructor call
_INVALID: Final = object()  # a combination the Struct's __post_init__ refused
_TEXT: Final = st.characters(codec="utf-8")  # every code point an encoder can write
_UTC: Final = datetime.timezone.utc
_OFFSETS: Final = st.one_of(
    st.just(_UTC),
    st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda m: datetime.timezone(datetime.timedelta(minutes=m))),
)
# One day of margin at each end, so converting any offset to UTC stays in range.
_DT_MIN: Final = datetime.datetime(1, 1, 2)
_DT_MAX: Final = datetime.datetime(9999, 12, 30)


def strategy_for(tp: Any, *, max_collection_size: int = 4) -> st.SearchStrategy[Any]:
    """Return a Hypothesis strategy for values of ``tp``, derived from its msgspec type info.

    Args:
        tp: Any type msgspec can decode into: a contract Struct, a user Struct, a
            dataclass, a union, ``list[...]``, ``Annotated[int, Meta(ge=1)]``...
        max_collection_size: How many items past its declared minimum an unbounded
            collection may hold.

    Returns:
        A strategy whose every value is valid for ``tp``.

    Raises:
        TypeError: ``tp`` is not a type msgspec supports, or holds ``msgspec.Raw``.

    Examples:
        >>> from typing import Annotated
        >>> from msgspec import Meta
        >>> strategy_for(Annotated[int, Meta(ge=1, le=3)]).validate()
    """
    if max_collection_size < 0:
        raise ValueError("max_collection_size must be >= 0")
    try:
        return _cached(tp, max_collection_size)
    except TypeError as exc:
        if "unhashable" not in str(exc):
            raise
        return _Builder(max_collection_size).build(mi.type_info(tp))


@functools.lru_cache(maxsize=512)
def _cached(tp: Any, max_collection_size: int) -> st.SearchStrategy[Any]:
    return _Builder(max_collection_size).build(mi.type_info(tp))


def _fresh_copy(value: Any) -> Any:
    """Return an equal value that is not the same object (where Python allows that)."""
    # Through the codec, exactly as a decoder would hand it back (and never pickle: the
    # package unpickles nothing, see tests/security).
    try:
        return loads_msgpack(dumps_msgpack(value), type(value))
    except Exception:  # a default the codec cannot carry: the object itself still tests omission
        return value


def _sorted_edges(values: list[Any]) -> list[Any]:
    """Deduplicate edge values, keeping their order (the first is the simplest)."""
    seen: list[Any] = []
    for value in values:
        if not any(type(v) is type(value) and v == value and repr(v) == repr(value) for v in seen):
            seen.append(value)
    return seen


def _int_bounds(node: mi.IntType) -> tuple[int, int]:
    lo, hi = INT_MIN, INT_MAX
    if node.ge is not None:
        lo = max(lo, node.ge)
    if node.gt is not None:
        lo = max(lo, node.gt + 1)
    if node.le is not None:
        hi = min(hi, node.le)
    if node.lt is not None:
        hi = min(hi, node.lt - 1)
    return lo, hi


def _ints(node: mi.IntType) -> st.SearchStrategy[int]:
    lo, hi = _int_bounds(node)
    step = node.multiple_of
    if step:
        klo, khi = -(-lo // step), hi // step
        edges = [k * step for k in (0, klo, khi) if klo <= k <= khi]
        return st.one_of(st.sampled_from(_sorted_edges(edges)), st.integers(klo, khi).map(lambda k: k * step))
    edges = [v for v in (0, lo, hi, -1, 1, 2**31 - 1, 2**32, 2**53 + 1, -(2**31)) if lo <= v <= hi]
    return st.one_of(st.sampled_from(_sorted_edges(edges)), st.integers(lo, hi))


def _float_ok(node: mi.FloatType, value: float) -> bool:
    return (
        (node.ge is None or value >= node.ge)
        and (node.gt is None or value > node.gt)
        and (node.le is None or value <= node.le)
        and (node.lt is None or value < node.lt)
        and (not node.multiple_of or math.fmod(value, node.multiple_of) == 0)
    )


def _floats(node: mi.FloatType) -> st.SearchStrategy[float]:
    lo = node.ge if node.ge is not None else node.gt
    hi = node.le if node.le is not None else node.lt
    if node.multiple_of:
        step = node.multiple_of
        base: st.SearchStrategy[float] = st.integers(-(2**53), 2**53).map(lambda k: float(k * step))
    else:
        base = st.floats(
            min_value=lo,
            max_value=hi,
            exclude_min=node.gt is not None,
            exclude_max=node.lt is not None,
            allow_nan=False,
            allow_infinity=False,
        )
    edges = [v for v in (0.0, -0.0, 1.0, 5e-324, 1e16, 1.7976931348623157e308) if _float_ok(node, v)]
    strategy = st.one_of(st.sampled_from(edges), base) if edges else base
    return strategy.filter(lambda v: _float_ok(node, v))


def _strings(node: mi.StrType, cap: int) -> st.SearchStrategy[str]:
    lo = node.min_length or 0
    hi = node.max_length
    if node.pattern is None:
        return st.text(_TEXT, min_size=lo, max_size=hi if hi is not None else lo + cap)
    compiled = re.compile(node.pattern)
    base = _regex_strategy(node.pattern, cap)
    if base is None:  # a construct the fast path does not know: Hypothesis' general one
        base = st.one_of(
            st.from_regex(compiled, fullmatch=True, alphabet=_TEXT),
            st.from_regex(compiled, fullmatch=False, alphabet=_TEXT),
        )
    return base.filter(lambda s: lo <= len(s) and (hi is None or len(s) <= hi) and compiled.search(s))


def _char_class(items: list[tuple[Any, Any]]) -> str | None:
    chars: list[str] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            chars.append(chr(arg))
        elif name == "RANGE" and arg[1] - arg[0] < 1024:
            chars.extend(chr(c) for c in range(arg[0], arg[1] + 1))
        elif name == "CATEGORY" and str(arg) in _CATEGORIES:
            chars.extend(_CATEGORIES[str(arg)])
        else:  # negation, huge ranges, other categories
            return None
    return "".join(sorted(set(chars)))


_CATEGORIES: Final = {
    "CATEGORY_DIGIT": "0123456789",
    "CATEGORY_WORD": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_é",
    "CATEGORY_SPACE": " \t",
}


def _regex_strategy(pattern: str, cap: int) -> st.SearchStrategy[str] | None:
    """Compile the common regex subset straight into strategies (``from_regex`` is slow).

    Literals, classes, ``.``, repeats, groups, alternation, the start and end anchors, and
    lookarounds (left to the ``search`` filter that follows).
    Returns ``None`` for anything else. An unanchored end gets arbitrary text, since
    msgspec searches rather than matches.
    """
    parsed = sre_parse.parse(pattern)
    if parsed.state.flags & ~(re.UNICODE | re.ASCII):
        return None
    anchors: set[str] = set()

    def sequence(items: Any) -> st.SearchStrategy[str] | None:
        parts: list[st.SearchStrategy[str]] = []
        for op, arg in items:
            part = atom(str(op), arg)
            if part is None:
                return None
            parts.append(part)
        return st.tuples(*parts).map("".join)

    def atom(name: str, arg: Any) -> st.SearchStrategy[str] | None:
        if name == "LITERAL":
            return st.just(chr(arg))
        if name == "ANY":
            return st.characters(codec="utf-8", exclude_characters="\n")
        if name == "IN":
            chars = _char_class(arg)
            return None if chars is None else st.sampled_from(chars)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            high = min(high, low + cap)
            if len(sub) == 1 and str(sub[0][0]) in ("IN", "LITERAL"):
                # One string draw instead of one draw per character.
                op, sub_arg = sub[0]
                chars = _char_class(sub_arg) if str(op) == "IN" else chr(sub_arg)
                return None if chars is None else st.text(chars, min_size=low, max_size=high)
            inner = sequence(sub)
            return None if inner is None else st.lists(inner, min_size=low, max_size=high).map("".join)
        if name == "SUBPATTERN":
            return None if arg[1] or arg[2] else sequence(arg[3])
        if name == "BRANCH":
            options = [sequence(option) for option in arg[1]]
            return None if any(o is None for o in options) else st.one_of(*options)  # type: ignore[arg-type]
        if name in ("ASSERT", "ASSERT_NOT"):  # zero-width: the final `search` filter enforces it
            return st.just("")
        if name == "AT" and str(arg) in ("AT_BEGINNING", "AT_BEGINNING_STRING", "AT_END", "AT_END_STRING"):
            anchors.add("start" if "BEGINNING" in str(arg) else "end")
            return st.just("")
        return None

    core = sequence(parsed)
    if core is None:
        return None
    pad = st.text(_TEXT, max_size=3)
    before = st.just("") if "start" in anchors else pad
    after = st.just("") if "end" in anchors else pad
    return st.tuples(before, core, after).map("".join)


def _sized(node: Any, cap: int) -> dict[str, Any]:
    lo = node.min_length or 0
    return {"min_size": lo, "max_size": node.max_length if node.max_length is not None else lo + cap}


def _datetimes(node: mi.DateTimeType) -> st.SearchStrategy[datetime.datetime]:
    aware = st.datetimes(min_value=_DT_MIN, max_value=_DT_MAX, timezones=_OFFSETS)
    naive = st.datetimes(min_value=_DT_MIN, max_value=_DT_MAX)
    if node.tz is True:
        return aware
    if node.tz is False:
        return naive
    return st.one_of(aware, naive)


def _times(node: mi.TimeType) -> st.SearchStrategy[datetime.time]:
    if node.tz is True:
        return st.times(timezones=_OFFSETS)
    if node.tz is False:
        return st.times()
    return st.one_of(st.times(timezones=_OFFSETS), st.times())


class _Construct:
    """Call a type with the drawn fields; reads as ``Type({...})`` in a failing example."""

    __slots__ = ("cls",)

    def __init__(self, cls: Any) -> None:
        self.cls = cls

    def __repr__(self) -> str:
        return getattr(self.cls, "__qualname__", repr(self.cls))

    def __call__(self, kwargs: dict[str, Any]) -> Any:
        try:
            return self.cls(**{name: value for name, value in kwargs.items() if value is not _ABSENT})
        except (TypeError, ValueError):  # __post_init__ refused this combination
            return _INVALID


def _any_json(cap: int) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(INT_MIN, INT_MAX),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(_TEXT, max_size=cap * 2),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=cap), st.dictionaries(st.text(_TEXT, max_size=cap * 2), children, max_size=cap)
        ),
        max_leaves=cap * 2,
    )


class _Builder:
    """Walk one type-info tree; Struct-like nodes are memoized so recursion terminates."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.done: dict[int, st.SearchStrategy[Any]] = {}
        self.keep: list[mi.Type] = []  # keeps ids in `done` from being reused

    def build(self, node: mi.Type) -> st.SearchStrategy[Any]:
        cap = self.cap
        if isinstance(node, mi.Metadata):
            return self.build(node.type)
        if isinstance(node, mi.AnyType):
            return _any_json(cap)
        if isinstance(node, mi.NoneType):
            return st.none()
        if isinstance(node, mi.BoolType):
            return st.booleans()
        if isinstance(node, mi.IntType):
            return _ints(node)
        if isinstance(node, mi.FloatType):
            return _floats(node)
        if isinstance(node, mi.StrType):
            return _strings(node, cap)
        if isinstance(node, (mi.BytesType, mi.ByteArrayType, mi.MemoryViewType)):
            lo = node.min_length or 0
            hi = node.max_length if node.max_length is not None else lo + 4 * cap
            wrap = {mi.BytesType: bytes, mi.ByteArrayType: bytearray, mi.MemoryViewType: memoryview}
            return st.binary(min_size=lo, max_size=hi).map(wrap[type(node)])
        if isinstance(node, mi.DateTimeType):
            return _datetimes(node)
        if isinstance(node, mi.TimeType):
            return _times(node)
        if isinstance(node, mi.DateType):
            return st.dates()
        if isinstance(node, mi.TimeDeltaType):
            return st.timedeltas()
        if isinstance(node, mi.UUIDType):
            return st.uuids()
        if isinstance(node, mi.DecimalType):
            return st.decimals(allow_nan=False, allow_infinity=False)
        if isinstance(node, mi.ExtType):
            return st.builds(msgspec.msgpack.Ext, st.integers(0, 127), st.binary(max_size=4 * cap))
        if isinstance(node, mi.RawType):
            raise TypeError("no strategy for msgspec.Raw: its bytes belong to one wire format")
        if isinstance(node, mi.CustomType):
            if isinstance(node.cls, type) and issubclass(node.cls, ExtPayload):
                return st.binary(max_size=8 * cap).map(node.cls)
            return st.from_type(node.cls)
        if isinstance(node, mi.LiteralType):
            return st.sampled_from(node.values)
        if isinstance(node, mi.EnumType):
            return st.sampled_from(list(node.cls))
        if isinstance(node, mi.UnionType):
            members = sorted(node.types, key=lambda t: not isinstance(t, mi.NoneType))
            return st.one_of(*(self.build(t) for t in members))
        if isinstance(node, mi.ListType):
            return st.lists(self.build(node.item_type), **_sized(node, cap))
        if isinstance(node, mi.VarTupleType):
            return st.lists(self.build(node.item_type), **_sized(node, cap)).map(tuple)
        if isinstance(node, mi.SetType):
            return st.frozensets(self.build(node.item_type), **_sized(node, cap)).map(set)
        if isinstance(node, mi.FrozenSetType):
            return st.frozensets(self.build(node.item_type), **_sized(node, cap))
        if isinstance(node, mi.TupleType):
            return st.tuples(*(self.build(t) for t in node.item_types))
        if isinstance(node, (mi.DictType, mi.FrozenDictType)):
            strategy = st.dictionaries(self.build(node.key_type), self.build(node.value_type), **_sized(node, cap))
            if isinstance(node, mi.FrozenDictType):  # pragma: no cover - Python >= 3.15 only
                return strategy.map(getattr(builtins, "frozendict", dict))
            return strategy
        if isinstance(node, (mi.StructType, mi.DataclassType, mi.NamedTupleType, mi.TypedDictType)):
            return self._object(node)
        raise TypeError(f"no strategy for {node!r}")

    def _object(
        self, node: mi.StructType | mi.DataclassType | mi.NamedTupleType | mi.TypedDictType
    ) -> st.SearchStrategy[Any]:
        key = id(node)
        if key in self.done:
            return self.done[key]
        # Recursive references resolve lazily, once the strategy below exists.
        self.keep.append(node)
        self.done[key] = st.deferred(lambda: self.done[key])
        fields: dict[str, st.SearchStrategy[Any]] = {}
        for field in node.fields:
            value = self.build(field.type)
            if field.required:
                fields[field.name] = value
                continue
            if isinstance(node, mi.TypedDictType):
                fields[field.name] = st.one_of(st.just(_ABSENT), value)
                continue
            if field.default is not msgspec.NODEFAULT:
                default = st.just(field.default).map(_fresh_copy)
            elif field.default_factory is not msgspec.NODEFAULT:
                default = st.builds(field.default_factory)
            else:  # an UNSET field: spelling UNSET out is the same as leaving it out
                default = st.just(msgspec.UNSET)
            fields[field.name] = st.one_of(st.just(_ABSENT), default, value)
        cls = dict if isinstance(node, mi.TypedDictType) else node.cls
        strategy = st.fixed_dictionaries(fields).map(_Construct(cls)).filter(lambda v: v is not _INVALID)
        self.done[key] = strategy
        return strategy
