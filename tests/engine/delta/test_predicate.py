from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pytest
from datafusion import SessionContext

from engine_app.delta import to_pyarrow

pytestmark = pytest.mark.engine

DATA = pa.table(
    {
        "id": pa.array([1, 2, 3, 4, 5, None], pa.int64()),
        "s": pa.array(["a", "b", "ab", None, "c", "a"]),
        "d": pa.array([0, 9000, 9200, 9400, 9600, 9800], pa.date32()),
    }
)


def _expr(sql: str) -> object:
    ctx = SessionContext()
    ctx.register_dataset("t", pads.dataset(DATA))
    return ctx.table("t").parse_sql_expr(sql)


def _sql_rows(sql: str) -> list[object]:
    ctx = SessionContext()
    ctx.register_dataset("t", pads.dataset(DATA))
    return sorted(ctx.sql(f"SELECT id FROM t WHERE {sql}").to_pydict()["id"], key=str)


@pytest.mark.parametrize(
    "sql",
    [
        "id > 2",
        "id <> 3 AND s = 'a'",
        "id = 1 OR s = 'c'",
        "NOT (id BETWEEN 2 AND 4)",
        "id IN (1, 5)",
        "id NOT IN (1, 5)",
        "s IS NULL",
        "id IS NOT NULL AND NOT (s = 'b')",
        "id >= 2 AND id <= 4",
    ],
)
def test_translation_selects_the_same_rows_as_datafusion(sql: str) -> None:
    translated = to_pyarrow(_expr(sql))  # type: ignore[arg-type]
    assert translated is not None
    assert sorted(DATA.filter(translated).column("id").to_pylist(), key=str) == _sql_rows(sql)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("s LIKE 'a%'", None),
        ("NOT (id > 1 AND s LIKE 'a%')", None),  # dropping a conjunct under NOT would over-prune
        ("s LIKE 'a%' OR id = 1", None),
        ("id > 1 AND s LIKE 'a%'", pc.field("id") > 1),  # a weaker filter: prunes less, never wrongly
    ],
)
def test_untranslatable_parts_only_weaken_the_filter(sql: str, expected: pc.Expression | None) -> None:
    translated = to_pyarrow(_expr(sql))  # type: ignore[arg-type]
    if expected is None:
        assert translated is None
    else:
        assert translated is not None and translated.equals(expected)
