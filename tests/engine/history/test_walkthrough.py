"""The getting-started guide's walkthrough of two runs' diff runs as written, with the exit codes it states."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.engine, pytest.mark.slow]

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "guides" / "getting-started.md"
SECTION = "## The diff of two runs"


def _blocks() -> tuple[str, list[str]]:
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section.split("\n## ", 1)[0]
    toml = re.search(r"```toml\n(.*?)```", section, re.S)
    shell = re.search(r"```sh\n(.*?)```", section, re.S)
    assert toml is not None and shell is not None, "the guide lost its walkthrough"
    return toml.group(1), [line for line in shell.group(1).splitlines() if line.strip()]


def _expected_exit(line: str) -> int:
    match = re.search(r"#\s*exits (\d)", line)
    return int(match.group(1)) if match else 0


def test_the_walkthrough_runs_with_the_exit_codes_it_states(tmp_path: Path) -> None:
    toml, commands = _blocks()
    name = toml.splitlines()[0].removeprefix("#").strip()
    (tmp_path / name).write_text(toml, encoding="utf-8")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    outputs: dict[str, str] = {}
    for line in commands:
        argv = shlex.split(line, comments=True)
        done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == _expected_exit(line), f"{line}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr
        outputs[shlex.join(argv)] = done.stdout
    diff = outputs["engine-app diff before after"]
    assert "setting datafusion.optimizer.prefer_hash_join: true -> false" in diff
    assert re.search(r"^  changed  q02 \(physical, rulepack, environment\)$", diff, re.M)
    assert re.search(r"^unchanged  q01$", diff, re.M)
    assert "SortMergeJoinExec" in diff
    html = (tmp_path / "diff.html").read_text(encoding="utf-8")
    assert "q02" in html and "http://" not in html and "https://" not in html
