"""Imported when each Python process of `make mutation` starts (this directory is on its PYTHONPATH).

mutmut learns which tests reach which function by recording the calls in its own process ("stats").
A process a test starts (``python -m oic run``, a service) would try to record too, look for
mutmut's configuration in its own working directory, and fail. In such a process the stats run is a
plain run; the mutants themselves still reach it, through ``MUTANT_UNDER_TEST``.
"""

import os

if os.environ.get("MUTANT_UNDER_TEST") == "stats":
    os.environ["MUTANT_UNDER_TEST"] = ""
