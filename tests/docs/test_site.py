"""The documentation site: a strict build, the guides' code run as tests, the generated reference.

The reference pages come from ``docs/gen_ref.py``; these tests import it from its path
(``docs/`` is not a package) and check both the built site and the page builders.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Annotated, Optional

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from artifact_contracts import StructBaseCompat, SubstraitBytes, registry
from artifact_contracts.cli import CommandResult, build_parser as contracts_parser
from artifact_contracts.models import PlanDiffReport
from engine_app.cli._main import build_parser as engine_parser, main as engine_main

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ROOT / "docs" / "guides"
_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)
_SHELL_BLOCK = re.compile(r"^ *```sh\n(.*?)^ *```$", re.DOTALL | re.MULTILINE)


def _load_gen_ref() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_gen_ref", ROOT / "docs" / "gen_ref.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen_ref = _load_gen_ref()


def _python_blocks() -> list[tuple[str, str]]:
    return [
        (f"{guide.name}#{number}", code)
        for guide in sorted(GUIDES.glob("*.md"))
        for number, code in enumerate(_PYTHON_BLOCK.findall(guide.read_text(encoding="utf-8")), start=1)
    ]


BLOCKS = _python_blocks()


# --- the strict build ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.slow
class TestStrictBuild:
    def test_every_nav_page_is_built(self, site: Path) -> None:
        for page in (
            "index.html",
            "RELIABILITY/index.html",
            "development/index.html",
            *(f"guides/{guide.stem}/index.html" for guide in GUIDES.glob("*.md")),
            *(f"{Path(path).with_suffix('')}/index.html" for path in gen_ref.PAGES),
        ):
            assert (site / page).is_file(), page

    def test_the_built_contract_page_has_every_registered_type(self, site: Path) -> None:
        page = (site / "reference" / "contracts" / "index.html").read_text(encoding="utf-8")
        for cls in registry.CONTRACT_TYPES:
            assert f'id="{cls.__name__}"' in page, cls.__name__

    def test_the_api_page_renders_the_docstrings(self, site: Path) -> None:
        page = (site / "reference" / "api" / "index.html").read_text(encoding="utf-8")
        # A sentence of fingerprint's docstring: mkdocstrings read the code, not a stub.
        assert "over the canonical MessagePack form of" in page
        import artifact_contracts

        for name in artifact_contracts.__all__:
            if name != "__version__":  # a string, stated in the page's introduction
                assert f'id="artifact_contracts.{name}"' in page, name

    def test_the_determinism_guide_carries_the_hashing_docstring(self, site: Path) -> None:
        page = (site / "guides" / "determinism" / "index.html").read_text(encoding="utf-8")
        # A sentence of the `hashing` docstring: the spec is rendered from the code, not copied.
        assert "sorted by their encoded bytes" in page

    def test_a_broken_link_fails_the_build(self, tmp_path: Path) -> None:
        # The same configuration, one guide with a link to a page that does not exist.
        docs = tmp_path / "docs"
        docs.mkdir()
        (docs / "index.md").write_text("# Home\n\nSee [the missing page](missing.md).\n", encoding="utf-8")
        config = tmp_path / "mkdocs.yml"
        config.write_text(
            "site_name: t\nstrict: true\ntheme:\n  name: material\nvalidation:\n  anchors: warn\n", encoding="utf-8"
        )
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(tmp_path / "out")],
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode != 0
        assert "missing.md" in result.stderr


# --- the guides' code -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def warehouse_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding ``warehouse/``, written by ``engine-app plan`` over a small parquet file."""
    root = tmp_path_factory.mktemp("guide")
    orders = root / "orders.parquet"
    pq.write_table(pa.table({"o_id": [1, 2, 3], "region": ["eu", "us", "eu"], "amount": [10.0, 20.0, 5.5]}), orders)
    code = engine_main(
        [
            "plan",
            "--table",
            f"orders={orders}",
            "--sql",
            "SELECT region, sum(amount) AS total FROM orders GROUP BY region",
            "--warehouse",
            str(root / "warehouse"),
            "--format",
            "json",
        ]
    )
    assert code == 0
    return root


def test_the_guides_have_python_examples() -> None:
    # Guards the extraction: a regex that matched nothing would make the test below vacuous.
    guides = {name.split("#")[0] for name, _ in BLOCKS}
    assert {"consuming-artifacts.md", "determinism.md"} <= guides
    assert len(BLOCKS) >= 8


@pytest.mark.slow
@pytest.mark.parametrize("code", [code for _, code in BLOCKS], ids=[name for name, _ in BLOCKS])
def test_guide_code_runs(code: str, warehouse_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(warehouse_dir)
    exec(compile(code, "<guide>", "exec"), {"__name__": "__guide__"})  # the guides' own code, the point of the test


def _command_lines() -> list[tuple[str, list[str]]]:
    """Every ``engine-app`` / ``artifact-contracts`` invocation in the guides' shell blocks."""
    found = []
    for guide in sorted(GUIDES.glob("*.md")):
        for block in _SHELL_BLOCK.findall(guide.read_text(encoding="utf-8")):
            for line in block.replace("\\\n", " ").splitlines():
                words = shlex.split(line, comments=True)
                # The command ends where a redirection or a pipe starts.
                ends = [i for i, word in enumerate(words) if word in {">", ">>", "<", "|", "&&"}]
                words = words[: ends[0]] if ends else words
                if words and words[0] in {"engine-app", "artifact-contracts"}:
                    found.append((f"{guide.name}: {' '.join(words[:3])}", words))
    return found


COMMANDS = _command_lines()


@pytest.mark.parametrize("words", [words for _, words in COMMANDS], ids=[name for name, _ in COMMANDS])
def test_guide_commands_parse(words: list[str]) -> None:
    # The shell examples need data and clusters to run; they must at least be valid command lines.
    parser = engine_parser() if words[0] == "engine-app" else contracts_parser()
    try:
        parser.parse_args(words[1:])
    except SystemExit as exc:
        pytest.fail(f"{shlex.join(words)} does not parse (exit {exc.code})")


def test_the_consuming_guide_reads_the_stores_with_every_engine_it_names() -> None:
    code = "\n".join(code for name, code in BLOCKS if name.startswith("consuming-artifacts.md"))
    for module in ("polars", "deltalake", "datafusion", "duckdb"):
        assert re.search(rf"^(import|from) {module}\b", code, re.MULTILINE), module


def test_the_install_ranges_in_the_guides_admit_the_current_release() -> None:
    from packaging.specifiers import SpecifierSet

    import artifact_contracts

    text = "\n".join(guide.read_text(encoding="utf-8") for guide in GUIDES.glob("*.md"))
    ranges = re.findall(r"artifact-contracts(~=[0-9]+\.[0-9]+(?:\.[0-9]+)?)", text)
    assert ranges
    for spec in ranges:
        assert artifact_contracts.__version__ in SpecifierSet(spec), spec


def test_the_guides_have_command_examples() -> None:
    assert len(COMMANDS) >= 20
    assert any(words[:3] == ["engine-app", "store", "vacuum"] for _, words in COMMANDS)


# --- the generated reference ---------------------------------------------------------------


class TestGeneratedReference:
    def test_every_registered_type_has_a_section(self) -> None:
        page = gen_ref.contract_types_page()
        sections = re.findall(r"^## (\w+) \{ #\1 \}$", page, re.MULTILINE)
        assert sections == [cls.__name__ for cls in registry.CONTRACT_TYPES]

    @pytest.mark.parametrize(
        ("parser", "expected"),
        [
            (
                engine_parser,
                {
                    "engine-app run",
                    "engine-app plan",
                    "engine-app diff",
                    "engine-app store vacuum",
                    "engine-app artifacts show",
                },
            ),
            (contracts_parser, {"artifact-contracts compat", "artifact-contracts schema check"}),
        ],
        ids=["engine-app", "artifact-contracts"],
    )
    def test_every_subcommand_and_option_is_on_the_cli_page(
        self, parser: argparse.ArgumentParser, expected: set[str]
    ) -> None:
        root = parser()
        page = gen_ref.cli_page(root, engine_main)
        headings = set(re.findall(r"^## (.+)$", page, re.MULTILINE))
        progs = {prog for prog, _, _ in gen_ref.cli_commands(root)}
        assert expected <= progs
        assert headings == progs
        for _, _, sub in gen_ref.cli_commands(root):
            for action in sub._actions:
                if isinstance(action, argparse._HelpAction):
                    continue  # every parser has -h; the page leaves it out
                for flag in action.option_strings:
                    assert f"<code>{flag}" in page or f", {flag}" in page, (sub.prog, flag)

    def test_a_new_option_changes_the_cli_page(self) -> None:
        parser = argparse.ArgumentParser(prog="tool")
        commands = parser.add_subparsers(dest="command", metavar="COMMAND")
        sub = commands.add_parser("frob", help="frobnicate the store")
        sub.set_defaults(result=CommandResult({0: "frobbed"}))
        before = gen_ref.cli_page(parser, engine_main)
        sub.add_argument("--level", type=int, default=3, metavar="N", help="how hard (default: %(default)s)")
        after = gen_ref.cli_page(parser, engine_main)
        assert "--level" not in before
        assert "<code>--level</code>" in after
        assert "how hard (default: 3)" in after
        assert "## tool frob\n\n<p>Frobnicate the store.</p>" in after

    @pytest.mark.parametrize("parser", [engine_parser, contracts_parser], ids=["engine-app", "artifact-contracts"])
    def test_every_subcommand_declares_its_exit_codes_and_json_output(self, parser: object) -> None:
        root = parser()  # type: ignore[operator]
        page = gen_ref.cli_page(root, engine_main)
        sections = dict(re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", page, re.MULTILINE | re.DOTALL))
        for prog, _, sub in gen_ref.cli_commands(root):
            result = gen_ref.command_result(prog, sub)
            if result is None:
                continue  # a group: `engine-app store`
            assert "- `0`: " in sections[prog], prog
            if result.emits is not None:
                assert f"[`{result.emits.__name__}`](contracts.md#{result.emits.__name__})" in sections[prog], prog

    @staticmethod
    def _tool(result: object = None) -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(prog="tool")
        commands = parser.add_subparsers(dest="command", metavar="COMMAND")
        commands.add_parser("frob", help="frobnicate the store").set_defaults(result=result)
        return parser

    def test_a_changed_declaration_changes_the_cli_page(self) -> None:
        before = gen_ref.cli_page(self._tool(CommandResult({0: "frobbed"})), engine_main)
        assert "- `0`: frobbed\n\nJSON output: none." in before
        declared = CommandResult({0: "same", 1: "changed"}, emits=PlanDiffReport, note="with `ValidationIssue` inside")
        after = gen_ref.cli_page(self._tool(declared), engine_main)
        assert "- `0`: same\n- `1`: changed\n" in after
        assert (
            "JSON output: [`PlanDiffReport`](contracts.md#PlanDiffReport); "
            "with [`ValidationIssue`](contracts.md#ValidationIssue) inside." in after
        )

    class _Unregistered(StructBaseCompat):
        """Not in the registry."""

    @pytest.mark.parametrize(
        ("result", "message"),
        [
            (None, "tool frob declares no CommandResult"),
            (CommandResult({1: "failed"}), "declares no exit code 0"),
            (CommandResult({0: "ok"}, emits=_Unregistered), "emits _Unregistered, which is not a registered"),
            (CommandResult({0: "ok"}, note="per table: `TableReport`"), "names TableReport: not registered"),
        ],
        ids=["missing", "no-zero", "unregistered-type", "unregistered-name"],
    )
    def test_a_missing_or_unregistered_declaration_fails_the_page(self, result: object, message: str) -> None:
        with pytest.raises(ValueError, match=re.escape(message)):
            gen_ref.cli_page(self._tool(result), engine_main)

    def test_a_contract_section_shows_constraints_defaults_and_ext_codes(self) -> None:
        class Probe(StructBaseCompat):
            """A probe type."""

            name: Annotated[str, msgspec.Meta(min_length=1, max_length=8, description="Its name.")]
            plan: Annotated[Optional[SubstraitBytes], msgspec.Meta(description="The plan.")] = None
            tags: tuple[Annotated[str, msgspec.Meta(pattern="^[a-z]+$")], ...] = ()

        section = gen_ref._struct_section(Probe)
        rows = re.findall(r"<tr>(.*?)</tr>", section)
        assert len(rows) == 4  # the header and three fields
        assert "<td>len ≥ 1<br>len ≤ 8</td><td>required</td><td>Its name.</td>" in rows[1]
        assert "<td><code>SubstraitBytes | None</code></td>" in rows[2]
        assert "10 (SubstraitBytes)" in rows[2]
        assert "item matches ^[a-z]+$" in rows[3]
        assert "compat (unknown fields are skipped)" in section

    def test_every_store_table_and_column_is_on_the_stores_page(self) -> None:
        from engine_app.stores import STORE_SPECS

        page = gen_ref.stores_page()
        for spec in STORE_SPECS:
            assert f"## {spec.table}\n" in page
            for field in spec.schema:
                assert f"<tr><td><code>{field.name}</code></td><td><code>{field.type}</code></td>" in page


# --- the README, which points to the site ----------------------------------------------------

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_quick_start_is_the_two_commands() -> None:
    first = _SHELL_BLOCK.search(README[README.index("## Quick start") :])
    assert first is not None
    assert first.group(1).split() == ["./dev", "demo", "./dev", "test"]


def test_the_readme_links_resolve_in_the_repository() -> None:
    # Relative links, so they work on a git host too; the generated reference exists only in
    # the built site, so the README must not link to it.
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README)
    assert links
    for link in links:
        assert not link.startswith(("/", "http")), link
        assert (ROOT / link).exists(), link


def test_the_readme_links_every_guide() -> None:
    pages = [*GUIDES.glob("*.md"), *(ROOT / "docs").glob("*.md")]
    unlinked = [str(p.relative_to(ROOT)) for p in pages if f"]({p.relative_to(ROOT)})" not in README]
    assert sorted(unlinked) == ["docs/RELIABILITY.md", "docs/index.md"]  # the site's home, and a report
