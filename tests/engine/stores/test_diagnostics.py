from __future__ import annotations

from pathlib import Path

import pytest

from artifact_contracts import ValidationIssue
from engine_app.stores import DIAGNOSTICS_TABLE, DiagnosticsLog, format_event, make_event

pytestmark = pytest.mark.engine


def test_events_persist_and_read_back_in_order(tmp_path: Path) -> None:
    log = DiagnosticsLog(tmp_path)
    assert log.read() == []
    first = make_event("warning", "FIRST_EVENT", "one", subject="a")
    second = make_event(
        "error", "SECOND_EVENT", "two", issues=[ValidationIssue(path="$.x", message="bad")], context={"k": "v"}
    )
    log.append([first])
    log.append([second])
    log.append([])
    assert log.read() == [first, second]
    assert (tmp_path / DIAGNOSTICS_TABLE / "_delta_log").is_dir()


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (make_event("info", "HELLO", "hi"), "INFO HELLO: hi"),
        (
            make_event("error", "ROW_DECODE_FAILED", "bad row", subject="row 3"),
            "ERROR ROW_DECODE_FAILED [row 3]: bad row",
        ),
        (
            make_event("error", "X_Y", "m", issues=[ValidationIssue(path="$.a[1]", message="x", kind="constraint")]),
            "ERROR X_Y: m\n    $.a[1]: x (constraint)",
        ),
    ],
)
def test_format_event(event, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert format_event(event) == expected
