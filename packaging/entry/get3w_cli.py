"""Entry point of the frozen `get3w` command (a console executable beside the app)."""

import sys

from get3w_desktop.cli import main

sys.exit(main())
