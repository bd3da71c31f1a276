"""Exit codes of `oic`, defined in one place.

`oic run` exits with the pipeline's own status, so it adds the codes a pipeline binary returns
(``runtime.engine``'s ``EXIT_*``; a test holds the two tables together, since oic does not import the
engine).
"""

OK = 0
DIAGNOSTICS = 1  # the input has errors (or warnings under --werror)
USAGE = 2  # bad flags, missing or unreadable files; for `oic run`, also a bad argument of the pipeline
RUN_FAILED = 3  # `oic run`: the pipeline ran and failed
TIMED_OUT = 4  # `oic run`: the pipeline's timeout (--timeout or its `timeout` setting) passed
INTERNAL = 70  # a bug in oic: reported in one line, never as a traceback
INTERRUPTED = 130  # `oic run`: interrupted by SIGINT (Ctrl-C); the services were stopped first
TERMINATED = 143  # `oic run`: ended by SIGTERM; the services were stopped first
