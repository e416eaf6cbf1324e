from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, write_deltalake

from artifact_contracts import ContractValidationError, loads_json
from artifact_contracts.models import DeltaSchemaPolicy, DeltaWritePolicy
from engine_app.delta import write_table
from engine_app.errors import CommitConflictError, PolicyError, SchemaPolicyError
from engine_app.lake import add_actions

pytestmark = pytest.mark.engine


def _data(n: int = 2000, seed: int = 7) -> pa.Table:
    rng = random.Random(seed)
    return pa.table(
        {
            "id": pa.array(range(n), pa.int64()),
            "region": pa.array([rng.choice(["eu", "us", "ap"]) for _ in range(n)]),
            "x": pa.array([rng.randrange(1000) for _ in range(n)], pa.int64()),
            "y": pa.array([rng.randrange(1000) for _ in range(n)], pa.int64()),
            "note": pa.array([f"n{i}" for i in range(n)]),
        }
    )


def _version(path: Path) -> int:
    return DeltaTable(str(path)).version()


def test_partitioning_is_visible_in_the_file_paths(tmp_path: Path) -> None:
    artifact = write_table(tmp_path / "t", _data(), DeltaWritePolicy(partition_by=("region",)))
    assert sorted({name.split("/")[0] for name in artifact.files_added}) == ["region=ap", "region=eu", "region=us"]
    actions = add_actions(DeltaTable(str(tmp_path / "t")))
    for path, region in zip(actions.column("path").to_pylist(), actions.column("partition.region").to_pylist()):
        assert path.startswith(f"region={region}/")
    assert artifact.telemetry.files_added == len(artifact.files_added) == actions.num_rows
    assert artifact.telemetry.bytes_written == sum(actions.column("size_bytes").to_pylist())


def test_telemetry_counts_the_files_an_overwrite_removed(tmp_path: Path) -> None:
    first = write_table(tmp_path / "t", _data(), DeltaWritePolicy(partition_by=("region",)))
    assert first.telemetry.files_removed == 0
    second = write_table(tmp_path / "t", _data(), DeltaWritePolicy(partition_by=("region",), mode="overwrite"))
    assert second.telemetry.files_removed == first.telemetry.files_added == 3


def _max_overlap(path: Path, column: str) -> int:
    """How many files the widest point of ``column``'s value range falls into."""
    actions = add_actions(DeltaTable(str(path)))
    ranges = list(zip(actions.column(f"min.{column}").to_pylist(), actions.column(f"max.{column}").to_pylist()))
    return max(sum(lo <= point <= hi for lo, hi in ranges) for point in range(0, 1000, 10))


def test_zorder_clusters_files_on_both_columns(tmp_path: Path) -> None:
    # Small target files so the data spans several; Z-order then gives each a narrow box.
    base = DeltaWritePolicy(target_file_size=4096, max_rows_per_group=100)
    plain = write_table(tmp_path / "plain", _data(20_000), base)
    zordered = write_table(
        tmp_path / "z", _data(20_000), DeltaWritePolicy(**{**_fields(base), "zorder_by": ("x", "y")})
    )
    history = DeltaTable(str(tmp_path / "z")).history(1)[0]
    assert history["operation"] == "OPTIMIZE"
    assert len(zordered.files_added) > 1 and len(plain.files_added) > 1
    for column in ("x", "y"):
        # Unclustered, every file spans nearly all values; clustered, far fewer files cover any value.
        assert _max_overlap(tmp_path / "plain", column) == len(plain.files_added)
        assert _max_overlap(tmp_path / "z", column) < len(zordered.files_added) * 0.7


def _fields(policy: DeltaWritePolicy) -> dict[str, object]:
    return {name: getattr(policy, name) for name in policy.__struct_fields__}


@pytest.mark.parametrize(
    ("policy", "with_stats"),
    [
        (DeltaWritePolicy(), {"id", "region", "x", "y", "note"}),
        (DeltaWritePolicy(stats_policy="explicit", stats_columns=("x", "id")), {"x", "id"}),
        (DeltaWritePolicy(stats_policy="off"), set()),
    ],
)
def test_stats_policy_decides_which_columns_have_log_stats(
    tmp_path: Path, policy: DeltaWritePolicy, with_stats: set[str]
) -> None:
    write_table(tmp_path / "t", _data(), policy)
    actions = add_actions(DeltaTable(str(tmp_path / "t")))
    columns = {name.split(".", 1)[1] for name in actions.column_names if name.startswith("min.")}
    assert columns == with_stats
    assert sum(actions.column("num_records").to_pylist()) == 2000


@pytest.mark.parametrize(
    ("compression", "level", "codec"),
    [("zstd", 5, "ZSTD"), ("snappy", None, "SNAPPY"), ("gzip", 9, "GZIP"), ("uncompressed", None, "UNCOMPRESSED")],
)
def test_compression_is_always_explicit(tmp_path: Path, compression: str, level: int | None, codec: str) -> None:
    policy = DeltaWritePolicy(compression=compression, compression_level=level, max_rows_per_group=500)  # type: ignore[arg-type]
    artifact = write_table(tmp_path / "t", _data(), policy)
    for name in artifact.files_added:
        metadata = pq.ParquetFile(tmp_path / "t" / name).metadata
        assert {metadata.row_group(i).column(0).compression for i in range(metadata.num_row_groups)} == {codec}
        assert max(metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)) <= 500


def test_artifact_counts_rows_and_versions(tmp_path: Path) -> None:
    first = write_table(tmp_path / "t", _data(300), DeltaWritePolicy())
    second = write_table(tmp_path / "t", _data(200, seed=8), DeltaWritePolicy())
    assert (first.version_before, first.version_after, first.rows) == (None, 1, 300)
    assert (second.version_before, second.version_after, second.rows) == (1, 2, 200)
    assert second.telemetry.commit_attempts == 1
    assert DeltaTable(str(tmp_path / "t")).count() == 500


POLICY_REFUSALS = [
    (DeltaWritePolicy(partition_by=("nope",)), "$.write_policy.partition_by[0]"),
    (DeltaWritePolicy(zorder_by=("x", "missing")), "$.write_policy.zorder_by[1]"),
    (DeltaWritePolicy(partition_by=("region",), zorder_by=("region",)), "$.write_policy.zorder_by[0]"),
    (DeltaWritePolicy(compression="snappy", compression_level=3), "$.write_policy.compression_level"),
    (DeltaWritePolicy(compression="gzip", compression_level=12), "$.write_policy.compression_level"),
    (DeltaWritePolicy(partition_by=("region",)), "$.write_policy.partition_by"),
]


@pytest.mark.parametrize(("policy", "path"), POLICY_REFUSALS)
def test_invalid_policy_is_refused_and_the_table_keeps_its_version(
    tmp_path: Path, policy: DeltaWritePolicy, path: str
) -> None:
    write_table(tmp_path / "t", _data(), DeltaWritePolicy())
    before = _version(tmp_path / "t")
    with pytest.raises(PolicyError, match="write policy does not fit") as info:
        write_table(tmp_path / "t", _data(), policy)
    assert path in [issue.path for issue in info.value.issues]
    assert _version(tmp_path / "t") == before


def test_schema_overwrite_needs_overwrite_mode(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="needs write mode 'overwrite'"):
        write_table(tmp_path / "t", _data(), DeltaWritePolicy(), DeltaSchemaPolicy(schema_mode="overwrite"))
    assert not (tmp_path / "t" / "_delta_log").exists()


def _with(data: pa.Table, name: str, column: pa.Array) -> pa.Table:
    return data.set_column(data.schema.get_field_index(name), name, column)


DATA_REFUSALS = [
    (DeltaSchemaPolicy(required_columns=("owner",)), lambda d: d, "$.data.owner", "required column"),
    (
        DeltaSchemaPolicy(non_nullable_columns=("x",)),
        lambda d: _with(d, "x", pa.array([None] * d.num_rows, pa.int64())),
        "$.data.x",
        "nulls",
    ),
    (DeltaSchemaPolicy(), lambda d: d.drop_columns(["note"]), "$.data.note", "is missing"),
    (
        DeltaSchemaPolicy(schema_mode="merge"),
        lambda d: d.append_column("t", pa.array([1] * d.num_rows, pa.time64("us"))),
        "$.data.t",
        "Delta cannot store",
    ),
    (DeltaSchemaPolicy(), lambda d: d.append_column("extra", pa.array([1] * d.num_rows)), "$.data.extra", "strict"),
    (
        DeltaSchemaPolicy(schema_mode="merge"),
        lambda d: _with(d, "x", pa.array(["not a number"] * d.num_rows)),
        "$.data.x",
        "does not cast",
    ),
]


@pytest.mark.parametrize(("schema_policy", "change", "path", "message"), DATA_REFUSALS)
def test_data_that_does_not_fit_is_refused_and_the_table_keeps_its_version(
    tmp_path: Path, schema_policy: DeltaSchemaPolicy, change: object, path: str, message: str
) -> None:
    write_table(tmp_path / "t", _data(), DeltaWritePolicy())
    before = _version(tmp_path / "t")
    with pytest.raises(SchemaPolicyError, match=message) as info:
        write_table(tmp_path / "t", change(_data()), DeltaWritePolicy(), schema_policy)  # type: ignore[operator]
    assert path in [issue.path for issue in info.value.issues]
    assert _version(tmp_path / "t") == before


def test_merge_mode_adds_columns_and_casts(tmp_path: Path) -> None:
    write_table(tmp_path / "t", _data(10), DeltaWritePolicy())
    wider = _with(_data(10), "x", pa.array(range(10), pa.int32())).append_column("extra", pa.array(["e"] * 10))
    write_table(tmp_path / "t", wider, DeltaWritePolicy(), DeltaSchemaPolicy(schema_mode="merge"))
    schema = pa.schema(DeltaTable(str(tmp_path / "t")).schema().to_arrow())
    assert schema.field("x").type == pa.int64()
    assert "extra" in schema.names


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"stats_policy": "explicit"}', "$"),
        ('{"target_file_size": 0}', "$.target_file_size"),
        ('{"zorder_by": ["a"], "zorder": ["b"]}', "$.zorder"),
        ('{"compression": "lzo"}', "$.compression"),
    ],
)
def test_policies_decode_strictly(text: str, path: str) -> None:
    with pytest.raises(ContractValidationError) as info:
        loads_json(text, DeltaWritePolicy)
    assert info.value.issues[0].path == path


def test_schema_policy_decodes_strictly() -> None:
    assert loads_json('{"schema_mode": "merge"}', DeltaSchemaPolicy) == DeltaSchemaPolicy(schema_mode="merge")
    with pytest.raises(ContractValidationError, match="unknown field"):
        loads_json('{"schema_mode": "merge", "mode": "x"}', DeltaSchemaPolicy)


def _racing_overwrite(path: Path, attempts_to_lose: int) -> object:
    """A real concurrent writer that commits between our snapshot and our commit."""

    def hook(attempt: int) -> None:
        if attempt <= attempts_to_lose:
            write_deltalake(str(path), _data(5, seed=attempt), mode="overwrite")

    return hook


def test_a_conflicting_commit_is_retried(tmp_path: Path) -> None:
    path = tmp_path / "t"
    write_table(path, _data(50), DeltaWritePolicy())
    artifact = write_table(
        path,
        _data(30),
        DeltaWritePolicy(mode="overwrite"),
        before_commit=_racing_overwrite(path, 2),  # type: ignore[arg-type]
    )
    assert artifact.telemetry.commit_attempts == 3
    assert DeltaTable(str(path)).count() == 30
    assert artifact.version_after == _version(path)


def test_conflicts_beyond_the_bound_are_reported_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "t"
    write_table(path, _data(50), DeltaWritePolicy())
    with pytest.raises(CommitConflictError, match="3 attempts lost to concurrent commits"):
        write_table(
            path,
            _data(30),
            DeltaWritePolicy(mode="overwrite"),
            max_attempts=3,
            before_commit=_racing_overwrite(path, 99),  # type: ignore[arg-type]
        )
    # Only the racing writer's three overwrites landed.
    assert DeltaTable(str(path)).count() == 5
    assert [h["operation"] for h in DeltaTable(str(path)).history(3)] == ["WRITE"] * 3
