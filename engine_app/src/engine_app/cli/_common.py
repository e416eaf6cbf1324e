"""What the subcommands share: the consoles, the common options, the checks of their inputs.

Every check here runs before a command writes anything, and fails with an
:class:`InputError` whose one line names the option (and the file) that was wrong.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import msgspec
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from artifact_contracts import ContractError, convert, loads_json, loads_toml
from artifact_contracts.models import DiagnosticsEvent
from engine_app.cli._explain import describe
from engine_app.cli.output import is_terminal, print_events
from engine_app.config import load_input
from engine_app.errors import EngineError
from engine_app.lake import Location
from engine_app.scaleout import RayExecutor, ray_executor
from engine_app.stores import DiagnosticsLog

__all__ = [
    "DEFAULT_WAREHOUSE",
    "InputError",
    "Terminal",
    "addressable",
    "add_config",
    "add_executor",
    "add_format",
    "add_warehouse",
    "check_executor",
    "executor_of",
    "existing_warehouse",
    "input_errors",
    "option_value",
    "progress_bar",
    "read_input",
    "report_events",
    "spec_errors",
    "writable_directory",
    "writable_file",
    "writable_warehouse",
]

T = TypeVar("T")

DEFAULT_WAREHOUSE = Path("warehouse")
_UNADDRESSABLE = frozenset("[]%")


@dataclasses.dataclass(frozen=True)
class Terminal:
    """Where a command prints: results to ``out`` (stdout), progress and errors to ``err``.

    Attributes:
        out: The stdout console.
        err: The stderr console.
        quiet: No progress display (``--quiet``).
    """

    out: Console
    err: Console
    quiet: bool = False


class InputError(EngineError):
    """A wrong option or input file, told in one line that names it (exit code 2)."""


def add_warehouse(parser: argparse.ArgumentParser) -> None:
    """Add ``--warehouse DIR|URI`` (default ``./warehouse``), parsed into a :class:`Location`."""
    parser.add_argument(
        "--warehouse",
        type=Location.of,
        default=str(DEFAULT_WAREHOUSE),
        metavar="DIR|URI",
        help="the warehouse: a directory or an s3:// URI, credentials from AWS_* variables (default: ./warehouse)",
    )


def add_executor(parser: argparse.ArgumentParser) -> None:
    """Add ``--executor local|ray``, ``--ray-address`` and ``--workers``."""
    group = parser.add_argument_group("scale-out (engine-app[ray])")
    group.add_argument(
        "--executor", choices=("local", "ray"), default="local",
        help="where the statements are planned: this process (default) or a Ray cluster",
    )  # fmt: skip
    group.add_argument(
        "--ray-address", metavar="ADDR",
        help="the Ray cluster to use (host:port, ray://..., auto); default: start one on 127.0.0.1",
    )  # fmt: skip
    group.add_argument(
        "--workers", type=_positive, metavar="N",
        help="tasks at once (default: every CPU of the cluster; 2 for a local one)",
    )  # fmt: skip


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def check_executor(args: argparse.Namespace) -> None:
    """Refuse Ray options without ``--executor ray`` (before anything is read or written).

    Raises:
        EngineError: ``--ray-address`` or ``--workers`` without ``--executor ray``.
    """
    if args.executor != "ray" and (args.ray_address is not None or args.workers is not None):
        raise EngineError("--ray-address and --workers need --executor ray")


@contextlib.contextmanager
def executor_of(args: argparse.Namespace) -> Iterator[RayExecutor | None]:
    """The executor ``--executor`` asks for, for the ``with`` block (None: this process)."""
    check_executor(args)
    if args.executor != "ray":
        yield None
        return
    # Ray's driver prints what its workers report (a worker that died, ...) on stdout, from
    # a thread; stdout is the command's result (JSON a program reads), so while Ray runs
    # everything printed on stdout goes to stderr. Results are printed after the block.
    with contextlib.redirect_stdout(sys.stderr), ray_executor(args.ray_address, args.workers) as executor:
        yield executor


def add_config(parser: argparse.ArgumentParser) -> None:
    """Add ``--config FILE`` (an ``EngineConfig``)."""
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="an EngineConfig as TOML (.toml) or JSON (any other name)"
    )


def add_format(parser: argparse.ArgumentParser, choices: Sequence[str], help_text: str = "output format") -> None:
    """Add ``--format``, its first choice the default."""
    parser.add_argument(
        "--format", choices=tuple(choices), default=choices[0], help=f"{help_text} (default: {choices[0]})"
    )


def existing_warehouse(where: Location | Path | str) -> Location:
    """The warehouse a read command reads: it must exist (the one message for every command).

    Args:
        where: ``--warehouse``.

    Returns:
        Its location.

    Raises:
        InputError: Nothing is there, or a file is.
    """
    location = writable_warehouse(where)
    if not location.exists():
        raise InputError(f"--warehouse {where}: no warehouse there; `engine-app run` or `engine-app plan` creates one")
    return location


def writable_warehouse(where: Location | Path | str) -> Location:
    """The warehouse a command writes to: absent (it is created) or a directory.

    Args:
        where: ``--warehouse``.

    Returns:
        Its location.

    Raises:
        InputError: A file is there, or where a directory above it should be.
    """
    location = Location.of(where)
    if location.is_local:
        writable_directory("--warehouse", location.path, "a warehouse directory")
    return location


def addressable(option: str, where: Path | str) -> None:
    """Check that deltalake and DataFusion can address a local path: they read one as a URL.

    ``[`` or ``]`` make deltalake panic ("Invalid object store url") and DataFusion find
    no files; ``%`` is percent-decoded into another path. Refused before anything is written.

    Raises:
        InputError: The path holds one of them.
    """
    found = sorted({c for c in str(where) if c in _UNADDRESSABLE})
    if found and "://" not in str(where):
        chars = " or ".join(found)
        raise InputError(
            f"{option} {where}: {chars} in a local path, which deltalake and DataFusion read as URL syntax"
        )


def writable_directory(option: str, where: Path | str, what: str) -> None:
    """Check that a local directory can be made at ``where`` (it is one, or nothing is there).

    Raises:
        InputError: A file is there, or in place of a directory above it, or deltalake
            cannot address the path.
    """
    addressable(option, where)
    path = Path(where).expanduser()
    if path.exists() and not path.is_dir():
        raise InputError(f"{option} {where}: a file, not {what}")
    blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise InputError(f"{option} {where}: {blocker} is a file, not a directory")


def writable_file(option: str, path: Path) -> None:
    """Check that a file can be written at ``path`` (before the work that makes its content).

    Raises:
        InputError: ``path`` is a directory, or its directory does not exist.
    """
    if path.is_dir():
        raise InputError(f"{option} {path}: a directory, not a file")
    if not path.parent.is_dir():
        raise InputError(f"{option} {path}: no directory {path.parent}")


def _document(path: Path) -> Any:
    """The file as builtins (no target type), or None when it does not even parse."""
    try:
        data = path.read_bytes()
        return loads_toml(data) if path.suffix.lower() == ".toml" else loads_json(data)
    except (OSError, ContractError):
        return None


def read_input(option: str, path: Path, target: type[T]) -> T:
    """Decode an input file given as an option into a Strict contract.

    Args:
        option: The option, for the message (``--config``).
        path: The file.
        target: The contract type.

    Returns:
        The validated value.

    Raises:
        InputError: The file is missing, unreadable or invalid; the message names the
            option, the file and the field (``$.settings["max_passes"]``).
    """
    if not path.exists():
        raise InputError(f"{option} {path}: no such file")
    if path.is_dir():
        raise InputError(f"{option} {path}: a directory, not a file")
    try:
        return load_input(path, target)
    except ContractError as exc:
        raise InputError(f"{option} {path}: {describe(exc.issues, target, _document(path))}") from exc


@contextlib.contextmanager
def input_errors(option: str, path: Path | None = None) -> Iterator[None]:
    """Tell a contract error raised inside (a later check of an input) as that input's.

    Args:
        option: The option that gave the input.
        path: Its file, if it is one.

    Yields:
        Nothing.

    Raises:
        InputError: From any :class:`~artifact_contracts.ContractError` inside.
    """
    try:
        yield
    except ContractError as exc:
        source = option if path is None else f"{option} {path}"
        raise InputError(f"{source}: {describe(exc.issues)}") from exc


_ENGINE = "$.engine"


def _under_engine(path: str) -> bool:
    return path == _ENGINE or path.startswith((_ENGINE + ".", _ENGINE + "["))


@contextlib.contextmanager
def spec_errors(spec: Path | None, config: Path | None) -> Iterator[None]:
    """Tell a contract error from preparing a spec as the error of the file it came from.

    The spec runner reports the engine config's issues under ``$.engine``: with
    ``--config`` they are that file's, rooted at its ``$``; the rest are the spec's.

    Args:
        spec: ``--spec`` (None: the demo's spec).
        config: ``--config``.

    Yields:
        Nothing.

    Raises:
        InputError: From any :class:`~artifact_contracts.ContractError` inside, and any
            engine error naming a field of the spec (``$.tables[0].path: no table at ...``).
    """
    try:
        yield
    except ContractError as exc:
        if config is not None and all(_under_engine(i.path) for i in exc.issues):
            issues = [msgspec.structs.replace(i, path="$" + i.path[len(_ENGINE) :]) for i in exc.issues]
            raise InputError(f"--config {config}: {describe(issues)}") from exc
        raise InputError(f"{_spec_source(spec)}: {describe(exc.issues)}") from exc
    except EngineError as exc:
        if not str(exc).startswith("$"):  # only the spec checks name a field of the spec
            raise
        raise InputError(f"{_spec_source(spec)}: {exc}") from exc


def _spec_source(spec: Path | None) -> str:
    return f"--spec {spec}" if spec is not None else "the demo's spec"


def option_value(option: str, value: Any, target: Any) -> Any:
    """Validate an option's value against a contract type (``--consumer`` against ``Name``).

    Args:
        option: The option.
        value: Its value.
        target: The type it must be.

    Returns:
        The value, converted.

    Raises:
        InputError: It is not valid; the message says what was expected.
    """
    try:
        return convert(value, target)
    except ContractError as exc:
        raise InputError(f"{option} {value!r}: {describe(exc.issues, target)}") from exc


def report_events(warehouse: Location, events: Sequence[DiagnosticsEvent], err: Console) -> None:
    """Print events on stderr and persist them in the warehouse's diagnostics log."""
    if events:
        print_events(events, err)
        DiagnosticsLog(warehouse).append(events)


def progress_bar(terminal: Terminal) -> Progress:
    """A progress display on stderr, gone when done; off when stderr is no terminal or with ``--quiet``.

    A task with a total shows a bar and a count; one without (work that cannot be
    counted, such as a store maintenance) shows a pulsing bar and the time elapsed.
    """
    console = terminal.err
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        # The file's isatty, not Rich's is_terminal, which FORCE_COLOR turns on in a pipe.
        disable=terminal.quiet or not is_terminal(console),
    )
