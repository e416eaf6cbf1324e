"""The README's command reference is the command line's: every subcommand, every option, an example that runs."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from artifact_contracts import loads_toml
from artifact_contracts.models import PipelineSpec
from engine_app.cli import build_parser, main

pytestmark = pytest.mark.engine

README = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
_GLOBAL = {"-h", "--help", "-q", "--quiet", "--debug"}


def _leaves(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found |= _leaves(child, (*prefix, name)) or {" ".join((*prefix, name)): child}
    return found


LEAVES = _leaves(build_parser())


def test_the_table_lists_every_subcommand_once() -> None:
    rows = re.findall(r"^\| `engine-app ([a-z ]+)` \|", README, flags=re.MULTILINE)
    assert sorted(rows) == sorted(LEAVES)


@pytest.mark.parametrize("command", sorted(LEAVES))
def test_the_usage_block_shows_every_option(command: str) -> None:
    # The usage block comes first; examples further down start the same way.
    usage = next(line for line in README.splitlines() if line.startswith(f"engine-app {command} "))
    options = {o for a in LEAVES[command]._actions for o in a.option_strings if o.startswith("--")} - _GLOBAL
    assert {o for o in options if o not in usage} == set()


def test_the_example_spec_decodes_and_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--print-spec"]) == 0
    text = capsys.readouterr().out
    spec = loads_toml(text, PipelineSpec)
    assert spec.tpch_scale is not None and spec.views and len(spec.queries) == 2
    path = tmp_path / "spec.toml"
    path.write_text(text)
    # As printed; --scale only makes the TPC-H it generates small enough for a test.
    argv = ["run", "--spec", str(path), "--scale", "0.001", "--warehouse", str(tmp_path / "wh"), "--format", "json"]
    assert main(argv) == 0
    outcomes = json.loads(capsys.readouterr().out)
    assert [o["name"] for o in outcomes] == [v.name for v in spec.views] + [q.name for q in spec.queries]
    assert all(o["error"] is None for o in outcomes)
