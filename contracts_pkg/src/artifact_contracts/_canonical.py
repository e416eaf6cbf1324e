"""Canonical values: one spelling for every set of values that compare equal (private).

The bases (:mod:`artifact_contracts.base`) apply :func:`normalizer_for` to every field,
at any depth of lists, tuples, sets, dicts and unions; :func:`canonical_value` serves
plain values given to :func:`~artifact_contracts.fingerprint`, and :func:`plain_input`
the data given to :func:`~artifact_contracts.convert` (through ``_depth.plain_input``). The rules:

- a float is a ``float`` (an ``int`` in a ``float``-only position becomes one) and
  ``-0.0`` is ``0.0``;
- an aware ``datetime`` is in UTC (a value whose UTC form is out of range is refused),
  and an aware ``time`` too when its UTC form falls on the same day (else refused: it
  has no canonical spelling);
- a ``Decimal`` is normalized (``1.50`` is ``1.5``, ``-0`` is ``0``) at full precision;
- subclasses of ``str``, ``int`` (not ``bool``) and ``float``, enum members included,
  become the plain type wherever a plain value belongs.

Two values of different kinds (``1`` and ``1.0``, ``1`` and ``True``) are different
values on the wire, where a decoder keeps them apart, though Python calls them equal;
the determinism promise is for values equal and of the same kinds at every position.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import types
import typing
from collections.abc import Callable
from typing import Any, Final

import msgspec

__all__ = ["CONTRACT_BASES", "PLAIN_TYPES", "UncanonicalFieldType", "canonical_value", "normalizer_for", "plain_scalar"]

Normalizer = Callable[[Any], Any]
_UTC: Final = datetime.timezone.utc
PLAIN_TYPES: Final = frozenset({str, int, float, bool, type(None), bytes})


class UncanonicalFieldType(TypeError):
    """A field type whose values cannot be made canonical (raised at class creation)."""


_NAN: Final = float("nan")


def _float(value: Any) -> Any:
    if type(value) is float:
        if value != value:  # NaN: every NaN payload becomes the one quiet NaN
            return _NAN
        return 0.0 if value == 0.0 else value  # -0.0 == 0.0: both become the one 0.0
    if type(value) is int:
        try:
            return float(value)
        except OverflowError:
            raise ValueError(f"the integer {value} is out of range for a float") from None
    return value


def _utc(value: datetime.datetime) -> datetime.datetime:
    try:
        return value.astimezone(_UTC)
    except OverflowError:
        # The bases' hook names its field in this message (errors.py reads it back).
        raise ValueError("datetime out of range once converted to UTC") from None


def _datetime(value: Any) -> Any:
    if isinstance(value, datetime.datetime) and value.tzinfo is not None and value.tzinfo is not _UTC:
        # A tzinfo without an offset leaves the datetime naive (astimezone would read it
        # as the machine's local time).
        return value if value.utcoffset() is None else _utc(value)
    return value


def _time(value: Any) -> Any:
    if not isinstance(value, datetime.time) or value.tzinfo is None or value.tzinfo is _UTC:
        return value
    offset = value.utcoffset()
    if offset is None:
        return value
    moment = datetime.datetime.combine(datetime.date(2000, 1, 2), value.replace(tzinfo=None)) - offset
    if moment.date() != datetime.date(2000, 1, 2):
        raise ValueError("an aware time whose UTC form falls on another day has no canonical form")
    return moment.time().replace(tzinfo=_UTC)


def _decimal(value: Any) -> Any:
    if not isinstance(value, decimal.Decimal) or not value.is_finite():
        return value
    if value.is_zero():
        return decimal.Decimal(0)
    exact = decimal.Context(prec=max(1, len(value.as_tuple().digits)), Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)
    return value.normalize(exact)


def plain_scalar(value: Any) -> Any:
    """A subclass of str, int or float as the plain type; anything else unchanged."""
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        return float.__float__(value)
    return value


def canonical_value(value: Any) -> Any:
    """The canonical form of a plain value: containers walked, Structs left to their hooks."""
    kind = type(value)
    if kind is float:
        return _float(value)
    if kind in PLAIN_TYPES or isinstance(value, msgspec.Struct):
        return value
    if kind is list or kind is tuple:
        items = [canonical_value(item) for item in value]
        return value if all(a is b for a, b in zip(items, value)) else kind(items)
    if kind is dict:
        pairs = [(canonical_value(k), canonical_value(v)) for k, v in value.items()]
        changed = any(a is not k or b is not v for (a, b), (k, v) in zip(pairs, value.items()))
        return dict(pairs) if changed else value
    if kind is set or kind is frozenset:
        return kind(canonical_value(item) for item in value)
    if isinstance(value, datetime.datetime):
        return _datetime(value)
    if isinstance(value, datetime.time):
        return _time(value)
    if isinstance(value, decimal.Decimal):
        return _decimal(value)
    if isinstance(value, enum.Enum):
        return value
    return plain_scalar(value)


# ----------------------------------------------------------- normalizers from annotations


def _each(item: Normalizer, kind: Any) -> Normalizer:
    def normalize(value: Any) -> Any:
        if type(value) is not kind:
            return value
        items = [item(v) for v in value]
        return value if all(a is b for a, b in zip(items, value)) else kind(items)

    return normalize


def _positions(items: tuple[Normalizer | None, ...]) -> Normalizer:
    def normalize(value: Any) -> Any:
        if type(value) is not tuple or len(value) != len(items):
            return value
        out = tuple(v if fn is None else fn(v) for fn, v in zip(items, value))
        return value if all(a is b for a, b in zip(out, value)) else out

    return normalize


def _mapping(key: Normalizer | None, val: Normalizer | None) -> Normalizer:
    def normalize(value: Any) -> Any:
        if type(value) is not dict:
            return value
        pairs = [(k if key is None else key(k), v if val is None else val(v)) for k, v in value.items()]
        same = all(a is k and b is v for (a, b), (k, v) in zip(pairs, value.items()))
        return value if same else dict(pairs)

    return normalize


def _zero(value: Any) -> Any:
    return 0.0 if type(value) is float and value == 0.0 else value


def _union(members: tuple[Any, ...]) -> Normalizer | None:
    # In a union with int, an int is an int: only -0.0 changes for floats there.
    found = [_normalizer(m) for m in members if m is not float or int not in members]
    if float in members and int in members:
        found.append(_zero)
    fns = [fn for fn in found if fn is not None]
    if not fns:
        return None

    def normalize(value: Any) -> Any:
        for fn in fns:
            out = fn(value)
            if out is not value:
                return out
        return value

    return normalize


_SCALARS: Final[dict[Any, Normalizer]] = {
    float: _float,
    datetime.datetime: _datetime,
    datetime.time: _time,
    decimal.Decimal: _decimal,
    Any: canonical_value,
    object: canonical_value,
}
_SEQUENCES: Final = {list: list, set: set, frozenset: frozenset}


def _normalizer(tp: Any) -> Normalizer | None:
    if tp in _SCALARS:
        return _SCALARS[tp]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return _normalizer(args[0])
    if origin is typing.Union or origin is types.UnionType:
        return _union(args)
    if origin in _SEQUENCES and args:
        item = _normalizer(args[0])
        return None if item is None else _each(item, _SEQUENCES[origin])
    if origin is tuple and args:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _normalizer(args[0])
            return None if item is None else _each(item, tuple)
        items = tuple(_normalizer(a) for a in args)
        return None if all(fn is None for fn in items) else _positions(items)
    if origin is dict and args:
        _refuse_non_str_keys(args[0])
        key, val = _normalizer(args[0]), _normalizer(args[1])
        return None if key is None and val is None else _mapping(key, val)
    _refuse_uncanonical(tp)
    return None


def _refuse_non_str_keys(key: Any) -> None:
    # The codec sorts map keys (order="deterministic"), which msgspec does for str keys only.
    while typing.get_origin(key) is typing.Annotated:
        key = typing.get_args(key)[0]
    literal = typing.get_origin(key) is typing.Literal and all(isinstance(a, str) for a in typing.get_args(key))
    if key is not str and not literal:
        raise UncanonicalFieldType(f"dict keys of type {key!r} cannot be written in a deterministic order: use str")


CONTRACT_BASES: list[type] = []
"""The two bases, registered by base.py: their subclasses canonicalize themselves."""
_IN_PROGRESS: set[type] = set()  # plain Structs being looked into (recursive ones)


def _refuse_uncanonical(tp: Any) -> None:
    if not isinstance(tp, type):
        return
    if dataclasses.is_dataclass(tp):
        raise UncanonicalFieldType(f"{tp.__name__} is a dataclass: its values cannot be made canonical; use a Struct")
    if issubclass(tp, msgspec.Struct) and not issubclass(tp, tuple(CONTRACT_BASES)) and _holds_uncanonical(tp):
        raise UncanonicalFieldType(
            f"{tp.__name__} is a msgspec Struct outside StructBaseStrict/StructBaseCompat with fields that "
            "need canonicalizing (floats, datetimes, times, decimals, Any): derive it from one of the bases"
        )


def _holds_uncanonical(cls: type[msgspec.Struct]) -> bool:
    if cls in _IN_PROGRESS:
        return False
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception:  # unresolvable here: assume the worst
        return True
    _IN_PROGRESS.add(cls)
    try:
        return any(_normalizer(hints[name]) is not None for name in cls.__struct_fields__)
    except UncanonicalFieldType:
        return True
    finally:
        _IN_PROGRESS.discard(cls)


def normalizer_for(annotation: Any) -> Normalizer | None:
    """The function making a value of ``annotation`` canonical, or None when nothing can change.

    Raises:
        UncanonicalFieldType: The annotation holds a type whose values cannot be made
            canonical (a dataclass, a plain msgspec Struct holding such values).
    """
    return _normalizer(annotation)
