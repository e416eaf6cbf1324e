"""``python -m benchmarks``: see :mod:`benchmarks.cli`."""

import os
import sys

from benchmarks.cli import main

try:
    status = main()
    sys.stdout.flush()
except BrokenPipeError:  # the reader went away (``... | head``): not an error of ours
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    status = 0
sys.exit(status)
