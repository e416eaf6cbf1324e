"""The configured DataFusion session: settings, registered tables and the runtime profile.

- :class:`EngineSession`: a ``SessionContext`` built from a strict ``EngineConfig`` (every
  machine-derived default pinned), with the tables and views registered in it, so it can
  record the :class:`~artifact_contracts.models.PlanningEnvironment` a fresh process
  rebuilds it from (:meth:`EngineSession.from_environment`).
- :func:`build_session`, :func:`read_settings`, :func:`runtime_profile`,
  :func:`rulepack_hash`, :func:`library_versions`: the session and what it plans with.
- :func:`register_table`, :func:`detect_format`, :func:`parse_table_arg`: Delta tables
  and parquet data as DataFusion tables.
"""

from __future__ import annotations

from engine_app.session._context import (
    LIBRARIES,
    build_session,
    library_versions,
    read_settings,
    rulepack_hash,
    runtime_profile,
)
from engine_app.session._engine import EngineSession
from engine_app.session._tables import TableFormat, detect_format, parse_table_arg, register_table

__all__ = [
    "EngineSession",
    "LIBRARIES",
    "TableFormat",
    "build_session",
    "detect_format",
    "library_versions",
    "parse_table_arg",
    "read_settings",
    "register_table",
    "rulepack_hash",
    "runtime_profile",
]
