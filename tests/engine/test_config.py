from __future__ import annotations

from pathlib import Path

import pytest

from artifact_contracts import ContractDecodeError, ContractValidationError
from artifact_contracts.models import EngineConfig, PipelineSpec
from engine_app.config import load_engine_config, load_pipeline_spec

pytestmark = pytest.mark.engine


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("c.toml", "target_partitions = 3\nbatch_size = 1024\n", EngineConfig(target_partitions=3, batch_size=1024)),
        (
            "c.json",
            '{"target_partitions": 3, "settings": {"datafusion.optimizer.max_passes": "2"}}',
            EngineConfig(target_partitions=3, settings={"datafusion.optimizer.max_passes": "2"}),
        ),
        ("c.toml", "", EngineConfig()),
    ],
)
def test_engine_config_from_toml_and_json(tmp_path: Path, name: str, text: str, expected: EngineConfig) -> None:
    path = tmp_path / name
    path.write_text(text)
    assert load_engine_config(path) == expected


@pytest.mark.parametrize(
    ("name", "text", "path", "kind"),
    [
        ("c.toml", "target_partitons = 3\n", "$.target_partitons", "unknown_field"),
        ("c.toml", "target_partitions = 0\n", "$.target_partitions", "constraint"),
        ("c.json", '{"target_partitions": "4"}', "$.target_partitions", "type_mismatch"),
        ("c.toml", '[settings]\n"optimizer.max_passes" = "2"\n', "$.settings", "constraint"),
    ],
)
def test_bad_engine_config_names_the_field(tmp_path: Path, name: str, text: str, path: str, kind: str) -> None:
    file = tmp_path / name
    file.write_text(text)
    with pytest.raises(ContractValidationError) as caught:
        load_engine_config(file)
    [issue] = caught.value.issues
    assert issue.path == path
    assert issue.kind == kind


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('[[tables]]\nname = "t"\npath = "x"\nformt = "delta"\n', "$.tables[0].formt"),
        ('[[tables]]\nname = "t"\npath = "x"\nformat = "csv"\n', "$.tables[0].format"),
        ('[[views]]\nname = "bad name"\nsql = "SELECT 1"\n', "$.views[0].name"),
        ("tpch_scale = -1.0\n", "$.tpch_scale"),
        ("[engine]\nbatch_size = 0\n", "$.engine.batch_size"),
    ],
)
def test_bad_spec_names_the_field(tmp_path: Path, text: str, path: str) -> None:
    file = tmp_path / "spec.toml"
    file.write_text(text)
    with pytest.raises(ContractValidationError) as caught:
        load_pipeline_spec(file)
    assert [issue.path for issue in caught.value.issues] == [path]


def test_spec_round_trip(tmp_path: Path) -> None:
    file = tmp_path / "spec.toml"
    file.write_text('tpch_scale = 0.001\n[[queries]]\nname = "q"\nsql = "SELECT 1"\n')
    spec = load_pipeline_spec(file)
    assert isinstance(spec, PipelineSpec)
    assert spec.tpch_scale == 0.001
    assert spec.queries[0].sql == "SELECT 1"


@pytest.mark.parametrize(("name", "text"), [("c.toml", "x = ["), ("c.json", "{"), ("c.toml", b"\xff\xfe")])
def test_malformed_files_are_decode_errors(tmp_path: Path, name: str, text: str | bytes) -> None:
    file = tmp_path / name
    file.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ContractDecodeError):
        load_engine_config(file)


def test_missing_file_is_a_decode_error(tmp_path: Path) -> None:
    with pytest.raises(ContractDecodeError, match="cannot read"):
        load_engine_config(tmp_path / "missing.toml")
