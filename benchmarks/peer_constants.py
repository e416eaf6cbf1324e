"""The constraints both peers share with the contracts (copied from ``models/types.py``)."""

__all__ = ["FINGERPRINT", "INT64_MAX", "NAME", "SEMVER", "TEXT_MAX"]

FINGERPRINT = r"^sha256:[0-9a-f]{64}$"
NAME = r"^[A-Za-z_][A-Za-z0-9_.\-]*$"
SEMVER = r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:[-+.][0-9A-Za-z.\-+]*)?$"
TEXT_MAX = 16 * 1024 * 1024
INT64_MAX = 2**63 - 1
