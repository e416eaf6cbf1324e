"""engine-app: a DataFusion + Delta Lake engine whose artifacts are contracts."""

from engine_app._version import __version__

__all__ = ["__version__"]
