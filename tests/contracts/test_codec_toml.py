"""``loads_toml``: the human-written inputs (EngineConfig, PipelineSpec) from TOML."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from artifact_contracts import (
    ContractDecodeError,
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
            (b'a = "\xff"', "invalid UTF-8"),
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
