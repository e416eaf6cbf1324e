"""What the subcommands share: the two consoles, the common options, reporting events."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from artifact_contracts.models import DiagnosticsEvent
from engine_app.cli.output import print_events
from engine_app.errors import EngineError
from engine_app.lake import Location
from engine_app.scaleout import RayExecutor, ray_executor
from engine_app.stores import DiagnosticsLog

__all__ = [
    "DEFAULT_WAREHOUSE",
    "Terminal",
    "add_config",
    "add_executor",
    "add_format",
    "add_warehouse",
    "check_executor",
    "executor_of",
    "progress_bar",
    "report_events",
]

DEFAULT_WAREHOUSE = Path("warehouse")


@dataclasses.dataclass(frozen=True)
class Terminal:
    """Where a command prints: results to ``out`` (stdout), progress and errors to ``err``."""

    out: Console
    err: Console


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
    parser.add_argument("--format", choices=tuple(choices), default=choices[0], help=help_text)


def report_events(warehouse: Location, events: Sequence[DiagnosticsEvent], err: Console) -> None:
    """Print events on stderr and persist them in the warehouse's diagnostics log."""
    if events:
        print_events(events, err)
        DiagnosticsLog(warehouse).append(events)


def progress_bar(console: Console) -> Progress:
    """A progress bar on ``console`` (stderr), gone when done; silent when not a terminal."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
