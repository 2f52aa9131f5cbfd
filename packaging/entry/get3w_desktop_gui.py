"""Entry point of the frozen app (`get3w-desktop`, windowed on Windows and macOS)."""

import sys

from get3w_desktop.app import main

sys.exit(main())
