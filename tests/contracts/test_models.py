"""The canonical models: all registered, bases used as the issue demands, evolution rules kept."""

from __future__ import annotations

import datetime
import importlib
import json
import pkgutil
import typing
from typing import Any, Optional

import msgspec
import pytest

import artifact_contracts
import artifact_contracts.models
from artifact_contracts import (
    CONTRACT_TYPES,
    ContractValidationError,
    StructBaseCompat,
    StructBaseStrict,
    contract_hash,
    contract_type,
    dumps_json,
    dumps_msgpack,
    json_schema,
    loads_json,
    loads_msgpack,
)
from artifact_contracts.models import ArtifactEnvelope, DeltaScanConfig, DeltaWritePolicy, ScanTelemetry
from tests.contracts.schema_payloads import UNKNOWN_FIELD, PayloadGenerator

DOCUMENT = json_schema()  # read-only here: json_schema() deep-copies on every call
COMPAT = [cls.__name__ for cls in CONTRACT_TYPES if issubclass(cls, StructBaseCompat)]
STRICT = [cls.__name__ for cls in CONTRACT_TYPES if issubclass(cls, StructBaseStrict)]
ARRAY_LIKE = [cls for cls in CONTRACT_TYPES if cls.__struct_config__.array_like]
BASES = {StructBaseCompat, StructBaseStrict}


def struct_types(info: msgspec.inspect.Type, seen: set[int] | None = None) -> list[type[msgspec.Struct]]:
    """Every Struct type reachable from ``info``, itself included."""
    seen = set() if seen is None else seen
    if id(info) in seen:
        return []
    seen.add(id(info))
    found: list[type[msgspec.Struct]] = []
    if isinstance(info, msgspec.inspect.StructType):
        found.append(info.cls)
        for field in info.fields:
            found += struct_types(field.type, seen)
        return found
    for attr in ("type", "item_type", "key_type", "value_type"):
        child = getattr(info, attr, None)
        if isinstance(child, msgspec.inspect.Type):
            found += struct_types(child, seen)
    for child in (*(getattr(info, "types", ()) or ()), *(getattr(info, "item_types", ()) or ())):
        found += struct_types(child, seen)
    return found


def public_structs() -> set[type[msgspec.Struct]]:
    """Struct classes exported by the package root, ``models`` and every ``models`` submodule."""
    modules = [artifact_contracts, artifact_contracts.models]
    for module in pkgutil.iter_modules(artifact_contracts.models.__path__):
        if not module.name.startswith("_"):
            modules.append(importlib.import_module(f"artifact_contracts.models.{module.name}"))
    found = set()
    for module in modules:
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type) and issubclass(value, msgspec.Struct) and value not in BASES:
                found.add(value)
    return found


def strict_inside_compat(cls: type[msgspec.Struct]) -> list[str]:
    """The Strict types a Compat type holds anywhere in its fields."""
    if not issubclass(cls, StructBaseCompat):
        return []
    inner = struct_types(msgspec.inspect.type_info(cls))
    return sorted(t.__name__ for t in inner if issubclass(t, StructBaseStrict))


def unset_in_array_like(cls: type[msgspec.Struct]) -> list[str]:
    """Fields of an array-like Struct that default to, or admit, ``msgspec.UNSET``."""
    if not cls.__struct_config__.array_like:
        return []
    hints = typing.get_type_hints(cls, include_extras=True)
    bad = [name for name in cls.__struct_fields__ if "UnsetType" in repr(hints[name])]
    defaults = cls.__struct_defaults__
    fields = cls.__struct_fields__[len(cls.__struct_fields__) - len(defaults) :]
    bad += [name for name, default in zip(fields, defaults) if default is msgspec.UNSET]
    return sorted(set(bad))


# Deliberately broken types: each check below must catch one.
class Orphan(StructBaseCompat):
    x: int = 0


class Holder(StructBaseCompat):
    orphan: Optional[Orphan] = None


class Leaky(StructBaseCompat):
    policies: tuple[dict[str, DeltaWritePolicy], ...] = ()


class UnsetTelemetry(StructBaseCompat, array_like=True, gc=False):
    a: int = 0
    b: int | msgspec.UnsetType = msgspec.UNSET


class TestRegistration:
    def test_every_public_struct_is_registered(self) -> None:
        assert public_structs() - set(CONTRACT_TYPES) == set()

    def test_every_struct_a_contract_holds_is_registered(self) -> None:
        reachable = {t for cls in CONTRACT_TYPES for t in struct_types(msgspec.inspect.type_info(cls))}
        assert reachable - set(CONTRACT_TYPES) == set()

    def test_registered_types_are_sorted_unique_and_exported(self) -> None:
        names = [cls.__name__ for cls in CONTRACT_TYPES]
        assert names == sorted(set(names))
        assert artifact_contracts.CONTRACT_TYPES is CONTRACT_TYPES

    @pytest.mark.parametrize("cls", CONTRACT_TYPES, ids=lambda c: c.__name__)
    def test_every_type_derives_from_one_base(self, cls: type) -> None:
        assert issubclass(cls, StructBaseCompat) != issubclass(cls, StructBaseStrict)

    def test_the_scan_finds_an_unregistered_struct(self) -> None:
        assert Orphan in struct_types(msgspec.inspect.type_info(Holder))


class TestBases:
    @pytest.mark.parametrize("cls", CONTRACT_TYPES, ids=lambda c: c.__name__)
    def test_no_compat_type_holds_a_strict_type(self, cls: type[msgspec.Struct]) -> None:
        assert strict_inside_compat(cls) == []

    def test_the_check_catches_a_strict_type_inside_a_compat_one(self) -> None:
        assert strict_inside_compat(Leaky) == ["DeltaWritePolicy"]

    @pytest.mark.parametrize("name", ["EngineConfig", "PipelineSpec", "DeltaWritePolicy", "DeltaScanConfig"])
    def test_inputs_are_strict(self, name: str) -> None:
        assert issubclass(contract_type(name), StructBaseStrict)

    @pytest.mark.parametrize(
        "name",
        ["PlanArtifacts", "ViewArtifact", "RuntimeProfileSnapshot", "DeterminismAuditBundle", "DiagnosticsEvent",
         "CdfCursor", "DeltaWriteArtifact", "ScanTelemetry", "DeltaWritePolicySnapshot", "ArtifactEnvelope"],
    )  # fmt: skip
    def test_persisted_artifacts_are_compat(self, name: str) -> None:
        assert issubclass(contract_type(name), StructBaseCompat)


class TestTelemetry:
    def test_there_are_array_like_types(self) -> None:
        assert {cls.__name__ for cls in ARRAY_LIKE} >= {"ScanTelemetry", "WriteTelemetry"}

    @pytest.mark.parametrize("cls", ARRAY_LIKE, ids=lambda c: c.__name__)
    def test_array_like_types_never_use_unset(self, cls: type[msgspec.Struct]) -> None:
        assert unset_in_array_like(cls) == []

    @pytest.mark.parametrize("cls", ARRAY_LIKE, ids=lambda c: c.__name__)
    def test_array_like_types_are_gc_free_and_cache_their_hash(self, cls: type[msgspec.Struct]) -> None:
        config = cls.__struct_config__
        assert (config.gc, config.cache_hash, config.frozen) == (False, True, True)
        instance = loads_json(json.dumps([0] * len(json_schema()["$defs"][cls.__name__]["prefixItems"])), cls)
        assert hash(instance) == hash(instance)

    def test_the_check_catches_unset(self) -> None:
        assert unset_in_array_like(UnsetTelemetry) == ["b"]
        with pytest.raises((TypeError, NotImplementedError), match="UnsetType"):
            dumps_json(UnsetTelemetry())

    def test_encodes_positionally(self) -> None:
        telemetry = ScanTelemetry(fragment_count=2, row_group_count=3, count_rows=10)
        assert dumps_json(telemetry) == b"[2,3,10,null,0,0,0,0,0.0]"


MODES = [("min", 0), ("max", 0), ("random", 1), ("random", 2), ("random", 3)]


class TestUnknownFields:
    @pytest.mark.parametrize(("mode", "seed"), MODES)
    @pytest.mark.parametrize("name", COMPAT)
    def test_compat_types_skip_unknown_fields_at_any_depth(self, name: str, mode: Any, seed: int) -> None:
        plain = PayloadGenerator(DOCUMENT, mode, seed).for_type(name)
        generator = PayloadGenerator(DOCUMENT, mode, seed, unknown=True)
        extended = generator.for_type(name)
        assert json.dumps(extended).count(UNKNOWN_FIELD) + json.dumps(extended).count('"later"') >= 1
        target = contract_type(name)
        assert loads_json(json.dumps(extended), target) == loads_json(json.dumps(plain), target)

    @pytest.mark.parametrize(("mode", "seed"), MODES)
    @pytest.mark.parametrize("name", COMPAT)
    def test_compat_types_skip_unknown_fields_in_msgpack(self, name: str, mode: Any, seed: int) -> None:
        plain = PayloadGenerator(DOCUMENT, mode, seed, binary="ext").for_type(name)
        extended = PayloadGenerator(DOCUMENT, mode, seed, unknown=True, binary="ext").for_type(name)
        target = contract_type(name)
        assert loads_msgpack(dumps_msgpack(extended), target) == loads_msgpack(dumps_msgpack(plain), target)

    @pytest.mark.parametrize("name", STRICT)
    def test_strict_types_reject_an_unknown_field_naming_it(self, name: str) -> None:
        generator = PayloadGenerator(DOCUMENT, "max", 0)
        payload = generator.for_type(name)
        assert generator.struct_paths
        for path, _ in generator.struct_paths:
            mutant = json.loads(json.dumps(payload))
            node_at(mutant, path)["typo"] = 1
            with pytest.raises(ContractValidationError) as caught:
                loads_json(json.dumps(mutant), contract_type(name))
            (issue,) = caught.value.issues
            assert (issue.path, issue.kind) == (f"{path}.typo", "unknown_field")

    def test_the_path_names_the_nested_field(self) -> None:
        with pytest.raises(ContractValidationError, match="unknown field `typo`") as caught:
            loads_json(b'{"write_policy": {"typo": 1}}', contract_type("PipelineSpec"))
        assert caught.value.issues[0].path == "$.write_policy.typo"

    def test_strict_msgpack_rejects_too(self) -> None:
        with pytest.raises(ContractValidationError) as caught:
            loads_msgpack(
                dumps_msgpack({"tables": [{"name": "t", "path": "p", "typo": 1}]}), contract_type("PipelineSpec")
            )
        assert caught.value.issues[0].path == "$.tables[0].typo"


def node_at(payload: Any, path: str) -> Any:
    node = payload
    for token in path[1:].replace("[", ".[").split("."):
        if token:
            node = node[int(token[1:-1])] if token.startswith("[") else node[token]
    return node


class TestCrossFieldRules:
    @pytest.mark.parametrize(
        ("name", "payload", "valid"),
        [
            ("DeltaScanConfig", {"version": 1, "timestamp": "2026-01-01T00:00:00Z"}, False),
            ("DeltaScanConfig", {"version": 1}, True),
            ("DeltaScanConfigSnapshot", {"version": 1, "timestamp": "2026-01-01T00:00:00Z"}, True),
            ("DeltaWritePolicy", {"stats_policy": "explicit"}, False),
            ("DeltaWritePolicy", {"stats_policy": "explicit", "stats_columns": []}, False),
            ("DeltaWritePolicy", {"stats_columns": ["a"]}, False),
            ("DeltaWritePolicy", {"stats_policy": "off", "stats_columns": ["a"]}, False),
            ("DeltaWritePolicy", {"stats_policy": "explicit", "stats_columns": ["a"]}, True),
            ("DeltaWritePolicySnapshot", {"stats_columns": ["a"]}, True),
        ],
    )
    def test_schema_and_decoder_agree(self, name: str, payload: dict[str, Any], valid: bool) -> None:
        from tests.contracts.test_registry import VALIDATORS

        assert VALIDATORS[name].is_valid(payload) is valid
        if valid:
            loads_json(json.dumps(payload), contract_type(name))
        else:
            with pytest.raises(ContractValidationError):
                loads_json(json.dumps(payload), contract_type(name))

    def test_the_constructor_enforces_them_too(self) -> None:
        with pytest.raises(ValueError, match="not both"):
            DeltaScanConfig(version=1, timestamp=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc))


class TestEnvelope:
    @pytest.mark.parametrize("cls", typing.get_args(artifact_contracts.models.Artifact), ids=lambda c: c.__name__)
    def test_every_artifact_kind_round_trips_through_the_envelope(self, cls: type[msgspec.Struct]) -> None:
        artifact = PayloadGenerator(DOCUMENT, "max", 0).for_type(cls.__name__)
        payload = {
            "contract_version": artifact_contracts.__version__,
            "contract_hash": contract_hash(),
            "artifact": artifact,
        }
        envelope = loads_json(json.dumps(payload), ArtifactEnvelope)
        assert type(envelope.artifact) is cls
        assert loads_msgpack(dumps_msgpack(envelope), ArtifactEnvelope) == envelope
        assert envelope.contract_hash == contract_hash()

    def test_envelope_stamps_this_release(self) -> None:
        from artifact_contracts.models import CdfCursor
        from artifact_contracts.registry import envelope

        wrapped = envelope(CdfCursor(consumer="c", table_uri="t"))
        assert (wrapped.contract_version, wrapped.contract_hash) == (artifact_contracts.__version__, contract_hash())
        decoded = loads_json(dumps_json(wrapped), ArtifactEnvelope)
        assert decoded == wrapped and isinstance(decoded.artifact, CdfCursor)
        assert json.loads(dumps_json(wrapped))["artifact"]["kind"] == "cdf_cursor"

    def test_kinds_are_distinct_and_tagged_on_kind(self) -> None:
        members = typing.get_args(artifact_contracts.models.Artifact)
        tags = [m.__struct_config__.tag for m in members]
        assert len(set(tags)) == len(tags)
        assert {m.__struct_config__.tag_field for m in members} == {"kind"}

    def test_an_unknown_kind_is_rejected_with_its_path(self) -> None:
        payload = {"contract_version": "0.1.0", "contract_hash": contract_hash(), "artifact": {"kind": "nope"}}
        with pytest.raises(ContractValidationError, match="Invalid value 'nope'") as caught:
            loads_json(json.dumps(payload), ArtifactEnvelope)
        assert caught.value.issues[0].path == "$.artifact.kind"


@pytest.mark.parametrize(
    "module",
    ["artifact_contracts.models.plan", "artifact_contracts.models", "artifact_contracts.registry",
     "artifact_contracts.export", "artifact_contracts.cli", "artifact_contracts.errors"],
)  # fmt: skip
def test_each_module_imports_first_in_a_fresh_process(module: str) -> None:
    # The root imports the registry, which imports the models, which import base and errors: no cycle.
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
