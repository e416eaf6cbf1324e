"""Representative instances of any contract type, derived from its type info.

``representative(T)`` returns ``{"minimal": ..., "full": ...}``: *minimal* sets only the
required fields, each to its simplest valid value; *full* sets every field, optional ones
to a value other than their default, strings to their field name, so that a golden shows
every field on the wire. Both are deterministic: no randomness and no Hypothesis, so the
goldens change only when the contracts or the codec do. Where derivation cannot satisfy
a type (a ``__post_init__`` rule across fields, an unusual pattern), add the type to
``HAND_PICKED`` instead.
"""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from typing import Any, Final

import msgspec
from msgspec import inspect as mi

from artifact_contracts import ContractError, ExtPayload, convert, to_builtins
from artifact_contracts.testing import INT_MAX, INT_MIN

try:  # Python >= 3.11
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse  # type: ignore[no-redef]

__all__ = ["HAND_PICKED", "DerivationError", "representative"]

HAND_PICKED: Final[dict[str, dict[str, Any]]] = {}
"""Type name -> instance name -> value, for types whose instances are not derivable."""


_SKIP: Final = object()


class DerivationError(Exception):
    """No valid instance could be derived from the type info."""


def representative(tp: type[Any]) -> dict[str, Any]:
    """Return the named representative instances of ``tp`` (hand-picked ones win)."""
    picked = HAND_PICKED.get(tp.__name__)
    if picked is not None:
        return dict(picked)
    info = mi.type_info(tp)
    instances = {
        "minimal": _Sampler(full=False).value(info, tp.__name__),
        "full": _Sampler(full=True).value(info, tp.__name__),
    }
    for name, value in instances.items():
        try:
            convert(to_builtins(value), tp)
        except ContractError as exc:
            raise DerivationError(f"derived {name} {tp.__name__} is invalid ({exc}); add it to HAND_PICKED") from exc
    return instances


def _regex_example(pattern: str, extra: int) -> str:
    """Build a string matching ``pattern``: each repeat ``extra`` times past its minimum."""

    def walk(items: Any) -> str:
        out = []
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                out.append(chr(arg))
            elif name == "ANY":
                out.append("a")
            elif name == "IN":
                out.append(_class_char(arg))
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, sub = arg
                count = low + extra if high == sre_parse.MAXREPEAT else min(high, low + extra)
                out.append(walk(sub) * count)
            elif name == "SUBPATTERN":
                out.append(walk(arg[-1]))
            elif name == "BRANCH":
                out.append(walk(arg[1][0]))
            elif name in ("AT", "ASSERT", "ASSERT_NOT"):
                continue
            else:
                raise DerivationError(f"unsupported regex construct {name} in {pattern!r}")
        return "".join(out)

    return walk(sre_parse.parse(pattern))


def _class_char(items: Any) -> str:
    op, arg = items[0]
    name = str(op)
    if name == "LITERAL":
        return chr(arg)
    if name == "RANGE":
        return chr(arg[0])
    if name == "CATEGORY":
        return {"CATEGORY_DIGIT": "0", "CATEGORY_SPACE": " "}.get(str(arg), "a")
    raise DerivationError(f"unsupported character class {items!r}")


def _int_candidates(node: mi.IntType, full: bool) -> list[int]:
    lo, hi = INT_MIN, INT_MAX
    lo = max(lo, node.ge) if node.ge is not None else lo
    lo = max(lo, node.gt + 1) if node.gt is not None else lo
    hi = min(hi, node.le) if node.le is not None else hi
    hi = min(hi, node.lt - 1) if node.lt is not None else hi
    step = node.multiple_of or 1
    wanted = [42, 7, 1, 0, lo, hi] if full else [0, 1, lo, hi]
    found = []
    for value in wanted:
        value = -(-value // step) * step
        if lo <= value <= hi and value not in found:
            found.append(value)
    return found


def _float_candidates(node: mi.FloatType, full: bool) -> list[float]:
    bounds = [b for b in (node.ge, node.gt, node.le, node.lt) if b is not None]
    wanted = [1.5, 0.25, 0.5, -1.5, 0.0] if full else [0.0, 0.5, 1.0, -1.0]
    wanted += [float(b) for b in bounds] + [b + 0.5 for b in bounds] + [b - 0.5 for b in bounds]
    if len(bounds) == 2:
        wanted.append((bounds[0] + bounds[1]) / 2)
    return [
        v
        for v in wanted
        if (node.ge is None or v >= node.ge)
        and (node.gt is None or v > node.gt)
        and (node.le is None or v <= node.le)
        and (node.lt is None or v < node.lt)
        and (not node.multiple_of or v % node.multiple_of == 0)
    ]


def _str_candidates(node: mi.StrType, hint: str, full: bool) -> list[str]:
    wanted = [f"{hint} ✓", hint] if full else ["", "a", hint]
    if node.pattern is not None:
        wanted += [_regex_example(node.pattern, extra) for extra in range(4)]
    lo = node.min_length or 0
    wanted.append(hint.ljust(lo, "x"))
    return [
        s
        for s in wanted
        if lo <= len(s)
        and (node.max_length is None or len(s) <= node.max_length)
        and (node.pattern is None or re.search(node.pattern, s))
    ]


class _Sampler:
    """Build one deterministic value per type-info node (``full``: every field set)."""

    def __init__(self, full: bool) -> None:
        self.full = full
        self.stack: list[int] = []  # Struct-like nodes being built, to stop recursion

    def value(self, node: mi.Type, hint: str, variant: int = 0) -> Any:
        full = self.full
        if isinstance(node, mi.Metadata):
            return self.value(node.type, hint, variant)
        if isinstance(node, mi.AnyType):
            return {"key": [1, "two", 3.5, None, True]} if full else None
        if isinstance(node, mi.NoneType):
            return None
        if isinstance(node, mi.BoolType):
            return (variant % 2 == 1) != full
        if isinstance(node, mi.IntType):
            return self._pick(_int_candidates(node, full), variant, hint)
        if isinstance(node, mi.FloatType):
            return self._pick(_float_candidates(node, full), variant, hint)
        if isinstance(node, mi.StrType):
            return self._pick(_str_candidates(node, hint, full), variant, hint, suffix=True)
        if isinstance(node, (mi.BytesType, mi.ByteArrayType)):
            size = max(node.min_length or 0, 4 if full else 0) + variant
            if node.max_length is not None:
                size = min(size, node.max_length)
            data = bytes((0x00, 0x01, 0xFE, 0xFF)[i % 4] for i in range(size))
            return bytearray(data) if isinstance(node, mi.ByteArrayType) else data
        if isinstance(node, mi.DateTimeType):
            base = datetime.datetime(2024, 1, 2, 3, 4, 5, 123456 if full else 0)
            base += datetime.timedelta(days=variant)
            return base if node.tz is False else base.replace(tzinfo=datetime.timezone.utc)
        if isinstance(node, mi.TimeType):
            clock = datetime.time(3, 4, 5 + variant, 123456 if full else 0)
            return clock.replace(tzinfo=datetime.timezone.utc) if node.tz else clock
        if isinstance(node, mi.DateType):
            return datetime.date(2024, 1, 2) + datetime.timedelta(days=variant)
        if isinstance(node, mi.TimeDeltaType):
            return datetime.timedelta(days=1 + variant, hours=2, seconds=3.5) if full else datetime.timedelta(variant)
        if isinstance(node, mi.UUIDType):
            return uuid.UUID("12345678-1234-5678-1234-567812345678") if full and not variant else uuid.UUID(int=variant)
        if isinstance(node, mi.DecimalType):
            return decimal.Decimal("12.50") + variant if full else decimal.Decimal(variant)
        if isinstance(node, mi.CustomType) and isinstance(node.cls, type) and issubclass(node.cls, ExtPayload):
            return node.cls(bytes(range(3 + variant)) if full else bytes(variant))
        if isinstance(node, mi.LiteralType):
            return node.values[(-1 - variant if full else variant) % len(node.values)]
        if isinstance(node, mi.EnumType):
            members = list(node.cls)
            return members[(-1 - variant if full else variant) % len(members)]
        if isinstance(node, mi.UnionType):
            return self._union(node, hint, variant)
        if isinstance(node, (mi.ListType, mi.VarTupleType, mi.SetType, mi.FrozenSetType)):
            return self._collection(node, hint)
        if isinstance(node, mi.TupleType):
            return tuple(self.value(t, f"{hint}_{i}") for i, t in enumerate(node.item_types))
        if isinstance(node, mi.DictType):
            count = max(node.min_length or 0, 1 if full else 0)
            keys = self._distinct(node.key_type, "key", count)
            return {k: self.value(node.value_type, f"{hint}_value") for k in keys}
        if isinstance(node, (mi.StructType, mi.DataclassType, mi.NamedTupleType)):
            return self._object(node, variant)
        raise DerivationError(f"cannot derive a value for {node!r} (at {hint})")

    def _pick(self, candidates: list[Any], variant: int, hint: str, suffix: bool = False) -> Any:
        if not candidates:
            raise DerivationError(f"no value satisfies the constraints of {hint}")
        if variant < len(candidates):
            return candidates[variant]
        if suffix:
            return f"{candidates[0]}{variant}"
        raise DerivationError(f"not enough distinct values for {hint}")

    def _distinct(self, node: mi.Type, hint: str, count: int) -> list[Any]:
        found: list[Any] = []
        for variant in range(count + 8):
            if len(found) == count:
                break
            value = self.value(node, hint, variant)
            if value not in found:
                found.append(value)
        if len(found) < count:
            raise DerivationError(f"cannot find {count} distinct values for {hint}")
        return found

    def _union(self, node: mi.UnionType, hint: str, variant: int) -> Any:
        members = [t for t in node.types if not isinstance(t, mi.NoneType)]
        if not self.full and len(members) < len(node.types):
            return None
        return self.value(members[0], hint, variant)

    def _collection(self, node: Any, hint: str) -> Any:
        count = max(node.min_length or 0, 1 if self.full else 0)
        if node.max_length is not None:
            count = min(count, node.max_length)
        items = self._distinct(node.item_type, f"{hint}_item", count)
        wrap = {mi.ListType: list, mi.VarTupleType: tuple, mi.SetType: set, mi.FrozenSetType: frozenset}
        return wrap[type(node)](items)

    def _object(self, node: mi.StructType | mi.DataclassType | mi.NamedTupleType, variant: int) -> Any:
        outer_full = self.full
        if id(node) in self.stack:  # a recursive occurrence: keep it small
            self.full = False
        self.stack.append(id(node))
        try:
            kwargs: dict[str, Any] = {}
            optional: list[str] = []
            for field in node.fields:
                if field.required:
                    kwargs[field.name] = self.value(field.type, field.name, variant)
                elif self.full:
                    value = self._not_default(field)
                    if value is not _SKIP:
                        kwargs[field.name] = value
                        optional.append(field.name)
            return self._construct(node.cls, kwargs, optional)
        finally:
            self.stack.pop()
            self.full = outer_full

    @staticmethod
    def _construct(cls: Any, kwargs: dict[str, Any], optional: list[str]) -> Any:
        """Build ``cls``; if a cross-field rule refuses, leave out one optional field."""
        try:
            return cls(**kwargs)
        except (TypeError, ValueError) as exc:
            error = exc
        for name in reversed(optional):
            try:
                return cls(**{k: v for k, v in kwargs.items() if k != name})
            except (TypeError, ValueError):
                continue
        raise DerivationError(f"{cls.__name__} refuses the derived fields ({error}); add it to HAND_PICKED")

    def _not_default(self, field: mi.Field) -> Any:
        default = field.default
        if field.default_factory is not msgspec.NODEFAULT:
            default = field.default_factory()
        for variant in range(4):
            value = self.value(field.type, field.name, variant)
            if default is msgspec.NODEFAULT or value != default or type(value) is not type(default):
                return value
        return _SKIP  # a field with a single possible value: only its default
