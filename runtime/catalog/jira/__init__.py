"""The built-in `jira` service (see service.py)."""
