"""Entry point of the frozen app (`get3w-desktop`, windowed on Windows and macOS)."""

import os
import sys

if os.environ.get("GET3W_STARTUP_PROBE"):  # bench.startup --exe: time to the first frame
    import startup_probe

    _probe = startup_probe.install()

from get3w_desktop.app import main

sys.exit(main())
