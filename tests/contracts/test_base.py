from __future__ import annotations

import datetime
import sys
from typing import Annotated, Literal, Optional

import msgspec
import pytest

from artifact_contracts import (
    ContractValidationError,
    StructBaseCompat,
    StructBaseStrict,
    convert,
    dumps_json,
    dumps_msgpack,
    fingerprint,
    loads_json,
    loads_msgpack,
)


class Policy(StructBaseStrict):
    name: str
    target_file_size: Annotated[int, msgspec.Meta(ge=1)] | None = 1000
    stats_policy: Literal["off", "explicit", "auto"] = "auto"
    label: str = "abc"
    ratio: float = 0.5
    zero: float = 0.0
    columns: tuple[str, ...] = ()
    big: int = 2**40


class Child(Policy):
    extra: int  # required after inherited optional fields: kw_only must carry over


class Snapshot(StructBaseCompat):
    at: datetime.datetime
    when: Optional[datetime.datetime] = None
    score: float


SPELLED_OUT = (
    b'{"name":"p","target_file_size":1000,"stats_policy":"auto","label":"abc",'
    b'"ratio":0.5,"zero":0.0,"columns":[],"big":1099511627776}'
)


class TestConfig:
    @pytest.mark.parametrize("cls", [StructBaseStrict, StructBaseCompat, Policy, Snapshot])
    def test_flags(self, cls: type[msgspec.Struct]) -> None:
        config = cls.__struct_config__
        assert config.frozen and config.omit_defaults and config.repr_omit_defaults

    def test_strictness(self) -> None:
        assert Policy.__struct_config__.forbid_unknown_fields
        assert not Snapshot.__struct_config__.forbid_unknown_fields

    def test_kw_only_is_inherited(self) -> None:
        assert Child(name="c", extra=1).extra == 1
        with pytest.raises(TypeError):
            Child("c", 1)  # type: ignore[misc]

    def test_frozen(self) -> None:
        with pytest.raises(AttributeError):
            Policy(name="p").name = "q"  # type: ignore[misc]


class TestDefaultsCanonical:
    def test_constructor_omits_defaults(self) -> None:
        assert dumps_json(Policy(name="p")) == b'{"name":"p"}'

    @pytest.mark.parametrize(
        "build",
        [
            lambda: loads_json(SPELLED_OUT, Policy),
            lambda: loads_msgpack(dumps_msgpack(loads_json(SPELLED_OUT)), Policy),
            lambda: convert(loads_json(SPELLED_OUT), Policy),
            lambda: Policy(name="p", target_file_size=int("1000"), label="".join("abc"), big=2**40),
        ],
        ids=["loads_json", "loads_msgpack", "convert", "constructor"],
    )
    def test_spelled_out_defaults_encode_like_the_constructor(self, build) -> None:  # type: ignore[no-untyped-def]
        value = build()
        assert value == Policy(name="p")
        assert dumps_json(value) == b'{"name":"p"}'
        assert dumps_msgpack(value) == dumps_msgpack(Policy(name="p"))
        assert fingerprint(value) == fingerprint(Policy(name="p"))

    def test_negative_zero_and_int_floats(self) -> None:
        a = Policy(name="p", zero=-0.0, ratio=1)
        b = loads_json(b'{"name":"p","zero":0.0,"ratio":1.0}', Policy)
        assert a == b and dumps_json(a) == dumps_json(b) == b'{"name":"p","ratio":1.0}'

    def test_datetimes_are_utc(self) -> None:
        plus2 = datetime.timezone(datetime.timedelta(hours=2))
        local = Snapshot(at=datetime.datetime(2026, 1, 1, 2, tzinfo=plus2), score=1)
        utc = Snapshot(at=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc), score=1.0)
        assert local == utc
        assert dumps_json(local) == dumps_json(utc) == b'{"at":"2026-01-01T00:00:00Z","score":1.0}'
        assert loads_msgpack(dumps_msgpack(local), Snapshot) == local

    def test_classes_without_unstable_fields_get_no_hook(self) -> None:
        class Plain(StructBaseCompat):
            a: int
            b: Optional[str] = None
            c: tuple[int, ...] = ()

        # On 3.10 an empty tuple is not always the singleton, so a () default needs the hook.
        assert ("__post_init__" in vars(Plain)) is (sys.version_info < (3, 11))

    def test_an_empty_tuple_built_from_an_iterator_is_the_default(self) -> None:
        class Plain(StructBaseCompat):
            c: tuple[int, ...] = ()

        assert dumps_json(Plain(c=tuple(x for x in ()))) == dumps_json(Plain()) == b"{}"


class TestUnknownFields:
    def test_strict_rejects_with_path(self) -> None:
        with pytest.raises(ContractValidationError, match="unknown field") as info:
            loads_json(b'{"name":"p","typo":1}', Policy)
        assert info.value.issues[0].path == "$.typo"
        assert info.value.issues[0].kind == "unknown_field"

    def test_compat_skips(self) -> None:
        value = loads_json(b'{"at":"2026-01-01T00:00:00Z","score":1.0,"new":{"deep":[1]}}', Snapshot)
        assert value.score == 1.0
