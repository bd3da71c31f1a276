"""The built-in `exec` service (see service.py)."""
