"""The ``engine-app`` parser, built from the command modules, and the error boundary.

Exit codes: 0 done; 1 the work failed (a statement, an audit mismatch, a damaged store,
an unexpected error); 2 a usage or input error; 130 interrupted (Ctrl-C); 141 stdout
closed early (``| head``), as a command killed by SIGPIPE. Each failure is one line on
stderr; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from rich.console import Console

from artifact_contracts import ContractError
from engine_app._version import __version__
from engine_app.cli import artifacts, audit, delta, diagnostics, history, incremental, plan, profile, run, store
from engine_app.cli._common import Terminal
from engine_app.cli._explain import describe
from engine_app.cli.output import write_out
from engine_app.errors import CommitConflictError, EngineError, StoreError, error_text

__all__ = ["build_parser", "main"]

# One registration pattern: each module's ``register`` adds its subcommand(s) and sets
# ``handler``; this order is the order of ``engine-app --help``.
_COMMAND_MODULES = (run, plan, artifacts, history, audit, profile, delta, incremental, diagnostics, store)
_SHELLS = ("bash", "zsh", "tcsh")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (argparse's own text)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


class _PrintCompletion(argparse.Action):
    """``--print-completion SHELL``: print a completion script made by shtab, and exit."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: Any, values: Any, option: Any = None) -> None:
        import shtab  # only here: nothing else needs it

        for action in (a for p in _parsers(parser) for a in p._actions):
            if action.metavar in ("FILE", "PATH", "NAME=PATH"):
                action.complete = shtab.FILE  # type: ignore[attr-defined]
            elif action.metavar == "DIR":
                action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]
        write_out(Console(), shtab.complete(parser, shell=values) + "\n")
        parser.exit(0)


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parser and every subcommand's parser below it (argparse keeps them private)."""
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found.extend(_parsers(child))
    return found


def _add_global_options(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("-q", "--quiet", action="store_true", default=default, help="no progress display on stderr")
    parser.add_argument("--debug", action="store_true", default=default, help="print the traceback of an error")


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of every subcommand.

    Returns:
        The parser; each subcommand's namespace carries its ``handler``.
    """
    parser = _Parser(
        prog="engine-app",
        description="Plan, run and record DataFusion queries over Delta Lake tables as contract artifacts.",
        epilog="Exit codes: 0 done, 1 the work failed, 2 a usage or input error, 130 interrupted.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"%(prog)s {__version__}")
    _add_global_options(parser, False)
    parser.add_argument(
        "--print-completion",
        action=_PrintCompletion,
        choices=_SHELLS,
        metavar="SHELL",
        help=f"print a shell completion script ({', '.join(_SHELLS)}) and exit",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in _COMMAND_MODULES:
        module.register(commands)
    for command in _parsers(parser)[1:]:
        if command.get_default("handler") is not None:
            # Also after the subcommand (`engine-app run -q`); SUPPRESS keeps the value given before it.
            _add_global_options(command, argparse.SUPPRESS)
    return parser


def _failure(exc: BaseException) -> tuple[int, str]:
    """The exit code and the one line that tell a failure."""
    if isinstance(exc, ContractError):
        return 2, f"error: {describe(exc.issues)}"
    if isinstance(exc, (CommitConflictError, StoreError)):
        return 1, f"error: {exc}"
    if isinstance(exc, OSError):  # storage that cannot be reached or written: the work failed
        return 1, f"error: {error_text(exc)}"
    if isinstance(exc, EngineError):
        return 2, f"error: {exc}"
    return 1, f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)"


def _pipe_closed() -> int:
    # Point stdout at /dev/null: the interpreter's final flush would fail on the pipe again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141


def _run(handler: Callable[..., int], args: argparse.Namespace, terminal: Terminal) -> int:
    try:
        return int(handler(args, terminal))
    except KeyboardInterrupt:
        # Long captures commit in batches: what was committed before the interrupt stays.
        kept = ": every batch committed before the interrupt is kept" if args.command in ("run", "plan") else ""
        terminal.err.print(f"interrupted{kept}", highlight=False, markup=False)
        return 130
    except BrokenPipeError:
        return _pipe_closed()
    except BaseException as exc:  # the boundary: every error becomes one line and an exit code
        if isinstance(exc, (SystemExit, GeneratorExit)):
            raise
        # BaseException, not Exception: a Rust panic in deltalake or DataFusion is a pyo3
        # PanicException, which derives from BaseException.
        code, line = _failure(exc)
        if args.debug:
            traceback.print_exc()
        terminal.err.print(" ".join(line.splitlines()), highlight=False, markup=False, emoji=False)
        return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit code: 0 on success, 1 when work failed (a statement, an audit
        mismatch, a store whose Delta log cannot be read, an unexpected error), 2 for a
        usage or input error, 130 when interrupted (Ctrl-C), 141 when stdout was closed
        early.
    """
    try:
        args = build_parser().parse_args(argv)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # --print-completion | head
        return _pipe_closed()
    terminal = Terminal(
        out=Console(soft_wrap=True), err=Console(stderr=True, soft_wrap=True, highlight=False), quiet=args.quiet
    )
    return _run(args.handler, args, terminal)
