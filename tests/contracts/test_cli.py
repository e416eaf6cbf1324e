"""The ``artifact-contracts`` command, in process (``main(argv)``) and as ``python -m``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from artifact_contracts import CONTRACT_TYPES, dumps_msgpack
from artifact_contracts.cli import build_parser, main
from artifact_contracts.export import EXPORT_NAMES, render_exports

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "contracts_pkg" / "src"

PIPELINE = {"engine": {"target_partitions": 2}, "write_policy": {"partition_by": ["day"]}}


def run_module(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "artifact_contracts", *args], input=stdin, capture_output=True, env=env, cwd=ROOT
    )


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


class TestHelp:
    @pytest.mark.parametrize(
        "argv",
        [[], ["schema"], ["schema", "export"], ["schema", "check"], ["decode"], ["types"]],
    )
    def test_every_command_has_help(self, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as exited:
            main([*argv, "--help"])
        assert exited.value.code == 0
        assert "usage: artifact-contracts" in capsys.readouterr().out

    def test_no_command_is_a_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as exited:
            main([])
        assert exited.value.code == 2
        assert "required" in capsys.readouterr().err

    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        from artifact_contracts import __version__

        with pytest.raises(SystemExit):
            main(["--version"])
        assert capsys.readouterr().out.strip() == f"artifact-contracts {__version__}"

    def test_subcommands_are_listed(self) -> None:
        help_text = build_parser().format_help()
        for command in ("schema", "decode", "types"):
            assert command in help_text


class TestSchema:
    def test_export_to_a_directory_then_check_it(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(capsys, "schema", "export", "--out", str(tmp_path / "out"))
        assert code == 0
        assert out.count("wrote ") == 2
        for name in EXPORT_NAMES:
            assert (tmp_path / "out" / name).read_bytes() == render_exports()[name]
        code, out, _ = run(capsys, "schema", "export", "--out", str(tmp_path / "out"))
        assert (code, out.count("unchanged ")) == (0, 2)
        code, out, _ = run(capsys, "schema", "check", "--dir", str(tmp_path / "out"))
        assert (code, out.strip()) == (0, f"up to date: {tmp_path / 'out'}")

    def test_check_fails_with_a_diff_when_stale(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        main(["schema", "export", "--out", str(tmp_path)])
        stale = tmp_path / "json-schema.json"
        stale.write_text(stale.read_text().replace('"title": "PlanArtifacts"', '"title": "Old"'))
        capsys.readouterr()
        code, out, err = run(capsys, "schema", "check", "--dir", str(tmp_path))
        assert code == 1
        assert '-      "title": "Old",' in out and '+      "title": "PlanArtifacts",' in out
        assert f"stale: {tmp_path}" in err and "schema export" in err

    def test_check_of_the_repository_passes(self, capsys: pytest.CaptureFixture[str]) -> None:
        # What CI runs: the committed schemas/ and the package data are current.
        code, out, _ = run(capsys, "schema", "check")
        assert code == 0, out
        assert f"up to date: {ROOT / 'schemas'}" in out

    def test_check_of_a_missing_directory_is_one_line(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, err = run(capsys, "schema", "check", "--dir", str(tmp_path / "nowhere"))
        assert (code, out) == (2, "")
        assert err == f"artifact-contracts: error: --dir {tmp_path / 'nowhere'}: no such directory\n"

    def test_export_into_an_unwritable_place_is_a_usage_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        blocker = tmp_path / "file"
        blocker.write_text("")
        code, _, err = run(capsys, "schema", "export", "--out", str(blocker / "sub"))
        assert code == 2
        assert "cannot write to" in err and "Traceback" not in err


class TestDecode:
    @pytest.mark.parametrize("suffix", [".json", ".msgpack", ".toml"])
    def test_decodes_a_file_by_its_suffix(
        self, suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / f"spec{suffix}"
        if suffix == ".json":
            path.write_text(json.dumps(PIPELINE))
        elif suffix == ".msgpack":
            path.write_bytes(dumps_msgpack(PIPELINE))
        else:
            path.write_text('[engine]\ntarget_partitions = 2\n[write_policy]\npartition_by = ["day"]\n')
        code, out, err = run(capsys, "decode", "--type", "PipelineSpec", str(path))
        assert (code, err) == (0, "")
        assert json.loads(out) == PIPELINE
        assert out.startswith('{\n  "engine"')

    def test_format_flag_overrides_the_suffix(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "payload.bin"
        path.write_bytes(dumps_msgpack({"name": "a", "version": "1"}))
        code, out, _ = run(capsys, "decode", "--type", "LibraryVersion", "--format", "msgpack", str(path))
        assert (code, json.loads(out)) == (0, {"name": "a", "version": "1"})

    def test_invalid_payload_lists_its_issues(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "spec.json"
        path.write_text('{"write_policy": {"typo": 1}}')
        code, out, err = run(capsys, "decode", "--type", "PipelineSpec", str(path))
        assert (code, out) == (1, "")
        assert "is not a valid PipelineSpec (ContractValidationError)" in err
        assert "$.write_policy.typo: Object contains unknown field `typo` [unknown_field]" in err

    def test_issues_as_json(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "spec.json"
        path.write_text('{"engine": {"target_partitions": 0}}')
        code, out, _ = run(capsys, "decode", "--type", "PipelineSpec", "--errors", "json", str(path))
        assert code == 1
        report = json.loads(out)
        assert report["error"] == "ContractValidationError"
        assert report["type"] == "PipelineSpec"
        assert report["issues"] == [
            {"path": "$.engine.target_partitions", "message": "Expected `int` >= 1", "kind": "constraint"}
        ]

    def test_malformed_bytes_are_a_decode_error(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "spec.json"
        path.write_text('{"engine": ')
        code, _, err = run(capsys, "decode", "--type", "PipelineSpec", str(path))
        assert code == 1
        assert "ContractDecodeError" in err

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (["--type", "PipelinSpec", "x.json"], "unknown type 'PipelinSpec'; did you mean PipelineSpec"),
            (["--type", "Zzz", "x.json"], "`artifact-contracts types` lists them"),
            (["--type", "PipelineSpec", "/does/not/exist.json"], "cannot read /does/not/exist.json"),
        ],
    )
    def test_usage_errors_exit_2_without_traceback(
        self, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, err = run(capsys, "decode", *argv)
        assert (code, out) == (2, "")
        assert message in err and "Traceback" not in err

    def test_bad_format_choice_is_rejected_by_argparse(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as exited:
            main(["decode", "--type", "PipelineSpec", "--format", "yaml", "-"])
        assert exited.value.code == 2


class TestDecodeIsBounded:
    def test_dev_zero_is_refused_with_one_line(self) -> None:
        result = run_module("decode", "--type", "DeltaWritePolicy", "/dev/zero")
        assert result.returncode == 2
        assert result.stderr.decode().splitlines() == [
            "artifact-contracts: error: /dev/zero is larger than the limit of 268435456 bytes; nothing was decoded"
        ]

    def test_a_large_file_is_refused_without_reading_it(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from artifact_contracts import DecodeLimits, set_decode_limits

        path = tmp_path / "big.json"
        path.write_bytes(b"[" + b"0," * 50 + b"0]")
        previous = set_decode_limits(DecodeLimits(max_bytes=64))
        try:
            code, out, err = run(capsys, "decode", "--type", "PipelineSpec", str(path))
        finally:
            set_decode_limits(previous)
        assert (code, out) == (2, "")
        assert "larger than the limit of 64 bytes" in err

    def test_a_pipe_past_the_limit_is_refused(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(SRC)}
        shell = f"head -c 300000000 /dev/zero | {sys.executable} -m artifact_contracts decode --type DeltaWritePolicy -"
        result = subprocess.run(["sh", "-c", shell], capture_output=True, env=env, cwd=ROOT)
        assert result.returncode == 2
        assert b"stdin is larger than the limit" in result.stderr


class TestSafeOutput:
    EVIL = r'{"x\u001b[31m\n  $.fake: forged` - at `evil\u00e9": 1}'

    @pytest.mark.parametrize("encoding", ["ascii", "utf-8", "latin-1"])
    def test_payload_text_cannot_draw_lines(self, encoding: str) -> None:
        env = {"PYTHONIOENCODING": encoding}
        result = run_module_env(env, "decode", "--type", "DeltaWritePolicy", "-", stdin=self.EVIL.encode())
        assert result.returncode == 1
        lines = result.stderr.decode(encoding).splitlines()
        assert len(lines) == 2  # the headline and one issue: no forged line, no escape code
        assert "\x1b" not in result.stderr.decode(encoding)
        assert lines[1].startswith('  $["x\\u001b[31m\\n  $.fake: forged` - at `evil')

    @pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
    def test_json_output_stays_json_in_any_encoding(self, encoding: str) -> None:
        payload = json.dumps({"name": "a", "version": "1\u00e9\u4e2d\U0001f600"}).encode()
        env = {"PYTHONIOENCODING": encoding}
        result = run_module_env(env, "decode", "--type", "LibraryVersion", "-", stdin=payload)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout.decode(encoding)) == json.loads(payload)

    def test_json_errors_in_ascii(self) -> None:
        result = run_module_env(
            {"PYTHONIOENCODING": "ascii"}, "decode", "--type", "DeltaWritePolicy", "--errors", "json", "-",
            stdin=self.EVIL.encode(),
        )  # fmt: skip
        report = json.loads(result.stdout.decode("ascii"))
        assert report["issues"][0]["path"] == r'$["x\u001b[31m\n  $.fake: forged` - at `evil\u00e9"]'


def run_module_env(extra: dict[str, str], *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, **extra, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-m", "artifact_contracts", *args], input=stdin, capture_output=True, env=env, cwd=ROOT
    )


class TestTypes:
    def test_json_lists_every_registered_type(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(capsys, "types", "--format", "json")
        rows = json.loads(out)
        assert code == 0
        assert [r["name"] for r in rows] == [cls.__name__ for cls in CONTRACT_TYPES]
        by_name = {r["name"]: r for r in rows}
        assert by_name["PipelineSpec"]["base"] == "strict"
        assert by_name["ScanTelemetry"] == {
            "name": "ScanTelemetry",
            "base": "compat",
            "schema": "#/$defs/ScanTelemetry",
            "module": "artifact_contracts.models.telemetry",
            "array_like": True,
            "tag": None,
        }
        assert by_name["PlanArtifacts"]["tag"] == "plan_artifacts"

    def test_text_is_a_table(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(capsys, "types")
        lines = out.splitlines()
        assert code == 0
        assert lines[0].split() == ["NAME", "BASE", "SCHEMA", "TAG"]
        assert len(lines) == len(CONTRACT_TYPES) + 1
        assert any(line.split()[:3] == ["EngineConfig", "strict", "#/$defs/EngineConfig"] for line in lines)


class TestAsAModule:
    def test_decode_from_stdin(self) -> None:
        result = run_module("decode", "--type", "PipelineSpec", "-", stdin=json.dumps(PIPELINE).encode())
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == PIPELINE

    def test_invalid_stdin(self) -> None:
        result = run_module("decode", "--type", "DeltaWritePolicy", "-", stdin=b'{"typo": 1}')
        assert result.returncode == 1
        assert b"error: stdin is not a valid DeltaWritePolicy" in result.stderr
        assert b"$.typo" in result.stderr

    def test_schema_check(self) -> None:
        result = run_module("schema", "check")
        assert result.returncode == 0, result.stdout + result.stderr

    def test_help(self) -> None:
        result = run_module("--help")
        assert result.returncode == 0
        assert b"usage: artifact-contracts" in result.stdout

    def test_closed_stdout_is_quiet(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(SRC)}
        shell = f"{sys.executable} -m artifact_contracts types | head -n 1"
        result = subprocess.run(["sh", "-c", shell], capture_output=True, env=env, cwd=ROOT)
        assert result.stdout.split() == [b"NAME", b"BASE", b"SCHEMA", b"TAG"]
        assert b"Traceback" not in result.stderr

    def test_a_reader_that_stops_early_is_exit_141(self, tmp_path: Path) -> None:
        # Far more than a pipe holds, so the writer meets the closed pipe (it used to exit 1,
        # or 0 with the rest of one large write dropped).
        payload = tmp_path / "spec.json"
        payload.write_text(json.dumps({"queries": [{"name": f"q{i}", "sql": "SELECT 1" * 50} for i in range(3000)]}))
        env = {**os.environ, "PYTHONPATH": str(SRC)}
        process = subprocess.Popen(
            [sys.executable, "-m", "artifact_contracts", "decode", "--type", "PipelineSpec", str(payload)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.read(1) == b"{"
        process.stdout.close()
        err = process.stderr.read()
        process.stderr.close()
        assert (process.wait(timeout=120), err) == (141, b"")


class TestCompletion:
    def test_bash_completes_the_commands(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as exited:
            main(["--print-completion", "bash"])
        assert exited.value.code == 0
        script = tmp_path / "artifact-contracts.bash"
        script.write_text(capsys.readouterr().out)
        program = (
            f"source {script}\nCOMP_WORDS=(artifact-contracts sch); COMP_CWORD=1\n"
            "COMP_LINE='artifact-contracts sch'; COMP_POINT=${#COMP_LINE}\n"
            "_shtab_artifact_contracts\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
        )
        result = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
        assert result.stdout.split() == ["schema"]

    def test_short_version_flag(self, capsys: pytest.CaptureFixture[str]) -> None:
        from artifact_contracts import __version__

        with pytest.raises(SystemExit):
            main(["-V"])
        assert capsys.readouterr().out.strip() == f"artifact-contracts {__version__}"
