"""The built-in `slack` service (see service.py)."""
