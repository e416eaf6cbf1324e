"""What the subcommands declare (:class:`~artifact_contracts.cli.CommandResult`) is what they do.

The generated CLI reference shows each subcommand's declared exit codes and JSON output
type; here real ``--format json`` output decodes, strictly, into the declared type, with a
declared exit code. (``tests/docs`` holds the declarations to the registry.)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from artifact_contracts import loads_json
from artifact_contracts.cli import CommandResult
from engine_app.cli import build_parser, main

pytestmark = pytest.mark.engine


def _declared(argv: Sequence[str]) -> CommandResult:
    """The declaration of the subcommand that ``argv`` runs."""
    parser = build_parser()
    for word in argv:
        actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not actions:
            break
        parser = actions[0].choices[word]
    result = parser.get_default("result")
    assert isinstance(result, CommandResult)
    return result


def _json(argv: list[str]) -> tuple[int, str]:
    """Run a command with ``--format json``; its exit code and stdout."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*argv, "--format", "json"])
    return code, out.getvalue()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A warehouse that one ``engine-app plan`` wrote: a plan, a run, a failed statement's event.

    Returns:
        The words the commands below are formatted with: ``warehouse``, ``run``, ``plan``.
    """
    root = tmp_path_factory.mktemp("declared")
    pq.write_table(pa.table({"k": [1, 2, 2], "v": ["a", "b", "c"]}), root / "t.parquet")
    sql = "SELECT k, count(*) AS n FROM t GROUP BY k; SELECT * FROM nowhere"
    argv = ["plan", "--table", f"t={root / 't.parquet'}", "--sql", sql, "--warehouse", str(root / "wh")]
    code, _ = _json(argv)
    assert code == 1  # the second statement fails
    assert code in _declared(argv).exits
    _, runs = _json(["runs", "list", "--warehouse", str(root / "wh")])
    _, plans = _json(["artifacts", "list", "--warehouse", str(root / "wh")])
    return {
        "warehouse": str(root / "wh"),
        "run": json.loads(runs)[0]["run_id"],
        "plan": json.loads(plans)[0]["plan_fingerprint"],
    }


@pytest.mark.parametrize(
    "command",
    [
        ["profile"],
        ["runs", "show", "{run}", "--warehouse", "{warehouse}"],
        ["artifacts", "show", "{plan}", "--warehouse", "{warehouse}"],
        ["diff", "{run}", "{run}", "--warehouse", "{warehouse}"],
        ["diagnostics", "--warehouse", "{warehouse}"],
        ["audit", "--warehouse", "{warehouse}"],
    ],
    ids=lambda command: " ".join(word for word in command if word[0] not in "{-"),
)
def test_the_json_output_decodes_into_the_declared_type(command: list[str], warehouse: dict[str, str]) -> None:
    argv = [word.format(**warehouse) for word in command]
    declared = _declared(argv)
    assert declared.emits is not None
    code, out = _json(argv)
    assert code in declared.exits
    target: Any = list[declared.emits] if declared.each else declared.emits  # type: ignore[name-defined]
    decoded = loads_json(out, target)  # strict: a field the type lacks, or a wrong shape, fails
    if declared.each:
        assert decoded, "a list, and not vacuously empty"
