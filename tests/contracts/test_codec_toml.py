"""``loads_toml``: the human-written inputs (EngineConfig, PipelineSpec) from TOML."""

from __future__ import annotations

import datetime
import json
import sys
from typing import Any

import pytest

from artifact_contracts import (
    ContractDecodeError,
    ContractError,
    ContractValidationError,
    DecodeLimits,
    SubstraitBytes,
    loads_json,
    loads_toml,
    set_decode_limits,
)
from artifact_contracts.models import CdfCursor, EngineConfig, PipelineSpec

PIPELINE_TOML = """
tpch_scale = 0.01

[engine]
target_partitions = 2
batch_size = 4096

[engine.settings]
"datafusion.optimizer.max_passes" = "3"

[[tables]]
name = "events"
path = "warehouse/events"

[[tables]]
name = "raw"
path = "data/raw.parquet"
format = "parquet"

[[views]]
name = "recent"
sql = "SELECT * FROM events WHERE day > '2026-01-01'"

[[queries]]
name = "q1"
sql = "SELECT count(*) FROM recent"

[write_policy]
mode = "overwrite"
partition_by = ["day"]
stats_policy = "explicit"
stats_columns = ["day", "user_id"]
target_file_size = 134217728

[protocol_gate]
max_reader_version = 1
"""

PIPELINE_JSON: dict[str, Any] = {
    "tpch_scale": 0.01,
    "engine": {"target_partitions": 2, "batch_size": 4096, "settings": {"datafusion.optimizer.max_passes": "3"}},
    "tables": [
        {"name": "events", "path": "warehouse/events"},
        {"name": "raw", "path": "data/raw.parquet", "format": "parquet"},
    ],
    "views": [{"name": "recent", "sql": "SELECT * FROM events WHERE day > '2026-01-01'"}],
    "queries": [{"name": "q1", "sql": "SELECT count(*) FROM recent"}],
    "write_policy": {
        "mode": "overwrite",
        "partition_by": ["day"],
        "stats_policy": "explicit",
        "stats_columns": ["day", "user_id"],
        "target_file_size": 134217728,
    },
    "protocol_gate": {"max_reader_version": 1},
}


class TestDecodes:
    @pytest.mark.parametrize("data", [PIPELINE_TOML, PIPELINE_TOML.encode(), bytearray(PIPELINE_TOML.encode())])
    def test_pipeline_spec_from_toml_equals_the_json_one(self, data: Any) -> None:
        from_toml = loads_toml(data, PipelineSpec)
        assert from_toml == loads_json(json.dumps(PIPELINE_JSON), PipelineSpec)
        assert from_toml.write_policy.stats_columns == ("day", "user_id")

    def test_engine_config_alone(self) -> None:
        assert loads_toml("target_partitions = 16", EngineConfig) == EngineConfig(target_partitions=16)

    def test_empty_document_gives_defaults(self) -> None:
        assert loads_toml("", PipelineSpec) == PipelineSpec()

    def test_untyped(self) -> None:
        assert loads_toml("a = [1, 2]\n[b]\nc = true") == {"a": [1, 2], "b": {"c": True}}

    def test_toml_datetimes_feed_datetime_fields(self) -> None:
        cursor = loads_toml('consumer = "c"\ntable_uri = "t"\nupdated_at = 2026-01-01T01:00:00+01:00', CdfCursor)
        assert cursor.updated_at == datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)

    def test_binary_payloads_are_base64(self) -> None:
        assert loads_toml('p = "cGxhbg=="', dict[str, SubstraitBytes]) == {"p": SubstraitBytes(b"plan")}


class TestErrors:
    @pytest.mark.parametrize(
        ("document", "path", "kind", "message"),
        [
            ("[write_policy]\ntypo = 1", "$.write_policy.typo", "unknown_field", "unknown field `typo`"),
            ('[[tables]]\nname = "t"', "$.tables[0].path", "missing_field", "missing required field `path`"),
            ("[engine]\ntarget_partitions = 0", "$.engine.target_partitions", "constraint", ">= 1"),
            ('[engine]\ntarget_partitions = "4"', "$.engine.target_partitions", "type_mismatch", "got `str`"),
            ('[write_policy]\nstats_policy = "explicit"', "$.write_policy", "invalid_value", "explicit"),
            ('[engine.settings]\n"spark.x" = "1"', "$.engine.settings", "constraint", "(in a map key)"),
        ],
    )
    def test_validation_issues_carry_a_path(self, document: str, path: str, kind: str, message: str) -> None:
        with pytest.raises(ContractValidationError) as caught:
            loads_toml(document, PipelineSpec)
        (issue,) = caught.value.issues
        assert (issue.path, issue.kind) == (path, kind)
        assert message in issue.message

    def test_naive_datetime_is_rejected(self) -> None:
        with pytest.raises(ContractValidationError, match="timezone") as caught:
            loads_toml('consumer = "c"\ntable_uri = "t"\nupdated_at = 2026-01-01T01:00:00', CdfCursor)
        assert caught.value.issues[0].path == "$.updated_at"

    @pytest.mark.parametrize(
        ("data", "match"),
        [
            ("[engine", "invalid TOML"),
            ("a = 1\na = 2", "invalid TOML"),
            (b'a = "\xff"', "Invalid UTF-8 encoded string"),
            ("a = " + "[" * 50_000 + "]" * 50_000, "too deep|invalid TOML|nesting"),
        ],
    )
    def test_malformed_documents_are_decode_errors(self, data: Any, match: str) -> None:
        with pytest.raises(ContractDecodeError, match=match) as caught:
            loads_toml(data, PipelineSpec)
        assert caught.value.issues[0].path == "$"

    @pytest.mark.parametrize("data", [None, 42, ["a = 1"]])
    def test_non_text_input_is_a_decode_error(self, data: Any) -> None:
        with pytest.raises(ContractDecodeError, match="expected a bytes-like payload"):
            loads_toml(data, PipelineSpec)

    def test_size_limit_applies(self) -> None:
        previous = set_decode_limits(DecodeLimits(max_bytes=16))
        try:
            with pytest.raises(ContractDecodeError, match=r"limit|large|bytes"):
                loads_toml("target_partitions = 4  # a comment", EngineConfig)
        finally:
            set_decode_limits(previous)


class TestLimits:
    """The depth limit holds before tomllib runs, and memory stays linear in the document."""

    @pytest.mark.parametrize(
        "document",
        [
            "a" + ".a" * 100_000 + " = 1",  # the quadratic dotted key: 200 KB took 23 GiB
            "[" + "a." * 100_000 + "a]",
            "[[" + "a." * 100_000 + "a]]",
            "x = " + "[" * 300 + "]" * 300,
            "x = " + "{a = " * 300 + "1" + "}" * 300,
            "[" + "a." * 200 + "a]\n" + "b." * 100 + "c = 1",  # header and key add up
        ],
    )
    def test_deep_documents_are_refused_before_parsing(self, document: str) -> None:
        with pytest.raises(ContractDecodeError, match="nesting deeper than the limit of 256") as caught:
            loads_toml(document)
        assert caught.value.issues[0].kind == "too_deep"

    @pytest.mark.parametrize(
        "document",
        [
            "a" + ".a" * 254 + " = 1",  # 256 levels with the document's own table
            "[" + "a." * 254 + "a]",
            "\"a.b.c.d.e.f.g\" = 1\nx = \"[[[[{{{{....]]]\"\n# [a.b.c.d] {{{ [[[\ny = '''\n[x.y.z]\n'''",
            "x = [1.5, 2.5, 3.5, " + ", ".join(["0.5"] * 500) + "]",
            "t = {a = 1, b = {c = [1, {d = 2}]}, e.f = 3}\n[u]\nv = {}\n",
        ],
    )
    def test_documents_within_the_limit_decode(self, document: str) -> None:
        tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")

        assert loads_toml(document) == tomllib.loads(document)

    def test_peak_memory_is_linear_in_the_document(self) -> None:
        import tracemalloc

        def peak(lines: int) -> int:
            # The worst case measured: 255-deep dotted keys, each creating new tables.
            document = "".join(f"k{i}" + ".a" * 253 + " = 1\n" for i in range(lines))
            tracemalloc.start()
            loads_toml(document)
            size = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            return size // len(document)

        small, large = peak(20), peak(80)
        assert large < 1.3 * small, (small, large)  # per byte: flat, not growing
        assert large < 1000  # SECURITY.md: ~650 bytes per byte

    def test_the_toml_size_limit_is_its_own(self) -> None:
        previous = set_decode_limits(DecodeLimits(max_toml_bytes=8))
        try:
            with pytest.raises(ContractDecodeError, match="exceeds the limit of 8"):
                loads_toml("a = 12345")
            assert loads_json(b'{"a": 12345}') == {"a": 12345}
        finally:
            set_decode_limits(previous)

    def test_convert_applies_the_depth_limit(self) -> None:
        from artifact_contracts import convert

        deep: Any = 1
        for _ in range(100_000):
            deep = [deep]
        with pytest.raises(ContractDecodeError, match="nesting deeper than the limit"):
            convert(deep, Any)
        with pytest.raises(ContractDecodeError, match="nesting deeper than the limit"):
            convert({"settings": deep}, EngineConfig)
        looped: list[Any] = []
        looped.append(looped)
        with pytest.raises(ContractError):
            convert(looped, Any)
