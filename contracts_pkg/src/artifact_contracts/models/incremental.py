"""Change-data-feed cursors and the record of each incremental run."""

from typing import Annotated, Optional

import msgspec

from artifact_contracts.base import StructBaseCompat
from artifact_contracts.models.types import Count, Name, Text, UtcDateTime, Version

__all__ = ["CdfCursor", "IncrementalRun"]


class CdfCursor(StructBaseCompat, tag="cdf_cursor", tag_field="kind"):
    """How far one consumer has processed one table's change data feed.

    Advanced only after the changes up to ``last_processed_version`` are committed
    downstream, so a crash never loses nor re-applies a change.
    """

    consumer: Annotated[Name, msgspec.Meta(description="Who reads the feed; one cursor per consumer and table.")]
    table_uri: Annotated[Text, msgspec.Meta(min_length=1, description="Warehouse-relative table path.")]
    last_processed_version: Annotated[Optional[Version], msgspec.Meta(description="None before the first run.")] = None
    rows_applied: Annotated[Count, msgspec.Meta(description="Change rows applied so far, over all runs.")] = 0
    updated_at: Annotated[Optional[UtcDateTime], msgspec.Meta(description="When the cursor last advanced.")] = None


class IncrementalRun(StructBaseCompat, tag="incremental_run", tag_field="kind"):
    """One incremental run: the version range it applied and what it found there."""

    consumer: Annotated[Name, msgspec.Meta(description="The consumer whose cursor the run advanced.")]
    table_uri: Annotated[Text, msgspec.Meta(min_length=1, description="Warehouse-relative table path.")]
    from_version: Annotated[Version, msgspec.Meta(description="The first table version applied.")]
    to_version: Annotated[Version, msgspec.Meta(description="The last table version applied.")]
    inserts: Annotated[Count, msgspec.Meta(description="Inserted rows in the range.")] = 0
    updates: Annotated[Count, msgspec.Meta(description="Updated rows (post-images) in the range.")] = 0
    deletes: Annotated[Count, msgspec.Meta(description="Deleted rows in the range.")] = 0
    committed_at: Annotated[Optional[UtcDateTime], msgspec.Meta(description="When the run committed downstream.")] = (
        None
    )
