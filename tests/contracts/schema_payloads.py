"""Payloads generated from the exported JSON Schema alone, independently of the Structs.

A :class:`PayloadGenerator` walks a component of ``json_schema()["$defs"]`` and builds
plain JSON data (dicts, lists, str, int, float, bool, None) that the schema accepts. It
reads only the schema, never the Python types, so a decoder that rejects one of its
payloads has a schema that promises more than the decoder keeps.

Modes:

- ``min``: required fields only, lower bounds, shortest strings and arrays, null where
  allowed, the first enum value;
- ``max``: every field, upper bounds, the longest strings (up to a cap) and arrays,
  non-null branches, the last enum value;
- ``random``: a seeded mix of both and of values in between.

With ``unknown=True`` every Struct object also gets an unknown field and every
array-like Struct an unknown trailing item, as a later release might write them. With
``binary="ext"`` binary values are MessagePack-ready: the ext payload type their
``x-msgpack-ext-code`` names, or raw bytes, instead of base64 text (for JSON).
"""

from __future__ import annotations

import base64
import copy
import math
import random
from typing import Any, Literal

import jsonschema

from artifact_contracts.ext import EXT_TYPES

Mode = Literal["min", "max", "random"]

UNKNOWN_FIELD = "zz_future_field"
UNKNOWN_VALUE: dict[str, Any] = {"nested": [1, "two", None, {"deeper": True}]}

# Strings the patterns of the contracts accept, shortest and longest first. A pattern
# without an entry here fails generation loudly, so a new pattern needs its examples.
PATTERN_EXAMPLES: dict[str, list[str]] = {
    r"^sha256:[0-9a-f]{64}$": ["sha256:" + "0" * 64, "sha256:" + "f" * 64, "sha256:" + "0123456789abcdef" * 4],
    r"^[0-9a-f]{32}$": ["0" * 32, "0123456789abcdef" * 2, "f" * 32],
    r"^(?!.*\n)\S(.*\S)?$": ["q", "q01", "report.sql:12", "revenue by region"],
    r"^(?!.*\n)[A-Za-z_][A-Za-z0-9_.\-]*$": ["a", "_" + "Z9_.-" * 50 + "abcz", "lineitem", "tpch.q01-v2"],
    r"^(?!.*\n)(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:[-+.][0-9A-Za-z.\-+]*)?$": [
        "0.0.0",
        "10.200.3000-rc.1+build.5",
        "1.2.3",
        "55.0.0",
    ],
    r"^(?!.*\n)[A-Z][A-Z0-9_]{1,63}$": ["AB", "A" + "Z9_" * 21, "ROW_DECODE_FAILED"],
    r"^[0-9]+\.[0-9]+\.[0-9]+": ["3.10.0", "3.13.1rc2+local", "3.11.7"],
    r"^(?!.*\n)datafusion\.[a-z0-9_.]+$": [
        "datafusion.a",
        "datafusion.optimizer.max_passes",
        "datafusion.execution.batch_size",
    ],
}
DATETIMES = ["2026-01-01T00:00:00Z", "2026-11-24T17:30:00.123456+05:30", "1999-12-31T23:59:59.5-08:00"]
LONG_STRING_CAP = 300
ARRAY_CAP = 3
_TEXT_ALPHABET = 'abcXYZ019 _-é😀\n\t"\\'

# Keywords that constrain a whole object rather than one field (cross-field rules).
_CROSS_FIELD = ("allOf", "not", "if", "then", "else", "oneOf", "dependentRequired")


class PayloadGenerator:
    """Build schema-valid JSON data for the components of one JSON Schema document.

    Args:
        document: The JSON Schema document (with ``$defs``).
        mode: ``min``, ``max`` or ``random``.
        seed: The seed of ``random`` mode.
        unknown: Add unknown fields and trailing items to every Struct.
        binary: ``base64`` (JSON) or ``ext`` (MessagePack) for binary payloads.
    """

    def __init__(
        self,
        document: dict[str, Any],
        mode: Mode,
        seed: int = 0,
        unknown: bool = False,
        binary: Literal["base64", "ext"] = "base64",
    ) -> None:
        self.defs: dict[str, Any] = document["$defs"]
        self.mode = mode
        self.rng = random.Random(seed)
        self.unknown = unknown
        self.binary = binary
        self.struct_paths: list[tuple[str, str]] = []
        """(path, component name) of every Struct object generated, for injection tests."""

    def for_type(self, name: str) -> Any:
        """Generate a payload for the component ``name``."""
        return self._component(name, "$", depth=0)

    # --- choices --------------------------------------------------------------------

    def _pick(self, low: Any, high: Any, middle: Any | None = None) -> Any:
        if self.mode == "min":
            return low
        if self.mode == "max":
            return high
        options = [low, high] if middle is None else [low, high, middle]
        return self.rng.choice(options)

    def _include_optional(self) -> bool:
        return self._pick(False, True)  # type: ignore[no-any-return]

    # --- schema walk ----------------------------------------------------------------

    def _component(self, name: str, path: str, depth: int, also_required: Any = ()) -> Any:
        component = self.defs[name]
        if also_required:  # a union branch requires the tag: "$ref" with a sibling "required"
            component = {**component, "required": sorted({*component.get("required", ()), *also_required})}
        if component.get("x-array-like"):
            return self._array_like(name, component, path, depth)
        if "properties" in component:
            return self._struct(name, component, path, depth)
        return self._value(component, path, depth)

    def _resolve(self, schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        ref = schema.get("$ref")
        if ref is None:
            return None, schema
        name = ref.rsplit("/", 1)[-1]
        return name, self.defs[name]

    def _struct(self, name: str, component: dict[str, Any], path: str, depth: int) -> dict[str, Any]:
        self.struct_paths.append((path, name))
        required = set(component.get("required", ()))
        obj: dict[str, Any] = {}
        optional: list[str] = []
        for field, schema in component["properties"].items():
            if field in required or (depth < 4 and self._include_optional()):
                obj[field] = self._value(schema, f"{path}.{field}", depth + 1)
                if field not in required:
                    optional.append(field)
        cross = {k: component[k] for k in _CROSS_FIELD if k in component}
        # Drop optional fields, last first, until the cross-field rules hold.
        while cross and not jsonschema.Draft202012Validator(cross).is_valid(obj):
            if not optional:
                raise AssertionError(f"cannot satisfy the cross-field rules of {name} at {path}")
            del obj[optional.pop()]
        if self.unknown:
            obj[UNKNOWN_FIELD] = copy.deepcopy(UNKNOWN_VALUE)
        return obj

    def _array_like(self, name: str, component: dict[str, Any], path: str, depth: int) -> list[Any]:
        self.struct_paths.append((path, name))
        items = component["prefixItems"]
        count = self._pick(component["minItems"], len(items), self.rng.randint(component["minItems"], len(items)))
        array = [self._value(schema, f"{path}[{i}]", depth + 1) for i, schema in enumerate(items[:count])]
        if self.unknown:
            # A later release writes every field (array-like Structs write their trailing
            # defaults), then its own new ones.
            array.extend(copy.deepcopy(schema["default"]) for schema in items[count:])
            array.extend([copy.deepcopy(UNKNOWN_VALUE), "later"])
        return array

    def _value(self, schema: dict[str, Any], path: str, depth: int) -> Any:
        name, _ = self._resolve(schema)
        if name is not None:
            return self._component(name, path, depth, schema.get("required", ()))
        if "anyOf" in schema:
            branches = schema["anyOf"]
            nulls = [b for b in branches if b.get("type") == "null"]
            others = [b for b in branches if b.get("type") != "null"] or branches
            if self.mode == "min" and nulls:
                return None
            if self.mode == "max":
                return self._value(others[-1], path, depth)
            return self._value(self.rng.choice(branches), path, depth)
        if "enum" in schema:
            values = schema["enum"]
            return self._pick(values[0], values[-1], self.rng.choice(values))
        if "const" in schema:
            return schema["const"]
        kind = schema.get("type")
        if kind == "object":
            return self._map(schema, path, depth)
        if kind == "array":
            return self._array(schema, path, depth)
        if kind == "string":
            return self._string(schema)
        if kind == "integer":
            return self._integer(schema)
        if kind == "number":
            return self._number(schema)
        if kind == "boolean":
            return self._pick(False, True)
        if kind == "null":
            return None
        raise AssertionError(f"no generator for schema {schema!r} at {path}")

    def _length(self, low: int, high: int | None, cap: int) -> int:
        top = min(high, cap) if high is not None else max(low, cap)
        top = max(top, low)
        return self._pick(low, top, self.rng.randint(low, top))  # type: ignore[no-any-return]

    def _map(self, schema: dict[str, Any], path: str, depth: int) -> dict[str, Any]:
        count = self._length(schema.get("minProperties", 0), schema.get("maxProperties"), ARRAY_CAP)
        key_schema = {"type": "string", **schema.get("propertyNames", {})}
        value_schema = schema.get("additionalProperties", {})
        result = {}
        for i in range(count * 3):  # keys may collide; try a few more times
            if len(result) == count:
                break
            key = self._string(key_schema, salt=i)
            result[key] = self._value(value_schema, f"{path}[...]", depth + 1) if value_schema else i
        return result

    def _array(self, schema: dict[str, Any], path: str, depth: int) -> list[Any]:
        count = self._length(schema.get("minItems", 0), schema.get("maxItems"), ARRAY_CAP)
        items = schema.get("items", {})
        return [self._value(items, f"{path}[{i}]", depth + 1) for i in range(count)]

    def _string(self, schema: dict[str, Any], salt: int = 0) -> str:
        if schema.get("contentEncoding") == "base64":
            raw = bytes(self.rng.randrange(256) for _ in range(self._length(0, 64, 64)))
            if self.binary == "ext":  # MessagePack: ext values for payload types, else bin
                code = schema.get("x-msgpack-ext-code")
                return EXT_TYPES[code](raw) if code is not None else raw  # type: ignore[return-value]
            return base64.b64encode(raw).decode("ascii")
        if schema.get("format") == "date-time":
            return self._pick(DATETIMES[0], DATETIMES[1], self.rng.choice(DATETIMES))  # type: ignore[no-any-return]
        if "format" in schema:
            raise AssertionError(f"no generator for string format {schema['format']!r}")
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        if "pattern" in schema:
            examples = PATTERN_EXAMPLES.get(schema["pattern"])
            if examples is None:
                raise AssertionError(f"add examples for the pattern {schema['pattern']!r} to PATTERN_EXAMPLES")
            fitting = [e for e in examples if low <= len(e) and (high is None or len(e) <= high)]
            if salt:
                return fitting[salt % len(fitting)]
            return self._pick(fitting[0], fitting[1 % len(fitting)], self.rng.choice(fitting))  # type: ignore[no-any-return]
        length = self._length(low, high, LONG_STRING_CAP)
        chars = [_TEXT_ALPHABET[(i + salt) % len(_TEXT_ALPHABET)] for i in range(length)]
        if self.mode == "random":
            self.rng.shuffle(chars)
        return "".join(chars)

    def _integer(self, schema: dict[str, Any]) -> int:
        low = schema.get("minimum", -(2**63))
        high = schema.get("maximum", 2**63 - 1)
        if "exclusiveMinimum" in schema:
            low = schema["exclusiveMinimum"] + 1
        if "exclusiveMaximum" in schema:
            high = schema["exclusiveMaximum"] - 1
        return self._pick(int(low), int(high), self.rng.randint(int(low), int(high)))  # type: ignore[no-any-return]

    def _number(self, schema: dict[str, Any]) -> float:
        low = float(schema.get("minimum", -1.7976931348623157e308))
        high = float(schema.get("maximum", 1.7976931348623157e308))
        if "exclusiveMinimum" in schema:
            low = math.nextafter(float(schema["exclusiveMinimum"]), math.inf)
        if "exclusiveMaximum" in schema:
            high = math.nextafter(float(schema["exclusiveMaximum"]), -math.inf)
        middle = low + (min(high, low + 1e6) - low) * self.rng.random()
        return self._pick(low, high, middle)  # type: ignore[no-any-return]
