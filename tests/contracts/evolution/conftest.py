"""The schema exporter the evolution tests use for their own throwaway types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from artifact_contracts.registry import schema_document


def _export(*types: type[msgspec.Struct]) -> dict[str, Any]:
    """Export ``types`` exactly as the registry exports the real ones, as release 1.0.0."""
    return {"x-contract-version": "1.0.0", **schema_document(types)}


@pytest.fixture
def export() -> Callable[..., dict[str, Any]]:
    """Return a function exporting types the way the registry exports the real ones."""
    return _export
