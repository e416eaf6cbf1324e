"""``engine-app profile``: the runtime profile and planning environment hash of a config."""

from __future__ import annotations

import argparse
from typing import Any

from artifact_contracts.cli import CommandResult
from artifact_contracts.models import EngineConfig, RuntimeProfileSnapshot
from engine_app.cli._common import Terminal, add_config, add_format, input_errors, read_input
from engine_app.cli.output import print_json
from engine_app.session import EngineSession

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``profile`` subcommand.

    Args:
        commands: The subparsers action of the main parser.
    """
    profile = commands.add_parser(
        "profile",
        help="print the runtime profile and planning environment hash",
        description="Print the RuntimeProfileSnapshot of a session built from the config: versions, pinned "
        "values, settings and the planning environment hash that every plan records.",
    )
    add_config(profile)
    add_format(profile, ("text", "json"))
    profile.set_defaults(handler=cmd_profile, result=CommandResult({0: "printed"}, emits=RuntimeProfileSnapshot))


def cmd_profile(args: argparse.Namespace, terminal: Terminal) -> int:
    """Print the runtime profile a session built from the config plans in."""
    config = read_input("--config", args.config, EngineConfig) if args.config is not None else EngineConfig()
    with input_errors("--config", args.config):
        profile = EngineSession(config).profile
    out = terminal.out
    if args.format == "json":
        print_json(profile, out)
        return 0
    libraries = ", ".join(f"{lib.name} {lib.version}" for lib in profile.libraries)
    out.print(
        f"engine-app {profile.engine_version}, artifact-contracts {profile.contract_version}, "
        f"Python {profile.python_version}\nlibraries: {libraries}\n"
        f"target partitions {profile.target_partitions}, batch size {profile.batch_size}, "
        f"{len(profile.settings)} settings, {profile.cpu_count} CPU(s)\n"
        f"planning environment hash: {profile.planning_env_hash}",
        highlight=False,
        markup=False,
    )
    return 0
