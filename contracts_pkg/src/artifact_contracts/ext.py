"""MessagePack ext codes and the binary payload types they carry.

Binary plan payloads travel as MessagePack ``ext`` values, never as base64 inside
MessagePack. In JSON they are standard base64 strings. Every code is a member of
:class:`ExtCode`, an ``@enum.unique`` ``IntEnum``, and each payload type names its member,
so two types can never share a code and a code can never be reused for another meaning.
Codes are in ``0..127``: negative codes are reserved by the MessagePack spec.
"""

from __future__ import annotations

import enum
from typing import ClassVar, Final

__all__ = [
    "DF_PROTO_EXT_CODE",
    "DataFusionProtoBytes",
    "EXT_TYPES",
    "ExtCode",
    "ExtPayload",
    "SUBSTRAIT_EXT_CODE",
    "SubstraitBytes",
]


@enum.unique
class ExtCode(enum.IntEnum):
    """The registry of MessagePack ext codes. Never renumber or reuse a member."""

    SUBSTRAIT = 10
    DATAFUSION_PROTO = 11


SUBSTRAIT_EXT_CODE: Final = int(ExtCode.SUBSTRAIT)
DF_PROTO_EXT_CODE: Final = int(ExtCode.DATAFUSION_PROTO)


class ExtPayload:
    """Immutable bytes tagged with the MessagePack ext code they travel under.

    Subclasses set ``ext_code`` (an :class:`ExtCode` member) and ``media_type``.
    Instances are hashable and equal when both type and bytes are equal.

    Args:
        data: The payload; any bytes-like object, copied into ``bytes``.
    """

    __slots__ = ("_data",)
    ext_code: ClassVar[ExtCode]
    media_type: ClassVar[str]
    _data: bytes

    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"{type(self).__name__} needs bytes, not {type(data).__name__}")
        object.__setattr__(self, "_data", bytes(data))

    @property
    def data(self) -> bytes:
        """The payload bytes."""
        return self._data

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._data == other._data

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._data))

    def __len__(self) -> int:
        return len(self._data)

    def __bytes__(self) -> bytes:
        return self._data

    def __repr__(self) -> str:
        preview = self._data[:16].hex()
        more = "..." if len(self._data) > 16 else ""
        return f"{type(self).__name__}(<{len(self._data)} bytes: {preview}{more}>)"

    def __reduce__(self) -> tuple[type[ExtPayload], tuple[bytes]]:
        return (type(self), (self._data,))


class SubstraitBytes(ExtPayload):
    """A serialized Substrait plan (protobuf ``substrait.Plan``), canonicalized."""

    __slots__ = ()
    ext_code = ExtCode.SUBSTRAIT
    media_type = "application/x-protobuf; messageType=substrait.Plan"


class DataFusionProtoBytes(ExtPayload):
    """A DataFusion protobuf plan (``datafusion-proto`` logical plan bytes)."""

    __slots__ = ()
    ext_code = ExtCode.DATAFUSION_PROTO
    media_type = "application/x-protobuf; messageType=datafusion.LogicalPlanNode"


def _build_table(*payload_types: type[ExtPayload]) -> dict[int, type[ExtPayload]]:
    table: dict[int, type[ExtPayload]] = {}
    for cls in payload_types:
        code = int(cls.ext_code)
        if code in table:  # pragma: no cover - guarded by the unique enum
            raise RuntimeError(f"ext code {code} is used by {table[code].__name__} and {cls.__name__}")
        table[code] = cls
    missing = {int(c) for c in ExtCode} - table.keys()
    if missing:  # pragma: no cover - a code without a type is a programming error
        raise RuntimeError(f"ext codes without a payload type: {sorted(missing)}")
    return table


EXT_TYPES: Final[dict[int, type[ExtPayload]]] = _build_table(SubstraitBytes, DataFusionProtoBytes)
"""Ext code to payload type: the one table the codec reads."""
