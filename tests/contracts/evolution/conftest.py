"""The schema exporter the evolution tests use for their own throwaway types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from artifact_contracts import dumps_json, loads_json
from artifact_contracts.ext import ExtPayload


def _hook(cls: type) -> dict[str, Any]:
    if isinstance(cls, type) and issubclass(cls, ExtPayload):
        return {
            "type": "string",
            "contentEncoding": "base64",
            "contentMediaType": cls.media_type,
            "x-msgpack-ext-code": int(cls.ext_code),
        }
    raise NotImplementedError


def _export(*types: type) -> dict[str, Any]:
    """Export ``types`` with the registry's annotations (base, array_like fields, tag)."""
    _, components = msgspec.json.schema_components(types, schema_hook=_hook, ref_template="#/$defs/{name}")
    by_name = {t.__name__: t for t in types}
    for name, component in components.items():
        cls = by_name.get(name)
        if cls is None or not issubclass(cls, msgspec.Struct):
            continue
        config = cls.__struct_config__
        component["x-contract-base"] = "strict" if config.forbid_unknown_fields else "compat"
        if config.array_like:
            component["x-array-like"] = True
            component["x-fields"] = list(cls.__struct_encode_fields__)
        if config.tag_field is not None:
            component["x-tag-field"] = config.tag_field
            component["x-tag"] = config.tag
    return {"x-contract-version": "1.0.0", "$defs": loads_json(dumps_json(components))}


@pytest.fixture
def export() -> Callable[..., dict[str, Any]]:
    """Return a function exporting types the way the registry exports the real ones."""
    return _export
