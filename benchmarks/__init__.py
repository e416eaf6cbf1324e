"""The benchmark suite: the codec, fingerprints and the artifact store against peers and limits.

Run it with ``python3 -m hatch run bench:run`` (the full run, which rewrites
``benchmarks/report.json`` and ``benchmarks/REPORT.md``) or ``... bench:run --quick``.
"""
