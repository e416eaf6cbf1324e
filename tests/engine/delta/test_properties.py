from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from artifact_contracts import dumps_json, loads_json
from artifact_contracts.models import (
    DeltaSchemaPolicy,
    DeltaWriteArtifact,
    DeltaWritePolicy,
    DeltaWritePolicySnapshot,
)
from engine_app.delta import (
    FINGERPRINT_KEY,
    WRITE_ID_KEY,
    delta_properties,
    engine_properties,
    policies_from_table,
    policy_fingerprint,
    snapshots,
    write_table,
)
from engine_app.stores import WriteArtifactStore

pytestmark = pytest.mark.engine

DATA = pa.table(
    {
        "id": pa.array(range(400), pa.int64()),
        "region": pa.array(["eu", "us"] * 200),
        "k": pa.array([i % 13 for i in range(400)], pa.int64()),
        "v": pa.array([i / 4 for i in range(400)]),
    }
)

POLICIES = [
    (DeltaWritePolicy(), DeltaSchemaPolicy()),
    (
        DeltaWritePolicy(
            partition_by=("region",),
            zorder_by=("k", "id"),
            target_file_size=2_000_000,
            max_rows_per_group=64,
            stats_policy="explicit",
            stats_columns=("id", "k"),
            compression="gzip",
            compression_level=6,
            change_data_feed=True,
        ),
        DeltaSchemaPolicy(schema_mode="merge", required_columns=("id",), non_nullable_columns=("id", "k")),
    ),
    (
        DeltaWritePolicy(mode="overwrite", stats_policy="off", compression="snappy"),
        DeltaSchemaPolicy(schema_mode="overwrite"),
    ),
]


@pytest.mark.parametrize(("write_policy", "schema_policy"), POLICIES)
def test_policy_round_trips_through_table_properties_into_the_artifact(
    tmp_path: Path, write_policy: DeltaWritePolicy, schema_policy: DeltaSchemaPolicy
) -> None:
    artifact = write_table(tmp_path / "t", DATA, write_policy, schema_policy, warehouse=tmp_path)
    table = DeltaTable(str(tmp_path / "t"))
    write_back, schema_back, recorded = policies_from_table(table, mode=write_policy.mode)

    assert (write_back, schema_back) == (artifact.write_policy, artifact.schema_policy)
    assert (write_back, schema_back) == snapshots(write_policy, schema_policy)
    assert recorded == artifact.policy_fingerprint == policy_fingerprint(write_policy, schema_policy)
    # The persisted artifact decodes back to the same value.
    stored, events = WriteArtifactStore(tmp_path).list("t")
    assert events == []
    assert stored == [artifact]
    assert loads_json(dumps_json(artifact), DeltaWriteArtifact) == artifact


@pytest.mark.parametrize(("write_policy", "schema_policy"), POLICIES)
def test_every_commit_of_a_write_carries_the_policy_fingerprint(
    tmp_path: Path, write_policy: DeltaWritePolicy, schema_policy: DeltaSchemaPolicy
) -> None:
    artifact = write_table(tmp_path / "t", DATA, write_policy, schema_policy)
    history = DeltaTable(str(tmp_path / "t")).history()
    assert {h["version"] for h in history} == set(range(artifact.version_after + 1))
    assert {h[FINGERPRINT_KEY] for h in history} == {artifact.policy_fingerprint}
    assert len({h[WRITE_ID_KEY] for h in history}) == 1
    operations = [h["operation"] for h in sorted(history, key=lambda h: h["version"])]
    # The table is created with every property in one commit, then the data lands.
    expected = ["CREATE TABLE", "WRITE"] + (["OPTIMIZE"] if write_policy.zorder_by else [])
    assert operations == expected


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (DeltaWritePolicy(), {"delta.dataSkippingNumIndexedCols": "32", "delta.enableChangeDataFeed": "false"}),
        (
            DeltaWritePolicy(stats_policy="off", target_file_size=5),
            {
                "delta.dataSkippingNumIndexedCols": "0",
                "delta.targetFileSize": "5",
                "delta.enableChangeDataFeed": "false",
            },
        ),
        (
            DeltaWritePolicy(stats_policy="explicit", stats_columns=("a", "b c"), change_data_feed=True),
            {"delta.dataSkippingStatsColumns": "a,b c", "delta.enableChangeDataFeed": "true"},
        ),
    ],
)
def test_delta_properties(policy: DeltaWritePolicy, expected: dict[str, str]) -> None:
    assert delta_properties(policy) == expected


def test_engine_properties_name_every_field_even_at_its_default() -> None:
    props = engine_properties(DeltaWritePolicy(), DeltaSchemaPolicy())
    assert props["engine.writePolicy.compressionLevel"] == "null"
    assert props["engine.writePolicy.zorderBy"] == "[]"
    assert props["engine.writePolicy.statsPolicy"] == '"auto"'
    assert props["engine.schemaPolicy.schemaMode"] == '"strict"'
    # Recorded elsewhere: partitioning is table metadata, the mode belongs to each commit.
    assert "engine.writePolicy.partitionBy" not in props
    assert "engine.writePolicy.mode" not in props


def test_a_changed_policy_replaces_the_recorded_one(tmp_path: Path) -> None:
    first = DeltaWritePolicy(zorder_by=("k",), compression_level=9)
    second = DeltaWritePolicy(compression="lz4")
    write_table(tmp_path / "t", DATA, first)
    artifact = write_table(tmp_path / "t", DATA, second)
    write_back, _, recorded = policies_from_table(DeltaTable(str(tmp_path / "t")))
    assert write_back == artifact.write_policy == DeltaWritePolicySnapshot(compression="lz4")
    assert recorded == policy_fingerprint(second, DeltaSchemaPolicy())
    # The write's own commits: the property change, then the data.
    assert artifact.version_before == 2
    assert artifact.version_after == 4
