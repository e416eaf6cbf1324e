"""The exported documents as files: committed copies and package data match the code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artifact_contracts import json_schema, openapi
from artifact_contracts.export import (
    EXPORT_NAMES,
    diff_exports,
    package_schema_dir,
    packaged_export,
    render_exports,
    source_checkout_root,
    write_exports,
)

ROOT = Path(__file__).resolve().parents[2]


class TestRender:
    def test_documents_parse_back_to_the_exports(self) -> None:
        files = render_exports()
        assert json.loads(files["json-schema.json"]) == json_schema()
        assert json.loads(files["openapi.json"]) == openapi()

    @pytest.mark.parametrize("name", EXPORT_NAMES)
    def test_pretty_sorted_and_newline_terminated(self, name: str) -> None:
        content = render_exports()[name]
        assert content.endswith(b"}\n") and not content.endswith(b"\n\n")
        unsorted: list[list[str]] = []

        def check_sorted(pairs: list[tuple[str, object]]) -> dict[str, object]:
            keys = [k for k, _ in pairs]
            if keys != sorted(keys, key=lambda k: k.encode()):
                unsorted.append(keys)
            return dict(pairs)

        json.loads(content, object_pairs_hook=check_sorted)
        assert unsorted == []
        lines = content.decode().splitlines()
        assert lines[0] == "{" and lines[1].startswith('  "') and not lines[1].startswith("   ")

    def test_rendering_is_stable(self) -> None:
        assert render_exports() == render_exports()


class TestCommitted:
    """This is `artifact-contracts schema check`, as CI runs it."""

    @pytest.mark.parametrize("name", EXPORT_NAMES)
    def test_committed_schemas_are_current(self, name: str) -> None:
        committed = ROOT / "schemas" / name
        assert committed.read_bytes() == render_exports()[name], "run `artifact-contracts schema export`"

    @pytest.mark.parametrize("name", EXPORT_NAMES)
    def test_package_data_is_current(self, name: str) -> None:
        assert packaged_export(name) == render_exports()[name], "run `artifact-contracts schema export`"

    def test_diff_is_empty_for_both_directories(self) -> None:
        assert diff_exports(ROOT / "schemas") == []
        assert diff_exports(package_schema_dir()) == []


class TestFiles:
    def test_write_then_diff_is_clean_and_idempotent(self, tmp_path: Path) -> None:
        target = tmp_path / "nested" / "schemas"
        assert sorted(p.name for p in write_exports(target)) == sorted(EXPORT_NAMES)
        assert diff_exports(target) == []
        assert write_exports(target) == []

    def test_a_stale_file_gives_a_unified_diff(self, tmp_path: Path) -> None:
        write_exports(tmp_path)
        stale = tmp_path / "openapi.json"
        stale.write_text(stale.read_text().replace('"openapi": "3.1.0"', '"openapi": "3.1.1"'))
        diff = "".join(diff_exports(tmp_path))
        assert f"--- {stale} (committed)" in diff
        assert '-  "openapi": "3.1.1",' in diff and '+  "openapi": "3.1.0",' in diff
        assert "json-schema.json" not in diff

    def test_a_missing_file_is_stale(self, tmp_path: Path) -> None:
        write_exports(tmp_path)
        (tmp_path / "json-schema.json").unlink()
        assert "(missing)" in "".join(diff_exports(tmp_path))

    def test_packaged_export_refuses_other_names(self) -> None:
        with pytest.raises(ValueError, match="not an exported document"):
            packaged_export("../pyproject.toml")

    def test_source_checkout_is_found_only_from_the_source_tree(self) -> None:
        source = ROOT / "contracts_pkg" / "src" / "artifact_contracts" / "schemas"
        # Editable installs and PYTHONPATH import the source tree; a wheel install does not.
        assert source_checkout_root() == (ROOT if package_schema_dir() == source else None)
