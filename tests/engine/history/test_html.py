"""The HTML plan diff, opened in a real headless Chromium: what the browser renders, not the markup."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import msgspec
import pytest

from artifact_contracts import loads_json
from artifact_contracts.models import EngineConfig
from engine_app.cli import main
from engine_app.demo import demo_spec, run_demo
from engine_app.stores import RunRecordStore

pytestmark = [pytest.mark.engine, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        # The flags keep a root, sandbox-less, offline machine quiet (no background traffic).
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield launched
        launched.close()


def test_the_report_renders_every_changed_plan_with_no_console_error_and_no_network(
    tmp_path: Path,
    browser,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    warehouse = tmp_path / "wh"
    spec = msgspec.structs.replace(demo_spec(0.001), views=())
    for settings in ({}, {"datafusion.optimizer.prefer_hash_join": "false"}):
        assert run_demo(msgspec.structs.replace(spec, engine=EngineConfig(settings=settings)), warehouse).ok
    first, second = (r.run_id for r in sorted(RunRecordStore(warehouse).list().items, key=lambda r: r.started_at))
    report = tmp_path / "diff.html"
    assert (
        main(["diff", first, second, "--warehouse", str(warehouse), "--format", "html", "--output", str(report)]) == 1
    )
    assert main(["diff", first, second, "--warehouse", str(warehouse), "--format", "json"]) == 1
    entries = loads_json(capsys.readouterr().out)["entries"]
    changed = [e["name"] for e in entries if e["status"] == "changed"]
    assert len(changed) == 20

    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    assert errors == []
    assert requests == [report.as_uri()]  # self-contained: nothing else is fetched
    text = page.inner_text("body")
    assert "20 changed" in text
    for name in changed:
        heading = page.locator(f"h2:has-text('{name}: changed')")
        assert heading.count() == 1, name
        assert heading.is_visible()
    # The side-by-side tables render, with the changed physical operators highlighted.
    assert page.locator("table.diff").count() >= 20
    assert page.locator("table.diff .diff_chg, table.diff .diff_add, table.diff .diff_sub").count() > 0
    assert "prefer_hash_join" in text
    page.screenshot(path=str(tmp_path / "diff.png"), full_page=False)
    assert (tmp_path / "diff.png").stat().st_size > 10_000  # something was drawn
