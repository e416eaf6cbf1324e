"""The ``artifact-contracts`` command.

Subcommands:

- ``compat``: classify what changed in the contracts since a release and check that the
  version bump covers it (see ``COMPATIBILITY.md``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from artifact_contracts._version import __version__
from artifact_contracts.evolution import add_compat_arguments, run_compat

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``artifact-contracts`` command."""
    parser = argparse.ArgumentParser(
        prog="artifact-contracts", description="Inspect and check the artifact contracts."
    )
    parser.add_argument("-V", "--version", action="version", version=f"artifact-contracts {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    compat = commands.add_parser(
        "compat",
        help="classify contract changes since a release and gate the version bump",
        description="Compare today's contracts with released schema snapshots; exit 1 when the "
        "package version's bump is smaller than the changes require.",
    )
    add_compat_arguments(compat)
    compat.set_defaults(handler=run_compat)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    status: int = args.handler(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
