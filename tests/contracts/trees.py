"""Edit a value's wire form at every Struct it holds: inject unknown fields, spell out defaults.

A value's *tree* is its encoding decoded without a target type (``loads_json(data)`` or
``loads_msgpack(data)``): plain maps and arrays, with the wire's own scalars (MessagePack
keeps bytes, ext payloads and timestamps). :func:`struct_sites` pairs each Struct inside a
value with its location in the tree, so a test can edit exactly that object's encoding.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any, Literal

import msgspec

from artifact_contracts import dumps_json, dumps_msgpack, loads_json, loads_msgpack

__all__ = [
    "UNKNOWN_FIELD",
    "Site",
    "inject_unknown",
    "jsonpath",
    "spell_out_defaults",
    "struct_sites",
    "tree_of",
]

Format = Literal["json", "msgpack"]
Site = tuple[tuple[Any, ...], msgspec.Struct]
UNKNOWN_FIELD = "x_unknown"
_UNKNOWN_VALUE = {"nested": [1, "é", None, {"deeper": True}]}


def tree_of(value: Any, fmt: Format) -> Any:
    """Return ``value`` encoded in ``fmt`` and decoded without a target type."""
    if fmt == "json":
        return loads_json(dumps_json(value))
    return loads_msgpack(dumps_msgpack(value))


def encode_tree(tree: Any, fmt: Format) -> bytes:
    """Encode an (edited) tree back into ``fmt``."""
    return dumps_json(tree) if fmt == "json" else dumps_msgpack(tree)


def _struct_fields(value: msgspec.Struct) -> Iterator[tuple[str, Any]]:
    """Yield (python name, tree key) for each field; array-like keys are positions."""
    cls = type(value)
    config = cls.__struct_config__
    offset = 1 if config.array_like and config.tag_field is not None else 0
    for position, (name, encoded) in enumerate(zip(cls.__struct_fields__, cls.__struct_encode_fields__)):
        yield name, position + offset if config.array_like else encoded


def struct_sites(value: Any, tree: Any, path: tuple[Any, ...] = ()) -> Iterator[Site]:
    """Yield ``(path, struct)`` for every Struct in ``value``; ``path`` indexes ``tree``."""
    if isinstance(value, msgspec.Struct):
        yield path, value
        for name, key in _struct_fields(value):
            if (isinstance(tree, dict) and key in tree) or (isinstance(tree, list) and key < len(tree)):
                yield from struct_sites(getattr(value, name), tree[key], (*path, key))
    elif isinstance(value, (list, tuple)) and isinstance(tree, list):
        for index, (item, sub) in enumerate(zip(value, tree)):
            yield from struct_sites(item, sub, (*path, index))
    elif isinstance(value, (set, frozenset)) and isinstance(tree, list):
        try:
            ordered = sorted(value)  # the encoder's order
        except TypeError:
            return
        for index, (item, sub) in enumerate(zip(ordered, tree)):
            yield from struct_sites(item, sub, (*path, index))
    elif isinstance(value, dict) and isinstance(tree, dict):
        for key, item in value.items():
            if isinstance(key, str) and key in tree:
                yield from struct_sites(item, tree[key], (*path, key))


def jsonpath(path: tuple[Any, ...]) -> str:
    """Spell a tree path the way :class:`~artifact_contracts.ValidationIssue` does."""
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _at(tree: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        tree = tree[key]
    return tree


def inject_unknown(tree: Any, path: tuple[Any, ...]) -> Any:
    """Return a copy of ``tree`` with an unknown field (or trailing item) at ``path``."""
    edited = copy.deepcopy(tree)
    target = _at(edited, path)
    if isinstance(target, dict):
        target[UNKNOWN_FIELD] = copy.deepcopy(_UNKNOWN_VALUE)
    else:
        target.append(copy.deepcopy(_UNKNOWN_VALUE))
    return edited


def _default_of(field: msgspec.structs.FieldInfo) -> Any:
    if field.default_factory is not msgspec.NODEFAULT:
        return field.default_factory()
    return field.default


def spell_out_defaults(value: Any, fmt: Format) -> tuple[Any, int]:
    """Return ``value``'s tree with every omitted default written out, and how many were.

    Only object-shaped Structs omit defaults (array-like ones write every field), and
    ``UNSET`` fields have no value to write.
    """
    tree = tree_of(value, fmt)
    spelled = 0
    for path, struct in list(struct_sites(value, tree)):
        if struct.__struct_config__.array_like:
            continue
        target = _at(tree, path)
        for field in msgspec.structs.fields(struct):
            if field.required or field.encode_name in target:
                continue
            default = _default_of(field)
            if default is msgspec.UNSET or default is msgspec.NODEFAULT:
                continue
            target[field.encode_name] = tree_of(default, fmt)
            spelled += 1
    return tree, spelled
