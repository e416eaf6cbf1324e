"""The ``engine-app`` command line (``engine-app --help`` lists the subcommands).

One module per subcommand group, each with a ``register(commands)`` that adds its
parser(s) and sets the handler, ``handler(args, terminal) -> exit code``, and what the
subcommand promises (its exit codes and JSON output type, an
:class:`artifact_contracts.cli.CommandResult`, from which the CLI reference is generated):
:mod:`~engine_app.cli.run`, :mod:`~engine_app.cli.plan`, :mod:`~engine_app.cli.artifacts`,
:mod:`~engine_app.cli.audit`, :mod:`~engine_app.cli.profile`, :mod:`~engine_app.cli.delta`
(``write``, ``scan``), :mod:`~engine_app.cli.incremental`, :mod:`~engine_app.cli.diagnostics`,
:mod:`~engine_app.cli.store` (``list``, ``check``, ``repair``, ``optimize``, ``vacuum``),
:mod:`~engine_app.cli.history` (``diff``, ``runs``, ``check``).
:mod:`~engine_app.cli.output` prints results: tables for people (boxed on a terminal wide
enough, plain columns otherwise), JSON for programs; ``cli._common`` checks the inputs and
``cli._explain`` words contract errors.

User errors (a bad option, spec or config, a missing table, an unknown fingerprint)
print one ``error:`` line naming the option, file and field, and exit 2; failed work
exits 1; Ctrl-C exits 130; no traceback unless ``--debug``. Progress goes to stderr,
only on a terminal, so ``--format json`` output on stdout stays machine-readable.
"""

from __future__ import annotations

import sys

try:
    from engine_app.cli._main import build_parser, main
except KeyboardInterrupt:  # Ctrl-C while the engine's libraries load: one line, no traceback
    # A spawned worker (the audit's) imports this module too, and its parent tells the interrupt.
    if "--multiprocessing-fork" not in sys.orig_argv:
        sys.stderr.write("interrupted\n")
    raise SystemExit(130) from None

__all__ = ["build_parser", "main"]
