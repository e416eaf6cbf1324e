"""A downstream consumer, type-checked (mypy --strict) against the built wheel before publishing.

It uses the public API the way a service reading engine artifacts would; if the wheel lost
its ``py.typed`` marker or a signature regressed to ``Any``, mypy --strict fails here.
"""

from __future__ import annotations

from artifact_contracts import ContractError, dumps_msgpack, fingerprint, loads_json, loads_msgpack
from artifact_contracts.models import ScanTelemetry
from artifact_contracts.registry import CONTRACT_TYPES, contract_type


def rows_scanned(payload: bytes) -> int:
    """Decode one scan telemetry record and return its row count."""
    telemetry: ScanTelemetry = loads_json(payload, ScanTelemetry)
    return telemetry.count_rows


def reencode(payload: bytes) -> tuple[bytes, str]:
    """Round-trip a telemetry record through MessagePack and fingerprint it."""
    try:
        value = loads_json(payload, ScanTelemetry)
    except ContractError as exc:
        raise ValueError(f"bad telemetry: {exc.issues[0].path}") from exc
    packed = dumps_msgpack(value)
    again: ScanTelemetry = loads_msgpack(packed, ScanTelemetry)
    return packed, fingerprint(again)


def type_names() -> list[str]:
    """Return the registered contract type names."""
    return [contract_type(t.__name__).__name__ for t in CONTRACT_TYPES]
