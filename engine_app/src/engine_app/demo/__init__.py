"""The embedded demo: TPC-H data and queries, three views and one change-data-feed change.

Only ``engine-app run`` calls it (with no ``--spec``, or a spec that sets ``tpch_scale``):

- :mod:`engine_app.demo.tpch`: TPC-H generated offline by DuckDB's tpch extension into
  Delta tables, and the 22 query texts.
- :func:`demo_spec`, :data:`DEMO_VIEWS`, :data:`DEFAULT_SCALE`: the demo as a pipeline spec.
- :func:`run_demo`: generate the tables, run the spec (:mod:`engine_app.pipeline`), then
  :func:`demo_change`: one update to ``cdf_demo/nation`` applied by the demo consumer.
"""

from __future__ import annotations

from engine_app.demo import tpch
from engine_app.demo._cdf import CDF_DEMO_TABLE, demo_change
from engine_app.demo._run import DEFAULT_SCALE, DEMO_VIEWS, demo_spec, run_demo

__all__ = ["CDF_DEMO_TABLE", "DEFAULT_SCALE", "DEMO_VIEWS", "demo_change", "demo_spec", "run_demo", "tpch"]
