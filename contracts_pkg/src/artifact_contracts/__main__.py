"""``python -m artifact_contracts``: the ``artifact-contracts`` command."""

import sys

from artifact_contracts.cli import main

sys.exit(main())
