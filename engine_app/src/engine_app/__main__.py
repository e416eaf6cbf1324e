"""``python -m engine_app``: the ``engine-app`` command line."""

import sys

from engine_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
