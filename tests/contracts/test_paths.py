"""Error paths: always ``$``-rooted, always written, never chosen by the input."""

from __future__ import annotations

import datetime
import enum
import json
import re
from typing import Any, Literal, Optional

import msgspec
import pytest
from hypothesis import given, strategies as st

from artifact_contracts import (
    ContractDecodeError,
    ContractError,
    ContractValidationError,
    StructBaseCompat,
    StructBaseStrict,
    ValidationIssue,
    convert,
    dumps_json,
    dumps_msgpack,
    loads_json,
    loads_json_batch,
    loads_msgpack,
    loads_msgpack_batch,
    loads_toml,
)

# The documented grammar (errors.py): $ then .name, ["json string"], [index] or [...].
PATH = re.compile(r'^\$(?:\.[A-Za-z_][A-Za-z0-9_]*|\[(?:\d+|\.\.\.|"(?:[^"\\]|\\.)*")\])*$')


class Kind(enum.Enum):
    A = "a"


class Inner(StructBaseStrict):
    name: str
    kind: Kind = Kind.A


class Outer(StructBaseStrict, tag="outer"):
    inner: Inner
    items: list[Inner] = []
    by_name: dict[str, Inner] = {}
    mode: Literal["x", "y"] = "x"


class Stamp(StructBaseCompat):
    at: datetime.datetime
    later: Optional[dict[str, datetime.datetime]] = None


def _issue(decode: Any, data: Any, target: Any) -> ValidationIssue:
    with pytest.raises(ContractError) as caught:
        decode(data, target)
    (issue,) = caught.value.issues
    return issue


DECODERS = {
    "json": lambda data, t: loads_json(dumps_json(data), t),
    "msgpack": lambda data, t: loads_msgpack(dumps_msgpack(data), t),
    "convert": convert,
    "json_batch": lambda data, t: loads_json_batch([b'{"inner":{"name":"n"}}', dumps_json(data)], t),
    "msgpack_batch": lambda data, t: loads_msgpack_batch([dumps_msgpack(data)] * 2, t),
}
# A batch puts the payload's index first: the second payload of json_batch (the first is
# valid), the first of msgpack_batch (both fail alike: the first failure is reported).
ROOTS = {"json": "$", "msgpack": "$", "convert": "$", "json_batch": "$[1]", "msgpack_batch": "$[0]"}


class TestForgery:
    @pytest.mark.parametrize("name", DECODERS)
    @pytest.mark.parametrize(
        ("data", "path"),
        [
            ({"x` - at `evil": 1}, '$["x` - at `evil"]'),
            ({"inner": {"name": "n"}, "x` - at `$.inner": 1}, '$["x` - at `$.inner"]'),
            ({"inner": {"name": "n", "q` - at `$": 1}}, '$.inner["q` - at `$"]'),
            ({"inner": {"name": "n", "kind": "z` - at `$.evil"}}, "$.inner.kind"),
            ({"inner": {"name": "n"}, "mode": "z' - at `$.evil`"}, "$.mode"),
            ({"inner": {"name": "n"}, "items": [{"name": "a"}, {"name": 1}]}, "$.items[1].name"),
            ({"inner": {"name": "n"}, "by_name": {"k` in `$": {"name": 2}}}, "$.by_name[...].name"),
            ({"inner": {"name": "n"}, "type": "other` - at `$.x"}, "$.type"),
            ({}, "$.inner"),
        ],
    )
    def test_the_input_cannot_choose_the_path(self, name: str, data: dict[str, Any], path: str) -> None:
        issue = _issue(DECODERS[name], data, Outer)
        assert issue.path == ROOTS[name] + path[1:]
        assert PATH.match(issue.path), issue.path

    @given(name=st.text(min_size=1, max_size=30), nested=st.booleans())
    def test_any_unknown_field_name_is_quoted_or_an_identifier(self, name: str, nested: bool) -> None:
        data: dict[str, Any] = {"inner": {"name": "n"}}
        (data["inner"] if nested else data)[name] = 1
        if name in (("name", "kind") if nested else ("inner", "items", "by_name", "mode", "type")):
            return
        for decoder, decode in DECODERS.items():
            issue = _issue(decode, data, Outer)
            assert issue.kind == "unknown_field"
            assert issue.path == ROOTS[decoder] + (".inner" if nested else "") + (
                f".{name}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else f"[{json.dumps(name)}]"
            )
            assert PATH.match(issue.path)

    def test_issue_text_keeps_what_the_input_said(self) -> None:
        issue = _issue(DECODERS["json"], {"x` - at `evil": 1}, Outer)
        assert issue.message == "Object contains unknown field `x` - at `evil`"


class TestAlwaysWritten:
    def test_the_root_path_is_on_the_wire(self) -> None:
        issue = ValidationIssue(message="m")
        assert dumps_json(issue) == b'{"path":"$","message":"m","kind":"invalid_value"}'
        assert loads_json(b'{"message":"m"}', ValidationIssue) == issue

    def test_every_issue_of_a_root_error_says_dollar(self) -> None:
        with pytest.raises(ContractDecodeError) as caught:
            loads_json(b"{", Outer)
        assert json.loads(dumps_json(caught.value.issues[0]))["path"] == "$"


class TestFieldOfOverflow:
    @pytest.mark.parametrize(
        ("data", "path"),
        [
            (b'{"at":"0001-01-01T00:00:00+01:00"}', "$.at"),
            (b'{"at":"2020-01-01T00:00:00Z","later":{"k":"9999-12-31T23:59:59-01:00"}}', "$.later"),
        ],
    )
    def test_a_utc_overflow_is_a_validation_error_at_its_field(self, data: bytes, path: str) -> None:
        with pytest.raises(ContractValidationError, match="out of range once converted to UTC") as caught:
            loads_json(data, Stamp)
        assert caught.value.issues[0].path == path


class TestNoEscapes:
    @pytest.mark.parametrize("decode", [loads_json, loads_msgpack, loads_toml, loads_json_batch, loads_msgpack_batch])
    def test_a_released_memoryview(self, decode: Any) -> None:
        view = memoryview(b"{}")
        view.release()
        with pytest.raises(ContractDecodeError, match="released"):
            decode([view] if "batch" in decode.__name__ else view, Any)

    def test_a_strided_memoryview_decodes_its_items(self) -> None:
        view = memoryview(b"[x1x]")[::2]  # b"[11]"... every other byte: "[", "1", "]"
        assert loads_json(view) == [1]

    @pytest.mark.parametrize(
        "decode",
        [
            lambda t: loads_json(b"{}", t),
            lambda t: loads_msgpack(b"\x80", t),
            lambda t: convert({}, t),
            lambda t: loads_toml("", t),
            lambda t: loads_msgpack_batch([b"\x80"], t),
        ],
    )
    def test_an_unresolvable_forward_reference(self, decode: Any) -> None:
        class Forward(StructBaseCompat):
            x: Undefined  # type: ignore[name-defined]  # noqa: F821 - the point of the test

        with pytest.raises(ContractValidationError, match=r"cannot decode into .*Undefined"):
            decode(Forward)

    def test_msgspec_types_never_escape(self) -> None:
        with pytest.raises(ContractValidationError):
            loads_msgpack(b"\xd7\xff\xff\xff\xff\xff\xff\xff\xff\xff", datetime.datetime)
        assert not issubclass(ContractError, msgspec.MsgspecError)


class _Unhashable(type):
    def __hash__(cls) -> int:
        raise RuntimeError("a hostile __hash__")


class Hostile(metaclass=_Unhashable):
    pass


@pytest.mark.parametrize(
    "call",
    [
        lambda: loads_json(b"1", Hostile),
        lambda: loads_msgpack(b"\x01", Hostile),
        lambda: convert(1, Hostile),
        lambda: loads_toml("a = 1", Hostile),
        lambda: loads_msgpack_batch([b"\x01"], Hostile),
        lambda: loads_json(b"1", 5),
        lambda: convert({"a": 1}, 5),
        lambda: loads_msgpack_batch(None, int),  # type: ignore[arg-type]
        lambda: loads_json_batch(5, int),  # type: ignore[arg-type]
    ],
)
def test_hostile_targets_and_arguments_raise_contract_errors(call: Any) -> None:
    with pytest.raises(ContractError) as caught:
        call()
    assert all(i.path.startswith("$") for i in caught.value.issues)
