"""Wire properties of every registered contract type, over values drawn by ``strategy_for``.

1. JSON and MessagePack round trips return an equal value.
2. Re-encoding is the identity on bytes, in both formats.
3. Equal values built by different paths encode to identical bytes and fingerprints.
4. The encoded JSON validates against the exported JSON Schema.
5. Compat Structs skip an unknown field injected at any level; Strict ones reject it.
6. (``test_fresh_interpreter.py``) bytes and fingerprints do not depend on the process.

The test-only ``SAMPLE_TYPES`` join the registered types for every property but the
schema one, to cover shapes no contract uses yet (recursion, ``Any``, sets, ``UNSET``).
"""

from __future__ import annotations

import functools
import json
from typing import Any

import msgspec
import pytest
from hypothesis import given
from jsonschema import Draft202012Validator, FormatChecker

from artifact_contracts import (
    ContractValidationError,
    convert,
    dumps_json,
    dumps_msgpack,
    fingerprint,
    loads_json,
    loads_msgpack,
    to_builtins,
)
from artifact_contracts.registry import CONTRACT_TYPES, json_schema
from artifact_contracts.testing import strategy_for
from tests.contracts.instances import representative
from tests.contracts.sample_types import SAMPLE_TYPES
from tests.contracts.trees import (
    UNKNOWN_FIELD,
    encode_tree,
    inject_unknown,
    jsonpath,
    spell_out_defaults,
    struct_sites,
    tree_of,
)

ALL_TYPES = (*CONTRACT_TYPES, *SAMPLE_TYPES)
FORMATS = ("json", "msgpack")


def _ids(types: tuple[type, ...]) -> list[str]:
    return [t.__name__ for t in types]


def _wire(value: Any) -> tuple[bytes, bytes, str]:
    return dumps_json(value), dumps_msgpack(value), fingerprint(value)


def _check_round_trips(tp: type, value: Any) -> tuple[bytes, bytes, str]:
    """Properties 1 and 2; returns the value's bytes and fingerprint."""
    expected = _wire(value)
    from_json = loads_json(expected[0], tp)
    from_msgpack = loads_msgpack(expected[1], tp)
    assert from_json == value, "JSON round trip"
    assert from_msgpack == value, "MessagePack round trip"
    assert dumps_json(from_json) == expected[0], "JSON re-encoding"
    assert dumps_msgpack(from_msgpack) == expected[1], "MessagePack re-encoding"
    return expected


def _check_construction_paths(tp: type, value: Any, expected: tuple[bytes, bytes, str]) -> None:
    """Property 3: every way of building an equal value gives the same bytes."""
    spelled_json, _ = spell_out_defaults(value, "json")
    spelled_msgpack, _ = spell_out_defaults(value, "msgpack")
    built = {
        "constructor, every field explicit": type(value)(
            **{name: getattr(value, name) for name in value.__struct_fields__}
        ),
        "loads_json": loads_json(expected[0], tp),
        "loads_msgpack": loads_msgpack(expected[1], tp),
        "convert": convert(to_builtins(value), tp),
        "loads_json, defaults spelled out": loads_json(encode_tree(spelled_json, "json"), tp),
        "loads_msgpack, defaults spelled out": loads_msgpack(encode_tree(spelled_msgpack, "msgpack"), tp),
        "convert, defaults spelled out": convert(spelled_json, tp),
    }
    for path, other in built.items():
        assert other == value, path
        assert _wire(other) == expected, path


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    document = json_schema()
    schema = {"$schema": document["$schema"], "$ref": f"#/$defs/{name}", "$defs": document["$defs"]}
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _check_schema(tp: type, data_json: bytes) -> None:
    """Property 4: the JSON the codec writes is valid for the exported schema."""
    errors = [f"{e.json_path}: {e.message}" for e in _validator(tp.__name__).iter_errors(json.loads(data_json))]
    assert not errors, "schema"


def _check_unknown_fields(tp: type, value: Any, fmt: Any) -> None:
    """Property 5, in one format: inject an unknown field at each Struct in turn."""
    decode = loads_json if fmt == "json" else loads_msgpack
    tree = tree_of(value, fmt)
    expected = encode_tree(tree, fmt)
    for path, struct in struct_sites(value, tree):
        edited = encode_tree(inject_unknown(tree, path), fmt)
        config = struct.__struct_config__
        if not config.forbid_unknown_fields:
            decoded = decode(edited, tp)
            assert decoded == value, f"{fmt}: unknown field at {jsonpath(path)}"
            assert encode_tree(tree_of(decoded, fmt), fmt) == expected
            continue
        with pytest.raises(ContractValidationError) as caught:
            decode(edited, tp)
        (issue,) = caught.value.issues
        if config.array_like:
            assert (issue.kind, issue.path) == ("constraint", jsonpath(path))
            assert "at most length" in issue.message
        else:
            assert (issue.kind, issue.path) == ("unknown_field", jsonpath((*path, UNKNOWN_FIELD)))


@pytest.mark.parametrize("tp", ALL_TYPES, ids=_ids(ALL_TYPES))
def test_wire_properties(tp: type) -> None:
    # Properties 1-5 share one @given: drawing the values is most of the cost, and CI
    # runs this on four Pythons.
    registered = tp in CONTRACT_TYPES

    @given(strategy_for(tp))
    def check(value: Any) -> None:
        expected = _check_round_trips(tp, value)
        _check_construction_paths(tp, value, expected)
        if registered:
            _check_schema(tp, expected[0])
        for fmt in FORMATS:
            _check_unknown_fields(tp, value, fmt)

    check()


def test_strict_and_compat_types_are_both_registered() -> None:
    # Property 5 would pass vacuously if every type had the same base.
    modes = {t.__struct_config__.forbid_unknown_fields for t in CONTRACT_TYPES}
    assert modes == {True, False}


def _omits_defaults(tp: type) -> bool:
    fields = msgspec.structs.fields(tp)
    config = tp.__struct_config__
    return config.omit_defaults and not config.array_like and any(
        not f.required and f.default is not msgspec.UNSET for f in fields
    )


WITH_DEFAULTS = tuple(t for t in ALL_TYPES if _omits_defaults(t))


@pytest.mark.parametrize("tp", WITH_DEFAULTS, ids=_ids(WITH_DEFAULTS))
def test_spelling_out_defaults_is_exercised(tp: type) -> None:
    # Property 3 is only as strong as the defaults it writes out: every type with an
    # optional field gets at least one spelled out for its minimal instance.
    _, spelled = spell_out_defaults(representative(tp)["minimal"], "json")
    assert spelled > 0
