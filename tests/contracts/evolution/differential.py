"""Measure what a change to a Struct breaks, by decoding payloads across the two versions.

:func:`measure` takes an old and a new version of one type and returns the surfaces that
break in each direction, found by running msgspec (through the contracts codec), not by
reading schemas:

- **json / msgpack backward**: every payload an old writer wrote, and every raw payload an
  old reader accepts, is decoded by the new reader; a rejection, or a value whose meaning
  differs on a field both versions have, is a break.
- **json / msgpack forward**: every payload a new writer writes is decoded by the old
  reader, with the same test.
- **python backward**: old calling code meets the new type: every old attribute passed as a
  keyword, only the required ones (the rest left to the defaults, whose value and type
  must not change), and every old value validated against the new type
  (``convert(..., from_attributes=True)``) keeping its Python class (``tuple`` stays
  ``tuple``; an ``int`` may meet a ``float`` field, as type checkers allow).
- **python forward**: the same with the roles swapped.

Raw payloads accepted by the new reader only are recorded as ``widened``: no break, but
the type accepts more, which is minor.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from artifact_contracts import (
    ContractError,
    dumps_json,
    dumps_msgpack,
    loads_json,
    loads_msgpack,
    to_builtins,
)
from artifact_contracts.evolution._rules import Base, Breaks, Bump, Surface
from tests.contracts.instances import DerivationError, representative

CODECS: dict[Surface, tuple[Callable[[Any], bytes], Callable[..., Any]]] = {
    "json": (dumps_json, loads_json),
    "msgpack": (dumps_msgpack, loads_msgpack),
}
_MISSING = object()


@dataclass
class Measured:
    """What decoding across the versions showed."""

    backward: set[Surface] = field(default_factory=set)
    forward: set[Surface] = field(default_factory=set)
    widened: bool = False
    doc_changed: bool = False
    evidence: list[str] = field(default_factory=list)

    @property
    def breaks(self) -> Breaks:
        order = ("json", "msgpack", "python")
        return Breaks(
            backward=tuple(s for s in order if s in self.backward),
            forward=tuple(s for s in order if s in self.forward),
        )

    def bump(self, base: Base) -> Bump:
        """The bump the measured breaks call for on a type of ``base``."""
        if self.backward or self.forward or self.widened:
            return self.breaks.bump(base)
        return "patch" if self.doc_changed else "none"


def base_of(cls: type[msgspec.Struct]) -> Base:
    return "strict" if cls.__struct_config__.forbid_unknown_fields else "compat"


def reader(cls: type[msgspec.Struct]) -> Any:
    """What decodes ``cls``: the type itself, or a union with a sibling kind when it is tagged."""
    config = cls.__struct_config__
    if config.tag_field is None:
        return cls
    sibling = type(
        "Sibling",
        (msgspec.Struct,),
        {"__annotations__": {"z": int}, "z": 0},
        tag="sibling",
        tag_field=config.tag_field,
        array_like=config.array_like,
    )
    return typing.Union[cls, sibling]


def values(cls: type[msgspec.Struct], witnesses: Iterable[dict[str, Any]]) -> list[Any]:
    """Representative instances of ``cls`` (minimal and full, when derivable) and the witnesses."""
    try:
        found = list(representative(cls).values())
    except DerivationError:
        found = []
    return found + [cls(**kwargs) for kwargs in witnesses]


def _words(cls: type[msgspec.Struct]) -> Any:
    """The words of a type, which no decoder reads: its docstring and each field's title,
    description and examples."""
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    return (cls.__doc__ or "", tuple((f.name, repr(_extra_json_schema(f.type))) for f in info.fields))


def _extra_json_schema(node: Any) -> list[Any]:
    found: list[Any] = []
    while isinstance(node, msgspec.inspect.Metadata):
        found.append(node.extra_json_schema)
        node = node.type
    return found


def _decode(loads: Callable[..., Any], data: bytes, target: Any) -> Any:
    try:
        return loads(data, target)
    except ContractError:
        return _MISSING


def measure(
    old: type[msgspec.Struct],
    new: type[msgspec.Struct],
    *,
    old_values: Iterable[dict[str, Any]] = (),
    new_values: Iterable[dict[str, Any]] = (),
    raw: Iterable[Any] = (),
) -> Measured:
    """Decode payloads across ``old`` and ``new`` and report what breaks, per surface and direction."""
    result = Measured(doc_changed=_words(old) != _words(new))
    olds, news, raws = values(old, old_values), values(new, new_values), list(raw)
    for surface, (dumps, loads) in CODECS.items():
        _wire(result, surface, dumps, loads, (old, new), (olds, news), raws)
    _python(result, "backward", old, new, olds)
    _python(result, "forward", new, old, news)
    return result


def _wire(
    result: Measured,
    surface: Surface,
    dumps: Callable[[Any], bytes],
    loads: Callable[..., Any],
    pair: tuple[type[msgspec.Struct], type[msgspec.Struct]],
    samples: tuple[list[Any], list[Any]],
    raws: list[Any],
) -> None:
    old_reader, new_reader = reader(pair[0]), reader(pair[1])
    old_payloads = [(dumps(v), wire_meaning(v)) for v in samples[0]]
    for data in (dumps(r) for r in raws):
        old_value, new_value = _decode(loads, data, old_reader), _decode(loads, data, new_reader)
        if old_value is not _MISSING:
            old_payloads.append((data, wire_meaning(old_value)))
        elif new_value is not _MISSING:
            result.widened = True
            result.evidence.append(f"{surface}: only the new reader accepts {data!r}")
    for data, meaning in old_payloads:
        if _differs(meaning, _decode(loads, data, new_reader)):
            result.backward.add(surface)
            result.evidence.append(f"{surface} backward: {data!r}")
    for value in samples[1]:
        data = dumps(value)
        if _differs(wire_meaning(value), _decode(loads, data, old_reader)):
            result.forward.add(surface)
            result.evidence.append(f"{surface} forward: {data!r}")


def _differs(meaning: Any, decoded: Any) -> bool:
    if decoded is _MISSING:
        return True
    return not _same_on_common_fields(meaning, wire_meaning(decoded))


def _same_on_common_fields(a: Any, b: Any) -> bool:
    """Equal, comparing Structs only on the attributes both have."""
    if isinstance(a, dict) and isinstance(b, dict) and "__struct__" in a and "__struct__" in b:
        return all(_same_on_common_fields(a[k], b[k]) for k in a.keys() & b.keys() if k != "__struct__")
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return all(_same_on_common_fields(x, y) for x, y in zip(a, b))
    return bool(a == b)


def wire_meaning(value: Any) -> Any:
    """What a decoded value says on the wire: by attribute, numbers by value, containers as sequences."""
    if isinstance(value, msgspec.Struct):
        fields = {name: wire_meaning(getattr(value, name)) for name in value.__struct_fields__}
        return {"__struct__": True, **fields}
    if isinstance(value, enum.Enum):
        return wire_meaning(value.value)
    if isinstance(value, dict):
        return ("map", tuple(sorted((str(k), wire_meaning(v)) for k, v in value.items())))
    if isinstance(value, (set, frozenset)):
        return ("seq", tuple(sorted((wire_meaning(v) for v in value), key=repr)))
    if isinstance(value, (list, tuple)):
        return ("seq", tuple(wire_meaning(v) for v in value))
    if isinstance(value, bool) or value is None:
        return (type(value).__name__, value)
    if isinstance(value, (int, float)):
        return ("number", value)
    return ("text", to_builtins(value))


# --- the Python API -------------------------------------------------------------------------


def _python(
    result: Measured, direction: str, writer: type[msgspec.Struct], target: type[msgspec.Struct], samples: list[Any]
) -> None:
    """Old (``writer``) calling code against ``target``: keywords, defaults, values."""
    required = [f.name for f in msgspec.structs.fields(writer) if f.required]
    for value in samples:
        everything = {name: getattr(value, name) for name in writer.__struct_fields__}
        problem = (
            _construct(target, everything)
            or _defaults_kept(writer, target, {k: everything[k] for k in required})
            or _accepts(target, value)
        )
        if problem:
            getattr(result, direction).add("python")
            result.evidence.append(f"python {direction}: {problem}")


def _construct(target: type[msgspec.Struct], kwargs: dict[str, Any]) -> str | None:
    try:
        target(**kwargs)
    except (TypeError, ValueError) as exc:  # a missing or unknown keyword, a __post_init__ rule
        return f"{target.__name__}(**{sorted(kwargs)}): {exc}"
    return None


def _defaults_kept(writer: type[msgspec.Struct], target: type[msgspec.Struct], kwargs: dict[str, Any]) -> str | None:
    """A call leaving the optional fields out gets the same values, of the same types."""
    problem = _construct(target, kwargs)
    if problem:
        return problem
    before, after = writer(**kwargs), target(**kwargs)
    for name in set(writer.__struct_fields__) & set(target.__struct_fields__) - kwargs.keys():
        if python_value(getattr(before, name)) != python_value(getattr(after, name)):
            return f"default of {name}: {getattr(before, name)!r} -> {getattr(after, name)!r}"
    return None


def _accepts(target: type[msgspec.Struct], value: msgspec.Struct) -> str | None:
    """``value``'s attributes validate as ``target`` and keep their Python classes."""
    try:
        converted = msgspec.convert(_attributes(value), target, from_attributes=True, strict=True)
    except msgspec.ValidationError as exc:
        return f"{target.__name__} rejects {value!r}: {exc}"
    for name in set(value.__struct_fields__) & set(target.__struct_fields__):
        if python_shape(getattr(value, name)) != python_shape(getattr(converted, name)):
            return f"{name}: {getattr(value, name)!r} becomes {getattr(converted, name)!r}"
    return None


def _attributes(value: Any, *, nested: bool = False) -> Any:
    """``value`` as plain objects with attributes: another version's Structs and Enums won't convert."""
    if isinstance(value, msgspec.Struct):
        attributes = {n: _attributes(getattr(value, n), nested=True) for n in value.__struct_fields__}
        config = value.__struct_config__
        # A union of kinds reads a nested tag like any attribute; callers never pass the
        # top-level type's own tag, so a tag change is no Python break.
        if nested and config.tag_field is not None:
            attributes[config.tag_field] = config.tag
        return types.SimpleNamespace(**attributes)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _attributes(v, nested=True) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return type(value)(_attributes(v, nested=True) for v in value)
    return value


def python_shape(value: Any) -> Any:
    """The Python classes of a value, recursively; ``int`` and ``float`` count as one (numbers)."""
    if isinstance(value, msgspec.Struct):
        return ("struct", tuple((n, python_shape(getattr(value, n))) for n in value.__struct_fields__))
    if isinstance(value, enum.Enum):
        return ("enum", type(value).__name__)
    if isinstance(value, dict):
        return ("dict", tuple(sorted((repr(k), python_shape(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple, set, frozenset)):
        return (type(value).__name__, tuple(sorted(repr(python_shape(v)) for v in value)))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "number"
    return type(value).__name__


def python_value(value: Any) -> Any:
    """A value with every class kept: ``1``, ``1.0`` and ``True`` all differ."""
    if isinstance(value, msgspec.Struct):
        return ("struct", tuple((n, python_value(getattr(value, n))) for n in value.__struct_fields__))
    if isinstance(value, enum.Enum):
        return ("enum", type(value).__name__, value.value)
    if isinstance(value, dict):
        return ("dict", tuple(sorted((repr(k), python_value(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple, set, frozenset)):
        return (type(value).__name__, tuple(sorted(repr(python_value(v)) for v in value)))
    return (type(value).__name__, value)
