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

:func:`contract_hash` is the fingerprint of the ``$defs`` alone, so a release that
changes no contract keeps its hash.

A payload the schema accepts, the decoder accepts, with one gap JSON Schema cannot close:
it counts ``1.0`` as an integer, while the decoders want integers spelled as integers.
"""

from __future__ import annotations

import copy
import functools
import inspect
from typing import Any, Final

import msgspec

from artifact_contracts import models
from artifact_contracts._version import __version__
from artifact_contracts.base import StructBaseCompat, StructBaseStrict
from artifact_contracts.errors import ValidationIssue
from artifact_contracts.ext import ExtPayload
from artifact_contracts.hashing import fingerprint
from artifact_contracts.models import Artifact, ArtifactEnvelope

__all__ = [
    "CONTRACT_TYPES",
    "JSON_SCHEMA_DIALECT",
    "contract_hash",
    "contract_type",
    "envelope",
    "json_schema",
    "openapi",
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
            "JSON: standard base64.",
            "x-msgpack-ext-code": int(cls.ext_code),
        }
    raise NotImplementedError


def _base_of(cls: type[msgspec.Struct]) -> str:
    if issubclass(cls, StructBaseStrict):
        return "strict"
    if issubclass(cls, StructBaseCompat):
        return "compat"
    raise TypeError(f"{cls.__name__} derives from neither StructBaseStrict nor StructBaseCompat")


def _annotate(name: str, component: dict[str, Any]) -> dict[str, Any]:
    cls = _BY_NAME.get(name)
    if cls is None:
        return component
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
        component["x-tag-field"] = config.tag_field
        component["x-tag"] = config.tag
        tag_schema = component.get("properties", {}).get(config.tag_field)
        if tag_schema is not None:
            tag_schema["description"] = (
                f"The kind tag; always `{config.tag}` for this type. Written on every encode; "
                "required where a union of kinds is decoded, optional when this type is decoded on its own."
            )
        # msgspec decodes a tagged Struct on its own without its tag (only a union needs
        # it), so the component leaves the tag optional and each union requires it.
        if config.tag_field in component.get("required", ()):
            component["required"] = [f for f in component["required"] if f != config.tag_field]
    _require_tags_in_unions(component)
    return component


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


@functools.lru_cache(maxsize=2)
def _components(ref_template: str) -> dict[str, Any]:
    _, components = msgspec.json.schema_components(CONTRACT_TYPES, schema_hook=_schema_hook, ref_template=ref_template)
    unexpected = set(components) - set(_BY_NAME)
    if unexpected:  # pragma: no cover - a nested Struct missing from CONTRACT_TYPES
        raise RuntimeError(f"types used by contracts but not registered: {sorted(unexpected)}")
    # Round-trip through the codec: sorted keys, lists for tuples, plain JSON values.
    from artifact_contracts.codec import dumps_json, loads_json

    plain: dict[str, Any] = loads_json(dumps_json({n: _annotate(n, c) for n, c in components.items()}))
    return plain


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema 2020-12 document of every contract type (a fresh copy)."""
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:artifact-contracts:{__version__}",
        "title": "artifact-contracts",
        "description": "Every contract type of artifact-contracts, under $defs by class name.",
        "x-contract-version": __version__,
        "$defs": copy.deepcopy(_components("#/$defs/{name}")),
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
