from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from engine_app.scaleout import gather, shards

pytestmark = pytest.mark.engine


@pytest.mark.parametrize(("items", "workers", "sizes"), [
    (0, 2, []), (1, 2, [1]), (7, 1, [2, 2, 2, 1]), (8, 2, [1] * 8), (100, 2, [13, 13, 13, 13, 12, 12, 12, 12]),
])  # fmt: skip
def test_shards_are_contiguous_non_empty_and_balanced(items: int, workers: int, sizes: list[int]) -> None:
    cut = shards(list(range(items)), workers)
    assert [len(shard) for shard in cut] == sizes
    assert [item for shard in cut for item in shard] == list(range(items))


def test_gather_keeps_submission_order_and_reports_each_shard() -> None:
    futures: list[Future[list[int]]] = [Future() for _ in range(3)]
    for future, value in zip(reversed(futures), ([5], [3, 4], [1, 2])):
        future.set_result(value)
    seen: list[list[int]] = []
    assert gather(futures, seen.append) == [[1, 2], [3, 4], [5]]
    assert sorted(map(len, seen)) == [1, 2, 2]


@pytest.mark.parametrize("argv", [["--workers", "2"], ["--ray-address", "127.0.0.1:1"]])
def test_ray_options_without_the_ray_executor_are_one_line_errors(
    argv: list[str], tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from engine_app.cli import main

    assert main(["audit", "--warehouse", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert "need --executor ray" in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_workers_must_be_a_positive_number(capsys: pytest.CaptureFixture[str]) -> None:
    from engine_app.cli import main

    with pytest.raises(SystemExit, match="2"):
        main(["audit", "--executor", "ray", "--workers", "0"])
    assert "--workers: expected a whole number >= 1, got '0'" in capsys.readouterr().err


def test_a_shard_whose_task_fails_fails_each_of_its_statements(tmp_path: Path) -> None:
    from engine_app.pipeline import fan_out
    from engine_app.session import EngineSession
    from engine_app.stores import PlanArtifactStore

    class Failing(ThreadPoolExecutor):
        workers = 2

        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
            return super().submit(lambda: (_ for _ in ()).throw(RuntimeError("Traceback:\n  File x\nworker lost")))

    work = [("a", "query", "SELECT 1"), ("b", "query", "SELECT 2")]
    with Failing() as pool:
        captured = fan_out(EngineSession(), PlanArtifactStore(tmp_path), work, run=False, executor=pool)  # type: ignore[arg-type]
    assert [(o.name, o.error) for o in captured.outcomes] == [
        ("a", "the task planning it failed: worker lost"),
        ("b", "the task planning it failed: worker lost"),
    ]
    assert captured.stored == 0


def test_an_address_nothing_listens_on_is_one_line_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    from engine_app.cli import main

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"x": [1]}), tmp_path / "t.parquet")
    argv = ["plan", f"--table=t={tmp_path / 't.parquet'}", "--sql", "SELECT x FROM t", "--warehouse", str(tmp_path)]
    assert main([*argv, "--executor", "ray", "--ray-address", f"127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err.strip()
    assert f"--ray-address 127.0.0.1:{port}: no Ray cluster answers there" in err and len(err.splitlines()) == 1
