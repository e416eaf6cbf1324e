"""The command line's output is complete on a terminal (a real pseudo-terminal) and piped.

Each command runs as a process twice: with stdout a pipe, and with stdout and stderr a
pseudo-terminal of a set width. Every value a table shows must be there in full in
both (a table that does not fit falls back to plain columns; SQL wraps inside a box);
JSON is indented on the terminal and compact in the pipe; binary is refused on the
terminal. Ctrl-C and a reader that stops early are tried on a real process too.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from artifact_contracts import loads_msgpack
from artifact_contracts.models import PlanArtifacts
from engine_app.cli import main
from engine_app.stores import Warehouse

pytestmark = pytest.mark.engine

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")
_ENV = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR")}
_COMMAND = [sys.executable, "-m", "engine_app"]


def piped(*argv: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*_COMMAND, *argv], capture_output=True, env=_ENV, timeout=300)


def on_terminal(*argv: str, width: int = 200) -> tuple[int, str]:
    """Run with stdout and stderr on a pseudo-terminal ``width`` columns wide; ANSI codes removed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, width, 0, 0))
    env = {**_ENV, "TERM": "xterm-256color"}
    process = subprocess.Popen([*_COMMAND, *argv], stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 300)
        try:
            chunk = os.read(leader, 65536) if ready else b""
        except OSError:  # the terminal closes with the process
            chunk = b""
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=60), _ANSI.sub("", b"".join(chunks).decode("utf-8"))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, tpch_warehouse: Path) -> Path:
    """Plans of a spec run, a view, a CDF table with a consumer, a write and a scan."""
    root = tmp_path_factory.mktemp("terminal")
    wh = root / "wh"
    tpch = tpch_warehouse / "tpch"
    (root / "spec.toml").write_text(
        "".join(f'[[tables]]\nname = "{n}"\npath = "{tpch / n}"\n' for n in ("nation", "region", "customer"))
        + '[[views]]\nname = "nations_by_region"\n'
        'sql = "SELECT r_name, count(*) AS nations FROM nation JOIN region ON n_regionkey = r_regionkey '
        'GROUP BY r_name"\n'
        '[[queries]]\nname = "all_customers"\nsql = "SELECT c_custkey, c_name, c_nationkey FROM customer"\n'
        '[[queries]]\nname = "regions"\nsql = "SELECT * FROM nations_by_region ORDER BY r_name"\n'
    )
    assert main(["run", "--spec", str(root / "spec.toml"), "--warehouse", str(wh)]) == 0
    pq.write_table(pa.table({"id": list(range(1234)), "region": ["eu", "us"] * 617}), root / "data.parquet")
    (root / "cdf.json").write_text('{"change_data_feed": true}')
    for _ in range(2):
        write = ["write", "--table", str(wh / "changes/orders_feed"), "--data", str(root / "data.parquet")]
        assert main([*write, "--write-policy", str(root / "cdf.json"), "--warehouse", str(wh)]) == 0
    assert main(["incremental", "--warehouse", str(wh)]) == 0
    assert main(["scan", "--table", str(wh / "changes/orders_feed"), "--where", "id < 10", "--warehouse", str(wh)]) == 0
    return wh


def _values(wh: Path) -> dict[str, list[str]]:
    """What each table shows, in full, read from the stores themselves."""
    stores = Warehouse.of(wh)
    runs = stores.run_records.list().items
    plans = stores.plans.list().items
    writes = stores.writes.list()[0]
    return {
        "runs list": [r.run_id for r in runs] + [r.planning_env_hash[:19] for r in runs],
        "artifacts list": [p.row.plan_fingerprint[:19] for p in plans] + ["nations_by_region"],
        "store list delta_write_artifacts_v1": [w.table_uri for w in writes] + [str(w.rows) for w in writes],
        "incremental": ["changes/orders_feed", "2468"],
        "run": ["all_customers", "regions", "nations_by_region (view)", "150"],
    }


def _sql_words(wh: Path) -> set[str]:
    return {word for p in Warehouse.of(wh).plans.list().items for word in p.artifacts.sql.split()}


_TABLES = {
    "runs list": ["runs", "list"],
    "artifacts list": ["artifacts", "list"],
    "store list delta_write_artifacts_v1": ["store", "list", "delta_write_artifacts_v1"],
    "incremental": ["incremental"],
}


@pytest.mark.parametrize("name", sorted(_TABLES))
def test_tables_are_complete_on_a_terminal_and_piped(warehouse: Path, name: str) -> None:
    # 100 columns: some of these tables fit in a box (the SQL wrapping), some fall back.
    argv = ["--quiet", *_TABLES[name], "--warehouse", str(warehouse)]  # progress has its own test
    expected = _values(warehouse)[name]
    result = piped(*argv)
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert "…" not in text and "┃" not in text  # plain columns: no box, nothing cut
    assert all(value in text for value in expected), [v for v in expected if v not in text]
    code, screen = on_terminal(*argv, width=100)
    assert code == 0, screen
    assert "…" not in screen and "Traceback" not in screen
    assert all(value in screen for value in expected), [v for v in expected if v not in screen]
    if name == "artifacts list":  # the SQL wraps inside the box (or runs on, unboxed): every word is there
        words = set(re.sub(r"[│┃]", " ", screen).split())
        assert _sql_words(warehouse) <= words


def test_a_wide_terminal_gets_a_box_a_narrow_one_plain_columns(warehouse: Path) -> None:
    _, wide = on_terminal("runs", "list", "--warehouse", str(warehouse), width=200)
    _, narrow = on_terminal("runs", "list", "--warehouse", str(warehouse), width=60)
    assert "┃ run id" in wide
    assert "┃" not in narrow and narrow.splitlines()[1].split()[:3] == ["run", "id", "command"]


def test_the_run_summary_is_complete_and_its_errors_go_to_stderr(warehouse: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text(
        Path(warehouse.parent / "spec.toml").read_text()
        + '[[queries]]\nname = "broken"\nsql = "SELECT nope FROM region"\n'
    )
    argv = ["run", "--spec", str(spec), "--warehouse", str(tmp_path / "wh")]
    result = piped(*argv)
    assert result.returncode == 1
    out, err = result.stdout.decode(), result.stderr.decode()
    assert all(value in out for value in _values(warehouse)["run"])
    assert "query broken failed:" in err and "failed:" not in out
    assert "3/4 ok" in out
    code, screen = on_terminal(*argv, width=200)
    assert code == 1 and "query broken failed:" in screen and "┃ name" in screen


def test_json_is_indented_on_a_terminal_and_compact_piped(warehouse: Path) -> None:
    fingerprint = Warehouse.of(warehouse).plans.list().items[0].row.plan_fingerprint
    argv = ["artifacts", "show", fingerprint[:12], "--warehouse", str(warehouse)]
    result = piped(*argv)
    assert result.returncode == 0
    assert result.stdout.count(b"\n") == 1  # one line: the canonical encoding
    code, screen = on_terminal(*argv)
    assert code == 0
    assert screen.startswith('{\n  "kind": "plan_artifacts"')
    assert json.loads(screen) == json.loads(result.stdout)


def test_scan_telemetry_is_named_in_json(warehouse: Path) -> None:
    argv = [
        "scan",
        "--table",
        str(warehouse / "changes/orders_feed"),
        "--warehouse",
        str(warehouse),
        "--format",
        "json",
    ]
    result = piped(*argv)
    assert result.returncode == 0, result.stderr
    telemetry = json.loads(result.stdout)["telemetry"]
    assert telemetry["count_rows"] == 2468 and telemetry["files_total"] == 2


def test_binary_is_refused_on_a_terminal_and_written_to_a_pipe(warehouse: Path) -> None:
    fingerprint = Warehouse.of(warehouse).plans.list().items[0].row.plan_fingerprint
    argv = ["artifacts", "show", fingerprint, "--format", "msgpack", "--warehouse", str(warehouse)]
    code, screen = on_terminal(*argv)
    assert code == 2
    assert screen.strip() == "error: --format msgpack writes binary: redirect stdout to a file or a pipe"
    result = piped(*argv)
    assert result.returncode == 0
    assert loads_msgpack(result.stdout, PlanArtifacts).plan_fingerprint == fingerprint


def test_progress_shows_on_a_terminal_only(warehouse: Path) -> None:
    argv = ["audit", "--warehouse", str(warehouse)]
    code, screen = on_terminal(*argv)
    assert code == 0 and "re-planning every stored plan" in screen
    quiet_code, quiet = on_terminal("-q", *argv)
    assert quiet_code == 0 and "re-planning" not in quiet
    result = piped(*argv)
    assert result.returncode == 0 and result.stderr == b""


def test_a_reader_that_stops_early_is_exit_141_without_a_traceback(tpch_warehouse: Path, tmp_path: Path) -> None:
    # Far more output than a pipe holds (64 KiB), so the writer meets the closed pipe.
    sql = "; ".join(f"SELECT n_name, {i} AS n FROM nation" for i in range(60))
    nation = tpch_warehouse / "tpch" / "nation"
    assert main(["plan", f"--table=nation={nation}", "--sql", sql, "--warehouse", str(tmp_path)]) == 0
    process = subprocess.Popen(
        [*_COMMAND, "store", "list", "datafusion_plan_artifacts_v2", "--format", "json", "--warehouse", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_ENV,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(1) == b"["
    process.stdout.close()
    err = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=300) == 141
    assert err == b""


def test_ctrl_c_is_exit_130_and_one_line(warehouse: Path, tmp_path: Path) -> None:
    # Many statements, so that the run is still planning when the interrupt comes.
    queries = "".join(
        f'[[queries]]\nname = "q{i}"\nsql = "SELECT {i} AS n, count(*) FROM customer"\n' for i in range(400)
    )
    spec = tmp_path / "spec.toml"
    spec.write_text(Path(warehouse.parent / "spec.toml").read_text() + queries)
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*_COMMAND, "run", "--spec", str(spec), "--warehouse", str(tmp_path / "wh")],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**_ENV, "TERM": "xterm-256color"},
        start_new_session=True,
        # A shell's background job ignores SIGINT, and its children inherit that.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 300
    while b"planning and running" not in seen and time.monotonic() < deadline:
        if select.select([leader], [], [], 1)[0]:
            seen += os.read(leader, 65536)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole foreground group
    while True:
        try:
            chunk = os.read(leader, 65536) if select.select([leader], [], [], 60)[0] else b""
        except OSError:
            chunk = b""
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    lines = [line for line in _ANSI.sub("", seen.decode()).splitlines() if line.strip()]
    assert process.wait(timeout=60) == 130, lines[-5:]
    assert lines[-1] == "interrupted: every batch committed before the interrupt is kept"
    assert "Traceback" not in seen.decode()
