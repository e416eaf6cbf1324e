"""The registry's exports: valid documents, deterministic, and faithful to the decoders."""

from __future__ import annotations

import base64
import datetime
import json
import re
import subprocess
import sys
from typing import Any

import jsonschema
import msgspec
import pytest
from hypothesis import given, strategies as st
from openapi_spec_validator import validate as validate_openapi

import artifact_contracts
from artifact_contracts import (
    CONTRACT_TYPES,
    ContractError,
    contract_hash,
    contract_type,
    dumps_json,
    dumps_msgpack,
    fingerprint,
    json_schema,
    loads_json,
    loads_msgpack,
    openapi,
)
from artifact_contracts.registry import JSON_SCHEMA_DIALECT
from tests.contracts.schema_payloads import PayloadGenerator

DOCUMENT = json_schema()  # read-only here: json_schema() deep-copies on every call
NAMES = [cls.__name__ for cls in CONTRACT_TYPES]
FORMAT_CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER


def validator_for(name: str) -> jsonschema.Draft202012Validator:
    document = {"$schema": JSON_SCHEMA_DIALECT, "$defs": json_schema()["$defs"], "$ref": f"#/$defs/{name}"}
    return jsonschema.Draft202012Validator(document, format_checker=FORMAT_CHECKER)


VALIDATORS = {name: validator_for(name) for name in NAMES}


def decode(name: str, payload: Any) -> Any:
    """Decode stdlib-encoded JSON (independent of the codec) into the registered type."""
    return loads_json(json.dumps(payload).encode(), contract_type(name))


def plain_json_only(value: Any, path: str = "$") -> list[str]:
    """Paths holding anything but dict/list/str/int/float/bool/None."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in plain_json_only(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in plain_json_only(v, f"{path}[{i}]")]
    return [] if value is None or type(value) in (str, int, float, bool) else [path]


def test_the_validator_checks_date_times() -> None:
    # Without rfc3339-validator, jsonschema skips `format: date-time` and the agreement tests lose teeth.
    assert "date-time" in FORMAT_CHECKER.checkers
    assert not VALIDATORS["CdfCursor"].is_valid(
        {"kind": "cdf_cursor", "consumer": "c", "table_uri": "t", "updated_at": "x"}
    )


class TestDocuments:
    def test_json_schema_passes_the_2020_12_metaschema(self) -> None:
        document = json_schema()
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.Draft202012Validator.check_schema(document)
        assert jsonschema.validators.validator_for(document) is jsonschema.Draft202012Validator

    def test_openapi_passes_the_spec_validator(self) -> None:
        document = openapi()
        validate_openapi(document)
        assert document["openapi"].startswith("3.1.")
        assert document["info"]["version"] == artifact_contracts.__version__

    def test_both_documents_hold_every_registered_type(self) -> None:
        assert sorted(json_schema()["$defs"]) == sorted(NAMES)
        assert sorted(openapi()["components"]["schemas"]) == sorted(NAMES)

    def test_openapi_components_are_the_json_schema_defs(self) -> None:
        as_defs = json.dumps(openapi()["components"]["schemas"]).replace("#/components/schemas/", "#/$defs/")
        assert json.loads(as_defs) == json_schema()["$defs"]

    @pytest.mark.parametrize("export", [json_schema, openapi])
    def test_documents_are_plain_json(self, export: Any) -> None:
        assert plain_json_only(export()) == []

    @pytest.mark.parametrize("export", [json_schema, openapi])
    def test_documents_are_fresh_copies(self, export: Any) -> None:
        first = export()
        first["$defs" if "$defs" in first else "components"].clear()
        assert export() != first

    def test_documents_are_identical_in_a_fresh_process(self) -> None:
        code = (
            "import sys; from artifact_contracts import dumps_json, json_schema, openapi, contract_hash;"
            "sys.stdout.buffer.write(dumps_json([json_schema(), openapi(), contract_hash()]))"
        )
        env_runs = [
            subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, env=env).stdout
            for env in ({"PYTHONHASHSEED": "1", **_env()}, {"PYTHONHASHSEED": "2", **_env()})
        ]
        here = dumps_json([json_schema(), openapi(), contract_hash()])
        assert env_runs[0] == env_runs[1] == here

    def test_every_component_and_field_has_a_description(self) -> None:
        missing = []
        for name, component in json_schema()["$defs"].items():
            if not component.get("description"):
                missing.append(name)
            fields = component.get("properties") or dict(
                zip(component.get("x-fields", ()), component.get("prefixItems", ()))
            )
            missing += [f"{name}.{f}" for f, schema in fields.items() if not schema.get("description")]
        assert missing == []

    @pytest.mark.parametrize(
        ("component", "field", "code", "media"),
        [
            ("PlanArtifacts", "substrait", 10, "substrait.Plan"),
            ("PlanArtifacts", "datafusion_proto", 11, "datafusion.LogicalPlanNode"),
        ],
    )
    def test_ext_payloads_are_base64_with_their_ext_code(
        self, component: str, field: str, code: int, media: str
    ) -> None:
        schema = json_schema()["$defs"][component]["properties"][field]
        (payload,) = [b for b in schema["anyOf"] if b.get("type") == "string"]
        assert payload["contentEncoding"] == "base64"
        assert payload["x-msgpack-ext-code"] == code
        assert media in payload["contentMediaType"]

    @pytest.mark.parametrize("name", NAMES)
    def test_components_are_annotated_with_base_and_shape(self, name: str) -> None:
        cls = contract_type(name)
        component = json_schema()["$defs"][name]
        strict = issubclass(cls, artifact_contracts.StructBaseStrict)
        assert component["x-contract-base"] == ("strict" if strict else "compat")
        config = cls.__struct_config__
        assert component.get("x-array-like", False) == config.array_like
        if config.array_like:
            assert component["x-fields"] == list(cls.__struct_encode_fields__)
        if config.tag is not None:
            assert (component["x-tag-field"], component["x-tag"]) == (config.tag_field, config.tag)
        if strict and not config.array_like:
            assert component["additionalProperties"] is False
        else:
            assert "additionalProperties" not in component


class TestContractHash:
    def test_is_the_fingerprint_of_the_exported_defs(self) -> None:
        assert contract_hash() == fingerprint(json_schema()["$defs"])

    def test_ignores_the_document_envelope(self) -> None:
        # The release version is outside $defs: a release changing no contract keeps its hash.
        assert artifact_contracts.__version__ not in json.dumps(json_schema()["$defs"])

    def test_changes_when_a_contract_changes(self) -> None:
        defs = json_schema()["$defs"]
        defs["ExplainRow"]["properties"]["plan"]["maxLength"] = 1
        assert fingerprint(defs) != contract_hash()

    def test_does_not_depend_on_the_python_version(self) -> None:
        # Python 3.13 dedents docstrings at compile time; the descriptions taken from them
        # must read the same on every version, or so would not the hash.
        indented = [
            name
            for name, component in json_schema()["$defs"].items()
            if any(line.startswith(" ") for line in component.get("description", "").split("\n"))
        ]
        assert not indented


class TestContractType:
    @pytest.mark.parametrize("name", NAMES)
    def test_finds_each_registered_type(self, name: str) -> None:
        assert contract_type(name).__name__ == name

    def test_unknown_name_is_a_key_error(self) -> None:
        with pytest.raises(KeyError, match="no contract type named 'Nope'"):
            contract_type("Nope")


MODES = [("min", 0), ("max", 0), *(("random", seed) for seed in range(6))]


class TestSchemaAndDecoderAgree:
    """A payload the schema accepts, the decoder accepts; what the encoder writes, the schema accepts."""

    @pytest.mark.parametrize(("mode", "seed"), MODES)
    @pytest.mark.parametrize("name", NAMES)
    def test_schema_generated_payloads_decode_and_reencode_valid(self, name: str, mode: Any, seed: int) -> None:
        payload = PayloadGenerator(DOCUMENT, mode, seed).for_type(name)
        VALIDATORS[name].validate(payload)
        value = decode(name, payload)
        written = json.loads(dumps_json(value))
        VALIDATORS[name].validate(written)
        # Both wire formats give back the equal value and the same bytes.
        assert loads_json(dumps_json(value), type(value)) == value
        assert loads_msgpack(dumps_msgpack(value), type(value)) == value
        assert dumps_json(decode(name, written)) == dumps_json(value)

    @pytest.mark.parametrize("name", NAMES)
    def test_payloads_from_any_seed_decode(self, name: str) -> None:
        # Hypothesis picks the seeds (and reports a failing one); the schema alone shapes the payload.
        @given(seed=st.integers(min_value=0, max_value=2**64 - 1))
        def check(seed: int) -> None:
            payload = PayloadGenerator(DOCUMENT, "random", seed).for_type(name)
            VALIDATORS[name].validate(payload)
            VALIDATORS[name].validate(json.loads(dumps_json(decode(name, payload))))

        check()

    @pytest.mark.parametrize("name", NAMES)
    def test_mutated_payloads_get_the_same_verdict(self, name: str) -> None:
        """Break a valid payload in many ways: the schema and the decoder agree on each."""
        generator = PayloadGenerator(DOCUMENT, "max", 0)
        payload = generator.for_type(name)
        disagreements = []
        for where, mutant, original, wrong in mutants(payload):
            if integral_float_for_int(original, wrong):
                continue  # the one documented gap, pinned by its own test below
            schema_ok = VALIDATORS[name].is_valid(mutant)
            try:
                decode(name, mutant)
                decoder_ok = True
            except ContractError:
                decoder_ok = False
            if schema_ok and not decoder_ok:
                disagreements.append(f"schema accepts, decoder rejects: {where}")
            if decoder_ok and not schema_ok:
                disagreements.append(f"decoder accepts, schema rejects: {where}")
        assert disagreements == []

    @pytest.mark.parametrize("spelling", ["1.0", "-0.0", "1e0"])
    def test_integral_floats_for_integers_are_the_documented_gap(self, spelling: str) -> None:
        # JSON Schema counts 1.0 as an integer; the decoder wants the integer spelling.
        assert VALIDATORS["SubstraitValidation"].is_valid(
            {"roundtrip_ok": True, "extension_count": json.loads(spelling)}
        )
        with pytest.raises(ContractError, match="Expected `int`, got `float`"):
            loads_json(f'{{"roundtrip_ok": true, "extension_count": {spelling}}}', contract_type("SubstraitValidation"))

    def test_a_union_requires_the_tag_and_a_lone_type_does_not(self) -> None:
        # msgspec decodes a tagged Struct on its own without its tag; a union needs it.
        envelope = PayloadGenerator(DOCUMENT, "min", 0).for_type("ArtifactEnvelope")
        del envelope["artifact"]["kind"]
        assert not VALIDATORS["ArtifactEnvelope"].is_valid(envelope)
        with pytest.raises(ContractError, match="missing required field `kind`"):
            decode("ArtifactEnvelope", envelope)
        cursor = PayloadGenerator(DOCUMENT, "max", 0).for_type("CdfCursor")
        del cursor["kind"]
        assert VALIDATORS["CdfCursor"].is_valid(cursor)
        decode("CdfCursor", cursor)


def integral_float_for_int(original: Any, wrong: Any) -> bool:
    return type(original) is int and type(wrong) is float and wrong.is_integer()


WRONG_VALUES: list[Any] = [None, True, -1, 0, 2**64, 1.5, -0.0, 1.0, "", "x" * 300, [], {}, [None], {"k": None}]


def mutants(payload: Any) -> list[tuple[str, Any, Any, Any]]:
    """Copies of ``payload`` with one location replaced or removed: (where, copy, old, new)."""
    found: list[tuple[str, Any, Any, Any]] = []

    def visit(node: Any, path: str, replace: Any) -> None:
        for wrong in WRONG_VALUES:
            found.append((f"{path} = {wrong!r:.20}", replace(wrong), node, wrong))
        if isinstance(node, dict):
            for key in list(node):
                mutant = copy_without(payload, path, key)
                found.append((f"drop {path}.{key}", mutant, node[key], None))
                visit(node[key], f"{path}.{key}", lambda v, k=key, n=node: substitute(n, k, v))
        elif isinstance(node, list):
            for i in range(len(node)):
                visit(node[i], f"{path}[{i}]", lambda v, i=i, n=node: substitute(n, i, v))

    def substitute(container: Any, key: Any, value: Any) -> Any:
        saved = container[key]
        container[key] = value
        try:
            return json.loads(json.dumps(payload))
        finally:
            container[key] = saved

    visit(payload, "$", lambda v: v)
    return found


def copy_without(payload: Any, path: str, key: str) -> Any:
    mutant = json.loads(json.dumps(payload))
    node = mutant
    for part in _split(path):
        node = node[part]
    del node[key]
    return mutant


def _split(path: str) -> list[Any]:
    parts: list[Any] = []
    for token in path[1:].replace("[", ".[").split("."):
        if not token:
            continue
        parts.append(int(token[1:-1]) if token.startswith("[") else token)
    return parts


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"}


def test_registered_structs_decode_through_msgspec_inspect() -> None:
    # Every registered type is describable, so schema and strategies can be derived from it.
    for cls in CONTRACT_TYPES:
        assert isinstance(msgspec.inspect.type_info(cls), msgspec.inspect.StructType)


_B64_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n"
_RFC3339_CHARS = "0123456789-:T tZz+.x"
_B64_TEXTS = st.text(alphabet=_B64_CHARS, max_size=12) | st.binary(max_size=9).map(
    lambda b: base64.b64encode(b).decode()
)


def _accepts(target: Any, text: str) -> bool:
    try:
        loads_json(json.dumps(text), target)
    except ContractError:
        return False
    return True


class TestSchemaTightness:
    """The patterns the export adds say exactly what the decoders accept."""

    @given(_B64_TEXTS)
    def test_canonical_base64_is_what_the_payload_types_take(self, text: str) -> None:
        from artifact_contracts import SubstraitBytes
        from artifact_contracts.registry import CANONICAL_BASE64

        assert (re.search(CANONICAL_BASE64, text) is not None) is _accepts(SubstraitBytes, text), text

    @given(_B64_TEXTS)
    def test_base64_is_what_bytes_fields_take(self, text: str) -> None:
        from artifact_contracts.registry import BASE64

        assert (re.search(BASE64, text) is not None) is _accepts(bytes, text), text

    @given(
        st.datetimes(timezones=st.just(datetime.timezone.utc)).map(lambda d: d.isoformat())
        | st.text(alphabet=_RFC3339_CHARS, min_size=18, max_size=30)
        | st.sampled_from(["2026-01-01T00:00:00+0100", "2026-01-01t00:00:00z", "2026-01-01 00:00:00.12345Z",
                           "0000-01-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00", "2026-13-01T00:00Z"])
    )  # fmt: skip
    def test_rfc3339_is_what_aware_datetimes_take(self, text: str) -> None:
        from artifact_contracts.models.types import UtcDateTime
        from artifact_contracts.registry import RFC3339_AWARE

        matches = re.search(RFC3339_AWARE, text) is not None
        if matches and not _accepts(UtcDateTime, text):
            assert _calendar_gap(text), text  # the listed gap: a pattern cannot count days
            return
        assert matches is _accepts(UtcDateTime, text), text

    def test_every_base64_and_date_time_string_has_its_pattern(self) -> None:
        found = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if node.get("contentEncoding") == "base64" or node.get("format") == "date-time":
                    found.append(node.get("pattern"))
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(DOCUMENT["$defs"])
        assert found and None not in found


def _calendar_gap(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text[:10])
    except ValueError:
        return True
    return False


SCHEMA_GAPS = {
    # name: (the schema accepts it, the decoder refuses it) for one field of one type
    "integral float for an integer": ("SubstraitValidation", {"roundtrip_ok": True, "extension_count": 1.0}),
    "a day the calendar lacks": (
        "CdfCursor",
        {"consumer": "c", "table_uri": "t", "updated_at": "2026-02-30T00:00:00Z"},
    ),
    "a lone surrogate": ("LibraryVersion", {"name": "n", "version": "\ud800"}),
}


@pytest.mark.parametrize("gap", SCHEMA_GAPS, ids=list(SCHEMA_GAPS))
def test_each_listed_gap_is_still_a_gap(gap: str) -> None:
    # The registry docstring lists these; a gap that closes must leave the list.
    name, payload = SCHEMA_GAPS[gap]
    # As 2020-12 validates by default: `format` annotates, it asserts nothing.
    plain = jsonschema.Draft202012Validator({"$ref": f"#/$defs/{name}", "$defs": DOCUMENT["$defs"]})
    assert plain.is_valid(payload)
    text = json.dumps(payload)  # ASCII, so the surrogate travels as the escape \ud800
    with pytest.raises(ContractError, match=r"Expected `int`|Invalid RFC3339|invalid|truncated|malformed"):
        loads_json(text, contract_type(name))
