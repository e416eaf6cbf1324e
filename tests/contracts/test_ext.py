from __future__ import annotations

import pytest

from artifact_contracts import (
    DF_PROTO_EXT_CODE,
    SUBSTRAIT_EXT_CODE,
    DataFusionProtoBytes,
    ExtCode,
    SubstraitBytes,
)
from artifact_contracts.ext import EXT_TYPES


def test_codes() -> None:
    assert SUBSTRAIT_EXT_CODE == 10 and DF_PROTO_EXT_CODE == 11
    assert {10: SubstraitBytes, 11: DataFusionProtoBytes} == EXT_TYPES


def test_codes_are_unique_and_in_range() -> None:
    values = [int(code) for code in ExtCode]
    assert len(values) == len(set(values))
    assert all(0 <= v <= 127 for v in values)


def test_reusing_a_code_is_impossible() -> None:
    import enum

    with pytest.raises(ValueError, match="duplicate"):

        @enum.unique
        class Codes(enum.IntEnum):
            A = 10
            B = 10


class TestPayload:
    @pytest.mark.parametrize("data", [b"abc", bytearray(b"abc"), memoryview(b"abc")])
    def test_accepts_bytes_like(self, data: bytes) -> None:
        payload = SubstraitBytes(data)
        assert payload.data == b"abc" and type(payload.data) is bytes

    def test_rejects_str(self) -> None:
        with pytest.raises(TypeError, match="needs bytes"):
            SubstraitBytes("abc")  # type: ignore[arg-type]

    def test_equal_by_type_and_bytes(self) -> None:
        assert SubstraitBytes(b"a") == SubstraitBytes(b"a")
        assert SubstraitBytes(b"a") != DataFusionProtoBytes(b"a")
        assert SubstraitBytes(b"a") != b"a"
        assert len({SubstraitBytes(b"a"), SubstraitBytes(b"a"), DataFusionProtoBytes(b"a")}) == 2

    def test_immutable(self) -> None:
        payload = SubstraitBytes(b"a")
        with pytest.raises(AttributeError, match="immutable"):
            payload.data = b"b"  # type: ignore[misc]
        with pytest.raises(AttributeError, match="immutable"):
            payload._data = b"b"  # type: ignore[misc]

    def test_repr_is_short(self) -> None:
        assert repr(SubstraitBytes(bytes(100))).startswith("SubstraitBytes(<100 bytes: 0000")
