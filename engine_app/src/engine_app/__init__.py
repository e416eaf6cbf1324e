"""engine-app: a DataFusion + Delta Lake engine that records its plans and policies as contracts.

The layers, top to bottom (a module imports only from layers below it):

- :mod:`engine_app.cli`: the ``engine-app`` command, one module per subcommand group.
- :mod:`engine_app.demo`: the embedded TPC-H demo (data, queries, one CDF change).
- :mod:`engine_app.pipeline`: the spec runner; :mod:`engine_app.audit`: the determinism audit.
- :mod:`engine_app.delta`: validated writes, gated scans, change data feeds.
- :mod:`engine_app.stores`: every Delta-backed store of the warehouse.
- :mod:`engine_app.planning`: SQL or a view in, ``PlanArtifacts`` out.
- :mod:`engine_app.session`: the configured DataFusion session and its tables.
- :mod:`engine_app.lake`: the Delta Lake primitives (tables, datasets, the log, retries).
- :mod:`engine_app.config`: configuration files in; :mod:`engine_app.errors`: the one
  exception tree.

Every artifact is a contract of ``artifact_contracts``, which this package imports like
any other consumer, public modules only.
"""

from engine_app._version import __version__

__all__ = ["__version__"]
