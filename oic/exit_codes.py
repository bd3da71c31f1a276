"""Exit codes of `oic`, defined in one place."""

OK = 0
DIAGNOSTICS = 1  # the input has errors (or warnings under --werror)
USAGE = 2  # bad flags, missing or unreadable files
RUN_FAILED = 3  # `oic run`: the pipeline ran and failed
INTERNAL = 70  # a bug in oic: reported in one line, never as a traceback
