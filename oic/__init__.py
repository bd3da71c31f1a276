"""oic: the compiler of the oi pipeline language."""

__version__ = "0.1.0"
