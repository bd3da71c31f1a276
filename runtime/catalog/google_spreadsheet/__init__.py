"""The built-in `google-spreadsheet` service (see service.py)."""
