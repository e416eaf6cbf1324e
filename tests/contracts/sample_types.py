"""Test-only contract types that together use every feature ``strategy_for`` supports.

They stand in for the registered contract types where a property must also hold for
shapes the registry happens not to use yet (recursion, ``Any``, ``UNSET``, sets...).
"""

from __future__ import annotations

import datetime
import decimal
import enum
import uuid
from typing import Annotated, Any, Literal, Union

import msgspec
from msgspec import Meta

from artifact_contracts import DataFusionProtoBytes, StructBaseCompat, StructBaseStrict, SubstraitBytes

__all__ = ["SAMPLE_TYPES", "Color", "Leaf", "Level", "Record", "Sample", "Scan", "Settings", "Span", "Tree"]


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Leaf(StructBaseCompat):
    name: Annotated[str, Meta(min_length=1, max_length=16, pattern=r"^[a-z][a-z0-9_]*$")]
    weight: Annotated[float, Meta(ge=-1.0, le=1.0)] = 0.0


class Tree(StructBaseCompat):
    label: str = "node"
    children: list[Tree] = []


class Settings(StructBaseStrict):
    name: Annotated[str, Meta(min_length=1)]
    size: Annotated[int, Meta(ge=1, le=2**40)] = 1000
    mode: Literal["off", "explicit", "auto"] = "auto"
    ratio: Annotated[float, Meta(gt=0.0, lt=1.0)] = 0.5
    step: Annotated[int, Meta(multiple_of=8)] = 64
    color: Color = Color.RED
    level: Level = Level.LOW
    tags: frozenset[str] = frozenset()
    columns: tuple[str, ...] = ()
    pair: tuple[int, str] = (0, "")
    label: str = "default-label"
    maybe: Union[int, None] = None
    unset: Union[int, msgspec.UnsetType] = msgspec.UNSET


class Span(StructBaseCompat, tag="span"):
    start: int
    end: int


class Scan(StructBaseStrict, tag="scan"):
    table: str
    rows: Annotated[int, Meta(ge=0)] = 0


class Record(StructBaseCompat):
    id: uuid.UUID
    at: Annotated[datetime.datetime, Meta(tz=True)]
    local: Union[datetime.datetime, None] = None
    day: datetime.date = datetime.date(2020, 1, 1)
    clock: Union[datetime.time, None] = None
    elapsed: datetime.timedelta = datetime.timedelta(0)
    amount: decimal.Decimal = decimal.Decimal("0")
    payload: bytes = b""
    plan: Union[SubstraitBytes, None] = None
    proto: Union[DataFusionProtoBytes, None] = None
    events: list[Union[Span, Scan]] = []
    attrs: dict[str, str] = {}
    scores: dict[str, float] = {}
    nested: Union[Settings, None] = None
    leaves: list[Leaf] = []
    tree: Union[Tree, None] = None
    extra: Any = None


class Sample(StructBaseCompat, array_like=True, gc=False, cache_hash=True):
    rows: int
    bytes_scanned: int = 0
    ratio: float = 0.0
    note: str = ""


SAMPLE_TYPES: tuple[type[msgspec.Struct], ...] = (Leaf, Record, Sample, Scan, Settings, Span, Tree)
