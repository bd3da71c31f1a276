"""The built-in `http` service (see service.py)."""
