"""artifact-contracts: the versioned contracts of a DataFusion + Delta Lake engine.

Every artifact shape is a msgspec Struct built on :class:`StructBaseStrict` (inputs) or
:class:`StructBaseCompat` (persisted artifacts); one deterministic codec writes JSON and
MessagePack; :func:`fingerprint` hashes the canonical form. This package re-exports the
names most callers need; each concept lives in one module:

- :mod:`~artifact_contracts.base`: the two Struct bases and their canonical defaults;
- :mod:`~artifact_contracts.codec`: the only encoders and decoders (JSON, MessagePack, TOML);
- :mod:`~artifact_contracts.limits`: :class:`DecodeLimits`, the size and depth bounds;
- :mod:`~artifact_contracts.errors`: the :class:`ContractError` tree and :class:`ValidationIssue`;
- :mod:`~artifact_contracts.ext`: MessagePack ext codes and the binary payload types;
- :mod:`~artifact_contracts.hashing`: canonical bytes and fingerprints;
- :mod:`~artifact_contracts.models`: the canonical Structs, one module per domain, and
  :mod:`~artifact_contracts.models.types`, the constrained scalars they share;
- :mod:`~artifact_contracts.registry`: :data:`CONTRACT_TYPES`, :func:`json_schema`,
  :func:`openapi`, :func:`contract_hash`; :mod:`~artifact_contracts.export` writes and
  checks the exported files;
- :mod:`~artifact_contracts.evolution`: the compatibility gate (schema diff, rules, bump);
- :mod:`~artifact_contracts.testing`: Hypothesis strategies for any contract type;
- :mod:`~artifact_contracts.cli`: the ``artifact-contracts`` command.
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
    loads_json_batch,
    loads_msgpack,
    loads_msgpack_batch,
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
    "loads_json_batch",
    "loads_msgpack",
    "loads_msgpack_batch",
    "loads_toml",
    "openapi",
    "set_decode_limits",
    "to_builtins",
]
