"""Checks other tests share: what every store file must hold, read with pyarrow directly."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from engine_app.lake import Location
from engine_app.stores import StoreSpec


def assert_declared_schema(location: Location, spec: StoreSpec[Any]) -> int:
    """Every live data file of a store holds exactly the declared schema; returns the file count."""
    uris = location.open().file_uris()
    for uri in uris:
        schema = pq.read_schema(uri)
        assert not any(pa.types.is_string_view(f.type) or pa.types.is_binary_view(f.type) for f in schema), uri
        assert schema.remove_metadata() == spec.schema, (uri, schema)
    return len(uris)
