import sys

from oic.cli import main

sys.exit(main())
