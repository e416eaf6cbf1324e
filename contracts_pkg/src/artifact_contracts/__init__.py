"""artifact-contracts: the versioned contracts of a DataFusion + Delta Lake engine.

Every artifact shape is a msgspec Struct built on :class:`StructBaseStrict` (inputs) or
:class:`StructBaseCompat` (persisted artifacts); one deterministic codec writes JSON and
MessagePack; :func:`fingerprint` hashes the canonical form.
"""

from artifact_contracts._version import __version__
from artifact_contracts.base import StructBaseCompat, StructBaseStrict
from artifact_contracts.codec import (
    convert,
    dumps_json,
    dumps_msgpack,
    encode_json_into,
    encode_msgpack_into,
    loads_json,
    loads_msgpack,
    to_builtins,
)
from artifact_contracts.errors import (
    ContractDecodeError,
    ContractError,
    ContractValidationError,
    ValidationIssue,
)
from artifact_contracts.ext import (
    DF_PROTO_EXT_CODE,
    SUBSTRAIT_EXT_CODE,
    DataFusionProtoBytes,
    ExtCode,
    ExtPayload,
    SubstraitBytes,
)
from artifact_contracts.hashing import canonical_bytes, fingerprint
from artifact_contracts.limits import DecodeLimits, get_decode_limits, set_decode_limits

__all__ = [
    "ContractDecodeError",
    "ContractError",
    "ContractValidationError",
    "DF_PROTO_EXT_CODE",
    "DataFusionProtoBytes",
    "DecodeLimits",
    "ExtCode",
    "ExtPayload",
    "SUBSTRAIT_EXT_CODE",
    "StructBaseCompat",
    "StructBaseStrict",
    "SubstraitBytes",
    "ValidationIssue",
    "__version__",
    "canonical_bytes",
    "convert",
    "dumps_json",
    "dumps_msgpack",
    "encode_json_into",
    "encode_msgpack_into",
    "fingerprint",
    "get_decode_limits",
    "loads_json",
    "loads_msgpack",
    "set_decode_limits",
    "to_builtins",
]
