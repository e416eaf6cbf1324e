"""Determinism at every depth: equal values encode to identical bytes, however built.

The property runs over user-defined Structs (not the registered ones) that put floats,
aware datetimes and times, decimals and ``Any`` in nested positions: lists, tuples,
sets, dict keys and values, unions, Structs in Structs. Each drawn value is rebuilt into
equal variants (``-0.0`` for ``0.0``, ``1`` for ``1.0``, another UTC offset, ``1.50`` for
``1.5``, str and int subclasses), through the constructor, the decoders and ``convert``;
every variant must equal the value and give its bytes and fingerprint.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
from typing import Annotated, Any, Optional, Union

import msgspec
import pytest
from hypothesis import given, strategies as st

from artifact_contracts import (
    StructBaseCompat,
    StructBaseStrict,
    canonical_bytes,
    convert,
    dumps_json,
    dumps_msgpack,
    fingerprint,
    loads_json,
    loads_msgpack,
    to_builtins,
)
from artifact_contracts.base import UncanonicalFieldType
from artifact_contracts.testing import strategy_for
from tests.contracts.test_hashing import reference_canonical

UTC = datetime.timezone.utc


class Point(StructBaseCompat):
    xs: tuple[float, ...] = ()
    pair: tuple[float, Optional[float]] = (0.0, None)
    at: dict[str, datetime.datetime] = {}
    amounts: list[decimal.Decimal] = []


class Reading(StructBaseStrict, tag="reading"):
    by_key: dict[str, list[float]] = {}
    weights: frozenset[float] = frozenset()
    when: Optional[list[Annotated[datetime.datetime, msgspec.Meta(tz=True)]]] = None
    clock: Optional[datetime.time] = None


class Shape(StructBaseCompat):
    points: list[Point] = []
    readings: tuple[Reading, ...] = ()
    mixed: Union[float, str] = 0.0
    counted: Union[int, float] = 0
    extra: Any = None
    nested: dict[str, dict[str, tuple[float, ...]]] = {}


USER_TYPES = (Point, Reading, Shape)


# Module level: the refusal needs the annotations resolvable when the class is created.
@dataclasses.dataclass
class Plain:
    x: float


class Loose(msgspec.Struct):
    x: float


class Ints(msgspec.Struct, frozen=True):
    x: int


class Text(str):
    """What YAML loaders and str enums hand over."""


class Number(int):
    pass


class Mode(str, enum.Enum):
    FAST = "fast"


def _offset_variant(value: datetime.datetime, minutes: int) -> datetime.datetime:
    zone = datetime.timezone(datetime.timedelta(minutes=minutes))
    try:
        return value.astimezone(zone)
    except OverflowError:
        return value


def _float_variants(value: float, ints: bool) -> list[Any]:
    found: list[Any] = [value]
    if value == 0.0:
        found.append(-0.0)
    if ints and value.is_integer() and abs(value) < 2**53:
        found.append(int(value))
    return found


def _admits_int(annotation: Any) -> bool:
    return annotation is Any or "int" in repr(annotation)


def variant(value: Any, choose: Any, ints: bool = True) -> Any:
    """An equal value built differently, choosing among spellings with ``choose``.

    ``ints``: whether an integral float may be spelled as an int here (not where the
    type admits ints too: there ``1`` and ``1.0`` are different values).
    """
    if isinstance(value, msgspec.Struct):
        fields = {
            f.name: variant(getattr(value, f.name), choose, ints=not _admits_int(f.type))
            for f in msgspec.structs.fields(value)
        }
        return type(value)(**fields)
    if type(value) is float:
        return choose(_float_variants(value, ints))
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return _offset_variant(value, choose([0, 90, -330]))
    if isinstance(value, decimal.Decimal) and value.is_finite():
        sign, digits, exponent = value.as_tuple()
        assert isinstance(exponent, int)
        return choose([value, decimal.Decimal((sign, (*digits, 0), exponent - 1))])  # 1.5 -> 1.50, exactly
    if isinstance(value, list):
        return [variant(v, choose, ints) for v in value]
    if isinstance(value, tuple):
        return tuple(variant(v, choose, ints) for v in value)
    if isinstance(value, (set, frozenset)):
        return type(value)(variant(v, choose, ints) for v in value)
    if isinstance(value, dict):
        return {variant(k, choose, ints): variant(v, choose, ints) for k, v in value.items()}
    return value


def _wire(value: Any) -> tuple[bytes, bytes, str, bytes]:
    return dumps_json(value), dumps_msgpack(value), fingerprint(value), reference_canonical(value)


@pytest.mark.parametrize("tp", USER_TYPES, ids=lambda t: t.__name__)
def test_equal_values_encode_alike_at_every_depth(tp: type) -> None:
    @given(value=strategy_for(tp), data=st.data())
    def check(value: Any, data: st.DataObject) -> None:
        expected = _wire(value)
        assert expected[3] == canonical_bytes(value), "the spec's encoder"
        built = {
            "variant": variant(value, lambda options: data.draw(st.sampled_from(options))),
            "loads_json": loads_json(expected[0], tp),
            "loads_msgpack": loads_msgpack(expected[1], tp),
            "convert": convert(to_builtins(value), tp),
        }
        for path, other in built.items():
            assert other == value, path
            assert _wire(other) == expected, path

    check()


class TestNestedSpellings:
    def test_negative_zero_and_ints_in_a_tuple_of_floats(self) -> None:
        a, b, c = Point(xs=(-0.0, 1)), Point(xs=(0.0, 1.0)), loads_json(b'{"xs":[-0.0,1]}', Point)
        assert a == b == c
        assert dumps_json(a) == dumps_json(b) == dumps_json(c) == b'{"xs":[0.0,1.0]}'
        assert fingerprint(a) == fingerprint(b)

    def test_aware_datetimes_in_a_dict_are_utc_in_json(self) -> None:
        local = loads_json(b'{"at":{"k":"2026-01-01T02:00:00+02:00"}}', Point)
        assert dumps_json(local) == b'{"at":{"k":"2026-01-01T00:00:00Z"}}'
        assert local == Point(at={"k": datetime.datetime(2026, 1, 1, tzinfo=UTC)})

    def test_float_dict_keys_and_sets(self) -> None:
        assert dumps_msgpack(Reading(by_key={"k": [-0.0, 1]}, weights=frozenset({-0.0}))) == dumps_msgpack(
            Reading(by_key={"k": [0.0, 1.0]}, weights=frozenset({0.0}))
        )

    def test_a_union_with_int_keeps_ints(self) -> None:
        # 1 and 1.0 are different values on the wire: the union decodes them apart.
        assert dumps_json(Shape(counted=1)) == b'{"counted":1}'
        assert dumps_json(Shape(counted=1.0)) == b'{"counted":1.0}'
        assert dumps_json(Shape(counted=-0.0)) == dumps_json(Shape(counted=0.0)) == b'{"counted":0.0}'

    def test_any_holds_canonical_values(self) -> None:
        assert dumps_json(Shape(extra={"a": [-0.0, decimal.Decimal("1.50")]})) == b'{"extra":{"a":[0.0,"1.5"]}}'

    def test_aware_times(self) -> None:
        plus2 = datetime.timezone(datetime.timedelta(hours=2))
        assert Reading(clock=datetime.time(3, tzinfo=plus2)).clock == datetime.time(1, tzinfo=UTC)
        with pytest.raises(ValueError, match="no canonical form"):
            Reading(clock=datetime.time(1, tzinfo=plus2))

    def test_convert_makes_subclasses_plain(self) -> None:
        value = convert({"mixed": Text("s"), "extra": [Number(3), Mode.FAST]}, Shape)
        assert type(value.mixed) is str and [type(x) for x in value.extra] == [int, str]
        assert dumps_json(value) == b'{"mixed":"s","extra":[3,"fast"]}'


class TestRefusedFieldTypes:
    def test_a_dataclass_field_is_refused_at_class_creation(self) -> None:
        with pytest.raises(UncanonicalFieldType, match=r"Holder\.inner: Plain is a dataclass"):

            class Holder(StructBaseCompat):
                inner: Plain

    def test_a_plain_struct_holding_floats_is_refused(self) -> None:
        with pytest.raises(UncanonicalFieldType, match="derive it from one of the bases"):

            class Holder(StructBaseCompat):
                items: list[Loose] = []

    def test_dict_keys_that_cannot_be_sorted_are_refused(self) -> None:
        with pytest.raises(UncanonicalFieldType, match="deterministic order"):

            class Holder(StructBaseCompat):
                by_number: dict[int, str] = {}

    def test_a_plain_struct_of_ints_is_allowed(self) -> None:
        class Holder(StructBaseCompat):
            inner: Ints

        assert dumps_json(Holder(inner=Ints(x=1))) == b'{"inner":{"x":1}}'


class _NoOffset(datetime.tzinfo):
    def utcoffset(self, dt: Any) -> None:
        return None

    def dst(self, dt: Any) -> None:
        return None


def test_a_tzinfo_without_an_offset_stays_naive() -> None:
    # astimezone would read it as the machine's local time: bytes would follow the machine.
    moment = datetime.datetime(2026, 1, 1, tzinfo=_NoOffset())
    assert Point(at={"k": moment}).at["k"] is moment


Alias = tuple[float, ...]


class ByAlias(StructBaseCompat):
    xs: Alias = ()


def test_string_annotations_through_an_alias_are_canonicalized() -> None:
    # This module's annotations are strings (from __future__): the class gets the hook
    # because "Alias" might hold a float, and the hook resolves it when it first runs.
    assert dumps_json(ByAlias(xs=(-0.0, 1))) == b'{"xs":[0.0,1.0]}'
