"""The two base classes of every contract Struct.

Both are ``frozen``, ``kw_only`` (on every subclass too), ``omit_defaults`` and
``repr_omit_defaults``. They differ only in how they treat unknown fields:

- :class:`StructBaseStrict` rejects them. For configuration and command inputs, where a
  typo must be an error rather than a silently ignored setting.
- :class:`StructBaseCompat` skips them. For everything persisted, so a reader built
  against an older release decodes what a newer release wrote.

Canonical values. msgspec omits a default only when the value *is* the default object,
so an equal value that came from a decoder (``1000``, ``"abc"``, ``0.0``) would be
written out while the constructor's default is not, and two equal Structs would encode
to different bytes. Subclasses whose fields could hit that gap get a ``__post_init__``
(it runs on construction, decode, ``convert`` and ``replace``) that swaps such a value
for the default object itself. The same hook makes every value canonical at any depth
(in lists, tuples, sets, dict keys and values, unions, ``Any``): floats as floats (``1``
becomes ``1.0``, ``-0.0`` becomes ``0.0``), aware datetimes and times in UTC, decimals
normalized, because those values compare equal to their canonical form but encode
differently (:mod:`artifact_contracts._canonical` has the rules). Classes that need none
of this get no hook and pay nothing. A field type whose values cannot be made canonical
(a dataclass, a plain msgspec Struct holding floats or datetimes) is refused when the
class is created, with :class:`UncanonicalFieldType` (a ``TypeError``).
"""

from __future__ import annotations

import re
import sys
import typing
from typing import Any

import msgspec
from msgspec.structs import force_setattr

from artifact_contracts._canonical import CONTRACT_BASES, UncanonicalFieldType, normalizer_for

if typing.TYPE_CHECKING:
    from typing_extensions import dataclass_transform
elif hasattr(typing, "dataclass_transform"):
    from typing import dataclass_transform
else:  # Python 3.10: the decorator only informs type checkers

    def dataclass_transform(**_: Any) -> Any:
        return lambda cls: cls


__all__ = ["StructBaseCompat", "StructBaseStrict", "UncanonicalFieldType", "compat_snapshot"]

# Defaults whose identity survives a decode: msgspec returns these very objects (or,
# for empty collections, treats any empty value as the default).
_STABLE_DEFAULTS = (type(None), bool, type(msgspec.UNSET))


def _is_stable_default(value: object) -> bool:
    if isinstance(value, _STABLE_DEFAULTS):
        return True
    if type(value) is int and -5 <= value <= 256:  # CPython's cached small ints
        return True
    # () is a singleton from 3.11 on; 3.10 builds a fresh empty tuple from an empty iterator
    # (``tuple(x for x in ())``), which msgspec would then write out. An empty frozenset never is.
    return type(value) is tuple and not value and sys.version_info >= (3, 11)


def _may_hold(annotation: object) -> bool:
    """Whether an annotation may need canonicalizing (a string one: a cheap guess).

    Cheap on purpose: it runs at class creation, when string annotations may not resolve
    yet; a wrong guess only costs a hook that finds nothing to do.
    """
    if isinstance(annotation, str):
        # Not resolvable yet (``from __future__ import annotations``): only names that
        # cannot hold such a value spare the hook; an alias or a class name might.
        names = _NAME.findall(_QUOTED.sub("", annotation))
        return not set(names) <= _PLAIN_NAMES
    try:
        return normalizer_for(annotation) is not None
    except UncanonicalFieldType:
        return True  # refused in full when the class is checked (_check_fields)


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")  # Literal values, Meta arguments
_PLAIN_NAMES = frozenset(
    {"int", "str", "bool", "bytes", "None", "Optional", "Union", "Literal", "Annotated", "list", "tuple", "dict",
     "set", "frozenset", "typing", "msgspec", "Meta", "UnsetType", "UUID", "uuid", "date", "timedelta", "Raw",
     "ge", "gt", "le", "lt", "min_length", "max_length", "pattern", "description", "title", "examples",
     "multiple_of", "tz", "True", "False"}
)  # fmt: skip


class _Plan:
    __slots__ = ("defaults", "fields")

    def __init__(self, cls: type[msgspec.Struct]) -> None:
        try:
            hints = typing.get_type_hints(cls, include_extras=True)
        except Exception:  # an unresolvable forward reference: canonicalize defaults only
            hints = {}
        fields = cls.__struct_fields__
        normalizers = ((name, normalizer_for(hints[name]) if name in hints else None) for name in fields)
        self.fields = tuple((name, fn) for name, fn in normalizers if fn is not None)
        defaults = cls.__struct_defaults__
        with_default = fields[len(fields) - len(defaults) :]
        self.defaults = tuple(
            (name, default)
            for name, default in zip(with_default, defaults)
            if not isinstance(default, _FACTORY) and not _is_stable_default(default)
        )


_FACTORY = msgspec._core.Factory  # the placeholder of a default_factory
_PLANS: dict[type, _Plan] = {}


def _canonicalize(self: Any) -> None:
    cls = type(self)
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _Plan(cls)
    for name, normalize in plan.fields:
        value = getattr(self, name)
        try:
            canonical = normalize(value)
        except ValueError as exc:
            # errors.py reads the field's name back from this form of message.
            raise ValueError(f"{exc} (field `{name}`)") if "once converted to UTC" in str(exc) else exc from None
        if canonical is not value:
            force_setattr(self, name, canonical)
    # Last, so a value canonicalized above can still become the default object.
    for name, default in plan.defaults:
        value = getattr(self, name)
        if value is not default and type(value) is type(default) and value == default:
            force_setattr(self, name, default)


def _check_fields(cls: type[msgspec.Struct]) -> None:
    """Refuse, at class creation, field types whose values cannot be made canonical."""
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception:  # forward references not resolvable yet: checked as values come
        return
    for name in cls.__struct_fields__:
        try:
            normalizer_for(hints[name])
        except UncanonicalFieldType as exc:
            raise UncanonicalFieldType(f"{cls.__name__}.{name}: {exc}") from None


def _chain(user_hook: Any) -> Any:
    """Run the canonicalizing hook before a class's own ``__post_init__`` checks."""

    def __post_init__(self: Any) -> None:
        _canonicalize(self)
        user_hook(self)

    __post_init__.__doc__ = user_hook.__doc__
    __post_init__.__wrapped__ = user_hook  # type: ignore[attr-defined]
    __post_init__._canonicalizes = True  # type: ignore[attr-defined]
    return __post_init__


_canonicalize._canonicalizes = True  # type: ignore[attr-defined]


class _ContractMeta(msgspec.StructMeta):
    """Make every subclass ``kw_only`` and give it the canonicalizing hook it needs."""

    def __new__(mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> _ContractMeta:
        kwargs.setdefault("kw_only", True)
        needs_hook = any(getattr(getattr(base, "__post_init__", None), "_canonicalizes", False) for base in bases)
        for field, annotation in namespace.get("__annotations__", {}).items():
            default = namespace.get(field, msgspec.NODEFAULT)
            if isinstance(default, msgspec._core.Field):  # msgspec.field(default=...)
                default = default.default
            if _may_hold(annotation) or (default is not msgspec.NODEFAULT and not _is_stable_default(default)):
                needs_hook = True
        own_hook = namespace.get("__post_init__")
        if needs_hook:
            namespace["__post_init__"] = _chain(own_hook) if own_hook is not None else _canonicalize
        cls = super().__new__(mcls, name, bases, namespace, **kwargs)
        _check_fields(cls)  # type: ignore[arg-type]  # the metaclass makes Struct classes
        return cls


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(msgspec.field,))
class StructBaseStrict(
    msgspec.Struct,
    metaclass=_ContractMeta,
    frozen=True,
    omit_defaults=True,
    repr_omit_defaults=True,
    forbid_unknown_fields=True,
):
    """Base of configuration and command inputs: unknown fields are an error."""


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(msgspec.field,))
class StructBaseCompat(
    msgspec.Struct,
    metaclass=_ContractMeta,
    frozen=True,
    omit_defaults=True,
    repr_omit_defaults=True,
    forbid_unknown_fields=False,
):
    """Base of everything persisted: unknown fields are skipped, so old readers cope."""


CONTRACT_BASES.extend((StructBaseStrict, StructBaseCompat))


def compat_snapshot(strict_type: type[StructBaseStrict], name: str, doc: str) -> type[StructBaseCompat]:
    """Derive the persisted (Compat) twin of a Strict input type.

    An artifact that records the policy it ran under stores this snapshot, never the
    Strict type itself: when a later release adds a field to the input, artifacts
    written by that release must stay readable by today's readers.

    Args:
        strict_type: The input type whose fields the snapshot copies.
        name: The snapshot class name.
        doc: Its docstring (the schema's description).

    Returns:
        A new ``StructBaseCompat`` subclass with the same fields, types and defaults.
    """
    hints = typing.get_type_hints(strict_type, include_extras=True)
    fields = strict_type.__struct_fields__
    defaults = strict_type.__struct_defaults__
    namespace: dict[str, Any] = {
        "__module__": strict_type.__module__,
        "__qualname__": name,
        "__doc__": doc,
        "__annotations__": {field: hints[field] for field in fields},
    }
    for field, default in zip(fields[len(fields) - len(defaults) :], defaults):
        if isinstance(default, _FACTORY):
            namespace[field] = msgspec.field(default_factory=default.factory)
        else:
            namespace[field] = default
    return _ContractMeta(name, (StructBaseCompat,), namespace)  # type: ignore[return-value]
