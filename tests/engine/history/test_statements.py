from __future__ import annotations

import pytest

from engine_app.planning import named_statements, normalize_physical

pytestmark = pytest.mark.engine


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("SELECT 1; SELECT 2", ["f.sql:1", "f.sql:2"]),
        ("-- name: revenue_by_region\nSELECT 1;\nSELECT 2", ["revenue_by_region", "f.sql:2"]),
        ("SELECT 1; -- name: second\nSELECT 2", ["f.sql:1", "second"]),
        ("--name:tight\nSELECT 1", ["tight"]),
        ("-- a comment\n-- name:  spaced name  \nSELECT 1", ["spaced name"]),
        ("SELECT '-- name: not a name'; SELECT 2", ["f.sql:1", "f.sql:2"]),
        ("; ;\n-- only a comment;\nSELECT 3", ["f.sql:1"]),
    ],
)
def test_statements_are_named_by_comment_or_position(text: str, names: list[str]) -> None:
    assert [s.name for s in named_statements(text, "f.sql")] == names


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        (
            "DataSourceExec: file_groups={2 groups: [[<table:t>/a.parquet:0..10, <table:t>/b.parquet], "
            "[<table:t>/c.parquet]]}, projection=[a], file_type=parquet",
            "DataSourceExec: file_groups={2 groups}, projection=[a], file_type=parquet",
        ),
        (
            "  DataSourceExec: file_groups={1 group: [[<table:t>/part-00001-0c9b.parquet]]}, projection=[x]",
            "  DataSourceExec: file_groups={1 group}, projection=[x]",
        ),
        ("HashJoinExec: mode=CollectLeft, on=[(a@0, b@0)]", "HashJoinExec: mode=CollectLeft, on=[(a@0, b@0)]"),
        (
            "FFI_ExecutionPlan: DataSourceExec, number_of_children=0",
            "FFI_ExecutionPlan: DataSourceExec, number_of_children=0",
        ),
    ],
)
def test_physical_plans_lose_their_file_names_and_nothing_else(text: str, normalized: str) -> None:
    assert normalize_physical(text) == normalized
