"""The oi runtime: the engine compiled pipelines run on, usable as a plain Python library."""

__version__ = "0.1.0"
