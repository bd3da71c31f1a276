"""The built-in `trello` service (see service.py)."""
