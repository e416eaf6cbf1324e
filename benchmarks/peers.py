"""The peers: the same contracts as pydantic v2 models, and as dataclasses for orjson.

Both mirror :class:`PlanArtifacts` (and what it nests) and :class:`DeltaWritePolicy`
field for field, with the same constraints: fingerprint and name patterns, text length
limits, non-negative counts, the Literal choices, the policy's cross-field rule, unknown
fields skipped (persisted artifacts) or refused (the policy), no lax coercion, and bytes
as standard base64 in JSON.

- pydantic: ``model_dump_json()`` and ``model_validate_json()`` with
  ``strict=True`` (msgspec's decoders are strict too). Without ``exclude_defaults`` (its
  fast path), so it also writes default-valued fields that msgspec omits.
- orjson: frozen slotted dataclasses; ``orjson.dumps`` (a ``default`` hook turns bytes
  into base64) and ``orjson.loads`` followed by hand-written validation, which is what a
  project gets without a schema library.

:func:`check_equivalence` proves on every run that each peer reads what the codec writes
and writes what the codec reads back into an equal value.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from artifact_contracts import dumps_json, loads_json
from artifact_contracts.models import DeltaWritePolicy, PlanArtifacts
from benchmarks.peer_orjson import OrjsonCodec
from benchmarks.peer_pydantic import PydanticPlanArtifacts, PydanticWritePolicy

__all__ = ["OrjsonCodec", "PydanticPlanArtifacts", "PydanticWritePolicy", "check_equivalence"]


def _pydantic_type(value: Any) -> type[BaseModel]:
    return PydanticPlanArtifacts if isinstance(value, PlanArtifacts) else PydanticWritePolicy


def check_equivalence(value: PlanArtifacts | DeltaWritePolicy) -> dict[str, int]:
    """Check both peers against the codec on ``value``; return each one's JSON size.

    Each peer must decode the codec's JSON, and its own JSON must decode (through the
    codec) into a value equal to ``value``.

    Raises:
        AssertionError: A peer is not equivalent.
    """
    ours = dumps_json(value)
    model = _pydantic_type(value).model_validate_json(ours)
    theirs = model.model_dump_json().encode()
    if loads_json(theirs, type(value)) != value:
        raise AssertionError(f"pydantic's {type(value).__name__} does not round-trip through the codec")
    twin = OrjsonCodec.to_dataclass(value)
    orjson_bytes = OrjsonCodec.dumps(twin)
    if loads_json(orjson_bytes, type(value)) != value:
        raise AssertionError(f"the dataclass {type(value).__name__} does not round-trip through the codec")
    return {"msgspec": len(ours), "pydantic": len(theirs), "orjson": len(orjson_bytes)}
