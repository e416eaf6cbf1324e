"""Golden snapshots: compare rendered text with a committed file, or rewrite it.

The API, for any test under ``tests/`` (``tests/contracts``, ``tests/plan_golden``...):

- The ``golden`` fixture (defined in ``tests/conftest.py``) is a :class:`Golden` bound to
  the ``goldens/`` directory next to the test module.
- ``golden.check(name, text)`` compares ``text`` with ``goldens/<name>.golden``.
  ``name`` may contain ``/`` to make subdirectories (``"DeltaWritePolicy/full"``).
- ``golden.check_value(name, value)`` snapshots a value's exact JSON bytes, its exact
  MessagePack bytes (hex, next to a decoded view) and its fingerprint
  (:func:`codec_snapshot`).
- ``golden.check_document(name, obj)`` snapshots a JSON document (a schema, a report)
  pretty-printed with sorted keys.
- :func:`codec_snapshot`, :func:`render_msgpack` and :func:`render_document` render
  without comparing, for tests that assemble their own text.

Without ``--update-goldens`` a missing or different golden fails the test with a
unified diff (the MessagePack decoded view sits next to the hex, so a byte change reads
as a value change). With ``--update-goldens`` goldens are rewritten instead, and at the
end of the session every ``.golden`` file that no test used is deleted, provided its
owner test module (named in the file's header) ran completely: collected, nothing
deselected or picked by node id, nothing failed or skipped (or it no longer exists). A
partial run therefore never deletes another module's goldens.
"""

from __future__ import annotations

import datetime
import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from artifact_contracts import ExtPayload, dumps_json, dumps_msgpack, fingerprint, loads_msgpack

__all__ = [
    "GOLDEN_SUFFIX",
    "Golden",
    "GoldenSession",
    "codec_snapshot",
    "render_document",
    "render_msgpack",
]

GOLDEN_SUFFIX = ".golden"
_HEADER = "# golden {name} | owner {owner}\n# regenerate: pytest {owner} --update-goldens\n"


def _hex_lines(data: bytes, width: int = 16) -> list[str]:
    return [f"{offset:04x}  {data[offset : offset + width].hex(' ')}" for offset in range(0, len(data), width)] or [
        "(empty)"
    ]


def _describe(value: Any, indent: int = 0) -> str:
    """Render a decoded MessagePack value, naming the wire type of every scalar."""
    pad = "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {_describe(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        items = [f"{pad}{_describe(v, indent + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"
    if isinstance(value, ExtPayload):
        return f"ext {int(value.ext_code)} ({type(value).__name__}, {len(value)} bytes) {value.data.hex()}"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"bin ({len(value)} bytes) {bytes(value).hex()}"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float):
        return f"float64 {value!r}"
    if isinstance(value, int):
        return f"int {value}"
    if isinstance(value, datetime.datetime):
        return f"timestamp (ext -1) {value.isoformat()}"
    return f"{type(value).__name__} {value!r}"


def render_msgpack(data: bytes) -> str:
    """Render MessagePack bytes as offset-prefixed hex followed by a decoded view."""
    lines = ["-- hex --", *_hex_lines(data), "-- decoded --", _describe(loads_msgpack(data))]
    return "\n".join(lines)


def render_document(obj: Any) -> str:
    """Render a JSON-compatible document with sorted keys, two-space indented."""
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False)


def codec_snapshot(value: Any) -> str:
    """Render ``value``'s exact JSON bytes, MessagePack bytes and fingerprint as text.

    The ``json`` section is the exact ``dumps_json`` output (one line: the encoder
    never writes a raw newline); ``json view`` indents the same document for reading.
    """
    data = dumps_json(value)
    view = json.dumps(json.loads(data), indent=2, ensure_ascii=False)
    sections = {
        "json": data.decode("utf-8"),
        "json view": view,
        "msgpack": render_msgpack(dumps_msgpack(value)),
        "fingerprint": fingerprint(value),
    }
    return "\n".join(f"== {title} ==\n{body}" for title, body in sections.items())


@dataclass(eq=False)
class GoldenSession:
    """Session-wide bookkeeping: which goldens were used, which modules ran completely."""

    update: bool
    rootdir: Path
    used: set[Path] = field(default_factory=set)
    roots: set[Path] = field(default_factory=set)
    collected: set[str] = field(default_factory=set)
    incomplete: set[str] = field(default_factory=set)
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    kept_stale: list[Path] = field(default_factory=list)

    def owner_of(self, path: Path) -> str:
        """Return a test module's path relative to the rootdir, as written in headers."""
        resolved = path.resolve()
        try:
            return resolved.relative_to(self.rootdir.resolve()).as_posix()
        except ValueError:  # outside the rootdir: only an absolute path names it
            return resolved.as_posix()

    def for_test(self, request: pytest.FixtureRequest) -> Golden:
        """Return the :class:`Golden` of the requesting test's module."""
        module = Path(str(request.path))
        root = module.parent / "goldens"
        self.roots.add(root.resolve())
        return Golden(root=root, owner=self.owner_of(module), session=self)

    # -- pytest hooks (this object is registered as a plugin) --------------------------------

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Note the modules collected, and those narrowed by node-id arguments."""
        for item in session.items:
            self.collected.add(self.owner_of(Path(str(item.path))))
        for arg in session.config.args:
            if "::" in arg:
                self.incomplete.add(self.owner_of(Path(arg.split("::", 1)[0])))

    def pytest_deselected(self, items: Iterable[pytest.Item]) -> None:
        """A module with deselected tests did not run completely."""
        for item in items:
            self.incomplete.add(self.owner_of(Path(str(item.path))))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """A module with a failed or skipped test did not run completely."""
        if report.failed or report.skipped:
            self.incomplete.add(report.nodeid.split("::", 1)[0])

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """With ``--update-goldens``, delete the goldens no completely-run owner used."""
        if not self.update:
            return
        for root in sorted(self.roots):
            for path in sorted(root.rglob(f"*{GOLDEN_SUFFIX}")):
                if path.resolve() in self.used:
                    continue
                owner = _read_owner(path)
                gone = owner is not None and not (self.rootdir / owner).exists()
                complete = owner in self.collected and owner not in self.incomplete
                if gone or complete:
                    path.unlink()
                    self.removed.append(path)
                else:
                    self.kept_stale.append(path)
            for directory in sorted(root.rglob("*"), reverse=True):
                if directory.is_dir() and not any(directory.iterdir()):
                    directory.rmdir()

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Say what the update flow changed."""
        if not self.update:
            return
        write = terminalreporter.write_line
        write(f"goldens: {len(self.written)} written, {len(self.removed)} removed as unused")
        for path in self.removed:
            write(f"  removed {path}")
        if self.kept_stale:
            write(f"goldens: {len(self.kept_stale)} unused but kept (their owner did not run completely)")


def _read_owner(path: Path) -> str | None:
    first = path.read_bytes().decode("utf-8", "replace").split("\n", 1)[0]
    marker = " | owner "
    return first.split(marker, 1)[1].strip() if marker in first else None


@dataclass
class Golden:
    """The goldens of one test module; see the module docstring for the flow."""

    root: Path
    owner: str
    session: GoldenSession

    def path(self, name: str) -> Path:
        """Return the file that holds golden ``name``."""
        if not name or name.startswith("/") or ".." in name.split("/"):
            raise ValueError(f"bad golden name {name!r}")
        return self.root / f"{name}{GOLDEN_SUFFIX}"

    def check(self, name: str, text: str) -> None:
        """Compare ``text`` with golden ``name``, or rewrite it under ``--update-goldens``."""
        path = self.path(name)
        self.session.used.add(path.resolve())
        expected_text = _HEADER.format(name=name, owner=self.owner) + text.rstrip("\n") + "\n"
        actual = path.read_bytes().decode("utf-8") if path.exists() else None
        if actual == expected_text:
            return
        if self.session.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="") as handle:
                handle.write(expected_text)
            self.session.written.append(path)
            return
        if actual is None:
            pytest.fail(
                f"golden {name!r} is missing ({path}); run pytest with --update-goldens to create it.\n"
                f"It would contain:\n{expected_text}",
                pytrace=False,
            )
        diff = difflib.unified_diff(
            actual.split("\n"), expected_text.split("\n"), f"{path} (golden)", "actual", lineterm=""
        )
        pytest.fail(
            f"golden {name!r} differs from the actual output; if the change is intended, run pytest "
            f"with --update-goldens and commit the result.\n" + "\n".join(diff),
            pytrace=False,
        )

    def check_value(self, name: str, value: Any) -> None:
        """Snapshot ``value``'s JSON bytes, MessagePack bytes and fingerprint."""
        self.check(name, codec_snapshot(value))

    def check_document(self, name: str, obj: Any) -> None:
        """Snapshot a JSON-compatible document (a schema, a report)."""
        self.check(name, render_document(obj))
