"""The compatibility gate: every rule fires on the change it names, with its class.

Old and new versions of a type are written as two classes of the same name and exported
the way :mod:`artifact_contracts.registry` exports the real ones. Where a rule's class
rests on a claim about msgspec's decoder (an old reader skips an unknown field, an
``array_like`` reader ignores trailing items...), the claim is checked by decoding.
"""

from __future__ import annotations

import copy
import enum
import typing
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

import msgspec
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from artifact_contracts import (
    ContractError,
    ContractValidationError,
    DataFusionProtoBytes,
    StructBaseCompat,
    StructBaseStrict,
    SubstraitBytes,
    convert,
    dumps_json,
    dumps_msgpack,
    loads_json,
    loads_msgpack,
)
from artifact_contracts.evolution import (
    RULES,
    Change,
    check,
    compare,
    effective_bump,
    parse_version,
    required_bump,
    version_bump,
)
from artifact_contracts.ext import ExtPayload
from artifact_contracts.registry import BASE64, CANONICAL_BASE64, RFC3339_AWARE, json_schema


class ArrowIpcBytes(ExtPayload):
    """A payload that (wrongly) reuses the Substrait ext code."""

    __slots__ = ()
    ext_code: ClassVar[Any] = 10
    media_type = "application/vnd.apache.arrow.stream"


class Codec(enum.Enum):
    SNAPPY = "snappy"
    ZSTD = "zstd"


def _pair(build: Callable[[type, bool], type]) -> tuple[type, type]:
    return build(StructBaseCompat, False), build(StructBaseCompat, True)


# Each case: (old type, new type, the one expected (rule, path, bump)).
def cases() -> list[Any]:
    out: list[Any] = []

    def case(rule: str, path: str, bump: str, old: type, new: type) -> None:
        out.append(pytest.param(old, new, (rule, path, bump), id=f"{rule}-{bump}-{path}"))

    for base, label in ((StructBaseCompat, "compat"), (StructBaseStrict, "strict")):

        def mk(fields: dict[str, Any], defaults: dict[str, Any] | None = None, base: type = base, **kw: Any) -> type:
            ns: dict[str, Any] = {"__annotations__": fields, **(defaults or {})}
            return type("P", (base,), ns, **kw)

        loose = "major" if label == "compat" else "minor"
        case("FIELD_ADDED_OPTIONAL", "P.b", "minor", mk({"a": int}), mk({"a": int, "b": str}, {"b": ""}))
        case("FIELD_ADDED_REQUIRED", "P.b", "major", mk({"a": int}), mk({"a": int, "b": str}))
        case("FIELD_REMOVED_REQUIRED", "P.b", "major", mk({"a": int, "b": str}), mk({"a": int}))
        case("FIELD_REMOVED", "P.b", "major", mk({"a": int, "b": str}, {"b": ""}), mk({"a": int}))
        case("FIELD_RENAMED_REQUIRED", "P.a", "major", mk({"a": int, "b": str}), mk({"z": int, "b": str}))
        case("FIELD_RENAMED", "P.a", "major", mk({"a": int}, {"a": 0}), mk({"z": int}, {"z": 0}))
        case("FIELD_TYPE_CHANGED", "P.a", "major", mk({"a": int}), mk({"a": str}))
        case("FIELD_TYPE_WIDENED", "P.a", loose, mk({"a": int}), mk({"a": float}))
        case("FIELD_TYPE_WIDENED", "P.a", loose, mk({"a": int}, {"a": 0}), mk({"a": int | None}, {"a": 0}))
        case("FIELD_TYPE_NARROWED", "P.a", "major", mk({"a": int | None}), mk({"a": int}))
        case("FIELD_BECAME_REQUIRED", "P.a", "major", mk({"a": int}, {"a": 1}), mk({"a": int}))
        case("FIELD_BECAME_OPTIONAL", "P.a", loose, mk({"a": int}), mk({"a": int}, {"a": 1}))
        case("DEFAULT_CHANGED", "P.a", "major", mk({"a": str}, {"a": "auto"}), mk({"a": str}, {"a": "off"}))
        ge0, ge1 = Annotated[int, msgspec.Meta(ge=0)], Annotated[int, msgspec.Meta(ge=1)]
        case("CONSTRAINT_TIGHTENED", "P.a", "major", mk({"a": ge0}), mk({"a": ge1}))
        case("CONSTRAINT_LOOSENED", "P.a", loose, mk({"a": ge1}), mk({"a": ge0}))
        short, longer = Annotated[str, msgspec.Meta(max_length=4)], Annotated[str, msgspec.Meta(max_length=8)]
        case("CONSTRAINT_LOOSENED", "P.a[]", loose, mk({"a": list[short]}), mk({"a": list[longer]}))
        p1, p2 = Annotated[str, msgspec.Meta(pattern="^a")], Annotated[str, msgspec.Meta(pattern="^b")]
        case("CONSTRAINT_CHANGED", "P.a{}", "major", mk({"a": dict[str, p1]}), mk({"a": dict[str, p2]}))
        lit2, lit3 = Literal["off", "auto"], Literal["off", "auto", "explicit"]
        case("LITERAL_VALUE_ADDED", "P.a", loose, mk({"a": lit2}), mk({"a": lit3}))
        case("LITERAL_VALUE_REMOVED", "P.a", "major", mk({"a": lit3}), mk({"a": lit2}))
        case("TAG_CHANGED", "P", "major", mk({"a": int}, tag="p"), mk({"a": int}, tag="p2"))
        case("EXT_CODE_CHANGED", "P.a", "major", mk({"a": SubstraitBytes}), mk({"a": DataFusionProtoBytes}))
        case("EXT_CODE_CHANGED", "P.a", "major", mk({"a": bytes}), mk({"a": SubstraitBytes}))
        case("LAYOUT_CHANGED", "P", "major", mk({"a": int}), mk({"a": int}, array_like=True))
        arr = {"array_like": True}
        case(
            "ARRAY_LIKE_FIELD_APPENDED",
            "P.c",
            "minor",
            mk({"a": int, "b": int}, **arr),
            mk({"a": int, "b": int, "c": int}, {"c": 0}, **arr),
        )
        case(
            "ARRAY_LIKE_FIELD_INSERTED",
            "P.c",
            "major",
            mk({"a": int, "b": int}, {"b": 0}, **arr),
            mk({"a": int, "c": int, "b": int}, {"c": 0, "b": 0}, **arr),
        )
        case(
            "ARRAY_LIKE_REORDERED",
            "P",
            "major",
            mk({"a": int, "b": str}, **arr),
            mk({"b": str, "a": int}, **arr),
        )
        case("ATTRIBUTE_RENAMED", "P.z", "major", mk({"a": int}, **arr), mk({"z": int}, **arr))
        case(
            "FIELD_ADDED_REQUIRED",
            "P.c",
            "major",
            mk({"a": int}, **arr),
            mk({"a": int, "c": int}, **arr),
        )
        doc_old = type("P", (base,), {"__annotations__": {"a": int}, "__doc__": "Old words."})
        doc_new = type("P", (base,), {"__annotations__": {"a": int}, "__doc__": "New words."})
        case("DOC_CHANGED", "P", "patch", doc_old, doc_new)
    compat_p = type("P", (StructBaseCompat,), {"__annotations__": {"a": int}})
    strict_p = type("P", (StructBaseStrict,), {"__annotations__": {"a": int}})
    case("UNKNOWN_FIELDS_FORBIDDEN", "P", "major", compat_p, strict_p)
    case("UNKNOWN_FIELDS_ALLOWED", "P", "minor", strict_p, compat_p)
    return out


@pytest.mark.parametrize(("old", "new", "expected"), cases())
def test_rule_fires_with_its_class(old: type, new: type, expected: tuple[str, str, str], export: Any) -> None:
    changes = compare(export(old), export(new))
    found = {(c.rule, c.path, c.bump) for c in changes}
    assert expected in found, changes
    assert required_bump(changes) == expected[2], changes
    rule = RULES[expected[0]]
    for change in (c for c in changes if c.rule == rule.id):
        breaks = rule.breaks_for("strict" if old.__struct_config__.forbid_unknown_fields else "compat")
        assert (change.backward, change.forward) == (breaks.backward, breaks.forward)
        assert change.surfaces == breaks.surfaces()


def test_no_change_is_no_change() -> None:
    doc = json_schema()
    assert compare(doc, copy.deepcopy(doc)) == []
    assert required_bump([]) == "none"


class TestEnumsAndExtCodes:
    def test_enum_member_added_is_major_when_a_compat_type_uses_it(self, export: Any) -> None:
        class Holder(StructBaseCompat):
            codec: Codec

        old = export(Holder)
        new = copy.deepcopy(old)
        new["$defs"]["Codec"]["enum"] = ["lz4", "snappy", "zstd"]
        changes = compare(old, new)
        assert [(c.rule, c.path, c.bump) for c in changes] == [("ENUM_VALUE_ADDED", "Codec", "major")]
        removed = compare(new, old)
        assert [(c.rule, c.bump) for c in removed] == [("ENUM_VALUE_REMOVED", "major")]

    def test_enum_member_added_is_minor_when_only_strict_inputs_use_it(self, export: Any) -> None:
        class Holder(StructBaseStrict):
            codec: Codec

        old = export(Holder)
        new = copy.deepcopy(old)
        new["$defs"]["Codec"]["enum"] = ["lz4", "snappy", "zstd"]
        assert [(c.rule, c.bump) for c in compare(old, new)] == [("ENUM_VALUE_ADDED", "minor")]

    def test_reusing_an_ext_code_for_another_payload_is_major(self, export: Any) -> None:
        old_p = type("P", (StructBaseCompat,), {"__annotations__": {"a": SubstraitBytes}})
        new_p = type("P", (StructBaseCompat,), {"__annotations__": {"a": ArrowIpcBytes}})
        changes = compare(export(old_p), export(new_p))
        reused = [c for c in changes if c.rule == "EXT_CODE_REUSED"]
        assert [(c.path, c.bump, c.surfaces) for c in reused] == [("ext:10", "major", ("msgpack",))]

    def test_new_and_dropped_ext_codes(self, export: Any) -> None:
        old_p = type("P", (StructBaseCompat,), {"__annotations__": {"a": SubstraitBytes}})
        fields = {"a": SubstraitBytes, "b": DataFusionProtoBytes | None}
        both = type("P", (StructBaseCompat,), {"__annotations__": fields, "b": None})
        added = {(c.rule, c.path, c.bump) for c in compare(export(old_p), export(both))}
        assert ("EXT_CODE_ADDED", "ext:11", "minor") in added
        dropped = {(c.rule, c.path, c.bump) for c in compare(export(both), export(old_p))}
        assert ("EXT_CODE_REMOVED", "ext:11", "major") in dropped

    def test_types_added_and_removed(self, export: Any) -> None:
        a = type("A", (StructBaseCompat,), {"__annotations__": {"x": int}})
        b = type("B", (StructBaseCompat,), {"__annotations__": {"x": int}})
        assert [(c.rule, c.bump) for c in compare(export(a), export(a, b))] == [("TYPE_ADDED", "minor")]
        assert [(c.rule, c.bump) for c in compare(export(a, b), export(a))] == [("TYPE_REMOVED", "major")]


class TestClassesMatchTheDecoder:
    """The minor classes on Compat types rest on decoder behaviour: check it in both directions."""

    @pytest.mark.parametrize(("dumps", "loads"), [(dumps_json, loads_json), (dumps_msgpack, loads_msgpack)])
    def test_optional_field_added_to_compat_reads_both_ways(self, export: Any, dumps: Any, loads: Any) -> None:
        old = type("P", (StructBaseCompat,), {"__annotations__": {"a": int}})
        new = type("P", (StructBaseCompat,), {"__annotations__": {"a": int, "b": str}, "b": ""})
        assert [c.bump for c in compare(export(old), export(new))] == ["minor"]
        assert loads(dumps(old(a=1)), new) == new(a=1)
        assert loads(dumps(new(a=1, b="x")), old) == old(a=1)

    @pytest.mark.parametrize(("dumps", "loads"), [(dumps_json, loads_json), (dumps_msgpack, loads_msgpack)])
    def test_array_like_append_reads_both_ways(self, export: Any, dumps: Any, loads: Any) -> None:
        old = type("T", (StructBaseCompat,), {"__annotations__": {"a": int}}, array_like=True)
        new = type("T", (StructBaseCompat,), {"__annotations__": {"a": int, "b": int}, "b": 0}, array_like=True)
        assert [c.bump for c in compare(export(old), export(new))] == ["minor"]
        assert loads(dumps(old(a=1)), new) == new(a=1)
        assert loads(dumps(new(a=1, b=7)), old) == old(a=1)

    def test_optional_field_on_strict_is_rejected_by_the_old_reader(self) -> None:
        old = type("P", (StructBaseStrict,), {"__annotations__": {"a": int}})
        new = type("P", (StructBaseStrict,), {"__annotations__": {"a": int, "b": str}, "b": ""})
        assert loads_json(dumps_json(old(a=1)), new) == new(a=1)  # backward: the Strict promise
        with pytest.raises(ContractValidationError, match="unknown field"):
            loads_json(dumps_json(new(a=1, b="x")), old)

    def test_widening_a_compat_field_breaks_old_readers(self, export: Any) -> None:
        old = type("P", (StructBaseCompat,), {"__annotations__": {"a": int}})
        new = type("P", (StructBaseCompat,), {"__annotations__": {"a": float}})
        assert required_bump(compare(export(old), export(new))) == "major"
        with pytest.raises(ContractValidationError, match="Expected `int`"):
            loads_json(dumps_json(new(a=1.5)), old)

    def test_a_changed_default_changes_values_silently(self, export: Any) -> None:
        old = type("P", (StructBaseCompat,), {"__annotations__": {"mode": str}, "mode": "auto"})
        new = type("P", (StructBaseCompat,), {"__annotations__": {"mode": str}, "mode": "off"})
        assert required_bump(compare(export(old), export(new))) == "major"
        # The new writer omits its default; the old reader fills in its own, without error.
        assert loads_json(dumps_json(new()), old).mode == "auto"

    def test_becoming_optional_breaks_old_compat_readers(self, export: Any) -> None:
        old = type("P", (StructBaseCompat,), {"__annotations__": {"n": int}})
        new = type("P", (StructBaseCompat,), {"__annotations__": {"n": int}, "n": 1})
        assert required_bump(compare(export(old), export(new))) == "major"
        with pytest.raises(ContractValidationError, match="missing required field"):
            loads_json(dumps_json(new()), old)

    def test_inserting_into_array_like_reinterprets_payloads(self, export: Any) -> None:
        old = type("T", (StructBaseCompat,), {"__annotations__": {"a": int, "b": int}, "b": 0}, array_like=True)
        new = type(
            "T",
            (StructBaseCompat,),
            {"__annotations__": {"a": int, "c": int, "b": int}, "c": 0, "b": 0},
            array_like=True,
        )
        assert required_bump(compare(export(old), export(new))) == "major"
        assert loads_json(dumps_json(old(a=1, b=2)), new) == new(a=1, c=2, b=0)  # b's value landed in c


class TestRealSchema:
    def test_removing_a_telemetry_position_is_caught(self) -> None:
        old = json_schema()
        new = copy.deepcopy(old)
        scan = new["$defs"]["ScanTelemetry"]
        del scan["x-fields"][1]
        del scan["prefixItems"][1]
        scan["minItems"] -= 1
        rules = {(c.rule, c.path) for c in compare(old, new)}
        assert ("FIELD_REMOVED_REQUIRED", "ScanTelemetry.row_group_count") in rules

    @pytest.mark.parametrize("direction", ["stated", "unstated"])
    def test_patterns_the_decoder_always_enforced_break_nothing(self, direction: str) -> None:
        # test_registry proves each stated pattern accepts exactly what the decoder accepts.
        new = json_schema()
        old = _without_patterns(new, {BASE64, RFC3339_AWARE})
        changes = compare(old, new) if direction == "stated" else compare(new, old)
        assert changes
        assert {(c.rule, c.bump, c.backward, c.forward) for c in changes} == {("PATTERN_STATED", "patch", (), ())}
        assert required_bump(changes) == "patch"

    def test_a_base64_pattern_binds_json_and_convert_alone(self) -> None:
        new = json_schema()
        changes = compare(_without_patterns(new, {CANONICAL_BASE64}), new)
        assert {(c.path, c.rule, c.backward, c.forward) for c in changes} == {
            (f"PlanArtifacts.{field}", "BASE64_SPELLING_TIGHTENED", ("json", "python"), ())
            for field in ("substrait", "datafusion_proto")
        }

        class Holder(StructBaseCompat):
            plan: SubstraitBytes

        loose = b'{"plan":"cGxhbh=="}'  # b"plan" with a stray unused bit, as a `bytes` field reads it
        assert loads_json(loose, dict[str, bytes]) == {"plan": b"plan"}
        with pytest.raises(ContractValidationError, match=r"canonical form \(at \$\.plan\)"):
            loads_json(loose, Holder)
        with pytest.raises(ContractValidationError, match=r"canonical form"):
            convert({"plan": "cGxhbh=="}, Holder)
        # MessagePack carries the bytes as an ext value: no spelling to refuse.
        assert loads_msgpack(dumps_msgpack(Holder(plan=SubstraitBytes(b"plan"))), Holder).plan == SubstraitBytes(
            b"plan"
        )

    def test_every_registered_type_is_classified_by_base(self) -> None:
        doc = json_schema()
        for name, component in doc["$defs"].items():
            assert component.get("x-contract-base") in ("compat", "strict"), name


@pytest.mark.parametrize(
    ("old", "new", "literal", "effective"),
    [
        ("0.1.0", "0.1.0", "none", "none"),
        ("0.1.0", "0.1.1", "patch", "minor"),
        ("0.1.3", "0.2.0", "minor", "major"),
        ("0.9.0", "1.0.0", "major", "major"),
        ("1.2.3", "1.2.4", "patch", "patch"),
        ("1.2.3", "1.3.0", "minor", "minor"),
        ("1.2.3", "2.0.0", "major", "major"),
        ("1.2.3", "1.2.2", "none", "none"),
    ],
)
def test_version_bumps(old: str, new: str, literal: str, effective: str) -> None:
    assert version_bump(old, new) == literal
    assert effective_bump(old, new) == effective


def test_bad_version_is_rejected() -> None:
    with pytest.raises(ValueError, match="not a semantic version"):
        parse_version("one.two")


def _doc_pair(export: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    v1 = export(type("P", (StructBaseCompat,), {"__annotations__": {"a": int}}))
    minor = export(type("P", (StructBaseCompat,), {"__annotations__": {"a": int, "b": int}, "b": 0}))
    major = export(type("P", (StructBaseCompat,), {"__annotations__": {"b": int}}))
    return v1, minor, major


@pytest.mark.parametrize(
    ("which", "against_version", "current", "ok"),
    [
        ("minor", "1.0.0", "1.1.0", True),
        ("minor", "1.0.0", "1.0.1", False),
        ("minor", "0.1.0", "0.1.1", True),  # 0.x: a patch bump allows additions
        ("major", "1.0.0", "1.1.0", False),
        ("major", "1.0.0", "2.0.0", True),
        ("major", "0.1.0", "0.2.0", True),  # 0.x: a minor bump allows breaks
        ("major", "0.1.0", "0.1.1", False),
        ("minor", None, "9.9.9", True),  # unknown version: only a major change fails
        ("major", None, "9.9.9", False),
    ],
)
def test_check_gates_the_bump(which: str, against_version: str | None, current: str, ok: bool, export: Any) -> None:
    v1, minor, major = _doc_pair(export)
    report = check(
        v1,
        minor if which == "minor" else major,
        against="x",
        against_version=against_version,
        current_version=current,
    )
    assert report.required_bump == which
    assert report.ok is ok
    assert all(isinstance(c, Change) for c in report.changes)


def _instances(cls: type) -> st.SearchStrategy[Any]:
    """Instances of a Struct with every field drawn, defaults included (hypothesis ignores Meta)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    return st.builds(cls, **{name: st.from_type(hints[name]) for name in cls.__struct_fields__})


def _valid(value: Any, cls: type, dumps: Any, loads: Any) -> bytes:
    """Encode ``value``; reject (assume) values its own type would not decode (Meta, int64)."""
    try:
        data: bytes = dumps(value)
        loads(data, cls)
    except (ContractError, OverflowError):
        assume(False)
    return data


def _promised(case: Any) -> list[Any]:
    """The cases classified below major, with the directions their base promises."""
    old, new, (_, _, bump) = case.values
    if bump == "major":
        return []
    strict = old.__struct_config__.forbid_unknown_fields
    directions = [("backward", old, new)] + ([] if strict else [("forward", new, old)])
    return [pytest.param(w, r, id=f"{case.id}-{d}") for d, w, r in directions]


@pytest.mark.parametrize(("writer", "reader"), [p for case in cases() for p in _promised(case)])
@pytest.mark.parametrize(("dumps", "loads"), [(dumps_json, loads_json), (dumps_msgpack, loads_msgpack)])
@settings(max_examples=40, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(data=st.data())
def test_what_the_gate_allows_the_decoder_accepts(
    writer: type, reader: type, dumps: Any, loads: Any, data: st.DataObject
) -> None:
    """Differential check of the static rules: every non-major change decodes as promised.

    Compat types promise both directions (old reads new, new reads old), Strict types
    backward only; values of the writer's type, generated, must decode with the reader's.
    """
    value = data.draw(_instances(writer))
    loads(_valid(value, writer, dumps, loads), reader)


def _without_patterns(doc: dict[str, Any], patterns: set[str]) -> dict[str, Any]:
    """A copy of ``doc`` as an export that did not state ``patterns`` would write it."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if not (k == "pattern" and v in patterns)}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(copy.deepcopy(doc))  # type: ignore[no-any-return]
