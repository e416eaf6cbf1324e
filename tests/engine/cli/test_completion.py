"""Shell completion (shtab's scripts, run by a real bash), ``-V``, and the global options."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from engine_app import __version__
from engine_app.cli import main
from engine_app.stores import STORE_SPECS

pytestmark = pytest.mark.engine


def _script(capsys: pytest.CaptureFixture[str], shell: str) -> str:
    with pytest.raises(SystemExit) as exited:
        main(["--print-completion", shell])
    assert exited.value.code == 0
    return capsys.readouterr().out


def complete(script: Path, *words: str) -> list[str]:
    """What bash offers for the last of ``words``, through the script's completion function."""
    line = " ".join(words)
    program = (
        f"source {script}\n"
        f"COMP_WORDS=({line}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n"
        f"COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}\n"
        "_shtab_engine_app\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    result = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return result.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_commands_options_and_store_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "engine-app.bash"
    script.write_text(_script(capsys, "bash"))
    assert complete(script, "engine-app", "sto") == ["store"]
    assert complete(script, "engine-app", "artifacts", "list", "--v") == ["--view"]
    writes = [spec.table for spec in STORE_SPECS if spec.table.startswith("delta_")]
    assert sorted(complete(script, "engine-app", "store", "list", "delta_")) == sorted(writes)


@pytest.mark.parametrize("shell", ["zsh", "tcsh"])
def test_other_shells_get_a_script(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    script = _script(capsys, shell)
    assert "engine-app" in script and "store" in script


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    for flag in ("-V", "--version"):
        with pytest.raises(SystemExit) as exited:
            main([flag])
        assert exited.value.code == 0
        assert capsys.readouterr().out == f"engine-app {__version__}\n"
