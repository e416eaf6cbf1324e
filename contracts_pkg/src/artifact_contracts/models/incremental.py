"""Change-data-feed cursors and the record of each incremental run."""

from typing import Annotated, Optional

import msgspec

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.models._types import Count, Name, Text, UtcDateTime, Version

__all__ = ["CdfCursor", "IncrementalRun"]


class CdfCursor(StructBaseCompat, tag="cdf_cursor", tag_field="kind"):
    """How far one consumer has processed one table's change data feed.

    Advanced only after the changes up to ``last_processed_version`` are committed
    downstream, so a crash never loses nor re-applies a change.
    """

    consumer: Name
    table_uri: Annotated[Text, msgspec.Meta(min_length=1, description="Warehouse-relative table path.")]
    last_processed_version: Annotated[Optional[Version], msgspec.Meta(description="None before the first run.")] = None
    rows_applied: Count = 0
    updated_at: Optional[UtcDateTime] = None


class IncrementalRun(StructBaseCompat, tag="incremental_run", tag_field="kind"):
    """One incremental run: the version range it applied and what it found there."""

    consumer: Name
    table_uri: Annotated[Text, msgspec.Meta(min_length=1)]
    from_version: Version
    to_version: Version
    inserts: Count = 0
    updates: Count = 0
    deletes: Count = 0
    committed_at: Optional[UtcDateTime] = None
