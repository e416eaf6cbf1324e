"""The ``engine-app`` command line (``engine-app --help`` lists the subcommands).

One module per subcommand group, each with a ``register(commands)`` that adds its
parser(s) and sets the handler, ``handler(args, terminal) -> exit code``:
:mod:`~engine_app.cli.run`, :mod:`~engine_app.cli.plan`, :mod:`~engine_app.cli.artifacts`,
:mod:`~engine_app.cli.audit`, :mod:`~engine_app.cli.profile`, :mod:`~engine_app.cli.delta`
(``write``, ``scan``), :mod:`~engine_app.cli.incremental`, :mod:`~engine_app.cli.diagnostics`,
:mod:`~engine_app.cli.store` (``check``, ``repair``, ``optimize``, ``vacuum``).
:mod:`~engine_app.cli.output` prints results: rich tables for people, JSON for programs.

User errors (a bad spec or config, a missing table, an unknown fingerprint) print one
``error:`` message, with the path of the bad field where there is one, and exit 2;
no traceback. Progress bars go to stderr, so ``--format json`` output on stdout stays
machine-readable.
"""

from __future__ import annotations

from engine_app.cli._main import build_parser, main

__all__ = ["build_parser", "main"]
