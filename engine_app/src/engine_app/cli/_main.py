"""The ``engine-app`` parser, built from the command modules, and the error boundary."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from artifact_contracts import ContractError
from engine_app._version import __version__
from engine_app.cli import artifacts, audit, delta, diagnostics, history, incremental, plan, profile, run, store
from engine_app.cli._common import Terminal
from engine_app.errors import EngineError

__all__ = ["build_parser", "main"]

# One registration pattern: each module's ``register`` adds its subcommand(s) and sets
# ``handler``; this order is the order of ``engine-app --help``.
_COMMAND_MODULES = (run, plan, artifacts, history, audit, profile, delta, incremental, diagnostics, store)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of every subcommand.

    Returns:
        The parser; each subcommand's namespace carries its ``handler``.
    """
    parser = argparse.ArgumentParser(
        prog="engine-app",
        description="Plan, run and record DataFusion queries over Delta Lake tables as contract artifacts.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in _COMMAND_MODULES:
        module.register(commands)
    return parser


def _print_contract_error(exc: ContractError, err: Console) -> None:
    err.print(f"[bold red]error:[/] {len(exc.issues)} problem(s) in the input", highlight=False)
    for issue in exc.issues:
        err.print(f"  {issue.path}: {issue.message.strip()}", markup=False, highlight=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit code: 0 on success, 1 when work failed (a statement, an audit
        mismatch), 2 for a usage or input error, 130 when interrupted (Ctrl-C).
    """
    args = build_parser().parse_args(argv)
    terminal = Terminal(out=Console(soft_wrap=True), err=Console(stderr=True, soft_wrap=True))
    try:
        return int(args.handler(args, terminal))
    except ContractError as exc:
        _print_contract_error(exc, terminal.err)
        return 2
    except EngineError as exc:
        terminal.err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 2
    except KeyboardInterrupt:
        # Long captures commit in batches: what was committed before the interrupt stays.
        terminal.err.print("interrupted: every batch committed before the interrupt is kept", highlight=False)
        return 130
