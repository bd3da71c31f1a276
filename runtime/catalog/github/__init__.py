"""The built-in `github` service (see service.py)."""
