"""Delta Lake I/O under the contracts: validated writes, gated scans, change data feeds.

- Writes (:func:`write_table`): the data and a ``DeltaWritePolicy`` / ``DeltaSchemaPolicy``
  are checked before any commit (:func:`check_policy`, :func:`conform_data`), the policy is
  recorded as table properties (:func:`delta_properties`, :func:`engine_properties`, back
  with :func:`policies_from_table`) and in every commit's metadata, and a
  ``DeltaWriteArtifact`` is stored.
- Scans (:func:`scan_table` = :func:`plan_scan` + :func:`execute_scan`): the protocol gate
  (:func:`check_protocol`) from the log alone, the predicate pushed into a pyarrow dataset
  (:func:`to_pyarrow` translates it to count the pruning) and ``ScanTelemetry``.
- Change data feeds (:func:`run_incremental`, :func:`run_consumer`): each consumer applies a
  source's feed to its change log exactly once, the cursor following the Delta ``txn``.
"""

from __future__ import annotations

from engine_app.delta._incremental import (
    DEFAULT_CONSUMER,
    INCREMENTAL_DIR,
    ConsumerReport,
    ConsumerState,
    app_id,
    cdf_locations,
    cdf_tables,
    change_log_location,
    change_log_path,
    consumer_state,
    run_consumer,
    run_incremental,
)
from engine_app.delta._predicate import to_pyarrow
from engine_app.delta._properties import (
    AUTO_INDEXED_COLUMNS,
    FINGERPRINT_KEY,
    WRITE_ID_KEY,
    delta_properties,
    engine_properties,
    policies_from_table,
    policy_fingerprint,
    snapshots,
)
from engine_app.delta._protocol import check_protocol
from engine_app.delta._scan import ScanPlan, ScanResult, execute_scan, plan_scan, scan_table
from engine_app.delta._validation import check_policy, conform_data
from engine_app.delta._write import write_table, writer_properties

__all__ = [
    "AUTO_INDEXED_COLUMNS",
    "ConsumerReport",
    "ConsumerState",
    "DEFAULT_CONSUMER",
    "FINGERPRINT_KEY",
    "INCREMENTAL_DIR",
    "ScanPlan",
    "ScanResult",
    "WRITE_ID_KEY",
    "app_id",
    "cdf_locations",
    "cdf_tables",
    "change_log_location",
    "change_log_path",
    "check_policy",
    "check_protocol",
    "conform_data",
    "consumer_state",
    "delta_properties",
    "engine_properties",
    "execute_scan",
    "plan_scan",
    "policies_from_table",
    "policy_fingerprint",
    "run_consumer",
    "run_incremental",
    "scan_table",
    "snapshots",
    "to_pyarrow",
    "write_table",
    "writer_properties",
]
