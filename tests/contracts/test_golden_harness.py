"""The golden harness itself (tests/golden.py): it fails on drift and the update flow heals it.

Each test runs a small pytest session in a scratch directory, with the real fixture and
hooks from ``tests/conftest.py``.
"""

from __future__ import annotations

import pytest

from tests.golden import codec_snapshot, render_msgpack

pytest_plugins = ["pytester"]

CONFTEST = "from tests.conftest import golden, pytest_addoption, pytest_configure  # noqa: F401\n"
SNAPSHOT_TEST = """
def test_snap(golden):
    golden.check_value("thing/value", {"a": [1, 2.5, "x"], "b": b"\\x00\\xff"})

def test_other(golden):
    golden.check("other", "plain text")
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_snap=SNAPSHOT_TEST)
    return pytester


def _run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    return project.runpytest("-p", "no:cacheprovider", *args)


def test_missing_golden_fails_then_update_creates_it(project: pytest.Pytester) -> None:
    result = _run(project)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*golden 'thing/value' is missing*--update-goldens*"])
    _run(project, "--update-goldens").assert_outcomes(passed=2)
    assert (project.path / "goldens" / "thing" / "value.golden").exists()
    _run(project).assert_outcomes(passed=2)


def test_changed_golden_fails_with_a_diff_and_update_restores_it(project: pytest.Pytester) -> None:
    _run(project, "--update-goldens").assert_outcomes(passed=2)
    path = project.path / "goldens" / "thing" / "value.golden"
    original = path.read_bytes()
    path.write_bytes(original.replace(b'"x"', b'"y"').replace(b"a1 78", b"a1 79"))
    result = _run(project)
    result.assert_outcomes(passed=1, failed=1)
    lines = result.stdout.str().split("\n")
    assert any("golden 'thing/value' differs" in line for line in lines)
    diff = lines[lines.index('-{"a":[1,2.5,"y"],"b":"AP8="}') :]
    assert diff[1] == '+{"a":[1,2.5,"x"],"b":"AP8="}'
    # The MessagePack change shows in the hex and, decoded, as the value it is.
    assert "+0000  82 a1 61 93 01 cb 40 04 00 00 00 00 00 00 a1 78" in diff
    decoded = diff[diff.index(" -- decoded --") :]
    assert decoded.index('-    "y"') + 1 == decoded.index('+    "x"')
    _run(project, "--update-goldens").assert_outcomes(passed=2)
    assert path.read_bytes() == original
    _run(project).assert_outcomes(passed=2)


def test_update_removes_unused_goldens_only_after_a_complete_run(project: pytest.Pytester) -> None:
    _run(project, "--update-goldens").assert_outcomes(passed=2)
    stale = project.path / "goldens" / "stale.golden"
    stale.write_text("# golden stale | owner test_snap.py\nold\n", encoding="utf-8")
    orphan = project.path / "goldens" / "orphan.golden"
    orphan.write_text("# golden orphan | owner test_gone.py\nold\n", encoding="utf-8")
    _run(project, "--update-goldens", "-k", "test_other").assert_outcomes(passed=1)
    assert stale.exists()  # test_other was deselected: the module did not run completely
    assert not orphan.exists()  # its owner module no longer exists
    result = _run(project, "--update-goldens")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*1 removed as unused*"])
    assert not stale.exists()
    assert (project.path / "goldens" / "other.golden").exists()


def test_failed_run_does_not_prune(project: pytest.Pytester) -> None:
    _run(project, "--update-goldens").assert_outcomes(passed=2)
    stale = project.path / "goldens" / "stale.golden"
    stale.write_text("# golden stale | owner test_snap.py\nold\n", encoding="utf-8")
    project.makepyfile(test_snap=SNAPSHOT_TEST + "\ndef test_broken():\n    assert False\n")
    _run(project, "--update-goldens").assert_outcomes(passed=2, failed=1)
    assert stale.exists()


def test_bad_golden_names_are_refused(project: pytest.Pytester) -> None:
    project.makepyfile(test_snap="def test_bad(golden):\n    golden.check('../escape', 'x')\n")
    _run(project, "--update-goldens").stdout.fnmatch_lines(["*ValueError: bad golden name*"])


def test_codec_snapshot_sections() -> None:
    text = codec_snapshot({"b": 1, "a": b"\x01"})
    assert text.split("\n")[:2] == ["== json ==", '{"a":"AQ==","b":1}']
    assert "0000  82 a1 61 c4 01 01 a1 62 01" in text
    assert '"a": bin (1 bytes) 01' in text
    assert text.endswith("sha256:" + text.rsplit("sha256:", 1)[1])


def test_render_msgpack_names_wire_types() -> None:
    rendered = render_msgpack(bytes.fromhex("93cb3ff8000000000000c0c3"))
    assert rendered.split("\n") == [
        "-- hex --",
        "0000  93 cb 3f f8 00 00 00 00 00 00 c0 c3",
        "-- decoded --",
        "[",
        "  float64 1.5,",
        "  null,",
        "  true",
        "]",
    ]
