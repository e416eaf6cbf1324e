"""artifact-contracts: the versioned contracts of a DataFusion + Delta Lake engine.

Every artifact shape is a msgspec Struct built on :class:`StructBaseStrict` (inputs) or
:class:`StructBaseCompat` (persisted artifacts); one deterministic codec writes JSON and
MessagePack; :func:`fingerprint` hashes the canonical form. The canonical Structs live in
:mod:`artifact_contracts.models`; :data:`CONTRACT_TYPES` lists them all, and
:func:`json_schema` / :func:`openapi` export their schemas (:mod:`artifact_contracts.registry`).
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
    loads_toml,
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
from artifact_contracts.registry import CONTRACT_TYPES, contract_hash, contract_type, json_schema, openapi

__all__ = [
    "CONTRACT_TYPES",
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
    "contract_hash",
    "contract_type",
    "convert",
    "dumps_json",
    "dumps_msgpack",
    "encode_json_into",
    "encode_msgpack_into",
    "fingerprint",
    "get_decode_limits",
    "json_schema",
    "loads_json",
    "loads_msgpack",
    "loads_toml",
    "openapi",
    "set_decode_limits",
    "to_builtins",
]
