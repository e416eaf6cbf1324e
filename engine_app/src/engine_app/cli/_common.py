"""What the subcommands share: the two consoles, the common options, reporting events."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from artifact_contracts.models import DiagnosticsEvent
from engine_app.cli.output import print_events
from engine_app.stores import DiagnosticsLog

__all__ = [
    "DEFAULT_WAREHOUSE",
    "Terminal",
    "add_config",
    "add_format",
    "add_warehouse",
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
    """Add ``--warehouse DIR`` (default ``./warehouse``)."""
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=DEFAULT_WAREHOUSE,
        metavar="DIR",
        help="the warehouse directory (default: ./warehouse)",
    )


def add_config(parser: argparse.ArgumentParser) -> None:
    """Add ``--config FILE`` (an ``EngineConfig``)."""
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="an EngineConfig as TOML (.toml) or JSON (any other name)"
    )


def add_format(parser: argparse.ArgumentParser, choices: Sequence[str], help_text: str = "output format") -> None:
    """Add ``--format``, its first choice the default."""
    parser.add_argument("--format", choices=tuple(choices), default=choices[0], help=help_text)


def report_events(warehouse: Path, events: Sequence[DiagnosticsEvent], err: Console) -> None:
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
