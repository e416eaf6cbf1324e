from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import json
import uuid
from typing import Annotated, Any, Optional

import msgspec
import pytest
from hypothesis import given, strategies as st

from artifact_contracts import (
    ContractDecodeError,
    ContractError,
    ContractValidationError,
    DataFusionProtoBytes,
    StructBaseCompat,
    StructBaseStrict,
    SubstraitBytes,
    ValidationIssue,
    convert,
    dumps_json,
    dumps_msgpack,
    encode_json_into,
    encode_msgpack_into,
    loads_json,
    loads_json_batch,
    loads_msgpack,
    loads_msgpack_batch,
    to_builtins,
)


class StrictName(StructBaseStrict):
    name: str


class Plan(StructBaseCompat):
    name: str
    substrait: Optional[SubstraitBytes] = None
    proto: Optional[DataFusionProtoBytes] = None
    tags: dict[str, int] = {}
    at: Optional[datetime.datetime] = None
    amount: Optional[decimal.Decimal] = None
    ident: Optional[uuid.UUID] = None


FULL = Plan(
    name="q1",
    substrait=SubstraitBytes(b"\x00\x01plan"),
    proto=DataFusionProtoBytes(b"proto"),
    tags={"b": 2, "a": 1, "é": 3},
    at=datetime.datetime(2026, 11, 24, 12, 0, tzinfo=datetime.timezone.utc),
    amount=decimal.Decimal("1.50"),
    ident=uuid.UUID("12345678-1234-5678-1234-567812345678"),
)


class TestRoundTrip:
    @pytest.mark.parametrize("value", [FULL, Plan(name="x"), {"z": [1, 2.5, None, True]}, [], "ü"])
    def test_json_and_msgpack(self, value: Any) -> None:
        target = type(value) if isinstance(value, msgspec.Struct) else Any
        for dumps, loads in ((dumps_json, loads_json), (dumps_msgpack, loads_msgpack)):
            data = dumps(value)
            decoded = loads(data, target)
            assert decoded == value
            assert dumps(decoded) == data

    def test_json_is_canonical(self) -> None:
        assert dumps_json(FULL) == (
            b'{"name":"q1","substrait":"AAFwbGFu","proto":"cHJvdG8=","tags":{"a":1,"b":2,"\xc3\xa9":3},'
            b'"at":"2026-11-24T12:00:00Z","amount":"1.5","ident":"12345678-1234-5678-1234-567812345678"}'
        )

    def test_dict_insertion_order_does_not_matter(self) -> None:
        assert dumps_msgpack({"b": 1, "a": 2}) == dumps_msgpack({"a": 2, "b": 1})
        assert dumps_json({"b": 1, "a": 2}) == b'{"a":2,"b":1}'

    def test_ext_payloads_are_ext_values_in_msgpack(self) -> None:
        data = dumps_msgpack(SubstraitBytes(b"abc"))
        assert data == b"\xc7\x03\x0aabc"
        assert dumps_msgpack(DataFusionProtoBytes(b"abcd")) == b"\xd6\x0babcd"

    def test_ext_decodes_without_target_type(self) -> None:
        assert loads_msgpack(dumps_msgpack({"p": SubstraitBytes(b"x")})) == {"p": SubstraitBytes(b"x")}

    def test_convert_and_to_builtins_agree_with_json(self) -> None:
        builtins = to_builtins(FULL)
        assert builtins == loads_json(dumps_json(FULL))
        assert convert(builtins, Plan) == FULL

    def test_convert_accepts_raw_bytes_for_payloads(self) -> None:
        assert convert({"name": "x", "substrait": b"ab"}, Plan).substrait == SubstraitBytes(b"ab")


class TestErrors:
    @pytest.mark.parametrize(
        ("data", "kind"),
        [
            (b"", "malformed"),
            (b"{", "malformed"),
            (b'{"name": 1}', "type_mismatch"),
            (b'{"name":"x","substrait":"not base64!"}', "invalid_value"),
            (b'{"name":"x","substrait":"QQ=="}', None),  # canonical: accepted
            (b'{"name":"x","substrait":"QR=="}', "invalid_value"),  # non-canonical padding bits
            (b"\xff\xfe", "malformed"),
            (b'{"name":"\xed\xa0\x80"}', "invalid_utf8"),
            (b"{}", "missing_field"),
        ],
    )
    def test_json(self, data: bytes, kind: Optional[str]) -> None:
        if kind is None:
            loads_json(data, Plan)
            return
        with pytest.raises(ContractError) as info:
            loads_json(data, Plan)
        assert info.value.issues[0].kind == kind or (
            kind == "malformed" and info.value.issues[0].kind in {"malformed", "invalid_utf8"}
        )

    @pytest.mark.parametrize("data", [b'{"name":"\xed\xa0\x80"}', b'["\xff"]'])
    def test_invalid_utf8_reads_the_same_on_every_msgspec(self, data: bytes) -> None:
        # msgspec 0.22 raises UnicodeDecodeError, 0.23 a DecodeError of its own: one issue for both.
        with pytest.raises(ContractDecodeError) as info:
            loads_json(data, Any)
        assert info.value.issues == (
            ValidationIssue(path="$", message="Invalid UTF-8 encoded string", kind="invalid_utf8"),
        )

    def test_missing_field_path_names_the_field(self) -> None:
        with pytest.raises(ContractValidationError, match="missing required field") as info:
            loads_json(b"{}", Plan)
        assert info.value.issues[0].path == "$.name"

    @pytest.mark.parametrize(
        ("data", "match"),
        [
            (b"\x82\xa4name\xa1x\xa9substrait\xc7\x01\x63x", "unknown MessagePack ext code 99"),
            (b"\x81\xa4name", "truncated"),
            (b"\xdb\xff\xff\xff\xff", "truncated"),  # a 4 GiB string declared, 0 bytes given
            (b"\xc1", "malformed"),
            (b"\x81\xa4name\xa2\xff\xfe", "Invalid UTF-8 encoded string"),
            (b"\xd7\xff\xff\xff\xff\xff\xff\xff\xff\xff", "."),  # timestamp far out of range
        ],
    )
    def test_msgpack(self, data: bytes, match: str) -> None:
        with pytest.raises(ContractError, match=match):
            loads_msgpack(data, Plan)

    def test_wrong_ext_code_for_field(self) -> None:
        data = dumps_msgpack({"name": "x", "substrait": DataFusionProtoBytes(b"x")})
        with pytest.raises(ContractValidationError, match="ext code 10") as info:
            loads_msgpack(data, Plan)
        assert info.value.issues[0].path == "$.substrait"

    def test_base64_string_is_not_a_msgpack_payload(self) -> None:
        with pytest.raises(ContractValidationError, match="ext"):
            loads_msgpack(dumps_msgpack({"name": "x", "substrait": "AAFwbGFu"}), Plan)

    @pytest.mark.parametrize("depth", [1_000, 200_000])
    @pytest.mark.parametrize("fmt", ["json", "msgpack"])
    def test_deep_nesting(self, depth: int, fmt: str) -> None:
        if fmt == "json":
            with pytest.raises(ContractDecodeError, match="nesting"):
                loads_json(b"[" * depth + b"]" * depth)
        else:
            with pytest.raises(ContractDecodeError, match="nesting"):
                loads_msgpack(b"\x91" * depth + b"\xc0")

    def test_deep_nesting_into_a_strict_struct_is_a_validation_error(self) -> None:
        # The type stops the decoder at the first bracket: no depth scan needed.
        with pytest.raises(ContractValidationError, match="Expected `str`"):
            loads_json(b'{"name":' + b"[" * 200_000 + b"]" * 200_000 + b"}", StrictName)

    def test_deep_nesting_into_a_compat_struct_is_refused(self) -> None:
        # A Compat Struct skips unknown fields recursively, guarded by the recursion limit.
        with pytest.raises(ContractDecodeError, match="nesting too deep") as info:
            loads_json(b'{"name":"n","future":' + b"[" * 200_000 + b"]" * 200_000 + b"}", Plan)
        assert info.value.issues[0].kind == "too_deep"

    @pytest.mark.parametrize("data", [None, 12, ["x"]])
    def test_non_bytes_input(self, data: Any) -> None:
        with pytest.raises(ContractDecodeError, match="bytes-like"):
            loads_msgpack(data)

    def test_unsupported_target_type(self) -> None:
        with pytest.raises(ContractValidationError, match="unsupported"):
            loads_json(b"1", object)

    def test_lax_mode(self) -> None:
        assert loads_json(b'"12"', int, strict=False) == 12
        with pytest.raises(ContractValidationError):
            loads_json(b'"12"', int)

    def test_errors_pickle(self) -> None:
        import pickle

        with pytest.raises(ContractValidationError) as info:
            loads_json(b"{}", Plan)
        clone = pickle.loads(pickle.dumps(info.value))
        assert clone.issues == info.value.issues


class TestEncodeInto:
    @pytest.mark.parametrize("encode", [encode_json_into, encode_msgpack_into])
    @pytest.mark.parametrize("offset", [0, 2, 5, 40])
    def test_never_leaves_garbage(self, encode: Any, offset: int) -> None:
        buf = bytearray(b"ab")
        encode([1], buf, offset)
        expected = (dumps_json if encode is encode_json_into else dumps_msgpack)([1])
        prefix = b"ab"[:offset] + bytes(max(0, offset - 2))
        assert bytes(buf) == prefix + expected

    def test_append(self) -> None:
        buf = bytearray(b"xy")
        encode_msgpack_into(1, buf, -1)
        assert bytes(buf) == b"xy\x01"

    def test_bad_arguments(self) -> None:
        with pytest.raises(TypeError, match="bytearray"):
            encode_json_into(1, b"", 0)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="offset"):
            encode_json_into(1, bytearray(), -2)


LOADS = [(loads_json, dumps_json), (loads_msgpack, dumps_msgpack)]


class TestDecoderCache:
    """Decoders are cached per target type and strictness, and the cache stays bounded."""

    @pytest.mark.parametrize(("loads", "dumps"), LOADS)
    @pytest.mark.parametrize("lax_first", [True, False])
    def test_strict_and_lax_decoders_are_kept_apart(self, loads: Any, dumps: Any, lax_first: bool) -> None:
        data = dumps("12")
        if lax_first:
            assert loads(data, int, strict=False) == 12
        with pytest.raises(ContractValidationError, match="Expected `int`, got `str`"):
            loads(data, int)
        assert loads(data, int, strict=False) == 12

    @pytest.mark.parametrize(("loads", "dumps"), LOADS)
    def test_unhashable_target_types_decode_uncached(self, loads: Any, dumps: Any) -> None:
        target = Annotated[int, {"unhashable": "metadata"}]
        with pytest.raises(TypeError, match="unhashable"):
            hash(target)
        for _ in range(2):
            assert loads(dumps(7), target) == 7
        with pytest.raises(ContractValidationError, match="Expected `int`"):
            loads(dumps("7"), target)

    def test_the_cache_is_bounded(self) -> None:
        from artifact_contracts import codec

        for bound in range(codec._MAX_CACHED + 10):
            assert loads_json(b"5", Annotated[int, msgspec.Meta(ge=-bound)]) == 5
        assert 0 < len(codec._JSON_STRICT) <= codec._MAX_CACHED
        with pytest.raises(ContractValidationError, match=">= 6"):
            loads_json(b"5", Annotated[int, msgspec.Meta(ge=6)])


B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def canonical_base64(text: str) -> bool:
    """The reference rule: the text decodes strictly and re-encodes to itself."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return base64.b64encode(raw).decode("ascii") == text


class TestBase64Payloads:
    """A payload decodes from JSON exactly when its base64 text is the canonical spelling."""

    @given(
        payload=st.binary(max_size=40),
        mutation=st.sampled_from(["none", "last", "anywhere", "add_pad", "drop_pad", "append"]),
        data=st.data(),
    )
    def test_accepts_exactly_the_canonical_spelling(self, payload: bytes, mutation: str, data: Any) -> None:
        text = base64.b64encode(payload).decode("ascii")
        stripped = text.rstrip("=")
        char = data.draw(st.sampled_from(B64_ALPHABET + "=-_ \n"))
        if mutation == "last" and stripped:  # the unused bits before the padding live here
            text = stripped[:-1] + char + text[len(stripped) :]
        elif mutation == "anywhere" and text:
            index = data.draw(st.integers(0, len(text) - 1))
            text = text[:index] + char + text[index + 1 :]
        elif mutation == "add_pad":
            text += "="
        elif mutation == "drop_pad":
            text = text[:-1] if text.endswith("=") else text
        elif mutation == "append":
            text += char
        document = json.dumps({"name": "x", "substrait": text}).encode()
        if canonical_base64(text):
            decoded = loads_json(document, Plan)
            assert decoded.substrait == SubstraitBytes(base64.b64decode(text))
            assert dumps_json(decoded) == dumps_json(Plan(name="x", substrait=decoded.substrait))
        else:
            with pytest.raises(ContractValidationError, match=r"Invalid base64 encoded string.*\$\.substrait"):
                loads_json(document, Plan)

    @pytest.mark.parametrize(
        ("text", "canonical"),
        [("", True), ("QQ==", True), ("QR==", False), ("QUI=", True), ("QUJ=", False), ("QQ", False),
         ("QQ===", False), ("QUJD", True), ("QUJDQQ==", True), ("QUJDQR==", False)],
    )  # fmt: skip
    def test_known_spellings(self, text: str, canonical: bool) -> None:
        assert canonical_base64(text) is canonical
        document = json.dumps({"name": "x", "substrait": text}).encode()
        if canonical:
            assert loads_json(document, Plan).substrait == SubstraitBytes(base64.b64decode(text))
        else:
            with pytest.raises(ContractValidationError, match="Invalid base64"):
                loads_json(document, Plan)


class TestBatch:
    """``loads_*_batch``: one target type, many payloads, one call; errors say which payload."""

    @pytest.mark.parametrize(
        ("batch", "dumps"), [(loads_json_batch, dumps_json), (loads_msgpack_batch, dumps_msgpack)]
    )
    def test_decodes_like_one_call_each(self, batch: Any, dumps: Any) -> None:
        values = [FULL, Plan(name="x"), Plan(name="y", tags={"z": 1})]
        payloads = [dumps(v) for v in values]
        assert batch(payloads, Plan) == values
        assert batch(iter(payloads), Plan) == values  # any iterable
        assert batch([bytearray(p) for p in payloads], Plan) == values
        assert batch([], Plan) == []

    @pytest.mark.parametrize(
        ("batch", "dumps"), [(loads_json_batch, dumps_json), (loads_msgpack_batch, dumps_msgpack)]
    )
    def test_the_first_failing_payload_is_named_in_the_path(self, batch: Any, dumps: Any) -> None:
        payloads = [dumps(Plan(name="a"))] * 3 + [dumps({"name": 1}), dumps({})]
        with pytest.raises(ContractValidationError, match=r"at \$\[3\]\.name") as caught:
            batch(payloads, Plan)
        assert caught.value.issues[0].path == "$[3].name"

    def test_malformed_and_oversized_items(self) -> None:
        from artifact_contracts import DecodeLimits, set_decode_limits

        with pytest.raises(ContractDecodeError) as caught:
            loads_msgpack_batch([b"\x01", b"\xc1"], int)
        assert caught.value.issues[0].path == "$[1]"
        with pytest.raises(ContractDecodeError, match="bytes-like") as caught:
            loads_json_batch([b"1", 2], int)  # type: ignore[list-item]
        assert caught.value.issues[0].path == "$[1]"
        previous = set_decode_limits(DecodeLimits(max_bytes=4))
        try:
            with pytest.raises(ContractDecodeError, match="exceeds the limit") as caught:
                loads_json_batch([b"[1]", b"[1,2,3]"], list[int])
            assert caught.value.issues[0].path == "$[1]"
        finally:
            set_decode_limits(previous)

    def test_depth_limit_applies_per_item(self) -> None:
        with pytest.raises(ContractDecodeError, match="nesting deeper") as caught:
            loads_json_batch([b"[]", b"[" * 300 + b"]" * 300])
        assert caught.value.issues[0].path == "$[1]"

    def test_strings_are_json_payloads(self) -> None:
        assert loads_json_batch(['{"name":"a"}', b'{"name":"b"}'], Plan) == [Plan(name="a"), Plan(name="b")]


class TestBytesFields:
    """A plain ``bytes`` field takes any padded base64 msgspec reads; the value is canonical."""

    class Holder(StructBaseCompat):
        raw: bytes = b""

    @pytest.mark.parametrize(("spelling", "canonical"), [("AA==", "AA=="), ("AB==", "AA=="), ("AAB=", "AAA=")])
    def test_a_non_canonical_spelling_is_canonicalized(self, spelling: str, canonical: str) -> None:
        # The decision (registry.BASE64): accept what msgspec reads, write one spelling. The
        # payload types (SubstraitBytes...) refuse non-canonical text instead (CANONICAL_BASE64).
        value = loads_json(json.dumps({"raw": spelling}), self.Holder)
        assert dumps_json(value) == json.dumps({"raw": canonical}, separators=(",", ":")).encode()
        assert value == loads_json(json.dumps({"raw": canonical}), self.Holder)
