"""Every subcommand, given each class of bad input, fails with the right exit code and one line.

A user error exits 2, failed work 1; either way stderr holds exactly one line that names
the option, file or field, stdout holds nothing, no traceback is printed, and a command
that writes has written nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from engine_app.cli import build_parser, main
from engine_app.stores import PLAN_TABLE, STORE_SPECS, PlanArtifactStore

pytestmark = pytest.mark.engine


def _leaf_commands(parser: object, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    import argparse

    assert isinstance(parser, argparse.ArgumentParser)
    found: set[tuple[str, ...]] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found |= _leaf_commands(child, (*prefix, name)) or {(*prefix, name)}
    return found


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory, tpch_warehouse: Path) -> dict[str, Path]:
    """A warehouse with plans, a failed statement, a write and a scan; a damaged copy; input files."""
    root = tmp_path_factory.mktemp("cli_errors")
    wh = root / "wh"
    nation = tpch_warehouse / "tpch" / "nation"
    sql = "SELECT n_name FROM nation; SELECT nope FROM nation"
    assert main(["plan", f"--table=nation={nation}", "--sql", sql, "--warehouse", str(wh)]) == 1
    pq.write_table(pa.table({"id": [1, 2, 3], "region": ["eu", "us", "eu"]}), root / "data.parquet")
    assert (
        main(["write", "--table", str(wh / "sales"), "--data", str(root / "data.parquet"), "--warehouse", str(wh)]) == 0
    )
    assert main(["scan", "--table", str(wh / "sales"), "--warehouse", str(wh)]) == 0
    damaged = root / "damaged"
    shutil.copytree(wh, damaged)
    log = damaged / PLAN_TABLE / "_delta_log"
    latest = max(int(p.stem) for p in log.glob("*.json"))
    (log / f"{latest + 1:020d}.json").write_text("garbage{\n")
    files = {
        "file": "x",
        "config_key.toml": '[settings]\nmax_passes = "3"\n',
        "config_value.json": '{"settings": {"datafusion.optimizer.max_passes": 3}}',
        "config_rejected.toml": '[settings]\n"datafusion.optimizer.nope" = "1"\n',
        "garbage.toml": "this is [not toml\n",
        "spec_enum.toml": f'[[tables]]\nname = "nation"\npath = "{nation}"\nformat = "dlta"\n',
        "spec_path.toml": '[[tables]]\nname = "t"\npath = "missing"\nformat = "parquet"\n',
        "spec_typo.json": '{"querys": []}',
        "spec_setting.toml": '[engine.settings]\n"datafusion.optimizer.max_passes" = 3\n',
        "policy_typo.json": '{"zorderby": ["id"]}',
        "schema_enum.toml": 'schema_mode = "merg"\n',
        "gate_zero.json": '{"max_writer_version": 0}',
    }
    for name, text in files.items():
        (root / name).write_text(text)
    (root / "adir").mkdir()
    (root / "a[b]").mkdir()
    pq.write_table(pa.table({"id": [1]}), root / "a[b]" / "part.parquet")
    return {"root": root, "wh": wh, "damaged": damaged, "nation": nation}


# (argv, exit code, the one line's text). {wh}: the good warehouse; {new}: a path nothing is
# at (a writing command must leave it so); {missing}: the same for a read command; {damaged}:
# the warehouse whose plan store has a garbage commit file; {root}: the input files.
_NEW, _FILE = "--warehouse={new}", "--warehouse={root}/file"
_NO_WAREHOUSE = "--warehouse {missing}: no warehouse there; `engine-app run` or `engine-app plan` creates one"
_A_FILE = "--warehouse {root}/file: a file, not a warehouse directory"
_DAMAGED = f"cannot read the store {PLAN_TABLE} at {{damaged}}/{PLAN_TABLE}: Kernel error: Json error"
_PLAN = ["plan", "--table=nation={nation}", "--sql", "SELECT 1"]
_WRITE = ["write", "--table={new}/t", "--data={root}/data.parquet"]
_SCAN = ["scan", "--table={wh}/sales", _NEW]
_SETTING = "expected a DataFusion setting name: `datafusion.` then lowercase letters, digits, `_` or `.`"
CASES = [
    # A missing warehouse: one message, from every read command.
    *(
        ([*command, "--warehouse={missing}"], 2, _NO_WAREHOUSE)
        for command in (
            ["artifacts", "list"],
            ["artifacts", "show", "sha256:abcd"],
            ["runs", "list"],
            ["runs", "show", "abcd"],
            ["audit"],
            ["diagnostics"],
            ["incremental"],
            ["store", "list", PLAN_TABLE],
            ["store", "check"],
            ["store", "repair"],
            ["store", "optimize"],
            ["store", "vacuum"],
        )
    ),
    # A regular file as the warehouse: refused before anything is written.
    *(
        ([*command, _FILE], 2, _A_FILE)
        for command in (["run", "--scale=0.001"], _PLAN, _WRITE, ["scan", "--table={wh}/sales"], ["audit"])
    ),
    (["check", "--baseline={root}/b.json", "--update", _FILE], 2, _A_FILE),
    # A store whose Delta log does not parse: one line naming the table, exit 1.
    *(
        ([*command, "--warehouse={damaged}"], 1, _DAMAGED)
        for command in (["artifacts", "list"], ["artifacts", "show", "sha256:abcd"], ["audit"], _PLAN)
    ),
    (["store", "list", PLAN_TABLE, "--warehouse={damaged}"], 1, _DAMAGED),
    # Option files: the option, the file, the field, and what was expected.
    (["profile", "--config={root}/missing.toml"], 2, "--config {root}/missing.toml: no such file"),
    (["profile", "--config={root}/adir"], 2, "--config {root}/adir: a directory, not a file"),
    (["profile", "--config={root}/garbage.toml"], 2, "--config {root}/garbage.toml: invalid TOML"),
    (
        ["profile", "--config={root}/config_key.toml"],
        2,
        f'--config {{root}}/config_key.toml: $.settings["max_passes"]: invalid key: {_SETTING}',
    ),
    (
        ["run", "--config={root}/config_value.json", _NEW],
        2,
        '--config {root}/config_value.json: $.settings["datafusion.optimizer.max_passes"]: Expected `str`, got `int`',
    ),
    (
        ["run", "--config={root}/config_rejected.toml", _NEW],
        2,
        '--config {root}/config_rejected.toml: $.settings["datafusion.optimizer.nope"]: DataFusion rejects',
    ),
    (
        [*_PLAN, "--config={root}/config_rejected.toml", _NEW],
        2,
        '--config {root}/config_rejected.toml: $.settings["datafusion.optimizer.nope"]: DataFusion rejects',
    ),
    (
        ["run", "--spec={root}/spec_enum.toml", _NEW],
        2,
        "--spec {root}/spec_enum.toml: $.tables[0].format: invalid value 'dlta'; expected one of: delta, parquet",
    ),
    (
        ["run", "--spec={root}/spec_path.toml", _NEW],
        2,
        "--spec {root}/spec_path.toml: $.tables[0].path: no table at {root}/missing",
    ),
    (
        ["check", "--baseline={root}/b.json", "--spec={root}/spec_typo.json", _NEW],
        2,
        "--spec {root}/spec_typo.json: $.querys: Object contains unknown field `querys`",
    ),
    (
        ["run", "--spec={root}/spec_setting.toml", _NEW],
        2,
        '--spec {root}/spec_setting.toml: $.engine.settings["datafusion.optimizer.max_passes"]: '
        "Expected `str`, got `int`",
    ),
    (["run", "--spec={root}/nothing.toml", _NEW], 2, "--spec {root}/nothing.toml: no such file"),
    (
        ["write", "--table={root}/file/t", "--data={root}/data.parquet", _NEW],
        2,
        "{root}/file is a file, not a directory",
    ),
    (["run", "--warehouse={root}/file/wh"], 2, "--warehouse {root}/file/wh: {root}/file is a file, not a directory"),
    (["diff", "abcd", "abcd", "--output={root}/adir", "--warehouse={wh}"], 2, "--output {root}/adir: a directory"),
    (["check", "--baseline={root}/adir", "--update", _NEW], 2, "--baseline {root}/adir: a directory, not a file"),
    (["scan", "--table={wh}/sales", "--columns=id,", _NEW], 2, "--columns 'id,': $[1]: Expected `str` of length >= 1"),
    # deltalake reads a local path as a URL: it panicked on [ ], and decoded %20 into a space.
    (["write", "--table={new}/t[1]", "--data={root}/data.parquet", _NEW], 2, "t[1]: [ or ] in a local path, which"),
    (["run", "--warehouse={new}%20x"], 2, "--warehouse {new}%20x: % in a local path, which deltalake and DataFusion"),
    (["plan", "--table=t={root}/a[b]", "--sql=SELECT 1", _NEW], 2, "--table {root}/a[b]: [ or ] in a local path"),
    (
        [*_WRITE, "--write-policy={root}/policy_typo.json", _NEW],
        2,
        "--write-policy {root}/policy_typo.json: $.zorderby: Object contains unknown field `zorderby`",
    ),
    (
        [*_WRITE, "--schema-policy={root}/schema_enum.toml", _NEW],
        2,
        "--schema-policy {root}/schema_enum.toml: $.schema_mode: invalid value 'merg'; "
        "expected one of: merge, overwrite, strict",
    ),
    (
        [*_SCAN, "--gate={root}/gate_zero.json"],
        2,
        "--gate {root}/gate_zero.json: $.max_writer_version: Expected `int` >= 1",
    ),
    (
        ["check", "--baseline={root}/b.json", _NEW],
        2,
        "cannot read the baseline {root}/b.json: No such file or directory",
    ),
    # Option values.
    (["run", "--scale=20", _NEW], 2, "--scale 20.0: expected a scale factor in (0, 10]"),
    (["plan", "--table=nation", "--sql=SELECT 1", _NEW], 2, "--table expects NAME=PATH, got 'nation'"),
    (["plan", "--table=no such={nation}", "--sql=SELECT 1", _NEW], 2, "--table 'no such': expected an identifier"),
    (["plan", "--table=t={root}/nowhere", "--sql=SELECT 1", _NEW], 2, "--table t={root}/nowhere: no table at"),
    (["plan", "--table=nation={nation}", "--sql= ; ", _NEW], 2, "--sql: no statement"),
    (
        ["plan", "--table=nation={nation}", "--sql-file={root}/none.sql", _NEW],
        2,
        "--sql-file {root}/none.sql: No such file or directory",
    ),
    (
        ["write", "--table={root}/file", "--data={root}/data.parquet", _NEW],
        2,
        "--table {root}/file: a file, not a Delta",
    ),
    (["write", "--table={new}/t", "--data={root}/none.parquet", _NEW], 2, "--data {root}/none.parquet: no such file"),
    (["write", "--table={new}/t", "--data={root}/file", _NEW], 2, "--data {root}/file: not readable as parquet"),
    (["scan", "--table={root}/adir", _NEW], 2, "--table {root}/adir: no Delta table there"),
    ([*_SCAN, "--version=9"], 2, "--version 9: {wh}/sales has versions 0 to 1"),
    (
        [*_SCAN, "--timestamp=2000-01-01T00:00:00Z"],
        2,
        "--timestamp 2000-01-01T00:00:00+00:00: before {wh}/sales existed",
    ),
    ([*_SCAN, "--timestamp=yesterday"], 2, "--timestamp 'yesterday': Invalid RFC3339 encoded datetime"),
    ([*_SCAN, "--where=nope = 1"], 2, "invalid scan predicate 'nope = 1'"),
    (["incremental", "--consumer=bad/name", "--warehouse={wh}"], 2, "--consumer 'bad/name': expected an identifier"),
    (["artifacts", "show", "sha256:4ab", "--warehouse={wh}"], 2, "'sha256:4ab': a prefix needs at least 4 hex digits"),
    (["artifacts", "show", "not-hex", "--warehouse={wh}"], 2, "'not-hex': expected sha256: and up to 64 hex digits"),
    (["artifacts", "show", "abcdef", "--warehouse={wh}"], 2, "no stored plan matches 'abcdef' in {wh}"),
    (["artifacts", "list", "--view=nope", "--warehouse={wh}"], 2, "--view 'nope': no stored plan of that view"),
    (["artifacts", "list", "--since=soon", "--warehouse={wh}"], 2, "--since 'soon': Invalid RFC3339"),
    (["artifacts", "list", "--limit=0", "--warehouse={wh}"], 2, "argument --limit: expected a count of 1 or more"),
    (["runs", "show", "zz", "--warehouse={wh}"], 2, "'zz' is not a run id: expected at least 4 of its hex digits"),
    (["diff", "zz", "abcd", "--warehouse={wh}"], 2, "'zz' is not a run id"),
    (
        ["store", "list", "delta_write_artifact", "--warehouse={wh}"],
        2,
        "unknown store 'delta_write_artifact'; did you mean",
    ),
    (["store", "vacuum", "--retention-hours=-1", "--warehouse={wh}"], 2, "--retention-hours -1: expected 0 or more"),
    (["store", "vacuum", "--retention-hours=1", "--warehouse={wh}"], 2, "a retention of 1 h is under the 168 h"),
    (["store", "sweep"], 2, "argument COMMAND: invalid choice: 'sweep'"),
    (["rnu"], 2, "argument COMMAND: invalid choice: 'rnu'"),
]


def _fill(text: str, places: dict[str, Path]) -> str:
    root = places["root"]
    return text.format(
        wh=places["wh"],
        damaged=places["damaged"],
        root=root,
        nation=places["nation"],
        new=root / "new",
        missing=root / "missing",
    )


@pytest.mark.parametrize(("argv", "code", "line"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_input_is_one_line_and_an_exit_code(
    places: dict[str, Path], capsys: pytest.CaptureFixture[str], argv: list[str], code: int, line: str
) -> None:
    args = [_fill(a, places) for a in argv]
    try:
        got = main(args)
    except SystemExit as exited:  # argparse's own usage errors
        got = int(str(exited.code))
    out, err = capsys.readouterr()
    assert got == code, err
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert _fill(line, places) in err
    assert "Traceback" not in err
    assert not (places["root"] / "new").exists()  # nothing was written


def test_the_cases_drive_every_subcommand() -> None:
    commands = _leaf_commands(build_parser())
    covered = {command for command in commands if any(tuple(argv[: len(command)]) == command for argv, _, _ in CASES)}
    assert covered == commands, sorted(commands - covered)


def test_every_store_has_a_read_command(places: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    for spec in STORE_SPECS:
        assert main(["store", "list", spec.table, "--warehouse", str(places["wh"]), "--format", "json"]) == 0
        assert capsys.readouterr().out.startswith("[")


def test_debug_shows_the_traceback(places: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["artifacts", "list", "--debug", "--warehouse", str(places["damaged"])]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "StoreError" in err
    assert err.splitlines()[-1].startswith(f"error: cannot read the store {PLAN_TABLE}")


def test_an_ambiguous_prefix_lists_the_matches(
    places: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stored = PlanArtifactStore(places["wh"]).list().items[0].artifacts
    twins = [msgspec.structs.replace(stored, plan_fingerprint=f"sha256:abcd{d * 60}") for d in "12"]
    PlanArtifactStore(tmp_path).append(twins)
    assert main(["artifacts", "show", "ABCD", "--warehouse", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == f"error: 'ABCD' matches 2 plans: sha256:abcd{'1' * 60}, sha256:abcd{'2' * 60}; give more digits\n"
    assert main(["artifacts", "show", "abcd2", "--warehouse", str(tmp_path), "--format", "json"]) == 0
    assert f"sha256:abcd{'2' * 60}" in capsys.readouterr().out


def test_storage_that_cannot_be_reached_is_failed_work(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Port 9 (discard) on loopback: nothing listens, so the S3 client fails to connect.
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"}
    for name, value in {**env, "AWS_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    assert main(["artifacts", "list", "--warehouse", "s3://bucket/wh"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and "Could not connect" in err
    assert "unexpected" not in err and "Traceback" not in err
