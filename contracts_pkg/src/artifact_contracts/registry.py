"""The contract type registry and its exports: JSON Schema 2020-12, OpenAPI 3.1, contract hash.

:data:`CONTRACT_TYPES` lists every public contract type. From it, :func:`json_schema`
builds one JSON Schema document whose ``$defs`` hold a component per type, named by the
class name, and :func:`openapi` an OpenAPI 3.1 document with the same components under
``components/schemas``. Both are plain JSON data, deterministic byte for byte.

msgspec's generated components are annotated with the facts a compatibility checker needs
and JSON Schema cannot say:

- ``x-contract-base``: ``"strict"`` (unknown fields rejected) or ``"compat"`` (skipped);
- ``x-array-like`` and ``x-fields`` (field names in wire order) for array-like Structs;
- ``x-tag-field`` and ``x-tag`` for tagged Structs;
- whatever a type declares in its ``__json_schema_extra__`` ClassVar: cross-field rules
  its ``__post_init__`` enforces, so the schema accepts exactly what the decoder accepts;
- on binary payload fields, ``contentEncoding: base64``, ``contentMediaType`` and
  ``x-msgpack-ext-code`` (the MessagePack ext code they travel under).

Beside ``$defs``, the JSON Schema document carries ``x-python``: the Python surface of
every Struct, which no schema keyword says (attribute names behind encoded names, Python
types JSON spells alike, such as ``tuple`` and ``list``, and the types of defaults). The
compatibility gate compares it; it is not part of the wire contract, so it stays out of
the contract hash.

:func:`contract_hash` is the fingerprint of the ``$defs`` alone, so a release that
changes no contract keeps its hash.

A payload the schema accepts, the decoder accepts, and the other way round, where JSON
Schema can say it: string constraints, enums, cross-field rules, and patterns for what
``format`` and ``contentEncoding`` only annotate (canonical base64 for the payload types,
base64 for ``bytes``, RFC 3339 for aware timestamps). The remaining gaps, each pinned by
a test in ``tests/contracts/test_registry.py`` (``SCHEMA_GAPS``):

- JSON Schema counts ``1.0`` as an integer; the decoders want integers spelled as integers.
- A pattern cannot check the calendar: ``2026-02-30T00:00:00Z`` matches, the decoder
  refuses it (a validator that asserts ``format: date-time`` refuses it too; 2020-12
  only annotates ``format`` by default).
- A JSON string may hold a lone surrogate (an escaped ``D800``); JSON Schema has no way to refuse
  it, the decoder does (it is not valid UTF-8).
- MessagePack-only facts (ext codes, timestamp ext values, ``bin``) are outside JSON
  Schema; ``x-msgpack-ext-code`` says them for tools that read it.
"""

from __future__ import annotations

import copy
import functools
import inspect
from typing import Any, Final

import msgspec
from msgspec import inspect as mi

from artifact_contracts import models
from artifact_contracts._version import __version__
from artifact_contracts.base import StructBaseCompat, StructBaseStrict
from artifact_contracts.errors import ValidationIssue
from artifact_contracts.ext import ExtPayload
from artifact_contracts.hashing import fingerprint
from artifact_contracts.models import Artifact, ArtifactEnvelope

__all__ = [
    "BASE64",
    "CANONICAL_BASE64",
    "CONTRACT_TYPES",
    "JSON_SCHEMA_DIALECT",
    "RFC3339_AWARE",
    "contract_hash",
    "contract_type",
    "envelope",
    "json_schema",
    "openapi",
    "python_surface",
    "schema_document",
]

JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

CONTRACT_TYPES: Final[tuple[type[msgspec.Struct], ...]] = tuple(
    sorted(
        (
            ValidationIssue,
            *(
                value
                for value in (getattr(models, name) for name in models.__all__)
                if isinstance(value, type) and issubclass(value, msgspec.Struct)
            ),
        ),
        key=lambda cls: cls.__name__,
    )
)
"""Every public contract type, sorted by name."""

_BY_NAME: Final = {cls.__name__: cls for cls in CONTRACT_TYPES}
if len(_BY_NAME) != len(CONTRACT_TYPES):  # pragma: no cover - schema names must be unique
    raise RuntimeError("two contract types share a name")


def contract_type(name: str) -> type[msgspec.Struct]:
    """Return the registered type called ``name``.

    Raises:
        KeyError: No registered type has that name.
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no contract type named {name!r}") from None


def _schema_hook(cls: type) -> dict[str, Any]:
    if isinstance(cls, type) and issubclass(cls, ExtPayload):
        return {
            "type": "string",
            "contentEncoding": "base64",
            "contentMediaType": cls.media_type,
            "description": f"{(cls.__doc__ or '').strip()} MessagePack: ext code {int(cls.ext_code)}; "
            "JSON: standard base64, canonical spelling.",
            "pattern": CANONICAL_BASE64,
            "x-msgpack-ext-code": int(cls.ext_code),
        }
    raise NotImplementedError


# What the decoders accept, as patterns, where the schema would otherwise say less.
CANONICAL_BASE64: Final = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$"
"""Standard padded base64 whose unused bits are zero: the one spelling the payload types take."""
BASE64: Final = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
"""Standard padded base64, as msgspec decodes a ``bytes`` field (re-encoded canonically)."""
RFC3339_AWARE: Final = (
    r"^(?!0000)[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])[Tt ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(?:\.[0-9]+)?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])$"
)
"""An aware RFC 3339 timestamp as msgspec parses one (``format: date-time`` alone asserts nothing)."""


def _tighten(node: Any) -> None:
    """Add the patterns above to every base64 and date-time string in a component."""
    if isinstance(node, dict):
        if node.get("contentEncoding") == "base64" and "pattern" not in node:
            node["pattern"] = BASE64
        if node.get("format") == "date-time" and "pattern" not in node:
            node["pattern"] = RFC3339_AWARE
        for value in node.values():
            _tighten(value)
    elif isinstance(node, list):
        for value in node:
            _tighten(value)


def _base_of(cls: type[msgspec.Struct]) -> str:
    if issubclass(cls, StructBaseStrict):
        return "strict"
    if issubclass(cls, StructBaseCompat):
        return "compat"
    raise TypeError(f"{cls.__name__} derives from neither StructBaseStrict nor StructBaseCompat")


def _annotate(cls: type[msgspec.Struct], component: dict[str, Any]) -> dict[str, Any]:
    config = cls.__struct_config__
    if "description" in component:
        # Python 3.13 dedents docstrings when compiling, earlier versions do not: without
        # this, the exported schema (and the contract hash) would depend on the Python.
        component["description"] = inspect.cleandoc(component["description"])
    component["x-contract-base"] = _base_of(cls)
    if config.array_like:
        component["x-array-like"] = True
        component["x-fields"] = list(cls.__struct_encode_fields__)
    component.update(copy.deepcopy(getattr(cls, "__json_schema_extra__", {})))
    if config.tag_field is not None:
        _annotate_tag(component, config.tag_field, config.tag)
    _require_tags_in_unions(component)
    return component


def _annotate_tag(component: dict[str, Any], tag_field: str, tag: object) -> None:
    component["x-tag-field"] = tag_field
    component["x-tag"] = tag
    tag_schema = component.get("properties", {}).get(tag_field)
    if tag_schema is not None:
        tag_schema["description"] = (
            f"The kind tag; always `{tag}` for this type. Written on every encode; "
            "required where a union of kinds is decoded, optional when this type is decoded on its own."
        )
    # msgspec decodes a tagged Struct on its own without its tag (only a union needs
    # it), so the component leaves the tag optional and each union requires it.
    if tag_field in component.get("required", ()):
        component["required"] = [f for f in component["required"] if f != tag_field]


def _require_tags_in_unions(node: Any) -> None:
    """Make every branch of a tagged union require the tag, as the decoder does."""
    if isinstance(node, dict):
        discriminator = node.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(node.get("anyOf"), list):
            for branch in node["anyOf"]:
                if isinstance(branch, dict) and "$ref" in branch:
                    branch["required"] = [discriminator["propertyName"]]
        for value in node.values():
            _require_tags_in_unions(value)
    elif isinstance(node, list):
        for value in node:
            _require_tags_in_unions(value)


def _render_components(types: tuple[type[msgspec.Struct], ...], ref_template: str) -> dict[str, Any]:
    _, components = msgspec.json.schema_components(types, schema_hook=_schema_hook, ref_template=ref_template)
    structs = {cls.__name__: cls for cls in _struct_closure(types)}
    annotated = {n: _annotate(structs[n], c) if n in structs else c for n, c in components.items()}
    _tighten(annotated)
    # Round-trip through the codec: sorted keys, lists for tuples, plain JSON values.
    from artifact_contracts.codec import dumps_json, loads_json

    plain: dict[str, Any] = loads_json(dumps_json(annotated))
    return plain


@functools.lru_cache(maxsize=2)
def _components(ref_template: str) -> dict[str, Any]:
    components = _render_components(CONTRACT_TYPES, ref_template)
    unexpected = {n for n, c in components.items() if "x-contract-base" in c} - set(_BY_NAME)
    if unexpected:  # pragma: no cover - a nested Struct missing from CONTRACT_TYPES
        raise RuntimeError(f"types used by contracts but not registered: {sorted(unexpected)}")
    return components


def _struct_closure(types: tuple[type[msgspec.Struct], ...]) -> list[type[msgspec.Struct]]:
    """``types`` and every Struct type their fields reach, each once."""
    found: dict[type, None] = {}

    def walk(node: Any) -> None:
        if isinstance(node, mi.StructType):
            if node.cls in found:
                return
            found[node.cls] = None
            for field in node.fields:
                walk(field.type)
            return
        for child in _children(node):
            walk(child)

    for cls in types:
        walk(mi.type_info(cls))
    return list(found)


def _children(node: Any) -> tuple[Any, ...]:
    if isinstance(node, mi.Metadata):
        return (node.type,)
    if isinstance(node, mi.DictType):
        return (node.key_type, node.value_type)
    if isinstance(node, mi.UnionType):
        return tuple(node.types)
    if isinstance(node, mi.TupleType):
        return tuple(node.item_types)
    item = getattr(node, "item_type", None)
    return () if item is None else (item,)


def _python_type(node: Any) -> str:
    """Spell a field's Python type without its constraints, e.g. ``tuple[str, ...] | None``."""
    if isinstance(node, mi.Metadata):
        return _python_type(node.type)
    if isinstance(node, mi.UnionType):
        return " | ".join(sorted(_python_type(t) for t in node.types))
    if isinstance(node, mi.LiteralType):
        return f"Literal[{', '.join(sorted(repr(v) for v in node.values))}]"
    if isinstance(node, mi.VarTupleType):
        return f"tuple[{_python_type(node.item_type)}, ...]"
    if isinstance(node, mi.TupleType):
        return f"tuple[{', '.join(_python_type(t) for t in node.item_types)}]"
    if isinstance(node, mi.DictType):
        return f"dict[{_python_type(node.key_type)}, {_python_type(node.value_type)}]"
    if isinstance(node, (mi.ListType, mi.SetType, mi.FrozenSetType)):
        return f"{_CONTAINERS[type(node)]}[{_python_type(node.item_type)}]"
    cls = getattr(node, "cls", None)
    if isinstance(cls, type):
        return cls.__name__
    return _SCALARS.get(type(node), type(node).__name__)


_CONTAINERS: Final[dict[type, str]] = {mi.ListType: "list", mi.SetType: "set", mi.FrozenSetType: "frozenset"}
_SCALARS: Final[dict[type, str]] = {
    mi.AnyType: "Any",
    mi.BoolType: "bool",
    mi.ByteArrayType: "bytearray",
    mi.BytesType: "bytes",
    mi.DateTimeType: "datetime",
    mi.DateType: "date",
    mi.DecimalType: "Decimal",
    mi.ExtType: "Ext",
    mi.FloatType: "float",
    mi.IntType: "int",
    mi.MemoryViewType: "memoryview",
    mi.NoneType: "None",
    mi.RawType: "Raw",
    mi.StrType: "str",
    mi.TimeDeltaType: "timedelta",
    mi.TimeType: "time",
    mi.UUIDType: "UUID",
}


def _default_type(field: mi.Field) -> str | None:
    """The type of a field's default as callers get it; ``None`` for a required field."""
    if field.default is None:
        return "None"
    if field.default is not msgspec.NODEFAULT:
        return type(field.default).__name__
    if field.default_factory is not msgspec.NODEFAULT:
        factory = field.default_factory
        # Builtin collection factories only: calling user code at export time could do anything.
        return factory.__name__ if factory in _BUILTIN_FACTORIES else f"factory:{factory.__qualname__}"
    return None


_BUILTIN_FACTORIES: Final = (list, dict, set, frozenset, tuple, bytearray)


def python_surface(types: tuple[type[msgspec.Struct], ...]) -> dict[str, dict[str, dict[str, str]]]:
    """Describe the Python surface of ``types`` and every Struct they reach.

    Returns:
        Type name -> encoded field name -> ``attribute`` (the Python name), ``type`` (the
        Python type without constraints) and, for optional fields, ``default`` (the type
        name of the default value).

    Examples:
        >>> from artifact_contracts.models import CdfCursor
        >>> python_surface((CdfCursor,))["CdfCursor"]["consumer"]
        {'attribute': 'consumer', 'type': 'str'}
    """
    surface: dict[str, dict[str, dict[str, str]]] = {}
    for cls in _struct_closure(types):
        fields: dict[str, dict[str, str]] = {}
        info = mi.type_info(cls)
        assert isinstance(info, mi.StructType)  # a Struct class always gives a StructType
        for field in info.fields:
            entry = {"attribute": field.name, "type": _python_type(field.type)}
            default = _default_type(field)
            if default is not None:
                entry["default"] = default
            fields[field.encode_name] = entry
        surface[cls.__name__] = fields
    return surface


def schema_document(types: tuple[type[msgspec.Struct], ...]) -> dict[str, Any]:
    """Export any Struct types (built on the two bases) the way the registry exports its own.

    The document has ``$defs`` (annotated as the module docstring says) and ``x-python``,
    so :func:`artifact_contracts.evolution.compare` can compare two versions of your own
    types.

    Examples:
        >>> from artifact_contracts.models import CdfCursor
        >>> doc = schema_document((CdfCursor,))
        >>> doc["$defs"]["CdfCursor"]["x-contract-base"], sorted(doc["x-python"])
        ('compat', ['CdfCursor'])
    """
    return {"$defs": _render_components(types, "#/$defs/{name}"), "x-python": python_surface(types)}


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema 2020-12 document of every contract type (a fresh copy)."""
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:artifact-contracts:{__version__}",
        "title": "artifact-contracts",
        "description": "Every contract type of artifact-contracts, under $defs by class name.",
        "x-contract-version": __version__,
        "$defs": copy.deepcopy(_components("#/$defs/{name}")),
        "x-python": _python_surface(),
    }


def openapi() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document with every contract type under ``components/schemas``."""
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": JSON_SCHEMA_DIALECT,
        "info": {
            "title": "artifact-contracts",
            "version": __version__,
            "description": "The contract types of artifact-contracts. No operations: schemas only.",
        },
        "paths": {},
        "components": {"schemas": copy.deepcopy(_components("#/components/schemas/{name}"))},
    }


def _python_surface() -> dict[str, dict[str, dict[str, str]]]:
    return copy.deepcopy(_cached_python_surface())


@functools.lru_cache(maxsize=1)
def _cached_python_surface() -> dict[str, dict[str, dict[str, str]]]:
    return python_surface(CONTRACT_TYPES)


@functools.lru_cache(maxsize=1)
def contract_hash() -> str:
    """Return the fingerprint of the exported contract definitions (``$defs`` only)."""
    return fingerprint(_components("#/$defs/{name}"))


def envelope(artifact: Artifact) -> ArtifactEnvelope:
    """Wrap an artifact of any kind, stamped with this release's version and contract hash.

    Examples:
        >>> from artifact_contracts.models import CdfCursor
        >>> wrapped = envelope(CdfCursor(consumer="c", table_uri="t"))
        >>> wrapped.contract_hash == contract_hash()
        True
    """
    return ArtifactEnvelope(contract_version=__version__, contract_hash=contract_hash(), artifact=artifact)
